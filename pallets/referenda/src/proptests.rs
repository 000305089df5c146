//! Random sequences of calls and blocks: every invariant holds after each step, a
//! refused call changes nothing, and the issuance falls only by what `kill` burns.
use crate::mock::*;
use crate::*;
use hm_pallet_caesar as caesar;
use hm_pallet_conviction_voting::Tally;
use hm_pallet_system::Origin;
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Op {
    Submit(u8, u16),
    Deposit(u8, u32),
    RefundDecision(u32),
    RefundSubmission(u32),
    Cancel(u32),
    Kill(u32),
    /// Set a tally: ayes, nays and support in percent of the issuance.
    Vote(u32, u8, u8, u8),
    /// Every CAES votes aye.
    Pass(u32),
    Blocks(u8),
}

fn op() -> impl Strategy<Value = Op> {
    let who = 0u8..4;
    let index = 0u32..8;
    prop_oneof![
        3 => (who.clone(), prop_oneof![Just(0u16), Just(1), Just(2)])
            .prop_map(|(w, t)| Op::Submit(w, t)),
        3 => (who, index.clone()).prop_map(|(w, i)| Op::Deposit(w, i)),
        1 => index.clone().prop_map(Op::RefundDecision),
        1 => index.clone().prop_map(Op::RefundSubmission),
        1 => index.clone().prop_map(Op::Cancel),
        1 => index.clone().prop_map(Op::Kill),
        2 => (index.clone(), 0u8..=100, 0u8..=100, 0u8..=100)
            .prop_map(|(i, a, n, s)| Op::Vote(i, a, n, s)),
        3 => index.prop_map(Op::Pass),
        4 => (1u8..12).prop_map(Op::Blocks),
    ]
}

fn account(w: u8) -> AccountId {
    [ALICE, BOB, CHARLIE, POOR][usize::from(w % 4)]
}

/// What a killed referendum burned: its deposits.
fn burned_by_kill(ext: &hm_support::MemoryExt, index: ReferendumIndex) -> Balance {
    match referendum_info(ext, index) {
        Some(ReferendumInfo::Ongoing(s)) => {
            s.submission_deposit.1 + s.decision_deposit.map_or(0, |d| d.1)
        }
        _ => 0,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn random_sequences_keep_every_invariant(ops in prop::collection::vec(op(), 1..100)) {
        let mut ext = new_ext();
        let mut issuance = caesar::total_issuance(&ext);
        for op in ops {
            let (origin, c) = match op {
                Op::Blocks(n) => {
                    for _ in 0..n {
                        next_block(&mut ext);
                    }
                    prop_assert_eq!(caesar::total_issuance(&ext), issuance);
                    continue;
                }
                Op::Vote(index, a, n, s) => {
                    let pct = |p: u8| issuance / 100 * Balance::from(p);
                    set_tally(&mut ext, index, Tally { ayes: pct(a), nays: pct(n), support: pct(s) });
                    continue;
                }
                Op::Pass(index) => {
                    passing(&mut ext, index);
                    continue;
                }
                Op::Submit(w, track) => (signed(account(w)), Call::Submit {
                    track,
                    proposal: remark(w),
                    enactment_after: 0,
                }),
                Op::Deposit(w, index) => (signed(account(w)), Call::PlaceDecisionDeposit { index }),
                Op::RefundDecision(index) => (signed(ALICE), Call::RefundDecisionDeposit { index }),
                Op::RefundSubmission(index) => (signed(ALICE), Call::RefundSubmissionDeposit { index }),
                Op::Cancel(index) => (Origin::Root, Call::Cancel { index }),
                Op::Kill(index) => (Origin::Root, Call::Kill { index }),
            };
            let burn = match c {
                Call::Kill { index } => burned_by_kill(&ext, index),
                _ => 0,
            };
            let before = ext.state.clone();
            match call(&mut ext, origin, c) {
                Ok(()) => issuance -= burn,
                Err(_) => prop_assert!(ext.state == before, "a refused call changed state"),
            }
            assert_invariants(&ext);
            prop_assert_eq!(caesar::total_issuance(&ext), issuance);
        }
    }
}
