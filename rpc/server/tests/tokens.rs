//! `tokens_*` and `state_call` answer from the runtime's queries, and bad requests get
//! precise errors.
mod common;

use common::tokens_mock::{HOLDER, POOL_GOLD};
use common::*;
use parity_scale_codec::Encode;
use serde_json::json;

#[tokio::test]
async fn tokens_methods_answer_from_the_runtime() {
    let node = start().await;
    let token = call(node.addr, "tokens_metadata", json!([0])).await;
    let token = &token["result"];
    assert_eq!(token["id"], 0);
    assert_eq!(token["name"], "Gold");
    assert_eq!(token["symbol"], "GLD");
    assert_eq!(token["decimals"], 6);
    assert_eq!(token["supply"], (500 + 10 * POOL_GOLD).to_string());
    assert_eq!(token["minBalance"], "10");
    assert_eq!(token["status"], "live");
    assert_eq!(token["owner"], ALICE.to_address());
    let missing = call(node.addr, "tokens_metadata", json!([7])).await;
    assert_eq!(missing["result"], serde_json::Value::Null, "{missing}");

    let balance = call(node.addr, "tokens_balance", json!([0, HOLDER.to_address()])).await;
    assert_eq!(balance["result"]["balance"], "500", "{balance}");
    assert_eq!(balance["result"]["frozen"], false);
    let none = call(node.addr, "tokens_balance", json!([0, BOB.to_address()])).await;
    assert_eq!(none["result"]["balance"], "0", "{none}");

    // Token 0 and the LP token of its pool; pages of one walk them in turn.
    let page = call(node.addr, "tokens_list", json!([])).await;
    let tokens = page["result"]["tokens"].as_array().unwrap();
    assert_eq!(tokens.len(), 2, "{page}");
    assert_eq!(page["result"]["next"], serde_json::Value::Null);
    let first = call(node.addr, "tokens_list", json!([0, 1])).await;
    assert_eq!(first["result"]["tokens"][0]["id"], 0, "{first}");
    assert_eq!(first["result"]["next"], 1);
    let second = call(node.addr, "tokens_list", json!([1, 1])).await;
    assert_eq!(second["result"]["tokens"][0]["id"], 1, "{second}");
    assert_eq!(second["result"]["next"], serde_json::Value::Null);
}

#[tokio::test]
async fn state_call_runs_a_named_runtime_api() {
    let node = start().await;
    let data = format!("0x{}", hex::encode((0u32, HOLDER).encode()));
    let v = call(node.addr, "state_call", json!(["TokensApi_account", data])).await;
    let bytes = hex::decode(v["result"].as_str().unwrap().trim_start_matches("0x")).unwrap();
    let account: Option<hm_pallet_tokens::TokenAccount> =
        parity_scale_codec::Decode::decode(&mut &bytes[..]).unwrap();
    assert_eq!(account.unwrap().balance, 500);
}

#[tokio::test]
async fn bad_queries_get_precise_errors() {
    let node = start().await;
    let cases = [
        (
            "state_call",
            json!(["NoSuchApi_x", "0x"]),
            "no runtime API `NoSuchApi_x`",
        ),
        (
            "state_call",
            json!(["TokensApi_token", "0x01"]),
            "it takes SCALE a token id (u32)",
        ),
        ("state_call", json!(["TokensApi_token", "0x0"]), "`data`"),
        ("tokens_balance", json!([0, "nope"]), "`address`"),
        ("tokens_list", json!([0, 0]), "`count`"),
        ("tokens_list", json!([0, 101]), "between 1 and 100"),
        ("tokens_metadata", json!([0, "0x12"]), "`at`"),
    ];
    // Arguments past the runtime APIs' 4 KiB cap are refused before they are decoded.
    let oversized = format!("0x{}", "00".repeat(hm_runtime::MAX_API_ARGS_BYTES + 1));
    let cases = cases.into_iter().chain([(
        "state_call",
        json!(["TokensApi_token", oversized]),
        "it takes SCALE a token id (u32)",
    )]);
    for (method, params, expected) in cases {
        let v = call(node.addr, method, params.clone()).await;
        let (code, message, _) = error_of(&v);
        assert_eq!(code, -32602, "{method} {params}: {v}");
        assert!(message.contains(expected), "{method} {params}: {message}");
        assert_alive(node.addr).await;
    }
    let pruned = call(
        node.addr,
        "tokens_metadata",
        json!([0, PRUNED_BLOCK.to_hex()]),
    )
    .await;
    let (_, message, _) = error_of(&pruned);
    assert!(message.contains("pruned"), "{message}");
}
