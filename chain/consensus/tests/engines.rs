//! Four real engines (and a follower without a key) finalize a chain over an
//! in-memory network: identical blocks and state everywhere, every validator
//! proposes, one stopped validator does not stop the others, and a restarted
//! one catches up and votes again.
mod common;

use common::{fixture, wait_for, TestNet};
use hm_client_api::{ChainApi, TransactionPoolApi};
use hm_consensus_bft::Justification;
use hm_primitives::{AccountId, UNITS};
use std::collections::BTreeSet;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(240);
const FOLLOWER: usize = 4;

fn init_logs() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
}

/// Signed transfers from eve (not a validator) to alice, nonces 0..count.
fn transfers(net: &TestNet, count: u64) -> Vec<Vec<u8>> {
    let eve = fixture::key("eve");
    let genesis_hash = net.nodes[0].client.chain_info().genesis_hash;
    (0..count)
        .map(|nonce| {
            hm_wallet::sign(
                &eve,
                hm_wallet::transfer_call(fixture::account("alice"), UNITS, true),
                &hm_wallet::TxParams {
                    genesis_hash,
                    spec_version: hm_runtime::VERSION.spec_version,
                    nonce,
                    tip: 0,
                    valid_until: 10_000,
                },
            )
        })
        .collect()
}

fn signers(net: &TestNet, node: usize, number: u64) -> BTreeSet<AccountId> {
    let signed = net.block(node, number);
    let j = Justification::from_primitive(&signed.justification.unwrap()).unwrap();
    j.precommits.into_iter().map(|(id, _)| id).collect()
}

/// Every node holds the same block (hash and state root) at every height up to `upto`.
fn assert_agreement(net: &TestNet, nodes: &[usize], upto: u64) {
    for number in 1..=upto {
        let reference = net.block(nodes[0], number).block.header;
        for &i in &nodes[1..] {
            let header = net.block(i, number).block.header;
            assert_eq!(
                header.hash(),
                reference.hash(),
                "block #{number} on node {i}"
            );
            assert_eq!(
                header.state_root, reference.state_root,
                "state #{number} on node {i}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn four_engines_agree_survive_a_stop_and_rejoin() {
    init_logs();
    // Epochs of 5 blocks: the proposer schedule restarts and a set is committed every 5.
    let mut net = TestNet::new(5, 1);
    for i in 0..=FOLLOWER {
        net.start(i).await;
    }
    net.start_sync();
    for xt in transfers(&net, 8) {
        for node in &net.nodes {
            node.pool.submit(xt.clone()).unwrap();
        }
    }

    wait_for("10 finalized blocks on every node", LIMIT, || {
        (0..=FOLLOWER).all(|i| net.finalized(i) >= 10)
    })
    .await;
    let all: Vec<usize> = (0..=FOLLOWER).collect();
    assert_agreement(&net, &all, 10);
    let proposers: BTreeSet<AccountId> = (1..=10)
        .map(|n| net.block(0, n).block.header.proposer)
        .collect();
    assert_eq!(proposers.len(), 4, "every validator proposed in 10 blocks");
    let eve = fixture::account("eve");
    for node in &net.nodes {
        assert_eq!(
            node.client.account(&eve).unwrap().nonce,
            8,
            "all transfers included"
        );
    }

    // Dave stops; the other three (3 of 4 > 2/3) keep finalizing.
    net.stop(3).await;
    let stopped_at = (0..3).map(|i| net.finalized(i)).max().unwrap();
    wait_for(
        "three validators finalize on without the fourth",
        LIMIT,
        || (0..3).all(|i| net.finalized(i) >= stopped_at + 4),
    )
    .await;
    let dave = fixture::account("dave");
    let top = (0..3).map(|i| net.finalized(i)).min().unwrap();
    assert!(
        !signers(&net, 0, top).contains(&dave),
        "a stopped validator cannot precommit"
    );

    // Dave restarts with the same recovery state and signer guard: it catches up and votes again.
    net.start(3).await;
    let restarted_at = (0..3).map(|i| net.finalized(i)).max().unwrap();
    wait_for(
        "the restarted validator precommits a new block",
        LIMIT,
        || {
            let best = net.finalized(3);
            best > restarted_at
                && ((restarted_at + 1)..=best).any(|n| signers(&net, 3, n).contains(&dave))
        },
    )
    .await;
    let common_top = (0..=FOLLOWER).map(|i| net.finalized(i)).min().unwrap();
    assert_agreement(&net, &all, common_top);
    // Honest engines serve only what is asked, so nobody reported anybody's vote reply.
    assert_eq!(net.hub.reports(), Vec::<String>::new());
}
