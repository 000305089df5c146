//! Gossip wire formats: a proposal is SCALE `(SignedProposal, Block)`, a vote
//! is SCALE `SignedVote`. Decoding is bounded before anything is allocated:
//! total size, extrinsic count, each extrinsic, header fields.
use crate::header_data::MAX_HEADER_DATA_BYTES;
use hm_consensus_bft::{SignedProposal, SignedVote};
use hm_primitives::account::FALCON_MAX_SIGNATURE_BYTES;
use hm_primitives::{decode_untrusted, Block, Header, MAX_BLOCK_BYTES, MAX_EXTRINSIC_BYTES};
use parity_scale_codec::{Compact, Decode, Encode, Input};

/// Most extrinsics a gossiped block may hold (each costs the vector's slot
/// before its bytes are read, so the count is capped separately).
pub const MAX_BLOCK_EXTRINSICS: u32 = 1 << 17;

/// Largest encoded header: fixed fields plus bounded consensus data and seal.
const MAX_HEADER_BYTES: usize =
    32 + 9 + 32 + 32 + 8 + 32 + 5 + MAX_HEADER_DATA_BYTES + 5 + FALCON_MAX_SIGNATURE_BYTES;
/// Largest encoded signed proposal: height, round, hash, optional POL round, signature.
const MAX_SIGNED_PROPOSAL_BYTES: usize = 8 + 4 + 32 + 5 + 3 + FALCON_MAX_SIGNATURE_BYTES;

/// Largest gossiped proposal message.
pub const MAX_PROPOSAL_MESSAGE_BYTES: usize = MAX_SIGNED_PROPOSAL_BYTES
    + MAX_HEADER_BYTES
    + 5
    + MAX_BLOCK_BYTES
    + 5 * MAX_BLOCK_EXTRINSICS as usize;

/// Largest gossiped vote: height, round, step, optional block, validator, signature.
pub const MAX_VOTE_MESSAGE_BYTES: usize = 8 + 4 + 1 + 33 + 32 + 3 + FALCON_MAX_SIGNATURE_BYTES;

/// A proposal together with the block it names, as gossiped.
#[derive(Clone, PartialEq, Eq, Debug, Encode)]
pub struct ProposalMessage {
    pub proposal: SignedProposal,
    pub block: Block,
}

/// Why gossip bytes were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    #[error("message is {len} bytes; the limit is {max}")]
    TooLarge { len: usize, max: usize },
    #[error("malformed message: {0}")]
    Malformed(String),
    #[error("block has {0} extrinsics; the limit is {MAX_BLOCK_EXTRINSICS}")]
    TooManyExtrinsics(u32),
    #[error("an extrinsic of {0} bytes exceeds the limit")]
    ExtrinsicTooLarge(usize),
    #[error("block body exceeds {MAX_BLOCK_BYTES} bytes")]
    BodyTooLarge,
    #[error("header consensus data of {0} bytes exceeds the limit")]
    ConsensusTooLarge(usize),
    #[error("header seal of {0} bytes exceeds the limit")]
    SealTooLarge(usize),
}

fn malformed(e: impl std::fmt::Display) -> MessageError {
    MessageError::Malformed(e.to_string())
}

impl ProposalMessage {
    pub fn encode_message(&self) -> Vec<u8> {
        self.encode()
    }

    /// Decode untrusted gossip. Same bytes as `Decode` of the pair would read,
    /// with every length checked before it is allocated.
    pub fn decode_message(bytes: &[u8]) -> Result<Self, MessageError> {
        if bytes.len() > MAX_PROPOSAL_MESSAGE_BYTES {
            return Err(MessageError::TooLarge {
                len: bytes.len(),
                max: MAX_PROPOSAL_MESSAGE_BYTES,
            });
        }
        let mut input = bytes;
        let proposal = SignedProposal::decode(&mut input).map_err(malformed)?;
        let header = Header::decode(&mut input).map_err(malformed)?;
        if header.consensus.len() > MAX_HEADER_DATA_BYTES {
            return Err(MessageError::ConsensusTooLarge(header.consensus.len()));
        }
        if header.seal.len() > FALCON_MAX_SIGNATURE_BYTES {
            return Err(MessageError::SealTooLarge(header.seal.len()));
        }
        let extrinsics = decode_extrinsics(&mut input)?;
        if !input.is_empty() {
            return Err(MessageError::Malformed(format!(
                "{} trailing bytes",
                input.len()
            )));
        }
        Ok(ProposalMessage {
            proposal,
            block: Block { header, extrinsics },
        })
    }
}

/// `Vec<Vec<u8>>` with the count, each length and the total bounded.
fn decode_extrinsics(input: &mut &[u8]) -> Result<Vec<Vec<u8>>, MessageError> {
    let count = Compact::<u32>::decode(input).map_err(malformed)?.0;
    if count > MAX_BLOCK_EXTRINSICS {
        return Err(MessageError::TooManyExtrinsics(count));
    }
    // Every extrinsic takes at least its one-byte length prefix.
    if usize::try_from(count).unwrap_or(usize::MAX) > input.len() {
        return Err(MessageError::Malformed(
            "extrinsic count exceeds the remaining bytes".into(),
        ));
    }
    let mut extrinsics = Vec::with_capacity(count as usize);
    let mut total = 0usize;
    for _ in 0..count {
        let len = Compact::<u32>::decode(input).map_err(malformed)?.0;
        let len = usize::try_from(len).unwrap_or(usize::MAX);
        if len > MAX_EXTRINSIC_BYTES {
            return Err(MessageError::ExtrinsicTooLarge(len));
        }
        total = total.saturating_add(len);
        if total > MAX_BLOCK_BYTES {
            return Err(MessageError::BodyTooLarge);
        }
        if len > input.len() {
            return Err(MessageError::Malformed("extrinsic is truncated".into()));
        }
        let mut xt = vec![0u8; len];
        input.read(&mut xt).map_err(malformed)?;
        extrinsics.push(xt);
    }
    Ok(extrinsics)
}

/// Encode a signed vote for gossip.
pub fn encode_vote(vote: &SignedVote) -> Vec<u8> {
    vote.encode()
}

/// Decode an untrusted gossiped vote.
pub fn decode_vote(bytes: &[u8]) -> Result<SignedVote, MessageError> {
    decode_untrusted(bytes, MAX_VOTE_MESSAGE_BYTES).map_err(|e| match e {
        hm_primitives::DecodeError::TooLarge { len, max } => MessageError::TooLarge { len, max },
        hm_primitives::DecodeError::Malformed(m) => MessageError::Malformed(m),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use hm_consensus_bft::{Proposal, Vote, VoteStep};
    use hm_primitives::{AccountId, FalconSignature, H256};

    fn message(extrinsics: Vec<Vec<u8>>) -> ProposalMessage {
        ProposalMessage {
            proposal: SignedProposal {
                proposal: Proposal {
                    height: 3,
                    round: 1,
                    block_hash: H256([1; 32]),
                    pol_round: Some(0),
                },
                signature: FalconSignature(vec![9; 1280]),
            },
            block: Block {
                header: Header {
                    parent_hash: H256([2; 32]),
                    number: 3,
                    state_root: H256([3; 32]),
                    extrinsics_root: H256([4; 32]),
                    timestamp_ms: 5,
                    proposer: AccountId([6; 32]),
                    consensus: vec![7; 300],
                    seal: vec![8; 1270],
                },
                extrinsics,
            },
        }
    }

    fn vote() -> SignedVote {
        SignedVote {
            vote: Vote {
                height: 9,
                round: 2,
                step: VoteStep::Prevote,
                block: Some(H256([5; 32])),
                validator: AccountId([1; 32]),
            },
            signature: FalconSignature(vec![3; FALCON_MAX_SIGNATURE_BYTES]),
        }
    }

    #[test]
    fn proposal_round_trip_matches_plain_scale() {
        let m = message(vec![vec![1, 2, 3], vec![], vec![4; 1000]]);
        let bytes = m.encode_message();
        assert_eq!(bytes, (&m.proposal, &m.block).encode());
        assert_eq!(ProposalMessage::decode_message(&bytes).unwrap(), m);
    }

    #[test]
    fn truncated_and_trailing_proposals_are_refused() {
        let bytes = message(vec![vec![1, 2, 3], vec![5; 40]]).encode_message();
        for cut in 0..bytes.len() {
            assert!(
                ProposalMessage::decode_message(&bytes[..cut]).is_err(),
                "{cut}"
            );
        }
        let mut trailing = bytes.clone();
        trailing.push(0);
        assert!(ProposalMessage::decode_message(&trailing).is_err());
    }

    #[test]
    fn hostile_lengths_are_refused_before_allocating() {
        let base = message(vec![]);
        let prefix = {
            let mut p = base.proposal.encode();
            base.block.header.encode_to(&mut p);
            p
        };
        // Extrinsic count over the cap.
        let mut bytes = prefix.clone();
        Compact(MAX_BLOCK_EXTRINSICS + 1).encode_to(&mut bytes);
        assert_eq!(
            ProposalMessage::decode_message(&bytes),
            Err(MessageError::TooManyExtrinsics(MAX_BLOCK_EXTRINSICS + 1))
        );
        // A count within the cap but beyond the bytes present.
        let mut bytes = prefix.clone();
        Compact(1000u32).encode_to(&mut bytes);
        assert!(matches!(
            ProposalMessage::decode_message(&bytes),
            Err(MessageError::Malformed(_))
        ));
        // One extrinsic claiming 4 GiB.
        let mut bytes = prefix.clone();
        Compact(1u32).encode_to(&mut bytes);
        Compact(u32::MAX).encode_to(&mut bytes);
        assert!(matches!(
            ProposalMessage::decode_message(&bytes),
            Err(MessageError::ExtrinsicTooLarge(_))
        ));
        // Oversized consensus data and seal.
        let mut big = base.clone();
        big.block.header.consensus = vec![0; MAX_HEADER_DATA_BYTES + 1];
        assert!(matches!(
            ProposalMessage::decode_message(&big.encode_message()),
            Err(MessageError::ConsensusTooLarge(_))
        ));
        let mut big = base.clone();
        big.block.header.seal = vec![0; FALCON_MAX_SIGNATURE_BYTES + 1];
        assert!(matches!(
            ProposalMessage::decode_message(&big.encode_message()),
            Err(MessageError::SealTooLarge(_))
        ));
        // A proposal signature over the Falcon limit.
        let mut bytes = Vec::new();
        base.proposal.proposal.encode_to(&mut bytes);
        Compact(u32::MAX).encode_to(&mut bytes);
        assert!(ProposalMessage::decode_message(&bytes).is_err());
        // Too large overall.
        let huge = vec![0u8; MAX_PROPOSAL_MESSAGE_BYTES + 1];
        assert!(matches!(
            ProposalMessage::decode_message(&huge),
            Err(MessageError::TooLarge { .. })
        ));
    }

    #[test]
    fn body_over_the_block_limit_is_refused() {
        let chunk = vec![0u8; MAX_EXTRINSIC_BYTES];
        let count = MAX_BLOCK_BYTES / MAX_EXTRINSIC_BYTES + 1;
        let m = message(vec![chunk; count]);
        assert_eq!(
            ProposalMessage::decode_message(&m.encode_message()),
            Err(MessageError::BodyTooLarge)
        );
    }

    /// Random bytes under the size caps never panic and never count as over a cap. Whatever
    /// does decode is canonical: it re-encodes to exactly the bytes it came from, so the
    /// decoder read every byte and nothing else.
    #[test]
    fn garbage_is_refused_or_decodes_canonically() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let (mut proposals_refused, mut votes_refused) = (0usize, 0usize);
        const SAMPLES: usize = 2000;
        for len in 0..SAMPLES {
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    seed as u8
                })
                .collect();
            match ProposalMessage::decode_message(&bytes) {
                Ok(m) => assert_eq!(m.encode_message(), bytes, "proposal of {len} bytes"),
                Err(MessageError::TooLarge { .. }) => panic!("{len} bytes are under the cap"),
                Err(_) => proposals_refused += 1,
            }
            let over_vote_cap = len > MAX_VOTE_MESSAGE_BYTES;
            match decode_vote(&bytes) {
                Ok(v) => assert_eq!(encode_vote(&v), bytes, "vote of {len} bytes"),
                Err(MessageError::TooLarge { len: got, max }) if over_vote_cap => {
                    assert_eq!((got, max), (len, MAX_VOTE_MESSAGE_BYTES));
                    votes_refused += 1;
                }
                Err(MessageError::Malformed(_)) if !over_vote_cap => votes_refused += 1,
                Err(other) => panic!("wrong refusal of a {len}-byte vote: {other}"),
            }
        }
        // Random bytes practically never form a valid message: every sample is refused.
        assert_eq!(proposals_refused, SAMPLES);
        assert_eq!(votes_refused, SAMPLES);
    }

    #[test]
    fn votes_round_trip_and_hostile_bytes() {
        let v = vote();
        let bytes = encode_vote(&v);
        assert!(bytes.len() <= MAX_VOTE_MESSAGE_BYTES);
        assert_eq!(decode_vote(&bytes).unwrap(), v);
        for cut in 0..bytes.len() {
            assert!(decode_vote(&bytes[..cut]).is_err());
        }
        let mut trailing = bytes.clone();
        trailing.push(1);
        assert!(decode_vote(&trailing).is_err());
        assert!(matches!(
            decode_vote(&vec![0; MAX_VOTE_MESSAGE_BYTES + 1]),
            Err(MessageError::TooLarge { .. })
        ));
        let mut bad_step = bytes.clone();
        bad_step[12] = 9;
        assert!(decode_vote(&bad_step).is_err());
    }
}
