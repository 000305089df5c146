//! Transactions travel on gossip in batches: one message per burst instead of one per
//! transaction, so a node taking thousands of submissions a second does not overflow
//! gossipsub's per-peer send queues (which drop messages when full). A batch is a SCALE
//! `Vec<Vec<u8>>` of encoded extrinsics, capped in bytes by the topic's message limit.
use hm_client_api::{PoolError, TransactionPoolApi};
use hm_network::{GossipTopic, NetworkHandle, Verdict, MAX_TX_GOSSIP_BYTES};
use hm_primitives::{decode_untrusted, InvalidTransaction, H256};
use parity_scale_codec::Encode;
use std::time::Duration;
use tokio::sync::mpsc;

/// How long the first transaction of a batch waits for company.
const BATCH_WINDOW: Duration = Duration::from_millis(25);
/// Room kept for the batch's own length prefixes.
const MAX_BATCH_BYTES: usize = MAX_TX_GOSSIP_BYTES - 1024;
/// Transactions in one batch; more than the byte cap allows for any real transfer.
pub(crate) const MAX_BATCH_TXS: usize = 1024;
/// Transactions waiting to be gossiped; beyond it new ones are not gossiped (they stay in
/// our pool and are still included by us or re-submitted by the client).
const QUEUE: usize = 65_536;

/// Hands transactions to the batching task.
#[derive(Clone)]
pub(crate) struct TxGossip {
    queue: mpsc::Sender<Vec<u8>>,
}

impl TxGossip {
    pub(crate) fn start(network: NetworkHandle) -> TxGossip {
        let (queue, rx) = mpsc::channel(QUEUE);
        tokio::spawn(run(rx, network));
        TxGossip { queue }
    }

    pub(crate) fn send(&self, xt: Vec<u8>) {
        if self.queue.try_send(xt).is_err() {
            tracing::debug!("transaction gossip queue full; not gossiping one");
        }
    }
}

async fn run(mut rx: mpsc::Receiver<Vec<u8>>, network: NetworkHandle) {
    while let Some(first) = rx.recv().await {
        let mut batch = Batch::default();
        batch.push(&network, first);
        let deadline = tokio::time::Instant::now() + BATCH_WINDOW;
        while let Ok(Some(xt)) = tokio::time::timeout_at(deadline, rx.recv()).await {
            batch.push(&network, xt);
        }
        batch.publish(&network);
    }
}

#[derive(Default)]
struct Batch {
    txs: Vec<Vec<u8>>,
    bytes: usize,
}

impl Batch {
    /// Add `xt`, publishing what is held first if it would not fit.
    fn push(&mut self, network: &NetworkHandle, xt: Vec<u8>) {
        let size = xt.len() + 5;
        if size > MAX_BATCH_BYTES {
            return;
        }
        if self.bytes + size > MAX_BATCH_BYTES || self.txs.len() == MAX_BATCH_TXS {
            self.publish(network);
        }
        self.bytes += size;
        self.txs.push(xt);
    }

    fn publish(&mut self, network: &NetworkHandle) {
        if !self.txs.is_empty() {
            network.publish(GossipTopic::Transactions, encode_batch(&self.txs));
        }
        self.txs.clear();
        self.bytes = 0;
    }
}

pub(crate) fn encode_batch(txs: &[Vec<u8>]) -> Vec<u8> {
    txs.encode()
}

/// The pool's verdict on one transaction: provably bad bytes are rejected (the sender
/// is penalised); transactions that are merely not useful now are ignored.
fn transaction_verdict(result: &Result<H256, PoolError>) -> Verdict {
    use InvalidTransaction::*;
    match result {
        Ok(_) => Verdict::Accept,
        Err(PoolError::TooLarge { .. }) => Verdict::Reject,
        Err(PoolError::Invalid(Malformed | BadSignature | UnsignedNotAllowed | BadCall)) => {
            Verdict::Reject
        }
        Err(_) => Verdict::Ignore,
    }
}

/// Submit a gossiped batch to the pool. Rejected if it does not decode, is too long, or
/// holds a transaction no honest node would have relayed; accepted if any transaction
/// was new to us; otherwise ignored (all known, stale or the pool is full).
pub(crate) fn judge_batch(pool: &dyn TransactionPoolApi, data: &[u8]) -> Verdict {
    let txs: Vec<Vec<u8>> = match decode_untrusted(data, MAX_TX_GOSSIP_BYTES) {
        Ok(txs) => txs,
        Err(_) => return Verdict::Reject,
    };
    if txs.is_empty() || txs.len() > MAX_BATCH_TXS {
        return Verdict::Reject;
    }
    let mut verdict = Verdict::Ignore;
    for xt in txs {
        match transaction_verdict(&pool.submit(xt)) {
            Verdict::Reject => return Verdict::Reject,
            Verdict::Accept => verdict = Verdict::Accept,
            Verdict::Ignore => {}
        }
    }
    verdict
}

#[cfg(test)]
mod tests {
    use super::*;
    use hm_client_api::{PoolStatus, TxStatus};

    /// Accepts `ok…`, refuses `bad…` as malformed and everything else as already known.
    struct ScriptedPool;

    impl TransactionPoolApi for ScriptedPool {
        fn submit(&self, xt: Vec<u8>) -> Result<H256, PoolError> {
            if xt.starts_with(b"ok") {
                Ok(H256::ZERO)
            } else if xt.starts_with(b"bad") {
                Err(PoolError::Invalid(InvalidTransaction::Malformed))
            } else {
                Err(PoolError::AlreadyImported(H256::ZERO))
            }
        }
        fn submit_and_watch(
            &self,
            _: Vec<u8>,
        ) -> Result<(H256, tokio::sync::mpsc::UnboundedReceiver<TxStatus>), PoolError> {
            Err(PoolError::PoolFull)
        }
        fn pending(&self) -> Vec<Vec<u8>> {
            Vec::new()
        }
        fn pending_limited(&self, _: usize, _: usize) -> Vec<Vec<u8>> {
            Vec::new()
        }
        fn next_nonce(&self, _: &hm_primitives::AccountId, on_chain: u64) -> u64 {
            on_chain
        }
        fn status(&self) -> PoolStatus {
            PoolStatus::default()
        }
    }

    fn batch(items: &[&[u8]]) -> Vec<u8> {
        encode_batch(&items.iter().map(|i| i.to_vec()).collect::<Vec<_>>())
    }

    #[test]
    fn batches_are_judged_by_their_worst_transaction() {
        let pool = ScriptedPool;
        assert_eq!(
            judge_batch(&pool, &batch(&[b"ok1", b"old"])),
            Verdict::Accept
        );
        assert_eq!(
            judge_batch(&pool, &batch(&[b"old", b"old2"])),
            Verdict::Ignore
        );
        assert_eq!(
            judge_batch(&pool, &batch(&[b"ok1", b"bad"])),
            Verdict::Reject
        );
    }

    #[test]
    fn hostile_batches_are_rejected() {
        let pool = ScriptedPool;
        assert_eq!(judge_batch(&pool, &[]), Verdict::Reject);
        assert_eq!(judge_batch(&pool, &[0xff; 64]), Verdict::Reject);
        assert_eq!(judge_batch(&pool, &batch(&[])), Verdict::Reject);
        // A length prefix promising more items than the bytes hold.
        assert_eq!(
            judge_batch(&pool, &[0xfe, 0xff, 0xff, 0xff]),
            Verdict::Reject
        );
        let too_many: Vec<&[u8]> = vec![b"ok"; MAX_BATCH_TXS + 1];
        assert_eq!(judge_batch(&pool, &batch(&too_many)), Verdict::Reject);
        let oversized = vec![0u8; MAX_TX_GOSSIP_BYTES + 1];
        assert_eq!(judge_batch(&pool, &oversized), Verdict::Reject);
    }
}
