//! Plots that cheat: what the chaining check catches, and what it cannot.
use super::*;
use crate::tree::LeafChain;

/// A tree over arbitrary leaves, as a dishonest prover could commit.
struct LeafPlot {
    seed: H256,
    levels: Vec<Vec<H256>>,
}

impl LeafPlot {
    fn new(seed: H256, leaves: Vec<H256>) -> Self {
        let hasher = PlotHasher::new(&seed);
        let mut levels = alloc::vec![leaves];
        while levels.last().unwrap().len() > 1 {
            let above = levels
                .last()
                .unwrap()
                .chunks_exact(2)
                .map(|p| hasher.node(&p[0], &p[1]))
                .collect();
            levels.push(above);
        }
        LeafPlot { seed, levels }
    }
}

impl PlotStore for LeafPlot {
    type Error = ();
    fn k(&self) -> u8 {
        (self.levels.len() - 1) as u8
    }
    fn seed(&self) -> H256 {
        self.seed
    }
    fn root(&self) -> H256 {
        self.levels.last().unwrap()[0]
    }
    fn node(&self, level: u8, index: u64) -> Result<H256, ()> {
        Ok(self.levels[level as usize][index as usize])
    }
}

const SEED: H256 = H256([42; 32]);

fn corrupt_error(result: Result<PoSpace, OpenError<()>>) -> ProofError {
    match result {
        Err(OpenError::Corrupt { error, .. }) => error,
        other => panic!("expected a verification failure, got {other:?}"),
    }
}

#[test]
fn constant_leaves_are_caught() {
    // Storing O(k) hashes instead of the plot: every level is one repeated node.
    let plot = LeafPlot::new(SEED, alloc::vec![H256([1; 32]); 64]);
    for index in [0u64, 1, 17, 63] {
        assert!(matches!(
            corrupt_error(open(&plot, &[index])),
            ProofError::LeafNotChained { .. }
        ));
    }
}

#[test]
fn random_access_leaves_are_caught() {
    // leaf_i = H(secret ‖ i): any leaf recomputable in O(1).
    let leaves = (0..64u64)
        .map(|i| H256(*blake3::hash(&i.to_le_bytes()).as_bytes()))
        .collect();
    let plot = LeafPlot::new(SEED, leaves);
    assert!(matches!(
        corrupt_error(open(&plot, &[9])),
        ProofError::LeafNotChained { .. }
    ));
}

#[test]
fn a_restarted_chain_is_caught_only_at_the_break() {
    // Honest up to leaf 7, then a fresh chain from a secret X at leaf 8: a
    // prover could keep only the restart points and recompute short runs.
    let hasher = PlotHasher::new(&SEED);
    let mut leaves: Vec<H256> = LeafChain::new(&SEED).take(8).collect();
    let secret = H256([99; 32]);
    let mut prev = secret;
    for i in 8..64u64 {
        prev = hasher.next_leaf(&prev, i);
        leaves.push(prev);
    }
    let plot = LeafPlot::new(SEED, leaves);
    let root = plot.root();

    // Every unbroken link still verifies: detection is per challenged link.
    for index in (0..64u64).filter(|&i| i != 8) {
        let proof = open(&plot, &[index]).unwrap();
        verify_at(&root, &SEED, 6, &[index], &proof).unwrap();
    }
    // At the break, claiming the tree's real predecessor fails the chain check ...
    assert_eq!(
        corrupt_error(open(&plot, &[8])),
        ProofError::LeafNotChained { opening: 0 }
    );
    // ... and claiming the true preimage fails the predecessor's membership.
    let mut opening = Opening {
        index: 8,
        leaf: plot.node(0, 8).unwrap(),
        prev_leaf: secret,
        path: (0..6)
            .map(|l| plot.node(l, (8 >> l) ^ 1).unwrap())
            .collect(),
        prev_branch: (0..3)
            .map(|l| plot.node(l, (7 >> l) ^ 1).unwrap())
            .collect(),
    };
    let proof = PoSpace {
        openings: alloc::vec![opening.clone()],
    };
    assert_eq!(
        verify_at(&root, &SEED, 6, &[8], &proof),
        Err(ProofError::PrevLeafNotInPlot { opening: 0 })
    );
    // The honest branch of leaf 7 was used; any other branch fails the same way.
    opening.prev_branch[0] = H256::ZERO;
    assert_eq!(
        verify_at(
            &root,
            &SEED,
            6,
            &[8],
            &PoSpace {
                openings: alloc::vec![opening]
            }
        ),
        Err(ProofError::PrevLeafNotInPlot { opening: 0 })
    );
}

#[test]
fn the_honest_plot_equals_the_memory_plot() {
    let leaves: Vec<H256> = LeafChain::new(&SEED).take(64).collect();
    let plot = LeafPlot::new(SEED, leaves);
    let memory = crate::MemoryPlot::build(&SEED, 6).unwrap();
    assert_eq!(plot.root(), memory.root());
    let at = [0u64, 5, 32, 63];
    assert_eq!(open(&plot, &at).unwrap(), open(&memory, &at).unwrap());
}
