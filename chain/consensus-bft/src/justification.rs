//! Finality proofs: the precommits of more than 2/3 of voting power for a block.
use crate::types::{ValidatorSet, Vote, VoteStep, MAX_VALIDATORS};
use alloc::collections::BTreeSet;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use hm_primitives::account::FALCON_MAX_SIGNATURE_BYTES;
use hm_primitives::{decode_untrusted, AccountId, FalconSignature, H256};
use parity_scale_codec::{Decode, Encode};

/// `engine_id` of BFT justifications inside `hm_primitives::Justification`.
pub const BFT_ENGINE_ID: [u8; 4] = *b"hbft";

/// Upper bound of an encoded [`Justification`] (every validator precommitting).
pub const MAX_JUSTIFICATION_BYTES: usize =
    8 + 4 + 32 + 5 + MAX_VALIDATORS * (32 + 3 + FALCON_MAX_SIGNATURE_BYTES);

/// Why a justification does not prove finality.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JustificationError {
    #[error("justification has {got} precommits; the set has only {max} validators")]
    TooManyPrecommits { got: usize, max: usize },
    #[error("precommit signature of {0} does not verify")]
    BadSignature(AccountId),
    #[error("precommits hold {got} voting power; more than 2/3 needs {needed}")]
    InsufficientPower { got: u64, needed: u64 },
    #[error("voting power sum overflowed")]
    PowerOverflow,
    #[error("justification is for block {got_hash:?} at {got_height}, expected {want_hash:?} at {want_height}")]
    WrongBlock {
        got_height: u64,
        got_hash: H256,
        want_height: u64,
        want_hash: H256,
    },
    #[error("justification is from engine {0:?}, expected {BFT_ENGINE_ID:?}")]
    WrongEngine([u8; 4]),
    #[error("malformed justification: {0}")]
    Malformed(String),
}

/// The precommits that finalized `block_hash` at `height` in `round`.
/// Each signature covers the precommit [`Vote`] rebuilt from these fields.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub struct Justification {
    pub height: u64,
    pub round: u32,
    pub block_hash: H256,
    /// Sorted by validator id when produced by the state machine.
    pub precommits: Vec<(AccountId, FalconSignature)>,
}

impl Justification {
    /// The precommit `validator` signed.
    pub fn precommit_of(&self, validator: AccountId) -> Vote {
        Vote {
            height: self.height,
            round: self.round,
            step: VoteStep::Precommit,
            block: Some(self.block_hash),
            validator,
        }
    }

    /// Check that validators of `set` holding more than 2/3 of its power
    /// precommitted exactly this (height, round, block). A validator counts
    /// once: repeated entries and signers outside the set add nothing (and are
    /// not verified), but a bad signature from a counted validator fails the
    /// whole justification. Entries beyond the set's size are refused unread.
    ///
    /// `verify_sig(validator, message, signature)` looks up the validator's key
    /// and verifies a Falcon-1024 signature.
    pub fn verify(
        &self,
        set: &ValidatorSet,
        genesis_hash: &H256,
        verify_sig: impl Fn(&AccountId, &[u8], &FalconSignature) -> bool,
    ) -> Result<(), JustificationError> {
        if self.precommits.len() > set.len() {
            return Err(JustificationError::TooManyPrecommits {
                got: self.precommits.len(),
                max: set.len(),
            });
        }
        let mut counted = BTreeSet::new();
        let mut power: u64 = 0;
        for (validator, signature) in &self.precommits {
            let Some(weight) = set.power_of(validator) else {
                continue;
            };
            if !counted.insert(*validator) {
                continue;
            }
            let message = self.precommit_of(*validator).signing_message(genesis_hash);
            if !verify_sig(validator, message.as_bytes(), signature) {
                return Err(JustificationError::BadSignature(*validator));
            }
            power = power
                .checked_add(weight)
                .ok_or(JustificationError::PowerOverflow)?;
        }
        let needed = set.quorum();
        if power < needed {
            return Err(JustificationError::InsufficientPower { got: power, needed });
        }
        Ok(())
    }

    /// [`Justification::verify`] plus the check that it is for `block_hash` at `height`.
    pub fn verify_for_block(
        &self,
        height: u64,
        block_hash: &H256,
        set: &ValidatorSet,
        genesis_hash: &H256,
        verify_sig: impl Fn(&AccountId, &[u8], &FalconSignature) -> bool,
    ) -> Result<(), JustificationError> {
        if self.height != height || self.block_hash != *block_hash {
            return Err(JustificationError::WrongBlock {
                got_height: self.height,
                got_hash: self.block_hash,
                want_height: height,
                want_hash: *block_hash,
            });
        }
        self.verify(set, genesis_hash, verify_sig)
    }

    /// Wrap for storage next to the block.
    pub fn to_primitive(&self) -> hm_primitives::Justification {
        hm_primitives::Justification {
            engine_id: BFT_ENGINE_ID,
            data: self.encode(),
        }
    }

    /// Unwrap a stored or received justification: engine id checked, size-capped,
    /// depth-limited decoding that must consume every byte.
    pub fn from_primitive(j: &hm_primitives::Justification) -> Result<Self, JustificationError> {
        if j.engine_id != BFT_ENGINE_ID {
            return Err(JustificationError::WrongEngine(j.engine_id));
        }
        decode_untrusted(&j.data, MAX_JUSTIFICATION_BYTES)
            .map_err(|e| JustificationError::Malformed(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Validator;

    fn set(powers: &[u64]) -> ValidatorSet {
        ValidatorSet::new(
            powers
                .iter()
                .enumerate()
                .map(|(i, p)| Validator {
                    id: AccountId([i as u8 + 1; 32]),
                    power: *p,
                })
                .collect(),
        )
        .unwrap()
    }

    /// Test signatures: the message with the signer's first byte appended.
    fn sign(who: &AccountId, msg: &[u8]) -> FalconSignature {
        let mut s = msg.to_vec();
        s.push(who.0[0]);
        FalconSignature(s)
    }

    fn check(who: &AccountId, msg: &[u8], sig: &FalconSignature) -> bool {
        sign(who, msg) == *sig
    }

    fn justification(signers: &[u8]) -> Justification {
        let mut j = Justification {
            height: 10,
            round: 2,
            block_hash: H256([7; 32]),
            precommits: vec![],
        };
        let genesis = H256([1; 32]);
        for s in signers {
            let id = AccountId([*s; 32]);
            let msg = j.precommit_of(id).signing_message(&genesis);
            j.precommits.push((id, sign(&id, msg.as_bytes())));
        }
        j
    }

    #[test]
    fn quorum_of_distinct_known_signers_is_required() {
        let genesis = H256([1; 32]);
        let four = set(&[1, 1, 1, 1]);
        assert_eq!(
            justification(&[1, 2, 3]).verify(&four, &genesis, check),
            Ok(())
        );
        assert_eq!(
            justification(&[1, 2]).verify(&four, &genesis, check),
            Err(JustificationError::InsufficientPower { got: 2, needed: 3 })
        );
        // Duplicates and strangers do not make up the difference.
        assert_eq!(
            justification(&[1, 2, 2, 9]).verify(&four, &genesis, check),
            Err(JustificationError::InsufficientPower { got: 2, needed: 3 })
        );
        // Exactly 2/3 is not enough: powers 2,1,1,2 total 6, signers 1+4 = 4 = 2/3.
        let weighted = set(&[2, 1, 1, 2]);
        assert_eq!(
            justification(&[1, 4]).verify(&weighted, &genesis, check),
            Err(JustificationError::InsufficientPower { got: 4, needed: 5 })
        );
        assert_eq!(
            justification(&[1, 2, 4]).verify(&weighted, &genesis, check),
            Ok(())
        );
    }

    #[test]
    fn signatures_bind_height_round_block_and_chain() {
        let genesis = H256([1; 32]);
        let four = set(&[1, 1, 1, 1]);
        let good = justification(&[1, 2, 3]);
        let mut moved = good.clone();
        moved.round = 3;
        assert_eq!(
            moved.verify(&four, &genesis, check),
            Err(JustificationError::BadSignature(AccountId([1; 32])))
        );
        // Every way of reusing the signatures fails at the first signer, validator 1.
        let first_signer_fails = Err(JustificationError::BadSignature(AccountId([1; 32])));
        let mut other_block = good.clone();
        other_block.block_hash = H256([8; 32]);
        assert_eq!(
            other_block.verify(&four, &genesis, check),
            first_signer_fails
        );
        assert_eq!(
            good.verify(&four, &H256([2; 32]), check),
            first_signer_fails
        );
        // Swapped signatures between validators fail.
        let mut swapped = good.clone();
        let first = swapped.precommits[0].1.clone();
        swapped.precommits[0].1 = swapped.precommits[1].1.clone();
        swapped.precommits[1].1 = first;
        assert_eq!(swapped.verify(&four, &genesis, check), first_signer_fails);
        // Swapping only the second and third signatures names the second signer.
        let mut swapped_later = good.clone();
        let second = swapped_later.precommits[1].1.clone();
        swapped_later.precommits[1].1 = swapped_later.precommits[2].1.clone();
        swapped_later.precommits[2].1 = second;
        assert_eq!(
            swapped_later.verify(&four, &genesis, check),
            Err(JustificationError::BadSignature(AccountId([2; 32])))
        );
        assert_eq!(
            good.verify_for_block(10, &H256([7; 32]), &four, &genesis, check),
            Ok(())
        );
        assert_eq!(
            good.verify_for_block(11, &H256([7; 32]), &four, &genesis, check),
            Err(JustificationError::WrongBlock {
                got_height: 10,
                got_hash: H256([7; 32]),
                want_height: 11,
                want_hash: H256([7; 32]),
            })
        );
        assert_eq!(
            good.verify_for_block(10, &H256([8; 32]), &four, &genesis, check),
            Err(JustificationError::WrongBlock {
                got_height: 10,
                got_hash: H256([7; 32]),
                want_height: 10,
                want_hash: H256([8; 32]),
            })
        );
    }

    #[test]
    fn oversized_justifications_are_refused_before_verifying() {
        let four = set(&[1, 1, 1, 1]);
        let calls = std::cell::Cell::new(0);
        let counting = |_: &AccountId, _: &[u8], _: &FalconSignature| {
            calls.set(calls.get() + 1);
            true
        };
        let stuffed = justification(&[1, 2, 3, 4, 1]);
        assert_eq!(
            stuffed.verify(&four, &H256([1; 32]), counting),
            Err(JustificationError::TooManyPrecommits { got: 5, max: 4 })
        );
        assert_eq!(calls.get(), 0);
    }

    #[test]
    fn primitive_round_trip_and_hostile_bytes() {
        let j = justification(&[1, 2, 3]);
        let wrapped = j.to_primitive();
        assert_eq!(Justification::from_primitive(&wrapped).unwrap(), j);
        let mut wrong_engine = wrapped.clone();
        wrong_engine.engine_id = *b"dev0";
        assert_eq!(
            Justification::from_primitive(&wrong_engine),
            Err(JustificationError::WrongEngine(*b"dev0"))
        );
        for cut in 0..wrapped.data.len() {
            let truncated = hm_primitives::Justification {
                engine_id: BFT_ENGINE_ID,
                data: wrapped.data[..cut].to_vec(),
            };
            assert!(Justification::from_primitive(&truncated).is_err());
        }
        let mut trailing = wrapped.clone();
        trailing.data.push(0);
        assert!(Justification::from_primitive(&trailing).is_err());
        let oversized = hm_primitives::Justification {
            engine_id: BFT_ENGINE_ID,
            data: vec![0; MAX_JUSTIFICATION_BYTES + 1],
        };
        assert!(Justification::from_primitive(&oversized).is_err());
        // A length prefix claiming billions of precommits fails without allocating them.
        let mut huge = (10u64, 2u32, H256([7; 32])).encode();
        huge.extend(parity_scale_codec::Compact(u32::MAX).encode());
        let hostile = hm_primitives::Justification {
            engine_id: BFT_ENGINE_ID,
            data: huge,
        };
        assert!(Justification::from_primitive(&hostile).is_err());
    }
}
