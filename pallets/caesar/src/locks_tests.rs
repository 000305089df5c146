use crate::{mock::*, *};
use hm_primitives::{BlockNumber, H256};
use hm_support::{MemoryExt, Pallet as _};

const STAKING: LockIdentifier = *b"staking ";
const VOTING: LockIdentifier = *b"democrac";

fn start_block(ext: &mut MemoryExt, number: BlockNumber) {
    hm_pallet_system::on_initialize(ext, number, &H256::ZERO, 0, &AUTHOR);
}

fn lock(id: LockIdentifier, amount: Balance, until: Option<BlockNumber>) -> BalanceLock {
    BalanceLock { id, amount, until }
}

/// Run `f`, which must fail with `expected`, and check that it changed nothing.
fn assert_noop(
    ext: &mut MemoryExt,
    expected: Error,
    f: impl FnOnce(&mut MemoryExt) -> Result<(), Error>,
) {
    let before = ext.state.clone();
    assert_eq!(f(ext), Err(expected));
    assert!(
        ext.state == before,
        "a failed operation must not change state"
    );
}

#[test]
fn the_largest_lock_counts_not_the_sum() {
    let mut ext = new_ext(&[(ALICE, 1_000)]);
    assert_eq!(set_lock(&mut ext, STAKING, &ALICE, 300, None), Ok(()));
    assert_eq!(set_lock(&mut ext, VOTING, &ALICE, 500, None), Ok(()));
    assert_eq!(frozen_balance(&ext, &ALICE), 500);
    assert_eq!(usable_balance(&ext, &ALICE), 500);
    assert_eq!(
        locks(&ext, &ALICE),
        vec![lock(STAKING, 300, None), lock(VOTING, 500, None)]
    );
    // Locked funds stay free: totals and issuance are unchanged.
    assert_eq!(free_balance(&ext, &ALICE), 1_000);
    assert_eq!(total_issuance(&ext), 1_000);
    assert_eq!(
        events(&ext),
        vec![
            Event::Locked {
                who: ALICE,
                id: STAKING,
                amount: 300
            },
            Event::Locked {
                who: ALICE,
                id: VOTING,
                amount: 500
            },
        ]
    );
    // Replacing a lock may shrink it.
    set_lock(&mut ext, VOTING, &ALICE, 100, None).unwrap();
    assert_eq!(frozen_balance(&ext, &ALICE), 300);
    assert_invariants(&ext);
}

#[test]
fn transfers_may_only_move_the_usable_part() {
    let mut ext = new_ext(&[(ALICE, 1_000), (BOB, 1_000)]);
    set_lock(&mut ext, STAKING, &ALICE, 600, None).unwrap();
    for liveness in [Liveness::AllowDeath, Liveness::KeepAlive] {
        assert_noop(&mut ext, Error::LiquidityRestrictions, |ext| {
            transfer(ext, &ALICE, &BOB, 401, liveness)
        });
    }
    // To itself too: the funds are not there to move.
    assert_noop(&mut ext, Error::LiquidityRestrictions, |ext| {
        transfer(ext, &ALICE, &ALICE, 401, Liveness::AllowDeath)
    });
    // Through the call as well, with the error's index.
    let before = ext.state.clone();
    assert_eq!(
        dispatch(
            &mut ext,
            Origin::Signed(ALICE),
            Call::Transfer {
                dest: BOB,
                value: 401
            }
        ),
        Err(hm_support::DispatchError {
            pallet: PALLET_INDEX,
            error: 5,
            message: "the funds are locked",
        })
    );
    assert!(ext.state == before);
    // More than the free balance is still InsufficientBalance.
    assert_noop(&mut ext, Error::InsufficientBalance, |ext| {
        transfer(ext, &ALICE, &BOB, 1_001, Liveness::AllowDeath)
    });

    assert_eq!(
        transfer(&mut ext, &ALICE, &BOB, 400, Liveness::KeepAlive),
        Ok(())
    );
    assert_eq!(free_balance(&ext, &ALICE), 600);
    assert_eq!(usable_balance(&ext, &ALICE), 0);
    // Received funds are usable.
    transfer(&mut ext, &BOB, &ALICE, 50, Liveness::KeepAlive).unwrap();
    assert_eq!(usable_balance(&ext, &ALICE), 50);
    assert_invariants(&ext);
}

#[test]
fn a_locked_sender_is_never_reaped() {
    // Funds left at or above the lock but below the ED would be burned as dust.
    let mut ext = new_ext(&[(ALICE, 150), (BOB, 1_000)]);
    set_lock(&mut ext, STAKING, &ALICE, 50, None).unwrap();
    assert_noop(&mut ext, Error::LiquidityRestrictions, |ext| {
        transfer(ext, &ALICE, &BOB, 100, Liveness::AllowDeath)
    });
    assert_noop(&mut ext, Error::KeepAlive, |ext| {
        transfer(ext, &ALICE, &BOB, 100, Liveness::KeepAlive)
    });
    assert_invariants(&ext);
}

#[test]
fn a_lock_above_the_balance_freezes_everything() {
    let mut ext = new_ext(&[(ALICE, 1_000), (BOB, 1_000)]);
    set_lock(&mut ext, STAKING, &ALICE, Balance::MAX, None).unwrap();
    assert_eq!(frozen_balance(&ext, &ALICE), Balance::MAX);
    assert_eq!(usable_balance(&ext, &ALICE), 0);
    assert_noop(&mut ext, Error::LiquidityRestrictions, |ext| {
        transfer(ext, &ALICE, &BOB, 1, Liveness::AllowDeath)
    });
    // Nothing moves, so nothing is refused.
    assert_eq!(
        transfer(&mut ext, &ALICE, &BOB, 0, Liveness::AllowDeath),
        Ok(())
    );
    assert_invariants(&ext);
}

#[test]
fn fees_are_not_paid_from_locked_funds() {
    let mut ext = new_ext(&[(ALICE, 1_000)]);
    set_lock(&mut ext, STAKING, &ALICE, 900, None).unwrap();
    assert_eq!(
        ensure_can_withdraw_fee(&ext, &ALICE, 101),
        Err(Error::LiquidityRestrictions)
    );
    assert_noop(&mut ext, Error::LiquidityRestrictions, |ext| {
        withdraw_fee(ext, &ALICE, 101)
    });
    assert_eq!(withdraw_fee(&mut ext, &ALICE, 100), Ok(()));
    assert_eq!(free_balance(&ext, &ALICE), 900);
    assert_eq!(free_balance(&ext, &AUTHOR), 100);
    assert_noop(&mut ext, Error::LiquidityRestrictions, |ext| {
        withdraw_fee(ext, &ALICE, 1)
    });
    assert_invariants(&ext);
}

#[test]
fn reserve_respects_locks() {
    let mut ext = new_ext(&[(ALICE, 1_000)]);
    set_lock(&mut ext, STAKING, &ALICE, 900, None).unwrap();
    assert_noop(&mut ext, Error::LiquidityRestrictions, |ext| {
        reserve(ext, &ALICE, 101)
    });
    assert_eq!(reserve(&mut ext, &ALICE, 100), Ok(()));
    assert_eq!(reserved_balance(&ext, &ALICE), 100);
    // Unreserving is never restricted, and the returned funds are usable.
    assert_eq!(unreserve(&mut ext, &ALICE, 100), Ok(()));
    assert_eq!(usable_balance(&ext, &ALICE), 100);
    assert_invariants(&ext);
}

#[test]
fn a_lock_counts_through_its_until_block_and_not_after() {
    let mut ext = new_ext(&[(ALICE, 1_000), (BOB, 1_000)]);
    set_lock(&mut ext, STAKING, &ALICE, 500, Some(2)).unwrap();
    set_lock(&mut ext, VOTING, &ALICE, 200, Some(3)).unwrap();
    assert_eq!(frozen_balance(&ext, &ALICE), 500);
    start_block(&mut ext, 2);
    assert_eq!(frozen_balance(&ext, &ALICE), 500);
    assert_noop(&mut ext, Error::LiquidityRestrictions, |ext| {
        transfer(ext, &ALICE, &BOB, 501, Liveness::KeepAlive)
    });
    start_block(&mut ext, 3);
    assert_eq!(frozen_balance(&ext, &ALICE), 200);
    assert_eq!(
        transfer(&mut ext, &ALICE, &BOB, 800, Liveness::KeepAlive),
        Ok(())
    );
    start_block(&mut ext, 4);
    assert_eq!(frozen_balance(&ext, &ALICE), 0);
    assert_eq!(usable_balance(&ext, &ALICE), 200);
    // Expired locks stay stored until the next write to the account's locks ...
    assert_eq!(locks(&ext, &ALICE).len(), 2);
    assert_invariants(&ext);
    // ... which removes them. A lock whose `until` is past is no lock: nothing is added.
    set_lock(&mut ext, *b"other   ", &ALICE, 100, Some(3)).unwrap();
    assert_eq!(ext.storage_get(&storage::locks(&ALICE)), None);
    assert_eq!(
        events(&ext),
        vec![
            Event::Unlocked {
                who: ALICE,
                id: STAKING
            },
            Event::Unlocked {
                who: ALICE,
                id: VOTING
            },
        ]
    );
    assert_invariants(&ext);
}

#[test]
fn extend_lock_takes_the_larger_amount_and_the_later_expiry() {
    let mut ext = new_ext(&[(ALICE, 1_000)]);
    // On no lock, it sets one.
    extend_lock(&mut ext, STAKING, &ALICE, 300, Some(5)).unwrap();
    assert_eq!(locks(&ext, &ALICE), vec![lock(STAKING, 300, Some(5))]);
    extend_lock(&mut ext, STAKING, &ALICE, 200, Some(10)).unwrap();
    assert_eq!(locks(&ext, &ALICE), vec![lock(STAKING, 300, Some(10))]);
    extend_lock(&mut ext, STAKING, &ALICE, 400, Some(7)).unwrap();
    assert_eq!(locks(&ext, &ALICE), vec![lock(STAKING, 400, Some(10))]);
    extend_lock(&mut ext, STAKING, &ALICE, 100, None).unwrap();
    assert_eq!(locks(&ext, &ALICE), vec![lock(STAKING, 400, None)]);
    // Zero, or nothing larger, changes nothing and says nothing.
    let before = ext.state.clone();
    extend_lock(&mut ext, STAKING, &ALICE, 0, None).unwrap();
    extend_lock(&mut ext, STAKING, &ALICE, 400, Some(1)).unwrap();
    assert!(ext.state == before);
    assert_eq!(
        events(&ext)
            .iter()
            .map(|e| match e {
                Event::Locked { amount, .. } => *amount,
                _ => panic!("unexpected {e:?}"),
            })
            .collect::<Vec<_>>(),
        vec![300, 300, 400, 400]
    );
    assert_invariants(&ext);
}

#[test]
fn extend_lock_ignores_an_expired_lock() {
    let mut ext = new_ext(&[(ALICE, 1_000)]);
    set_lock(&mut ext, STAKING, &ALICE, 900, Some(1)).unwrap();
    start_block(&mut ext, 2);
    extend_lock(&mut ext, STAKING, &ALICE, 100, Some(5)).unwrap();
    assert_eq!(locks(&ext, &ALICE), vec![lock(STAKING, 100, Some(5))]);
    assert_eq!(frozen_balance(&ext, &ALICE), 100);
    assert_invariants(&ext);
}

#[test]
fn removing_the_last_lock_deletes_the_entry() {
    let mut ext = new_ext(&[(ALICE, 1_000)]);
    set_lock(&mut ext, STAKING, &ALICE, 300, None).unwrap();
    set_lock(&mut ext, VOTING, &ALICE, 500, None).unwrap();
    remove_lock(&mut ext, VOTING, &ALICE);
    assert_eq!(locks(&ext, &ALICE), vec![lock(STAKING, 300, None)]);
    // Setting zero removes too.
    set_lock(&mut ext, STAKING, &ALICE, 0, None).unwrap();
    assert_eq!(ext.storage_get(&storage::locks(&ALICE)), None);
    assert_eq!(frozen_balance(&ext, &ALICE), 0);
    assert_eq!(
        events(&ext)[2..],
        [
            Event::Unlocked {
                who: ALICE,
                id: VOTING
            },
            Event::Unlocked {
                who: ALICE,
                id: STAKING
            },
        ]
    );
    // Removing what is not there does nothing.
    let before = ext.state.clone();
    remove_lock(&mut ext, STAKING, &ALICE);
    remove_lock(&mut ext, STAKING, &BOB);
    assert!(ext.state == before);
    assert_invariants(&ext);
}

#[test]
fn an_account_holds_at_most_max_locks() {
    let mut ext = new_ext(&[(ALICE, 1_000)]);
    for i in 0..MAX_LOCKS as u8 {
        set_lock(&mut ext, [i; 8], &ALICE, 10, Some(2 + u64::from(i))).unwrap();
    }
    assert_noop(&mut ext, Error::TooManyLocks, |ext| {
        set_lock(ext, [0xff; 8], &ALICE, 10, None)
    });
    assert_noop(&mut ext, Error::TooManyLocks, |ext| {
        extend_lock(ext, [0xff; 8], &ALICE, 10, None)
    });
    // Changing a held lock needs no new slot.
    assert_eq!(set_lock(&mut ext, [0; 8], &ALICE, 20, Some(2)), Ok(()));
    assert_eq!(extend_lock(&mut ext, [1; 8], &ALICE, 20, None), Ok(()));
    assert_invariants(&ext);
    // An expired lock frees its slot.
    start_block(&mut ext, 3);
    assert_eq!(set_lock(&mut ext, [0xff; 8], &ALICE, 10, None), Ok(()));
    assert_eq!(locks(&ext, &ALICE).len(), MAX_LOCKS as usize);
    assert!(!locks(&ext, &ALICE).iter().any(|l| l.id == [0; 8]));
    assert_invariants(&ext);
}

#[test]
fn a_lock_on_a_missing_account_is_refused() {
    let mut ext = new_ext(&[(ALICE, 1_000)]);
    assert_noop(&mut ext, Error::DeadAccount, |ext| {
        set_lock(ext, STAKING, &BOB, 10, None)
    });
    assert_noop(&mut ext, Error::DeadAccount, |ext| {
        extend_lock(ext, STAKING, &BOB, 10, Some(9))
    });
    assert_eq!(
        hm_support::DispatchError::from(Error::TooManyLocks).error,
        6,
        "error indices are part of the encoding"
    );
}

#[test]
fn a_reaped_account_loses_its_locks() {
    let mut ext = new_ext(&[(ALICE, 1_000), (BOB, 1_000)]);
    set_lock(&mut ext, STAKING, &ALICE, 500, None).unwrap();
    set_balance(&mut ext, &ALICE, ED - 1).unwrap();
    assert_eq!(account(&ext, &ALICE), None);
    assert_eq!(ext.storage_get(&storage::locks(&ALICE)), None);
    assert!(events(&ext).contains(&Event::Unlocked {
        who: ALICE,
        id: STAKING
    }));
    assert_invariants(&ext);

    // A transfer reaps only with no active lock; an expired one goes with the account.
    set_lock(&mut ext, VOTING, &BOB, 500, Some(1)).unwrap();
    start_block(&mut ext, 2);
    assert_eq!(
        transfer(&mut ext, &BOB, &CHARLIE, 950, Liveness::AllowDeath),
        Ok(())
    );
    assert_eq!(account(&ext, &BOB), None);
    assert_eq!(ext.storage_get(&storage::locks(&BOB)), None);
    assert!(events(&ext).contains(&Event::Unlocked {
        who: BOB,
        id: VOTING
    }));
    assert_invariants(&ext);
}

#[test]
fn root_may_set_the_balance_below_the_locks() {
    let mut ext = new_ext(&[(ALICE, 1_000)]);
    set_lock(&mut ext, STAKING, &ALICE, 800, None).unwrap();
    assert_eq!(set_balance(&mut ext, &ALICE, 300), Ok(()));
    assert_eq!(usable_balance(&ext, &ALICE), 0);
    assert_eq!(locks(&ext, &ALICE), vec![lock(STAKING, 800, None)]);
    assert_invariants(&ext);
}

#[test]
fn try_state_catches_bad_lock_entries() {
    let mut ext = new_ext(&[(ALICE, 1_000)]);
    set_lock(&mut ext, STAKING, &ALICE, 10, None).unwrap();
    assert_eq!(crate::Pallet::try_state(&ext), Ok(()));

    let cases: Vec<(AccountId, Vec<BalanceLock>, &str)> = vec![
        (
            BOB,
            vec![lock(STAKING, 10, None)],
            "a lock belongs to an account that does not exist",
        ),
        (ALICE, vec![], "an empty list of locks is stored"),
        (
            ALICE,
            vec![lock(STAKING, 0, None)],
            "a lock of zero is stored",
        ),
        (
            ALICE,
            vec![lock(STAKING, 1, None), lock(STAKING, 2, Some(1))],
            "an account holds two locks with the same id",
        ),
        (
            ALICE,
            (0..=MAX_LOCKS as u8)
                .map(|i| lock([i; 8], 1, None))
                .collect(),
            "an account holds more than MaxLocks locks",
        ),
    ];
    for (who, stored, expected) in cases {
        let mut bad = ext.clone();
        hm_support::put(&mut bad, &storage::locks(&who), &stored);
        assert_eq!(crate::Pallet::try_state(&bad), Err(expected));
    }
}

#[test]
fn metadata_lists_the_locks_map_and_max_locks() {
    let storage: Vec<_> = crate::Pallet::storage_metadata()
        .iter()
        .map(|e| e.name)
        .collect();
    assert_eq!(
        storage,
        ["Account", "TotalIssuance", "ExistentialDeposit", "Locks"]
    );
    let constants = crate::Pallet::constants_metadata();
    assert_eq!(constants[1].name, "MaxLocks");
    assert_eq!(constants[1].value, 16u32.to_le_bytes().to_vec());
}
