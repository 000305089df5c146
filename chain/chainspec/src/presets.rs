//! The built-in specs, made from the well-known dev keys.
use crate::{BftConsensus, BftTimeouts, ChainSpec, ConsensusEngineKind, Genesis};
use hm_crypto::Keypair;
use hm_primitives::{Balance, BlockNumber, UNITS};
use hm_proofs::{plot_seed, MemoryPlot, PlotStore, ProofError};
use hm_runtime::{
    GenesisConfig, GenesisValidator, GovernanceGenesis, PlotCommitment, ProofParams, StakingGenesis,
};
use std::sync::OnceLock;

/// What every built-in account starts with.
pub const DEV_BALANCE: Balance = 1_000_000 * UNITS;
/// What each local-testnet validator bonds at genesis.
pub const LOCAL_VALIDATOR_BOND: Balance = 100_000 * UNITS;
/// Blocks per epoch on the local testnet: under a minute of 1 s blocks, so
/// tests see validator-set changes and slashing take effect quickly.
pub const LOCAL_EPOCH_LENGTH: BlockNumber = 50;
/// Local-testnet unbonding period, in epochs (the pallet's minimum).
pub const LOCAL_UNBONDING_PERIOD: u32 = 2;
/// How far a local-testnet header may run ahead of an importer's clock.
pub const LOCAL_MAX_FUTURE_DRIFT_MS: u64 = 2_000;

fn dev_keys(names: &[&str]) -> Vec<Keypair> {
    names
        .iter()
        .map(|n| hm_crypto::dev_keypair(n).expect("built-in dev keys load"))
        .collect()
}

fn funded(keys: &[Keypair]) -> Vec<hm_runtime::GenesisAccount> {
    keys.iter()
        .map(|kp| hm_runtime::GenesisAccount {
            account: kp.account_id(),
            public_key: Some(format!("0x{}", hex::encode(kp.public().as_bytes()))),
            balance: DEV_BALANCE,
        })
        .collect()
}

fn spec(
    name: &str,
    id: &str,
    chain_type: &str,
    consensus: ConsensusEngineKind,
    patch: GenesisConfig,
) -> ChainSpec {
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
        consensus,
        genesis: Genesis::RuntimeGenesis {
            patch: Box::new(patch),
        },
    }
}

/// What dev and local chains divide the referendum tracks' periods by: a root
/// referendum's 28 days of deciding become 242 blocks, its day of confirming 8, so a
/// test network decides in minutes. Live chains keep the periods (divisor 1).
pub const TEST_GOVERNANCE: GovernanceGenesis = GovernanceGenesis {
    period_divisor: 10_000,
};

/// Single-validator development chain: alice authors; six funded dev accounts.
pub(crate) fn dev() -> ChainSpec {
    let keys = dev_keys(&hm_crypto::DEV_ACCOUNTS);
    let alice = keys[0].account_id();
    spec(
        "Development",
        "dev",
        "Development",
        ConsensusEngineKind::Dev { authority: alice },
        GenesisConfig {
            governance: TEST_GOVERNANCE,
            ..GenesisConfig::with_defaults(funded(&keys), Some(alice))
        },
    )
}

/// The plot commitment of the dev account `kp` for `k`: the seed bound to the
/// account (as `hypermesh plot create --for` makes it) and the tree's root.
pub fn dev_plot(kp: &Keypair, k: u8) -> Result<PlotCommitment, ProofError> {
    let seed = plot_seed(&kp.account_id());
    let root = MemoryPlot::build(&seed, k)?.root();
    Ok(PlotCommitment { root, k, seed })
}

/// Round timeouts of the local testnet. Four validators share one machine there, and a
/// full block (~1,500 Falcon-signed transfers, ~2 MB) must be built, gossiped and executed
/// by all of them within the propose timeout; CometBFT's default propose timeout is 3 s too.
/// Rounds only wait this long when a proposal is late: healthy heights take one block time.
pub const LOCAL_TIMEOUTS: BftTimeouts = BftTimeouts {
    propose_ms: 3_000,
    propose_delta_ms: 500,
    prevote_ms: 1_000,
    prevote_delta_ms: 500,
    precommit_ms: 1_000,
    precommit_delta_ms: 500,
};

/// Local testnet: alice, bob, charlie and dave validate with their account
/// keys, equal bonds and 2^16-leaf plots; the four-proof BFT engine runs it.
/// All six dev accounts hold funds.
pub(crate) fn local() -> ChainSpec {
    // Four plots take ~0.1 s to hash; the spec is built once per process.
    static LOCAL: OnceLock<ChainSpec> = OnceLock::new();
    LOCAL.get_or_init(build_local).clone()
}

fn build_local() -> ChainSpec {
    let keys = dev_keys(&hm_crypto::DEV_ACCOUNTS[..4]);
    let alice = keys[0].account_id();
    let proof_params = ProofParams::LOCAL_TESTNET;
    let validators = keys
        .iter()
        .map(|kp| GenesisValidator {
            stash: kp.account_id(),
            bond: LOCAL_VALIDATOR_BOND,
            consensus_key: kp.account_id().to_address(),
            plot: dev_plot(kp, proof_params.plot_k).expect("the local plot size fits in memory"),
        })
        .collect();
    let patch = GenesisConfig {
        staking: StakingGenesis {
            validators,
            epoch_length: LOCAL_EPOCH_LENGTH,
            unbonding_period: LOCAL_UNBONDING_PERIOD,
            proof_params,
            ..StakingGenesis::default()
        },
        governance: TEST_GOVERNANCE,
        // All six dev accounts are funded, as on Substrate's local testnet: eve and ferdie
        // are ordinary users (load generators, wallets) beside the four validators.
        ..GenesisConfig::with_defaults(funded(&dev_keys(&hm_crypto::DEV_ACCOUNTS)), Some(alice))
    };
    let consensus = ConsensusEngineKind::Bft(BftConsensus {
        timeouts: LOCAL_TIMEOUTS,
        max_future_drift_ms: LOCAL_MAX_FUTURE_DRIFT_MS,
    });
    spec("Local Testnet", "local", "Local", consensus, patch)
}
