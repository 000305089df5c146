//! The engine's side of the `byzantine` test build: equivocating votes and proposals out
//! of turn, both signed with the raw key so the signer guard cannot stop them.
use super::BftEngine;
use crate::byzantine::{conflicting_block, Misbehaviour};
use crate::messages::{encode_vote, ProposalMessage};
use hm_consensus_bft::{Proposal, SignedProposal, Vote};

impl BftEngine {
    fn misbehaviour(&self) -> Option<Misbehaviour> {
        self.config.misbehaviour
    }

    /// `DoubleVote`: after each honest vote, gossip a conflicting one for the same slot.
    pub(super) fn equivocate(&self, honest: &Vote) {
        if self.misbehaviour() != Some(Misbehaviour::DoubleVote) {
            return;
        }
        let Some(signer) = self.validator.as_ref().map(|v| v.signer.clone()) else {
            return;
        };
        let twin = Vote {
            block: conflicting_block(honest.block),
            ..*honest
        };
        let signed = signer.lock().sign_unguarded(twin);
        tracing::warn!(
            height = honest.height,
            round = honest.round,
            "😈 double-voting"
        );
        self.core.network.broadcast_vote(encode_vote(&signed));
    }

    /// `OutOfTurn`: author and gossip a round-0 proposal at every height, our turn or not.
    pub(super) fn propose_out_of_turn(&self, height: u64) {
        if self.misbehaviour() != Some(Misbehaviour::OutOfTurn) {
            return;
        }
        let Some(v) = self.validator.as_ref() else {
            return;
        };
        let view = self.core.view.read().clone();
        let our_turn = view.is_some_and(|view| {
            self.core.schedules.proposer(&view.facts, 0).ok() == Some(v.author_id())
        });
        if our_turn {
            return;
        }
        let (author, core) = (v.author.clone(), self.core.clone());
        tokio::task::spawn_blocking(move || {
            let Ok(block) = author.author(height, 0) else {
                return;
            };
            let proposal = Proposal {
                height,
                round: 0,
                block_hash: block.hash(),
                pol_round: None,
            };
            let signing = proposal.signing_message(&core.genesis_hash);
            let signature = author.sign_raw(signing.as_bytes());
            let message = ProposalMessage {
                proposal: SignedProposal {
                    proposal,
                    signature,
                },
                block,
            };
            tracing::warn!(height, "😈 proposing out of turn");
            core.network.broadcast_proposal(message.encode_message());
        });
    }
}
