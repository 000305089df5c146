//! Judging gossip before the state machine sees it: decoding, signatures
//! against the height's validator set, the proposer's turn, and execution of
//! proposed blocks. Shared by the network's [`EngineHandle`] and the driver
//! (buffered messages, vote requests).
use crate::author::AuthorError;
use crate::buffer::{FutureBuffer, Seen, FUTURE_HEIGHTS};
use crate::chain_state::HeightFacts;
use crate::messages::{decode_vote, encode_vote, ProposalMessage};
use crate::network::{ConsensusNetwork, GossipVerdict};
use crate::proposer::ProposerSchedules;
use crate::vote_pull::{at_most_per_validator, VotePullStats, VotePulls};
use hm_client::{Client, ImportError};
use hm_consensus_bft::{Proposal, SignedVote, Tendermint, VoteStep};
use hm_primitives::{AccountId, Block, H256};
use parking_lot::{Mutex, RwLock};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// Proposals more rounds than this ahead of the machine are ignored: naming
/// their proposer costs a walk of the schedule, and the machine keeps only
/// one future proposal per sender anyway.
const MAX_PROPOSAL_ROUNDS_AHEAD: u32 = 16;
/// How long a proposal for the next height waits for that height to start (the rest of
/// the block time after a commit, plus slack).
const NEXT_HEIGHT_WAIT: Duration = Duration::from_millis(1_500);

/// What the driver's loop receives.
pub(crate) enum Input {
    /// A proposal from the round's proposer whose block was executed.
    Proposal {
        proposal: Proposal,
        from: AccountId,
        block: Box<Block>,
        valid: bool,
    },
    /// A vote whose signature checked out.
    Vote(SignedVote),
    /// This node's block for (height, round), or why there is none.
    Built {
        height: u64,
        round: u32,
        result: Result<Box<Block>, AuthorError>,
    },
}

/// The height the driver is at, and its facts.
#[derive(Clone)]
pub(crate) struct HeightView {
    pub(crate) height: u64,
    pub(crate) facts: Arc<HeightFacts>,
}

/// State shared by the driver and every handle.
pub(crate) struct Core {
    pub(crate) client: Arc<Client>,
    pub(crate) network: Arc<dyn ConsensusNetwork>,
    pub(crate) schedules: Arc<ProposerSchedules>,
    pub(crate) genesis_hash: H256,
    pub(crate) machine: Mutex<Tendermint>,
    pub(crate) view: RwLock<Option<HeightView>>,
    pub(crate) seen: Mutex<Seen>,
    pub(crate) buffer: Mutex<FutureBuffer>,
    pub(crate) inputs: mpsc::Sender<Input>,
    /// Signature checks of pulled votes, on threads of their own.
    pub(crate) pulls: VotePulls,
}

/// Where a message's height falls relative to the engine.
pub(crate) enum Position {
    Current(HeightView),
    Future(HeightView),
    Elsewhere,
}

impl Core {
    pub(crate) fn position(&self, height: u64) -> Position {
        let Some(view) = self.view.read().clone() else {
            return Position::Elsewhere;
        };
        if height == view.height {
            Position::Current(view)
        } else if height > view.height && height - view.height <= FUTURE_HEIGHTS {
            Position::Future(view)
        } else {
            Position::Elsewhere
        }
    }

    /// A proposal for the next height usually arrives while we wait out the block time
    /// after a commit: wait briefly for that height to start, so the proposal is judged,
    /// and its sender answered, at once. `None` if the height did not start in time.
    async fn wait_for_height(&self, height: u64) -> Option<HeightView> {
        let deadline = tokio::time::Instant::now() + NEXT_HEIGHT_WAIT;
        while tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
            match self.position(height) {
                Position::Current(view) => return Some(view),
                Position::Future(_) => {}
                Position::Elsewhere => return None,
            }
        }
        None
    }

    pub(crate) async fn deliver(&self, input: Input) -> bool {
        self.inputs.send(input).await.is_ok()
    }

    /// Judge a gossiped vote and hand it to the machine if it is good.
    pub(crate) async fn judge_vote(&self, encoded: &[u8]) -> GossipVerdict {
        let signed = match decode_vote(encoded) {
            Ok(v) => v,
            Err(e) => return GossipVerdict::Reject(e.to_string()),
        };
        let vote = signed.vote;
        let message = vote.signing_message(&self.genesis_hash);
        match self.position(vote.height) {
            Position::Elsewhere => GossipVerdict::Ignore,
            Position::Current(view) => {
                let Some(key) = view.facts.public_key(&vote.validator) else {
                    return GossipVerdict::Reject(format!(
                        "{} is not a validator at height {}",
                        vote.validator, vote.height
                    ));
                };
                if self.seen.lock().has_vote(vote.height, &message) {
                    return GossipVerdict::Ignore;
                }
                if !hm_crypto::verify(key, message.as_bytes(), &signed.signature) {
                    return GossipVerdict::Reject("vote signature does not verify".into());
                }
                self.seen.lock().add_vote(vote.height, message);
                if self.deliver(Input::Vote(signed)).await {
                    GossipVerdict::Accept
                } else {
                    GossipVerdict::Ignore
                }
            }
            Position::Future(view) => {
                // Only validators we know are kept; a set change at the next
                // epoch costs at most a round for votes we could not place.
                let Some(key) = view.facts.public_key(&vote.validator) else {
                    return GossipVerdict::Ignore;
                };
                if !hm_crypto::verify(key, message.as_bytes(), &signed.signature) {
                    // The key belongs to the account: a bad signature is bad under any set.
                    return GossipVerdict::Reject("vote signature does not verify".into());
                }
                if self.buffer.lock().push_vote(signed) {
                    GossipVerdict::Accept
                } else {
                    GossipVerdict::Ignore
                }
            }
        }
    }

    /// Judge a gossiped proposal; for the current height this executes its block.
    pub(crate) async fn judge_proposal(&self, encoded: &[u8]) -> GossipVerdict {
        let message = match ProposalMessage::decode_message(encoded) {
            Ok(m) => m,
            Err(e) => return GossipVerdict::Reject(e.to_string()),
        };
        let proposal = message.proposal.proposal;
        if !proposal.is_well_formed() {
            return GossipVerdict::Reject("proof-of-lock round is not before the round".into());
        }
        if message.block.header.number != proposal.height
            || message.block.hash() != proposal.block_hash
        {
            return GossipVerdict::Reject("block does not match the proposal".into());
        }
        match self.position(proposal.height) {
            Position::Elsewhere => GossipVerdict::Ignore,
            Position::Current(view) => self.judge_current_proposal(view, message).await,
            Position::Future(view) => {
                if proposal.height == view.height + 1 {
                    if let Some(current) = self.wait_for_height(proposal.height).await {
                        return self.judge_current_proposal(current, message).await;
                    }
                }
                // Its proposer depends on a set we may not know yet. Keep fresh
                // proposals signed by the block's own author if that is a known validator.
                let author = message.block.header.proposer;
                let signed_by_author = proposal.pol_round.is_none()
                    && view.facts.public_key(&author).is_some_and(|key| {
                        let signing = proposal.signing_message(&self.genesis_hash);
                        hm_crypto::verify(key, signing.as_bytes(), &message.proposal.signature)
                    });
                if signed_by_author {
                    self.buffer.lock().push_proposal(message, encoded.len());
                }
                GossipVerdict::Ignore
            }
        }
    }

    /// A proposal for the height the engine is at: check its signer is the
    /// round's proposer, then execute the block on the best state.
    pub(crate) async fn judge_current_proposal(
        &self,
        view: HeightView,
        message: ProposalMessage,
    ) -> GossipVerdict {
        let proposal = message.proposal.proposal;
        let current_round = self.machine.lock().round().unwrap_or(0);
        if proposal.round > current_round.saturating_add(MAX_PROPOSAL_ROUNDS_AHEAD) {
            return GossipVerdict::Ignore;
        }
        let from = match self.schedules.proposer(&view.facts, proposal.round) {
            Ok(from) => from,
            Err(_) => return GossipVerdict::Ignore,
        };
        let signing = proposal.signing_message(&self.genesis_hash);
        if !view
            .facts
            .verify_signature(&from, signing.as_bytes(), &message.proposal.signature.0)
        {
            return GossipVerdict::Reject(format!(
                "proposal for round {} is not signed by its proposer {from}",
                proposal.round
            ));
        }
        if !self
            .seen
            .lock()
            .claim_proposal(proposal.height, proposal.round)
        {
            return GossipVerdict::Ignore;
        }
        let client = self.client.clone();
        let block = message.block;
        let checked = tokio::task::spawn_blocking(move || {
            let result = client.check_block(&block);
            (block, result)
        })
        .await;
        let (block, result) = match checked {
            Ok(pair) => pair,
            Err(join) => {
                tracing::error!("block check panicked: {join}");
                self.seen
                    .lock()
                    .release_proposal(proposal.height, proposal.round);
                return GossipVerdict::Ignore;
            }
        };
        let (valid, verdict) = match result {
            Ok(_) => (true, GossipVerdict::Accept),
            // The chain moved, or our own storage failed: no judgement on the sender.
            Err(ImportError::NotNext { .. } | ImportError::Storage(_) | ImportError::State(_)) => {
                self.seen
                    .lock()
                    .release_proposal(proposal.height, proposal.round);
                return GossipVerdict::Ignore;
            }
            Err(invalid) => {
                tracing::warn!(
                    height = proposal.height,
                    round = proposal.round,
                    %from,
                    "proposed block rejected: {invalid}"
                );
                (
                    false,
                    GossipVerdict::Reject(format!("invalid block: {invalid}")),
                )
            }
        };
        let input = Input::Proposal {
            proposal,
            from,
            block: Box::new(block),
            valid,
        };
        if self.deliver(input).await {
            verdict
        } else {
            GossipVerdict::Ignore
        }
    }

    /// Held votes for a peer's request, encoded.
    pub(crate) fn votes_for(
        &self,
        height: u64,
        round: u32,
        step: u8,
        block: Option<H256>,
    ) -> Vec<Vec<u8>> {
        let step = match step {
            2 => VoteStep::Prevote,
            3 => VoteStep::Precommit,
            _ => return Vec::new(),
        };
        let machine = self.machine.lock();
        if machine.height() != Some(height) {
            return Vec::new();
        }
        // A request without a block asks for the whole step (what the sync protocol's
        // `Votes` request means by it); with one, only the votes for that block.
        let votes = match block {
            Some(hash) => machine.votes_for(round, step, Some(hash)),
            None => machine.votes_in(round, step),
        };
        at_most_per_validator(votes)
            .iter()
            .map(encode_vote)
            .collect()
    }
}

/// The engine's inbound side, for the network: gossip validation and vote requests.
#[derive(Clone)]
pub struct EngineHandle {
    pub(crate) core: Arc<Core>,
}

impl EngineHandle {
    /// A gossiped proposal message. Resolves once its block has been executed
    /// (for the current height), so the verdict can penalise bad blocks.
    pub async fn on_proposal(&self, encoded: Vec<u8>) -> GossipVerdict {
        self.core.judge_proposal(&encoded).await
    }

    /// A gossiped vote: checked against the current set (and buffered if for
    /// one of the next heights).
    pub async fn on_vote(&self, encoded: Vec<u8>) -> GossipVerdict {
        self.core.judge_vote(&encoded).await
    }

    /// Encoded votes this node holds for (height, round, step), only those for
    /// `block` if given, to answer a peer's vote request; `step` 2 = prevote,
    /// 3 = precommit.
    pub fn votes_for(
        &self,
        height: u64,
        round: u32,
        step: u8,
        block: Option<H256>,
    ) -> Vec<Vec<u8>> {
        self.core.votes_for(height, round, step, block)
    }

    /// The height the engine is deciding, once started.
    pub fn height(&self) -> Option<u64> {
        self.core.view.read().as_ref().map(|v| v.height)
    }

    /// The round the engine is in at its height.
    pub fn round(&self) -> Option<u32> {
        self.core.machine.lock().round()
    }

    /// Counters of the vote-pull path (replies capped, ignored, shed; peers reported).
    pub fn vote_pull_stats(&self) -> VotePullStats {
        self.core.pulls.stats()
    }
}
