//! Property test: TotalIssuance equals the sum of balances after any sequence of
//! operations, with locks set, extended, removed and expiring among them; locked funds
//! never leave an account.
use crate::{mock::*, *};
use hm_primitives::BlockNumber;
use hm_support::DispatchError;
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Op {
    Transfer {
        from: usize,
        to: usize,
        value: Balance,
    },
    TransferKeepAlive {
        from: usize,
        to: usize,
        value: Balance,
    },
    SetBalance {
        who: usize,
        free: Balance,
    },
    WithdrawFee {
        who: usize,
        amount: Balance,
    },
    Deposit {
        who: usize,
        amount: Balance,
    },
    SetLock {
        who: usize,
        id: u8,
        amount: Balance,
        until: Option<BlockNumber>,
    },
    ExtendLock {
        who: usize,
        id: u8,
        amount: Balance,
        until: Option<BlockNumber>,
    },
    RemoveLock {
        who: usize,
        id: u8,
    },
    Reserve {
        who: usize,
        amount: Balance,
    },
    NextBlock,
}

fn lock_id(id: u8) -> LockIdentifier {
    [id; 8]
}

/// Lock amounts: often below the ED, so that a locked account can be near reaping.
fn lock_amount() -> impl Strategy<Value = Balance> {
    prop_oneof![1..ED, amount()]
}

/// Expiries around the first few blocks, so that locks expire during a run.
fn until() -> impl Strategy<Value = Option<BlockNumber>> {
    prop_oneof![Just(None), (0..8u64).prop_map(Some)]
}

const PEOPLE: [AccountId; 4] = [ALICE, BOB, CHARLIE, AUTHOR];

fn amount() -> impl Strategy<Value = Balance> {
    prop_oneof![
        0..2 * ED,
        0..100_000u128,
        Just(Balance::MAX),
        (Balance::MAX - 1_000_000)..=Balance::MAX,
        any::<u128>()
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let who = 0..PEOPLE.len();
    prop_oneof![
        (who.clone(), who.clone(), amount()).prop_map(|(from, to, value)| Op::Transfer {
            from,
            to,
            value
        }),
        (who.clone(), who.clone(), amount()).prop_map(|(from, to, value)| Op::TransferKeepAlive {
            from,
            to,
            value
        }),
        (who.clone(), amount()).prop_map(|(who, free)| Op::SetBalance { who, free }),
        (who.clone(), amount()).prop_map(|(who, amount)| Op::WithdrawFee { who, amount }),
        (who.clone(), amount()).prop_map(|(who, amount)| Op::Deposit { who, amount }),
        (who.clone(), 0..3u8, lock_amount(), until()).prop_map(|(who, id, amount, until)| {
            Op::SetLock {
                who,
                id,
                amount,
                until,
            }
        }),
        (who.clone(), 0..3u8, lock_amount(), until()).prop_map(|(who, id, amount, until)| {
            Op::ExtendLock {
                who,
                id,
                amount,
                until,
            }
        }),
        (who.clone(), 0..3u8).prop_map(|(who, id)| Op::RemoveLock { who, id }),
        (who, amount()).prop_map(|(who, amount)| Op::Reserve { who, amount }),
        Just(Op::NextBlock),
    ]
}

proptest! {
    #[test]
    fn issuance_is_the_sum_of_balances(ops in prop::collection::vec(op(), 1..60)) {
        let mut ext = new_ext(&[(ALICE, 10_000), (BOB, 1_000), (CHARLIE, ED)]);
        let mut block: BlockNumber = 1;
        for op in ops {
            let before = ext.state.clone();
            // What the operation takes out of an account's free balance, other than to itself.
            let debit = match op {
                Op::Transfer { from, to, value } | Op::TransferKeepAlive { from, to, value }
                    if from != to => Some((PEOPLE[from], value)),
                Op::WithdrawFee { who, amount } | Op::Reserve { who, amount } => Some((PEOPLE[who], amount)),
                _ => None,
            };
            let usable_before = debit.map(|(who, _)| usable_balance(&ext, &who));
            // Free funds the locks hold, which must still be free afterwards (not burned as dust).
            let held_before = debit.map(|(who, _)| free_balance(&ext, &who).min(frozen_balance(&ext, &who)));
            let result: Result<(), DispatchError> = match op.clone() {
                Op::Transfer { from, to, value } =>
                    dispatch(&mut ext, Origin::Signed(PEOPLE[from]), Call::Transfer { dest: PEOPLE[to], value }),
                Op::TransferKeepAlive { from, to, value } =>
                    dispatch(&mut ext, Origin::Signed(PEOPLE[from]), Call::TransferKeepAlive { dest: PEOPLE[to], value }),
                Op::SetBalance { who, free } =>
                    dispatch(&mut ext, Origin::Root, Call::SetBalance { who: PEOPLE[who], free }),
                Op::WithdrawFee { who, amount } => withdraw_fee(&mut ext, &PEOPLE[who], amount).map_err(Into::into),
                Op::Deposit { who, amount } => deposit(&mut ext, &PEOPLE[who], amount).map_err(Into::into),
                Op::SetLock { who, id, amount, until } =>
                    set_lock(&mut ext, lock_id(id), &PEOPLE[who], amount, until).map_err(Into::into),
                Op::ExtendLock { who, id, amount, until } =>
                    extend_lock(&mut ext, lock_id(id), &PEOPLE[who], amount, until).map_err(Into::into),
                Op::RemoveLock { who, id } => {
                    remove_lock(&mut ext, lock_id(id), &PEOPLE[who]);
                    Ok(())
                }
                Op::Reserve { who, amount } => reserve(&mut ext, &PEOPLE[who], amount).map_err(Into::into),
                Op::NextBlock => {
                    block += 1;
                    hm_pallet_system::on_initialize(&mut ext, block, &hm_primitives::H256::ZERO, 0, &AUTHOR);
                    Ok(())
                }
            };
            if let (Ok(()), Some((_, amount)), Some(usable)) = (&result, debit, usable_before) {
                prop_assert!(amount <= usable, "{op:?} spent locked funds");
            }
            if let (Ok(()), Some((who, _)), Some(held)) = (&result, debit, held_before) {
                prop_assert!(free_balance(&ext, &who) >= held, "{op:?} took locked funds");
            }
            if result.is_err() {
                prop_assert!(ext.state == before, "failed operation changed state");
            }
            assert_invariants(&ext);
        }
    }
}

#[test]
fn try_state_catches_issuance_that_differs_from_the_balances() {
    use hm_support::{put, Pallet as _};
    let mut ext = new_ext(&[(ALICE, 10_000), (BOB, 1_000)]);
    assert_eq!(crate::Pallet::try_state(&ext), Ok(()));
    put(&mut ext, &crate::storage::total_issuance(), &11_001u128);
    assert_eq!(
        crate::Pallet::try_state(&ext),
        Err("total issuance differs from the sum of balances")
    );
}

#[test]
fn try_state_catches_an_account_below_the_existential_deposit() {
    use hm_support::{put, Pallet as _};
    let mut ext = new_ext(&[(ALICE, 10_000)]);
    let dust = crate::AccountData {
        free: ED - 1,
        reserved: 0,
    };
    put(&mut ext, &crate::storage::account(&BOB), &dust);
    put(
        &mut ext,
        &crate::storage::total_issuance(),
        &(10_000 + ED - 1),
    );
    assert_eq!(
        crate::Pallet::try_state(&ext),
        Err("an account exists below the existential deposit")
    );
}
