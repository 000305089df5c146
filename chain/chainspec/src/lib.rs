//! Chain specs in Substrate's shape: `name`, `id`, `chainType`, `bootNodes`,
//! `protocolId`, `properties`, plus our `consensus` section and a `genesis`
//! that is either a readable runtime patch or raw storage.
//!
//! `dev` and `local` are built in code from the well-known dev keys;
//! `chainspec/dev.json` and `chainspec/local.json` are their `build-spec`
//! output, and a test keeps the files and the code in step.
use hm_primitives::{AccountId, UNITS};
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

/// Which engine authors and finalizes, with its parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "engine", rename_all = "camelCase", deny_unknown_fields)]
pub enum ConsensusEngineKind {
    /// One authority seals and finalizes every block.
    Dev { authority: AccountId },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Genesis {
    /// Readable: the runtime's genesis config.
    RuntimeGenesis { patch: GenesisConfig },
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

    pub fn from_json(text: &str) -> Result<Self, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }

    /// Single-validator development chain: alice authors; six funded dev accounts.
    pub fn dev() -> Self {
        Self::built_in(
            "Development",
            "dev",
            "Development",
            &hm_crypto::DEV_ACCOUNTS,
        )
    }

    /// Local testnet: alice, bob, charlie and dave funded (the BFT engine makes all four validators).
    pub fn local() -> Self {
        Self::built_in(
            "Local Testnet",
            "local",
            "Local",
            &hm_crypto::DEV_ACCOUNTS[..4],
        )
    }

    fn built_in(name: &str, id: &str, chain_type: &str, funded: &[&str]) -> Self {
        let keys: Vec<_> = funded
            .iter()
            .map(|n| hm_crypto::dev_keypair(n).expect("built-in dev keys load"))
            .collect();
        let alice = keys[0].account_id();
        let accounts = keys
            .iter()
            .map(|kp| hm_runtime::GenesisAccount {
                account: kp.account_id(),
                public_key: Some(format!("0x{}", hex::encode(kp.public().as_bytes()))),
                balance: 1_000_000 * UNITS,
            })
            .collect();
        let patch = GenesisConfig::with_defaults(accounts, Some(alice));
        ChainSpec {
            name: name.into(),
            id: id.into(),
            chain_type: chain_type.into(),
            boot_nodes: vec![],
            protocol_id: "hm".into(),
            properties: serde_json::json!({
                "tokenSymbol": "CAES",
                "tokenDecimals": hm_primitives::CAES_DECIMALS,
                "addressPrefix": hm_primitives::ADDRESS_HRP,
            }),
            consensus: ConsensusEngineKind::Dev { authority: alice },
            genesis: Genesis::RuntimeGenesis { patch },
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

fn decode_hex(s: &str) -> Result<Vec<u8>, String> {
    hex::decode(s.strip_prefix("0x").unwrap_or(s))
        .map_err(|e| format!("raw genesis entry `{s}` is not hex: {e}"))
}

#[cfg(test)]
mod tests;
