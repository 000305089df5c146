//! Proof that a validator signed two different votes for one (height, round, step).
use crate::types::{SignedVote, ValidatorSet, VoteStep};
use hm_primitives::account::FALCON_MAX_SIGNATURE_BYTES;
use hm_primitives::{AccountId, FalconSignature, H256};
use parity_scale_codec::{Decode, Encode};

/// Upper bound of an encoded [`DuplicateVoteEvidence`]: two votes (each at most
/// 8 + 4 + 1 + 33 + 32 bytes) and two signatures with their length prefixes.
pub const MAX_EVIDENCE_BYTES: usize = 2 * (78 + 3 + FALCON_MAX_SIGNATURE_BYTES);

/// Why evidence is not a valid accusation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvidenceError {
    #[error("the two votes are from different validators")]
    DifferentValidators,
    #[error("the two votes are for different heights, rounds or steps")]
    DifferentSlots,
    #[error("the two votes are for the same block; that is not equivocation")]
    SameBlock,
    #[error("validator {0} is not in the validator set")]
    UnknownValidator(AccountId),
    #[error("a vote signature does not verify")]
    BadSignature,
}

/// Two signed votes by the same validator for the same (height, round, step)
/// with different values (CometBFT `DuplicateVoteEvidence{A, B}`).
///
/// [`DuplicateVoteEvidence::new`] orders the pair by value (nil first), so the
/// same offence always encodes the same way; [`DuplicateVoteEvidence::dedup_key`]
/// identifies the offence whatever the pair.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, scale_info::TypeInfo)]
pub struct DuplicateVoteEvidence {
    pub a: SignedVote,
    pub b: SignedVote,
}

impl DuplicateVoteEvidence {
    /// Check the pair's shape and put it in canonical order.
    pub fn new(x: SignedVote, y: SignedVote) -> Result<Self, EvidenceError> {
        let evidence = if x.vote.block <= y.vote.block {
            DuplicateVoteEvidence { a: x, b: y }
        } else {
            DuplicateVoteEvidence { a: y, b: x }
        };
        evidence.check_shape()?;
        Ok(evidence)
    }

    fn check_shape(&self) -> Result<(), EvidenceError> {
        let (a, b) = (&self.a.vote, &self.b.vote);
        if a.validator != b.validator {
            return Err(EvidenceError::DifferentValidators);
        }
        if (a.height, a.round, a.step) != (b.height, b.round, b.step) {
            return Err(EvidenceError::DifferentSlots);
        }
        if a.block == b.block {
            return Err(EvidenceError::SameBlock);
        }
        Ok(())
    }

    pub fn offender(&self) -> AccountId {
        self.a.vote.validator
    }

    pub fn height(&self) -> u64 {
        self.a.vote.height
    }

    /// One offence, one key: (offender, height, round, step).
    pub fn dedup_key(&self) -> (AccountId, u64, u32, VoteStep) {
        let v = &self.a.vote;
        (v.validator, v.height, v.round, v.step)
    }

    /// Full check against the validator set of the offence's height: same
    /// validator and slot, different values, a known validator, and both
    /// signatures valid over the chain-bound signing message.
    ///
    /// `verify_sig(validator, message, signature)` looks up the validator's key
    /// and verifies a Falcon-1024 signature.
    pub fn check(
        &self,
        set: &ValidatorSet,
        genesis_hash: &H256,
        verify_sig: impl Fn(&AccountId, &[u8], &FalconSignature) -> bool,
    ) -> Result<(), EvidenceError> {
        self.check_shape()?;
        let offender = self.offender();
        if !set.contains(&offender) {
            return Err(EvidenceError::UnknownValidator(offender));
        }
        for signed in [&self.a, &self.b] {
            let message = signed.vote.signing_message(genesis_hash);
            if !verify_sig(&offender, message.as_bytes(), &signed.signature) {
                return Err(EvidenceError::BadSignature);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Validator, Vote};

    fn signed(validator: u8, round: u32, block: Option<u8>) -> SignedVote {
        SignedVote {
            vote: Vote {
                height: 3,
                round,
                step: VoteStep::Precommit,
                block: block.map(|b| H256([b; 32])),
                validator: AccountId([validator; 32]),
            },
            signature: FalconSignature(vec![1, 2, 3]),
        }
    }

    #[test]
    fn shape_rules() {
        assert_eq!(
            DuplicateVoteEvidence::new(signed(1, 0, Some(1)), signed(2, 0, Some(2))),
            Err(EvidenceError::DifferentValidators)
        );
        assert_eq!(
            DuplicateVoteEvidence::new(signed(1, 0, Some(1)), signed(1, 1, Some(2))),
            Err(EvidenceError::DifferentSlots)
        );
        let mut other_step = signed(1, 0, Some(2));
        other_step.vote.step = VoteStep::Prevote;
        assert_eq!(
            DuplicateVoteEvidence::new(signed(1, 0, Some(1)), other_step),
            Err(EvidenceError::DifferentSlots)
        );
        assert_eq!(
            DuplicateVoteEvidence::new(signed(1, 0, Some(1)), signed(1, 0, Some(1))),
            Err(EvidenceError::SameBlock)
        );
    }

    #[test]
    fn canonical_order_and_dedup_key() {
        let x = signed(1, 0, Some(5));
        let y = signed(1, 0, None);
        let one = DuplicateVoteEvidence::new(x.clone(), y.clone()).unwrap();
        let two = DuplicateVoteEvidence::new(y, x).unwrap();
        assert_eq!(one, two);
        assert_eq!(one.a.vote.block, None);
        assert_eq!(
            one.dedup_key(),
            (AccountId([1; 32]), 3, 0, VoteStep::Precommit)
        );
        assert!(one.encode().len() <= MAX_EVIDENCE_BYTES);
    }

    #[test]
    fn check_requires_known_validator_and_valid_signatures() {
        let set = ValidatorSet::new(vec![Validator {
            id: AccountId([1; 32]),
            power: 1,
        }])
        .unwrap();
        let genesis = H256([0xAA; 32]);
        let ev = DuplicateVoteEvidence::new(signed(1, 0, Some(5)), signed(1, 0, None)).unwrap();
        assert_eq!(ev.check(&set, &genesis, |_, _, _| true), Ok(()));
        assert_eq!(
            ev.check(&set, &genesis, |_, _, _| false),
            Err(EvidenceError::BadSignature)
        );
        let stranger =
            DuplicateVoteEvidence::new(signed(2, 0, Some(5)), signed(2, 0, None)).unwrap();
        assert_eq!(
            stranger.check(&set, &genesis, |_, _, _| true),
            Err(EvidenceError::UnknownValidator(AccountId([2; 32])))
        );
        // A decoded (unchecked) pair with the same block is refused by check().
        let forged = DuplicateVoteEvidence {
            a: signed(1, 0, Some(5)),
            b: signed(1, 0, Some(5)),
        };
        assert_eq!(
            forged.check(&set, &genesis, |_, _, _| true),
            Err(EvidenceError::SameBlock)
        );
    }

    #[test]
    fn hostile_bytes_are_refused() {
        let ev = DuplicateVoteEvidence::new(signed(1, 0, Some(5)), signed(1, 0, None)).unwrap();
        let bytes = ev.encode();
        for cut in 0..bytes.len() {
            assert!(hm_primitives::decode_untrusted::<DuplicateVoteEvidence>(
                &bytes[..cut],
                MAX_EVIDENCE_BYTES
            )
            .is_err());
        }
        let oversized = vec![0u8; MAX_EVIDENCE_BYTES + 1];
        assert!(hm_primitives::decode_untrusted::<DuplicateVoteEvidence>(
            &oversized,
            MAX_EVIDENCE_BYTES
        )
        .is_err());
        assert_eq!(
            hm_primitives::decode_untrusted::<DuplicateVoteEvidence>(&bytes, MAX_EVIDENCE_BYTES)
                .unwrap(),
            ev
        );
    }
}
