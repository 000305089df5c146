//! Submission and following end to end, against the in-process mock node.
use crate::load::{into_lanes, run_batch, BatchOptions, Prepared};
use crate::mock::{MockNode, REFUSED_MARK};
use crate::node::connect_with;
use crate::report::summarize;
use hm_rpc_api::HexString;
use std::time::Duration;

fn prepared(bytes: Vec<u8>) -> Prepared {
    Prepared {
        hash: hm_primitives::blake3_256(&bytes),
        hex: HexString::from(bytes),
    }
}

/// `senders` queues of `per_sender` distinct extrinsics; `refuse(s, k)` marks
/// the ones the mock will refuse.
fn load(
    senders: usize,
    per_sender: usize,
    refuse: impl Fn(usize, usize) -> bool,
) -> Vec<Vec<Prepared>> {
    (0..senders)
        .map(|s| {
            (0..per_sender)
                .map(|k| {
                    let mut bytes = format!("tx {s} {k}").into_bytes();
                    if refuse(s, k) {
                        bytes.insert(0, REFUSED_MARK);
                    }
                    prepared(bytes)
                })
                .collect()
        })
        .collect()
}

async fn clients(url: &str, n: usize) -> Vec<jsonrpsee::ws_client::WsClient> {
    let mut v = Vec::new();
    for _ in 0..n {
        v.push(connect_with(url, 8).await.unwrap());
    }
    v
}

fn opts(window: usize, stall: Duration) -> BatchOptions {
    BatchOptions {
        in_flight: 4,
        per_sender: 3,
        window,
        stall,
        progress: false,
        pacer: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_accepted_transaction_is_found_finalized_despite_skipped_heads() {
    let node = MockNode::start().await;
    let c = clients(&node.url, 2).await;
    // A window smaller than the batch: submission must wait for finalizations.
    let out = run_batch(
        &node.url,
        &c,
        into_lanes(load(3, 10, |_, _| false), 3),
        &opts(5, Duration::from_secs(30)),
    )
    .await
    .unwrap();
    assert!(!out.follow.stalled);
    assert_eq!(
        (out.submit.accepted, out.submit.failed, out.submit.not_sent),
        (30, 0, 0)
    );
    assert_eq!(out.tracked.finalized(), 30);
    assert!(out.tracked.is_complete());
    // Each sender's transactions reached the node, and so the chain, in nonce order.
    let included: Vec<String> = node
        .included()
        .into_iter()
        .map(|b| String::from_utf8(b).unwrap())
        .collect();
    assert_eq!(included.len(), 30);
    for sender in 0..3 {
        let nonces: Vec<usize> = included
            .iter()
            .filter_map(|t| t.strip_prefix(&format!("tx {sender} ")))
            .map(|k| k.parse().unwrap())
            .collect();
        assert_eq!(nonces, (0..10).collect::<Vec<_>>());
    }
    // The mock announces every other head; the follower must still see every block.
    let numbers: Vec<u64> = out.follow.blocks.iter().map(|b| b.number).collect();
    assert!(
        numbers.windows(2).all(|w| w[1] == w[0] + 1),
        "gap in {numbers:?}"
    );
    assert_eq!(
        out.follow.blocks.iter().map(|b| b.matched).sum::<usize>(),
        30
    );
    for id in 0..30 {
        let (sub, fin) = out.tracked.times(id);
        assert!(sub.is_some() && fin.is_some() && fin >= sub);
    }
    let f = summarize(&out);
    assert_eq!(f.finalized, 30);
    assert!(f.finalized_tps > 0.0 && f.p99_ms >= f.p50_ms);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_are_counted_by_reason_and_end_only_that_senders_chain() {
    let node = MockNode::start().await;
    let c = clients(&node.url, 1).await;
    // Each sender's third transaction is refused: its fourth and fifth are held back.
    let batch = into_lanes(load(2, 5, |_, k| k == 2), 2);
    let out = run_batch(&node.url, &c, batch, &opts(3, Duration::from_secs(30)))
        .await
        .unwrap();
    assert!(!out.follow.stalled);
    assert_eq!(
        (out.submit.accepted, out.submit.failed, out.submit.not_sent),
        (4, 2, 4)
    );
    assert_eq!(
        out.submit.top_errors(5),
        vec![("1010 Invalid Transaction: \"Stale\"", 2)]
    );
    assert_eq!(out.tracked.finalized(), 4);
    assert_eq!(node.included().len(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_that_stops_finalizing_ends_the_batch_as_stalled() {
    let node = MockNode::start().await;
    node.pause_sealing();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let blocks_before = node.block_count();
    let c = clients(&node.url, 1).await;
    let out = run_batch(
        &node.url,
        &c,
        into_lanes(load(1, 10, |_, _| false), 1),
        &opts(2, Duration::from_millis(300)),
    )
    .await
    .unwrap();
    assert_eq!(node.block_count(), blocks_before, "sealing did not pause");
    assert!(out.follow.stalled);
    assert_eq!((out.submit.accepted, out.submit.not_sent), (2, 8));
    assert_eq!(out.tracked.finalized(), 0);
    assert_eq!(summarize(&out).finalized_tps, 0.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_that_dies_mid_batch_is_an_error_not_a_hang() {
    let node = std::sync::Arc::new(MockNode::start().await);
    node.pause_sealing();
    let c = clients(&node.url, 1).await;
    let killer = {
        let node = node.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(200)).await;
            node.kill();
        })
    };
    let r = run_batch(
        &node.url,
        &c,
        into_lanes(load(1, 10, |_, _| false), 1),
        &opts(2, Duration::from_secs(60)),
    )
    .await;
    killer.await.unwrap();
    let e = r.err().expect("a dead node must fail the batch");
    assert!(
        format!("{e:#}").contains("finalized-head subscription"),
        "{e:#}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sender_never_runs_more_than_its_cap_ahead_of_finality() {
    let node = MockNode::start().await;
    node.pause_sealing();
    let c = clients(&node.url, 1).await;
    // Plenty of window: only the per-sender cap (3) holds the chain back.
    let batch = into_lanes(load(2, 10, |_, _| false), 1);
    let out = run_batch(&node.url, &c, batch, &opts(100, Duration::from_millis(300)))
        .await
        .unwrap();
    assert!(out.follow.stalled);
    assert_eq!((out.submit.accepted, out.submit.not_sent), (6, 14));
}

#[tokio::test]
async fn the_pacer_spaces_submissions_evenly() {
    let pacer = crate::load::Pacer::new(100.0).unwrap();
    let start = std::time::Instant::now();
    for _ in 0..5 {
        pacer.wait().await;
    }
    // Slots at 0, 10, 20, 30 and 40 ms: never earlier (later only on a slow machine).
    assert!(start.elapsed() >= Duration::from_millis(40));
    assert!(crate::load::Pacer::new(0.0).is_none());
    assert!(crate::load::Pacer::new(f64::INFINITY).is_none());
}
