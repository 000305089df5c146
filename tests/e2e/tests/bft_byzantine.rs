//! A validator built with the test-only `byzantine` feature (`hypermesh-byzantine`)
//! breaks the protocol on purpose among three honest ones. Each bad block is rejected with
//! a logged reason and the sender penalised while the chain goes on; a double voter is
//! reported, included and slashed; the honest nodes never fork.
use hm_e2e::{
    byzantine_binary,
    testnet::{NodeSpec, Testnet},
};
use parity_scale_codec::Decode;
use std::time::{Duration, Instant};

const HONEST: [usize; 3] = [0, 1, 2];
const DAVE: usize = 3;
const STEP: Duration = Duration::from_secs(120);

/// Alice, bob and charlie as usual; dave runs the byzantine build doing `kind`.
async fn start(dir: &std::path::Path, kind: &str) -> anyhow::Result<Testnet> {
    let mut specs: Vec<NodeSpec> = ["alice", "bob", "charlie"]
        .into_iter()
        .map(NodeSpec::validator)
        .collect();
    let mut dave = NodeSpec::validator("dave");
    dave.binary = Some(byzantine_binary());
    dave.extra_args = vec!["--byzantine".into(), kind.into()];
    specs.push(dave);
    Testnet::start(dir, "local", &specs).await
}

/// Restart dave misbehaving as `kind`, under a new network identity: the honest nodes'
/// gossip scoring has graylisted the old one, so its messages would no longer be judged
/// (a real attacker changes identity the same way).
async fn restart_as(net: &mut Testnet, kind: &str) -> anyhow::Result<()> {
    let dave = &mut net.nodes[DAVE];
    dave.kill9()?;
    let key = dave.base_path.join("chains/local/network/secret_ed25519");
    std::fs::remove_file(&key)?;
    let at = dave.args.len() - 1;
    dave.args[at] = kind.to_string();
    dave.restart().await
}

/// Wait until any honest node logs a line with both `marker` and `reason`.
async fn wait_logged(net: &Testnet, marker: &str, reason: &str) -> anyhow::Result<String> {
    let deadline = Instant::now() + STEP;
    loop {
        for &i in &HONEST {
            if let Some(line) = net
                .log_lines(i, marker)
                .into_iter()
                .find(|l| l.contains(reason))
            {
                return Ok(line);
            }
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "no honest node logged {marker:?} with {reason:?}; dave's log:\n{}",
            hm_e2e::tail(&net.nodes[DAVE].log(), 20)
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_blocks_are_rejected_with_a_reason_and_the_chain_goes_on() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    // (misbehaviour, what the honest nodes' rejection says)
    let cases = [
        ("bad-work", "PoWork:"),
        ("bad-time", "PoTime:"),
        ("bad-space", "PoSpace:"),
        ("bad-seal", "header seal does not verify"),
        ("out-of-turn", "is not signed by its proposer"),
        ("future-timestamp", "ahead of local time"),
    ];
    let mut net = start(dir.path(), cases[0].0).await?;
    for (round, (kind, reason)) in cases.iter().enumerate() {
        if round > 0 {
            restart_as(&mut net, kind).await?;
        }
        let line = wait_logged(&net, "🚫 rejected proposal", reason).await?;
        println!("{kind}: {line}");
        // Gossipsub scored the rejection against dave's connection.
        let dave_peer = hm_e2e::testnet::wait_peer_id(&net.nodes[DAVE], STEP).await?;
        wait_logged(&net, "Penalised peer", &dave_peer).await?;
        // The chain goes on without dave's blocks, and the honest nodes agree.
        let before = net.min_finalized(&HONEST).await?;
        net.wait_progress(&HONEST, before + 2, STEP).await?;
        net.check_agreement(&HONEST).await?;
    }

    // A node whose only peer serves justifications with one precommit refuses them,
    // bans that peer and logs why.
    restart_as(&mut net, "weak-justification").await?;
    let dave_id = hm_e2e::testnet::wait_peer_id(&net.nodes[DAVE], STEP).await?;
    let mut follower = NodeSpec::full();
    follower.extra_args = vec![
        "--bootnodes".into(),
        format!(
            "/ip4/127.0.0.1/tcp/{}/p2p/{dave_id}",
            net.nodes[DAVE].p2p_port
        ),
        "--max-peers".into(),
        "1".into(),
    ];
    let f = net.add(follower).await?;
    let deadline = Instant::now() + STEP;
    loop {
        let rejected = net.log_lines(f, "sync: block #");
        let banned = net.log_lines(f, "Banning peer");
        if rejected.iter().any(|l| l.contains("more than 2/3 needs")) && !banned.is_empty() {
            break;
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "the follower did not refuse the weak justification; its network and sync lines:\n{}",
            net.nodes[f]
                .log()
                .lines()
                .filter(|l| ["sync", "Peer connected", "Banning", "Dial"]
                    .iter()
                    .any(|k| l.contains(k)))
                .take(40)
                .collect::<Vec<_>>()
                .join("\n")
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    // Whatever it finalized afterwards came from honest peers: its chain agrees with theirs.
    net.check_agreement(&[0, 1, 2, f]).await?;
    let before = net.min_finalized(&HONEST).await?;
    net.wait_progress(&HONEST, before + 2, STEP).await?;
    net.check_agreement(&HONEST).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_double_voter_is_slashed_and_the_honest_nodes_never_fork() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let net = start(dir.path(), "double-vote").await?;
    let dave = hm_crypto::dev_keypair("dave")
        .expect("dev key")
        .account_id();
    let key = hm_pallet_staking::storage::ledger(&dave);
    let bond = hm_chainspec::LOCAL_VALIDATOR_BOND;
    wait_logged(&net, "equivocation detected", "").await?;
    let deadline = Instant::now() + STEP;
    loop {
        let mut slashed_everywhere = true;
        for &i in &HONEST {
            let raw = net.storage(i, &key).await?;
            let active = match raw {
                Some(bytes) => hm_pallet_staking::StakingLedger::decode(&mut &bytes[..])?.active,
                None => 0,
            };
            slashed_everywhere &= active < bond;
        }
        if slashed_everywhere {
            break;
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "dave's bond was not slashed on every honest node"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let before = net.min_finalized(&HONEST).await?;
    net.wait_progress(&HONEST, before + 3, STEP).await?;
    net.check_agreement(&HONEST).await?;
    Ok(())
}
