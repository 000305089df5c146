//! Catch-up sync: a node behind its peers downloads finalized blocks with their
//! justifications by range, and imports them through the one import path (which verifies
//! header, proofs, justification and state root).
//!
//! Peers are untrusted. The height a peer claims only decides whom to ask; it is believed
//! (and shown as `highestBlock`) once a justified header at that height arrives, either
//! with the blocks themselves or by a probe of the claimed tip. Peers are ranked by their
//! answers: one that serves nothing sits out for a while, longer each time, and ranks
//! after the peers that deliver, who take turns. A peer that serves an invalid block is
//! reported (and banned by the network).
//!
//! [`SyncMachine`] holds the decisions without I/O, so tests drive it with fake peers;
//! [`run`] connects it to the network and the client. [`ChainProvider`] is the serving
//! side.
mod driver;
mod machine;
mod peers;
mod progress;
mod provider;
mod tip;

pub use driver::run;
pub use machine::{
    Action, Delivery, Ours, ProbeOutcome, SyncMachine, BLOCKS_PER_REQUEST, ONE_BEHIND_GRACE,
    PROBE_STEP, STATUS_INTERVAL,
};
pub use peers::{PeerBook, PeerRecord};
pub use progress::SyncProgress;
pub use provider::{ChainProvider, VoteSource};
#[cfg(feature = "byzantine")]
pub use provider::{ServeMisbehaviour, LYING_SYNC_HEIGHT};
pub use tip::check_claimed_tip;
