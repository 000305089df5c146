//! Property test: any sequence of staking, slashing, rewards, transfers and
//! blocks keeps Caesar's issuance equal to the sum of balances, every stash's
//! staking lock equal to its ledger total, never panics, and failures change
//! nothing. A slash lowers the issuance by exactly what it burned. Then the
//! try_state checks of the lock, and a bond with no lock slot left.
use crate::{mock::*, *};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Op {
    Bond(usize, Balance),
    BondExtra(usize, Balance),
    Unbond(usize, Balance),
    Withdraw(usize),
    Validate(usize, u8),
    Chill(usize),
    Slash(usize, Ppm),
    Report(usize, u64, u32),
    Reward(usize, Balance),
    Transfer(usize, usize, Balance),
    Advance(u64),
}

fn amount() -> impl Strategy<Value = Balance> {
    prop_oneof![
        0..2 * ED,
        (0..3_000u128).prop_map(|c| c * CAES),
        0..20_000 * CAES,
        Just(Balance::MAX),
        any::<u128>(),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let who = 0..PEOPLE.len();
    prop_oneof![
        1 => (who.clone(), amount()).prop_map(|(w, v)| Op::Bond(w, v)),
        1 => (who.clone(), amount()).prop_map(|(w, v)| Op::BondExtra(w, v)),
        2 => (who.clone(), amount()).prop_map(|(w, v)| Op::Unbond(w, v)),
        2 => who.clone().prop_map(Op::Withdraw),
        1 => (who.clone(), 1..10u8).prop_map(|(w, t)| Op::Validate(w, t)),
        1 => who.clone().prop_map(Op::Chill),
        1 => (who.clone(), prop_oneof![0..=PPM, any::<u32>()]).prop_map(|(w, f)| Op::Slash(w, f)),
        1 => (who.clone(), 0..12u64, 0..3u32).prop_map(|(w, b, r)| Op::Report(w, b, r)),
        1 => (who.clone(), amount()).prop_map(|(w, v)| Op::Reward(w, v)),
        1 => (who.clone(), who.clone(), amount()).prop_map(|(f, t, v)| Op::Transfer(f, t, v)),
        2 => (1..10u64).prop_map(Op::Advance),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn books_balance_after_any_sequence(ops in prop::collection::vec(op(), 1..80)) {
        let mut ext = three_validators();
        for op in ops {
            let before = ext.state.clone();
            let issuance = caesar::total_issuance(&ext);
            let p = |i: usize| PEOPLE[i];
            let result: Result<(), DispatchError> = match op {
                Op::Bond(w, v) => dispatch(&mut ext, signed(p(w)), Call::Bond { value: v }),
                Op::BondExtra(w, v) => dispatch(&mut ext, signed(p(w)), Call::BondExtra { value: v }),
                Op::Unbond(w, v) => dispatch(&mut ext, signed(p(w)), Call::Unbond { value: v }),
                Op::Withdraw(w) => dispatch(&mut ext, signed(p(w)), Call::WithdrawUnbonded),
                Op::Validate(w, t) => dispatch(&mut ext, signed(p(w)), validate_call(t)),
                Op::Chill(w) => dispatch(&mut ext, signed(p(w)), Call::Chill),
                Op::Slash(w, f) => {
                    let held = caesar::account(&ext, &p(w));
                    slash(&mut ext, &p(w), f).map(|taken| {
                        let burned = issuance - caesar::total_issuance(&ext);
                        match caesar::account(&ext, &p(w)) {
                            // What the ledger lost is what was burned.
                            Some(_) => assert_eq!(burned, taken),
                            // Removed below the ED: all it held, bond and dust, is burned.
                            None => {
                                let all = held.and_then(|a| a.total()).unwrap_or(0);
                                assert_eq!(burned, all);
                                assert!(taken <= all);
                            }
                        }
                    })
                }
                Op::Report(w, back, round) => {
                    let height = system::block_number(&ext).saturating_sub(back);
                    report_equivocation(&mut ext, &p(w), height, round).map(|_| {
                        assert!(caesar::total_issuance(&ext) <= issuance);
                    })
                }
                Op::Reward(w, v) => reward_author(&mut ext, &p(w), v).map(|_| {
                    assert_eq!(caesar::total_issuance(&ext), issuance + v);
                }),
                Op::Transfer(f, t, v) => caesar::dispatch(
                    &mut ext,
                    signed(p(f)),
                    caesar::Call::Transfer { dest: p(t), value: v },
                ),
                Op::Advance(n) => {
                    let target = system::block_number(&ext) + n;
                    run_to_block(&mut ext, target, &key_id(3));
                    Ok(())
                }
            };
            if result.is_err() {
                prop_assert!(ext.state == before, "a failed operation changed state");
            }
            assert_invariants(&ext);
            // Validator sets only name registered consensus keys, with power.
            for v in validator_set(&ext) {
                prop_assert!(v.power >= 1);
                prop_assert!(system::public_key(&ext, &v.consensus_key).is_some());
            }
        }
    }
}

#[test]
fn try_state_ties_every_staking_lock_to_its_ledger() {
    let mut ext = three_validators();
    let check = |ext: &hm_support::MemoryExt| <crate::Pallet as hm_support::Pallet>::try_state(ext);
    let mismatch = Err("a stash's staking lock differs from its ledger total or expires");
    assert_eq!(check(&ext), Ok(()));
    let bond = 1_000 * CAES;
    caesar::set_lock(&mut ext, STAKING_LOCK_ID, &ALICE, bond - 1, None).unwrap();
    assert_eq!(check(&ext), mismatch);
    caesar::set_lock(&mut ext, STAKING_LOCK_ID, &ALICE, bond, Some(100)).unwrap();
    assert_eq!(check(&ext), mismatch);
    caesar::remove_lock(&mut ext, STAKING_LOCK_ID, &ALICE);
    assert_eq!(check(&ext), mismatch);
    caesar::set_lock(&mut ext, STAKING_LOCK_ID, &ALICE, bond, None).unwrap();
    assert_eq!(check(&ext), Ok(()));
    // Another pallet's lock on an unbonded account is none of staking's business.
    caesar::set_lock(&mut ext, *b"democrac", &DAVE, CAES, None).unwrap();
    assert_eq!(check(&ext), Ok(()));
    caesar::set_lock(&mut ext, STAKING_LOCK_ID, &DAVE, CAES, None).unwrap();
    assert_eq!(check(&ext), Err("a staking lock is held without a ledger"));
}

#[test]
fn a_bond_needs_a_free_lock_slot() {
    let mut ext = three_validators();
    for i in 0..caesar::MAX_LOCKS as u8 {
        caesar::set_lock(&mut ext, [i; 8], &DAVE, CAES, None).unwrap();
    }
    assert_noop(
        &mut ext,
        signed(DAVE),
        Call::Bond { value: CAES },
        caesar::Error::TooManyLocks.into(),
    );
}
