//! RPC blocking work runs on capacity of its own: a flood of blocking calls and dry
//! runs never takes the blocking threads the node's consensus and sync work use.
mod common;

use common::contracts_mock::CONTRACT;
use common::*;
use hm_rpc::RpcConfig;
use serde_json::json;
use std::sync::atomic::Ordering;

/// RPC's blocking threads in this test; the node's runtime gets the same number.
const RPC_BLOCKING_THREADS: usize = 2;

#[test]
fn saturated_rpc_leaves_the_node_runtimes_blocking_threads_free() {
    // The node's runtime, with as few blocking threads as RPC has: before RPC had a
    // runtime of its own, its held calls took exactly these.
    let node_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(RPC_BLOCKING_THREADS)
        .enable_all()
        .build()
        .unwrap();
    node_runtime.block_on(async {
        let node = start_with(RpcConfig {
            blocking_threads: RPC_BLOCKING_THREADS,
            dry_run_slots: 1,
            ..test_config()
        })
        .await;
        node.chain.gate.close();
        let dry_run =
            json!([{"origin": BOB.to_address(), "dest": CONTRACT.to_address(), "inputData": "0x"}]);
        let mut calls = Vec::new();
        for i in 0..12 {
            let (method, params) = if i % 3 == 0 {
                ("contracts_call", dry_run.clone())
            } else {
                ("state_getStorage", json!(["0x6b6579"]))
            };
            let addr = node.addr;
            calls.push(tokio::spawn(
                async move { call(addr, method, params).await },
            ));
        }
        // Wait (by count) until RPC holds every blocking thread it has.
        let mut saturated = false;
        for _ in 0..600 {
            if node.chain.gate.inside.load(Ordering::SeqCst) == RPC_BLOCKING_THREADS {
                saturated = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert!(saturated, "RPC never filled its blocking threads");

        // Consensus-side blocking work still gets a thread at once.
        let consensus = tokio::task::spawn_blocking(|| "block imported");
        let outcome = tokio::time::timeout(WAIT, consensus).await;
        assert_eq!(
            outcome.expect("consensus work queued behind RPC").unwrap(),
            "block imported"
        );
        assert_eq!(
            node.chain.gate.inside.load(Ordering::SeqCst),
            RPC_BLOCKING_THREADS,
            "RPC was still saturated, and held no more threads than its own"
        );

        node.chain.gate.open();
        for answer in calls {
            let v = answer.await.unwrap();
            // A queued dry run may also have been told the server is busy.
            let busy = v["error"]["code"] == hm_rpc_api::error_codes::SERVER_BUSY;
            assert!(v.get("result").is_some() || busy, "{v}");
        }
        node.server.stop().unwrap();
        node.server.stopped().await;
    });
}
