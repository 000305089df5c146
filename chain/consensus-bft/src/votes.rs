//! Vote bookkeeping for one height: per round and step, each validator's
//! first vote, running power tallies, and equivocation detection.
//!
//! A validator's first vote in a (round, step) is the one that counts toward
//! "+2/3 of anything" and the round-skip rule. A later, conflicting vote is
//! evidence, and it also counts toward its own value when a proposal claims
//! that value (the round's proposal, or a proof-of-lock round): the paper
//! counts signed messages per value, and a proof-of-lock that includes an
//! equivocator's vote must stay verifiable by validators who heard the other
//! vote first, or they could never follow the lock (a liveness failure).
//! Quorum intersection keeps this safe: two quorums share more than 1/3 of
//! the power, hence an honest validator, who never votes twice.
use crate::evidence::DuplicateVoteEvidence;
use crate::types::{SignedVote, VoteStep};
use alloc::boxed::Box;
use alloc::collections::{BTreeMap, BTreeSet};
use alloc::vec::Vec;
use hm_primitives::{AccountId, FalconSignature, H256};

/// How many rounds above the current one a validator may hold votes in. An
/// honest validator ahead of us only ever needs its latest rounds counted, and
/// the cap keeps a Byzantine validator from filling memory with far rounds.
pub const MAX_FUTURE_ROUNDS_PER_VALIDATOR: usize = 2;

/// The votes of one step of one round.
#[derive(Default, Debug)]
struct StepVotes {
    /// Each validator's first vote.
    first: BTreeMap<AccountId, SignedVote>,
    /// Conflicting votes for claimed values, at most one per (value, validator).
    conflicting: BTreeMap<(H256, AccountId), SignedVote>,
    /// Power per voted value (`None` = nil), first and conflicting votes alike.
    by_block: BTreeMap<Option<H256>, u64>,
    /// Power of the first votes, whatever their value.
    total: u64,
}

impl StepVotes {
    fn power_for(&self, block: &Option<H256>) -> u64 {
        self.by_block.get(block).copied().unwrap_or(0)
    }

    /// Power sums stay below the set's total, itself capped at `MAX_TOTAL_POWER`,
    /// so they cannot overflow; saturation is only a backstop.
    fn credit(&mut self, block: Option<H256>, power: u64) {
        let entry = self.by_block.entry(block).or_insert(0);
        *entry = entry.saturating_add(power);
    }

    fn debit(&mut self, block: Option<H256>, power: u64) {
        if let Some(entry) = self.by_block.get_mut(&block) {
            *entry = entry.saturating_sub(power);
            if *entry == 0 {
                self.by_block.remove(&block);
            }
        }
    }

    fn insert_first(&mut self, vote: SignedVote, power: u64) {
        self.credit(vote.vote.block, power);
        self.total = self.total.saturating_add(power);
        self.first.insert(vote.vote.validator, vote);
    }

    fn remove(&mut self, validator: &AccountId, power: u64) -> bool {
        let Some(old) = self.first.remove(validator) else {
            return false;
        };
        self.debit(old.vote.block, power);
        self.total = self.total.saturating_sub(power);
        let extra: Vec<(H256, AccountId)> = self
            .conflicting
            .keys()
            .filter(|(_, v)| v == validator)
            .copied()
            .collect();
        for key in extra {
            self.conflicting.remove(&key);
            self.debit(Some(key.0), power);
        }
        true
    }

    /// Every vote for `block`, first or conflicting, by validator id.
    /// Every vote, first or conflicting, whatever it is for, by validator id.
    fn all(&self) -> Vec<SignedVote> {
        let mut found: Vec<SignedVote> = self
            .first
            .values()
            .chain(self.conflicting.values())
            .cloned()
            .collect();
        found.sort_by_key(|v| v.vote.validator);
        found
    }

    fn votes_for(&self, block: &Option<H256>) -> Vec<SignedVote> {
        let mut found: Vec<SignedVote> = self
            .first
            .values()
            .filter(|v| v.vote.block == *block)
            .cloned()
            .collect();
        if let Some(hash) = block {
            found.extend(
                self.conflicting
                    .range((*hash, AccountId([0; 32]))..=(*hash, AccountId([0xFF; 32])))
                    .map(|(_, v)| v.clone()),
            );
        }
        found.sort_by_key(|v| v.vote.validator);
        found
    }
}

#[derive(Default, Debug)]
struct RoundVotes {
    prevotes: StepVotes,
    precommits: StepVotes,
    /// Power of the validators with any vote in this round (round-skip rule).
    voters: u64,
}

impl RoundVotes {
    fn step(&self, step: VoteStep) -> &StepVotes {
        match step {
            VoteStep::Prevote => &self.prevotes,
            VoteStep::Precommit => &self.precommits,
        }
    }

    fn step_mut(&mut self, step: VoteStep) -> &mut StepVotes {
        match step {
            VoteStep::Prevote => &mut self.prevotes,
            VoteStep::Precommit => &mut self.precommits,
        }
    }

    fn has_voted(&self, validator: &AccountId) -> bool {
        self.prevotes.first.contains_key(validator) || self.precommits.first.contains_key(validator)
    }
}

/// What adding a vote did.
#[derive(Debug, PartialEq, Eq)]
pub enum AddOutcome {
    /// Counted.
    Added,
    /// A vote already held (a re-broadcast; Falcon signatures differ, the vote does not).
    Duplicate,
    /// A different vote for a (round, step) the validator already voted in.
    /// Evidence comes once per offender and (round, step).
    Equivocation(Option<Box<DuplicateVoteEvidence>>),
    /// Beyond the per-validator window of future rounds.
    Dropped,
}

/// All votes of one height.
#[derive(Default, Debug)]
pub struct VoteBook {
    rounds: BTreeMap<u32, RoundVotes>,
    /// Rounds each validator has votes in, for the future-round window.
    rounds_of: BTreeMap<AccountId, BTreeSet<u32>>,
    reported: BTreeSet<(AccountId, u32, VoteStep)>,
}

impl VoteBook {
    /// Record `vote` from a validator of `power`, while the machine is in
    /// `current_round`. `claimed` says whether a proposal claims the vote's
    /// value for its (round, step), which lets a conflicting vote count.
    pub fn add(
        &mut self,
        vote: SignedVote,
        power: u64,
        current_round: u32,
        claimed: bool,
    ) -> AddOutcome {
        let round = vote.vote.round;
        let step = vote.vote.step;
        let validator = vote.vote.validator;
        if let Some(slot) = self.rounds.get_mut(&round).map(|r| r.step_mut(step)) {
            if let Some(first) = slot.first.get(&validator).cloned() {
                if first.vote == vote.vote {
                    return AddOutcome::Duplicate;
                }
                if let Some(hash) = vote.vote.block {
                    if slot.conflicting.contains_key(&(hash, validator)) {
                        return AddOutcome::Duplicate;
                    }
                    if claimed {
                        slot.conflicting.insert((hash, validator), vote.clone());
                        slot.credit(Some(hash), power);
                    }
                }
                let first_report = self.reported.insert((validator, round, step));
                let evidence = first_report
                    .then(|| DuplicateVoteEvidence::new(first, vote).ok().map(Box::new))
                    .flatten();
                return AddOutcome::Equivocation(evidence);
            }
        }
        if round > current_round
            && !self.make_room_for_future_round(validator, round, power, current_round)
        {
            return AddOutcome::Dropped;
        }
        let votes = self.rounds.entry(round).or_default();
        if !votes.has_voted(&validator) {
            votes.voters = votes.voters.saturating_add(power);
        }
        votes.step_mut(step).insert_first(vote, power);
        self.rounds_of.entry(validator).or_default().insert(round);
        AddOutcome::Added
    }

    /// Keep at most [`MAX_FUTURE_ROUNDS_PER_VALIDATOR`] future rounds per validator,
    /// preferring the highest. Returns false if `round` itself does not fit.
    fn make_room_for_future_round(
        &mut self,
        validator: AccountId,
        round: u32,
        power: u64,
        current_round: u32,
    ) -> bool {
        let Some(held) = self.rounds_of.get(&validator) else {
            return true;
        };
        let future: Vec<u32> = held
            .range(current_round.saturating_add(1)..)
            .copied()
            .collect();
        if future.contains(&round) || future.len() < MAX_FUTURE_ROUNDS_PER_VALIDATOR {
            return true;
        }
        let Some(&lowest) = future.first() else {
            return true;
        };
        if round < lowest {
            return false;
        }
        self.evict(validator, lowest, power);
        true
    }

    /// Forget `validator`'s votes in `round`. Only used on future rounds, whose
    /// tallies have not triggered anything yet (reaching f+1 moves us there at once).
    fn evict(&mut self, validator: AccountId, round: u32, power: u64) {
        if let Some(votes) = self.rounds.get_mut(&round) {
            let had_prevote = votes.prevotes.remove(&validator, power);
            let had_precommit = votes.precommits.remove(&validator, power);
            if had_prevote || had_precommit {
                votes.voters = votes.voters.saturating_sub(power);
            }
            if votes.voters == 0 {
                self.rounds.remove(&round);
            }
        }
        if let Some(held) = self.rounds_of.get_mut(&validator) {
            held.remove(&round);
        }
    }

    /// Power of the `step` votes for `block` (`None` = nil) in `round`.
    pub fn power_for(&self, round: u32, step: VoteStep, block: &Option<H256>) -> u64 {
        self.rounds
            .get(&round)
            .map_or(0, |r| r.step(step).power_for(block))
    }

    /// Power of all `step` votes in `round`, whatever their value.
    pub fn step_power(&self, round: u32, step: VoteStep) -> u64 {
        self.rounds.get(&round).map_or(0, |r| r.step(step).total)
    }

    /// The highest round above `round` whose voters hold at least `threshold` power.
    pub fn highest_round_above(&self, round: u32, threshold: u64) -> Option<u32> {
        self.rounds
            .range(round.saturating_add(1)..)
            .rev()
            .find(|(_, votes)| votes.voters >= threshold)
            .map(|(r, _)| *r)
    }

    /// Every (round, block) that has precommits of at least `threshold` power, lowest round first.
    pub fn precommit_quorums(&self, threshold: u64) -> Vec<(u32, H256)> {
        let mut found = Vec::new();
        for (round, votes) in &self.rounds {
            for (block, power) in &votes.precommits.by_block {
                if let (Some(hash), true) = (block, *power >= threshold) {
                    found.push((*round, *hash));
                }
            }
        }
        found
    }

    /// All held `step` votes for `block` in `round`, by validator id.
    pub fn votes_for(&self, round: u32, step: VoteStep, block: &Option<H256>) -> Vec<SignedVote> {
        self.rounds
            .get(&round)
            .map_or_else(Vec::new, |r| r.step(step).votes_for(block))
    }

    /// Every `step` vote in `round`, for any block or nil.
    pub fn votes_in(&self, round: u32, step: VoteStep) -> Vec<SignedVote> {
        self.rounds
            .get(&round)
            .map_or_else(Vec::new, |r| r.step(step).all())
    }

    /// The precommit signatures for `block` in `round`, by validator id.
    pub fn precommit_signatures(
        &self,
        round: u32,
        block: &H256,
    ) -> Vec<(AccountId, FalconSignature)> {
        self.votes_for(round, VoteStep::Precommit, &Some(*block))
            .into_iter()
            .map(|v| (v.vote.validator, v.signature))
            .collect()
    }

    /// Number of votes held.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.rounds
            .values()
            .map(|r| {
                [&r.prevotes, &r.precommits]
                    .iter()
                    .map(|s| s.first.len() + s.conflicting.len())
                    .sum::<usize>()
            })
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Vote;

    fn vote(validator: u8, round: u32, step: VoteStep, block: Option<u8>) -> SignedVote {
        SignedVote {
            vote: Vote {
                height: 1,
                round,
                step,
                block: block.map(|b| H256([b; 32])),
                validator: AccountId([validator; 32]),
            },
            signature: FalconSignature(vec![validator, round as u8]),
        }
    }

    #[test]
    fn tallies_count_each_validator_once_per_step() {
        let mut book = VoteBook::default();
        assert_eq!(
            book.add(vote(1, 0, VoteStep::Prevote, Some(9)), 5, 0, false),
            AddOutcome::Added
        );
        assert_eq!(
            book.add(vote(2, 0, VoteStep::Prevote, None), 3, 0, false),
            AddOutcome::Added
        );
        assert_eq!(
            book.add(vote(1, 0, VoteStep::Precommit, Some(9)), 5, 0, false),
            AddOutcome::Added
        );
        // Same vote, new signature bytes: a duplicate, not an equivocation.
        let mut again = vote(1, 0, VoteStep::Prevote, Some(9));
        again.signature = FalconSignature(vec![42]);
        assert_eq!(book.add(again, 5, 0, false), AddOutcome::Duplicate);
        assert_eq!(
            book.power_for(0, VoteStep::Prevote, &Some(H256([9; 32]))),
            5
        );
        assert_eq!(book.power_for(0, VoteStep::Prevote, &None), 3);
        assert_eq!(book.step_power(0, VoteStep::Prevote), 8);
        assert_eq!(book.step_power(0, VoteStep::Precommit), 5);
        assert_eq!(book.rounds[&0].voters, 8);
        assert_eq!(book.len(), 3);
    }

    #[test]
    fn equivocation_reports_once_and_keeps_the_first_vote() {
        let mut book = VoteBook::default();
        book.add(vote(1, 0, VoteStep::Prevote, Some(9)), 1, 0, false);
        let AddOutcome::Equivocation(Some(evidence)) =
            book.add(vote(1, 0, VoteStep::Prevote, None), 1, 0, false)
        else {
            panic!("expected evidence");
        };
        assert_eq!(evidence.offender(), AccountId([1; 32]));
        assert_eq!(
            book.add(vote(1, 0, VoteStep::Prevote, Some(7)), 1, 0, false),
            AddOutcome::Equivocation(None)
        );
        assert_eq!(
            book.power_for(0, VoteStep::Prevote, &Some(H256([9; 32]))),
            1
        );
        assert_eq!(book.power_for(0, VoteStep::Prevote, &None), 0);
        // Another step of the same round is a separate offence.
        book.add(vote(1, 0, VoteStep::Precommit, None), 1, 0, false);
        assert!(matches!(
            book.add(vote(1, 0, VoteStep::Precommit, Some(3)), 1, 0, false),
            AddOutcome::Equivocation(Some(_))
        ));
    }

    #[test]
    fn conflicting_votes_count_only_for_claimed_values_and_only_once() {
        let mut book = VoteBook::default();
        book.add(vote(1, 0, VoteStep::Prevote, None), 1, 0, false);
        // Unclaimed conflicting value: evidence only.
        assert!(matches!(
            book.add(vote(1, 0, VoteStep::Prevote, Some(5)), 1, 0, false),
            AddOutcome::Equivocation(Some(_))
        ));
        assert_eq!(
            book.power_for(0, VoteStep::Prevote, &Some(H256([5; 32]))),
            0
        );
        // Claimed value: counts toward that value, not toward the step total.
        assert_eq!(
            book.add(vote(1, 0, VoteStep::Prevote, Some(6)), 1, 0, true),
            AddOutcome::Equivocation(None)
        );
        assert_eq!(
            book.power_for(0, VoteStep::Prevote, &Some(H256([6; 32]))),
            1
        );
        assert_eq!(book.power_for(0, VoteStep::Prevote, &None), 1);
        assert_eq!(book.step_power(0, VoteStep::Prevote), 1);
        assert_eq!(book.rounds[&0].voters, 1);
        // Delivered again: a duplicate, not counted twice.
        assert_eq!(
            book.add(vote(1, 0, VoteStep::Prevote, Some(6)), 1, 0, true),
            AddOutcome::Duplicate
        );
        assert_eq!(
            book.power_for(0, VoteStep::Prevote, &Some(H256([6; 32]))),
            1
        );
        assert_eq!(
            book.votes_for(0, VoteStep::Prevote, &Some(H256([6; 32])))
                .len(),
            1
        );
        // Eviction removes conflicting votes with the first one.
        let mut future = VoteBook::default();
        future.add(vote(2, 7, VoteStep::Precommit, None), 1, 0, false);
        future.add(vote(2, 7, VoteStep::Precommit, Some(8)), 1, 0, true);
        future.add(vote(2, 8, VoteStep::Precommit, None), 1, 0, false);
        future.add(vote(2, 9, VoteStep::Precommit, None), 1, 0, false);
        assert_eq!(
            future.power_for(7, VoteStep::Precommit, &Some(H256([8; 32]))),
            0
        );
        assert_eq!(future.len(), 2);
    }

    #[test]
    fn future_rounds_are_capped_per_validator_keeping_the_highest() {
        let mut book = VoteBook::default();
        for round in [5, 6] {
            assert_eq!(
                book.add(vote(1, round, VoteStep::Prevote, None), 1, 0, false),
                AddOutcome::Added
            );
        }
        // Lower than everything held: dropped.
        assert_eq!(
            book.add(vote(1, 3, VoteStep::Prevote, None), 1, 0, false),
            AddOutcome::Dropped
        );
        // Higher: evicts round 5.
        assert_eq!(
            book.add(vote(1, 9, VoteStep::Prevote, None), 1, 0, false),
            AddOutcome::Added
        );
        assert_eq!(book.step_power(5, VoteStep::Prevote), 0);
        assert!(!book.rounds.contains_key(&5));
        assert_eq!(book.highest_round_above(0, 1), Some(9));
        // A second step in a held round is always accepted.
        assert_eq!(
            book.add(vote(1, 6, VoteStep::Precommit, None), 1, 0, false),
            AddOutcome::Added
        );
        // Past and current rounds are not capped.
        for round in 0..=4 {
            assert_eq!(
                book.add(vote(1, round, VoteStep::Prevote, None), 1, 4, false),
                AddOutcome::Added
            );
        }
        // Hostile flood: one validator, a million far rounds -> bounded memory.
        let mut flood = VoteBook::default();
        for round in (10..1_000_000u32).step_by(997) {
            flood.add(vote(2, round, VoteStep::Prevote, None), 1, 0, false);
        }
        assert_eq!(flood.len(), MAX_FUTURE_ROUNDS_PER_VALIDATOR);
    }

    #[test]
    fn quorum_queries() {
        let mut book = VoteBook::default();
        for v in 1..=3 {
            book.add(vote(v, 2, VoteStep::Precommit, Some(4)), 1, 2, false);
        }
        book.add(vote(4, 2, VoteStep::Precommit, None), 1, 2, false);
        assert_eq!(book.precommit_quorums(3), vec![(2, H256([4; 32]))]);
        assert!(book.precommit_quorums(4).is_empty());
        let sigs = book.precommit_signatures(2, &H256([4; 32]));
        assert_eq!(sigs.len(), 3);
        assert!(sigs.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(book.highest_round_above(2, 1), None);
        assert_eq!(book.highest_round_above(1, 4), Some(2));
    }
}
