//! Genesis configuration, as it appears in a chain spec (camelCase JSON;
//! balances as decimal strings, read from strings or numbers).
//!
//! Build order: System, then Caesar (which funds the stashes), then Staking.
//! Each genesis bond is locked in its stash, which must hold at least `bond`
//! (funds another pallet's genesis locked do not count).
use crate::*;
use alloc::{collections::BTreeSet, string::String};
use serde::{Deserialize, Serialize};

/// Default blocks per epoch: ten minutes of 1 s blocks.
pub const DEFAULT_EPOCH_LENGTH: BlockNumber = 600;
/// Default unbonding period, in epochs.
pub const DEFAULT_UNBONDING_PERIOD: u32 = 28;
/// Default minimum validator bond: 1000 CAES.
pub const DEFAULT_MIN_VALIDATOR_BOND: Balance = 1_000 * UNITS;
pub const DEFAULT_MAX_VALIDATORS: u32 = 100;
/// Default block reward: 1 CAES.
pub const DEFAULT_BLOCK_REWARD: Balance = UNITS;
/// Default smallest plot: 2^12 leaves (the design's low end for test machines).
pub const DEFAULT_MIN_PLOT_K: u8 = 12;

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GenesisConfig {
    #[serde(default)]
    pub validators: Vec<GenesisValidator>,
    pub epoch_length: BlockNumber,
    /// In epochs; at least [`MIN_UNBONDING_PERIOD`].
    pub unbonding_period: u32,
    #[serde(with = "hm_primitives::balance_string")]
    pub min_validator_bond: Balance,
    pub max_validators: u32,
    #[serde(with = "hm_primitives::balance_string")]
    pub block_reward: Balance,
    pub min_plot_k: u8,
    /// The four-proof parameters; every genesis plot has `proof_params.plot_k`.
    pub proof_params: ProofParams,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GenesisValidator {
    pub stash: AccountId,
    #[serde(with = "hm_primitives::balance_string")]
    pub bond: Balance,
    /// `0x`-hex Falcon-1024 public key (1793 bytes), or the `hm1…`/`0x`-hex
    /// account id of a key that System's genesis stores.
    pub consensus_key: String,
    pub plot: PlotCommitment,
}

impl Default for GenesisConfig {
    /// No validators, the default parameters and the local-testnet proof parameters.
    fn default() -> Self {
        GenesisConfig {
            validators: Vec::new(),
            epoch_length: DEFAULT_EPOCH_LENGTH,
            unbonding_period: DEFAULT_UNBONDING_PERIOD,
            min_validator_bond: DEFAULT_MIN_VALIDATOR_BOND,
            max_validators: DEFAULT_MAX_VALIDATORS,
            block_reward: DEFAULT_BLOCK_REWARD,
            min_plot_k: DEFAULT_MIN_PLOT_K,
            proof_params: ProofParams::LOCAL_TESTNET,
        }
    }
}

/// A genesis consensus key: given in full, or by the id of a key System stores.
enum GenesisKey {
    Full(FalconPublicKey),
    Id(AccountId),
}

fn parse_consensus_key(text: &str) -> Result<GenesisKey, &'static str> {
    let digits = text.strip_prefix("0x").unwrap_or(text);
    if digits.len() == 2 * hm_primitives::account::FALCON_PUBLIC_KEY_BYTES {
        let bytes = hex::decode(digits).map_err(|_| "a genesis consensus key is not valid hex")?;
        let key = FalconPublicKey::from_bytes(&bytes)
            .ok_or("a genesis consensus key is not 1793 bytes")?;
        return Ok(GenesisKey::Full(key));
    }
    AccountId::from_address(text)
        .map(GenesisKey::Id)
        .map_err(|_| "a genesis consensus key is neither a 1793-byte hex key nor an account id")
}

impl GenesisConfig {
    pub fn staking_config(&self) -> StakingConfig {
        StakingConfig {
            epoch_length: self.epoch_length,
            unbonding_period: self.unbonding_period,
            min_validator_bond: self.min_validator_bond,
            max_validators: self.max_validators,
            block_reward: self.block_reward,
            min_plot_k: self.min_plot_k,
        }
    }

    /// Check everything, then write: bonds, registrations and the first set
    /// (current and next). Needs System's and Caesar's genesis built first.
    pub fn build(&self, ext: &mut dyn Externalities) -> Result<(), &'static str> {
        let cfg = self.staking_config();
        if !cfg.is_sane() {
            return Err("staking genesis parameters out of range");
        }
        if self.proof_params.validate().is_err() {
            return Err("genesis proof parameters are out of range");
        }
        if self.proof_params.plot_k < cfg.min_plot_k {
            return Err("genesis proof parameters' plot_k is below the staking minPlotK");
        }
        if self.validators.len() > MAX_CANDIDATES as usize {
            return Err("more genesis validators than the candidate limit");
        }
        let mut keys = Vec::with_capacity(self.validators.len());
        let (mut stashes, mut key_ids, mut seeds) =
            (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
        for v in &self.validators {
            let key = parse_consensus_key(&v.consensus_key)?;
            let key_id = match &key {
                GenesisKey::Full(full) => full.account_id(),
                GenesisKey::Id(id) if system::public_key(ext, id).is_some() => *id,
                GenesisKey::Id(_) => {
                    return Err("a genesis consensus key id has no public key in System's genesis")
                }
            };
            if !stashes.insert(v.stash) {
                return Err("a stash appears twice among the genesis validators");
            }
            if !key_ids.insert(key_id) {
                return Err("a consensus key appears twice among the genesis validators");
            }
            if !seeds.insert(v.plot.seed) {
                return Err("a plot seed appears twice among the genesis validators");
            }
            if v.bond < cfg.min_validator_bond {
                return Err("a genesis validator's bond is below the minimum validator bond");
            }
            if !(cfg.min_plot_k..=MAX_PLOT_K).contains(&v.plot.k) {
                return Err("a genesis validator's plot size is out of range");
            }
            if v.plot.k != self.proof_params.plot_k {
                return Err(
                    "a genesis validator's plot k differs from the proof parameters' plot_k",
                );
            }
            keys.push((key, key_id));
        }

        put(ext, &storage::config(), &cfg);
        put(ext, &storage::proof_params(), &self.proof_params);
        put(ext, &storage::current_epoch(), &EpochIndex::default());
        put(ext, &storage::next_prune_epoch(), &EpochIndex::default());
        put(ext, &storage::total_held(), &Balance::default());
        for (v, (key, key_id)) in self.validators.iter().zip(keys) {
            dispatch(ext, Origin::Signed(v.stash), Call::Bond { value: v.bond }).map_err(|_| {
                "a genesis validator's stash cannot fund its bond from its usable balance"
            })?;
            if let GenesisKey::Full(full) = &key {
                system::register_public_key(ext, full);
            }
            election::admit_candidate(ext, &v.stash, v.bond)
                .map_err(|_| "genesis candidate list is full")?;
            let reg = ValidatorRegistration {
                consensus_key: key_id,
                plot: v.plot,
                slashed: false,
            };
            put(ext, &storage::validator(&v.stash), &reg);
            put(ext, &storage::key_owner(&key_id), &v.stash);
            put(ext, &storage::plot_owner(&v.plot.seed), &v.stash);
        }
        let set = election::elect(ext, &cfg);
        put(ext, &storage::validators(), &set);
        put(ext, &storage::next_validators(), &set);
        Ok(())
    }
}
