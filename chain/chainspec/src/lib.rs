//! Chain specs in Substrate's shape: `name`, `id`, `chainType`, `bootNodes`,
//! `protocolId`, `properties`, plus our `consensus` section and a `genesis`
//! that is either a readable runtime patch or raw storage.
//!
//! `dev` and `local` are built in code from the well-known dev keys;
//! `chainspec/dev.json` and `chainspec/local.json` are their `build-spec`
//! output, and a test keeps the files and the code in step.
//!
//! A spec read from a file is checked whole before use: unknown fields are
//! refused, the genesis is built, and a BFT chain must have at least one
//! genesis validator and valid proof parameters.
mod consensus;
mod presets;

pub use consensus::{
    BftConsensus, BftTimeouts, ConsensusEngineKind, MAX_FUTURE_DRIFT_MS, MAX_TIMEOUT_MS,
};
pub use presets::{
    dev_plot, DEV_BALANCE, LOCAL_EPOCH_LENGTH, LOCAL_MAX_FUTURE_DRIFT_MS, LOCAL_TIMEOUTS,
    LOCAL_UNBONDING_PERIOD, LOCAL_VALIDATOR_BOND,
};

use hm_runtime::GenesisConfig;
use hm_support::{Externalities, MemoryExt};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub type GenesisStorage = Vec<(Vec<u8>, Vec<u8>)>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChainSpec {
    pub name: String,
    pub id: String,
    /// "Development", "Local" or "Live".
    pub chain_type: String,
    pub boot_nodes: Vec<String>,
    pub protocol_id: String,
    pub properties: serde_json::Value,
    pub consensus: ConsensusEngineKind,
    pub genesis: Genesis,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum Genesis {
    /// Readable: the runtime's genesis config (boxed: it dwarfs the raw form's map head).
    RuntimeGenesis { patch: Box<GenesisConfig> },
    /// Raw storage, `0x`-hex keys to `0x`-hex values.
    Raw { top: BTreeMap<String, String> },
}

#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    #[error("cannot read chain spec {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("chain spec {path} is not valid: {reason}")]
    Invalid { path: String, reason: String },
    #[error("genesis cannot be built: {0}")]
    Genesis(String),
}

impl ChainSpec {
    /// `dev`, `local`, or a path to a JSON chain spec.
    pub fn load(chain: &str) -> Result<Self, SpecError> {
        match chain {
            "dev" => Ok(Self::dev()),
            "local" => Ok(Self::local()),
            path => {
                let text = std::fs::read_to_string(path).map_err(|source| SpecError::Read {
                    path: path.into(),
                    source,
                })?;
                Self::from_json(&text).map_err(|reason| SpecError::Invalid {
                    path: path.into(),
                    reason,
                })
            }
        }
    }

    /// Parse and [`check`](Self::check) a spec.
    pub fn from_json(text: &str) -> Result<Self, String> {
        let spec: Self = serde_json::from_str(text).map_err(|e| e.to_string())?;
        spec.check()?;
        Ok(spec)
    }

    /// Single-validator development chain: alice authors; six funded dev accounts.
    pub fn dev() -> Self {
        presets::dev()
    }

    /// Local testnet: alice, bob, charlie and dave validate under the
    /// four-proof BFT engine ([`hm_proofs::ProofParams::LOCAL_TESTNET`],
    /// 2^16-leaf plots, epochs of [`LOCAL_EPOCH_LENGTH`] blocks).
    pub fn local() -> Self {
        presets::local()
    }

    /// Everything a spec must satisfy beyond its shape: an `id` that is a safe directory
    /// name ([`check_id`]), consensus timings in
    /// range, a genesis that builds, and for BFT valid proof parameters and
    /// at least one validator counted for block 1.
    pub fn check(&self) -> Result<(), String> {
        check_id(&self.id)?;
        if let (ConsensusEngineKind::Bft(_), Genesis::RuntimeGenesis { patch }) =
            (&self.consensus, &self.genesis)
        {
            // The precise reason, before the genesis builder's summary.
            patch
                .staking
                .proof_params
                .validate()
                .map_err(|e| format!("staking.proofParams: {e}"))?;
        }
        let mut state = MemoryExt::default();
        for (key, value) in self.genesis_storage().map_err(|e| e.to_string())? {
            state.storage_set(&key, &value);
        }
        match &self.consensus {
            ConsensusEngineKind::Dev { .. } => Ok(()),
            ConsensusEngineKind::Bft(bft) => {
                bft.check()?;
                hm_runtime::proof_params(&state)
                    .validate()
                    .map_err(|e| format!("genesis proof parameters: {e}"))?;
                if hm_runtime::validator_set_for_block(&state, 1).is_empty() {
                    return Err(
                        "a BFT chain needs at least one genesis validator (staking.validators)"
                            .into(),
                    );
                }
                Ok(())
            }
        }
    }

    /// Genesis storage, building it from the patch when the spec is not raw.
    pub fn genesis_storage(&self) -> Result<GenesisStorage, SpecError> {
        match &self.genesis {
            Genesis::RuntimeGenesis { patch } => {
                let mut ext = MemoryExt::default();
                hm_runtime::build_genesis(&mut ext as &mut dyn Externalities, patch)
                    .map_err(|e| SpecError::Genesis(e.to_string()))?;
                Ok(ext.state.into_iter().collect())
            }
            Genesis::Raw { top } => top
                .iter()
                .map(|(k, v)| Ok((decode_hex(k)?, decode_hex(v)?)))
                .collect::<Result<_, String>>()
                .map_err(SpecError::Genesis),
        }
    }

    /// The same spec with genesis as raw storage.
    pub fn to_raw(&self) -> Result<Self, SpecError> {
        let top = self
            .genesis_storage()?
            .into_iter()
            .map(|(k, v)| {
                (
                    format!("0x{}", hex::encode(k)),
                    format!("0x{}", hex::encode(v)),
                )
            })
            .collect();
        Ok(ChainSpec {
            genesis: Genesis::Raw { top },
            ..self.clone()
        })
    }

    pub fn to_json(&self, raw: bool) -> Result<String, SpecError> {
        let spec = if raw { self.to_raw()? } else { self.clone() };
        serde_json::to_string_pretty(&spec).map_err(|e| SpecError::Genesis(e.to_string()))
    }
}

/// Longest chain spec `id` accepted.
pub const MAX_ID_LEN: usize = 64;

/// The `id` names the chain's directory under the base path
/// (`<base>/chains/<id>/{db,keystore,...}`), so it must be one plain path component:
/// 1 to [`MAX_ID_LEN`] ASCII letters, digits, `-`, `_` or `.`, not starting with `.`
/// (which also rules out `.` and `..`).
pub fn check_id(id: &str) -> Result<(), String> {
    if id.is_empty() || id.len() > MAX_ID_LEN {
        return Err(format!(
            "id `{}` must be 1 to {MAX_ID_LEN} characters long (it names the chain's directory)",
            id.escape_default()
        ));
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    if id.starts_with('.') || !id.chars().all(allowed) {
        return Err(format!(
            "id `{}` is not a safe directory name: use ASCII letters, digits, `-`, `_` and \
             `.` (not as the first character)",
            id.escape_default()
        ));
    }
    Ok(())
}

fn decode_hex(s: &str) -> Result<Vec<u8>, String> {
    hex::decode(s.strip_prefix("0x").unwrap_or(s))
        .map_err(|e| format!("raw genesis entry `{s}` is not hex: {e}"))
}

#[cfg(test)]
mod bft_tests;
#[cfg(test)]
mod tests;
