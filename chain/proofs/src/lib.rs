//! The four consensus proofs every HyperMesh header carries (DESIGN §4).
//!
//! | question  | proof                | module    | cost to make             | cost to check              |
//! |-----------|----------------------|-----------|--------------------------|----------------------------|
//! | WHEN      | PoTime (PoH segment) | [`time`]  | `T` sequential hashes    | `T` hashes over `k+1` cores |
//! | WHERE     | PoSpace (plot)       | [`space`] | `2^k` leaves once, then reads | `m·(k+2)` hashes      |
//! | WHAT/HOW  | PoWork (nonce)       | [`work`]  | ~`difficulty` hashes     | 1 hash                     |
//! | WHO       | PoStake              | the node  | Falcon seal over the header plus a bonded-stake lookup |  |
//!
//! Everything needed to *verify* is `no_std` + `alloc` so the runtime (asset
//! registration, DESIGN §8) can check the same [`ConsensusProof`] type. Plot
//! files, the progress bar and rayon-parallel checking are behind `std`.
//!
//! Every proof is computed from its inputs and every check can fail with a
//! specific [`ProofError`]; nothing here returns a constant.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

mod codec;
mod error;
mod hashing;
mod params;
mod proof;
pub mod space;
pub mod time;
mod tree;
pub mod work;

#[cfg(feature = "std")]
pub mod plot;

pub use error::ProofError;
pub use hashing::plot_seed;
pub use params::ProofParams;
pub use proof::{ConsensusProof, VerifyInputs};
pub use space::{Opening, PlotStore, PoSpace, SpaceChallenge};
pub use time::PoTime;
pub use tree::{LeafChain, MemoryPlot, OutOfPlot, MAX_MEMORY_PLOT_K};
pub use work::{PoWork, WorkTarget};

#[cfg(feature = "std")]
pub use plot::{create_plot, plot_file_path, PlotError, PlotFile};
#[cfg(feature = "std")]
pub use proof::{prove, ProveError};

/// Largest PoH segment a chain may configure (about 7 minutes of hashing on
/// one core here); guards against a misconfigured or hostile parameter set.
pub const MAX_POH_ITERATIONS: u64 = 1 << 32;
/// Largest number of PoH checkpoints per header; bounds decoding and the
/// parallel split.
pub const MAX_POH_CHECKPOINTS: u32 = 256;
/// Smallest plot: two leaves.
pub const MIN_PLOT_K: u8 = 1;
/// Largest plot: 2^40 leaves (64 TiB of leaves plus tree).
pub const MAX_PLOT_K: u8 = 40;
/// Most plot openings per header.
pub const MAX_OPENINGS: u32 = 64;

/// Upper bound of a SCALE-encoded [`ConsensusProof`] built within the limits
/// above; [`ConsensusProof::decode_untrusted`] refuses anything longer.
pub const MAX_CONSENSUS_PROOF_BYTES: usize = {
    const COMPACT_LEN: usize = 5;
    const HASH: usize = 32;
    let time = COMPACT_LEN + MAX_POH_CHECKPOINTS as usize * HASH + HASH;
    let opening =
        8 + HASH + HASH + 2 * COMPACT_LEN + (MAX_PLOT_K as usize + MAX_PLOT_K as usize) * HASH;
    let space = COMPACT_LEN + MAX_OPENINGS as usize * opening;
    let work = 8;
    time + space + work
};
