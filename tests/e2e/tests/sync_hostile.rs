//! Hostile sync peers. A peer built with the test-only `byzantine` feature runs
//! `--byzantine lying-sync`: it claims a finalized height of 1,000,000 in its sync status
//! and serves no blocks. A new node that knows it first must still catch up from the honest
//! validators, and its `system_syncState.highestBlock` must never show the lie.
use hm_e2e::{
    byzantine_binary,
    testnet::{wait_peer_id, NodeSpec, Testnet},
};
use std::time::{Duration, Instant};

const HONEST: [usize; 3] = [0, 1, 2];
const LIAR: usize = 3;
/// What the liar claims (`hm_sync::LYING_SYNC_HEIGHT`).
const LIE: u64 = 1_000_000;
const STEP: Duration = Duration::from_secs(180);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_claiming_a_million_blocks_does_not_stall_a_new_node() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut liar = NodeSpec::full();
    liar.binary = Some(byzantine_binary());
    liar.extra_args = vec!["--byzantine".into(), "lying-sync".into()];
    let specs = [
        NodeSpec::validator("alice"),
        NodeSpec::validator("bob"),
        NodeSpec::validator("charlie"),
        liar,
    ];
    let mut net = Testnet::start(dir.path(), "local", &specs).await?;
    net.wait_finalized(&HONEST, 5, STEP).await?;

    // The newcomer's bootnodes: the liar first, then one honest validator.
    let boot =
        |i: usize, id: &str| format!("/ip4/127.0.0.1/tcp/{}/p2p/{id}", net.nodes[i].p2p_port);
    let liar_id = wait_peer_id(&net.nodes[LIAR], STEP).await?;
    let alice_id = wait_peer_id(&net.nodes[0], STEP).await?;
    let mut newcomer = NodeSpec::full();
    newcomer.extra_args = vec![
        "--bootnodes".into(),
        format!("{},{}", boot(LIAR, &liar_id), boot(0, &alice_id)),
    ];
    let n = net.add(newcomer).await?;
    let target = net.min_finalized(&HONEST).await?;

    let deadline = Instant::now() + STEP;
    loop {
        let (_, highest) = net.sync_state(n).await?;
        anyhow::ensure!(
            highest < LIE,
            "highestBlock shows the liar's claim: {highest}"
        );
        if net.finalized(n).await? >= target {
            break;
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "the newcomer stalled at #{} of #{target}; its log:\n{}",
            net.finalized(n).await?,
            hm_e2e::tail(&net.nodes[n].log(), 30)
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    // The liar was among its peers the whole time, with its claim.
    let met_liar = net
        .log_lines(n, "Peer connected")
        .into_iter()
        .any(|l| l.contains(&liar_id));
    anyhow::ensure!(met_liar, "the newcomer never connected to the liar");
    // What it finalized came from honest peers: its chain agrees with theirs.
    net.check_agreement(&[0, 1, 2, n]).await?;
    let (_, highest) = net.sync_state(n).await?;
    anyhow::ensure!(
        highest < LIE,
        "highestBlock shows the liar's claim: {highest}"
    );
    Ok(())
}
