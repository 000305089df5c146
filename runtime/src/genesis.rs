//! Genesis configuration, as it appears in a chain spec under
//! `genesis.runtimeGenesis.patch` (camelCase JSON).
//!
//! Balances are written as decimal strings and read from strings or numbers:
//! plancks overflow `u64` (and JSON tools that go through `f64`) from about
//! 18 million CAES up.
use crate::{caesar, staking, system, FeeParams, Parameters};
use alloc::{string::String, vec::Vec};
use hm_primitives::{AccountId, Balance, FalconPublicKey};
use hm_support::{Externalities, MemoryExt, Weight};
use serde::{Deserialize, Serialize};

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GenesisConfig {
    pub accounts: Vec<GenesisAccount>,
    /// Account allowed to make `Root` calls; none means no root, ever (unless set by a later runtime).
    #[serde(default)]
    pub root_key: Option<AccountId>,
    /// Smallest balance an account may hold; must be positive.
    #[serde(with = "hm_primitives::balance_string")]
    pub existential_deposit: Balance,
    #[serde(default)]
    pub fees: FeeParams,
    #[serde(default = "default_max_block_weight")]
    pub max_block_weight: Weight,
    #[serde(default = "default_max_block_length")]
    pub max_block_length: u32,
    /// Staking parameters, the four-proof parameters and the genesis
    /// validators (whose bonds move from their stashes to the staking pot).
    #[serde(default)]
    pub staking: staking::GenesisConfig,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GenesisAccount {
    pub account: AccountId,
    /// `0x`-hex Falcon-1024 public key (1793 bytes). When present it is stored,
    /// so the account can sign with `Signer::Id` from its first transaction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
    /// Free balance in plancks; at least the existential deposit.
    #[serde(with = "hm_primitives::balance_string")]
    pub balance: Balance,
}

/// 1 mCAES: small enough for test accounts, large enough to make state bloat cost something.
pub const DEFAULT_EXISTENTIAL_DEPOSIT: Balance = hm_primitives::UNITS / 1_000;

impl GenesisConfig {
    /// `accounts` and `root_key` with the default ED, fee schedule and block
    /// limits, and staking with its defaults and no validators.
    pub fn with_defaults(accounts: Vec<GenesisAccount>, root_key: Option<AccountId>) -> Self {
        GenesisConfig {
            accounts,
            root_key,
            existential_deposit: DEFAULT_EXISTENTIAL_DEPOSIT,
            fees: FeeParams::default(),
            max_block_weight: default_max_block_weight(),
            max_block_length: default_max_block_length(),
            staking: staking::GenesisConfig::default(),
        }
    }
}

fn default_max_block_weight() -> Weight {
    system::DEFAULT_MAX_BLOCK_WEIGHT
}

fn default_max_block_length() -> u32 {
    system::DEFAULT_MAX_BLOCK_LENGTH
}

fn parse_public_key(account: &AccountId, hex_key: &str) -> Result<FalconPublicKey, &'static str> {
    let digits = hex_key.strip_prefix("0x").unwrap_or(hex_key);
    let bytes = hex::decode(digits).map_err(|_| "a genesis public key is not valid hex")?;
    let key =
        FalconPublicKey::from_bytes(&bytes).ok_or("a genesis public key is not 1793 bytes")?;
    if key.account_id() != *account {
        return Err("a genesis public key does not hash to its account");
    }
    Ok(key)
}

/// Write the genesis state. Refuses (with a reason) configurations that would
/// break an invariant: duplicate accounts, balances below the ED, keys that do
/// not belong to their account, parameters out of range.
pub fn build_genesis(
    ext: &mut dyn Externalities,
    config: &GenesisConfig,
) -> Result<(), &'static str> {
    let public_keys = config
        .accounts
        .iter()
        .filter_map(|a| {
            a.public_key
                .as_deref()
                .map(|key| parse_public_key(&a.account, key))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let parameters = Parameters {
        fees: config.fees,
        max_block_weight: config.max_block_weight,
        max_block_length: config.max_block_length,
    };
    system::GenesisConfig {
        parameters,
        root_key: config.root_key,
        public_keys,
    }
    .build(ext)?;
    caesar::GenesisConfig {
        existential_deposit: config.existential_deposit,
        balances: config
            .accounts
            .iter()
            .map(|a| (a.account, a.balance))
            .collect(),
    }
    .build(ext)?;
    config.staking.build(ext)
}

/// Raw state: key/value pairs in key order.
pub type RawStorage = Vec<(Vec<u8>, Vec<u8>)>;

/// The genesis state as raw key/value pairs, in key order.
pub fn genesis_storage(config: &GenesisConfig) -> Result<RawStorage, &'static str> {
    let mut ext = MemoryExt::default();
    build_genesis(&mut ext, config)?;
    Ok(ext.state.into_iter().collect())
}
