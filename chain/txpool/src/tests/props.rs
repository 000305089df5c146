//! Random submissions, imports and removals never break the pool's invariants.
use super::mock::{account, decoded, Harness, Tx};
use crate::PoolConfig;
use hm_client_api::TransactionPoolApi;
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

#[derive(Clone, Debug)]
enum Op {
    Submit {
        sender: u8,
        ahead: u64,
        tip: u64,
        pad: usize,
        lifetime: u64,
        salt: u8,
    },
    /// Author a block of up to this many ready transactions and import it.
    Author(usize),
    /// Another node's block moved this sender's nonce by one, with bytes we lack.
    ExternalNonce(u8),
    /// The first ready transaction failed to apply.
    RemoveFirstReady,
    Finalize,
    AdvanceClock(u64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        12 => (0u8..6, 0u64..5, 0u64..8, 0usize..120, 1u64..6, 0u8..3).prop_map(
            |(sender, ahead, tip, pad, lifetime, salt)| Op::Submit { sender, ahead, tip, pad, lifetime, salt }
        ),
        1 => (0usize..6).prop_map(Op::Author),
        1 => (0u8..6).prop_map(Op::ExternalNonce),
        1 => Just(Op::RemoveFirstReady),
        1 => Just(Op::Finalize),
        1 => (0u64..120).prop_map(Op::AdvanceClock),
    ]
}

fn config() -> PoolConfig {
    PoolConfig {
        max_count: 12,
        max_bytes: 1200,
        max_per_sender: 5,
        max_tx_bytes: 300,
        ban_time: Duration::from_secs(60),
        max_future_per_sender: 2,
    }
}

/// No gap in any sender's ready run, and it starts at the chain nonce.
fn assert_ready_is_gapless(h: &Harness) {
    let mut next: BTreeMap<u8, u64> = BTreeMap::new();
    for (sender, nonce) in h.ready_order() {
        let expected = next.entry(sender).or_insert_with(|| h.chain.nonce(sender));
        assert_eq!(nonce, *expected, "sender {sender} ready run has a gap");
        *expected += 1;
    }
}

/// `next_nonce` as the RPC used to compute it: by decoding a copy of the whole pool.
fn next_nonce_by_copy(pending: &[Vec<u8>], sender: u8, from: u64) -> u64 {
    let pooled: BTreeSet<u64> = pending
        .iter()
        .map(|b| decoded(b))
        .filter(|(s, _)| *s == sender)
        .map(|(_, nonce)| nonce)
        .collect();
    let mut next = from;
    while pooled.contains(&next) {
        next += 1;
    }
    next
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn invariants_hold_under_random_operations(ops in proptest::collection::vec(op(), 1..80)) {
        let h = Harness::new(config());
        let mut last_block = None;
        for op in ops {
            match op {
                Op::Submit { sender, ahead, tip, pad, lifetime, salt } => {
                    let tx = Tx {
                        pad,
                        salt,
                        valid_until: h.chain.best() + lifetime,
                        ..Tx::new(sender, h.chain.nonce(sender) + ahead, tip)
                    };
                    let _ = h.pool.submit(tx.encode());
                }
                Op::Author(count) => {
                    let (block, included) = h.author_block(count);
                    last_block = Some((block, included));
                }
                Op::ExternalNonce(sender) => {
                    h.chain.set_nonce(sender, h.chain.nonce(sender) + 1);
                    // Block bodies seen by the pool do not hold it; it learns through
                    // re-validation.
                    h.import_block(&[]);
                }
                Op::RemoveFirstReady => {
                    if let Some((hash, _)) = h.pool.ready_for_block(1, usize::MAX).first() {
                        h.pool.remove_invalid(&[*hash]);
                    }
                }
                Op::Finalize => {
                    if let Some((block, included)) = last_block.take() {
                        h.pool.on_block_finalized(block, &included);
                    }
                }
                Op::AdvanceClock(secs) => h.clock.advance(Duration::from_secs(secs)),
            }
            h.check();
            let status = h.pool.status();
            prop_assert!(status.ready + status.future <= 12);
            prop_assert!(status.bytes <= 1200);
            let pending = h.pool.pending();
            prop_assert_eq!(pending.len(), status.ready + status.future);
            prop_assert_eq!(pending.iter().map(Vec::len).sum::<usize>(), status.bytes);
            // Per sender at most max_per_sender.
            let mut per_sender: BTreeMap<u8, usize> = BTreeMap::new();
            for bytes in &pending {
                *per_sender.entry(decoded(bytes).0).or_default() += 1;
            }
            prop_assert!(per_sender.values().all(|&n| n <= 5));
            // Every known sender's ready run starts at its chain nonce, as long as
            // the pool has had the chance to learn it (re-validation covers the
            // whole pool each block here).
            assert_ready_is_gapless(&h);
            // The nonce index agrees with a walk over a copy of the pool.
            for sender in 0..6u8 {
                let on_chain = h.chain.nonce(sender);
                for from in [on_chain, on_chain + 1, on_chain + 3] {
                    prop_assert_eq!(
                        h.pool.next_nonce(&account(sender), from),
                        next_nonce_by_copy(&pending, sender, from)
                    );
                }
            }
        }
    }
}
