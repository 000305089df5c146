//! One height of Tendermint: the state of Algorithm 1 and its `upon` rules.
//!
//! Line numbers refer to Algorithm 1 of "The latest gossip on BFT consensus"
//! (Buchman, Kwon, Milosevic; arXiv 1807.04938). After every input the rules
//! are re-evaluated until none fires, which is how the paper's `upon` clauses
//! read: a rule fires as soon as its condition holds.
use crate::justification::Justification;
use crate::machine::{Action, Config, RecoveryState, TimeoutConfig};
use crate::proposer::{ProposerPriority, RoundProposers};
use crate::types::{Proposal, SignedVote, Step, ValidatorSet, Vote, VoteStep};
use crate::votes::{AddOutcome, VoteBook};
use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use hm_primitives::{AccountId, H256};

#[derive(Clone, Copy, Debug)]
struct StoredProposal {
    proposal: Proposal,
    /// valid(v), as decided by the caller who executed the block.
    valid: bool,
}

/// The paper's "for the first time" guards, reset every round.
#[derive(Default, Debug)]
struct RoundFlags {
    /// Line 34.
    prevote_timeout: bool,
    /// Line 36.
    lock_rule: bool,
    /// Line 47.
    precommit_timeout: bool,
    /// [`Action::RequestPrevotes`] sent for this round's proof-of-lock.
    pol_requested: bool,
}

/// Proposers by round, computed once each and only as far as needed.
#[derive(Debug)]
struct ProposerCache {
    walk: RoundProposers,
    known: Vec<AccountId>,
}

impl ProposerCache {
    fn get(&mut self, round: u32) -> AccountId {
        let wanted = usize::try_from(round).unwrap_or(usize::MAX);
        while self.known.len() <= wanted {
            match self.walk.next() {
                Some(p) => self.known.push(p),
                None => break,
            }
        }
        self.known.get(wanted).copied().unwrap_or_default()
    }
}

#[derive(Debug)]
pub(crate) struct HeightState {
    height: u64,
    /// Our id if we are in this height's set.
    me: Option<AccountId>,
    timeouts: TimeoutConfig,
    set: ValidatorSet,
    proposers: ProposerCache,
    round: u32,
    step: Step,
    locked: Option<(u32, H256)>,
    valid: Option<(u32, H256)>,
    votes: VoteBook,
    /// Proposals from the round's proposer, first one per round (rounds <= current).
    proposals: BTreeMap<u32, StoredProposal>,
    /// At most one proposal per sender for rounds we have not reached; checked
    /// against the proposer schedule when we get there.
    pending: BTreeMap<AccountId, StoredProposal>,
    flags: RoundFlags,
    decision: Option<Justification>,
}

impl HeightState {
    pub(crate) fn start(
        height: u64,
        schedule: ProposerPriority,
        config: &Config,
        recovered: Option<RecoveryState>,
        out: &mut Vec<Action>,
    ) -> Self {
        let set = schedule.set().clone();
        let me = config.me.filter(|id| set.contains(id));
        let resume = recovered.filter(|r| r.height == height);
        let mut state = HeightState {
            height,
            me,
            timeouts: config.timeouts,
            set,
            proposers: ProposerCache {
                walk: schedule.rounds(),
                known: Vec::new(),
            },
            round: 0,
            step: Step::Propose,
            locked: resume.and_then(|r| r.locked),
            valid: resume.and_then(|r| r.valid),
            votes: VoteBook::default(),
            proposals: BTreeMap::new(),
            pending: BTreeMap::new(),
            flags: RoundFlags::default(),
            decision: None,
        };
        state.start_round(resume.map_or(0, |r| r.round), out);
        state.run_rules(out);
        state
    }

    pub(crate) fn height(&self) -> u64 {
        self.height
    }

    pub(crate) fn round(&self) -> u32 {
        self.round
    }

    pub(crate) fn step(&self) -> Step {
        self.step
    }

    pub(crate) fn locked(&self) -> Option<(u32, H256)> {
        self.locked
    }

    pub(crate) fn valid(&self) -> Option<(u32, H256)> {
        self.valid
    }

    pub(crate) fn decision(&self) -> Option<&Justification> {
        self.decision.as_ref()
    }

    pub(crate) fn proposer(&mut self, round: u32) -> AccountId {
        self.proposers.get(round)
    }

    pub(crate) fn recovery_state(&self) -> RecoveryState {
        RecoveryState {
            height: self.height,
            round: self.round,
            locked: self.locked,
            valid: self.valid,
        }
    }

    pub(crate) fn on_block_built(&mut self, round: u32, block_hash: H256, out: &mut Vec<Action>) {
        if round != self.round || self.step != Step::Propose || self.proposals.contains_key(&round)
        {
            return;
        }
        if self.me != Some(self.proposers.get(round)) {
            return;
        }
        self.propose(block_hash, None, out);
        self.run_rules(out);
    }

    pub(crate) fn on_proposal(
        &mut self,
        proposal: Proposal,
        from: AccountId,
        valid: bool,
        out: &mut Vec<Action>,
    ) {
        if proposal.height != self.height || !self.set.contains(&from) || !proposal.is_well_formed()
        {
            return;
        }
        let stored = StoredProposal { proposal, valid };
        if proposal.round <= self.round {
            self.admit_from_proposer(from, stored);
        } else if self
            .pending
            .get(&from)
            .is_none_or(|held| held.proposal.round < proposal.round)
        {
            self.pending.insert(from, stored);
        }
        self.run_rules(out);
    }

    pub(crate) fn on_vote(&mut self, vote: SignedVote, out: &mut Vec<Action>) {
        if vote.vote.height != self.height {
            return;
        }
        let Some(power) = self.set.power_of(&vote.vote.validator) else {
            return;
        };
        let claimed = vote
            .vote
            .block
            .is_some_and(|value| self.is_claimed(vote.vote.round, vote.vote.step, &value));
        if let AddOutcome::Equivocation(Some(evidence)) =
            self.votes.add(vote, power, self.round, claimed)
        {
            out.push(Action::Evidence(*evidence));
        }
        self.run_rules(out);
    }

    /// Lines 57-66.
    pub(crate) fn on_timeout(&mut self, round: u32, step: Step, out: &mut Vec<Action>) {
        if round != self.round {
            return;
        }
        match step {
            Step::Propose if self.step == Step::Propose => {
                self.vote(VoteStep::Prevote, None, out);
                self.step = Step::Prevote;
            }
            Step::Prevote if self.step == Step::Prevote => {
                self.vote(VoteStep::Precommit, None, out);
                self.step = Step::Precommit;
            }
            Step::Precommit => match round.checked_add(1) {
                Some(next) => self.start_round(next, out),
                None => return,
            },
            _ => return,
        }
        self.run_rules(out);
    }

    /// Re-evaluate the `upon` rules until none fires. Every firing advances the
    /// decision, the round, the step, or a once-per-round flag, so this ends.
    fn run_rules(&mut self, out: &mut Vec<Action>) {
        while self.decision.is_none() {
            let fired = self.try_commit(out)
                || self.try_round_skip(out)
                || self.try_prevote(out)
                || self.try_lock(out)
                || self.try_precommit_nil(out)
                || self.try_prevote_timeout(out)
                || self.try_precommit_timeout(out);
            if !fired {
                break;
            }
        }
    }

    /// Lines 11-21.
    fn start_round(&mut self, round: u32, out: &mut Vec<Action>) {
        self.round = round;
        self.step = Step::Propose;
        self.flags = RoundFlags::default();
        self.promote_pending();
        self.persist(out);
        let our_turn = self.me == Some(self.proposers.get(round));
        if our_turn && !self.proposals.contains_key(&round) {
            match self.valid {
                // A value that gathered +2/3 prevotes is re-proposed under its proof-of-lock round.
                Some((valid_round, value)) => {
                    let pol = Some(valid_round).filter(|vr| *vr < round);
                    self.propose(value, pol, out);
                }
                None => out.push(Action::ProposeBlock {
                    height: self.height,
                    round,
                }),
            }
        }
        // Unlike the paper, the proposer also arms this timer: if its own block
        // never arrives (building failed), it prevotes nil like everyone else.
        self.schedule(Step::Propose, out);
    }

    fn propose(&mut self, block_hash: H256, pol_round: Option<u32>, out: &mut Vec<Action>) {
        let proposal = Proposal {
            height: self.height,
            round: self.round,
            block_hash,
            pol_round,
        };
        self.proposals.insert(
            self.round,
            StoredProposal {
                proposal,
                valid: true,
            },
        );
        out.push(Action::BroadcastProposal(proposal));
    }

    /// Keep a proposal for a round we have reached if its sender is that round's proposer.
    fn admit_from_proposer(&mut self, from: AccountId, stored: StoredProposal) {
        let round = stored.proposal.round;
        if !self.proposals.contains_key(&round) && self.proposers.get(round) == from {
            self.proposals.insert(round, stored);
        }
    }

    fn promote_pending(&mut self) {
        let reached: Vec<AccountId> = self
            .pending
            .iter()
            .filter(|(_, held)| held.proposal.round <= self.round)
            .map(|(from, _)| *from)
            .collect();
        for from in reached {
            if let Some(held) = self.pending.remove(&from) {
                self.admit_from_proposer(from, held);
            }
        }
    }

    /// Whether an admitted proposal names `value` for (round, step): the round's
    /// own proposal, or (for prevotes) a later proposal's proof-of-lock round.
    fn is_claimed(&self, round: u32, step: VoteStep, value: &H256) -> bool {
        let proposed = self
            .proposals
            .get(&round)
            .is_some_and(|p| p.proposal.block_hash == *value);
        proposed
            || (step == VoteStep::Prevote
                && self.proposals.values().any(|p| {
                    p.proposal.pol_round == Some(round) && p.proposal.block_hash == *value
                }))
    }

    /// Every held `step` vote for `block` in `round` (to serve a peer's request).
    pub(crate) fn votes_for(
        &self,
        round: u32,
        step: VoteStep,
        block: &Option<H256>,
    ) -> Vec<SignedVote> {
        self.votes.votes_for(round, step, block)
    }

    /// Every held `step` vote in `round`, for any block or nil.
    pub(crate) fn votes_in(&self, round: u32, step: VoteStep) -> Vec<SignedVote> {
        self.votes.votes_in(round, step)
    }

    /// valid(v) for a block some stored proposal carried.
    fn block_is_valid(&self, hash: &H256) -> bool {
        self.proposals
            .values()
            .chain(self.pending.values())
            .any(|p| p.valid && p.proposal.block_hash == *hash)
    }

    /// Line 49, for any round. The paper takes v from the round-r proposal;
    /// only the block itself matters (the +2/3 precommits carry the safety),
    /// so a valid copy from any proposal of this height will do.
    fn try_commit(&mut self, out: &mut Vec<Action>) -> bool {
        let quorums = self.votes.precommit_quorums(self.set.quorum());
        let Some((round, block_hash)) = quorums
            .into_iter()
            .find(|(_, hash)| self.block_is_valid(hash))
        else {
            return false;
        };
        let justification = Justification {
            height: self.height,
            round,
            block_hash,
            precommits: self.votes.precommit_signatures(round, &block_hash),
        };
        self.decision = Some(justification.clone());
        out.push(Action::Commit(justification));
        true
    }

    /// Line 55: votes from more than 1/3 of the power in a higher round prove
    /// an honest validator is there; jump to the highest such round.
    fn try_round_skip(&mut self, out: &mut Vec<Action>) -> bool {
        let threshold = self.set.more_than_one_third();
        match self.votes.highest_round_above(self.round, threshold) {
            Some(round) => {
                self.start_round(round, out);
                true
            }
            None => false,
        }
    }

    /// Lines 22-33.
    fn try_prevote(&mut self, out: &mut Vec<Action>) -> bool {
        if self.step != Step::Propose {
            return false;
        }
        let Some(stored) = self.proposals.get(&self.round).copied() else {
            return false;
        };
        let value = stored.proposal.block_hash;
        let acceptable = match stored.proposal.pol_round {
            // Line 22: unlocked, or locked on this very value.
            None => self.locked.is_none_or(|(_, locked)| locked == value),
            // Line 28: needs +2/3 prevotes for v in round vr (< round, checked on
            // admission); the lock yields to a proof-of-lock at least as recent.
            Some(pol_round) => {
                let pol_power = self
                    .votes
                    .power_for(pol_round, VoteStep::Prevote, &Some(value));
                if pol_power < self.set.quorum() {
                    // The proposer claims a proof-of-lock we have not seen: ask
                    // peers for it once (gossip may have lost it, or we heard an
                    // equivocator's other vote first).
                    if !self.flags.pol_requested {
                        self.flags.pol_requested = true;
                        out.push(Action::RequestPrevotes {
                            height: self.height,
                            round: pol_round,
                            block_hash: value,
                        });
                    }
                    return false;
                }
                self.locked.is_none_or(|(locked_round, locked)| {
                    locked_round <= pol_round || locked == value
                })
            }
        };
        let choice = (stored.valid && acceptable).then_some(value);
        self.vote(VoteStep::Prevote, choice, out);
        self.step = Step::Prevote;
        true
    }

    /// Lines 36-43: +2/3 prevotes for the round's valid proposal.
    fn try_lock(&mut self, out: &mut Vec<Action>) -> bool {
        if self.step < Step::Prevote || self.flags.lock_rule {
            return false;
        }
        let Some(stored) = self.proposals.get(&self.round).copied() else {
            return false;
        };
        let value = stored.proposal.block_hash;
        let power = self
            .votes
            .power_for(self.round, VoteStep::Prevote, &Some(value));
        if !stored.valid || power < self.set.quorum() {
            return false;
        }
        self.flags.lock_rule = true;
        self.valid = Some((self.round, value));
        if self.step == Step::Prevote {
            self.locked = Some((self.round, value));
            self.persist(out);
            self.vote(VoteStep::Precommit, Some(value), out);
            self.step = Step::Precommit;
        } else {
            self.persist(out);
        }
        true
    }

    /// Lines 44-46.
    fn try_precommit_nil(&mut self, out: &mut Vec<Action>) -> bool {
        if self.step != Step::Prevote
            || self.votes.power_for(self.round, VoteStep::Prevote, &None) < self.set.quorum()
        {
            return false;
        }
        self.vote(VoteStep::Precommit, None, out);
        self.step = Step::Precommit;
        true
    }

    /// Lines 34-35.
    fn try_prevote_timeout(&mut self, out: &mut Vec<Action>) -> bool {
        if self.step != Step::Prevote
            || self.flags.prevote_timeout
            || self.votes.step_power(self.round, VoteStep::Prevote) < self.set.quorum()
        {
            return false;
        }
        self.flags.prevote_timeout = true;
        self.schedule(Step::Prevote, out);
        true
    }

    /// Lines 47-48.
    fn try_precommit_timeout(&mut self, out: &mut Vec<Action>) -> bool {
        if self.flags.precommit_timeout
            || self.votes.step_power(self.round, VoteStep::Precommit) < self.set.quorum()
        {
            return false;
        }
        self.flags.precommit_timeout = true;
        self.schedule(Step::Precommit, out);
        true
    }

    fn vote(&self, step: VoteStep, block: Option<H256>, out: &mut Vec<Action>) {
        if let Some(validator) = self.me {
            out.push(Action::BroadcastVote(Vote {
                height: self.height,
                round: self.round,
                step,
                block,
                validator,
            }));
        }
    }

    fn persist(&self, out: &mut Vec<Action>) {
        if self.me.is_some() {
            out.push(Action::PersistState(self.recovery_state()));
        }
    }

    fn schedule(&self, step: Step, out: &mut Vec<Action>) {
        out.push(Action::ScheduleTimeout {
            height: self.height,
            round: self.round,
            step,
            duration_ms: self.timeouts.duration_ms(step, self.round),
        });
    }
}
