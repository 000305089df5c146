//! Plot files (std only): create with a progress bar, reopen, validate, open leaves.
mod build;
mod file;
mod format;

pub use build::create_plot;
pub use file::PlotFile;

use crate::ProofError;
use hm_primitives::H256;
use std::path::{Path, PathBuf};

/// `<dir>/<seed-hex>-k<k>.plot`: one file per (seed, size).
pub fn plot_file_path(dir: &Path, seed: &H256, k: u8) -> PathBuf {
    dir.join(format!("{}-k{k}.plot", hex_digits(seed)))
}

fn hex_digits(h: &H256) -> String {
    h.0.iter().map(|b| format!("{b:02x}")).collect()
}

/// Why a plot could not be created, opened, read or validated.
#[derive(Debug)]
pub enum PlotError {
    Io(std::io::Error),
    Params(ProofError),
    AlreadyExists(PathBuf),
    BadHeader(&'static str),
    UnsupportedVersion(u32),
    /// The file is shorter or longer than its header's `k` implies (e.g. truncated).
    WrongLength {
        expected: u64,
        actual: u64,
    },
    /// Stored data differs from what the seed generates.
    Corrupt {
        level: u8,
        index: u64,
    },
    /// A read outside the plot's levels.
    OutOfRange {
        level: u8,
        index: u64,
    },
}

impl std::fmt::Display for PlotError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PlotError::Io(e) => write!(f, "plot I/O error: {e}"),
            PlotError::Params(e) => write!(f, "{e}"),
            PlotError::AlreadyExists(p) => write!(f, "plot {} already exists", p.display()),
            PlotError::BadHeader(why) => write!(f, "bad plot header: {why}"),
            PlotError::UnsupportedVersion(v) => write!(f, "unsupported plot version {v}"),
            PlotError::WrongLength { expected, actual } => write!(
                f,
                "plot file is {actual} bytes, expected {expected} (truncated or damaged)"
            ),
            PlotError::Corrupt { level, index } => {
                write!(f, "plot is corrupt at level {level}, node {index}")
            }
            PlotError::OutOfRange { level, index } => {
                write!(f, "no node {index} at plot level {level}")
            }
        }
    }
}

impl std::error::Error for PlotError {}

impl From<std::io::Error> for PlotError {
    fn from(e: std::io::Error) -> Self {
        PlotError::Io(e)
    }
}
