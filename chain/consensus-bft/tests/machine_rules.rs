//! The Tendermint rules one at a time, on four equal validators (proposer of
//! round r is validator r mod 4). Line numbers refer to arXiv 1807.04938, Alg. 1.
mod common;

use common::*;
use hm_consensus_bft::{Action, Event, RecoveryState, Step, VoteStep};

const X: u8 = 0xA1;
const Y: u8 = 0xB2;

#[test]
fn happy_path_single_round_as_proposer() {
    let (mut m, start) = start(0);
    assert_eq!(
        start,
        vec![
            Action::PersistState(RecoveryState {
                height: 1,
                round: 0,
                locked: None,
                valid: None
            }),
            Action::ProposeBlock {
                height: 1,
                round: 0
            },
            Action::ScheduleTimeout {
                height: 1,
                round: 0,
                step: Step::Propose,
                duration_ms: 1000
            },
        ]
    );
    let built = m.handle(Event::BlockBuilt {
        height: 1,
        round: 0,
        block_hash: block(X),
    });
    assert!(
        matches!(built[0], Action::BroadcastProposal(p) if p.block_hash == block(X) && p.pol_round.is_none())
    );
    assert_eq!(only_vote(&built), (VoteStep::Prevote, Some(block(X))));
    let mut actions = echo_votes(&mut m, &built);
    actions.extend(feed(
        &mut m,
        [prevote(1, 0, Some(block(X))), prevote(2, 0, Some(block(X)))],
    ));
    // Line 36: lock, then precommit, persisted first.
    let persist_at = actions
        .iter()
        .position(|a| matches!(a, Action::PersistState(s) if s.locked == Some((0, block(X)))))
        .expect("lock persisted");
    let vote_at = actions
        .iter()
        .position(|a| matches!(a, Action::BroadcastVote(_)))
        .unwrap();
    assert!(
        persist_at < vote_at,
        "state is persisted before the vote leaves"
    );
    assert_eq!(only_vote(&actions), (VoteStep::Precommit, Some(block(X))));
    assert_eq!(m.locked(), Some((0, block(X))));
    assert_eq!(m.valid(), Some((0, block(X))));
    let mut actions = echo_votes(&mut m, &actions);
    actions.extend(feed(&mut m, [precommit(1, 0, Some(block(X)))]));
    assert!(commit(&actions).is_none(), "two precommits are not +2/3");
    actions.extend(feed(&mut m, [precommit(3, 0, Some(block(X)))]));
    let justification = commit(&actions).expect("committed");
    assert_eq!((justification.height, justification.round), (1, 0));
    assert_eq!(justification.block_hash, block(X));
    let signers: Vec<_> = justification.precommits.iter().map(|(v, _)| *v).collect();
    assert_eq!(signers, vec![id(0), id(1), id(3)]);
    let four = set(&[1, 1, 1, 1]);
    assert_eq!(justification.verify(&four, &GENESIS, test_verify), Ok(()));
    // One precommit fewer is below 2/3 and is rejected.
    let mut short = justification.clone();
    short.precommits.pop();
    assert!(short.verify(&four, &GENESIS, test_verify).is_err());
    // Decided: everything but a new height is ignored.
    assert!(feed(
        &mut m,
        [precommit(2, 0, Some(block(X))), timeout(0, Step::Precommit)]
    )
    .is_empty());
    assert_eq!(m.decision(), Some(&justification));
}

#[test]
fn non_proposer_prevotes_the_valid_proposal_and_ignores_impostors() {
    let (mut m, start) = start(3);
    assert!(!start
        .iter()
        .any(|a| matches!(a, Action::ProposeBlock { .. })));
    // Validator 1 is not the round-0 proposer.
    assert!(votes(&feed(&mut m, [proposal(1, 0, block(Y), None)])).is_empty());
    // The real proposer, but the caller found the block invalid: prevote nil.
    let invalid = Event::Proposal {
        proposal: hm_consensus_bft::Proposal {
            height: 1,
            round: 0,
            block_hash: block(X),
            pol_round: None,
        },
        from: id(0),
        block_valid: false,
    };
    assert_eq!(only_vote(&m.handle(invalid)), (VoteStep::Prevote, None));
    // +2/3 prevotes and precommits for the invalid block never lock or commit it.
    let actions = feed(
        &mut m,
        (0..3).flat_map(|v| {
            [
                prevote(v, 0, Some(block(X))),
                precommit(v, 0, Some(block(X))),
            ]
        }),
    );
    assert!(m.locked().is_none());
    assert!(commit(&actions).is_none());
}

#[test]
fn proposer_fails_then_timeouts_lead_to_round_one_commit() {
    let (mut m, _) = start(3);
    // No proposal: the propose timeout makes us prevote nil (line 57).
    let a = m.handle(timeout(0, Step::Propose));
    assert_eq!(only_vote(&a), (VoteStep::Prevote, None));
    let mut a = echo_votes(&mut m, &a);
    a.extend(feed(&mut m, [prevote(1, 0, None), prevote(2, 0, None)]));
    // +2/3 nil prevotes: precommit nil (line 44).
    assert_eq!(only_vote(&a), (VoteStep::Precommit, None));
    let mut a = echo_votes(&mut m, &a);
    a.extend(feed(&mut m, [precommit(1, 0, None), precommit(2, 0, None)]));
    // +2/3 precommits of any kind arm the precommit timeout (line 47).
    assert_eq!(timeouts_scheduled(&a), vec![(0, Step::Precommit, 300)]);
    // Stale timeouts do nothing.
    assert!(m.handle(timeout(0, Step::Prevote)).is_empty());
    let a = m.handle(timeout(0, Step::Precommit));
    assert_eq!(m.round(), Some(1));
    // Round 1 waits longer: base + delta.
    assert_eq!(timeouts_scheduled(&a), vec![(1, Step::Propose, 1500)]);
    // Round 1 proposer is validator 1.
    let a = feed(&mut m, [proposal(1, 1, block(Y), None)]);
    assert_eq!(only_vote(&a), (VoteStep::Prevote, Some(block(Y))));
    let mut a = echo_votes(&mut m, &a);
    a.extend(feed(
        &mut m,
        [prevote(1, 1, Some(block(Y))), prevote(2, 1, Some(block(Y)))],
    ));
    let mut a = echo_votes(&mut m, &a);
    a.extend(feed(
        &mut m,
        [
            precommit(1, 1, Some(block(Y))),
            precommit(2, 1, Some(block(Y))),
        ],
    ));
    let j = commit(&a).expect("committed in round 1");
    assert_eq!((j.round, j.block_hash), (1, block(Y)));
}

/// Locked on X in round 0: a round-1 proposal of Y without proof-of-lock gets a
/// nil prevote; a round-2 proposal of Y carrying a round-1 POL unlocks (line 28).
#[test]
fn lock_refuses_other_values_until_a_proposal_carries_a_newer_pol() {
    let (mut m, _) = start(3);
    let a = feed(&mut m, [proposal(0, 0, block(X), None)]);
    let mut a = echo_votes(&mut m, &a);
    a.extend(feed(
        &mut m,
        [prevote(0, 0, Some(block(X))), prevote(1, 0, Some(block(X)))],
    ));
    assert_eq!(only_vote(&a), (VoteStep::Precommit, Some(block(X))));
    assert_eq!(m.locked(), Some((0, block(X))));
    echo_votes(&mut m, &a);
    // Round 0 ends without a decision.
    feed(&mut m, [precommit(0, 0, None), precommit(1, 0, None)]);
    m.handle(timeout(0, Step::Precommit));
    assert_eq!(m.round(), Some(1));
    // Line 22: locked on X, so Y gets nil.
    let a = feed(&mut m, [proposal(1, 1, block(Y), None)]);
    assert_eq!(only_vote(&a), (VoteStep::Prevote, None));
    echo_votes(&mut m, &a);
    // Round 1 ends (we never saw the others' round-1 prevotes).
    feed(&mut m, (0..3).map(|v| precommit(v, 1, None)));
    m.handle(timeout(1, Step::Precommit));
    assert_eq!(m.round(), Some(2));
    // Round 2: Y again, under POL round 1. Without the POL we wait.
    let a = feed(&mut m, [proposal(2, 2, block(Y), Some(1))]);
    assert!(votes(&a).is_empty());
    // The round-1 prevotes for Y arrive late: +2/3, and 0 = lockedRound <= 1.
    let a = feed(&mut m, (0..3).map(|v| prevote(v, 1, Some(block(Y)))));
    assert_eq!(only_vote(&a), (VoteStep::Prevote, Some(block(Y))));
    // The lock itself only moves when +2/3 prevote Y in the current round.
    assert_eq!(m.locked(), Some((0, block(X))));
    let mut a = echo_votes(&mut m, &a);
    a.extend(feed(
        &mut m,
        [prevote(0, 2, Some(block(Y))), prevote(2, 2, Some(block(Y)))],
    ));
    assert_eq!(only_vote(&a), (VoteStep::Precommit, Some(block(Y))));
    assert_eq!(m.locked(), Some((2, block(Y))));
}

/// A POL older than the lock does not unlock; +2/3 prevotes for the current
/// round's proposal move the lock even after prevoting nil (line 36).
#[test]
fn older_pol_does_not_unlock_but_current_round_pol_relocks() {
    let (mut m, _) = start(3);
    let a = feed(&mut m, [proposal(0, 0, block(X), None)]);
    echo_votes(&mut m, &a);
    let a = feed(
        &mut m,
        [prevote(0, 0, Some(block(X))), prevote(1, 0, Some(block(X)))],
    );
    echo_votes(&mut m, &a);
    feed(&mut m, [precommit(1, 0, None), precommit(2, 0, None)]);
    m.handle(timeout(0, Step::Precommit));
    // Round 1: locked on X, prevote nil for Y...
    let a = feed(&mut m, [proposal(1, 1, block(Y), None)]);
    assert_eq!(only_vote(&a), (VoteStep::Prevote, None));
    echo_votes(&mut m, &a);
    // ...but +2/3 prevote Y this round: lock moves to (1, Y) and we precommit Y.
    let a = feed(&mut m, (0..3).map(|v| prevote(v, 1, Some(block(Y)))));
    assert_eq!(only_vote(&a), (VoteStep::Precommit, Some(block(Y))));
    assert_eq!(m.locked(), Some((1, block(Y))));
    assert_eq!(m.valid(), Some((1, block(Y))));
    echo_votes(&mut m, &a);
    feed(&mut m, [precommit(0, 1, None), precommit(1, 1, None)]);
    m.handle(timeout(1, Step::Precommit));
    // Round 2: X re-proposed under its round-0 POL (which exists), older than our lock.
    let a = feed(&mut m, [proposal(2, 2, block(X), Some(0))]);
    assert_eq!(only_vote(&a), (VoteStep::Prevote, None));
}

#[test]
fn prevote_timeout_leads_to_nil_precommit() {
    let (mut m, _) = start(3);
    let a = feed(&mut m, [proposal(0, 0, block(X), None)]);
    let mut a = echo_votes(&mut m, &a);
    // Split prevotes: +2/3 in total, no +2/3 for anything.
    a.extend(feed(
        &mut m,
        [prevote(1, 0, None), prevote(2, 0, Some(block(Y)))],
    ));
    assert!(votes(&a).iter().all(|v| v.step == VoteStep::Prevote));
    assert_eq!(timeouts_scheduled(&a), vec![(0, Step::Prevote, 400)]);
    // Wrong round or height: ignored.
    assert!(m.handle(timeout(1, Step::Prevote)).is_empty());
    assert!(m
        .handle(Event::Timeout {
            height: 2,
            round: 0,
            step: Step::Prevote
        })
        .is_empty());
    let a = m.handle(timeout(0, Step::Prevote));
    assert_eq!(only_vote(&a), (VoteStep::Precommit, None));
    assert_eq!(m.step(), Some(Step::Precommit));
    assert!(m.locked().is_none());
}

#[test]
fn round_skip_on_more_than_a_third_of_higher_round_votes() {
    let (mut m, _) = start(3);
    // One validator (1/4 of power) at round 5: not enough, however many votes it sends.
    let a = feed(&mut m, [prevote(1, 5, None), precommit(1, 5, None)]);
    assert!(a.is_empty());
    assert_eq!(m.round(), Some(0));
    // A second validator: 2/4 > 1/3, jump straight to round 5 (line 55).
    let a = feed(&mut m, [prevote(2, 5, Some(block(X)))]);
    assert_eq!(m.round(), Some(5));
    assert_eq!(m.step(), Some(Step::Propose));
    assert!(a.contains(&Action::PersistState(RecoveryState {
        height: 1,
        round: 5,
        locked: None,
        valid: None
    })));
    assert_eq!(
        timeouts_scheduled(&a),
        vec![(5, Step::Propose, 1000 + 5 * 500)]
    );
    // Votes from an earlier round never move us back.
    feed(&mut m, (0..3).map(|v| prevote(v, 2, None)));
    assert_eq!(m.round(), Some(5));
}

#[test]
fn equivocation_yields_evidence_once_and_the_first_vote_counts() {
    let (mut m, _) = start(3);
    assert!(feed(&mut m, [prevote(1, 0, Some(block(X)))]).is_empty());
    let a = feed(&mut m, [prevote(1, 0, None)]);
    let evidence: Vec<_> = a
        .iter()
        .filter_map(|a| match a {
            Action::Evidence(e) => Some(e.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(evidence.len(), 1);
    assert_eq!(evidence[0].offender(), id(1));
    assert_eq!(
        evidence[0].check(&set(&[1, 1, 1, 1]), &GENESIS, test_verify),
        Ok(())
    );
    // A third value: no second report for the same (validator, round, step).
    let a = feed(&mut m, [prevote(1, 0, Some(block(Y)))]);
    assert!(!a.iter().any(|a| matches!(a, Action::Evidence(_))));
    // The same vote again (new signature bytes are irrelevant) is no offence.
    assert!(feed(&mut m, [prevote(1, 0, Some(block(X)))]).is_empty());
    // The first vote (X) counts: with ours and one more, X has +2/3.
    let a = feed(&mut m, [proposal(0, 0, block(X), None)]);
    let mut a = echo_votes(&mut m, &a);
    a.extend(feed(&mut m, [prevote(2, 0, Some(block(X)))]));
    assert_eq!(only_vote(&a), (VoteStep::Precommit, Some(block(X))));
}

#[test]
fn late_precommits_of_an_earlier_round_still_commit() {
    let (mut m, _) = start(3);
    let a = feed(&mut m, [proposal(0, 0, block(X), None)]);
    echo_votes(&mut m, &a);
    // We move on to round 2 (skip) without seeing round 0's outcome.
    feed(&mut m, [prevote(1, 2, None), prevote(2, 2, None)]);
    assert_eq!(m.round(), Some(2));
    let a = feed(&mut m, (0..3).map(|v| precommit(v, 0, Some(block(X)))));
    let j = commit(&a).expect("line 49 applies to any round");
    assert_eq!((j.round, j.block_hash), (0, block(X)));
    assert_eq!(j.verify(&set(&[1, 1, 1, 1]), &GENESIS, test_verify), Ok(()));
}

#[test]
fn precommits_without_the_block_wait_for_it() {
    let (mut m, _) = start(3);
    let a = feed(&mut m, (0..3).map(|v| precommit(v, 0, Some(block(X)))));
    assert!(commit(&a).is_none(), "we do not have block X yet");
    let a = feed(&mut m, [proposal(0, 0, block(X), None)]);
    assert_eq!(commit(&a).map(|j| j.block_hash), Some(block(X)));
}

#[test]
fn proposer_re_proposes_its_valid_value_with_its_pol_round() {
    // Validator 1 proposes round 1.
    let (mut m, _) = start(1);
    let a = feed(&mut m, [proposal(0, 0, block(X), None)]);
    echo_votes(&mut m, &a);
    let a = feed(
        &mut m,
        [prevote(0, 0, Some(block(X))), prevote(2, 0, Some(block(X)))],
    );
    echo_votes(&mut m, &a);
    feed(&mut m, [precommit(0, 0, None), precommit(2, 0, None)]);
    let a = m.handle(timeout(0, Step::Precommit));
    assert!(!a.iter().any(|a| matches!(a, Action::ProposeBlock { .. })));
    let proposal = a
        .iter()
        .find_map(|a| match a {
            Action::BroadcastProposal(p) => Some(*p),
            _ => None,
        })
        .expect("re-proposal");
    assert_eq!(
        (proposal.round, proposal.block_hash, proposal.pol_round),
        (1, block(X), Some(0))
    );
    // Our own proposal counts as received: locked on X with round-0 POL, prevote X.
    assert_eq!(only_vote(&a), (VoteStep::Prevote, Some(block(X))));
}

#[test]
fn recovered_lock_survives_a_restart() {
    let recovered = RecoveryState {
        height: 1,
        round: 3,
        locked: Some((2, block(X))),
        valid: Some((2, block(X))),
    };
    let (mut m, a) = start_with(Some(id(0)), &[1, 1, 1, 1], 1, Some(recovered));
    assert_eq!(m.round(), Some(3));
    assert_eq!(m.locked(), Some((2, block(X))));
    assert!(!a.iter().any(|a| matches!(a, Action::ProposeBlock { .. })));
    // Round 3's proposer offers Y: still refused.
    let a = feed(&mut m, [proposal(3, 3, block(Y), None)]);
    assert_eq!(only_vote(&a), (VoteStep::Prevote, None));
    // State for another height is ignored.
    let (m2, _) = start_with(Some(id(0)), &[1, 1, 1, 1], 2, Some(recovered));
    assert_eq!((m2.round(), m2.locked()), (Some(0), None));
}

#[test]
fn followers_commit_without_voting() {
    let (mut m, start) = start_with(None, &[1, 1, 1, 1], 1, None);
    assert!(!start.iter().any(|a| matches!(a, Action::PersistState(_))));
    let mut a = feed(&mut m, [proposal(0, 0, block(X), None)]);
    a.extend(feed(&mut m, (0..3).map(|v| prevote(v, 0, Some(block(X))))));
    a.extend(feed(
        &mut m,
        (0..3).map(|v| precommit(v, 0, Some(block(X)))),
    ));
    assert!(votes(&a).is_empty());
    assert!(commit(&a).is_some());
}

#[test]
fn irrelevant_inputs_are_ignored() {
    // Before any height.
    let mut idle = hm_consensus_bft::Tendermint::new(hm_consensus_bft::Config {
        me: Some(id(0)),
        timeouts: timeouts(),
    });
    assert!(idle.handle(prevote(1, 0, None)).is_empty());
    assert_eq!(idle.height(), None);
    let (mut m, _) = start(3);
    // Other heights, strangers, malformed proposals, other heights' block reports.
    let stranger = Event::Vote(sign_vote(hm_consensus_bft::Vote {
        height: 1,
        round: 0,
        step: VoteStep::Prevote,
        block: None,
        validator: hm_primitives::AccountId([0xEE; 32]),
    }));
    let events = vec![
        vote_event(1, 2, 0, VoteStep::Prevote, None),
        vote_event(2, 2, 0, VoteStep::Prevote, None),
        vote_event(1, 0, 0, VoteStep::Precommit, None),
        stranger,
        proposal(0, 0, block(X), Some(0)),
        Event::BlockBuilt {
            height: 1,
            round: 0,
            block_hash: block(X),
        },
    ];
    assert!(feed(&mut m, events).is_empty());
    assert_eq!((m.round(), m.step()), (Some(0), Some(Step::Propose)));
}

#[test]
fn proposals_for_future_rounds_wait_for_the_round_and_the_right_proposer() {
    let (mut m, _) = start(3);
    // Round 2's proposer is validator 2; validator 1 also claims round 2.
    assert!(feed(
        &mut m,
        [
            proposal(1, 2, block(Y), None),
            proposal(2, 2, block(X), None)
        ]
    )
    .is_empty());
    feed(&mut m, [prevote(1, 2, None), prevote(2, 2, None)]);
    assert_eq!(m.round(), Some(2));
    // Entering round 2 used the held proposal at once: prevote X (skip, then line 22).
    let (mut m, _) = start(3);
    feed(&mut m, [proposal(2, 2, block(X), None)]);
    let a = feed(&mut m, [precommit(0, 2, None), precommit(1, 2, None)]);
    assert_eq!(m.round(), Some(2));
    assert_eq!(only_vote(&a), (VoteStep::Prevote, Some(block(X))));
    // A non-proposer's held proposal is discarded on arrival in the round.
    let (mut m, _) = start(3);
    feed(&mut m, [proposal(1, 2, block(Y), None)]);
    let a = feed(&mut m, [precommit(0, 2, None), precommit(1, 2, None)]);
    assert!(votes(&a).is_empty());
}

#[test]
fn weighted_quorum_uses_power_not_headcount() {
    // Powers 1,1,1,5 (total 8, quorum 6): validator 3 plus one other is +2/3.
    let (mut m, _) = start_with(Some(id(0)), &[1, 1, 1, 5], 1, None);
    let proposer = m.proposer(0).unwrap();
    assert_eq!(proposer, id(3), "the heaviest validator proposes first");
    let a = feed(
        &mut m,
        [Event::Proposal {
            proposal: hm_consensus_bft::Proposal {
                height: 1,
                round: 0,
                block_hash: block(X),
                pol_round: None,
            },
            from: id(3),
            block_valid: true,
        }],
    );
    assert_eq!(only_vote(&a), (VoteStep::Prevote, Some(block(X))));
    // Three light validators are only 3/8: no lock.
    let a = feed(
        &mut m,
        [prevote(1, 0, Some(block(X))), prevote(2, 0, Some(block(X)))],
    );
    assert!(votes(&a).is_empty());
    let a = feed(&mut m, [prevote(3, 0, Some(block(X)))]);
    assert_eq!(only_vote(&a), (VoteStep::Precommit, Some(block(X))));
    let a = feed(&mut m, [precommit(3, 0, Some(block(X)))]);
    assert!(commit(&a).is_none());
    let a = feed(&mut m, [precommit(1, 0, Some(block(X)))]);
    assert_eq!(commit(&a).unwrap().precommits.len(), 2);
}

/// Validator 3 equivocates in round 0: nil to us, X to the others. A later
/// proposal of X under a round-0 proof-of-lock makes us ask for the POL; the
/// equivocator's X prevote then counts toward X (but never twice), so we can
/// follow the lock instead of stalling the chain.
#[test]
fn equivocators_pol_vote_counts_once_a_proposal_claims_it() {
    let (mut m, _) = start(2);
    let a = m.handle(timeout(0, Step::Propose));
    echo_votes(&mut m, &a);
    feed(
        &mut m,
        [
            prevote(3, 0, None),
            prevote(0, 0, Some(block(X))),
            prevote(1, 0, Some(block(X))),
        ],
    );
    // The equivocator's X vote before anything claims X: evidence only.
    let a = feed(&mut m, [prevote(3, 0, Some(block(X)))]);
    assert!(matches!(a.as_slice(), [Action::Evidence(_)]));
    assert_eq!(m.votes_for(0, VoteStep::Prevote, Some(block(X))).len(), 2);
    let a = m.handle(timeout(0, Step::Prevote));
    echo_votes(&mut m, &a);
    feed(&mut m, [precommit(0, 0, None), precommit(1, 0, None)]);
    m.handle(timeout(0, Step::Precommit));
    assert_eq!(m.round(), Some(1));
    // Round 1: X re-proposed under POL round 0, which we cannot confirm (2 of 4).
    let a = feed(&mut m, [proposal(1, 1, block(X), Some(0))]);
    assert!(votes(&a).is_empty());
    assert_eq!(
        a,
        vec![Action::RequestPrevotes {
            height: 1,
            round: 0,
            block_hash: block(X)
        }]
    );
    // A peer serves its round-0 prevotes for X, the equivocator's among them.
    let a = feed(
        &mut m,
        [prevote(0, 0, Some(block(X))), prevote(3, 0, Some(block(X)))],
    );
    assert_eq!(only_vote(&a), (VoteStep::Prevote, Some(block(X))));
    let served = m.votes_for(0, VoteStep::Prevote, Some(block(X)));
    let voters: Vec<_> = served.iter().map(|v| v.vote.validator).collect();
    assert_eq!(voters, vec![id(0), id(1), id(3)]);
    // "+2/3 of anything" still counts the equivocator once.
    assert_eq!(m.votes_for(0, VoteStep::Prevote, None).len(), 2);
}
