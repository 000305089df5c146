//! Building a plot: the sequential leaf chain and a streaming Merkle tree
//! that needs `O(k)` memory, plus a fully in-memory plot for small `k`.
use crate::{
    error::{check_range, ProofError},
    hashing::PlotHasher,
    space::PlotStore,
    MIN_PLOT_K,
};
use alloc::vec::Vec;
use hm_primitives::H256;

/// Largest plot [`MemoryPlot`] builds: 2^22 leaves is 256 MiB with the tree.
pub const MAX_MEMORY_PLOT_K: u8 = 22;

/// The leaves of a plot in order. Inherently sequential: leaf `i` needs leaf `i - 1`.
#[derive(Clone)]
pub struct LeafChain {
    hasher: PlotHasher,
    next_index: u64,
    prev: H256,
}

impl LeafChain {
    pub fn new(plot_seed: &H256) -> Self {
        LeafChain {
            hasher: PlotHasher::new(plot_seed),
            next_index: 0,
            prev: H256::ZERO,
        }
    }
}

impl Iterator for LeafChain {
    type Item = H256;

    fn next(&mut self) -> Option<H256> {
        let leaf = if self.next_index == 0 {
            self.hasher.first_leaf()
        } else {
            self.hasher.next_leaf(&self.prev, self.next_index)
        };
        self.prev = leaf;
        self.next_index = self.next_index.checked_add(1)?;
        Some(leaf)
    }
}

/// Merkle tree fed one leaf at a time. Holds at most one pending node per
/// level; every node of level `l >= 1` is emitted exactly once, in index
/// order within its level, the root last.
pub(crate) struct StreamingTree {
    hasher: PlotHasher,
    k: u8,
    pending: Vec<Option<H256>>,
    root: Option<H256>,
}

impl StreamingTree {
    pub(crate) fn new(plot_seed: &H256, k: u8) -> Self {
        StreamingTree {
            hasher: PlotHasher::new(plot_seed),
            k,
            pending: alloc::vec![None; usize::from(k) + 1],
            root: None,
        }
    }

    /// Add the next leaf; `emit(level, node)` receives each completed inner node.
    pub(crate) fn push<E>(
        &mut self,
        leaf: H256,
        mut emit: impl FnMut(u8, &H256) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut node = leaf;
        let mut level = 0u8;
        while level < self.k {
            let Some(slot) = self.pending.get_mut(usize::from(level)) else {
                break;
            };
            match slot.take() {
                None => {
                    *slot = Some(node);
                    return Ok(());
                }
                Some(left) => {
                    node = self.hasher.node(&left, &node);
                    level += 1;
                    emit(level, &node)?;
                }
            }
        }
        self.root = Some(node);
        Ok(())
    }

    /// The root, once all `2^k` leaves are in.
    #[cfg(feature = "std")]
    pub(crate) fn root(&self) -> Option<H256> {
        self.root
    }
}

/// A plot held entirely in memory (tests, small dev plots). Same leaves,
/// tree and openings as a [`crate::PlotFile`] with the same seed and `k`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemoryPlot {
    seed: H256,
    /// `levels[0]` are the leaves, `levels[k]` is `[root]`.
    levels: Vec<Vec<H256>>,
}

impl MemoryPlot {
    pub fn build(plot_seed: &H256, k: u8) -> Result<Self, ProofError> {
        check_range(
            "plot_k",
            u64::from(k),
            u64::from(MIN_PLOT_K),
            u64::from(MAX_MEMORY_PLOT_K),
        )?;
        let mut levels: Vec<Vec<H256>> = (0..=k)
            .map(|level| Vec::with_capacity(1usize << (k - level)))
            .collect();
        let mut tree = StreamingTree::new(plot_seed, k);
        for leaf in LeafChain::new(plot_seed).take(1usize << k) {
            if let Some(leaves) = levels.first_mut() {
                leaves.push(leaf);
            }
            tree.push(leaf, |level, node| {
                if let Some(nodes) = levels.get_mut(usize::from(level)) {
                    nodes.push(*node);
                }
                Ok::<(), core::convert::Infallible>(())
            })
            .unwrap_or_else(|never| match never {});
        }
        Ok(MemoryPlot {
            seed: *plot_seed,
            levels,
        })
    }

    pub fn leaves(&self) -> &[H256] {
        self.levels.first().map(Vec::as_slice).unwrap_or(&[])
    }
}

/// Reading outside the plot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutOfPlot {
    pub level: u8,
    pub index: u64,
}

impl core::fmt::Display for OutOfPlot {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "no node {} at level {}", self.index, self.level)
    }
}

impl PlotStore for MemoryPlot {
    type Error = OutOfPlot;

    fn k(&self) -> u8 {
        // `build` caps k at MAX_MEMORY_PLOT_K, so the level count fits in u8.
        u8::try_from(self.levels.len().saturating_sub(1)).unwrap_or(u8::MAX)
    }

    fn seed(&self) -> H256 {
        self.seed
    }

    fn root(&self) -> H256 {
        self.levels
            .last()
            .and_then(|level| level.first())
            .copied()
            .unwrap_or_default()
    }

    fn node(&self, level: u8, index: u64) -> Result<H256, OutOfPlot> {
        self.levels
            .get(usize::from(level))
            .and_then(|nodes| nodes.get(usize::try_from(index).ok()?))
            .copied()
            .ok_or(OutOfPlot { level, index })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Levels computed the obvious way, all in memory.
    fn naive_levels(seed: &H256, k: u8) -> Vec<Vec<H256>> {
        let hasher = PlotHasher::new(seed);
        let mut levels = alloc::vec![LeafChain::new(seed).take(1 << k).collect::<Vec<_>>()];
        while levels.last().unwrap().len() > 1 {
            let above = levels
                .last()
                .unwrap()
                .chunks_exact(2)
                .map(|pair| hasher.node(&pair[0], &pair[1]))
                .collect();
            levels.push(above);
        }
        levels
    }

    #[test]
    fn streaming_tree_matches_naive_tree() {
        let seed = H256([4; 32]);
        for k in 1..=7u8 {
            let plot = MemoryPlot::build(&seed, k).unwrap();
            assert_eq!(plot.levels, naive_levels(&seed, k), "k = {k}");
            assert_eq!(plot.root(), plot.levels[usize::from(k)][0]);
        }
    }

    #[test]
    fn chain_links_each_leaf_to_the_previous() {
        let seed = H256([8; 32]);
        let hasher = PlotHasher::new(&seed);
        let leaves: Vec<H256> = LeafChain::new(&seed).take(5).collect();
        assert_eq!(leaves[0], hasher.first_leaf());
        for i in 1..5 {
            assert_eq!(leaves[i], hasher.next_leaf(&leaves[i - 1], i as u64));
        }
    }

    #[test]
    fn memory_plot_bounds() {
        assert!(MemoryPlot::build(&H256::ZERO, 0).is_err());
        assert!(MemoryPlot::build(&H256::ZERO, MAX_MEMORY_PLOT_K + 1).is_err());
        let plot = MemoryPlot::build(&H256::ZERO, 3).unwrap();
        assert_eq!(plot.k(), 3);
        assert!(plot.node(0, 8).is_err());
        assert!(plot.node(4, 0).is_err());
        assert_eq!(plot.node(3, 0).unwrap(), plot.root());
    }
}
