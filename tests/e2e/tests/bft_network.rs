//! The four-validator local testnet as real `hypermesh` processes on 127.0.0.1: agreement
//! under load, a late node that syncs, liveness with one validator killed (each in turn),
//! safety with two down, and a validator cut off and healed. After every perturbation the
//! invariant is checked: identical block hashes and state roots at every finalized height.
use hm_e2e::{
    load::TransferLoad,
    testnet::{local_validators, NodeSpec, Testnet},
};
use std::collections::{BTreeSet, HashSet};
use std::time::Duration;

const VALIDATORS: [&str; 4] = ["alice", "bob", "charlie", "dave"];
/// Generous bounds: four nodes share two CPU cores on CI.
const STEP: Duration = Duration::from_secs(120);

fn rpc_urls(net: &Testnet) -> Vec<String> {
    net.nodes.iter().map(|n| n.rpc_url()).collect()
}

fn account(name: &str) -> hm_primitives::AccountId {
    hm_crypto::dev_keypair(name).unwrap().account_id()
}

/// Wait until validator `i` appears among the precommits of a block finalized after
/// `after`, as node `reader` stores them.
async fn wait_signs_again(
    net: &Testnet,
    reader: usize,
    i: usize,
    after: u64,
) -> anyhow::Result<()> {
    let me = account(VALIDATORS[i]);
    let deadline = std::time::Instant::now() + STEP;
    let mut next = after + 1;
    loop {
        let top = net.finalized(reader).await?;
        while next <= top {
            if net.precommit_signers(reader, next).await?.contains(&me) {
                return Ok(());
            }
            next += 1;
        }
        anyhow::ensure!(
            std::time::Instant::now() < deadline,
            "{} did not precommit any block after #{after}; its log:\n{}",
            VALIDATORS[i],
            hm_e2e::tail(&net.nodes[i].log(), 30)
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// How many of `accepted` are in node 0's finalized blocks up to `upto` (waiting a few
/// blocks past it for the last ones), each checked to have succeeded in dispatch. Two
/// nodes may accept one account's transfers with the same nonce, so some never land.
async fn transfers_finalized(
    net: &Testnet,
    accepted: &[hm_primitives::H256],
    upto: u64,
) -> anyhow::Result<usize> {
    let last = upto + 3;
    net.wait_finalized(&[0], last, STEP).await?;
    let wanted: HashSet<_> = accepted.iter().collect();
    let mut landed = 0;
    for number in 1..=last {
        let hash = net.nodes[0]
            .block_hash(number)
            .await?
            .ok_or_else(|| anyhow::anyhow!("node 0 has no block #{number}"))?;
        let block = net.nodes[0]
            .rpc("chain_getBlock", vec![hash.clone().into()])
            .await?;
        let extrinsics = block["block"]["extrinsics"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let events = net.nodes[0]
            .rpc("chain_getEvents", vec![hash.into()])
            .await?;
        for (index, xt) in extrinsics.iter().enumerate() {
            let bytes = hex::decode(xt.as_str().unwrap_or("").trim_start_matches("0x"))?;
            if !wanted.contains(&hm_primitives::blake3_256(&bytes)) {
                continue;
            }
            landed += 1;
            let failed =
                events["events"].as_array().into_iter().flatten().any(|e| {
                    e["extrinsicIndex"] == index as u64 && e["event"] == "ExtrinsicFailed"
                });
            anyhow::ensure!(
                !failed,
                "load transfer {index} of block #{number} failed: {events}"
            );
        }
    }
    Ok(landed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_validators_agree_under_load_and_a_late_node_syncs() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut net = Testnet::start(dir.path(), "local", &local_validators()).await?;
    let all = [0, 1, 2, 3];
    let load = TransferLoad::start(rpc_urls(&net), &VALIDATORS, Duration::from_millis(200));
    net.wait_finalized(&all, 30, STEP * 2).await?;
    let accepted = load.stop().await;
    assert!(
        !accepted.is_empty(),
        "the load generator got no transfer accepted"
    );

    let (upto, proposers) = net.check_agreement(&all).await?;
    assert!(upto >= 30);
    let distinct: BTreeSet<&String> = proposers.iter().collect();
    assert_eq!(distinct.len(), 4, "every validator proposed: {proposers:?}");
    let with_txs = net.nodes[0]
        .rpc(
            "chain_getBlock",
            vec![net.nodes[0].block_hash(upto).await?.into()],
        )
        .await?;
    assert!(with_txs["block"]["extrinsics"].is_array());
    // Accepted is not enough: the transfers must be in finalized blocks, and succeed.
    let landed = transfers_finalized(&net, &accepted, upto).await?;
    assert!(
        landed * 2 >= accepted.len(),
        "only {landed} of {} accepted transfers reached a finalized block by #{upto}",
        accepted.len()
    );

    // A node that joins after 100 finalized blocks syncs to the head and follows.
    net.wait_finalized(&all, 100, STEP * 3).await?;
    let late = net.add(NodeSpec::full()).await?;
    let head = net.finalized(0).await?;
    net.wait_finalized(&[late], head, STEP).await?;
    let (current, highest) = net.sync_state(late).await?;
    assert!(
        current >= head && highest >= head,
        "syncState {current}/{highest}"
    );
    let health = net.health(late).await?;
    assert!(
        health["peers"].as_u64().unwrap_or(0) >= 1,
        "health: {health}"
    );
    let synced_log = net.log_lines(late, "syncing #");
    assert!(
        !synced_log.is_empty(),
        "the late node logged no sync progress"
    );
    // It follows: new blocks reach it too.
    let followed = net.finalized(late).await? + 3;
    net.wait_finalized(&[late], followed, STEP).await?;
    net.check_agreement(&[0, 1, 2, 3, late]).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finality_survives_each_validator_killed_in_turn() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut net = Testnet::start(dir.path(), "local", &local_validators()).await?;
    let load = TransferLoad::start(rpc_urls(&net), &VALIDATORS, Duration::from_millis(500));
    net.wait_finalized(&[0, 1, 2, 3], 3, STEP).await?;
    for victim in 0..4 {
        let others: Vec<usize> = (0..4).filter(|&i| i != victim).collect();
        net.nodes[victim].kill9()?;
        let before = net.min_finalized(&others).await?;
        net.wait_progress(&others, before + 3, STEP).await?;
        net.check_agreement(&others).await?;

        net.nodes[victim].restart().await?;
        let head = net.min_finalized(&others).await?;
        net.wait_finalized(&[victim], head, STEP).await?;
        // Alice (node 0) is the reference for signatures; when she was the victim, read bob's.
        let reader = if victim == 0 { 1 } else { 0 };
        wait_signs_again(&net, reader, victim, head).await?;
        net.check_agreement(&[0, 1, 2, 3]).await?;
    }
    load.stop().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_validators_down_halts_finality_safely_and_it_resumes() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut net = Testnet::start(dir.path(), "local", &local_validators()).await?;
    net.wait_finalized(&[0, 1, 2, 3], 5, STEP).await?;
    net.nodes[2].kill9()?;
    net.nodes[3].kill9()?;
    // Let a block that already had its precommits land, then watch for a halt.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let halted_at = net.min_finalized(&[0, 1]).await?;
    tokio::time::sleep(Duration::from_secs(10)).await;
    let after = [net.finalized(0).await?, net.finalized(1).await?];
    assert!(
        after.iter().all(|&f| f <= halted_at + 1),
        "half the voting power finalized blocks: {halted_at} -> {after:?}"
    );
    net.check_agreement(&[0, 1]).await?;

    net.nodes[2].restart().await?;
    net.nodes[3].restart().await?;
    let top = after.into_iter().max().unwrap_or(halted_at);
    // Restart includes opening the database; the resumption bound is from then on.
    net.wait_progress(&[0, 1, 2, 3], top, Duration::from_secs(20))
        .await?;
    net.check_agreement(&[0, 1, 2, 3]).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cut_off_validator_rejoins_without_help() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let net = Testnet::start(dir.path(), "local", &local_validators()).await?;
    net.wait_finalized(&[0, 1, 2, 3], 3, STEP).await?;
    // Charlie stops sending and answering: his peers' pings fail and they drop him.
    net.nodes[2].pause()?;
    let before = net.min_finalized(&[0, 1, 3]).await?;
    net.wait_progress(&[0, 1, 3], before + 5, STEP).await?;
    tokio::time::sleep(Duration::from_secs(25)).await;
    net.nodes[2].resume()?;
    let head = net.min_finalized(&[0, 1, 3]).await?;
    net.wait_finalized(&[2], head, STEP).await?;
    wait_signs_again(&net, 0, 2, head).await?;
    net.check_agreement(&[0, 1, 2, 3]).await?;
    Ok(())
}
