//! Status sequences seen through `submit_and_watch`.
use super::mock::{drain, xt, Harness, Tx};
use crate::PoolConfig;
use hm_client_api::{TransactionPoolApi, TxStatus};

#[test]
fn future_then_ready_then_in_block_then_finalized() {
    let h = Harness::small();
    let (hash1, mut rx1) = h.pool.submit_and_watch(xt(1, 1, 5)).unwrap();
    assert_eq!(drain(&mut rx1), (vec![TxStatus::Future], false));
    let (hash0, mut rx0) = h.pool.submit_and_watch(xt(1, 0, 5)).unwrap();
    assert_eq!(drain(&mut rx0), (vec![TxStatus::Ready], false));
    assert_eq!(drain(&mut rx1), (vec![TxStatus::Ready], false));

    let (block, included) = h.author_block(10);
    assert_eq!(included, vec![hash0, hash1]);
    assert_eq!(drain(&mut rx0), (vec![TxStatus::InBlock(block)], false));
    assert_eq!(drain(&mut rx1), (vec![TxStatus::InBlock(block)], false));

    h.pool.on_block_finalized(block, &included);
    assert_eq!(drain(&mut rx0), (vec![TxStatus::Finalized(block)], true));
    assert_eq!(drain(&mut rx1), (vec![TxStatus::Finalized(block)], true));
}

#[test]
fn finality_before_import_notice_reports_both() {
    let h = Harness::small();
    let bytes = xt(1, 0, 5);
    let (hash, mut rx) = h.pool.submit_and_watch(bytes).unwrap();
    let block = hm_primitives::H256([7; 32]);
    h.chain.set_nonce(1, 1);
    h.pool.on_block_finalized(block, &[hash]);
    assert_eq!(
        drain(&mut rx),
        (
            vec![
                TxStatus::Ready,
                TxStatus::InBlock(block),
                TxStatus::Finalized(block)
            ],
            true
        )
    );
    assert!(!h.pool.contains(&hash));
    h.check();
}

#[test]
fn evicted_transaction_reports_dropped() {
    let h = Harness::new(PoolConfig {
        max_count: 1,
        ..super::mock::small_config()
    });
    let (_, mut rx) = h.pool.submit_and_watch(xt(1, 5, 1)).unwrap();
    h.pool.submit(xt(2, 0, 9)).unwrap();
    assert_eq!(
        drain(&mut rx),
        (vec![TxStatus::Future, TxStatus::Dropped], true)
    );
}

#[test]
fn replaced_transaction_reports_usurped() {
    let h = Harness::small();
    let (_, mut rx) = h.pool.submit_and_watch(xt(1, 0, 1)).unwrap();
    let better = h.pool.submit(xt(1, 0, 2)).unwrap();
    assert_eq!(
        drain(&mut rx),
        (vec![TxStatus::Ready, TxStatus::Usurped(better)], true)
    );
}

#[test]
fn removed_invalid_reports_invalid_and_successor_goes_future() {
    let h = Harness::small();
    let (hash0, mut rx0) = h.pool.submit_and_watch(xt(1, 0, 1)).unwrap();
    let (_, mut rx1) = h.pool.submit_and_watch(xt(1, 1, 1)).unwrap();
    h.pool.remove_invalid(&[hash0]);
    assert_eq!(
        drain(&mut rx0),
        (vec![TxStatus::Ready, TxStatus::Invalid], true)
    );
    assert_eq!(
        drain(&mut rx1),
        (vec![TxStatus::Ready, TxStatus::Future], false)
    );
    h.check();
}

#[test]
fn expired_transaction_reports_invalid() {
    let h = Harness::small();
    let (_, mut rx) = h
        .pool
        .submit_and_watch(
            Tx {
                valid_until: 1,
                ..Tx::new(1, 0, 1)
            }
            .encode(),
        )
        .unwrap();
    h.import_block(&[]);
    assert_eq!(
        drain(&mut rx),
        (vec![TxStatus::Ready, TxStatus::Invalid], true)
    );
}

#[test]
fn stale_after_import_reports_invalid() {
    let h = Harness::small();
    let (_, mut rx) = h.pool.submit_and_watch(xt(1, 1, 1)).unwrap();
    let first = h.pool.submit(xt(1, 0, 1)).unwrap();
    // Another node's block used nonces 0 and 1 of sender 1 with other bytes.
    h.chain.set_nonce(1, 2);
    h.pool
        .on_block_imported(hm_primitives::H256([1; 32]), &[first]);
    assert_eq!(
        drain(&mut rx),
        (
            vec![TxStatus::Future, TxStatus::Ready, TxStatus::Invalid],
            true
        )
    );
    h.check();
}

#[test]
fn rejected_submission_gets_no_channel() {
    let h = Harness::small();
    h.pool.submit(xt(1, 0, 1)).unwrap();
    assert!(h.pool.submit_and_watch(xt(1, 0, 1)).is_err());
}

#[test]
fn in_block_watchers_are_bounded_when_finality_stalls() {
    let h = Harness::new(PoolConfig {
        max_count: 2,
        ..super::mock::small_config()
    });
    let mut receivers = Vec::new();
    for round in 0..3u8 {
        let (_, rx) = h.pool.submit_and_watch(xt(round, 0, 1)).unwrap();
        receivers.push(rx);
        h.author_block(10);
    }
    assert!(h.pool.state.lock().in_block.len() <= 2);
    // The oldest waiter was let go: it saw InBlock, then the channel closed.
    let (seen, closed) = drain(&mut receivers[0]);
    assert!(closed);
    assert!(matches!(
        seen.as_slice(),
        [TxStatus::Ready, TxStatus::InBlock(_)]
    ));
}
