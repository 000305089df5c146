//! `GET /metrics` over HTTP/1.1.
use crate::Metrics;
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::{header, Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::task::JoinHandle;

/// Substrate's default `--prometheus-port`.
pub const DEFAULT_PROMETHEUS_PORT: u16 = 9615;

/// Where to listen: loopback unless `external` (Substrate's `--prometheus-external`).
pub fn listen_addr(port: u16, external: bool) -> SocketAddr {
    let ip = if external {
        [0, 0, 0, 0]
    } else {
        [127, 0, 0, 1]
    };
    SocketAddr::from((ip, port))
}

/// Scrapers are few; more simultaneous connections than this are closed on accept.
const MAX_CONNECTIONS: usize = 32;
/// Bytes hyper may buffer for one request head (hyper's minimum is 8 KiB).
const MAX_REQUEST_HEAD_BYTES: usize = 16 * 1024;
const MAX_HEADERS: usize = 32;
/// A client must send its whole request head within this time.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Hard cap on a connection's life, so a peer that stops reading cannot hold a slot.
const CONNECTION_LIFETIME: Duration = Duration::from_secs(60);

const TEXT_FORMAT: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Bind `addr` and serve the metrics endpoint until the returned task is aborted.
pub async fn serve(addr: SocketAddr, metrics: Metrics) -> anyhow::Result<JoinHandle<()>> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot bind the Prometheus endpoint to {addr}: {e}"))?;
    Ok(serve_on(listener, metrics))
}

/// Serve the metrics endpoint on an already bound listener (tests bind port 0).
pub fn serve_on(listener: TcpListener, metrics: Metrics) -> JoinHandle<()> {
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(target: "metrics", "Prometheus metrics on http://{addr}/metrics");
    }
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    tokio::spawn(async move {
        loop {
            let (stream, peer) = match listener.accept().await {
                Ok(conn) => conn,
                Err(e) => {
                    // Per-connection failures (e.g. the peer reset before accept) must not stop the endpoint.
                    tracing::debug!(target: "metrics", "accept failed: {e}");
                    continue;
                }
            };
            let Ok(permit) = slots.clone().try_acquire_owned() else {
                tracing::debug!(target: "metrics", "refusing {peer}: {MAX_CONNECTIONS} connections open");
                continue;
            };
            let metrics = metrics.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req| {
                    let metrics = metrics.clone();
                    async move { Ok::<_, Infallible>(respond(&req, &metrics)) }
                });
                let conn = hyper::server::conn::http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(HEADER_READ_TIMEOUT)
                    .max_buf_size(MAX_REQUEST_HEAD_BYTES)
                    .max_headers(MAX_HEADERS)
                    .serve_connection(TokioIo::new(stream), service);
                match tokio::time::timeout(CONNECTION_LIFETIME, conn).await {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => tracing::debug!(target: "metrics", "connection from {peer}: {e}"),
                    Err(_) => {
                        tracing::debug!(target: "metrics", "connection from {peer} exceeded its lifetime")
                    }
                }
                drop(permit);
            });
        }
    })
}

/// Route one request. The body is never read: only the head matters.
fn respond(req: &Request<Incoming>, metrics: &Metrics) -> Response<Full<Bytes>> {
    if req.uri().path() != "/metrics" {
        return plain(
            StatusCode::NOT_FOUND,
            "not found: the only path is /metrics\n",
        );
    }
    match *req.method() {
        Method::GET => {
            let mut resp = Response::new(Full::new(Bytes::from(metrics.encode_text())));
            resp.headers_mut().insert(
                header::CONTENT_TYPE,
                header::HeaderValue::from_static(TEXT_FORMAT),
            );
            resp
        }
        _ => {
            let mut resp = plain(
                StatusCode::METHOD_NOT_ALLOWED,
                "method not allowed: use GET /metrics\n",
            );
            resp.headers_mut()
                .insert(header::ALLOW, header::HeaderValue::from_static("GET"));
            resp
        }
    }
}

fn plain(status: StatusCode, text: &'static str) -> Response<Full<Bytes>> {
    let mut resp = Response::new(Full::new(Bytes::from_static(text.as_bytes())));
    *resp.status_mut() = status;
    resp
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;

    const WAIT: Duration = Duration::from_secs(20);

    async fn start() -> (SocketAddr, Metrics, JoinHandle<()>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let metrics = Metrics::new();
        let task = serve_on(listener, metrics.clone());
        (addr, metrics, task)
    }

    /// Send raw bytes, read until the server closes, return the response text.
    async fn exchange(addr: SocketAddr, request: &[u8]) -> String {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        // The server may close early on hostile input; a reset is an acceptable answer.
        let _ = stream.write_all(request).await;
        let mut out = Vec::new();
        let _ = tokio::time::timeout(WAIT, stream.read_to_end(&mut out))
            .await
            .expect("server hung");
        String::from_utf8_lossy(&out).into_owned()
    }

    #[tokio::test]
    async fn get_metrics_returns_the_text_format() {
        let (addr, metrics, task) = start().await;
        metrics.set_best(17);
        metrics.set_peers(2);
        let resp = exchange(
            addr,
            b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        )
        .await;
        assert!(resp.starts_with("HTTP/1.1 200 OK"), "{resp}");
        assert!(
            resp.contains("content-type: text/plain; version=0.0.4"),
            "{resp}"
        );
        assert!(resp.contains("hypermesh_best_height 17"), "{resp}");
        assert!(resp.contains("hypermesh_peers 2"), "{resp}");
        task.abort();
    }

    #[tokio::test]
    async fn other_paths_and_methods_are_refused_and_serving_continues() {
        let (addr, _metrics, task) = start().await;
        let resp = exchange(
            addr,
            b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        )
        .await;
        assert!(resp.starts_with("HTTP/1.1 404"), "{resp}");
        let resp =
            exchange(addr, b"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc")
                .await;
        assert!(resp.starts_with("HTTP/1.1 405"), "{resp}");
        // Garbage instead of HTTP.
        let resp = exchange(addr, b"\x00\x01\x02 not http\r\n\r\n").await;
        assert!(!resp.contains("hypermesh_"), "{resp}");
        // A request head larger than the cap is refused.
        let mut huge = b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Pad: ".to_vec();
        huge.extend(std::iter::repeat_n(b'a', 64 * 1024));
        huge.extend_from_slice(b"\r\n\r\n");
        let resp = exchange(addr, &huge).await;
        assert!(
            !resp.contains("hypermesh_"),
            "oversized head must not be served: {resp}"
        );
        // Still serving.
        let resp = exchange(
            addr,
            b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        )
        .await;
        assert!(resp.starts_with("HTTP/1.1 200 OK"), "{resp}");
        task.abort();
    }

    #[test]
    fn loopback_unless_external() {
        assert_eq!(
            listen_addr(DEFAULT_PROMETHEUS_PORT, false),
            "127.0.0.1:9615".parse().unwrap()
        );
        assert_eq!(listen_addr(9000, true), "0.0.0.0:9000".parse().unwrap());
    }

    #[tokio::test]
    async fn serve_reports_a_bind_failure() {
        let taken = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = taken.local_addr().unwrap();
        let err = serve(addr, Metrics::new()).await.unwrap_err();
        assert!(err.to_string().contains("cannot bind"), "{err}");
    }
}
