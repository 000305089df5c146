//! Background transfer load for testnets: funded dev accounts send small transfers through
//! the nodes' RPC, round-robin, until stopped. Submissions to a node that is down fail
//! and are skipped; the hashes of the accepted ones are returned at the end, so a test
//! can check that they landed in finalized blocks.
use hm_primitives::{H256, UNITS};
use std::sync::{
    atomic::{AtomicBool, Ordering},
    Arc,
};
use std::time::Duration;
use tokio::task::JoinHandle;

pub struct TransferLoad {
    stop: Arc<AtomicBool>,
    task: JoinHandle<Vec<H256>>,
}

impl TransferLoad {
    /// Every `interval`, each of `senders` (dev key names) sends one transfer to the next
    /// sender, through the RPC URLs in turn.
    pub fn start(urls: Vec<String>, senders: &[&str], interval: Duration) -> TransferLoad {
        let keys: Vec<_> = senders
            .iter()
            .map(|name| hm_crypto::dev_keypair(name).expect("dev key"))
            .collect();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let task = tokio::spawn(async move {
            let mut accepted = Vec::new();
            let mut turn = 0usize;
            while !flag.load(Ordering::Relaxed) {
                for (i, key) in keys.iter().enumerate() {
                    let url = &urls[(turn + i) % urls.len()];
                    let dest = keys[(i + 1) % keys.len()].account_id();
                    // A paused node never answers: bound the whole exchange.
                    let sent =
                        tokio::time::timeout(Duration::from_secs(3), send(url, key, dest)).await;
                    if let Ok(Ok(hash)) = sent {
                        accepted.push(hash);
                    }
                }
                turn = turn.wrapping_add(1);
                tokio::time::sleep(interval).await;
            }
            accepted
        });
        TransferLoad { stop, task }
    }

    /// Stop and return the hashes of the transfers the nodes accepted.
    pub async fn stop(self) -> Vec<H256> {
        self.stop.store(true, Ordering::Relaxed);
        self.task.await.unwrap_or_default()
    }
}

async fn send(
    url: &str,
    key: &hm_crypto::Keypair,
    dest: hm_primitives::AccountId,
) -> anyhow::Result<H256> {
    let wallet = hm_wallet::RpcWallet::connect(url).await?;
    let call = hm_wallet::transfer_call(dest, UNITS, true);
    let xt = wallet.sign_with_context(key, call, 0, 64).await?;
    wallet.submit(&xt).await
}
