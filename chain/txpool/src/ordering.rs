//! Priority keys and block-authoring selection.
//!
//! Readiness is per sender (a nonce chain), priority is across senders. The pool
//! keeps one "head" key per sender with ready transactions; selection merges those
//! heads with each chosen transaction's successor, so a block is built in
//! O(k log n) for k transactions without touching the rest of the pool.
use crate::state::PoolState;
use hm_primitives::H256;
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::sync::Arc;

/// How many transactions that do not fit the remaining block bytes are skipped
/// before selection gives up: a smaller one further down may still fit, but the
/// search must stay bounded.
const MAX_SKIPPED_FOR_SIZE: usize = 16;

/// What orders one transaction against another. `seq` is unique per entry and
/// grows with arrival, so no two keys compare equal and no clock is involved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TxKey {
    pub priority: u64,
    pub seq: u64,
    pub hash: H256,
}

/// Sorts the best first: higher priority, then earlier arrival.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct BestFirst(pub TxKey);

impl Ord for BestFirst {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .0
            .priority
            .cmp(&self.0.priority)
            .then(self.0.seq.cmp(&other.0.seq))
            .then(self.0.hash.cmp(&other.0.hash))
    }
}

impl PartialOrd for BestFirst {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Sorts the worst first (eviction order): lower priority, then later arrival.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct WorstFirst(pub TxKey);

impl Ord for WorstFirst {
    fn cmp(&self, other: &Self) -> Ordering {
        BestFirst(other.0).cmp(&BestFirst(self.0))
    }
}

impl PartialOrd for WorstFirst {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PoolState {
    /// Ready transactions in inclusion order, within `max_count` and `max_bytes`.
    ///
    /// A transaction that would overflow `max_bytes` is skipped together with its
    /// sender's later nonces (they depend on it); selection then goes on with the
    /// next best sender, at most `MAX_SKIPPED_FOR_SIZE` times.
    pub(crate) fn select_ready(
        &self,
        max_count: usize,
        max_bytes: usize,
    ) -> Vec<(H256, Arc<[u8]>)> {
        let mut chosen = Vec::new();
        let mut used_bytes = 0usize;
        let mut skipped = 0usize;
        let mut heads = self.ready_heads().iter().copied().peekable();
        // Successors unlocked by a chosen transaction; `Reverse` turns the max-heap
        // into "best first" under `BestFirst`.
        let mut unlocked: BinaryHeap<Reverse<BestFirst>> = BinaryHeap::new();
        while chosen.len() < max_count {
            let take_head = match (heads.peek(), unlocked.peek()) {
                (Some(head), Some(Reverse(next))) => head <= next,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => break,
            };
            let key = if take_head {
                heads.next().map(|k| k.0)
            } else {
                unlocked.pop().map(|k| k.0 .0)
            };
            let Some(key) = key else { break };
            let Some(tx) = self.tx(&key.hash) else {
                continue;
            };
            match used_bytes.checked_add(tx.bytes.len()) {
                Some(total) if total <= max_bytes => used_bytes = total,
                _ => {
                    skipped += 1;
                    if skipped >= MAX_SKIPPED_FOR_SIZE {
                        break;
                    }
                    continue;
                }
            }
            chosen.push((key.hash, Arc::clone(&tx.bytes)));
            if let Some(next) = self.next_ready(tx) {
                unlocked.push(Reverse(BestFirst(next)));
            }
        }
        chosen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(priority: u64, seq: u64) -> TxKey {
        TxKey {
            priority,
            seq,
            hash: H256([seq as u8; 32]),
        }
    }

    #[test]
    fn best_first_prefers_priority_then_arrival() {
        let mut keys = [key(1, 0), key(5, 2), key(5, 1), key(0, 3)];
        keys.sort_by_key(|k| BestFirst(*k));
        let order: Vec<(u64, u64)> = keys.iter().map(|k| (k.priority, k.seq)).collect();
        assert_eq!(order, vec![(5, 1), (5, 2), (1, 0), (0, 3)]);
    }

    #[test]
    fn worst_first_is_the_exact_reverse() {
        let mut keys = [key(1, 0), key(5, 2), key(5, 1), key(0, 3)];
        keys.sort_by_key(|k| WorstFirst(*k));
        let order: Vec<(u64, u64)> = keys.iter().map(|k| (k.priority, k.seq)).collect();
        assert_eq!(order, vec![(0, 3), (1, 0), (5, 2), (5, 1)]);
    }
}
