//! Every vote and proposal signature goes through the slashing-protection
//! guard: approve and fsync the slot, sign, record the signature.
use hm_consensus_bft::{Proposal, SignedProposal, SignedVote, Step, Vote};
use hm_crypto::Keypair;
use hm_primitives::{FalconSignature, H256};
use hm_signer_guard::{Decision, GuardError, SignerGuard};
use std::path::Path;

/// A validator's consensus key behind its signer guard.
pub(crate) struct GuardedSigner {
    key: Keypair,
    guard: SignerGuard,
    genesis_hash: H256,
}

impl GuardedSigner {
    pub(crate) fn open(
        key: Keypair,
        guard_path: &Path,
        genesis_hash: H256,
    ) -> Result<Self, GuardError> {
        if let Some(dir) = guard_path.parent() {
            std::fs::create_dir_all(dir).map_err(|source| GuardError::Io {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        Ok(GuardedSigner {
            key,
            guard: SignerGuard::open(guard_path)?,
            genesis_hash,
        })
    }

    pub(crate) fn sign_vote(&mut self, vote: Vote) -> Result<SignedVote, GuardError> {
        let message = vote.signing_message(&self.genesis_hash);
        let signature = self.sign(vote.height, vote.round, vote.step.step(), &message)?;
        Ok(SignedVote { vote, signature })
    }

    pub(crate) fn sign_proposal(
        &mut self,
        proposal: Proposal,
    ) -> Result<SignedProposal, GuardError> {
        let message = proposal.signing_message(&self.genesis_hash);
        let signature = self.sign(proposal.height, proposal.round, Step::Propose, &message)?;
        Ok(SignedProposal {
            proposal,
            signature,
        })
    }

    /// Sign without the guard: only the `byzantine` test build does this.
    #[cfg(feature = "byzantine")]
    pub(crate) fn sign_unguarded(&self, vote: Vote) -> SignedVote {
        let message = vote.signing_message(&self.genesis_hash);
        let signature = self.key.sign(message.as_bytes());
        SignedVote { vote, signature }
    }

    fn sign(
        &mut self,
        height: u64,
        round: u32,
        step: Step,
        message: &H256,
    ) -> Result<FalconSignature, GuardError> {
        let code = step.guard_code();
        match self.guard.check_and_record(height, round, code, message)? {
            Decision::Previous(bytes) => Ok(FalconSignature(bytes)),
            Decision::Sign => {
                let signature = self.key.sign(message.as_bytes());
                self.guard
                    .record_signature(height, round, code, message, &signature.0)?;
                Ok(signature)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hm_consensus_bft::VoteStep;
    use hm_primitives::AccountId;

    fn vote(round: u32, block: Option<H256>) -> Vote {
        Vote {
            height: 4,
            round,
            step: VoteStep::Prevote,
            block,
            validator: AccountId([1; 32]),
        }
    }

    #[test]
    fn conflicting_votes_are_refused_across_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("guard/state");
        let key = hm_crypto::dev_keypair("alice").unwrap();
        let genesis = H256([3; 32]);
        let mut signer = GuardedSigner::open(key.clone(), &path, genesis).unwrap();
        let first = signer.sign_vote(vote(0, Some(H256([1; 32])))).unwrap();
        let message = first.vote.signing_message(&genesis);
        assert!(hm_crypto::verify(
            key.public(),
            message.as_bytes(),
            &first.signature
        ));
        // Same vote again: the stored signature comes back.
        assert_eq!(signer.sign_vote(first.vote).unwrap(), first);
        drop(signer);
        let mut reopened = GuardedSigner::open(key, &path, genesis).unwrap();
        assert!(matches!(
            reopened.sign_vote(vote(0, None)),
            Err(GuardError::Conflict { .. })
        ));
        // A proposal for an earlier step of the same round is a regression.
        let proposal = Proposal {
            height: 4,
            round: 0,
            block_hash: H256([1; 32]),
            pol_round: None,
        };
        assert!(matches!(
            reopened.sign_proposal(proposal),
            Err(GuardError::Regression { .. })
        ));
        assert!(reopened.sign_vote(vote(1, None)).is_ok());
    }
}
