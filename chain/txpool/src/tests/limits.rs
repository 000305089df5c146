//! Size, count and sender limits, eviction, replacement, duplicates and bans.
use super::mock::{small_config, xt, Harness, Tx};
use crate::PoolConfig;
use hm_client_api::{PoolError, TransactionPoolApi};
use hm_primitives::{blake3_256, InvalidTransaction, H256};
use std::time::Duration;

#[test]
fn oversized_transaction_refused_before_validation() {
    let h = Harness::small();
    let bytes = Tx {
        pad: 5000,
        ..Tx::new(1, 0, 1)
    }
    .encode();
    let len = bytes.len();
    assert_eq!(
        h.pool.submit(bytes),
        Err(PoolError::TooLarge { len, max: 4096 })
    );
    assert_eq!(h.chain.validations(), 0);
}

#[test]
fn transaction_larger_than_the_whole_pool_is_too_large() {
    let h = Harness::new(PoolConfig {
        max_bytes: 100,
        ..small_config()
    });
    let bytes = Tx {
        pad: 200,
        ..Tx::new(1, 0, 1)
    }
    .encode();
    assert!(matches!(
        h.pool.submit(bytes),
        Err(PoolError::TooLarge { max: 100, .. })
    ));
}

#[test]
fn hostile_bytes_are_invalid_and_banned() {
    let h = Harness::small();
    for bytes in [vec![], vec![0xA5], vec![0xff; 64], vec![0u8; 4096]] {
        assert_eq!(
            h.pool.submit(bytes.clone()),
            Err(PoolError::Invalid(InvalidTransaction::Malformed))
        );
        assert_eq!(
            h.pool.submit(bytes.clone()),
            Err(PoolError::TemporarilyBanned(blake3_256(&bytes)))
        );
    }
    assert_eq!(h.chain.validations(), 4);
    assert_eq!(h.pool.status().ready + h.pool.status().future, 0);
}

#[test]
fn duplicate_is_already_imported_without_revalidation() {
    let h = Harness::small();
    let hash = h.pool.submit(xt(1, 0, 1)).unwrap();
    assert_eq!(
        h.pool.submit(xt(1, 0, 1)),
        Err(PoolError::AlreadyImported(hash))
    );
    assert_eq!(h.chain.validations(), 1);
}

#[test]
fn ban_lasts_ban_time_then_lifts() {
    let h = Harness::small();
    let bad = Tx {
        bad_signature: true,
        ..Tx::new(1, 0, 1)
    }
    .encode();
    let hash = blake3_256(&bad);
    assert_eq!(
        h.pool.submit(bad.clone()),
        Err(PoolError::Invalid(InvalidTransaction::BadSignature))
    );
    h.clock.advance(Duration::from_secs(59));
    assert_eq!(
        h.pool.submit(bad.clone()),
        Err(PoolError::TemporarilyBanned(hash))
    );
    h.clock.advance(Duration::from_secs(1));
    // The ban is over: validated (and refused) again, which bans it anew.
    assert_eq!(
        h.pool.submit(bad.clone()),
        Err(PoolError::Invalid(InvalidTransaction::BadSignature))
    );
    assert_eq!(h.pool.submit(bad), Err(PoolError::TemporarilyBanned(hash)));
    assert_eq!(h.chain.validations(), 2);
}

#[test]
fn temporarily_invalid_transactions_are_not_banned() {
    let h = Harness::small();
    h.chain.set_balance(1, 0);
    let bytes = xt(1, 0, 1);
    assert!(matches!(
        h.pool.submit(bytes.clone()),
        Err(PoolError::Invalid(InvalidTransaction::CannotPayFees { .. }))
    ));
    let far = xt(2, 1000, 1);
    assert!(matches!(
        h.pool.submit(far.clone()),
        Err(PoolError::Invalid(InvalidTransaction::FutureTooFar { .. }))
    ));
    h.chain.set_balance(1, 1_000_000);
    assert!(h.pool.submit(bytes).is_ok());
    assert!(matches!(h.pool.submit(far), Err(PoolError::Invalid(_))));
    assert_eq!(h.pool.banned_count(), 0);
}

#[test]
fn ban_list_is_bounded() {
    let h = Harness::small();
    let hashes: Vec<H256> = (0u32..5000).map(|i| blake3_256(&i.to_le_bytes())).collect();
    h.pool.remove_invalid(&hashes);
    // max_count 16 -> the minimum capacity of 1024.
    assert_eq!(h.pool.banned_count(), 1024);
    assert!(h
        .pool
        .state
        .lock()
        .bans
        .is_banned(&hashes[4999], h.clock.now_for_test()));
    assert!(!h
        .pool
        .state
        .lock()
        .bans
        .is_banned(&hashes[0], h.clock.now_for_test()));
}

#[test]
fn count_limit_refuses_when_nothing_is_worse() {
    let h = Harness::new(PoolConfig {
        max_count: 3,
        ..small_config()
    });
    for sender in 0..3 {
        h.pool.submit(xt(sender, 0, 5)).unwrap();
    }
    // Equal priority evicts nothing; lower neither.
    assert_eq!(h.pool.submit(xt(9, 0, 5)), Err(PoolError::PoolFull));
    assert_eq!(h.pool.submit(xt(9, 0, 1)), Err(PoolError::PoolFull));
    assert_eq!(h.pool.status().ready, 3);
    h.check();
}

#[test]
fn full_pool_evicts_lowest_priority_future_for_a_better_transaction() {
    let h = Harness::new(PoolConfig {
        max_count: 3,
        ..small_config()
    });
    h.pool.submit(xt(1, 0, 1)).unwrap(); // ready, cheapest of all
    let cheap_future = h.pool.submit(xt(2, 5, 2)).unwrap();
    let dear_future = h.pool.submit(xt(3, 5, 50)).unwrap();
    h.pool.submit(xt(4, 0, 10)).unwrap();
    // Futures go before ready ones, even a ready one that pays less.
    assert!(!h.pool.contains(&cheap_future));
    assert!(h.pool.contains(&dear_future));
    assert_eq!(h.ready_order(), vec![(4, 0), (1, 0)]);
    h.check();
}

#[test]
fn future_newcomer_cannot_evict_ready_transactions() {
    let h = Harness::new(PoolConfig {
        max_count: 2,
        ..small_config()
    });
    h.pool.submit(xt(1, 0, 1)).unwrap();
    h.pool.submit(xt(2, 0, 1)).unwrap();
    assert_eq!(h.pool.submit(xt(3, 7, 100)), Err(PoolError::PoolFull));
    // A ready newcomer may evict the worst sender's last ready transaction.
    h.pool.submit(xt(3, 0, 100)).unwrap();
    assert_eq!(h.ready_order(), vec![(3, 0), (1, 0)]);
    h.check();
}

#[test]
fn ready_eviction_takes_a_tail_and_never_opens_a_gap() {
    let h = Harness::new(PoolConfig {
        max_count: 3,
        ..small_config()
    });
    h.pool.submit(xt(1, 0, 1)).unwrap();
    h.pool.submit(xt(1, 1, 3)).unwrap();
    h.pool.submit(xt(2, 0, 2)).unwrap();
    h.pool.submit(xt(3, 0, 10)).unwrap();
    // Sender 1's nonce 0 is the cheapest, but evicting it would strand nonce 1:
    // the lowest tail is sender 2's.
    assert_eq!(h.ready_order(), vec![(3, 0), (1, 0), (1, 1)]);
    h.check();
}

#[test]
fn newcomer_never_evicts_its_own_sender() {
    let h = Harness::new(PoolConfig {
        max_count: 2,
        ..small_config()
    });
    h.pool.submit(xt(1, 0, 1)).unwrap();
    h.pool.submit(xt(1, 1, 1)).unwrap();
    assert_eq!(h.pool.submit(xt(1, 2, 100)), Err(PoolError::PoolFull));
}

#[test]
fn bytes_limit_evicts_as_many_as_needed_or_none() {
    let one = xt(0, 0, 0).len();
    let h = Harness::new(PoolConfig {
        max_bytes: 4 * one,
        ..small_config()
    });
    for sender in 0..4 {
        h.pool.submit(xt(sender, 3, 1)).unwrap(); // four futures
    }
    // Needs the room of three: evicts three futures, keeps the count of bytes in bounds.
    let big = Tx {
        pad: 2 * one,
        ..Tx::new(9, 0, 5)
    }
    .encode();
    h.pool.submit(big).unwrap();
    assert_eq!(h.pool.status().future, 1);
    assert!(h.pool.status().bytes <= 4 * one);
    // Not enough worse transactions to make room: refused, nothing evicted.
    let huge = Tx {
        pad: 3 * one,
        ..Tx::new(8, 0, 2)
    }
    .encode();
    assert_eq!(h.pool.submit(huge), Err(PoolError::PoolFull));
    assert_eq!(h.pool.status().future, 1);
    h.check();
}

#[test]
fn per_sender_limit() {
    let h = Harness::new(PoolConfig {
        max_per_sender: 3,
        ..small_config()
    });
    for nonce in 0..3 {
        h.pool.submit(xt(1, nonce, 1)).unwrap();
    }
    assert_eq!(h.pool.submit(xt(1, 3, 1)), Err(PoolError::SenderLimit(3)));
    // Replacing one of the three is not a fourth.
    assert!(h.pool.submit(xt(1, 2, 9)).is_ok());
    h.pool.submit(xt(2, 0, 1)).unwrap();
}

#[test]
fn future_per_sender_limit() {
    let h = Harness::new(PoolConfig {
        max_future_per_sender: 2,
        ..small_config()
    });
    h.pool.submit(xt(1, 5, 1)).unwrap();
    h.pool.submit(xt(1, 6, 1)).unwrap();
    assert_eq!(h.pool.submit(xt(1, 7, 1)), Err(PoolError::SenderLimit(2)));
    // The gap filler is ready and not limited by the future quota.
    for nonce in 0..5 {
        h.pool.submit(xt(1, nonce, 1)).unwrap();
    }
    assert_eq!(h.pool.status().ready, 7);
    h.check();
}

#[test]
fn replacement_needs_a_strictly_higher_priority() {
    let h = Harness::small();
    let first = h.pool.submit(xt(1, 0, 5)).unwrap();
    let same_tip = Tx {
        salt: 1,
        ..Tx::new(1, 0, 5)
    }
    .encode();
    assert_eq!(h.pool.submit(same_tip), Err(PoolError::TooLowPriority));
    assert_eq!(h.pool.submit(xt(1, 0, 4)), Err(PoolError::TooLowPriority));
    let better = h.pool.submit(xt(1, 0, 6)).unwrap();
    assert!(!h.pool.contains(&first));
    assert!(h.pool.contains(&better));
    assert_eq!(h.pool.status().ready, 1);
    h.check();
}

#[test]
fn replacement_needs_a_ten_percent_higher_tip() {
    let h = Harness::small();
    let first = h.pool.submit(xt(1, 0, 100)).unwrap();
    // 9% more is not enough; 10% more is.
    assert_eq!(h.pool.submit(xt(1, 0, 109)), Err(PoolError::TooLowPriority));
    assert!(h.pool.contains(&first));
    let second = h.pool.submit(xt(1, 0, 110)).unwrap();
    assert!(!h.pool.contains(&first));
    // The bump is rounded up: 10% of 111 is 11.1, so 12 more (123) is needed.
    h.pool.submit(xt(2, 0, 111)).unwrap();
    assert_eq!(h.pool.submit(xt(2, 0, 122)), Err(PoolError::TooLowPriority));
    h.pool.submit(xt(2, 0, 123)).unwrap();
    assert!(h.pool.contains(&second));
    assert_eq!(h.pool.status().ready, 2);
    h.check();
}

#[test]
fn the_least_replacement_tip_is_exact_at_the_edges() {
    use crate::state::replacement_priority;
    assert_eq!(replacement_priority(0), Some(1));
    assert_eq!(replacement_priority(9), Some(10));
    assert_eq!(replacement_priority(10), Some(11));
    assert_eq!(replacement_priority(20), Some(22));
    assert_eq!(
        replacement_priority(u64::MAX / 2),
        Some(u64::MAX / 2 + u64::MAX / 20 + 1)
    );
    assert_eq!(replacement_priority(u64::MAX - 1), None);
    assert_eq!(replacement_priority(u64::MAX), None);
}

#[test]
fn replacing_a_future_keeps_it_future_and_the_chain_intact() {
    let h = Harness::small();
    h.pool.submit(xt(1, 0, 1)).unwrap();
    h.pool.submit(xt(1, 1, 1)).unwrap();
    h.pool.submit(xt(1, 3, 1)).unwrap();
    h.pool.submit(xt(1, 3, 2)).unwrap();
    h.pool.submit(xt(1, 1, 7)).unwrap();
    assert_eq!(h.ready_order(), vec![(1, 0), (1, 1)]);
    assert_eq!(h.pool.status().future, 1);
    h.check();
}

#[test]
fn replacement_counts_its_size_change_against_the_bytes_limit() {
    let one = xt(0, 0, 0).len();
    let h = Harness::new(PoolConfig {
        max_bytes: 2 * one,
        ..small_config()
    });
    h.pool.submit(xt(1, 0, 1)).unwrap();
    h.pool.submit(xt(2, 0, 1)).unwrap();
    // Bigger replacement: must evict sender 2's ready tail to fit.
    h.pool
        .submit(
            Tx {
                pad: one / 2,
                ..Tx::new(1, 0, 5)
            }
            .encode(),
        )
        .unwrap();
    assert_eq!(h.ready_order(), vec![(1, 0)]);
    h.check();
}
