//! Property test: TotalIssuance equals the sum of balances after any sequence of operations.
use crate::{mock::*, *};
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
        (who, amount()).prop_map(|(who, amount)| Op::Deposit { who, amount }),
    ]
}

proptest! {
    #[test]
    fn issuance_is_the_sum_of_balances(ops in prop::collection::vec(op(), 1..60)) {
        let mut ext = new_ext(&[(ALICE, 10_000), (BOB, 1_000), (CHARLIE, ED)]);
        for op in ops {
            let before = ext.state.clone();
            let result: Result<(), DispatchError> = match op {
                Op::Transfer { from, to, value } =>
                    dispatch(&mut ext, Origin::Signed(PEOPLE[from]), Call::Transfer { dest: PEOPLE[to], value }),
                Op::TransferKeepAlive { from, to, value } =>
                    dispatch(&mut ext, Origin::Signed(PEOPLE[from]), Call::TransferKeepAlive { dest: PEOPLE[to], value }),
                Op::SetBalance { who, free } =>
                    dispatch(&mut ext, Origin::Root, Call::SetBalance { who: PEOPLE[who], free }),
                Op::WithdrawFee { who, amount } => withdraw_fee(&mut ext, &PEOPLE[who], amount).map_err(Into::into),
                Op::Deposit { who, amount } => deposit(&mut ext, &PEOPLE[who], amount).map_err(Into::into),
            };
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
