//! Futures, promotion, import, expiry, re-validation and races with imports.
use super::mock::{xt, Harness, Tx};
use hm_client_api::{PoolError, PoolStatus, TransactionPoolApi};
use hm_primitives::{InvalidTransaction, H256};

#[test]
fn future_held_until_the_gap_is_filled() {
    let h = Harness::small();
    h.pool.submit(xt(1, 2, 1)).unwrap();
    h.pool.submit(xt(1, 1, 1)).unwrap();
    assert_eq!(
        h.pool.status(),
        PoolStatus {
            ready: 0,
            future: 2,
            bytes: 2 * xt(1, 0, 1).len()
        }
    );
    assert!(h.ready_order().is_empty());
    h.pool.submit(xt(1, 0, 1)).unwrap();
    assert_eq!(h.ready_order(), vec![(1, 0), (1, 1), (1, 2)]);
    assert_eq!(h.pool.status().future, 0);
    h.check();
}

#[test]
fn future_promoted_after_import_closes_the_gap() {
    let h = Harness::small();
    h.pool.submit(xt(1, 0, 1)).unwrap();
    h.pool.submit(xt(1, 2, 1)).unwrap();
    assert_eq!(h.ready_order(), vec![(1, 0)]);
    // A block with nonce 0 (ours) and nonce 1 (sent elsewhere) arrives.
    let ours = h.pool.ready_for_block(1, usize::MAX);
    h.chain.set_nonce(1, 2);
    h.pool.on_block_imported(H256([1; 32]), &[ours[0].0]);
    assert_eq!(h.ready_order(), vec![(1, 2)]);
    h.check();
}

#[test]
fn included_transactions_leave_and_successors_stay_ready() {
    let h = Harness::small();
    for nonce in 0..4 {
        h.pool.submit(xt(1, nonce, 1)).unwrap();
    }
    let (_, included) = h.author_block(2);
    assert_eq!(included.len(), 2);
    assert!(included.iter().all(|hash| !h.pool.contains(hash)));
    assert_eq!(h.ready_order(), vec![(1, 2), (1, 3)]);
}

#[test]
fn stale_nonce_of_an_unrelated_sender_found_by_revalidation() {
    let h = Harness::small();
    h.pool.submit(xt(1, 0, 1)).unwrap();
    h.pool.submit(xt(1, 1, 1)).unwrap();
    // Sender 1's nonce 0 went in elsewhere, under different bytes; the block
    // holds none of our transactions.
    h.chain.set_nonce(1, 1);
    h.import_block(&[]);
    assert_eq!(h.ready_order(), vec![(1, 1)]);
}

#[test]
fn submission_with_stale_nonce_is_refused_and_banned() {
    let h = Harness::small();
    h.chain.set_nonce(1, 5);
    let bytes = xt(1, 4, 1);
    assert_eq!(
        h.pool.submit(bytes.clone()),
        Err(PoolError::Invalid(InvalidTransaction::Stale {
            expected: 5,
            got: 4
        }))
    );
    assert!(matches!(
        h.pool.submit(bytes),
        Err(PoolError::TemporarilyBanned(_))
    ));
}

#[test]
fn expired_transactions_removed_on_import() {
    let h = Harness::small();
    h.pool
        .submit(
            Tx {
                valid_until: 1,
                ..Tx::new(1, 0, 1)
            }
            .encode(),
        )
        .unwrap();
    h.pool
        .submit(
            Tx {
                valid_until: 2,
                ..Tx::new(2, 0, 1)
            }
            .encode(),
        )
        .unwrap();
    // Block 1 is the last one that may hold sender 1's transaction.
    h.import_block(&[]);
    assert_eq!(h.ready_order(), vec![(2, 0)]);
    h.import_block(&[]);
    assert!(h.ready_order().is_empty());
    assert_eq!(h.pool.status(), PoolStatus::default());
}

#[test]
fn expiring_mid_chain_demotes_the_rest() {
    let h = Harness::small();
    h.pool.submit(xt(1, 0, 1)).unwrap();
    h.pool
        .submit(
            Tx {
                valid_until: 1,
                ..Tx::new(1, 1, 1)
            }
            .encode(),
        )
        .unwrap();
    h.pool.submit(xt(1, 2, 1)).unwrap();
    h.import_block(&[]);
    assert_eq!(h.ready_order(), vec![(1, 0)]);
    assert_eq!(h.pool.status().future, 1);
}

#[test]
fn revalidation_drops_what_can_no_longer_pay_without_banning() {
    let h = Harness::small();
    let bytes = xt(1, 0, 1);
    h.pool.submit(bytes.clone()).unwrap();
    h.chain.set_balance(1, 0);
    h.import_block(&[]);
    assert_eq!(h.pool.status().ready, 0);
    // Funding the account makes the same bytes acceptable again.
    h.chain.set_balance(1, 1_000_000);
    assert!(h.pool.submit(bytes).is_ok());
}

#[test]
fn remove_invalid_bans_even_unknown_hashes() {
    let h = Harness::small();
    let bytes = xt(1, 0, 1);
    let hash = hm_primitives::blake3_256(&bytes);
    h.pool.remove_invalid(&[hash]);
    assert_eq!(
        h.pool.submit(bytes),
        Err(PoolError::TemporarilyBanned(hash))
    );
}

#[test]
fn remove_invalid_learns_the_moved_nonce() {
    let h = Harness::small();
    let first = h.pool.submit(xt(1, 0, 1)).unwrap();
    h.pool.submit(xt(1, 1, 1)).unwrap();
    // Nonce 0 was used by another transaction, so ours failed to apply.
    h.chain.set_nonce(1, 1);
    h.pool.remove_invalid(&[first]);
    assert_eq!(h.ready_order(), vec![(1, 1)]);
    h.check();
}

#[test]
fn block_imported_during_validation_is_taken_into_account() {
    let h = Harness::small();
    let racing = h.pool.submit(xt(1, 0, 1)).unwrap();
    let pool = h.pool.clone();
    let chain = h.chain.clone();
    // While sender 2's nonce-0 transaction is being validated, a block using
    // sender 2's nonce 0 (other bytes) and ours from sender 1 is imported.
    h.chain.on_next_validate(move || {
        chain.set_nonce(1, 1);
        chain.set_nonce(2, 1);
        pool.on_block_imported(H256([3; 32]), &[racing]);
    });
    assert_eq!(
        h.pool.submit(xt(2, 0, 1)),
        Err(PoolError::Invalid(InvalidTransaction::Stale {
            expected: 1,
            got: 0
        }))
    );
    assert_eq!(h.pool.status(), PoolStatus::default());
    h.check();
}

#[test]
fn submission_expiring_during_validation_is_refused() {
    let h = Harness::small();
    let pool = h.pool.clone();
    let chain = h.chain.clone();
    h.chain.on_next_validate(move || {
        chain.set_best(5);
        pool.on_block_imported(H256([4; 32]), &[]);
    });
    let bytes = Tx {
        valid_until: 5,
        ..Tx::new(1, 0, 1)
    }
    .encode();
    assert_eq!(
        h.pool.submit(bytes),
        Err(PoolError::Invalid(InvalidTransaction::Expired {
            valid_until: 5,
            current: 5
        }))
    );
}

#[test]
fn import_of_unknown_hashes_changes_nothing() {
    let h = Harness::small();
    h.pool.submit(xt(1, 0, 1)).unwrap();
    h.pool.on_block_imported(H256([9; 32]), &[H256([8; 32])]);
    assert_eq!(h.ready_order(), vec![(1, 0)]);
    h.check();
}

#[test]
fn concurrent_submissions_all_land() {
    let h = Harness::new(crate::PoolConfig {
        max_count: 10_000,
        max_per_sender: 64,
        ..super::mock::small_config()
    });
    std::thread::scope(|scope| {
        for sender in 0..8u8 {
            let pool = &h.pool;
            scope.spawn(move || {
                for nonce in 0..30 {
                    pool.submit(xt(sender, nonce, u64::from(sender))).unwrap();
                }
            });
        }
    });
    assert_eq!(h.pool.status().ready, 240);
    h.check();
    let order = h.ready_order();
    for sender in 0..8u8 {
        let nonces: Vec<u64> = order
            .iter()
            .filter(|(s, _)| *s == sender)
            .map(|(_, n)| *n)
            .collect();
        assert_eq!(nonces, (0..30).collect::<Vec<_>>());
    }
}

#[test]
fn pool_is_send_and_sync() {
    fn shareable<T: Send + Sync>() {}
    shareable::<crate::TransactionPool>();
}
