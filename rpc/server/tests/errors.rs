//! Bad requests get precise errors, limits hold, and the server keeps serving after each.
mod common;

use common::*;
use hm_client_api::PoolError;
use hm_primitives::{InvalidTransaction, H256, MAX_EXTRINSIC_BYTES};
use hm_rpc::{RpcConfig, RpcMethods};
use hm_rpc_api::{error_codes, AuthorApiClient, HexString};
use serde_json::json;

#[tokio::test]
async fn malformed_hex_names_the_parameter() {
    let node = start().await;
    let best = node.chain.hash_of(2).to_hex();
    let cases = [
        (
            "author_submitExtrinsic",
            json!(["0x123"]),
            "`extrinsic`",
            "odd number of hex digits",
        ),
        (
            "author_submitExtrinsic",
            json!(["1234"]),
            "`extrinsic`",
            "must start with 0x",
        ),
        (
            "author_submitExtrinsic",
            json!(["0x12zz"]),
            "`extrinsic`",
            "invalid hex character 'z' at position 2",
        ),
        (
            "state_getStorage",
            json!(["0xqq"]),
            "`key`",
            "invalid hex character",
        ),
        (
            "state_getStorage",
            json!(["0x00", "0x1234"]),
            "`at`",
            "expected 32 bytes, got 2",
        ),
        (
            "state_getReadProof",
            json!([["0x00", "0xabc"], best]),
            "`keys[1]`",
            "odd number",
        ),
        (
            "chain_getHeader",
            json!(["0x00"]),
            "`hash`",
            "expected 32 bytes, got 1",
        ),
        (
            "chain_getBlock",
            json!(["nothex"]),
            "`hash`",
            "must start with 0x",
        ),
        (
            "state_getRuntimeVersion",
            json!(["0x"]),
            "`at`",
            "expected 32 bytes, got 0",
        ),
    ];
    for (method, params, param, reason) in cases {
        let v = call(node.addr, method, params.clone()).await;
        let (code, message, _) = error_of(&v);
        assert_eq!(code, -32602, "{method} {params}: {v}");
        assert!(
            message.contains(param) && message.contains(reason),
            "{method} {params}: {message}"
        );
        assert_alive(node.addr).await;
    }
}

#[tokio::test]
async fn malformed_hex_in_a_watch_rejects_the_subscription() {
    let node = start().await;
    let ws = node.ws().await;
    let e = ws
        .watch_extrinsic(HexString("0x1".into()))
        .await
        .unwrap_err();
    let jsonrpsee::core::client::Error::Call(obj) = e else {
        panic!("{e}")
    };
    assert_eq!(obj.code(), -32602);
    assert!(
        obj.message().contains("`extrinsic`") && obj.message().contains("odd number"),
        "{}",
        obj.message()
    );
    assert_eq!(
        hm_rpc_api::SystemApiClient::system_name(&ws).await.unwrap(),
        "hypermesh"
    );
}

#[tokio::test]
async fn subscriptions_over_http_say_to_use_websocket() {
    let node = start().await;
    for method in [
        "chain_subscribeNewHeads",
        "author_submitAndWatchExtrinsic",
        "chain_unsubscribeNewHeads",
    ] {
        let v = call(node.addr, method, json!(["0x00"])).await;
        let (code, message, _) = error_of(&v);
        assert_eq!(
            code,
            i64::from(error_codes::SUBSCRIPTION_NEEDS_WEBSOCKET),
            "{method}: {v}"
        );
        assert!(
            message.contains(method) && message.contains("WebSocket"),
            "{message}"
        );
    }
    assert_alive(node.addr).await;
}

#[tokio::test]
async fn invalid_addresses_carry_the_bech32m_error() {
    let node = start().await;
    let valid = ALICE.to_address();
    let mut flipped = valid.clone().into_bytes();
    let last = flipped.len() - 1;
    flipped[last] = if flipped[last] == b'q' { b'p' } else { b'q' };
    let flipped = String::from_utf8(flipped).unwrap();
    for (method, address, reason) in [
        ("caesar_balance", flipped.as_str(), "not a bech32m address"),
        (
            "system_accountNextIndex",
            flipped.as_str(),
            "not a bech32m address",
        ),
        ("caesar_balance", "", "not a bech32m address"),
        ("caesar_balance", "0x1234", "expected 32 bytes"),
        (
            "caesar_balance",
            "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
            "bech32m",
        ),
    ] {
        let v = call(node.addr, method, json!([address])).await;
        let (code, message, _) = error_of(&v);
        assert_eq!(code, -32602, "{v}");
        assert!(
            message.contains("`address`") && message.contains(reason),
            "{address}: {message}"
        );
        assert_alive(node.addr).await;
    }
}

#[tokio::test]
async fn wrong_parameter_types_and_unknown_methods_come_from_jsonrpsee() {
    let node = start().await;
    for (method, params) in [
        ("author_submitExtrinsic", json!([42])),
        ("author_submitExtrinsic", json!([])),
        ("chain_getBlockHash", json!([-1])),
        ("chain_getBlockHash", json!(["0xzz"])),
        ("chain_getBlockHash", json!([1.5])),
        ("state_getReadProof", json!(["0x00"])),
        ("caesar_balance", json!([{"a": 1}])),
        ("author_removeExtrinsic", json!([["0x00"]])),
    ] {
        let v = call(node.addr, method, params.clone()).await;
        assert_eq!(error_of(&v).0, -32602, "{method} {params}: {v}");
        assert_alive(node.addr).await;
    }
    let v = call(node.addr, "chain_noSuchMethod", json!([])).await;
    assert_eq!(error_of(&v).0, -32601, "{v}");
    // Not JSON at all, and JSON that is not a request.
    let v = rpc_raw(node.addr, "{not json").await;
    assert_eq!(error_of(&v).0, -32700, "{v}");
    let v = rpc_raw(node.addr, r#"{"jsonrpc":"2.0","id":1}"#).await;
    assert_eq!(error_of(&v).0, -32600, "{v}");
    assert_alive(node.addr).await;
}

#[tokio::test]
async fn every_pool_refusal_is_a_precise_error() {
    let node = start().await;
    let xt = HexString::from(signed_xt(ALICE, 9, b"x"));
    let cases: Vec<(PoolError, i32, &str)> = vec![
        (
            PoolError::Invalid(InvalidTransaction::BadSignature),
            1010,
            "bad signature",
        ),
        (
            PoolError::Invalid(InvalidTransaction::UnknownSigner),
            1010,
            "full public key",
        ),
        (
            PoolError::Invalid(InvalidTransaction::Stale {
                expected: 9,
                got: 2,
            }),
            1010,
            "next nonce is 9",
        ),
        (
            PoolError::Invalid(InvalidTransaction::FutureTooFar {
                expected: 3,
                got: 90,
            }),
            1010,
            "too far ahead",
        ),
        (
            PoolError::Invalid(InvalidTransaction::CannotPayFees { fee: 1000, free: 5 }),
            1010,
            "fee is 1000 plancks but free balance is 5",
        ),
        (
            PoolError::Invalid(InvalidTransaction::Expired {
                valid_until: 4,
                current: 9,
            }),
            1010,
            "valid until block 4",
        ),
        (
            PoolError::Invalid(InvalidTransaction::UnsignedNotAllowed),
            1010,
            "unsigned",
        ),
        (
            PoolError::Invalid(InvalidTransaction::ExhaustsResources),
            1010,
            "exhaust",
        ),
        (
            PoolError::Invalid(InvalidTransaction::BadCall),
            1010,
            "call is not valid",
        ),
        (
            PoolError::AlreadyImported(H256([1; 32])),
            1013,
            "already in the pool",
        ),
        (
            PoolError::TemporarilyBanned(H256([1; 32])),
            1012,
            "temporarily banned",
        ),
        (PoolError::TooLowPriority, 1014, "higher or equal tip"),
        (PoolError::PoolFull, 1016, "pool is full"),
        (
            PoolError::SenderLimit(64),
            1016,
            "already has 64 transactions",
        ),
    ];
    let client = node.http();
    for (err, code, reason) in cases {
        node.pool.script_error(err.clone());
        let e = client.submit_extrinsic(xt.clone()).await.unwrap_err();
        let jsonrpsee::core::client::Error::Call(obj) = e else {
            panic!("{err:?}: {e}")
        };
        assert_eq!(obj.code(), code, "{err:?}");
        let data = obj.data().map(|d| d.get().to_owned()).unwrap_or_default();
        assert!(data.contains(reason), "{err:?}: {data}");
        assert_alive(node.addr).await;
    }
    // Decode failures, from the pool's own checks.
    let mut truncated = signed_xt(ALICE, 9, b"x");
    truncated.pop();
    let v = call(
        node.addr,
        "author_submitExtrinsic",
        json!([HexString::from(truncated)]),
    )
    .await;
    let (code, message, data) = error_of(&v);
    assert_eq!(
        (code, message.as_str()),
        (1001, "Extrinsic has invalid format")
    );
    assert!(data.contains("do not decode"), "{data}");
    let oversized = vec![0u8; MAX_EXTRINSIC_BYTES + 1];
    let v = call(
        node.addr,
        "author_submitExtrinsic",
        json!([HexString::from(oversized)]),
    )
    .await;
    let (code, _, data) = error_of(&v);
    assert_eq!(code, 1010);
    assert!(
        data.contains(&format!(
            "{} bytes; the limit is {MAX_EXTRINSIC_BYTES}",
            MAX_EXTRINSIC_BYTES + 1
        )),
        "{data}"
    );
    // A refused watch is rejected the same way.
    node.pool.script_error(PoolError::PoolFull);
    let ws = node.ws().await;
    let e = ws.watch_extrinsic(xt).await.unwrap_err();
    let jsonrpsee::core::client::Error::Call(obj) = e else {
        panic!("{e}")
    };
    assert_eq!(obj.code(), 1016);
    assert_alive(node.addr).await;
}

#[tokio::test]
async fn unknown_blocks_in_state_queries_are_errors() {
    let node = start().await;
    let unknown = H256([0x99; 32]).to_hex();
    for (method, params) in [
        ("state_getStorage", json!(["0x00", unknown])),
        ("state_getReadProof", json!([["0x00"], unknown])),
        ("state_getRuntimeVersion", json!([unknown])),
    ] {
        let v = call(node.addr, method, params).await;
        let (code, message, _) = error_of(&v);
        assert_eq!(code, i64::from(error_codes::STATE_UNAVAILABLE), "{v}");
        assert!(
            message.contains("unknown block") && message.contains(&unknown),
            "{message}"
        );
    }
    // A known but not-best block: the version there is not known, and the error says what to do.
    let v = call(
        node.addr,
        "state_getRuntimeVersion",
        json!([node.chain.hash_of(0).to_hex()]),
    )
    .await;
    let (code, message, _) = error_of(&v);
    assert_eq!(code, 4003);
    assert!(message.contains("best block only"), "{message}");
    // Too many read-proof keys.
    let keys: Vec<String> = (0..1025).map(|_| "0x00".to_owned()).collect();
    let v = call(node.addr, "state_getReadProof", json!([keys])).await;
    let (code, message, _) = error_of(&v);
    assert_eq!(code, -32602);
    assert!(
        message.contains("`keys`") && message.contains("at most 1024"),
        "{message}"
    );
    assert_alive(node.addr).await;
}

#[tokio::test]
async fn oversized_body_is_refused_and_the_server_keeps_serving() {
    let node = start_with(RpcConfig {
        max_request_body: 64 * 1024,
        ..test_config()
    })
    .await;
    let big = format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"author_submitExtrinsic","params":["0x{}"]}}"#,
        "00".repeat(64 * 1024)
    );
    let (status, body) = http_post(node.addr, big.as_bytes()).await;
    let refused = status == 413 || body.contains("-32007");
    assert!(refused, "status {status}, body {body}");
    assert_alive(node.addr).await;
}

/// A well-formed call of exactly `len` bytes: `author_submitExtrinsic` of zero bytes.
fn submit_of_len(len: usize) -> String {
    let frame = |pad: &str, digits: usize| {
        format!(
            r#"{{{pad}"jsonrpc":"2.0","id":7,"method":"author_submitExtrinsic","params":["0x{}"]}}"#,
            "0".repeat(digits)
        )
    };
    let base = frame("", 0).len();
    // Hex needs an even digit count; a space (valid JSON) absorbs an odd remainder.
    let pad = if (len - base) % 2 == 1 { " " } else { "" };
    let request = frame(pad, len - base - pad.len());
    assert_eq!(request.len(), len);
    request
}

#[tokio::test]
async fn websocket_message_over_the_cap_is_refused_and_the_connection_keeps_serving() {
    const CAP: u32 = 64 * 1024;
    let node = start_with(RpcConfig {
        max_request_body: CAP,
        ..test_config()
    })
    .await;
    let mut ws = raw::RawWs::connect(node.addr).await;
    // At the cap: read and judged as an extrinsic (32 KiB of zeros do not decode).
    let v = ws.call(&submit_of_len(CAP as usize)).await;
    let (code, _, _) = error_of(&v);
    assert_eq!(code, i64::from(error_codes::BAD_FORMAT), "{v}");
    assert_eq!(v["id"], 7);
    // One byte over: refused unread, with jsonrpsee's "request too big" and the limit.
    let v = ws.call(&submit_of_len(CAP as usize + 1)).await;
    let (code, message, data) = error_of(&v);
    assert_eq!(code, -32007, "{v}");
    assert!(message.contains("too big"), "{message}");
    assert!(
        data.contains(&CAP.to_string()),
        "the limit is named: {data}"
    );
    assert_eq!(v["id"], serde_json::Value::Null, "not read, so no id");
    // The same connection keeps serving.
    let v = ws
        .call(r#"{"jsonrpc":"2.0","id":8,"method":"system_name","params":[]}"#)
        .await;
    assert_eq!(v["result"], "hypermesh", "{v}");
    assert_eq!(v["id"], 8);
    assert_alive(node.addr).await;
}

#[tokio::test]
async fn batches_over_the_limit_are_refused() {
    let node = start_with(RpcConfig {
        max_batch_len: 4,
        ..test_config()
    })
    .await;
    let batch = |n: usize| {
        let calls: Vec<_> = (0..n)
            .map(|i| json!({"jsonrpc": "2.0", "id": i, "method": "system_name", "params": []}))
            .collect();
        serde_json::Value::Array(calls).to_string()
    };
    let v = rpc_raw(node.addr, &batch(4)).await;
    assert_eq!(v.as_array().map(Vec::len), Some(4), "{v}");
    assert!(v
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["result"] == "hypermesh"));
    let v = rpc_raw(node.addr, &batch(5)).await;
    let (code, message, _) = error_of(&v);
    assert_eq!(code, -32010, "{v}");
    assert!(message.contains("too large"), "{message}");
    // A batch with a bad entry answers each entry on its own.
    let mixed = json!([
        {"jsonrpc": "2.0", "id": 1, "method": "system_name", "params": []},
        {"jsonrpc": "2.0", "id": 2, "method": "author_submitExtrinsic", "params": ["0x1"]},
        {"jsonrpc": "2.0", "id": 3, "method": "nope", "params": []},
    ]);
    let v = rpc_raw(node.addr, &mixed.to_string()).await;
    let answers = v.as_array().unwrap();
    assert_eq!(answers.len(), 3);
    assert_eq!(answers[0]["result"], "hypermesh");
    assert_eq!(answers[1]["error"]["code"], -32602);
    assert_eq!(answers[2]["error"]["code"], -32601);
    assert_alive(node.addr).await;
}

#[tokio::test]
async fn unsafe_method_is_refused_unless_allowed() {
    let safe = start_with(RpcConfig {
        methods: RpcMethods::Safe,
        ..test_config()
    })
    .await;
    let v = call(
        safe.addr,
        "author_removeExtrinsic",
        json!([[{"hash": H256([1; 32]).to_hex()}]]),
    )
    .await;
    let (code, message, _) = error_of(&v);
    assert_eq!(code, i64::from(error_codes::UNSAFE_METHOD));
    assert!(
        message.contains("unsafe") && message.contains("--rpc-methods unsafe"),
        "{message}"
    );
    assert!(
        safe.pool.removed.lock().unwrap().is_empty(),
        "nothing was removed"
    );
    assert_alive(safe.addr).await;

    let allowed = start_with(RpcConfig {
        methods: RpcMethods::Unsafe,
        ..test_config()
    })
    .await;
    let target = H256([1; 32]);
    let v = call(
        allowed.addr,
        "author_removeExtrinsic",
        json!([[{"hash": target.to_hex()}]]),
    )
    .await;
    assert_eq!(v["result"], json!([]), "{v}");
    assert_eq!(*allowed.pool.removed.lock().unwrap(), vec![target]);
    // Bad hex inside the list names the entry.
    let v = call(
        allowed.addr,
        "author_removeExtrinsic",
        json!([[{"hash": "0x12"}]]),
    )
    .await;
    let (code, message, _) = error_of(&v);
    assert_eq!(code, -32602);
    assert!(message.contains("`bytes_or_hash[0].hash`"), "{message}");
}

#[tokio::test]
async fn rate_limit_refuses_calls_beyond_the_budget() {
    // One call per minute per connection: the second call on the same socket is refused.
    let node = start_with(RpcConfig {
        rate_limit_per_conn: Some(1),
        ..test_config()
    })
    .await;
    let ws = node.ws().await;
    assert_eq!(
        hm_rpc_api::SystemApiClient::system_name(&ws).await.unwrap(),
        "hypermesh"
    );
    let e = hm_rpc_api::SystemApiClient::system_name(&ws)
        .await
        .unwrap_err();
    let jsonrpsee::core::client::Error::Call(obj) = e else {
        panic!("{e}")
    };
    assert_eq!(obj.code(), error_codes::RATE_LIMITED);
    assert!(
        obj.message().contains("1 calls per minute"),
        "{}",
        obj.message()
    );
    // Another connection has its own budget.
    let ws2 = node.ws().await;
    assert_eq!(
        hm_rpc_api::SystemApiClient::system_name(&ws2)
            .await
            .unwrap(),
        "hypermesh"
    );
}

#[tokio::test]
async fn every_call_is_counted_with_bounded_labels() {
    let node = start().await;
    assert_alive(node.addr).await;
    let _ = call(node.addr, "author_submitExtrinsic", json!(["0x1"])).await;
    let _ = call(node.addr, "junk_method_1", json!([])).await;
    let _ = call(node.addr, "junk_method_2", json!([])).await;
    let batch = json!([
        {"jsonrpc": "2.0", "id": 1, "method": "system_name", "params": []},
        {"jsonrpc": "2.0", "id": 2, "method": "system_name", "params": []},
    ]);
    let _ = rpc_raw(node.addr, &batch.to_string()).await;
    let text = node.metrics.encode_text();
    assert!(
        text.contains(r#"hypermesh_rpc_calls_total{method="system_name",status="ok"} 3"#),
        "{text}"
    );
    assert!(text.contains(
        r#"hypermesh_rpc_calls_total{method="author_submitExtrinsic",status="error"} 1"#
    ));
    assert!(
        text.contains(r#"hypermesh_rpc_calls_total{method="unknown",status="error"} 2"#),
        "{text}"
    );
    assert!(!text.contains("junk_method"));
}

#[tokio::test]
async fn connections_beyond_the_limit_are_refused() {
    let node = start_with(RpcConfig {
        max_connections: 2,
        ..test_config()
    })
    .await;
    let a = node.ws().await;
    let b = node.ws().await;
    let third = jsonrpsee::ws_client::WsClientBuilder::default()
        .build(format!("ws://{}", node.addr))
        .await;
    assert!(third.is_err(), "a third connection must be refused");
    // The admitted connections keep working.
    assert_eq!(
        hm_rpc_api::SystemApiClient::system_name(&a).await.unwrap(),
        "hypermesh"
    );
    assert_eq!(
        hm_rpc_api::SystemApiClient::system_name(&b).await.unwrap(),
        "hypermesh"
    );
}

#[tokio::test]
async fn a_read_past_the_pruning_window_says_so_and_where_to_ask() {
    let node = start().await;
    let pruned = call(node.addr, "state_getStorage", json!(["0x00", PRUNED_BLOCK])).await;
    assert_eq!(
        pruned["error"]["code"],
        json!(error_codes::STATE_UNAVAILABLE),
        "{pruned}"
    );
    let message = pruned["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("state of block #1 is pruned; this node keeps the last 2 states")
            && message.contains("--state-pruning archive"),
        "{pruned}"
    );
}
