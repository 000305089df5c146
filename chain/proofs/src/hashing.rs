//! Domain-separated BLAKE3 for the proofs.
//!
//! Each use gets its own key from `blake3::derive_key(context, ..)`, so no
//! hash of one kind can be replayed as another, and every hot input fits in
//! one 64-byte BLAKE3 block (one compression per hash):
//! - PoH step: `blake3(h)` over 32 bytes (the seed is already domain-separated);
//! - plot leaf: keyed by `derive_key(LEAF, plot_seed)` over `prev ‖ index` (40 B);
//! - plot inner node: keyed by `derive_key(NODE)` over `left ‖ right` (64 B);
//! - work: keyed by `derive_key(WORK)` over `pre_seal ‖ nonce` (40 B).
use hm_primitives::{AccountId, H256};

const POH_SEED_CONTEXT: &str = "hypermesh 2025 consensus proofs v1 poh seed";
const PLOT_SEED_CONTEXT: &str = "hypermesh 2025 consensus proofs v1 plot seed";
const PLOT_LEAF_CONTEXT: &str = "hypermesh 2025 consensus proofs v1 plot leaf";
const PLOT_NODE_CONTEXT: &str = "hypermesh 2025 consensus proofs v1 plot node";
const CHALLENGE_CONTEXT: &str = "hypermesh 2025 consensus proofs v1 plot challenge";
const WORK_CONTEXT: &str = "hypermesh 2025 consensus proofs v1 work";

/// Start of a PoH segment: `H(parent.time_output ‖ parent_hash)`.
pub fn poh_seed(parent_time_output: &H256, parent_hash: &H256) -> H256 {
    let key = blake3::derive_key(POH_SEED_CONTEXT, &[]);
    let mut input = [0u8; 64];
    input[..32].copy_from_slice(&parent_time_output.0);
    input[32..].copy_from_slice(&parent_hash.0);
    H256(*blake3::keyed_hash(&key, &input).as_bytes())
}

/// `n` sequential PoH steps from `start`.
pub(crate) fn poh_iterate(start: &H256, n: u64) -> H256 {
    let mut state = start.0;
    for _ in 0..n {
        state = *blake3::hash(&state).as_bytes();
    }
    H256(state)
}

/// The plot seed of `owner`: binding the plot to the account stops several
/// validators from registering one shared plot.
pub fn plot_seed(owner: &AccountId) -> H256 {
    H256(blake3::derive_key(PLOT_SEED_CONTEXT, &owner.0))
}

/// Leaf and node hashing for one plot.
#[derive(Clone)]
pub(crate) struct PlotHasher {
    leaf_key: [u8; 32],
    node_key: [u8; 32],
}

impl PlotHasher {
    pub(crate) fn new(plot_seed: &H256) -> Self {
        PlotHasher {
            leaf_key: blake3::derive_key(PLOT_LEAF_CONTEXT, &plot_seed.0),
            node_key: blake3::derive_key(PLOT_NODE_CONTEXT, &[]),
        }
    }

    /// `leaf_0 = H(plot_seed ‖ 0)`; the seed enters through the key.
    pub(crate) fn first_leaf(&self) -> H256 {
        H256(*blake3::keyed_hash(&self.leaf_key, &0u64.to_le_bytes()).as_bytes())
    }

    /// `leaf_i = H(leaf_{i-1} ‖ plot_seed ‖ i)` for `i >= 1`. The 40-byte input
    /// cannot collide with leaf 0's 8-byte input.
    pub(crate) fn next_leaf(&self, prev: &H256, index: u64) -> H256 {
        let mut input = [0u8; 40];
        input[..32].copy_from_slice(&prev.0);
        input[32..].copy_from_slice(&index.to_le_bytes());
        H256(*blake3::keyed_hash(&self.leaf_key, &input).as_bytes())
    }

    /// Inner Merkle node. Leaves and nodes use different keys, and every
    /// path is exactly `k` long, so a node can never pass for a leaf.
    pub(crate) fn node(&self, left: &H256, right: &H256) -> H256 {
        let mut input = [0u8; 64];
        input[..32].copy_from_slice(&left.0);
        input[32..].copy_from_slice(&right.0);
        H256(*blake3::keyed_hash(&self.node_key, &input).as_bytes())
    }
}

/// XOF over the challenge inputs, from which opening indices are read.
pub(crate) fn challenge_reader(
    parent_hash: &H256,
    time_output: &H256,
    proposer: &AccountId,
    k: u8,
    m: u32,
) -> blake3::OutputReader {
    let mut hasher = blake3::Hasher::new_derive_key(CHALLENGE_CONTEXT);
    hasher.update(&parent_hash.0);
    hasher.update(&time_output.0);
    hasher.update(&proposer.0);
    hasher.update(&[k]);
    hasher.update(&m.to_le_bytes());
    hasher.finalize_xof()
}

/// Hashes `pre_seal ‖ nonce` for PoWork; keep one per solve loop.
#[derive(Clone)]
pub(crate) struct WorkHasher {
    key: [u8; 32],
    input: [u8; 40],
}

impl WorkHasher {
    pub(crate) fn new(pre_seal: &H256) -> Self {
        let mut input = [0u8; 40];
        input[..32].copy_from_slice(&pre_seal.0);
        WorkHasher {
            key: blake3::derive_key(WORK_CONTEXT, &[]),
            input,
        }
    }

    pub(crate) fn hash(&mut self, nonce: u64) -> H256 {
        self.input[32..].copy_from_slice(&nonce.to_le_bytes());
        H256(*blake3::keyed_hash(&self.key, &self.input).as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_separated() {
        let a = H256([7u8; 32]);
        let b = H256([9u8; 32]);
        let plot = PlotHasher::new(&a);
        let mut work = WorkHasher::new(&a);
        let outputs = [
            poh_seed(&a, &b),
            plot.node(&a, &b),
            plot.next_leaf(&a, 0),
            work.hash(0),
            H256(*blake3::hash(&[a.0, b.0].concat()).as_bytes()),
        ];
        for (i, x) in outputs.iter().enumerate() {
            for y in &outputs[i + 1..] {
                assert_ne!(x, y);
            }
        }
    }

    #[test]
    fn plot_seed_depends_on_owner() {
        assert_ne!(
            plot_seed(&AccountId([1; 32])),
            plot_seed(&AccountId([2; 32]))
        );
    }

    #[test]
    fn leaves_depend_on_seed_and_index() {
        let p1 = PlotHasher::new(&H256([1; 32]));
        let p2 = PlotHasher::new(&H256([2; 32]));
        assert_ne!(p1.first_leaf(), p2.first_leaf());
        let prev = p1.first_leaf();
        assert_ne!(p1.next_leaf(&prev, 1), p1.next_leaf(&prev, 2));
        assert_ne!(p1.next_leaf(&prev, 1), p2.next_leaf(&prev, 1));
    }
}
