//! HyperMesh's four-proof BFT engine: Tendermint finality (`hm-consensus-bft`)
//! over blocks that each carry PoTime, PoSpace and PoWork (`hm-proofs`) and the
//! proposer's Falcon seal (PoStake).
//!
//! - [`BftVerifier`]: the `BlockVerifier` every import runs (header proofs,
//!   proposer turn, seal, timestamps, >2/3 justifications).
//! - [`BftEngine`]: the task that drives the state machine: authors blocks
//!   when it proposes, signs votes and proposals only through the signer
//!   guard, persists the recovery state before acting on it, commits through
//!   `Client::import_block`.
//! - [`EngineHandle`] and [`ConsensusNetwork`]: the seam to the network, which
//!   validates gossip through the handle and carries the engine's broadcasts.
mod author;
mod buffer;
#[cfg(feature = "byzantine")]
pub mod byzantine;
mod chain_state;
mod config;
mod driver;
mod gossip;
mod header_data;
mod messages;
mod network;
mod persist;
mod proposer;
mod signer;
mod verifier;
mod vote_pull;

pub use author::AuthorError;
pub use chain_state::{FactsError, HeightFacts, Member, RegisteredPlot};
pub use config::{BftConfig, DEFAULT_MAX_FUTURE_DRIFT_MS};
pub use driver::{BftEngine, EngineDeps, EngineError};
pub use gossip::EngineHandle;
pub use header_data::{
    pre_seal_hash, BftHeaderData, HeaderDataError, GENESIS_TIME_OUTPUT, MAX_HEADER_DATA_BYTES,
};
pub use messages::{
    decode_vote, encode_vote, MessageError, ProposalMessage, MAX_BLOCK_EXTRINSICS,
    MAX_PROPOSAL_MESSAGE_BYTES, MAX_VOTE_MESSAGE_BYTES,
};
pub use network::{ConsensusNetwork, GossipVerdict, PeerRef, VoteReply};
pub use persist::{PersistError, StateFile};
pub use proposer::{ProposerSchedules, ScheduleError, MAX_ROUND};
pub use verifier::{BftVerifier, HeaderError, JustificationCheckError, BFT_ENGINE_ID};
pub use vote_pull::VotePullStats;

#[cfg(test)]
mod tests;
