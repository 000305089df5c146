//! Who may use the server: browsers by Origin, requests by Host, unsafe methods by the
//! client's address; and how much: connections per address, call rates, list lengths.
mod common;

use common::raw::{post_with, ws_handshake};
use common::*;
use hm_primitives::H256;
use hm_rpc::{
    AllowedHosts, AllowedOrigins, RpcConfig, RpcMethods, MAX_PENDING_EXTRINSICS,
    MAX_REMOVE_EXTRINSICS,
};
use hm_rpc_api::error_codes;
use serde_json::json;
use std::net::IpAddr;

const NAME_CALL: &str = r#"{"jsonrpc":"2.0","id":1,"method":"system_name","params":[]}"#;

fn host_of(node: &Node) -> String {
    format!("Host: {}", node.addr)
}

#[tokio::test]
async fn web_pages_from_origins_not_allowed_are_refused() {
    let node = start_with(RpcConfig {
        allowed_origins: AllowedOrigins::localhost(),
        ..test_config()
    })
    .await;
    let host = host_of(&node);
    let (status, text) = ws_handshake(node.addr, &[&host, "Origin: https://evil.example"]).await;
    assert_eq!(status, 403, "{text}");
    assert!(
        text.contains("Origin https://evil.example may not use") && text.contains("--rpc-cors"),
        "{text}"
    );
    let (status, text) = post_with(
        node.addr,
        &[&host, "Origin: https://evil.example"],
        NAME_CALL,
    )
    .await;
    assert_eq!(status, 403, "{text}");
    // A page on this machine, and a client that sends no Origin, are served.
    let (status, text) = ws_handshake(node.addr, &[&host, "Origin: http://localhost:3000"]).await;
    assert_eq!(status, 101, "{text}");
    let (status, text) = post_with(
        node.addr,
        &[&host, "Origin: http://127.0.0.1:8080"],
        NAME_CALL,
    )
    .await;
    assert_eq!(status, 200, "{text}");
    let (status, text) = post_with(node.addr, &[&host], NAME_CALL).await;
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("hypermesh"), "{text}");
}

#[tokio::test]
async fn without_rpc_cors_no_web_page_is_served_and_all_serves_every_one() {
    let closed = start().await;
    let host = host_of(&closed);
    let (status, _) = ws_handshake(closed.addr, &[&host, "Origin: http://localhost:3000"]).await;
    assert_eq!(status, 403, "the default allows no page");
    let open = start_with(RpcConfig {
        allowed_origins: AllowedOrigins::Any,
        ..test_config()
    })
    .await;
    let host = host_of(&open);
    let (status, text) = ws_handshake(open.addr, &[&host, "Origin: https://evil.example"]).await;
    assert_eq!(status, 101, "--rpc-cors all: {text}");
}

#[tokio::test]
async fn hosts_other_than_this_machine_are_refused_on_a_loopback_listener() {
    let node = start().await;
    let port = node.addr.port();
    for refused in [
        format!("Host: evil.example:{port}"),
        "Host: evil.example:9944".to_owned(),
        // A rebinding page could use the right port but never a loopback name: and
        // the loopback name must carry the server's port.
        "Host: 127.0.0.1".to_owned(),
    ] {
        let (status, text) = post_with(node.addr, &[&refused], NAME_CALL).await;
        assert_eq!(status, 403, "{refused}: {text}");
        assert!(text.contains("Host header is not whitelisted"), "{text}");
        let (status, _) = ws_handshake(node.addr, &[&refused]).await;
        assert_eq!(status, 403, "{refused} over WebSocket");
    }
    for allowed in [
        format!("Host: localhost:{port}"),
        format!("Host: 127.0.0.1:{port}"),
        format!("Host: [::1]:{port}"),
    ] {
        let (status, text) = post_with(node.addr, &[&allowed], NAME_CALL).await;
        assert_eq!(status, 200, "{allowed}: {text}");
    }
    let any = start_with(RpcConfig {
        allowed_hosts: Some(AllowedHosts::Any),
        ..test_config()
    })
    .await;
    let (status, text) = post_with(any.addr, &["Host: evil.example:9944"], NAME_CALL).await;
    assert_eq!(status, 200, "configured for any host: {text}");
}

#[tokio::test]
async fn auto_serves_unsafe_methods_to_a_loopback_client() {
    let node = start().await;
    assert_eq!(test_config().methods, RpcMethods::Auto);
    let target = H256([1; 32]);
    let v = call(
        node.addr,
        "author_removeExtrinsic",
        json!([[{"hash": target.to_hex()}]]),
    )
    .await;
    assert_eq!(v["result"], json!([]), "{v}");
    assert_eq!(*node.pool.removed.lock().unwrap(), vec![target]);
}

#[tokio::test]
async fn connections_beyond_the_per_address_cap_are_refused_with_the_reason() {
    let node = start_with(RpcConfig {
        max_connections_per_ip: 2,
        ..test_config()
    })
    .await;
    let loopback = IpAddr::from([127, 0, 0, 1]);
    let a = node.ws().await;
    let b = node.ws().await;
    assert_eq!(node.server.connections_from(loopback), 2);
    let third = jsonrpsee::ws_client::WsClientBuilder::default()
        .build(format!("ws://{}", node.addr))
        .await;
    assert!(
        third.is_err(),
        "a third connection from 127.0.0.1 must be refused"
    );
    let (status, text) = post_with(node.addr, &[&host_of(&node)], NAME_CALL).await;
    assert_eq!(status, 429, "{text}");
    assert!(
        text.contains("too many RPC connections from 127.0.0.1")
            && text.contains("--rpc-max-connections-per-ip"),
        "{text}"
    );
    // The admitted ones keep working; closing one frees its slot.
    assert_eq!(
        hm_rpc_api::SystemApiClient::system_name(&a).await.unwrap(),
        "hypermesh"
    );
    drop(b);
    let mut freed = false;
    for _ in 0..300 {
        if node.server.connections_from(loopback) < 2 {
            freed = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(freed, "the closed connection's slot was never released");
    assert_alive(node.addr).await;
}

#[tokio::test]
async fn http_calls_share_one_budget_per_address_across_connections() {
    let node = start_with(RpcConfig {
        rate_limit_per_conn: Some(2),
        ..test_config()
    })
    .await;
    // Each `call` opens a new connection: reconnecting does not reset the budget.
    assert_alive(node.addr).await;
    assert_alive(node.addr).await;
    let v = call(node.addr, "system_name", json!([])).await;
    let (code, message, _) = error_of(&v);
    assert_eq!(code, i64::from(error_codes::RATE_LIMITED), "{v}");
    assert!(
        message.contains("HTTP requests from your address may make 2 calls per minute"),
        "{message}"
    );
    // A batch spends one unit per call.
    let v = rpc_raw(
        node.addr,
        &json!([
            {"jsonrpc": "2.0", "id": 1, "method": "system_name", "params": []},
            {"jsonrpc": "2.0", "id": 2, "method": "system_name", "params": []},
        ])
        .to_string(),
    )
    .await;
    let refused = v
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["error"]["code"] == error_codes::RATE_LIMITED)
        .count();
    assert_eq!(refused, 2, "{v}");
    // A WebSocket connection has its own budget.
    let ws = node.ws().await;
    assert_eq!(
        hm_rpc_api::SystemApiClient::system_name(&ws).await.unwrap(),
        "hypermesh"
    );
}

#[tokio::test]
async fn pending_extrinsics_is_capped_and_remove_takes_a_bounded_list() {
    let node = start_with(RpcConfig {
        methods: RpcMethods::Unsafe,
        ..test_config()
    })
    .await;
    {
        let mut pending = node.pool.pending.lock().unwrap();
        for nonce in 0..(MAX_PENDING_EXTRINSICS as u64 + 100) {
            pending.push(signed_xt(BOB, nonce + 10, b"x"));
        }
    }
    let v = call(node.addr, "author_pendingExtrinsics", json!([])).await;
    let listed = v["result"].as_array().expect("a list").len();
    assert_eq!(
        listed, MAX_PENDING_EXTRINSICS,
        "best first, at most the cap"
    );

    let hashes: Vec<_> = (0..=MAX_REMOVE_EXTRINSICS)
        .map(|i| json!({"hash": H256([i as u8; 32]).to_hex()}))
        .collect();
    let v = call(node.addr, "author_removeExtrinsic", json!([hashes])).await;
    let (code, message, _) = error_of(&v);
    assert_eq!(code, -32602, "{v}");
    assert!(
        message.contains("`bytes_or_hash`")
            && message.contains(&format!(
                "{} items; at most {MAX_REMOVE_EXTRINSICS}",
                MAX_REMOVE_EXTRINSICS + 1
            )),
        "{message}"
    );
    assert!(
        node.pool.removed.lock().unwrap().is_empty(),
        "nothing removed"
    );
}
