//! `kill -9` at random moments while the dev node authors under load: every
//! restart passes the consistency check, keeps every finalized block, and authors on.
use hm_e2e::Node;
use hm_primitives::AccountId;
use rand::Rng;
use std::{
    collections::BTreeMap,
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc,
    },
    time::Duration,
};

const KILLS: usize = 10;

/// Keep transfers flowing from several dev accounts until told to stop; errors
/// (the node is being killed) are expected and simply retried.
fn spawn_load(
    rpc_url: String,
    stop: Arc<AtomicBool>,
    sent: Arc<AtomicU64>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let senders: Vec<_> = ["bob", "charlie", "dave", "eve"]
            .iter()
            .map(|n| hm_crypto::dev_keypair(n).unwrap())
            .collect();
        while !stop.load(Ordering::Relaxed) {
            let Ok(wallet) = hm_wallet::RpcWallet::connect(&rpc_url).await else {
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            };
            'connected: while !stop.load(Ordering::Relaxed) {
                for kp in &senders {
                    let dest = AccountId(rand::thread_rng().gen());
                    let call = hm_wallet::transfer_call(dest, hm_primitives::UNITS, false);
                    let Ok(xt) = wallet.sign_with_context(kp, call, 0, 32).await else {
                        break 'connected;
                    };
                    match wallet.submit(&xt).await {
                        Ok(_) => {
                            sent.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(e)
                            if e.to_string().contains("restart")
                                || e.to_string().contains("closed") =>
                        {
                            break 'connected
                        }
                        Err(_) => {}
                    }
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill9_under_load_never_loses_finalized_blocks() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut node = Node::dev(&dir.path().join("node"), 150).await?;
    let stop = Arc::new(AtomicBool::new(false));
    let sent = Arc::new(AtomicU64::new(0));
    let load = spawn_load(node.rpc_url(), stop.clone(), sent.clone());
    let mut seen: BTreeMap<u64, String> = BTreeMap::new();

    for round in 0..KILLS {
        let wait_ms = rand::thread_rng().gen_range(200..1500);
        tokio::time::sleep(Duration::from_millis(wait_ms)).await;
        let finalized = node.finalized_number().await?;
        for n in seen.keys().next_back().map_or(1, |k| k + 1)..=finalized {
            if let Some(h) = node.block_hash(n).await? {
                seen.insert(n, h);
            }
        }
        node.kill9()?;
        node.restart()
            .await
            .map_err(|e| anyhow::anyhow!("restart {round} failed: {e}"))?;
        let after = node.finalized_number().await?;
        assert!(
            after >= finalized,
            "round {round}: finalized went back from {finalized} to {after}"
        );
        // Spot-check a spread of remembered heights instead of all of them.
        for (n, h) in seen.iter().rev().step_by(7).chain(seen.iter().take(1)) {
            assert_eq!(
                node.block_hash(*n).await?.as_ref(),
                Some(h),
                "round {round}: block #{n} changed"
            );
        }
        node.wait_finalized(after + 2, Duration::from_secs(20))
            .await?;
    }
    stop.store(true, Ordering::Relaxed);
    let _ = tokio::time::timeout(Duration::from_secs(10), load).await;
    assert!(
        sent.load(Ordering::Relaxed) > 0,
        "the load generator never got a transaction in"
    );
    assert!(
        !node.log().contains("panicked"),
        "node panicked:\n{}",
        hm_e2e::tail(&node.log(), 40)
    );
    Ok(())
}
