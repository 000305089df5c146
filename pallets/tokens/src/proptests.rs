//! Random sequences of calls keep every invariant (`try_state` of tokens and Caesar),
//! and a failed call changes nothing.
use crate::{mock::*, Call};
use hm_primitives::AccountId;
use proptest::prelude::*;

const PEOPLE: [AccountId; 4] = [ALICE, BOB, CHARLIE, DAVE];

fn amount() -> impl Strategy<Value = u128> {
    prop_oneof![0..3u128, 5..40u128, 90..200u128, Just(u128::MAX)]
}

fn any_call() -> impl Strategy<Value = (usize, Call)> {
    let who = 0..PEOPLE.len();
    let token = 0..3u32;
    prop_oneof![
        (who.clone(), token.clone(), who.clone(), amount()).prop_map(|(w, token, d, amount)| {
            (
                w,
                Call::Transfer {
                    token,
                    dest: PEOPLE[d],
                    amount,
                },
            )
        }),
        (who.clone(), token.clone(), who.clone(), amount()).prop_map(|(w, token, d, amount)| {
            (
                w,
                Call::TransferKeepAlive {
                    token,
                    dest: PEOPLE[d],
                    amount,
                },
            )
        }),
        (who.clone(), token.clone(), who.clone(), amount()).prop_map(|(w, token, b, amount)| {
            (
                w,
                Call::Mint {
                    token,
                    beneficiary: PEOPLE[b],
                    amount,
                },
            )
        }),
        (who.clone(), token.clone(), who.clone(), amount()).prop_map(|(w, token, t, amount)| {
            (
                w,
                Call::Burn {
                    token,
                    who: PEOPLE[t],
                    amount,
                },
            )
        }),
        (who.clone(), token.clone(), who.clone(), amount()).prop_map(|(w, token, d, amount)| {
            (
                w,
                Call::ApproveTransfer {
                    token,
                    delegate: PEOPLE[d],
                    amount,
                },
            )
        }),
        (
            who.clone(),
            token.clone(),
            who.clone(),
            who.clone(),
            amount()
        )
            .prop_map(|(w, token, o, d, amount)| {
                (
                    w,
                    Call::TransferApproved {
                        token,
                        owner: PEOPLE[o],
                        destination: PEOPLE[d],
                        amount,
                    },
                )
            }),
        (who.clone(), token.clone(), who.clone()).prop_map(|(w, token, d)| (
            w,
            Call::CancelApproval {
                token,
                delegate: PEOPLE[d]
            }
        )),
        (who.clone(), token.clone(), who.clone()).prop_map(|(w, token, t)| (
            w,
            Call::Freeze {
                token,
                who: PEOPLE[t]
            }
        )),
        (who.clone(), token.clone(), who.clone()).prop_map(|(w, token, t)| (
            w,
            Call::Thaw {
                token,
                who: PEOPLE[t]
            }
        )),
        (who.clone(), token.clone()).prop_map(|(w, token)| (w, Call::StartDestroy { token })),
        (who.clone(), token.clone()).prop_map(|(w, token)| (w, Call::DestroyAccounts { token })),
        (who.clone(), token.clone()).prop_map(|(w, token)| (w, Call::DestroyApprovals { token })),
        (who, token).prop_map(|(w, token)| (w, Call::FinishDestroy { token })),
    ]
}

proptest! {
    #[test]
    fn supplies_match_balances_and_failures_change_nothing(
        calls in prop::collection::vec(any_call(), 1..80)
    ) {
        let mut ext = new_ext();
        for creator in [ALICE, BOB] {
            ok(&mut ext, creator, Call::Create { min_balance: MIN });
        }
        for (who, call_) in calls {
            let before = ext.state.clone();
            if call(&mut ext, PEOPLE[who], call_).is_err() {
                prop_assert!(ext.state == before, "a failed call changed state");
            }
            assert_invariants(&ext);
        }
    }
}
