//! PoWork (WHAT/HOW): a nonce with `H(pre_seal ‖ nonce) <= target`.
//!
//! `pre_seal` is a 32-byte hash the node computes over the header *without*
//! the work nonce and the seal (so the nonce cannot depend on itself). The
//! difficulty is the expected number of hashes per solution:
//! `target = ⌊(2^256 - 1) / difficulty⌋`, compared as a big-endian integer.
//! The median solve takes `ln 2 · difficulty ≈ 0.69 · difficulty` hashes.
use crate::{
    error::{check_range, ProofError},
    hashing::WorkHasher,
};
use hm_primitives::H256;
use parity_scale_codec::{Decode, Encode, MaxEncodedLen};

#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, MaxEncodedLen)]
pub struct PoWork {
    pub nonce: u64,
}

/// A 256-bit big-endian threshold; a work hash passes when `hash <= target`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct WorkTarget(pub H256);

impl WorkTarget {
    /// `⌊(2^256 - 1) / difficulty⌋`; difficulty 1 accepts every hash.
    pub fn from_difficulty(difficulty: u64) -> Result<Self, ProofError> {
        check_range("work_difficulty", difficulty, 1, u64::MAX)?;
        let divisor = u128::from(difficulty);
        let mut quotient = [0u8; 32];
        let mut remainder: u128 = 0;
        for byte in quotient.iter_mut() {
            // remainder < divisor < 2^64, so this cannot overflow u128.
            let current = (remainder << 8) | 0xff;
            let digit = current / divisor;
            *byte = u8::try_from(digit).unwrap_or(u8::MAX);
            remainder = current % divisor;
        }
        Ok(WorkTarget(H256(quotient)))
    }

    /// The target of `bits` leading zero bits (`difficulty = 2^bits`).
    pub fn from_leading_zero_bits(bits: u8) -> Result<Self, ProofError> {
        check_range("work_zero_bits", u64::from(bits), 0, 63)?;
        Self::from_difficulty(1u64 << bits)
    }

    pub fn is_met_by(&self, hash: &H256) -> bool {
        // Lexicographic order of big-endian bytes is numeric order.
        hash.0 <= self.0 .0
    }
}

/// `H(pre_seal ‖ nonce)` under the work domain key.
pub fn work_hash(pre_seal: &H256, nonce: u64) -> H256 {
    WorkHasher::new(pre_seal).hash(nonce)
}

/// Search nonces `0, 1, ..` up to `max_iters` tries.
pub fn solve(pre_seal: &H256, target: &WorkTarget, max_iters: u64) -> Option<PoWork> {
    solve_from(pre_seal, target, 0, max_iters)
}

/// Search `max_iters` nonces from `start_nonce` (wrapping); lets several
/// threads search disjoint ranges.
pub fn solve_from(
    pre_seal: &H256,
    target: &WorkTarget,
    start_nonce: u64,
    max_iters: u64,
) -> Option<PoWork> {
    let mut hasher = WorkHasher::new(pre_seal);
    (0..max_iters)
        .map(|i| start_nonce.wrapping_add(i))
        .find(|&nonce| target.is_met_by(&hasher.hash(nonce)))
        .map(|nonce| PoWork { nonce })
}

/// One hash: does `work` meet `target` for `pre_seal`?
pub fn verify(pre_seal: &H256, target: &WorkTarget, work: &PoWork) -> Result<(), ProofError> {
    if target.is_met_by(&work_hash(pre_seal, work.nonce)) {
        Ok(())
    } else {
        Err(ProofError::WorkAboveTarget)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_arithmetic() {
        assert_eq!(WorkTarget::from_difficulty(1).unwrap().0, H256([0xff; 32]));
        let half = WorkTarget::from_difficulty(2).unwrap().0 .0;
        assert_eq!(half[0], 0x7f);
        assert!(half[1..].iter().all(|&b| b == 0xff));
        let bits = WorkTarget::from_leading_zero_bits(12).unwrap().0 .0;
        assert_eq!(&bits[..2], &[0x00, 0x0f]);
        assert!(bits[2..].iter().all(|&b| b == 0xff));
        // 2^256-1 / 3 = 0x5555...55
        assert_eq!(WorkTarget::from_difficulty(3).unwrap().0, H256([0x55; 32]));
        let max = WorkTarget::from_difficulty(u64::MAX).unwrap().0 .0;
        // (2^256 - 1) / (2^64 - 1) = 2^192 + 2^128 + 2^64 + 1
        let mut expected = [0u8; 32];
        for i in [7, 15, 23, 31] {
            expected[i] = 1;
        }
        assert_eq!(max, expected);
        assert!(WorkTarget::from_difficulty(0).is_err());
        assert!(WorkTarget::from_leading_zero_bits(64).is_err());
    }

    #[test]
    fn comparison_is_inclusive_and_big_endian() {
        let t = WorkTarget(H256([0x10; 32]));
        assert!(t.is_met_by(&H256([0x10; 32])));
        let mut above = [0x10; 32];
        above[31] = 0x11;
        assert!(!t.is_met_by(&H256(above)));
        let mut below = [0xff; 32];
        below[0] = 0x0f;
        assert!(t.is_met_by(&H256(below)));
    }
}
