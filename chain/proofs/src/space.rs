//! PoSpace (WHERE): Merkle openings into a validator's registered plot.
//!
//! A plot is `2^k` leaves, `leaf_0 = H(seed ‖ 0)`, `leaf_i = H(leaf_{i-1} ‖ seed ‖ i)`,
//! committed by the binary Merkle root over them (registered on-chain). Each
//! block opens `m` leaves at indices drawn from `H(parent_hash ‖ time_output ‖ proposer)`;
//! the proposer learns them only after finishing its PoH segment.
//!
//! What an opening proves, and what the chaining buys:
//! - **Membership**: `leaf` and `path` hash to the root, so the leaf is the
//!   committed tree's leaf at `index`.
//! - **Validity** (the chaining): the opening also carries `prev_leaf` with a
//!   short branch proving it is the committed leaf at `index - 1`, and the
//!   verifier checks `leaf == H(prev_leaf ‖ seed ‖ index)`. Without this a
//!   prover could commit a tree of cheap leaves (all equal, or `H(secret ‖ i)`)
//!   and store `O(k)` hashes instead of the plot. With it, a committed tree
//!   whose fraction `f` of links is broken survives `m` openings with
//!   probability `(1 - f)^m` per block.
//! - **Cost of not storing**: recomputing leaf `i` from scratch is `i`
//!   sequential hashes, and producing its path needs the whole subtree,
//!   so an empty-handed prover spends ~`2^(k+1)` hashes per opening while
//!   an honest one reads `k + 2` nodes from disk.
//!
//! Residual trade-off (stated plainly): the time-memory trade-off is linear.
//! A prover that keeps only the tree levels at and above `c` plus every
//! `2^c`-th leaf stores `~2^(k-c+1)` hashes and recomputes `~2^(c+1)` hashes
//! per opening. Such a prover is not caught; it is only slowed. The chain
//! parameters must therefore make `m · 2^(c+1)` hashes miss the proposal
//! window for every `c` that saves meaningful space: PoSpace proves
//! "stored, or paid for in hashing now", not "stored". Hard-to-invert plot
//! functions (Chia-style tables) would give a steeper trade-off.
use crate::{
    codec::decode_bounded_vec,
    error::{check_range, ProofError},
    hashing::{challenge_reader, PlotHasher},
    MAX_OPENINGS, MAX_PLOT_K, MIN_PLOT_K,
};
use alloc::vec::Vec;
use hm_primitives::{AccountId, H256};
use parity_scale_codec::{Decode, Encode, Error as CodecError, Input};

/// One opened leaf. `path[l]` is the sibling at level `l` (0 = leaves) on the
/// way from `leaf` to the root, so `path.len() == k`. `prev_branch` holds the
/// siblings of `prev_leaf` below the level where its path joins `leaf`'s
/// (`trailing_zeros(index)` of them); the join node itself is `path[t]`.
#[derive(Clone, PartialEq, Eq, Debug, Encode)]
pub struct Opening {
    pub index: u64,
    pub leaf: H256,
    /// Leaf `index - 1`; all zero for leaf 0.
    pub prev_leaf: H256,
    pub path: Vec<H256>,
    pub prev_branch: Vec<H256>,
}

impl Decode for Opening {
    fn decode<I: Input>(input: &mut I) -> Result<Self, CodecError> {
        let max = u32::from(MAX_PLOT_K);
        Ok(Opening {
            index: u64::decode(input)?,
            leaf: H256::decode(input)?,
            prev_leaf: H256::decode(input)?,
            path: decode_bounded_vec(input, max, "Opening: path too long")?,
            prev_branch: decode_bounded_vec(input, max, "Opening: prev_branch too long")?,
        })
    }
}

/// The `m` openings of one header, in challenge order.
#[derive(Clone, PartialEq, Eq, Debug, Encode)]
pub struct PoSpace {
    pub openings: Vec<Opening>,
}

impl Decode for PoSpace {
    fn decode<I: Input>(input: &mut I) -> Result<Self, CodecError> {
        Ok(PoSpace {
            openings: decode_bounded_vec(input, MAX_OPENINGS, "PoSpace: too many openings")?,
        })
    }
}

/// Inputs the opening indices are drawn from.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct SpaceChallenge {
    pub parent_hash: H256,
    /// This block's PoH output.
    pub time_output: H256,
    pub proposer: AccountId,
}

/// Refuse `k`/`m` outside the crate limits.
pub fn check_params(k: u8, m: u32) -> Result<(), ProofError> {
    check_range(
        "plot_k",
        u64::from(k),
        u64::from(MIN_PLOT_K),
        u64::from(MAX_PLOT_K),
    )?;
    check_range("openings", u64::from(m), 1, u64::from(MAX_OPENINGS))
}

/// The `m` leaf indices to open, each uniform in `0..2^k`, drawn from the
/// BLAKE3 XOF of the challenge inputs. Repeats are allowed (and rare for real `k`).
pub fn challenge_indices(
    parent_hash: &H256,
    time_output: &H256,
    proposer: &AccountId,
    k: u8,
    m: u32,
) -> Result<Vec<u64>, ProofError> {
    check_params(k, m)?;
    let mut reader = challenge_reader(parent_hash, time_output, proposer, k, m);
    let mask = (1u64 << k) - 1;
    Ok((0..m)
        .map(|_| {
            let mut word = [0u8; 8];
            reader.fill(&mut word);
            u64::from_le_bytes(word) & mask
        })
        .collect())
}

/// Check the openings against the registered `root` and `plot_seed`, for
/// the indices drawn from `challenge`.
pub fn verify(
    root: &H256,
    plot_seed: &H256,
    k: u8,
    m: u32,
    challenge: &SpaceChallenge,
    proof: &PoSpace,
) -> Result<(), ProofError> {
    check_params(k, m)?;
    // Count first: a wrong count costs the verifier no hashing.
    if proof.openings.len() != m as usize {
        return Err(ProofError::OpeningCount {
            expected: m,
            got: proof.openings.len(),
        });
    }
    let indices = challenge_indices(
        &challenge.parent_hash,
        &challenge.time_output,
        &challenge.proposer,
        k,
        m,
    )?;
    verify_at(root, plot_seed, k, &indices, proof)
}

/// Check openings for explicitly given `indices` (one opening per index, in order).
pub fn verify_at(
    root: &H256,
    plot_seed: &H256,
    k: u8,
    indices: &[u64],
    proof: &PoSpace,
) -> Result<(), ProofError> {
    check_range(
        "plot_k",
        u64::from(k),
        u64::from(MIN_PLOT_K),
        u64::from(MAX_PLOT_K),
    )?;
    if proof.openings.len() != indices.len() {
        return Err(ProofError::OpeningCount {
            expected: u32::try_from(indices.len()).unwrap_or(u32::MAX),
            got: proof.openings.len(),
        });
    }
    let hasher = PlotHasher::new(plot_seed);
    for ((opening, &expected), position) in proof.openings.iter().zip(indices).zip(0u32..) {
        verify_opening(&hasher, root, k, expected, position, opening)?;
    }
    Ok(())
}

/// Fold `node` (at position `index` on `level 0`) up through `siblings`.
fn climb(hasher: &PlotHasher, mut node: H256, index: u64, siblings: &[H256]) -> H256 {
    for (level, sibling) in siblings.iter().enumerate() {
        node = if (index >> level) & 1 == 0 {
            hasher.node(&node, sibling)
        } else {
            hasher.node(sibling, &node)
        };
    }
    node
}

pub(crate) fn verify_opening(
    hasher: &PlotHasher,
    root: &H256,
    k: u8,
    expected_index: u64,
    position: u32,
    opening: &Opening,
) -> Result<(), ProofError> {
    let index = opening.index;
    if index != expected_index || index >> k != 0 {
        return Err(ProofError::OpeningIndexMismatch {
            opening: position,
            expected: expected_index,
            got: index,
        });
    }
    if opening.path.len() != usize::from(k) {
        return Err(ProofError::PathLength {
            opening: position,
            expected: u32::from(k),
            got: opening.path.len(),
        });
    }
    // Where prev's path joins ours: the lowest set bit of `index` (< k here).
    let join = if index == 0 {
        0
    } else {
        index.trailing_zeros()
    };
    if opening.prev_branch.len() != join as usize {
        return Err(ProofError::PrevBranchLength {
            opening: position,
            expected: join,
            got: opening.prev_branch.len(),
        });
    }
    let chained = if index == 0 {
        if opening.prev_leaf != H256::ZERO {
            return Err(ProofError::NonCanonicalPrevLeaf { opening: position });
        }
        hasher.first_leaf()
    } else {
        hasher.next_leaf(&opening.prev_leaf, index)
    };
    if chained != opening.leaf {
        return Err(ProofError::LeafNotChained { opening: position });
    }
    if climb(hasher, opening.leaf, index, &opening.path) != *root {
        return Err(ProofError::PathMismatch { opening: position });
    }
    if index > 0 {
        // prev's ancestor at level `join` is the sibling our path used there,
        // which the root check above has just authenticated.
        let joined = climb(hasher, opening.prev_leaf, index - 1, &opening.prev_branch);
        if opening.path.get(join as usize) != Some(&joined) {
            return Err(ProofError::PrevLeafNotInPlot { opening: position });
        }
    }
    Ok(())
}

/// Random access to a built plot: a file ([`crate::PlotFile`]) or memory
/// ([`crate::MemoryPlot`]).
pub trait PlotStore {
    type Error;
    fn k(&self) -> u8;
    fn seed(&self) -> H256;
    fn root(&self) -> H256;
    /// Node `index` of `level` (0 = leaves, `k` = root); callers keep
    /// `index < 2^(k - level)`.
    fn node(&self, level: u8, index: u64) -> Result<H256, Self::Error>;
}

/// Why openings could not be produced from a plot.
#[derive(Debug)]
pub enum OpenError<E> {
    Store(E),
    IndexOutOfRange {
        index: u64,
        k: u8,
    },
    /// The plot's data disagrees with its root: it is damaged.
    Corrupt {
        index: u64,
        error: ProofError,
    },
}

impl<E: core::fmt::Display> core::fmt::Display for OpenError<E> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            OpenError::Store(e) => write!(f, "plot read failed: {e}"),
            OpenError::IndexOutOfRange { index, k } => {
                write!(f, "leaf {index} is outside a 2^{k}-leaf plot")
            }
            OpenError::Corrupt { index, error } => {
                write!(f, "plot is damaged at leaf {index}: {error}")
            }
        }
    }
}

#[cfg(feature = "std")]
impl<E: core::fmt::Debug + core::fmt::Display> std::error::Error for OpenError<E> {}

/// Open `indices` in `plot`. Each opening is checked against the plot's root
/// before it is returned, so a damaged plot yields an error, not a bad block.
pub fn open<P: PlotStore>(plot: &P, indices: &[u64]) -> Result<PoSpace, OpenError<P::Error>> {
    let k = plot.k();
    let hasher = PlotHasher::new(&plot.seed());
    let root = plot.root();
    let mut openings = Vec::with_capacity(indices.len());
    for (&index, position) in indices.iter().zip(0u32..) {
        if k > MAX_PLOT_K || index >> k != 0 {
            return Err(OpenError::IndexOutOfRange { index, k });
        }
        let siblings = |of: u64, levels: u32| -> Result<Vec<H256>, OpenError<P::Error>> {
            (0..levels)
                .map(|level| {
                    // `level < k <= 40` fits in u8.
                    let level8 = u8::try_from(level).unwrap_or(u8::MAX);
                    plot.node(level8, (of >> level) ^ 1)
                        .map_err(OpenError::Store)
                })
                .collect()
        };
        let join = if index == 0 {
            0
        } else {
            index.trailing_zeros()
        };
        let opening = Opening {
            index,
            leaf: plot.node(0, index).map_err(OpenError::Store)?,
            prev_leaf: match index.checked_sub(1) {
                Some(prev) => plot.node(0, prev).map_err(OpenError::Store)?,
                None => H256::ZERO,
            },
            path: siblings(index, u32::from(k))?,
            prev_branch: match index.checked_sub(1) {
                Some(prev) => siblings(prev, join)?,
                None => Vec::new(),
            },
        };
        verify_opening(&hasher, &root, k, index, position, &opening)
            .map_err(|error| OpenError::Corrupt { index, error })?;
        openings.push(opening);
    }
    Ok(PoSpace { openings })
}

#[cfg(test)]
#[path = "space_tests.rs"]
mod tests;
