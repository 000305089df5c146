//! Bounded memory for gossip: messages for the next heights (replayed when the
//! engine gets there) and what the current height has already seen.
use crate::messages::ProposalMessage;
use hm_consensus_bft::SignedVote;
use hm_primitives::{AccountId, H256};
use std::collections::{BTreeMap, BTreeSet};

/// How many heights ahead of the current one messages are kept.
pub const FUTURE_HEIGHTS: u64 = 2;
/// Buffered votes per validator and future height (a few rounds of both steps).
const VOTES_PER_SIGNER: usize = 16;
/// Buffered proposals per future height.
const PROPOSALS_PER_HEIGHT: usize = 4;
/// Bytes of buffered proposals (blocks) over all future heights.
const PROPOSAL_BYTES: usize = 64 * 1024 * 1024;
/// Distinct votes remembered for duplicate suppression at the current height.
const SEEN_VOTES: usize = 1 << 16;

#[derive(Default)]
pub(crate) struct FutureBuffer {
    votes: BTreeMap<u64, BTreeMap<AccountId, Vec<SignedVote>>>,
    proposals: BTreeMap<u64, Vec<(ProposalMessage, usize)>>,
    proposal_bytes: usize,
}

impl FutureBuffer {
    /// Keep a signature-checked vote for a future height. False if full or held.
    pub(crate) fn push_vote(&mut self, vote: SignedVote) -> bool {
        let held = self
            .votes
            .entry(vote.vote.height)
            .or_default()
            .entry(vote.vote.validator)
            .or_default();
        if held.len() >= VOTES_PER_SIGNER || held.iter().any(|v| v.vote == vote.vote) {
            return false;
        }
        held.push(vote);
        true
    }

    /// Keep a proposal for a future height. False if full or held.
    pub(crate) fn push_proposal(&mut self, message: ProposalMessage, size: usize) -> bool {
        let height = message.proposal.proposal.height;
        let held = self.proposals.entry(height).or_default();
        let duplicate = held
            .iter()
            .any(|(m, _)| m.proposal.proposal == message.proposal.proposal);
        if duplicate
            || held.len() >= PROPOSALS_PER_HEIGHT
            || self.proposal_bytes.saturating_add(size) > PROPOSAL_BYTES
        {
            return false;
        }
        self.proposal_bytes = self.proposal_bytes.saturating_add(size);
        held.push((message, size));
        true
    }

    /// Everything held for `height`; drops all below it too.
    pub(crate) fn take(&mut self, height: u64) -> (Vec<SignedVote>, Vec<ProposalMessage>) {
        self.prune_below(height);
        let votes = self
            .votes
            .remove(&height)
            .map(|by_signer| by_signer.into_values().flatten().collect())
            .unwrap_or_default();
        let proposals: Vec<ProposalMessage> = self
            .proposals
            .remove(&height)
            .map(|held| {
                held.into_iter()
                    .map(|(m, size)| {
                        self.proposal_bytes = self.proposal_bytes.saturating_sub(size);
                        m
                    })
                    .collect()
            })
            .unwrap_or_default();
        (votes, proposals)
    }

    fn prune_below(&mut self, height: u64) {
        self.votes = self.votes.split_off(&height);
        let kept = self.proposals.split_off(&height);
        for (_, held) in std::mem::replace(&mut self.proposals, kept) {
            for (_, size) in held {
                self.proposal_bytes = self.proposal_bytes.saturating_sub(size);
            }
        }
    }

    #[cfg(test)]
    pub(crate) fn proposal_bytes(&self) -> usize {
        self.proposal_bytes
    }
}

/// Duplicate suppression for the current height.
#[derive(Default)]
pub(crate) struct Seen {
    height: u64,
    /// Signing messages of votes whose signature checked out.
    votes: BTreeSet<H256>,
    /// Rounds whose proposal (from that round's proposer) was taken.
    proposal_rounds: BTreeSet<u32>,
}

impl Seen {
    fn at(&mut self, height: u64) {
        if self.height != height {
            *self = Seen {
                height,
                ..Seen::default()
            };
        }
    }

    pub(crate) fn has_vote(&mut self, height: u64, message: &H256) -> bool {
        self.at(height);
        self.votes.contains(message)
    }

    pub(crate) fn add_vote(&mut self, height: u64, message: H256) {
        self.at(height);
        if self.votes.len() < SEEN_VOTES {
            self.votes.insert(message);
        }
    }

    /// Claim `round`'s proposal slot; false if one was already taken.
    pub(crate) fn claim_proposal(&mut self, height: u64, round: u32) -> bool {
        self.at(height);
        self.proposal_rounds.insert(round)
    }

    /// Give a slot back (the proposal could not be judged, e.g. the chain moved).
    pub(crate) fn release_proposal(&mut self, height: u64, round: u32) {
        if self.height == height {
            self.proposal_rounds.remove(&round);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hm_consensus_bft::{Proposal, SignedProposal, Vote, VoteStep};
    use hm_primitives::{Block, FalconSignature, Header};

    fn vote(height: u64, round: u32, who: u8) -> SignedVote {
        SignedVote {
            vote: Vote {
                height,
                round,
                step: VoteStep::Prevote,
                block: None,
                validator: AccountId([who; 32]),
            },
            signature: FalconSignature(vec![1]),
        }
    }

    fn proposal(height: u64, round: u32) -> ProposalMessage {
        ProposalMessage {
            proposal: SignedProposal {
                proposal: Proposal {
                    height,
                    round,
                    block_hash: H256([round as u8; 32]),
                    pol_round: None,
                },
                signature: FalconSignature(vec![2]),
            },
            block: Block {
                header: Header {
                    parent_hash: H256::ZERO,
                    number: height,
                    state_root: H256::ZERO,
                    extrinsics_root: H256::ZERO,
                    timestamp_ms: 0,
                    proposer: AccountId::default(),
                    consensus: vec![],
                    seal: vec![],
                },
                extrinsics: vec![],
            },
        }
    }

    #[test]
    fn votes_are_bounded_per_signer_and_deduplicated() {
        let mut buffer = FutureBuffer::default();
        assert!(buffer.push_vote(vote(5, 0, 1)));
        assert!(!buffer.push_vote(vote(5, 0, 1)));
        for round in 1..VOTES_PER_SIGNER as u32 {
            assert!(buffer.push_vote(vote(5, round, 1)));
        }
        assert!(!buffer.push_vote(vote(5, 99, 1)));
        // Another signer and another height have their own room.
        assert!(buffer.push_vote(vote(5, 99, 2)));
        assert!(buffer.push_vote(vote(6, 0, 1)));
        let (votes, proposals) = buffer.take(5);
        assert_eq!(votes.len(), VOTES_PER_SIGNER + 1);
        assert!(proposals.is_empty());
        assert_eq!(buffer.take(6).0.len(), 1);
    }

    #[test]
    fn proposals_are_bounded_and_bytes_accounted() {
        let mut buffer = FutureBuffer::default();
        for round in 0..PROPOSALS_PER_HEIGHT as u32 {
            assert!(buffer.push_proposal(proposal(7, round), 1000));
        }
        assert!(!buffer.push_proposal(proposal(7, 50), 1000));
        assert!(!buffer.push_proposal(proposal(8, 0), PROPOSAL_BYTES));
        assert!(buffer.push_proposal(proposal(8, 0), 10));
        assert!(!buffer.push_proposal(proposal(8, 0), 10));
        assert_eq!(buffer.proposal_bytes(), 4 * 1000 + 10);
        // Taking a later height drops the earlier one and its bytes.
        let (_, taken) = buffer.take(8);
        assert_eq!(taken.len(), 1);
        assert_eq!(buffer.proposal_bytes(), 0);
        assert!(buffer.take(7).1.is_empty());
    }

    #[test]
    fn seen_resets_per_height() {
        let mut seen = Seen::default();
        let m = H256([1; 32]);
        assert!(!seen.has_vote(3, &m));
        seen.add_vote(3, m);
        assert!(seen.has_vote(3, &m));
        assert!(seen.claim_proposal(3, 0));
        assert!(!seen.claim_proposal(3, 0));
        seen.release_proposal(3, 0);
        assert!(seen.claim_proposal(3, 0));
        assert!(!seen.has_vote(4, &m));
        assert!(seen.claim_proposal(4, 0));
    }
}
