//! Every method's happy path through a real server, with jsonrpsee's HTTP and WS clients.
mod common;

use common::*;
use hm_client_api::ChainApi as _;
use hm_primitives::{blake3_256, Header, SignedBlock, H256};
use hm_rpc_api::{
    AuthorApiClient, AuthorUnsafeApiClient, CaesarApiClient, ChainApiClient, ExtrinsicOrHash,
    ExtrinsicStatus, HexString, NumberOrHex, RpcHeader, RpcMethodsApiClient, StateApiClient,
    SystemApiClient,
};
use serde_json::json;

#[tokio::test]
async fn system_methods() {
    let node = start().await;
    let c = node.http();
    assert_eq!(c.system_name().await.unwrap(), "hypermesh");
    assert_eq!(c.system_version().await.unwrap(), "0.1.0-test");
    assert_eq!(c.system_chain().await.unwrap(), "Development");
    assert_eq!(c.system_chain_type().await.unwrap(), "Development");
    assert_eq!(
        c.system_properties().await.unwrap(),
        json!({"tokenSymbol": "CAES", "tokenDecimals": 12})
    );
    let health = c.system_health().await.unwrap();
    assert_eq!(
        (health.peers, health.is_syncing, health.should_have_peers),
        (3, false, true)
    );
    let sync = c.system_sync_state().await.unwrap();
    assert_eq!(
        (sync.starting_block, sync.current_block, sync.highest_block),
        (0, 7, 9)
    );
    // On-chain nonce 3; the pool holds Alice's 3 and 4: the next to sign is 5.
    assert_eq!(
        c.system_account_next_index(ALICE.to_address())
            .await
            .unwrap(),
        5
    );
    // Bob has nonce 0 pooled and 0 on chain.
    assert_eq!(
        c.system_account_next_index(BOB.to_address()).await.unwrap(),
        1
    );
    // Substrate's alias and the 0x form of an account id.
    let v = call(
        node.addr,
        "account_nextIndex",
        json!([format!("0x{}", "a1".repeat(32))]),
    )
    .await;
    assert_eq!(v["result"], 5);
    let v = call(node.addr, "system_health", json!([])).await;
    assert_eq!(
        v["result"],
        json!({"peers": 3, "isSyncing": false, "shouldHavePeers": true})
    );
}

#[tokio::test]
async fn chain_methods() {
    let node = start().await;
    let c = node.http();
    let best = node.chain.hash_of(2);
    let finalized = node.chain.hash_of(1);

    let head = c.header(None).await.unwrap().unwrap();
    assert_eq!(head.hash, best);
    assert_eq!(Header::try_from(head).unwrap().number, 2);
    let h1 = c.header(Some(finalized.into())).await.unwrap().unwrap();
    assert_eq!(h1.number, 1);
    assert_eq!(
        c.header(Some(H256([9; 32]).into())).await.unwrap(),
        None,
        "unknown hash is null"
    );

    let b1 = c.block(Some(finalized.into())).await.unwrap().unwrap();
    let b1 = SignedBlock::try_from(b1).unwrap();
    assert_eq!(b1.block.extrinsics, vec![vec![1u8; 3]]);
    assert_eq!(b1.justification.unwrap().engine_id, *b"dev0");
    assert!(c
        .block(None)
        .await
        .unwrap()
        .unwrap()
        .justifications
        .is_none());
    assert_eq!(c.block(Some(H256([9; 32]).into())).await.unwrap(), None);

    assert_eq!(c.block_hash(None).await.unwrap(), Some(best));
    assert_eq!(
        c.block_hash(Some(NumberOrHex::Number(0))).await.unwrap(),
        Some(node.chain.hash_of(0))
    );
    assert_eq!(
        c.block_hash(Some(NumberOrHex::Hex(1))).await.unwrap(),
        Some(finalized)
    );
    assert_eq!(
        c.block_hash(Some(NumberOrHex::Number(99))).await.unwrap(),
        None
    );
    assert_eq!(c.finalized_head().await.unwrap(), finalized);

    // Wire shape: Substrate's hex number and the block/justifications envelope.
    let v = call(node.addr, "chain_getBlock", json!([finalized.to_hex()])).await;
    assert_eq!(v["result"]["block"]["header"]["number"], "0x1");
    assert_eq!(v["result"]["block"]["extrinsics"], json!(["0x010101"]));
    assert_eq!(v["result"]["justifications"], json!([["dev0", "0x010203"]]));
    let v = call(node.addr, "chain_getBlockHash", json!(["0x2"])).await;
    assert_eq!(v["result"], best.to_hex());
    let v = call(node.addr, "chain_getFinalisedHead", json!([])).await;
    assert_eq!(v["result"], finalized.to_hex());
}

#[tokio::test]
async fn state_and_caesar_methods() {
    let node = start().await;
    let c = node.http();
    let key = HexString::from(&b"key"[..]);
    assert_eq!(
        c.storage(key.clone(), None).await.unwrap().unwrap().0,
        b"value"
    );
    assert_eq!(
        c.storage(key.clone(), Some(node.chain.hash_of(0).into()))
            .await
            .unwrap()
            .unwrap()
            .0,
        b"value"
    );
    assert_eq!(
        c.storage(HexString::from(&b"nope"[..]), None)
            .await
            .unwrap(),
        None
    );

    let proof = c
        .read_proof(vec![key.clone(), HexString("0x".into())], None)
        .await
        .unwrap();
    assert_eq!(proof.at, node.chain.hash_of(2));
    assert_eq!(proof.proof.len(), 2);
    assert_eq!(proof.proof[0].0, b"proof:key");

    let v = c.runtime_version(None).await.unwrap();
    assert_eq!(
        (v.spec_name.as_str(), v.spec_version, v.transaction_version),
        ("hypermesh", 100, 1)
    );
    let v = c
        .runtime_version(Some(node.chain.hash_of(2).into()))
        .await
        .unwrap();
    assert_eq!(v.spec_version, 100);
    let raw = call(node.addr, "state_getRuntimeVersion", json!([])).await;
    assert_eq!(
        raw["result"],
        json!({"specName": "hypermesh", "implName": "hypermesh-node", "authoringVersion": 1,
               "specVersion": 100, "implVersion": 2, "transactionVersion": 1, "apis": []})
    );

    let bal = c.balance(ALICE.to_address()).await.unwrap();
    assert_eq!(
        (bal.free, bal.reserved, bal.locked, bal.nonce),
        (u128::MAX - 1, 7, 5, 3)
    );
    assert_eq!(bal.address, ALICE.to_address());
    let raw = call(node.addr, "caesar_balance", json!([BOB.to_address()])).await;
    assert_eq!(
        raw["result"],
        json!({"free": "0", "reserved": "0", "locked": "0", "nonce": 0, "address": BOB.to_address()})
    );
    let raw = call(node.addr, "caesar_balance", json!([ALICE.to_address()])).await;
    assert_eq!(
        raw["result"]["free"],
        (u128::MAX - 1).to_string(),
        "u128 survives JSON as a string"
    );
}

#[tokio::test]
async fn author_methods() {
    let node = start().await;
    let c = node.http();
    let xt = signed_xt(ALICE, 5, b"transfer");
    let hash = c
        .submit_extrinsic(HexString::from(xt.clone()))
        .await
        .unwrap();
    assert_eq!(hash, blake3_256(&xt));
    let pending = c.pending_extrinsics().await.unwrap();
    assert_eq!(pending.len(), 4);
    assert_eq!(pending[3].0, xt);
    // The pooled nonce 5 now counts for the next index.
    assert_eq!(
        c.system_account_next_index(ALICE.to_address())
            .await
            .unwrap(),
        6
    );

    // Loopback + Auto: the unsafe method is served.
    let removed = c
        .remove_extrinsic(vec![
            ExtrinsicOrHash::Hash(hash.into()),
            ExtrinsicOrHash::Extrinsic(HexString::from(signed_xt(BOB, 0, b"c"))),
            ExtrinsicOrHash::Hash(H256([0x42; 32]).into()),
        ])
        .await
        .unwrap();
    assert_eq!(removed, vec![blake3_256(&signed_xt(BOB, 0, b"c")), hash]);
    assert_eq!(c.pending_extrinsics().await.unwrap().len(), 2);
}

#[tokio::test]
async fn rpc_methods_lists_every_method() {
    let node = start().await;
    let methods = node.http().rpc_methods().await.unwrap().methods;
    for m in [
        "system_name",
        "system_version",
        "system_chain",
        "system_chainType",
        "system_properties",
        "system_health",
        "system_syncState",
        "system_accountNextIndex",
        "chain_getHeader",
        "chain_getBlock",
        "chain_getBlockHash",
        "chain_getFinalizedHead",
        "chain_subscribeNewHeads",
        "chain_unsubscribeNewHeads",
        "chain_subscribeFinalizedHeads",
        "chain_unsubscribeFinalizedHeads",
        "state_getStorage",
        "state_getReadProof",
        "state_getRuntimeVersion",
        "author_submitExtrinsic",
        "author_submitAndWatchExtrinsic",
        "author_unwatchExtrinsic",
        "author_pendingExtrinsics",
        "author_removeExtrinsic",
        "caesar_balance",
        "rpc_methods",
    ] {
        assert!(
            methods.iter().any(|x| x == m),
            "{m} missing from {methods:?}"
        );
    }
    let mut sorted = methods.clone();
    sorted.sort();
    assert_eq!(methods, sorted);
}

#[tokio::test]
async fn new_heads_subscription_receives_current_then_imported_heads() {
    let node = start().await;
    let ws = node.ws().await;
    let mut sub = ws.subscribe_new_heads().await.unwrap();
    let first: RpcHeader = tokio::time::timeout(WAIT, sub.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(
        first.hash,
        node.chain.hash_of(2),
        "starts with the current best"
    );

    let h3 = header(3, node.chain.hash_of(2));
    let h4 = header(4, h3.hash());
    node.chain.imports.send(h3.clone()).unwrap();
    node.chain.imports.send(h4.clone()).unwrap();
    for expected in [h3, h4] {
        let got: RpcHeader = tokio::time::timeout(WAIT, sub.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        assert_eq!(Header::try_from(got).unwrap(), expected);
    }
    sub.unsubscribe().await.unwrap();
    // The connection is still usable after unsubscribing.
    assert_eq!(ws.system_name().await.unwrap(), "hypermesh");
}

#[tokio::test]
async fn finalized_heads_subscription_skips_repeats() {
    let node = start().await;
    let ws = node.ws().await;
    let mut sub = ws.subscribe_finalized_heads().await.unwrap();
    let first: RpcHeader = tokio::time::timeout(WAIT, sub.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(first.number, 1);
    let h1 = node
        .chain
        .header(hm_primitives::BlockId::Number(1))
        .unwrap()
        .unwrap();
    let h2 = node
        .chain
        .header(hm_primitives::BlockId::Number(2))
        .unwrap()
        .unwrap();
    node.chain.finality.send(h1).unwrap(); // already sent: skipped
    node.chain.finality.send(h2.clone()).unwrap();
    let next: RpcHeader = tokio::time::timeout(WAIT, sub.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(Header::try_from(next).unwrap(), h2);
}

#[tokio::test]
async fn submit_and_watch_streams_the_status_sequence() {
    let node = start().await;
    let ws = node.ws().await;
    let xt = signed_xt(ALICE, 5, b"watched");
    let mut sub = ws.watch_extrinsic(HexString::from(xt)).await.unwrap();
    let mut got = Vec::new();
    for _ in 0..3 {
        let s: ExtrinsicStatus = tokio::time::timeout(WAIT, sub.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        got.push(s);
    }
    let block = H256([5; 32]);
    assert_eq!(
        got,
        vec![
            ExtrinsicStatus::Ready,
            ExtrinsicStatus::InBlock(block),
            ExtrinsicStatus::Finalized(block)
        ]
    );
    assert_eq!(ws.system_name().await.unwrap(), "hypermesh");
}

#[tokio::test]
async fn submit_and_watch_ends_after_the_final_status() {
    use std::sync::Arc;
    let chain = Arc::new(MockChain::new(16));
    let block = H256([5; 32]);
    // Statuses queued after the final one must never be delivered.
    let pool = Arc::new(MockPool::new(vec![
        hm_client_api::TxStatus::Ready,
        hm_client_api::TxStatus::Finalized(block),
        hm_client_api::TxStatus::Dropped,
    ]));
    let module = hm_rpc::build_module(deps(chain, pool, hm_metrics::Metrics::new()), false, 1);
    let xt = HexString::from(signed_xt(ALICE, 5, b"x"));
    let mut sub = module
        .subscribe_unbounded("author_submitAndWatchExtrinsic", [xt])
        .await
        .unwrap();
    let (s, _) = sub.next::<ExtrinsicStatus>().await.unwrap().unwrap();
    assert_eq!(s, ExtrinsicStatus::Ready);
    let (s, _) = sub.next::<ExtrinsicStatus>().await.unwrap().unwrap();
    assert_eq!(s, ExtrinsicStatus::Finalized(block));
    assert!(
        tokio::time::timeout(WAIT, sub.next::<ExtrinsicStatus>())
            .await
            .unwrap()
            .is_none(),
        "closed after final"
    );
}

#[tokio::test]
async fn lagging_head_subscriber_skips_headers_and_keeps_going() {
    use std::sync::Arc;
    let chain = Arc::new(MockChain::new(4));
    let pool = Arc::new(MockPool::new(vec![]));
    let module = hm_rpc::build_module(
        deps(chain.clone(), pool, hm_metrics::Metrics::new()),
        false,
        1,
    );
    // A one-message buffer: the server blocks on the client while the broadcast overflows.
    let mut sub = module
        .subscribe("chain_subscribeNewHeads", jsonrpsee::rpc_params![], 1)
        .await
        .unwrap();
    let mut parent = chain.hash_of(2);
    let mut last = 0;
    for n in 3..40u64 {
        let h = header(n, parent);
        parent = h.hash();
        last = n;
        chain.imports.send(h).unwrap();
    }
    let mut numbers = Vec::new();
    while numbers.last() != Some(&last) {
        let (h, _) = tokio::time::timeout(WAIT, sub.next::<RpcHeader>())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        numbers.push(h.number);
    }
    assert_eq!(numbers[0], 2);
    assert!(
        numbers.windows(2).all(|w| w[0] < w[1]),
        "in order: {numbers:?}"
    );
    assert!(numbers.len() < 39, "some headers were skipped: {numbers:?}");
}

#[tokio::test]
async fn state_get_metadata_serves_the_providers_bytes_at_known_blocks_only() {
    use hm_rpc_api::MetadataApiClient as _;
    let node = start().await;
    let c = node.http();
    assert_eq!(c.metadata(None).await.unwrap().0, MOCK_METADATA);
    let at = Some(node.chain.hash_of(1).into());
    assert_eq!(c.metadata(at).await.unwrap().0, MOCK_METADATA);
    let raw = call(node.addr, "state_getMetadata", json!([])).await;
    assert_eq!(
        raw["result"],
        json!(format!("0x{}", hex::encode(MOCK_METADATA)))
    );
    let unknown = call(node.addr, "state_getMetadata", json!([H256([0xee; 32])])).await;
    assert!(
        unknown["error"]["message"]
            .as_str()
            .unwrap()
            .contains("unknown block"),
        "{unknown}"
    );
}

#[tokio::test]
async fn system_dry_run_reports_validity_and_outcome_and_bounds_its_input() {
    let node = start().await;
    let ok = call(node.addr, "system_dryRun", json!(["0x0102030405"])).await;
    assert_eq!(ok["result"]["valid"], json!(true), "{ok}");
    assert_eq!(ok["result"]["outcome"]["success"], json!(true), "{ok}");
    assert_eq!(ok["result"]["outcome"]["weight"], json!(5), "{ok}");
    let invalid = call(node.addr, "system_dryRun", json!(["0xdead"])).await;
    assert_eq!(invalid["result"]["valid"], json!(false), "{invalid}");
    assert_eq!(invalid["result"]["invalid"], json!("bad signature"));
    let huge = format!("0x{}", "00".repeat(hm_primitives::MAX_EXTRINSIC_BYTES + 1));
    let refused = call(node.addr, "system_dryRun", json!([huge])).await;
    let message = refused["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("at most"), "{refused}");
    let odd = call(node.addr, "system_dryRun", json!(["0x123"])).await;
    assert!(odd["error"].is_object(), "{odd}");
}
