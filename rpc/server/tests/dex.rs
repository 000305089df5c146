//! `dex_*` answer from the runtime's DEX queries (quotes exactly as the pallet's math
//! says), and bad requests get precise errors.
mod common;

use common::tokens_mock::{POOL_CAES, POOL_GOLD};
use common::*;
use serde_json::json;

#[tokio::test]
async fn pools_and_quotes_come_from_the_runtime() {
    let node = start().await;
    for pair in [
        json!(["CAES", 0]),
        json!([0, "caes"]),
        json!(["native", "0"]),
    ] {
        let v = call(node.addr, "dex_getPool", pair.clone()).await;
        let pool = &v["result"];
        assert_eq!(pool["asset0"], "CAES", "{pair}: {v}");
        assert_eq!(pool["asset1"], 0);
        assert_eq!(pool["reserve0"], POOL_CAES.to_string());
        assert_eq!(pool["reserve1"], POOL_GOLD.to_string());
        assert_eq!(pool["lpToken"], 1, "the LP token is the next token id");
    }
    let none = call(node.addr, "dex_getPool", json!(["CAES", 9])).await;
    assert_eq!(none["result"], serde_json::Value::Null, "{none}");
    let pools = call(node.addr, "dex_listPools", json!([])).await;
    assert_eq!(
        pools["result"]["pools"].as_array().unwrap().len(),
        1,
        "{pools}"
    );

    let expected_out = hm_pallet_dex::get_amount_out(1_000, POOL_CAES, POOL_GOLD).unwrap();
    let q = call(node.addr, "dex_quoteExactIn", json!([["CAES", 0], "1000"])).await;
    assert_eq!(q["result"]["amountOut"], expected_out.to_string(), "{q}");
    let expected_in = hm_pallet_dex::get_amount_in(1_000, POOL_GOLD, POOL_CAES).unwrap();
    let q = call(node.addr, "dex_quoteExactOut", json!([[0, "CAES"], 1000])).await;
    assert_eq!(q["result"]["amountIn"], expected_in.to_string(), "{q}");
}

#[tokio::test]
async fn bad_dex_requests_get_precise_errors() {
    let node = start().await;
    let invalid = [
        ("dex_getPool", json!(["XYZ", 0]), "`asset0`"),
        ("dex_getPool", json!(["CAES", -1]), "`asset1`"),
        (
            "dex_quoteExactIn",
            json!([["CAES", 0], "abc"]),
            "`amount_in`",
        ),
        (
            "dex_quoteExactIn",
            json!([["CAES", 0, 1, 2, 3, 4], "1"]),
            "at most 5",
        ),
        ("dex_quoteExactOut", json!([["CAES", {}], "1"]), "`path[1]`"),
        ("dex_listPools", json!([0, 0]), "`count`"),
        ("dex_twap", json!(["CAES", "CAES", 0]), "`asset1`"),
        ("dex_twap", json!(["CAES", 0, 1]), "no price history"),
    ];
    for (method, params, expected) in invalid {
        let v = call(node.addr, method, params.clone()).await;
        let (code, message, _) = error_of(&v);
        assert_eq!(code, -32602, "{method} {params}: {v}");
        assert!(message.contains(expected), "{method} {params}: {message}");
        assert_alive(node.addr).await;
    }
    // The runtime's own refusals keep its words, under their own code.
    let refused = [
        (json!([["CAES", 7], "1"]), "no pool of these assets"),
        (json!([["CAES", 0, "CAES"], "1"]), "visits an asset twice"),
        (json!([["CAES"], "1"]), "fewer than two assets"),
    ];
    for (params, expected) in refused {
        let v = call(node.addr, "dex_quoteExactIn", params.clone()).await;
        let (code, message, _) = error_of(&v);
        assert_eq!(code, 4010, "{params}: {v}");
        assert!(message.contains(expected), "{params}: {message}");
    }
    let unknown = call(node.addr, "dex_twap", json!(["CAES", 0, 999])).await;
    let (_, message, _) = error_of(&unknown);
    assert!(message.contains("unknown block #999"), "{message}");
}
