//! Why a proof (or a parameter set) was refused. Each kind of tampering maps
//! to its own variant so importers can log the precise reason.
use core::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProofError {
    /// A chain parameter is outside what this crate accepts.
    ParamOutOfRange {
        param: &'static str,
        value: u64,
        min: u64,
        max: u64,
    },

    /// PoTime carries a different number of checkpoints than the chain requires.
    PohCheckpointCount { expected: u32, got: usize },
    /// The PoH segment ending at this checkpoint does not hash to it.
    PohCheckpointMismatch { index: u32 },
    /// The last PoH segment does not hash to the claimed output.
    PohOutputMismatch,

    /// PoSpace carries a different number of openings than the chain requires.
    OpeningCount { expected: u32, got: usize },
    /// An opening is for a different leaf than the challenge drew.
    OpeningIndexMismatch {
        opening: u32,
        expected: u64,
        got: u64,
    },
    /// A Merkle path does not have exactly `k` siblings.
    PathLength {
        opening: u32,
        expected: u32,
        got: usize,
    },
    /// The predecessor's branch has the wrong number of siblings.
    PrevBranchLength {
        opening: u32,
        expected: u32,
        got: usize,
    },
    /// Leaf 0 must carry an all-zero `prev_leaf` (it has no predecessor).
    NonCanonicalPrevLeaf { opening: u32 },
    /// The leaf is not `H(prev_leaf ‖ plot_seed ‖ index)` (or leaf 0's formula).
    LeafNotChained { opening: u32 },
    /// The leaf and its path do not hash to the registered plot root.
    PathMismatch { opening: u32 },
    /// `prev_leaf` with its branch is not the plot's leaf at `index - 1`.
    PrevLeafNotInPlot { opening: u32 },

    /// `H(pre_seal ‖ nonce)` is above the work target.
    WorkAboveTarget,
}

impl fmt::Display for ProofError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ProofError::*;
        match self {
            ParamOutOfRange {
                param,
                value,
                min,
                max,
            } => write!(f, "parameter {param} = {value} is outside {min}..={max}"),
            PohCheckpointCount { expected, got } => {
                write!(f, "PoTime has {got} checkpoints, chain requires {expected}")
            }
            PohCheckpointMismatch { index } => write!(f, "PoTime checkpoint {index} is wrong"),
            PohOutputMismatch => write!(f, "PoTime output is wrong"),
            OpeningCount { expected, got } => {
                write!(f, "PoSpace has {got} openings, chain requires {expected}")
            }
            OpeningIndexMismatch {
                opening,
                expected,
                got,
            } => write!(
                f,
                "PoSpace opening {opening} is for leaf {got}, challenge drew leaf {expected}"
            ),
            PathLength {
                opening,
                expected,
                got,
            } => write!(
                f,
                "PoSpace opening {opening} path has {got} siblings, plot depth is {expected}"
            ),
            PrevBranchLength {
                opening,
                expected,
                got,
            } => write!(
                f,
                "PoSpace opening {opening} predecessor branch has {got} siblings, expected {expected}"
            ),
            NonCanonicalPrevLeaf { opening } => {
                write!(f, "PoSpace opening {opening}: leaf 0 must have a zero prev_leaf")
            }
            LeafNotChained { opening } => {
                write!(f, "PoSpace opening {opening}: leaf is not chained from prev_leaf")
            }
            PathMismatch { opening } => {
                write!(f, "PoSpace opening {opening}: Merkle path does not reach the plot root")
            }
            PrevLeafNotInPlot { opening } => write!(
                f,
                "PoSpace opening {opening}: prev_leaf is not the plot's preceding leaf"
            ),
            WorkAboveTarget => write!(f, "PoWork hash is above the target"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for ProofError {}

/// `Err(ParamOutOfRange)` unless `min <= value <= max`.
pub(crate) fn check_range(
    param: &'static str,
    value: u64,
    min: u64,
    max: u64,
) -> Result<(), ProofError> {
    if value < min || value > max {
        return Err(ProofError::ParamOutOfRange {
            param,
            value,
            min,
            max,
        });
    }
    Ok(())
}
