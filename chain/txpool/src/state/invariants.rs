//! Test-only check of every invariant listed in the parent module.
use super::PoolState;
use crate::ordering::{BestFirst, WorstFirst};

impl PoolState {
    /// Panics if any invariant is broken.
    pub(crate) fn assert_consistent(&self) {
        let (mut ready, mut bytes, mut futures, mut heads, mut tails) = (0, 0, 0, 0, 0);
        for (who, queue) in &self.senders {
            assert!(!queue.by_nonce.is_empty(), "empty sender queue kept");
            let mut expected = Some(queue.chain_nonce);
            let mut ready_run = 0;
            for (nonce, hash) in &queue.by_nonce {
                let tx = &self.txs[hash];
                assert_eq!((tx.sender, tx.nonce), (*who, *nonce));
                assert!(*nonce >= queue.chain_nonce, "stale nonce kept");
                let should_be_ready = expected == Some(*nonce);
                expected = if should_be_ready {
                    nonce.checked_add(1)
                } else {
                    None
                };
                assert_eq!(tx.ready, should_be_ready, "readiness of nonce {nonce}");
                if tx.ready {
                    ready_run += 1;
                } else {
                    assert!(self.futures.contains(&WorstFirst(tx.key())));
                    futures += 1;
                }
            }
            assert_eq!(queue.ready_count, ready_run);
            ready += ready_run;
            if ready_run > 0 {
                heads += 1;
                tails += 1;
                assert!(self.ready_heads.contains(&BestFirst(queue.head.unwrap())));
                assert!(self.ready_tails.contains(&WorstFirst(queue.tail.unwrap())));
            } else {
                assert!(queue.head.is_none() && queue.tail.is_none());
            }
        }
        for tx in self.txs.values() {
            bytes += tx.bytes.len();
            assert_eq!(
                self.senders[&tx.sender].by_nonce.get(&tx.nonce),
                Some(&tx.hash)
            );
            assert!(self.by_valid_until.contains(&(tx.valid_until, tx.hash)));
            assert_eq!(self.by_seq.get(&tx.seq), Some(&tx.hash));
        }
        assert_eq!(self.ready_total, ready);
        assert_eq!(self.bytes, bytes);
        assert_eq!(self.futures.len(), futures);
        assert_eq!(self.ready_heads.len(), heads);
        assert_eq!(self.ready_tails.len(), tails);
        assert_eq!(self.by_valid_until.len(), self.txs.len());
        assert_eq!(self.by_seq.len(), self.txs.len());
        assert!(
            self.txs.len() <= self.limits.max_count,
            "count limit exceeded"
        );
        assert!(self.bytes <= self.limits.max_bytes, "bytes limit exceeded");
    }
}
