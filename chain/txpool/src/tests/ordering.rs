//! Block selection order and its bounds.
use super::mock::{decoded, xt, Harness, Tx};
use hm_client_api::TransactionPoolApi;

#[test]
fn ready_ordered_by_tip_across_senders() {
    let h = Harness::small();
    h.pool.submit(xt(1, 0, 10)).unwrap();
    h.pool.submit(xt(2, 0, 30)).unwrap();
    h.pool.submit(xt(3, 0, 20)).unwrap();
    assert_eq!(h.ready_order(), vec![(2, 0), (3, 0), (1, 0)]);
    h.check();
}

#[test]
fn equal_tips_keep_arrival_order() {
    let h = Harness::small();
    for sender in [5, 3, 9] {
        h.pool.submit(xt(sender, 0, 7)).unwrap();
    }
    assert_eq!(h.ready_order(), vec![(5, 0), (3, 0), (9, 0)]);
}

#[test]
fn nonce_order_within_sender_beats_a_higher_tip() {
    let h = Harness::small();
    // Sender 1's nonce 1 pays the most but must wait for its cheap nonce 0.
    h.pool.submit(xt(1, 0, 1)).unwrap();
    h.pool.submit(xt(1, 1, 100)).unwrap();
    h.pool.submit(xt(2, 0, 50)).unwrap();
    h.pool.submit(xt(2, 1, 5)).unwrap();
    assert_eq!(h.ready_order(), vec![(2, 0), (2, 1), (1, 0), (1, 1)]);
    h.check();
}

#[test]
fn successor_competes_as_soon_as_its_predecessor_is_chosen() {
    let h = Harness::small();
    h.pool.submit(xt(1, 0, 50)).unwrap();
    h.pool.submit(xt(1, 1, 40)).unwrap();
    h.pool.submit(xt(2, 0, 45)).unwrap();
    h.pool.submit(xt(3, 0, 10)).unwrap();
    assert_eq!(h.ready_order(), vec![(1, 0), (2, 0), (1, 1), (3, 0)]);
}

#[test]
fn ready_for_block_stops_at_max_count() {
    let h = Harness::small();
    for sender in 0..5 {
        h.pool.submit(xt(sender, 0, u64::from(sender))).unwrap();
    }
    let chosen = h.pool.ready_for_block(2, usize::MAX);
    let order: Vec<_> = chosen.iter().map(|(_, b)| decoded(b)).collect();
    assert_eq!(order, vec![(4, 0), (3, 0)]);
    assert!(h.pool.ready_for_block(0, usize::MAX).is_empty());
}

#[test]
fn ready_for_block_respects_max_bytes_and_skips_what_does_not_fit() {
    let h = Harness::small();
    let big = Tx {
        pad: 1000,
        ..Tx::new(1, 0, 100)
    }
    .encode();
    let big_len = big.len();
    h.pool.submit(big).unwrap();
    // Sender 1's successor depends on the skipped transaction and must not appear.
    h.pool.submit(xt(1, 1, 100)).unwrap();
    h.pool.submit(xt(2, 0, 50)).unwrap();
    h.pool.submit(xt(3, 0, 10)).unwrap();
    let small_len = xt(2, 0, 50).len();
    let chosen = h.pool.ready_for_block(usize::MAX, 2 * small_len);
    let order: Vec<_> = chosen.iter().map(|(_, b)| decoded(b)).collect();
    assert_eq!(order, vec![(2, 0), (3, 0)]);
    let total: usize = chosen.iter().map(|(_, b)| b.len()).sum();
    assert!(total <= 2 * small_len);
    // With room for the big one everything fits, in order.
    let all = h.pool.ready_for_block(usize::MAX, big_len + 3 * small_len);
    assert_eq!(all.len(), 4);
    assert!(h.pool.ready_for_block(usize::MAX, 0).is_empty());
}

#[test]
fn ready_for_block_returns_hash_of_bytes() {
    let h = Harness::small();
    let bytes = xt(1, 0, 1);
    let hash = h.pool.submit(bytes.clone()).unwrap();
    assert_eq!(hash, hm_primitives::blake3_256(&bytes));
    assert_eq!(h.pool.ready_for_block(10, usize::MAX), vec![(hash, bytes)]);
}

#[test]
fn pending_lists_ready_in_block_order_then_futures() {
    let h = Harness::small();
    h.pool.submit(xt(1, 3, 90)).unwrap(); // future
    h.pool.submit(xt(2, 0, 5)).unwrap();
    h.pool.submit(xt(3, 0, 50)).unwrap();
    h.pool.submit(xt(4, 2, 10)).unwrap(); // future
    let order: Vec<_> = h.pool.pending().iter().map(|b| decoded(b)).collect();
    assert_eq!(order, vec![(3, 0), (2, 0), (1, 3), (4, 2)]);
}
