//! The `consensus` section of a chain spec: which engine authors and
//! finalizes, with its off-chain parameters.
//!
//! The four-proof parameters are not here: they are on-chain state (root may
//! change them), set at genesis from `genesis…staking.proofParams`, and the
//! engine reads them from the parent block's state. One source of truth.
use hm_primitives::AccountId;
use serde::{Deserialize, Serialize};

/// Longest round timeout (base or per-round increment) a spec may set.
pub const MAX_TIMEOUT_MS: u64 = 10 * 60 * 1_000;
/// Largest allowed clock drift of a proposer ahead of an importer.
pub const MAX_FUTURE_DRIFT_MS: u64 = 10 * 60 * 1_000;

/// Which engine authors and finalizes, with its parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "engine", rename_all = "camelCase", deny_unknown_fields)]
pub enum ConsensusEngineKind {
    /// One authority seals and finalizes every block.
    Dev { authority: AccountId },
    /// Four-proof Tendermint among the staking pallet's validators.
    Bft(BftConsensus),
}

/// Parameters of the BFT engine that are node-local timing, not chain state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BftConsensus {
    pub timeouts: BftTimeouts,
    /// How far ahead of the importer's clock a header's timestamp may be.
    pub max_future_drift_ms: u64,
}

/// Round timeouts: step `s` of round `r` waits `s_ms + r · s_delta_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BftTimeouts {
    pub propose_ms: u64,
    pub propose_delta_ms: u64,
    pub prevote_ms: u64,
    pub prevote_delta_ms: u64,
    pub precommit_ms: u64,
    pub precommit_delta_ms: u64,
}

impl Default for BftTimeouts {
    /// The state machine's defaults, tuned for ~1 s blocks on a LAN.
    fn default() -> Self {
        hm_consensus_bft::TimeoutConfig::default().into()
    }
}

impl From<hm_consensus_bft::TimeoutConfig> for BftTimeouts {
    fn from(t: hm_consensus_bft::TimeoutConfig) -> Self {
        BftTimeouts {
            propose_ms: t.propose_ms,
            propose_delta_ms: t.propose_delta_ms,
            prevote_ms: t.prevote_ms,
            prevote_delta_ms: t.prevote_delta_ms,
            precommit_ms: t.precommit_ms,
            precommit_delta_ms: t.precommit_delta_ms,
        }
    }
}

impl From<BftTimeouts> for hm_consensus_bft::TimeoutConfig {
    fn from(t: BftTimeouts) -> Self {
        hm_consensus_bft::TimeoutConfig {
            propose_ms: t.propose_ms,
            propose_delta_ms: t.propose_delta_ms,
            prevote_ms: t.prevote_ms,
            prevote_delta_ms: t.prevote_delta_ms,
            precommit_ms: t.precommit_ms,
            precommit_delta_ms: t.precommit_delta_ms,
        }
    }
}

impl BftConsensus {
    /// Refuse timings that would stall the chain (a zero base timeout never
    /// lets a round make progress; huge ones halt it after one fault).
    pub fn check(&self) -> Result<(), String> {
        let t = &self.timeouts;
        for (name, value) in [
            ("proposeMs", t.propose_ms),
            ("prevoteMs", t.prevote_ms),
            ("precommitMs", t.precommit_ms),
        ] {
            if !(1..=MAX_TIMEOUT_MS).contains(&value) {
                return Err(format!(
                    "consensus.timeouts.{name} is {value}; it must be 1..={MAX_TIMEOUT_MS}"
                ));
            }
        }
        for (name, value) in [
            ("proposeDeltaMs", t.propose_delta_ms),
            ("prevoteDeltaMs", t.prevote_delta_ms),
            ("precommitDeltaMs", t.precommit_delta_ms),
        ] {
            if value > MAX_TIMEOUT_MS {
                return Err(format!(
                    "consensus.timeouts.{name} is {value}; it must be at most {MAX_TIMEOUT_MS}"
                ));
            }
        }
        if !(1..=MAX_FUTURE_DRIFT_MS).contains(&self.max_future_drift_ms) {
            return Err(format!(
                "consensus.maxFutureDriftMs is {}; it must be 1..={MAX_FUTURE_DRIFT_MS}",
                self.max_future_drift_ms
            ));
        }
        Ok(())
    }
}
