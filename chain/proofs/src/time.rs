//! PoTime (WHEN): a proof-of-history segment.
//!
//! `T` sequential BLAKE3 steps (`h ← blake3(h)`) from
//! `seed = H(parent.time_output ‖ parent_hash)`, so a block's segment cannot
//! start before its parent exists, and nobody can finish it faster than one
//! core hashes. `k` checkpoints cut the `T` steps into `k + 1` segments of
//! near-equal length (`⌊j·T/(k+1)⌋` for `j = 1..=k`); each segment is checked
//! independently, so checking runs on up to `k + 1` cores while producing
//! stays sequential. Hash chains are post-quantum (no RSA/class-group VDF).
use crate::{
    codec::decode_bounded_vec,
    error::{check_range, ProofError},
    hashing::poh_iterate,
    MAX_POH_CHECKPOINTS, MAX_POH_ITERATIONS,
};
use alloc::vec::Vec;
use hm_primitives::H256;
use parity_scale_codec::{Decode, Encode, Error as CodecError, Input};

pub use crate::hashing::poh_seed;

/// A PoH segment: `checkpoints.len() == k` interior states, then the final state.
#[derive(Clone, PartialEq, Eq, Debug, Encode)]
pub struct PoTime {
    pub checkpoints: Vec<H256>,
    /// State after all `T` steps; the next block's segment starts from it.
    pub output: H256,
}

impl Decode for PoTime {
    fn decode<I: Input>(input: &mut I) -> Result<Self, CodecError> {
        Ok(PoTime {
            checkpoints: decode_bounded_vec(
                input,
                MAX_POH_CHECKPOINTS,
                "PoTime: too many checkpoints",
            )?,
            output: H256::decode(input)?,
        })
    }
}

/// Refuse `T`/`k` outside the crate limits. Every segment must be at least one step.
pub fn check_params(iterations: u64, checkpoints: u32) -> Result<(), ProofError> {
    check_range("poh_iterations", iterations, 1, MAX_POH_ITERATIONS)?;
    check_range(
        "poh_checkpoints",
        u64::from(checkpoints),
        0,
        u64::from(MAX_POH_CHECKPOINTS).min(iterations - 1),
    )
}

/// Step count at boundary `j` (0 → 0, `k + 1` → `T`). Exact in u128.
fn boundary(iterations: u64, checkpoints: u32, j: u32) -> u64 {
    let segments = u128::from(checkpoints) + 1;
    let at = u128::from(iterations) * u128::from(j) / segments;
    // `j <= segments` keeps `at <= iterations`, which fits in u64.
    u64::try_from(at).unwrap_or(iterations)
}

/// Run `iterations` steps from `seed`, recording `checkpoints` interior states.
pub fn generate(seed: &H256, iterations: u64, checkpoints: u32) -> Result<PoTime, ProofError> {
    check_params(iterations, checkpoints)?;
    let mut state = *seed;
    let mut done = 0u64;
    let mut recorded = Vec::with_capacity(checkpoints as usize);
    for j in 1..=checkpoints {
        let next = boundary(iterations, checkpoints, j);
        state = poh_iterate(&state, next - done);
        recorded.push(state);
        done = next;
    }
    let output = poh_iterate(&state, iterations - done);
    Ok(PoTime {
        checkpoints: recorded,
        output,
    })
}

/// One independently checkable piece: `len` steps from `start` must give `end`.
struct Segment {
    start: H256,
    len: u64,
    end: H256,
}

impl Segment {
    fn holds(&self) -> bool {
        poh_iterate(&self.start, self.len) == self.end
    }
}

/// Structural checks, then the segments in order.
fn segments(
    seed: &H256,
    iterations: u64,
    checkpoints: u32,
    proof: &PoTime,
) -> Result<Vec<Segment>, ProofError> {
    check_params(iterations, checkpoints)?;
    if proof.checkpoints.len() != checkpoints as usize {
        return Err(ProofError::PohCheckpointCount {
            expected: checkpoints,
            got: proof.checkpoints.len(),
        });
    }
    let starts = core::iter::once(seed).chain(proof.checkpoints.iter());
    let ends = proof
        .checkpoints
        .iter()
        .chain(core::iter::once(&proof.output));
    Ok(starts
        .zip(ends)
        .zip(0u32..)
        .map(|((start, end), j)| Segment {
            start: *start,
            len: boundary(iterations, checkpoints, j + 1) - boundary(iterations, checkpoints, j),
            end: *end,
        })
        .collect())
}

/// Map the first failing segment to its error: segment `j < k` ends at
/// checkpoint `j`, the last one ends at the output.
fn first_failure(checkpoints: u32, holds: impl Iterator<Item = bool>) -> Result<(), ProofError> {
    match holds.zip(0u32..).find(|(ok, _)| !ok) {
        None => Ok(()),
        Some((_, j)) if j < checkpoints => Err(ProofError::PohCheckpointMismatch { index: j }),
        Some(_) => Err(ProofError::PohOutputMismatch),
    }
}

/// Check `proof` against `seed` and the chain's `T`/`k`, one core.
pub fn verify_sequential(
    seed: &H256,
    iterations: u64,
    checkpoints: u32,
    proof: &PoTime,
) -> Result<(), ProofError> {
    let segments = segments(seed, iterations, checkpoints, proof)?;
    first_failure(checkpoints, segments.iter().map(Segment::holds))
}

/// Check `proof`; with `std` the `k + 1` segments run on the rayon pool. The
/// error names the lowest failing segment, as the sequential check does.
pub fn verify(
    seed: &H256,
    iterations: u64,
    checkpoints: u32,
    proof: &PoTime,
) -> Result<(), ProofError> {
    #[cfg(feature = "std")]
    {
        use rayon::prelude::*;
        let segments = segments(seed, iterations, checkpoints, proof)?;
        let holds: Vec<bool> = segments.par_iter().map(Segment::holds).collect();
        first_failure(checkpoints, holds.into_iter())
    }
    #[cfg(not(feature = "std"))]
    {
        verify_sequential(seed, iterations, checkpoints, proof)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries_cover_all_steps_evenly() {
        for (t, k) in [(10u64, 3u32), (7, 6), (1_000_003, 7), (5, 0)] {
            let b: Vec<u64> = (0..=k + 1).map(|j| boundary(t, k, j)).collect();
            assert_eq!(b[0], 0);
            assert_eq!(*b.last().unwrap(), t);
            let lens: Vec<u64> = b.windows(2).map(|w| w[1] - w[0]).collect();
            assert!(lens.iter().all(|&l| l >= 1));
            assert!(lens.iter().max().unwrap() - lens.iter().min().unwrap() <= 1);
        }
        assert_eq!(boundary(MAX_POH_ITERATIONS, 255, 256), MAX_POH_ITERATIONS);
    }

    #[test]
    fn verify_agrees_with_sequential_in_every_build() {
        let seed = H256([5; 32]);
        let good = generate(&seed, 300, 5).unwrap();
        assert_eq!(verify(&seed, 300, 5, &good), Ok(()));
        let mut bad = good.clone();
        bad.checkpoints[3].0[0] ^= 1;
        let expected = Err(ProofError::PohCheckpointMismatch { index: 3 });
        assert_eq!(verify(&seed, 300, 5, &bad), expected);
        assert_eq!(verify_sequential(&seed, 300, 5, &bad), expected);
    }

    #[test]
    fn output_is_the_plain_chain() {
        let seed = H256([3; 32]);
        let p = generate(&seed, 100, 4).unwrap();
        assert_eq!(p.output, poh_iterate(&seed, 100));
        assert_eq!(p.checkpoints[0], poh_iterate(&seed, 20));
    }
}
