//! The deterministic heart of HyperMesh's BFT finality: Tendermint as a pure
//! state machine, CometBFT's weighted round-robin proposer selection, and the
//! signed artefacts consensus produces (votes, justifications, evidence).
//!
//! Nothing here performs I/O, reads a clock, spawns threads or draws
//! randomness. The node feeds [`Event`]s into [`Tendermint`] and carries out the
//! [`Action`]s it returns; tests drive it the same way without a network.
//!
//! `no_std` + `alloc` without the default `std` feature, so the runtime can
//! check equivocation evidence with the same types.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

mod evidence;
mod height;
mod justification;
mod machine;
mod proposer;
mod types;
mod votes;

pub use evidence::{DuplicateVoteEvidence, EvidenceError, MAX_EVIDENCE_BYTES};
pub use justification::{
    Justification, JustificationError, BFT_ENGINE_ID, MAX_JUSTIFICATION_BYTES,
};
pub use machine::{Action, Config, Event, RecoveryState, Tendermint, TimeoutConfig};
pub use proposer::{ProposerPriority, RoundProposers};
pub use types::{
    Proposal, SignedProposal, SignedVote, Step, Validator, ValidatorSet, ValidatorSetError, Vote,
    VoteStep, MAX_TOTAL_POWER, MAX_VALIDATORS, PROPOSAL_DOMAIN, VOTE_DOMAIN,
};
pub use votes::MAX_FUTURE_ROUNDS_PER_VALIDATOR;
