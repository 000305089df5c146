//! `next_nonce` and `pending_limited`: answered from the pool's per-sender index.
use super::mock::{account, xt, Harness};
use hm_client_api::TransactionPoolApi;
use hm_primitives::H256;

#[test]
fn next_nonce_walks_the_senders_gap_free_run() {
    let h = Harness::small();
    for nonce in [0, 1, 3] {
        h.pool.submit(xt(1, nonce, 1)).unwrap();
    }
    h.pool.submit(xt(2, 0, 1)).unwrap();
    assert_eq!(
        h.pool.next_nonce(&account(1), 0),
        2,
        "stops at the gap before 3"
    );
    assert_eq!(
        h.pool.next_nonce(&account(1), 3),
        4,
        "a run may start at a future nonce"
    );
    assert_eq!(h.pool.next_nonce(&account(1), 2), 2, "nothing pooled at 2");
    assert_eq!(h.pool.next_nonce(&account(2), 0), 1);
    assert_eq!(h.pool.next_nonce(&account(9), 7), 7, "unknown sender");
    h.check();
}

#[test]
fn next_nonce_follows_inclusion_and_removal() {
    let h = Harness::small();
    for nonce in 0..3 {
        h.pool.submit(xt(1, nonce, 1)).unwrap();
    }
    assert_eq!(h.pool.next_nonce(&account(1), 0), 3);
    // Nonce 0 goes into a block: the chain moves to 1, the pool still holds 1 and 2.
    let first = h.pool.ready_for_block(1, usize::MAX);
    h.chain.set_nonce(1, 1);
    h.pool.on_block_imported(H256([1; 32]), &[first[0].0]);
    assert_eq!(h.pool.next_nonce(&account(1), 1), 3);
    // Nonce 1 is removed as invalid: 2 is left behind a gap.
    let second = h.pool.ready_for_block(1, usize::MAX);
    h.pool.remove_invalid(&[second[0].0]);
    assert_eq!(h.pool.next_nonce(&account(1), 1), 1);
    h.check();
}

#[test]
fn pending_limited_stops_at_count_and_bytes() {
    let h = Harness::small();
    for nonce in 0..3 {
        h.pool.submit(xt(1, nonce, 1)).unwrap();
    }
    // A future one, listed after every ready one.
    h.pool.submit(xt(2, 5, 9)).unwrap();
    let all = h.pool.pending();
    assert_eq!(all.len(), 4);
    assert_eq!(h.pool.pending_limited(usize::MAX, usize::MAX), all);
    assert_eq!(h.pool.pending_limited(2, usize::MAX), all[..2].to_vec());
    let one = all[0].len();
    assert_eq!(h.pool.pending_limited(10, 3 * one), all[..3].to_vec());
    assert_eq!(h.pool.pending_limited(10, 4 * one - 1), all[..3].to_vec());
    assert!(h.pool.pending_limited(0, usize::MAX).is_empty());
    assert!(h.pool.pending_limited(10, one - 1).is_empty());
}
