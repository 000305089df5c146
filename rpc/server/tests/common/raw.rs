//! Requests with headers of our choosing (Origin, Host) and a bare WebSocket client
//! that sends exactly the frames a test asks for.
use super::WAIT;
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Send `head` (request line and headers, without the blank line) and `body`; return
/// the status code and the whole response text. The connection is closed after.
pub async fn exchange(addr: SocketAddr, head: &str, body: &[u8]) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "{head}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut raw = Vec::new();
    let _ = tokio::time::timeout(WAIT, stream.read_to_end(&mut raw))
        .await
        .expect("server hung");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}

/// POST a JSON-RPC body with these extra header lines.
pub async fn post_with(addr: SocketAddr, headers: &[&str], body: &str) -> (u16, String) {
    let mut head = "POST / HTTP/1.1\r\nContent-Type: application/json".to_owned();
    for h in headers {
        head.push_str("\r\n");
        head.push_str(h);
    }
    exchange(addr, &head, body.as_bytes()).await
}

const HANDSHAKE_KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";

fn upgrade_head(headers: &[&str]) -> String {
    let mut head = format!(
        "GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: {HANDSHAKE_KEY}\r\nSec-WebSocket-Version: 13"
    );
    for h in headers {
        head.push_str("\r\n");
        head.push_str(h);
    }
    head
}

/// A WebSocket handshake with these extra header lines; returns the status code and
/// the response head (and body, if refused).
pub async fn ws_handshake(addr: SocketAddr, headers: &[&str]) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let head = upgrade_head(headers);
    stream
        .write_all(format!("{head}\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let text = read_head(&mut stream).await;
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    if status != 101 {
        // Refusals carry their reason in the body; the connection may stay open.
        let length = text
            .lines()
            .find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse::<usize>().ok())
                    .flatten()
            })
            .unwrap_or(0);
        let mut body = vec![0u8; length];
        tokio::time::timeout(WAIT, stream.read_exact(&mut body))
            .await
            .expect("server hung")
            .unwrap();
        return (status, text + &String::from_utf8_lossy(&body));
    }
    (status, text)
}

async fn read_head(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        let n = tokio::time::timeout(WAIT, stream.read(&mut byte))
            .await
            .expect("server hung")
            .unwrap();
        if n == 0 {
            break;
        }
        head.push(byte[0]);
    }
    String::from_utf8_lossy(&head).into_owned()
}

/// A WebSocket connection speaking single-frame text messages.
pub struct RawWs {
    stream: TcpStream,
}

impl RawWs {
    pub async fn connect(addr: SocketAddr) -> RawWs {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let head = upgrade_head(&[&format!("Host: {addr}")]);
        stream
            .write_all(format!("{head}\r\n\r\n").as_bytes())
            .await
            .unwrap();
        let response = read_head(&mut stream).await;
        assert!(response.starts_with("HTTP/1.1 101"), "{response}");
        RawWs { stream }
    }

    /// Send `text` as one masked text frame (clients must mask).
    pub async fn send_text(&mut self, text: &str) {
        let payload = text.as_bytes();
        let mut frame = vec![0x81u8];
        match payload.len() {
            n if n < 126 => frame.push(0x80 | n as u8),
            n if n <= usize::from(u16::MAX) => {
                frame.push(0x80 | 126);
                frame.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                frame.push(0x80 | 127);
                frame.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        let mask = [0x12u8, 0x34, 0x56, 0x78];
        frame.extend_from_slice(&mask);
        frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        self.stream.write_all(&frame).await.unwrap();
    }

    /// The next text message, skipping control frames.
    pub async fn recv_text(&mut self) -> String {
        loop {
            let mut head = [0u8; 2];
            self.read_exact(&mut head).await;
            let opcode = head[0] & 0x0f;
            let len = match head[1] & 0x7f {
                126 => {
                    let mut b = [0u8; 2];
                    self.read_exact(&mut b).await;
                    u64::from(u16::from_be_bytes(b))
                }
                127 => {
                    let mut b = [0u8; 8];
                    self.read_exact(&mut b).await;
                    u64::from_be_bytes(b)
                }
                n => u64::from(n),
            };
            let mut payload = vec![0u8; usize::try_from(len).unwrap()];
            self.read_exact(&mut payload).await;
            match opcode {
                0x1 => return String::from_utf8(payload).unwrap(),
                0x8 => panic!("server closed the WebSocket: {payload:?}"),
                _ => continue,
            }
        }
    }

    async fn read_exact(&mut self, buf: &mut [u8]) {
        tokio::time::timeout(WAIT, self.stream.read_exact(buf))
            .await
            .expect("server hung")
            .expect("WebSocket closed");
    }

    /// Send one call and parse the answer.
    pub async fn call(&mut self, request: &str) -> serde_json::Value {
        self.send_text(request).await;
        serde_json::from_str(&self.recv_text().await).unwrap()
    }
}
