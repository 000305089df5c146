//! Test chains: a genesis with alice, bob, charlie and dave as validators
//! (tiny proof parameters, 2^10-leaf plots) and real clients on RocksDB.
//! Uses only public APIs, so the integration tests include it too.
#![allow(dead_code)]

use hm_client::{Client, GenesisStorage};
use hm_consensus_api::BlockVerifier;
use hm_crypto::Keypair;
use hm_primitives::{AccountId, UNITS};
use hm_proofs::{create_plot, plot_seed, PlotStore, ProofParams};
use hm_runtime::{GenesisAccount, GenesisConfig, GenesisValidator, PlotCommitment, StakingGenesis};
use hm_storage::ChainDb;
use hm_txpool::{PoolConfig, TransactionPool};
use std::path::Path;
use std::sync::Arc;

pub const VALIDATORS: [&str; 4] = ["alice", "bob", "charlie", "dave"];

/// ~1 ms of PoH, 2^10-leaf plots, a PoW of ~64 hashes.
pub const PARAMS: ProofParams = ProofParams {
    poh_iterations: 10_000,
    poh_checkpoints: 3,
    plot_k: 10,
    openings: 4,
    work_difficulty: 64,
};

pub fn key(name: &str) -> Keypair {
    hm_crypto::dev_keypair(name).expect("dev key")
}

pub fn validator_keys() -> Vec<Keypair> {
    VALIDATORS.iter().map(|n| key(n)).collect()
}

/// Create each validator's plot in `plot_dir` and return the commitments.
pub fn create_plots(plot_dir: &Path) -> Vec<PlotCommitment> {
    validator_keys()
        .iter()
        .map(|k| {
            let seed = plot_seed(&k.account_id());
            let plot = create_plot(plot_dir, &seed, PARAMS.plot_k, false).expect("plot");
            PlotCommitment {
                root: plot.root(),
                k: plot.k(),
                seed,
            }
        })
        .collect()
}

fn hex_key(k: &Keypair) -> String {
    let digits: String = k
        .public()
        .as_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("0x{digits}")
}

/// Funded dev accounts (eve too, as a non-validator) and the four validators,
/// each bonding from its own account with its own key as consensus key.
pub fn genesis(plots: &[PlotCommitment], epoch_length: u64) -> GenesisStorage {
    let mut accounts: Vec<GenesisAccount> = VALIDATORS
        .iter()
        .chain(["eve"].iter())
        .map(|n| {
            let k = key(n);
            GenesisAccount {
                account: k.account_id(),
                public_key: Some(hex_key(&k)),
                balance: 1_000_000 * UNITS,
            }
        })
        .collect();
    accounts.sort_by_key(|a| a.account);
    let validators = validator_keys()
        .iter()
        .zip(plots)
        .map(|(k, plot)| GenesisValidator {
            stash: k.account_id(),
            bond: 10_000 * UNITS,
            consensus_key: hex_key(k),
            plot: *plot,
        })
        .collect();
    let mut config = GenesisConfig::with_defaults(accounts, None);
    config.staking = StakingGenesis {
        validators,
        epoch_length,
        min_plot_k: PARAMS.plot_k,
        proof_params: PARAMS,
        ..StakingGenesis::default()
    };
    hm_runtime::genesis_storage(&config).expect("genesis")
}

/// A client on a fresh RocksDB under `dir`.
pub fn open_client(
    dir: &Path,
    genesis: &GenesisStorage,
    verifier: Arc<dyn BlockVerifier>,
) -> Arc<Client> {
    let db = Arc::new(ChainDb::open(&dir.join("db")).expect("db"));
    Arc::new(Client::open(db, genesis, verifier).expect("client"))
}

pub fn pool(client: &Arc<Client>) -> Arc<TransactionPool> {
    Arc::new(TransactionPool::new(PoolConfig::default(), client.clone()))
}

pub fn account(name: &str) -> AccountId {
    key(name).account_id()
}
