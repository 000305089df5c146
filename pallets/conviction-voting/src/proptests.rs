//! Any sequence of votes, removals, delegations, undelegations, polls ending, blocks,
//! unlocks and transfers keeps every invariant; a failed call changes nothing; each
//! ongoing poll's tally equals the conviction-weighted sum that a model of the votes
//! and delegations computes on its own; and locked funds never leave an account.
use crate::{mock::*, AccountVote, Call, Class, Conviction, PollIndex, PollStatus, Tally, Vote};
use crate::{tally, VOTE_LOCKING_PERIOD};
use hm_pallet_caesar as caesar;
use hm_pallet_system as system;
use hm_primitives::{AccountId, Balance, UNITS};
use hm_support::MemoryExt;
use proptest::prelude::*;
use std::collections::BTreeMap;

/// Polls 0..4: 0 and 1 in class 0, 2 and 3 in class 1.
const POLLS: PollIndex = 4;

fn class_of(poll: PollIndex) -> Class {
    (poll / 2) as Class
}

#[derive(Clone, Debug)]
enum Op {
    Vote(usize, PollIndex, AccountVote),
    RemoveVote(usize, PollIndex),
    Delegate(usize, usize, Class, Conviction, Balance),
    Undelegate(usize, Class),
    End(PollIndex, bool),
    Advance(u64),
    Unlock(usize, usize, Class),
    Transfer(usize, usize, Balance),
}

fn amount() -> impl Strategy<Value = Balance> {
    prop_oneof![
        0..ENDOWMENT + 2,
        Just(ENDOWMENT),
        (1..=10u128).prop_map(|n| n * 100 * UNITS)
    ]
}

fn conviction() -> impl Strategy<Value = Conviction> {
    prop::sample::select(Conviction::ALL.to_vec())
}

fn account_vote() -> impl Strategy<Value = AccountVote> {
    prop_oneof![
        4 => (any::<bool>(), conviction(), amount())
            .prop_map(|(aye, conviction, balance)| AccountVote::Standard { vote: Vote { aye, conviction }, balance }),
        1 => (amount(), amount()).prop_map(|(aye, nay)| AccountVote::Split { aye: aye / 2, nay: nay / 2 }),
        1 => (amount(), amount(), amount()).prop_map(|(aye, nay, abstain)| AccountVote::SplitAbstain { aye: aye / 3, nay: nay / 3, abstain: abstain / 3 }),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let who = 0..PEOPLE.len();
    prop_oneof![
        6 => (who.clone(), 0..POLLS, account_vote()).prop_map(|(w, p, v)| Op::Vote(w, p, v)),
        2 => (who.clone(), 0..POLLS).prop_map(|(w, p)| Op::RemoveVote(w, p)),
        3 => (who.clone(), who.clone(), 0..2u16, conviction(), amount())
            .prop_map(|(w, t, c, k, b)| Op::Delegate(w, t, c, k, b)),
        2 => (who.clone(), 0..2u16).prop_map(|(w, c)| Op::Undelegate(w, c)),
        1 => (0..POLLS, any::<bool>()).prop_map(|(p, a)| Op::End(p, a)),
        2 => prop::sample::select(vec![1, VOTE_LOCKING_PERIOD, 4 * VOTE_LOCKING_PERIOD, 40 * VOTE_LOCKING_PERIOD]).prop_map(Op::Advance),
        2 => (who.clone(), who.clone(), 0..2u16).prop_map(|(w, t, c)| Op::Unlock(w, t, c)),
        2 => (who.clone(), who, amount()).prop_map(|(f, t, v)| Op::Transfer(f, t, v)),
    ]
}

/// What the test knows: standing votes and delegations, counted without the pallet.
#[derive(Default)]
struct Model {
    votes: BTreeMap<(AccountId, PollIndex), AccountVote>,
    delegations: BTreeMap<(AccountId, Class), (AccountId, Conviction, Balance)>,
}

impl Model {
    fn tally(&self, poll: PollIndex) -> Tally {
        let mut t = Tally::default();
        for ((voter, p), vote) in &self.votes {
            if *p != poll {
                continue;
            }
            match *vote {
                AccountVote::Standard { vote, balance } => {
                    let mut votes = vote.conviction.votes(balance).unwrap();
                    let mut capital = balance;
                    for ((_, class), (target, conviction, balance)) in &self.delegations {
                        if target == voter && *class == class_of(poll) {
                            votes += conviction.votes(*balance).unwrap();
                            capital += balance;
                        }
                    }
                    if vote.aye {
                        t.ayes += votes;
                        t.support += capital;
                    } else {
                        t.nays += votes;
                    }
                }
                AccountVote::Split { aye, nay } => {
                    t.ayes += aye / 10;
                    t.nays += nay / 10;
                    t.support += aye;
                }
                AccountVote::SplitAbstain { aye, nay, abstain } => {
                    t.ayes += aye / 10;
                    t.nays += nay / 10;
                    t.support += aye + abstain;
                }
            }
        }
        t
    }
}

fn ongoing(ext: &MemoryExt, poll: PollIndex) -> bool {
    matches!(polls(ext).get(&poll), Some(PollStatus::Ongoing { .. }))
}

fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let mut ext = new_ext();
    for poll in 0..POLLS {
        open(&mut ext, poll, class_of(poll));
    }
    let mut model = Model::default();
    for op in ops {
        let before = ext.state.clone();
        let result = match op.clone() {
            Op::Vote(w, poll, v) => {
                let r = call(&mut ext, signed(PEOPLE[w]), vote_call(poll, v));
                if r.is_ok() {
                    model.votes.insert((PEOPLE[w], poll), v);
                }
                r
            }
            Op::RemoveVote(w, poll) => {
                let c = Call::RemoveVote {
                    class: Some(class_of(poll)),
                    poll,
                };
                let r = call(&mut ext, signed(PEOPLE[w]), c);
                if r.is_ok() {
                    model.votes.remove(&(PEOPLE[w], poll));
                }
                r
            }
            Op::Delegate(w, t, class, conviction, balance) => {
                let c = Call::Delegate {
                    class,
                    to: PEOPLE[t],
                    conviction,
                    balance,
                };
                let r = call(&mut ext, signed(PEOPLE[w]), c);
                if r.is_ok() {
                    model
                        .delegations
                        .insert((PEOPLE[w], class), (PEOPLE[t], conviction, balance));
                }
                r
            }
            Op::Undelegate(w, class) => {
                let r = call(&mut ext, signed(PEOPLE[w]), Call::Undelegate { class });
                if r.is_ok() {
                    model.delegations.remove(&(PEOPLE[w], class));
                }
                r
            }
            Op::End(poll, approved) => {
                if ongoing(&ext, poll) {
                    end(&mut ext, poll, approved);
                }
                Ok(())
            }
            Op::Advance(blocks) => {
                let n = system::block_number(&ext) + blocks;
                run_to(&mut ext, n);
                Ok(())
            }
            Op::Unlock(w, t, class) => call(
                &mut ext,
                signed(PEOPLE[w]),
                Call::Unlock {
                    class,
                    target: PEOPLE[t],
                },
            ),
            Op::Transfer(f, t, value) => {
                let usable = caesar::usable_balance(&ext, &PEOPLE[f]);
                let r = transfer(&mut ext, PEOPLE[f], PEOPLE[t], value);
                if value > usable {
                    prop_assert!(r.is_err(), "moved locked funds: {op:?}");
                }
                r
            }
        };
        if result.is_err() {
            prop_assert!(ext.state == before, "a failed call changed state: {op:?}");
        }
        assert_invariants(&ext);
        for poll in (0..POLLS).filter(|p| ongoing(&ext, *p)) {
            prop_assert_eq!(
                tally(&ext, poll),
                model.tally(poll),
                "poll {} after {:?}",
                poll,
                op
            );
        }
        for who in PEOPLE {
            let free = caesar::free_balance(&ext, &who);
            prop_assert!(
                free >= voting_lock(&ext, &who),
                "locked funds left {:?}",
                who
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn tallies_are_the_weighted_sums_and_locked_funds_stay(ops in prop::collection::vec(op(), 1..60)) {
        run(ops)?;
    }
}
