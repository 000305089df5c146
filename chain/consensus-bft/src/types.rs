//! Validator sets, votes and proposals: the SCALE types consensus signs and sends.
use alloc::vec::Vec;
use hm_primitives::{blake3_256, AccountId, FalconSignature, H256};
use parity_scale_codec::{Decode, Encode, Error as CodecError, Input, Output};

/// Largest validator set a node accepts (bounds decoding and justification size).
pub const MAX_VALIDATORS: usize = 1024;
/// CometBFT's `MaxTotalVotingPower` (`i64::MAX / 8`): proposer priorities stay
/// inside `i64` and power sums can never overflow `u64`.
pub const MAX_TOTAL_POWER: u64 = (i64::MAX / 8) as u64;

/// Domain tag of every vote signature.
pub const VOTE_DOMAIN: &[u8] = b"hypermesh/bft/vote/v1";
/// Domain tag of every proposal signature.
pub const PROPOSAL_DOMAIN: &[u8] = b"hypermesh/bft/proposal/v1";

/// One member of a validator set and its voting power (bonded stake).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, scale_info::TypeInfo)]
pub struct Validator {
    pub id: AccountId,
    pub power: u64,
}

/// Why a validator list cannot form a set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValidatorSetError {
    #[error("a validator set needs at least one validator")]
    Empty,
    #[error("{0} validators exceed the limit of {MAX_VALIDATORS}")]
    TooMany(usize),
    #[error("validator {0} has zero voting power")]
    ZeroPower(AccountId),
    #[error("validator {0} appears more than once")]
    Duplicate(AccountId),
    #[error("total voting power exceeds {MAX_TOTAL_POWER}")]
    PowerOverflow,
    #[error("validators are not in ascending id order")]
    NotCanonical,
}

/// A non-empty set of distinct validators, sorted by id, with a checked total power.
///
/// Encoded as the sorted validator list; decoding re-validates it and refuses a
/// list that is not strictly ascending, so every set has exactly one encoding.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ValidatorSet {
    validators: Vec<Validator>,
    total: u64,
}

impl ValidatorSet {
    /// Sort `validators` by id and check them.
    pub fn new(mut validators: Vec<Validator>) -> Result<Self, ValidatorSetError> {
        validators.sort_by_key(|v| v.id);
        if let Some(pair) = validators.windows(2).find(|w| w[0].id == w[1].id) {
            return Err(ValidatorSetError::Duplicate(pair[0].id));
        }
        Self::from_sorted(validators)
    }

    fn from_sorted(validators: Vec<Validator>) -> Result<Self, ValidatorSetError> {
        if validators.is_empty() {
            return Err(ValidatorSetError::Empty);
        }
        if validators.len() > MAX_VALIDATORS {
            return Err(ValidatorSetError::TooMany(validators.len()));
        }
        if validators.windows(2).any(|w| w[0].id >= w[1].id) {
            return Err(ValidatorSetError::NotCanonical);
        }
        let mut total: u64 = 0;
        for v in &validators {
            if v.power == 0 {
                return Err(ValidatorSetError::ZeroPower(v.id));
            }
            total = total
                .checked_add(v.power)
                .filter(|t| *t <= MAX_TOTAL_POWER)
                .ok_or(ValidatorSetError::PowerOverflow)?;
        }
        Ok(ValidatorSet { validators, total })
    }

    /// The validators in ascending id order.
    pub fn validators(&self) -> &[Validator] {
        &self.validators
    }

    pub fn len(&self) -> usize {
        self.validators.len()
    }

    /// Always false: a set has at least one validator.
    pub fn is_empty(&self) -> bool {
        self.validators.is_empty()
    }

    pub fn total_power(&self) -> u64 {
        self.total
    }

    /// The smallest power strictly greater than 2/3 of the total ("2f+1").
    pub fn quorum(&self) -> u64 {
        // total <= MAX_TOTAL_POWER, so 2 * total cannot overflow.
        (self.total * 2) / 3 + 1
    }

    /// The smallest power strictly greater than 1/3 of the total ("f+1"):
    /// any such group contains at least one honest validator.
    pub fn more_than_one_third(&self) -> u64 {
        self.total / 3 + 1
    }

    /// Voting power of `id`, or `None` if it is not in the set.
    pub fn power_of(&self, id: &AccountId) -> Option<u64> {
        self.validators
            .binary_search_by(|v| v.id.cmp(id))
            .ok()
            .and_then(|i| self.validators.get(i))
            .map(|v| v.power)
    }

    pub fn contains(&self, id: &AccountId) -> bool {
        self.power_of(id).is_some()
    }
}

impl Encode for ValidatorSet {
    fn size_hint(&self) -> usize {
        self.validators.size_hint()
    }
    fn encode_to<T: Output + ?Sized>(&self, dest: &mut T) {
        self.validators.encode_to(dest)
    }
}

impl Decode for ValidatorSet {
    fn decode<I: Input>(input: &mut I) -> Result<Self, CodecError> {
        let validators = Vec::<Validator>::decode(input)?;
        ValidatorSet::from_sorted(validators).map_err(|_| "invalid validator set".into())
    }
}

/// The phase of a round. Ordered as the algorithm walks through them.
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Encode, Decode, scale_info::TypeInfo,
)]
pub enum Step {
    #[codec(index = 0)]
    Propose,
    #[codec(index = 1)]
    Prevote,
    #[codec(index = 2)]
    Precommit,
}

impl Step {
    /// The step number the signer guard orders signatures by (CometBFT's 1, 2, 3).
    pub const fn guard_code(self) -> u8 {
        match self {
            Step::Propose => 1,
            Step::Prevote => 2,
            Step::Precommit => 3,
        }
    }
}

/// The two kinds of vote.
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Encode, Decode, scale_info::TypeInfo,
)]
pub enum VoteStep {
    #[codec(index = 0)]
    Prevote,
    #[codec(index = 1)]
    Precommit,
}

impl VoteStep {
    pub const fn step(self) -> Step {
        match self {
            VoteStep::Prevote => Step::Prevote,
            VoteStep::Precommit => Step::Precommit,
        }
    }
}

/// A prevote or precommit. `block: None` is a vote for nil.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, scale_info::TypeInfo)]
pub struct Vote {
    pub height: u64,
    pub round: u32,
    pub step: VoteStep,
    pub block: Option<H256>,
    pub validator: AccountId,
}

impl Vote {
    /// What the validator signs: BLAKE3 over the domain tag, the chain's genesis
    /// hash and the vote, so a vote cannot be replayed on another chain or read
    /// as another kind of message.
    pub fn signing_message(&self, genesis_hash: &H256) -> H256 {
        blake3_256(&(VOTE_DOMAIN, genesis_hash, self).encode())
    }
}

/// A vote with its Falcon-1024 signature over [`Vote::signing_message`].
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, scale_info::TypeInfo)]
pub struct SignedVote {
    pub vote: Vote,
    pub signature: FalconSignature,
}

/// A proposer's offer of a block for (height, round). `pol_round` is the round
/// of the proof-of-lock (+2/3 prevotes) it re-proposes under, if any.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, scale_info::TypeInfo)]
pub struct Proposal {
    pub height: u64,
    pub round: u32,
    pub block_hash: H256,
    pub pol_round: Option<u32>,
}

impl Proposal {
    /// What the proposer signs (same construction as votes, its own domain tag).
    pub fn signing_message(&self, genesis_hash: &H256) -> H256 {
        blake3_256(&(PROPOSAL_DOMAIN, genesis_hash, self).encode())
    }

    /// A proof-of-lock round must precede the proposal's round.
    pub fn is_well_formed(&self) -> bool {
        self.pol_round.is_none_or(|vr| vr < self.round)
    }
}

/// A proposal with the proposer's Falcon-1024 signature over [`Proposal::signing_message`].
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, scale_info::TypeInfo)]
pub struct SignedProposal {
    pub proposal: Proposal,
    pub signature: FalconSignature,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(byte: u8, power: u64) -> Validator {
        Validator {
            id: AccountId([byte; 32]),
            power,
        }
    }

    #[test]
    fn thresholds_are_strictly_above_two_thirds_and_one_third() {
        for total in 1u64..200 {
            let set = ValidatorSet::new(vec![v(1, total)]).unwrap();
            let q = set.quorum();
            assert!(
                3 * q > 2 * total && 3 * (q - 1) <= 2 * total,
                "total {total}"
            );
            let t = set.more_than_one_third();
            assert!(3 * t > total && 3 * (t - 1) <= total, "total {total}");
        }
        let four = ValidatorSet::new(vec![v(1, 1), v(2, 1), v(3, 1), v(4, 1)]).unwrap();
        assert_eq!((four.quorum(), four.more_than_one_third()), (3, 2));
    }

    #[test]
    fn set_construction_rejects_bad_lists() {
        assert_eq!(ValidatorSet::new(vec![]), Err(ValidatorSetError::Empty));
        assert_eq!(
            ValidatorSet::new(vec![v(1, 1), v(1, 2)]),
            Err(ValidatorSetError::Duplicate(AccountId([1; 32])))
        );
        assert_eq!(
            ValidatorSet::new(vec![v(1, 0)]),
            Err(ValidatorSetError::ZeroPower(AccountId([1; 32])))
        );
        assert_eq!(
            ValidatorSet::new(vec![v(1, MAX_TOTAL_POWER), v(2, 1)]),
            Err(ValidatorSetError::PowerOverflow)
        );
        assert_eq!(
            ValidatorSet::new(vec![v(1, u64::MAX), v(2, u64::MAX)]),
            Err(ValidatorSetError::PowerOverflow)
        );
        let many: Vec<_> = (0..=MAX_VALIDATORS as u32)
            .map(|i| {
                let mut id = [0u8; 32];
                id[..4].copy_from_slice(&i.to_be_bytes());
                Validator {
                    id: AccountId(id),
                    power: 1,
                }
            })
            .collect();
        assert_eq!(
            ValidatorSet::new(many),
            Err(ValidatorSetError::TooMany(MAX_VALIDATORS + 1))
        );
        // new() sorts; lookups work.
        let set = ValidatorSet::new(vec![v(3, 30), v(1, 10), v(2, 20)]).unwrap();
        assert_eq!(set.total_power(), 60);
        assert_eq!(set.power_of(&AccountId([2; 32])), Some(20));
        assert_eq!(set.power_of(&AccountId([9; 32])), None);
        assert_eq!(set.validators()[0].id, AccountId([1; 32]));
    }

    #[test]
    fn set_decoding_is_canonical_and_checked() {
        let set = ValidatorSet::new(vec![v(2, 5), v(1, 7)]).unwrap();
        let bytes = set.encode();
        assert_eq!(ValidatorSet::decode(&mut &bytes[..]).unwrap(), set);
        // Unsorted, duplicate, zero-power and empty lists are refused.
        for bad in [
            vec![v(2, 5), v(1, 7)],
            vec![v(1, 5), v(1, 5)],
            vec![v(1, 0)],
            vec![],
            vec![v(1, u64::MAX)],
        ] {
            let bytes = bad.encode();
            assert!(ValidatorSet::decode(&mut &bytes[..]).is_err(), "{bad:?}");
        }
        // A huge length prefix with no data fails without allocating it.
        let bytes = parity_scale_codec::Compact(u32::MAX).encode();
        assert!(ValidatorSet::decode(&mut &bytes[..]).is_err());
        // Truncated input.
        assert!(ValidatorSet::decode(&mut &set.encode()[..10]).is_err());
    }

    #[test]
    fn signing_messages_bind_every_field_genesis_and_domain() {
        let genesis = H256([9; 32]);
        let vote = Vote {
            height: 5,
            round: 1,
            step: VoteStep::Prevote,
            block: Some(H256([1; 32])),
            validator: AccountId([2; 32]),
        };
        let base = vote.signing_message(&genesis);
        let variants = [
            Vote { height: 6, ..vote },
            Vote { round: 2, ..vote },
            Vote {
                step: VoteStep::Precommit,
                ..vote
            },
            Vote {
                block: None,
                ..vote
            },
            Vote {
                validator: AccountId([3; 32]),
                ..vote
            },
        ];
        for other in variants {
            assert_ne!(other.signing_message(&genesis), base);
        }
        assert_ne!(vote.signing_message(&H256([8; 32])), base);
        let proposal = Proposal {
            height: 5,
            round: 1,
            block_hash: H256([1; 32]),
            pol_round: None,
        };
        assert_ne!(proposal.signing_message(&genesis), base);
        assert_ne!(
            Proposal {
                pol_round: Some(0),
                ..proposal
            }
            .signing_message(&genesis),
            proposal.signing_message(&genesis)
        );
    }

    #[test]
    fn proposal_pol_round_must_precede_round() {
        let p = Proposal {
            height: 1,
            round: 2,
            block_hash: H256::ZERO,
            pol_round: None,
        };
        assert!(p.is_well_formed());
        assert!(Proposal {
            pol_round: Some(1),
            ..p
        }
        .is_well_formed());
        assert!(!Proposal {
            pol_round: Some(2),
            ..p
        }
        .is_well_formed());
    }

    #[test]
    fn hostile_vote_bytes_are_refused() {
        let signed = SignedVote {
            vote: Vote {
                height: 1,
                round: 0,
                step: VoteStep::Precommit,
                block: None,
                validator: AccountId([1; 32]),
            },
            signature: FalconSignature(vec![7; 40]),
        };
        let bytes = signed.encode();
        assert_eq!(SignedVote::decode(&mut &bytes[..]).unwrap(), signed);
        for cut in 0..bytes.len() {
            assert!(SignedVote::decode(&mut &bytes[..cut]).is_err());
        }
        // Unknown step and option tags.
        let mut bad_step = bytes.clone();
        bad_step[12] = 7;
        assert!(SignedVote::decode(&mut &bad_step[..]).is_err());
        let mut bad_option = bytes.clone();
        bad_option[13] = 2;
        assert!(SignedVote::decode(&mut &bad_option[..]).is_err());
        // Trailing bytes are refused by the untrusted decoder.
        let mut trailing = bytes;
        trailing.push(0);
        assert!(hm_primitives::decode_untrusted::<SignedVote>(&trailing, 4096).is_err());
    }
}
