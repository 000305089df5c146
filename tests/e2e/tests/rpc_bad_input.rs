//! Hostile and malformed RPC input against the real node: each gets a precise
//! JSON-RPC error, and the node keeps serving.
use hm_e2e::Node;
use hm_primitives::{AccountId, H256, UNITS};
use hm_wallet::{sign, transfer_call, TxParams};
use serde_json::{json, Value};
use std::{
    io::{Read, Write},
    time::Duration,
};

/// The error text of a failed call (code, message and data), or panic if it succeeded.
async fn rpc_error(node: &Node, method: &str, params: Vec<Value>) -> String {
    match node.rpc(method, params).await {
        Ok(v) => panic!("{method} unexpectedly succeeded with {v}"),
        Err(e) => match e.downcast_ref::<jsonrpsee::core::ClientError>() {
            Some(jsonrpsee::core::ClientError::Call(obj)) => {
                format!(
                    "code {} message {} data {:?}",
                    obj.code(),
                    obj.message(),
                    obj.data()
                )
            }
            _ => format!("{e:?}"),
        },
    }
}

async fn still_serving(node: &Node) {
    let health = node
        .rpc("system_health", vec![])
        .await
        .expect("node still answers");
    assert!(health.is_object());
}

fn hex(b: &[u8]) -> Value {
    json!(format!("0x{}", hex::encode(b)))
}

/// Send `head` (request line and headers) and `body` on a new connection; returns
/// (status line, whole response).
fn raw_request(port: u16, head: &str, body: &[u8]) -> (String, String) {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let head = format!(
        "{head}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = s.write_all(head.as_bytes());
    let _ = s.write_all(body);
    let mut resp = Vec::new();
    let _ = s.read_to_end(&mut resp);
    let text = String::from_utf8_lossy(&resp).to_string();
    let status = text.lines().next().unwrap_or_default().to_string();
    (status, text)
}

/// POST a raw body with the node's own Host; returns (status line, body).
fn raw_post(port: u16, body: &[u8]) -> (String, String) {
    let head =
        format!("POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json");
    raw_request(port, &head, body)
}

/// A WebSocket handshake with these extra headers; returns (status line, response).
/// An accepted handshake is read up to the end of its head; a refusal to the end.
fn raw_ws_handshake(port: u16, headers: &[String]) -> (String, String) {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut head = "GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
                    Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13"
        .to_owned();
    for h in headers {
        head.push_str("\r\n");
        head.push_str(h);
    }
    head.push_str("\r\n\r\n");
    let _ = s.write_all(head.as_bytes());
    let mut resp = Vec::new();
    let mut byte = [0u8; 1];
    while !resp.ends_with(b"\r\n\r\n") && matches!(s.read(&mut byte), Ok(1)) {
        resp.push(byte[0]);
    }
    if !resp.starts_with(b"HTTP/1.1 101") {
        let _ = s.read_to_end(&mut resp);
    }
    let text = String::from_utf8_lossy(&resp).to_string();
    let status = text.lines().next().unwrap_or_default().to_string();
    (status, text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_bad_input_gets_a_precise_error_and_the_node_keeps_serving() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let node = Node::dev(dir.path(), 200).await?;
    node.wait_finalized(2, Duration::from_secs(20)).await?;
    let wallet = node.wallet().await?;
    let ctx = wallet.chain_context().await?;
    let alice = hm_crypto::dev_keypair("alice").unwrap();
    let bob = hm_crypto::dev_keypair("bob").unwrap().account_id();
    let nonce = wallet.next_nonce(&alice.account_id()).await?;
    let params = TxParams {
        genesis_hash: ctx.genesis_hash,
        spec_version: ctx.spec_version,
        nonce,
        tip: 0,
        valid_until: ctx.best_number + 50,
    };
    let good = sign(&alice, transfer_call(bob, UNITS, false), &params);

    let e = rpc_error(&node, "author_submitExtrinsic", vec![json!("0xzz")]).await;
    assert!(e.to_lowercase().contains("hex"), "malformed hex: {e}");
    still_serving(&node).await;

    let e = rpc_error(
        &node,
        "author_submitExtrinsic",
        vec![hex(&good[..good.len() - 3])],
    )
    .await;
    assert!(
        e.contains("1001") && e.contains("do not decode"),
        "truncated: {e}"
    );
    still_serving(&node).await;

    let e = rpc_error(
        &node,
        "author_submitExtrinsic",
        vec![hex(&vec![7u8; 200 * 1024])],
    )
    .await;
    assert!(
        e.to_lowercase().contains("limit") || e.to_lowercase().contains("large"),
        "oversized: {e}"
    );
    still_serving(&node).await;

    let mut bad_sig = good.clone();
    let at = bad_sig.len() - 200;
    bad_sig[at] ^= 0x55;
    let e = rpc_error(&node, "author_submitExtrinsic", vec![hex(&bad_sig)]).await;
    assert!(
        e.contains("1010") && e.to_lowercase().contains("signature"),
        "bad signature: {e}"
    );

    let wrong_genesis = sign(
        &alice,
        transfer_call(bob, UNITS, false),
        &TxParams {
            genesis_hash: H256([9; 32]),
            ..params
        },
    );
    let e = rpc_error(&node, "author_submitExtrinsic", vec![hex(&wrong_genesis)]).await;
    assert!(
        e.to_lowercase().contains("signature") && e.contains("genesis"),
        "wrong genesis: {e}"
    );

    // Advance alice's nonce once so nonce 0 is stale.
    wallet.submit_and_wait(&good).await?;
    let stale = sign(&alice, transfer_call(bob, UNITS, false), &params);
    let e = rpc_error(&node, "author_submitExtrinsic", vec![hex(&stale)]).await;
    assert!(e.to_lowercase().contains("stale"), "stale nonce: {e}");
    let far = sign(
        &alice,
        transfer_call(bob, UNITS, false),
        &TxParams {
            nonce: nonce + 10_000,
            ..params
        },
    );
    let e = rpc_error(&node, "author_submitExtrinsic", vec![hex(&far)]).await;
    assert!(
        e.contains("1010") && e.contains("too far ahead"),
        "future nonce: {e}"
    );

    let pauper = hm_crypto::Keypair::generate();
    let broke = sign(
        &pauper,
        transfer_call(bob, UNITS, false),
        &TxParams { nonce: 0, ..params },
    );
    let e = rpc_error(&node, "author_submitExtrinsic", vec![hex(&broke)]).await;
    assert!(
        e.to_lowercase().contains("insufficient balance"),
        "insufficient balance: {e}"
    );

    let expired = sign(
        &alice,
        transfer_call(bob, UNITS, false),
        &TxParams {
            nonce: nonce + 1,
            valid_until: 1,
            ..params
        },
    );
    let e = rpc_error(&node, "author_submitExtrinsic", vec![hex(&expired)]).await;
    assert!(e.to_lowercase().contains("expired"), "expired: {e}");
    still_serving(&node).await;

    let e = rpc_error(&node, "no_suchMethod", vec![]).await;
    assert!(e.contains("-32601"), "unknown method: {e}");
    let e = rpc_error(
        &node,
        "chain_getBlockHash",
        vec![json!({"not": "a number"})],
    )
    .await;
    assert!(e.contains("-32602"), "wrong param type: {e}");
    let e = rpc_error(&node, "caesar_balance", vec![json!("hm1qqqq")]).await;
    assert!(e.to_lowercase().contains("address"), "bad address: {e}");
    let e = rpc_error(
        &node,
        "chain_getHeader",
        vec![json!(format!("0x{}", "ab".repeat(31)))],
    )
    .await;
    assert!(
        e.to_lowercase().contains("32 bytes") || e.to_lowercase().contains("hash"),
        "short hash: {e}"
    );
    still_serving(&node).await;

    // Oversized body: refused before parsing.
    let mut huge =
        br#"{"jsonrpc":"2.0","id":1,"method":"author_submitExtrinsic","params":[""#.to_vec();
    huge.extend(std::iter::repeat_n(b'a', 16 * 1024 * 1024));
    huge.extend_from_slice(br#""]}"#);
    let port = node.rpc_port;
    let (status, _) = tokio::task::spawn_blocking(move || raw_post(port, &huge)).await?;
    assert!(status.contains("413"), "oversized body: {status}");
    // Oversized batch: refused as a whole.
    let batch: Vec<Value> = (0..1000)
        .map(|i| json!({"jsonrpc":"2.0","id":i,"method":"system_name","params":[]}))
        .collect();
    let body = serde_json::to_vec(&batch)?;
    let (status, text) = tokio::task::spawn_blocking(move || raw_post(port, &body)).await?;
    assert!(
        text.to_lowercase().contains("batch"),
        "oversized batch: {status} {}",
        &text[..text.len().min(300)]
    );
    // Garbage JSON.
    let (_, text) = tokio::task::spawn_blocking(move || raw_post(port, b"{\"jsonrpc\":")).await?;
    assert!(text.contains("-32700"), "parse error: {text}");
    still_serving(&node).await;

    // A web page elsewhere (its Origin) and a DNS-rebinding page (its Host) are refused.
    let own_host = format!("Host: 127.0.0.1:{port}");
    let (status, text) = tokio::task::spawn_blocking(move || {
        raw_ws_handshake(port, &[own_host, "Origin: https://evil.example".into()])
    })
    .await?;
    assert!(
        status.contains("403") && text.contains("--rpc-cors"),
        "foreign origin: {text}"
    );
    let (status, text) = tokio::task::spawn_blocking(move || {
        let head = "POST / HTTP/1.1\r\nHost: evil.example:9944\r\nContent-Type: application/json";
        raw_request(
            port,
            head,
            br#"{"jsonrpc":"2.0","id":1,"method":"author_pendingExtrinsics","params":[]}"#,
        )
    })
    .await?;
    assert!(status.contains("403"), "foreign host: {text}");
    // A page on this machine may, on a dev chain.
    let own_host = format!("Host: 127.0.0.1:{port}");
    let (status, text) = tokio::task::spawn_blocking(move || {
        raw_ws_handshake(port, &[own_host, "Origin: http://localhost:3000".into()])
    })
    .await?;
    assert!(status.contains("101"), "local page on dev: {text}");
    still_serving(&node).await;

    let who = AccountId::from_address(&alice.account_id().to_address())?;
    assert!(wallet.balance(&who).await?.free > 0);
    assert!(!node.log().contains("panicked"));
    Ok(())
}
