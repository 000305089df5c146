//! What the engine needs from the peer-to-peer network. The node implements it
//! over libp2p; tests implement it in memory.
use futures::future::BoxFuture;
use hm_primitives::H256;

/// The engine's judgement of one gossiped message, for gossip validation.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum GossipVerdict {
    /// Valid: deliver and forward.
    Accept,
    /// Provably bad (malformed, bad signature, non-validator, invalid block):
    /// drop it and penalise the sender.
    Reject(String),
    /// Not useful now (stale, duplicate, too far ahead): drop it without penalty.
    Ignore,
}

/// The network's name for a peer, opaque to the engine (the node passes libp2p's
/// `PeerId` bytes); the engine hands it back to [`ConsensusNetwork::report_peer`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PeerRef(pub Vec<u8>);

/// One peer's answer to a vote request: encoded `SignedVote`s, as the peer sent them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VoteReply {
    pub peer: PeerRef,
    pub votes: Vec<Vec<u8>>,
}

/// Outbound side of consensus gossip.
pub trait ConsensusNetwork: Send + Sync + 'static {
    /// Gossip an encoded [`crate::ProposalMessage`].
    fn broadcast_proposal(&self, encoded: Vec<u8>);
    /// Gossip an encoded `SignedVote`.
    fn broadcast_vote(&self, encoded: Vec<u8>);
    /// Gossip an encoded extrinsic (the engine submits equivocation reports).
    fn broadcast_transaction(&self, encoded: Vec<u8>);
    /// Ask peers for their signed votes (encoded `SignedVote`) for
    /// (height, round, step), only those for `block` if given; `step` is 2 for
    /// prevotes and 3 for precommits (`Step::guard_code`). Peers answer with
    /// [`crate::EngineHandle::votes_for`]. One [`VoteReply`] per peer that answered.
    fn request_votes(
        &self,
        height: u64,
        round: u32,
        step: u8,
        block: Option<H256>,
    ) -> BoxFuture<'static, Vec<VoteReply>>;
    /// `peer` answered a vote request with something no honest node sends (a vote that
    /// does not decode, is not from a validator, or whose signature fails): penalise it.
    fn report_peer(&self, peer: &PeerRef, reason: &str);
}
