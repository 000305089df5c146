//! The Tendermint state machine's interface: events in, actions out.
//!
//! The caller (the node) owns every side effect. It executes proposed blocks
//! and reports their validity, builds blocks on request, signs votes through
//! the signer guard, gossips, keeps timers, and buffers messages for future
//! heights. The machine never reads a clock, does no I/O and draws no randomness,
//! so the same events always yield the same actions.
//!
//! Contract for the caller:
//! - Execute actions in the order given. `PersistState` precedes the votes it
//!   protects: write it durably before broadcasting what follows.
//! - After signing a `BroadcastVote`, feed the signed vote back as
//!   [`Event::Vote`]; the machine counts its own votes like anyone else's. If the
//!   signer guard refuses to sign, do not feed anything back.
//! - Verify signatures (and that a proposal's signer is `from`) before feeding
//!   `Event::Vote` / `Event::Proposal`.
//! - After `Commit`, import the block with the justification and start the next
//!   height with [`Event::StartHeight`].
use crate::evidence::DuplicateVoteEvidence;
use crate::height::HeightState;
use crate::justification::Justification;
use crate::proposer::ProposerPriority;
use crate::types::{Proposal, SignedVote, Step, Vote, VoteStep};
use alloc::vec::Vec;
use hm_primitives::{AccountId, H256};
use parity_scale_codec::{Decode, Encode};

/// Round timeouts: `base + round * delta` milliseconds per step, so every
/// round waits longer than the one before and eventually outlasts any delay.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct TimeoutConfig {
    pub propose_ms: u64,
    pub propose_delta_ms: u64,
    pub prevote_ms: u64,
    pub prevote_delta_ms: u64,
    pub precommit_ms: u64,
    pub precommit_delta_ms: u64,
}

impl Default for TimeoutConfig {
    /// Tuned for ~1 s blocks on a LAN (CometBFT's defaults are 3 s / 1 s / 1 s, +0.5 s each).
    fn default() -> Self {
        TimeoutConfig {
            propose_ms: 1_000,
            propose_delta_ms: 500,
            prevote_ms: 500,
            prevote_delta_ms: 250,
            precommit_ms: 500,
            precommit_delta_ms: 250,
        }
    }
}

impl TimeoutConfig {
    /// The timeout of `step` in `round` (saturating: a timer, not consensus state).
    pub fn duration_ms(&self, step: Step, round: u32) -> u64 {
        let (base, delta) = match step {
            Step::Propose => (self.propose_ms, self.propose_delta_ms),
            Step::Prevote => (self.prevote_ms, self.prevote_delta_ms),
            Step::Precommit => (self.precommit_ms, self.precommit_delta_ms),
        };
        base.saturating_add(delta.saturating_mul(u64::from(round)))
    }
}

/// Static configuration of one node's machine.
#[derive(Clone, Debug)]
pub struct Config {
    /// This node's validator id; `None` (or an id outside the set) follows without voting.
    pub me: Option<AccountId>,
    pub timeouts: TimeoutConfig,
}

/// What a validator must remember across a restart to keep Tendermint's
/// locking rules: without it a restarted validator could prevote against its
/// own lock, which the signer guard alone (one slot at a time) cannot stop.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode)]
pub struct RecoveryState {
    pub height: u64,
    pub round: u32,
    /// (lockedRound, lockedValue)
    pub locked: Option<(u32, H256)>,
    /// (validRound, validValue)
    pub valid: Option<(u32, H256)>,
}

/// Inputs.
#[derive(Clone, Debug)]
pub enum Event {
    /// Begin `height` with its proposer schedule (which carries the validator
    /// set). `recovered` restores round, lock and valid value after a restart;
    /// it is ignored unless it is for this height. Resets all per-height state.
    StartHeight {
        height: u64,
        validators: ProposerPriority,
        recovered: Option<RecoveryState>,
    },
    /// The block this node built after [`Action::ProposeBlock`].
    BlockBuilt {
        height: u64,
        round: u32,
        block_hash: H256,
    },
    /// A proposal whose signature by `from` the caller has checked, and whose
    /// block the caller has executed: `block_valid` is the outcome.
    Proposal {
        proposal: Proposal,
        from: AccountId,
        block_valid: bool,
    },
    /// A vote whose signature the caller has checked.
    Vote(SignedVote),
    /// A timer set by [`Action::ScheduleTimeout`] expired.
    Timeout { height: u64, round: u32, step: Step },
}

/// Outputs, to be executed in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Durably store this before executing any later action.
    PersistState(RecoveryState),
    /// Build a block for (height, round) and report it with [`Event::BlockBuilt`].
    ProposeBlock { height: u64, round: u32 },
    /// Sign (through the signer guard) and gossip this proposal. The machine
    /// has already taken it as received.
    BroadcastProposal(Proposal),
    /// Sign (through the signer guard), gossip, and feed back as [`Event::Vote`].
    BroadcastVote(Vote),
    /// Deliver [`Event::Timeout`] for these coordinates after `duration_ms`.
    ScheduleTimeout {
        height: u64,
        round: u32,
        step: Step,
        duration_ms: u64,
    },
    /// The height is decided: import the block with this justification.
    Commit(Justification),
    /// A validator equivocated; submit the evidence on-chain.
    Evidence(DuplicateVoteEvidence),
    /// A proposal re-proposes `block_hash` under a proof-of-lock in `round`
    /// that this node lacks. Ask peers for their prevotes for it (they answer
    /// with [`Tendermint::votes_for`]) and feed them back as [`Event::Vote`].
    RequestPrevotes {
        height: u64,
        round: u32,
        block_hash: H256,
    },
}

/// Tendermint (arXiv 1807.04938, Algorithm 1) for one height at a time.
pub struct Tendermint {
    config: Config,
    current: Option<HeightState>,
}

impl Tendermint {
    pub fn new(config: Config) -> Self {
        Tendermint {
            config,
            current: None,
        }
    }

    /// Feed one event; returns the actions it causes, in execution order.
    pub fn handle(&mut self, event: Event) -> Vec<Action> {
        let mut out = Vec::new();
        if let Event::StartHeight {
            height,
            validators,
            recovered,
        } = event
        {
            self.current = Some(HeightState::start(
                height,
                validators,
                &self.config,
                recovered,
                &mut out,
            ));
            return out;
        }
        let Some(state) = self.current.as_mut() else {
            return out;
        };
        if state.decision().is_some() {
            return out;
        }
        match event {
            Event::StartHeight { .. } => {}
            Event::BlockBuilt {
                height,
                round,
                block_hash,
            } => {
                if height == state.height() {
                    state.on_block_built(round, block_hash, &mut out);
                }
            }
            Event::Proposal {
                proposal,
                from,
                block_valid,
            } => state.on_proposal(proposal, from, block_valid, &mut out),
            Event::Vote(vote) => state.on_vote(vote, &mut out),
            Event::Timeout {
                height,
                round,
                step,
            } => {
                if height == state.height() {
                    state.on_timeout(round, step, &mut out);
                }
            }
        }
        out
    }

    pub fn height(&self) -> Option<u64> {
        self.current.as_ref().map(HeightState::height)
    }

    pub fn round(&self) -> Option<u32> {
        self.current.as_ref().map(HeightState::round)
    }

    pub fn step(&self) -> Option<Step> {
        self.current.as_ref().map(HeightState::step)
    }

    /// (lockedRound, lockedValue)
    pub fn locked(&self) -> Option<(u32, H256)> {
        self.current.as_ref().and_then(HeightState::locked)
    }

    /// (validRound, validValue)
    pub fn valid(&self) -> Option<(u32, H256)> {
        self.current.as_ref().and_then(HeightState::valid)
    }

    /// The justification of this height once decided.
    pub fn decision(&self) -> Option<&Justification> {
        self.current.as_ref().and_then(HeightState::decision)
    }

    /// What [`Action::PersistState`] last carried.
    pub fn recovery_state(&self) -> Option<RecoveryState> {
        self.current.as_ref().map(HeightState::recovery_state)
    }

    /// Every held vote of `step` for `block` (`None` = nil) in `round` at the
    /// current height, including an equivocator's counted second vote: the
    /// answer to a peer's [`Action::RequestPrevotes`].
    pub fn votes_for(&self, round: u32, step: VoteStep, block: Option<H256>) -> Vec<SignedVote> {
        self.current
            .as_ref()
            .map_or_else(Vec::new, |s| s.votes_for(round, step, &block))
    }

    /// Every held `step` vote in `round` at the current height, whatever it is for: what
    /// a peer that missed the gossip of this round needs to catch up.
    pub fn votes_in(&self, round: u32, step: VoteStep) -> Vec<SignedVote> {
        self.current
            .as_ref()
            .map_or_else(Vec::new, |s| s.votes_in(round, step))
    }

    /// Proposer of `round` at the current height. The first call for a round
    /// costs `O(round * validators)`; only ask for rounds you have reason to.
    pub fn proposer(&mut self, round: u32) -> Option<AccountId> {
        self.current.as_mut().map(|s| s.proposer(round))
    }
}
