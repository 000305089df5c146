//! Helpers shared by the integration tests: a 4-validator set, test signatures,
//! and shorthands for events and for picking actions apart.
#![allow(dead_code)]

use hm_consensus_bft::{
    Action, Config, Event, Proposal, ProposerPriority, SignedVote, Step, Tendermint, TimeoutConfig,
    Validator, ValidatorSet, Vote, VoteStep,
};
use hm_primitives::{blake3_256, AccountId, FalconSignature, H256};

pub const GENESIS: H256 = H256([0x6e; 32]);

/// Validator `i` (0-based) has id `[i + 1; 32]`, so ids sort in index order.
pub fn id(i: usize) -> AccountId {
    AccountId([i as u8 + 1; 32])
}

pub fn block(tag: u8) -> H256 {
    H256([tag; 32])
}

pub fn set(powers: &[u64]) -> ValidatorSet {
    ValidatorSet::new(
        powers
            .iter()
            .enumerate()
            .map(|(i, power)| Validator {
                id: id(i),
                power: *power,
            })
            .collect(),
    )
    .unwrap()
}

/// Keyed-hash stand-in for Falcon in tests that sign thousands of votes; the
/// machine never looks inside signatures, only justifications and evidence do.
pub fn test_sign(who: &AccountId, message: &[u8]) -> FalconSignature {
    let mut input = b"test-signature".to_vec();
    input.extend_from_slice(&who.0);
    input.extend_from_slice(message);
    FalconSignature(blake3_256(&input).0.to_vec())
}

pub fn test_verify(who: &AccountId, message: &[u8], signature: &FalconSignature) -> bool {
    test_sign(who, message) == *signature
}

pub fn sign_vote(vote: Vote) -> SignedVote {
    let message = vote.signing_message(&GENESIS);
    SignedVote {
        signature: test_sign(&vote.validator, message.as_bytes()),
        vote,
    }
}

pub fn timeouts() -> TimeoutConfig {
    TimeoutConfig {
        propose_ms: 1000,
        propose_delta_ms: 500,
        prevote_ms: 400,
        prevote_delta_ms: 200,
        precommit_ms: 300,
        precommit_delta_ms: 100,
    }
}

/// A machine for validator `me` of four equal validators, started at height 1.
/// With equal powers the proposer of round r is validator r mod 4.
pub fn start(me: usize) -> (Tendermint, Vec<Action>) {
    start_with(Some(id(me)), &[1, 1, 1, 1], 1, None)
}

pub fn start_with(
    me: Option<AccountId>,
    powers: &[u64],
    height: u64,
    recovered: Option<hm_consensus_bft::RecoveryState>,
) -> (Tendermint, Vec<Action>) {
    let mut machine = Tendermint::new(Config {
        me,
        timeouts: timeouts(),
    });
    let actions = machine.handle(Event::StartHeight {
        height,
        validators: ProposerPriority::new(set(powers)),
        recovered,
    });
    (machine, actions)
}

pub fn vote_event(
    who: usize,
    height: u64,
    round: u32,
    step: VoteStep,
    value: Option<H256>,
) -> Event {
    Event::Vote(sign_vote(Vote {
        height,
        round,
        step,
        block: value,
        validator: id(who),
    }))
}

pub fn prevote(who: usize, round: u32, value: Option<H256>) -> Event {
    vote_event(who, 1, round, VoteStep::Prevote, value)
}

pub fn precommit(who: usize, round: u32, value: Option<H256>) -> Event {
    vote_event(who, 1, round, VoteStep::Precommit, value)
}

pub fn proposal(from: usize, round: u32, value: H256, pol_round: Option<u32>) -> Event {
    Event::Proposal {
        proposal: Proposal {
            height: 1,
            round,
            block_hash: value,
            pol_round,
        },
        from: id(from),
        block_valid: true,
    }
}

pub fn timeout(round: u32, step: Step) -> Event {
    Event::Timeout {
        height: 1,
        round,
        step,
    }
}

/// Feed `events` in order, collecting every action.
pub fn feed(machine: &mut Tendermint, events: impl IntoIterator<Item = Event>) -> Vec<Action> {
    events.into_iter().flat_map(|e| machine.handle(e)).collect()
}

pub fn votes(actions: &[Action]) -> Vec<Vote> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::BroadcastVote(v) => Some(*v),
            _ => None,
        })
        .collect()
}

/// The single vote in `actions`, as (step, value).
pub fn only_vote(actions: &[Action]) -> (VoteStep, Option<H256>) {
    let all = votes(actions);
    assert_eq!(all.len(), 1, "expected exactly one vote in {actions:?}");
    (all[0].step, all[0].block)
}

/// Sign our own broadcast votes and feed them back, as the node does.
pub fn echo_votes(machine: &mut Tendermint, actions: &[Action]) -> Vec<Action> {
    let own: Vec<Event> = votes(actions)
        .into_iter()
        .map(|v| Event::Vote(sign_vote(v)))
        .collect();
    feed(machine, own)
}

pub fn timeouts_scheduled(actions: &[Action]) -> Vec<(u32, Step, u64)> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::ScheduleTimeout {
                round,
                step,
                duration_ms,
                ..
            } => Some((*round, *step, *duration_ms)),
            _ => None,
        })
        .collect()
}

pub fn commit(actions: &[Action]) -> Option<hm_consensus_bft::Justification> {
    actions.iter().find_map(|a| match a {
        Action::Commit(j) => Some(j.clone()),
        _ => None,
    })
}
