//! Bonding calls: bond, bond_extra, unbond, withdraw_unbonded; every happy path and every error.
use crate::{mock::*, *};
use hm_pallet_caesar::Error as CaesarError;
use hm_pallet_system::Error as SystemError;

fn bond_call(value: Balance) -> Call {
    Call::Bond { value }
}

#[test]
fn bond_locks_the_funds_in_the_stash() {
    let mut ext = three_validators();
    let issuance = caesar::total_issuance(&ext);
    assert_eq!(
        dispatch(&mut ext, signed(DAVE), bond_call(500 * CAES)),
        Ok(())
    );
    // The bond stays in Dave's free balance, locked.
    assert_eq!(free(&ext, &DAVE), FUNDS);
    assert_eq!(locked(&ext, &DAVE), 500 * CAES);
    assert_eq!(caesar::usable_balance(&ext, &DAVE), FUNDS - 500 * CAES);
    assert_eq!(
        ledger(&ext, &DAVE),
        Some(StakingLedger {
            active: 500 * CAES,
            unlocking: vec![]
        })
    );
    assert_eq!(total_held(&ext), 6_500 * CAES);
    assert_eq!(caesar::total_issuance(&ext), issuance);
    assert_eq!(
        events(&ext),
        vec![Event::Bonded {
            stash: DAVE,
            amount: 500 * CAES
        }]
    );
    assert_invariants(&ext);
}

#[test]
fn bond_errors() {
    let mut ext = three_validators();
    assert_noop(
        &mut ext,
        signed(ALICE),
        bond_call(CAES),
        Error::AlreadyBonded.into(),
    );
    assert_noop(
        &mut ext,
        signed(DAVE),
        bond_call(ED - 1),
        Error::BondTooSmall.into(),
    );
    assert_noop(
        &mut ext,
        signed(DAVE),
        bond_call(0),
        Error::BondTooSmall.into(),
    );
    assert_noop(
        &mut ext,
        signed(DAVE),
        bond_call(FUNDS + 1),
        Error::InsufficientUsableBalance.into(),
    );
    assert_noop(
        &mut ext,
        Origin::Root,
        bond_call(CAES),
        SystemError::BadOrigin.into(),
    );
    // Funds another pallet locked cannot back a bond (locks overlap, they don't add up).
    caesar::set_lock(&mut ext, *b"democrac", &DAVE, 4_000 * CAES, None).unwrap();
    assert_noop(
        &mut ext,
        signed(DAVE),
        bond_call(6_000 * CAES + 1),
        Error::InsufficientUsableBalance.into(),
    );
    assert_eq!(
        dispatch(&mut ext, signed(DAVE), bond_call(6_000 * CAES)),
        Ok(())
    );
    // Locks overlap: the staking lock is now the larger, so 4000 are usable again.
    assert_eq!(caesar::usable_balance(&ext, &DAVE), 4_000 * CAES);
    // A stash may bond its whole balance: the funds do not leave it.
    assert_eq!(dispatch(&mut ext, signed(EVE), bond_call(FUNDS)), Ok(()));
    assert_eq!((free(&ext, &EVE), locked(&ext, &EVE)), (FUNDS, FUNDS));
    assert_invariants(&ext);
}

#[test]
fn a_locked_bond_cannot_be_transferred_but_counts_in_free() {
    let mut ext = three_validators();
    let issuance = caesar::total_issuance(&ext);
    // Alice bonded 1000 CAES at genesis: they are hers, in her free balance and the issuance.
    assert_eq!(free(&ext, &ALICE), FUNDS);
    assert_eq!(locked(&ext, &ALICE), 1_000 * CAES);
    let usable = FUNDS - 1_000 * CAES;
    for call in [
        caesar::Call::Transfer {
            dest: EVE,
            value: usable + 1,
        },
        caesar::Call::TransferKeepAlive {
            dest: EVE,
            value: usable + 1,
        },
    ] {
        let before = ext.state.clone();
        assert_eq!(
            caesar::dispatch(&mut ext, signed(ALICE), call),
            Err(CaesarError::LiquidityRestrictions.into())
        );
        assert!(ext.state == before);
    }
    // Everything above the bond may go.
    let call = caesar::Call::Transfer {
        dest: EVE,
        value: usable,
    };
    assert_eq!(caesar::dispatch(&mut ext, signed(ALICE), call), Ok(()));
    assert_eq!(free(&ext, &ALICE), 1_000 * CAES);
    assert_eq!(caesar::total_issuance(&ext), issuance);
    assert_invariants(&ext);
}

#[test]
fn bond_extra_adds_to_the_active_bond() {
    let mut ext = three_validators();
    let call = Call::BondExtra { value: 250 * CAES };
    assert_eq!(dispatch(&mut ext, signed(ALICE), call), Ok(()));
    assert_eq!(active(&ext, &ALICE), 1_250 * CAES);
    assert_eq!(free(&ext, &ALICE), FUNDS);
    assert_eq!(locked(&ext, &ALICE), 1_250 * CAES);
    assert_eq!(
        events(&ext),
        vec![Event::Bonded {
            stash: ALICE,
            amount: 250 * CAES
        }]
    );
    assert_invariants(&ext);
}

#[test]
fn bond_extra_errors() {
    let mut ext = three_validators();
    let extra = |value| Call::BondExtra { value };
    assert_noop(&mut ext, signed(DAVE), extra(CAES), Error::NotBonded.into());
    assert_noop(&mut ext, signed(ALICE), extra(0), Error::ZeroAmount.into());
    // Alice's genesis bond is locked already: it cannot back more.
    assert_noop(
        &mut ext,
        signed(ALICE),
        extra(FUNDS),
        Error::InsufficientUsableBalance.into(),
    );
    assert_noop(
        &mut ext,
        Origin::Root,
        extra(CAES),
        SystemError::BadOrigin.into(),
    );
    // A ledger at the top of the range cannot grow.
    let full = StakingLedger {
        active: Balance::MAX,
        unlocking: vec![],
    };
    put(&mut ext, &storage::ledger(&ALICE), &full);
    assert_noop(&mut ext, signed(ALICE), extra(1), Error::Overflow.into());
}

#[test]
fn bond_extra_beyond_the_usable_balance_changes_nothing() {
    let mut ext = three_validators();
    let usable = FUNDS - 1_000 * CAES;
    assert_eq!(caesar::usable_balance(&ext, &ALICE), usable);
    assert_noop(
        &mut ext,
        signed(ALICE),
        Call::BondExtra { value: usable + 1 },
        Error::InsufficientUsableBalance.into(),
    );
    assert_eq!(
        dispatch(&mut ext, signed(ALICE), Call::BondExtra { value: usable }),
        Ok(())
    );
    assert_eq!(locked(&ext, &ALICE), FUNDS);
    assert_eq!(caesar::usable_balance(&ext, &ALICE), 0);
    assert_noop(
        &mut ext,
        signed(ALICE),
        Call::BondExtra { value: 1 },
        Error::InsufficientUsableBalance.into(),
    );
    assert_invariants(&ext);
}

#[test]
fn unbond_starts_a_chunk_that_matures_after_the_period() {
    let mut ext = three_validators();
    assert_eq!(
        dispatch(&mut ext, signed(DAVE), bond_call(500 * CAES)),
        Ok(())
    );
    assert_eq!(
        dispatch(&mut ext, signed(DAVE), Call::Unbond { value: 200 * CAES }),
        Ok(())
    );
    // A second unbond in the same epoch joins the same chunk.
    assert_eq!(
        dispatch(&mut ext, signed(DAVE), Call::Unbond { value: 50 * CAES }),
        Ok(())
    );
    let expected = StakingLedger {
        active: 250 * CAES,
        unlocking: vec![UnlockChunk {
            value: 250 * CAES,
            matures_at: UNBONDING as EpochIndex,
        }],
    };
    assert_eq!(ledger(&ext, &DAVE), Some(expected));
    assert!(events(&ext).contains(&Event::Unbonded {
        stash: DAVE,
        amount: 50 * CAES,
        matures_at: 2
    }));
    // Unbonding funds stay locked until withdrawn.
    assert_eq!(free(&ext, &DAVE), FUNDS);
    assert_eq!(locked(&ext, &DAVE), 500 * CAES);
    assert_invariants(&ext);

    // Not matured in epoch 1; matured at the first block of epoch 2.
    run_to_epoch(&mut ext, 1);
    assert_noop(
        &mut ext,
        signed(DAVE),
        Call::WithdrawUnbonded,
        Error::NothingToWithdraw.into(),
    );
    run_to_block(&mut ext, 2 * EPOCH - 1, &ALICE);
    assert_noop(
        &mut ext,
        signed(DAVE),
        Call::WithdrawUnbonded,
        Error::NothingToWithdraw.into(),
    );
    run_to_epoch(&mut ext, 2);
    assert_eq!(
        dispatch(&mut ext, signed(DAVE), Call::WithdrawUnbonded),
        Ok(())
    );
    // Withdrawing lowers the lock to what is still bonded.
    assert_eq!(free(&ext, &DAVE), FUNDS);
    assert_eq!(locked(&ext, &DAVE), 250 * CAES);
    assert_eq!(caesar::usable_balance(&ext, &DAVE), FUNDS - 250 * CAES);
    assert_eq!(
        ledger(&ext, &DAVE),
        Some(StakingLedger {
            active: 250 * CAES,
            unlocking: vec![]
        })
    );
    assert!(events(&ext).contains(&Event::Withdrawn {
        stash: DAVE,
        amount: 250 * CAES
    }));
    assert_invariants(&ext);
}

#[test]
fn chunks_of_different_epochs_mature_separately() {
    let mut ext = three_validators();
    assert_eq!(
        dispatch(&mut ext, signed(DAVE), bond_call(300 * CAES)),
        Ok(())
    );
    assert_eq!(
        dispatch(&mut ext, signed(DAVE), Call::Unbond { value: 100 * CAES }),
        Ok(())
    );
    run_to_epoch(&mut ext, 1);
    assert_eq!(
        dispatch(&mut ext, signed(DAVE), Call::Unbond { value: 200 * CAES }),
        Ok(())
    );
    run_to_epoch(&mut ext, 2);
    assert_eq!(
        dispatch(&mut ext, signed(DAVE), Call::WithdrawUnbonded),
        Ok(())
    );
    assert_eq!(locked(&ext, &DAVE), 200 * CAES);
    run_to_epoch(&mut ext, 3);
    assert_eq!(
        dispatch(&mut ext, signed(DAVE), Call::WithdrawUnbonded),
        Ok(())
    );
    assert_eq!(free(&ext, &DAVE), FUNDS);
    // Everything withdrawn: the ledger is gone, and the lock with it.
    assert_eq!(ledger(&ext, &DAVE), None);
    assert_eq!(caesar::locks(&ext, &DAVE), vec![]);
    assert!(
        system::pallet_events(&ext, caesar::PALLET_INDEX).contains(&caesar::Event::Unlocked {
            who: DAVE,
            id: STAKING_LOCK_ID
        })
    );
    assert_invariants(&ext);
}

#[test]
fn unbond_errors() {
    let mut ext = three_validators();
    let unbond = |value| Call::Unbond { value };
    assert_noop(
        &mut ext,
        signed(DAVE),
        unbond(CAES),
        Error::NotBonded.into(),
    );
    assert_noop(&mut ext, signed(ALICE), unbond(0), Error::ZeroAmount.into());
    assert_noop(
        &mut ext,
        signed(ALICE),
        unbond(1_000 * CAES + 1),
        Error::InsufficientBond.into(),
    );
    // A candidate keeps the minimum bond; after chilling it may leave entirely.
    assert_noop(
        &mut ext,
        signed(ALICE),
        unbond(900 * CAES + 1),
        Error::BelowMinimumBond.into(),
    );
    assert_eq!(
        dispatch(&mut ext, signed(ALICE), unbond(900 * CAES)),
        Ok(())
    );
    assert_eq!(dispatch(&mut ext, signed(ALICE), Call::Chill), Ok(()));
    assert_eq!(
        dispatch(&mut ext, signed(ALICE), unbond(100 * CAES)),
        Ok(())
    );
    assert_noop(
        &mut ext,
        Origin::Root,
        unbond(1),
        SystemError::BadOrigin.into(),
    );
    assert_invariants(&ext);
}

#[test]
fn unbond_refuses_a_33rd_chunk_and_an_epoch_overflow() {
    let mut ext = three_validators();
    let ledger_with_chunks = StakingLedger {
        active: 10 * CAES,
        unlocking: (0..MAX_UNLOCKING_CHUNKS as u64)
            .map(|i| UnlockChunk {
                value: 1,
                matures_at: 100 + i,
            })
            .collect(),
    };
    put(&mut ext, &storage::ledger(&DAVE), &ledger_with_chunks);
    assert_noop(
        &mut ext,
        signed(DAVE),
        Call::Unbond { value: 1 },
        Error::NoMoreChunks.into(),
    );
    put(&mut ext, &storage::current_epoch(), &EpochIndex::MAX);
    assert_noop(
        &mut ext,
        signed(ALICE),
        Call::Unbond { value: 1 },
        Error::Overflow.into(),
    );
}

#[test]
fn withdraw_errors() {
    let mut ext = three_validators();
    assert_noop(
        &mut ext,
        signed(DAVE),
        Call::WithdrawUnbonded,
        Error::NotBonded.into(),
    );
    assert_noop(
        &mut ext,
        signed(ALICE),
        Call::WithdrawUnbonded,
        Error::NothingToWithdraw.into(),
    );
    assert_noop(
        &mut ext,
        Origin::Root,
        Call::WithdrawUnbonded,
        SystemError::BadOrigin.into(),
    );

    // Dave bonds and unbonds; the bond can't leave his account, so it is always there
    // to unlock.
    assert_eq!(dispatch(&mut ext, signed(DAVE), bond_call(ED + 10)), Ok(()));
    assert_eq!(
        dispatch(&mut ext, signed(DAVE), Call::Unbond { value: 10 }),
        Ok(())
    );
    let drain = caesar::Call::Transfer {
        dest: EVE,
        value: free(&ext, &DAVE),
    };
    assert_eq!(
        caesar::dispatch(&mut ext, signed(DAVE), drain),
        Err(CaesarError::LiquidityRestrictions.into())
    );
    run_to_epoch(&mut ext, UNBONDING as EpochIndex);
    assert_invariants(&ext);

    // A TotalHeld that lost track of a ledger is refused, not driven below zero.
    put(&mut ext, &storage::total_held(), &5u128);
    assert_noop(
        &mut ext,
        signed(DAVE),
        Call::WithdrawUnbonded,
        Error::Overflow.into(),
    );
}
