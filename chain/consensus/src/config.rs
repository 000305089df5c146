//! Engine configuration: what the node maps its chain spec and base path into.
use hm_consensus_bft::TimeoutConfig;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How far ahead of local time a block timestamp may be by default.
pub const DEFAULT_MAX_FUTURE_DRIFT_MS: u64 = 2_000;

#[derive(Clone, Debug)]
pub struct BftConfig {
    /// Tendermint round timeouts.
    pub timeouts: TimeoutConfig,
    /// Block timestamps may be at most this far ahead of local time.
    pub max_future_drift_ms: u64,
    /// Shortest time between the starts of consecutive heights: after a commit
    /// the engine waits out the rest of it (CometBFT's `timeout_commit`), so
    /// blocks come about this often when consensus is faster.
    pub block_time: Duration,
    /// Directory of this validator's plot files (`<dir>/<seed-hex>-k<k>.plot`).
    pub plot_dir: PathBuf,
    /// Tendermint recovery state (round, lock, valid value).
    pub state_path: PathBuf,
    /// Slashing-protection record of the consensus key.
    pub guard_path: PathBuf,
    /// Limits of a proposed block's transaction selection.
    pub max_block_txs: usize,
    pub max_block_bytes: usize,
    /// Test builds only: break the protocol this way.
    #[cfg(feature = "byzantine")]
    pub misbehaviour: Option<crate::byzantine::Misbehaviour>,
}

impl BftConfig {
    /// Defaults with every file under `chain_dir` (`<base>/chains/<chain id>`):
    /// `plots/`, `consensus/bft-state`, `consensus/signer-guard`.
    pub fn under(chain_dir: &Path) -> Self {
        BftConfig {
            timeouts: TimeoutConfig::default(),
            max_future_drift_ms: DEFAULT_MAX_FUTURE_DRIFT_MS,
            block_time: Duration::from_millis(1_000),
            plot_dir: chain_dir.join("plots"),
            state_path: chain_dir.join("consensus").join("bft-state"),
            guard_path: chain_dir.join("consensus").join("signer-guard"),
            max_block_txs: 20_000,
            max_block_bytes: 8 * 1024 * 1024,
            #[cfg(feature = "byzantine")]
            misbehaviour: None,
        }
    }
}
