//! Opening a chain: its database, its genesis, the block verifier its consensus engine
//! needs, and the contract executor. The node and the block import/export commands
//! open chains the same way, so an imported block is checked exactly as a gossiped one.
use crate::base_path::BasePath;
use anyhow::Context;
use hm_chainspec::{BftConsensus, ChainSpec, ConsensusEngineKind};
use hm_client::Client;
use hm_consensus::{BftVerifier, ProposerSchedules};
use hm_consensus_api::BlockVerifier;
use hm_storage::ChainDb;
use std::sync::Arc;

/// What the BFT engine shares with the verifier the client was opened with.
pub(crate) struct BftSetup {
    pub consensus: BftConsensus,
    pub schedules: Arc<ProposerSchedules>,
}

pub(crate) struct OpenChain {
    pub client: Arc<Client>,
    /// Present when the chain runs the four-proof BFT engine.
    pub bft: Option<BftSetup>,
}

/// Whether the chain is for development: contracts' debug logs print, mDNS may run, and
/// having no peers is normal.
pub(crate) fn is_dev_chain(spec: &ChainSpec) -> bool {
    spec.chain_type == "Development"
}

/// Whether the chain is a test network on one machine or LAN (dev or local): it listens on
/// loopback by default, may use mDNS, and validators' plots are built at start.
pub(crate) fn is_test_chain(spec: &ChainSpec) -> bool {
    matches!(spec.chain_type.as_str(), "Development" | "Local")
}

/// The contract executor (wasmtime): compiled contracts are cached under
/// `<base>/chains/<id>/wasm-cache`, and contracts' `debug_log` text is printed (target
/// `contracts`) on dev chains only.
fn contract_engine(
    base: &BasePath,
    spec: &ChainSpec,
) -> anyhow::Result<Arc<dyn hm_executor::ContractEngine>> {
    let config = hm_executor::ExecutorConfig {
        cache_dir: Some(base.chain(&spec.id).join("wasm-cache")),
        log_contract_debug: is_dev_chain(spec),
        ..hm_executor::ExecutorConfig::default()
    };
    let executor = hm_executor::Executor::new(config).context("starting the contract executor")?;
    Ok(Arc::new(executor))
}

/// Open (or create at genesis) the chain of `spec` under `base`, keeping states as
/// `state_pruning` says.
pub(crate) fn open(
    spec: &ChainSpec,
    base: &BasePath,
    state_pruning: hm_storage::StatePruning,
) -> anyhow::Result<OpenChain> {
    let db_path = base.database(&spec.id);
    let db_config = hm_storage::DbConfig {
        state_pruning,
        ..hm_storage::DbConfig::default()
    };
    let db = Arc::new(
        ChainDb::open_with(&db_path, &db_config)
            .with_context(|| format!("opening the chain database {}", db_path.display()))?,
    );
    let genesis = spec.genesis_storage()?;
    let (verifier, bft): (Arc<dyn BlockVerifier>, _) = match &spec.consensus {
        ConsensusEngineKind::Dev { authority } => (
            Arc::new(hm_consensus_dev::DevVerifier::new(*authority)),
            None,
        ),
        ConsensusEngineKind::Bft(consensus) => {
            let schedules = Arc::new(ProposerSchedules::new());
            let verifier = Arc::new(BftVerifier::new(
                consensus.max_future_drift_ms,
                schedules.clone(),
            ));
            let setup = BftSetup {
                consensus: *consensus,
                schedules,
            };
            (
                verifier.clone() as Arc<dyn BlockVerifier>,
                Some((verifier, setup)),
            )
        }
    };
    let client =
        Client::open(db, &genesis, verifier)?.with_contract_engine(contract_engine(base, spec)?);
    let bft = match bft {
        Some((verifier, setup)) => {
            let genesis_hash = client.chain_info().genesis_hash;
            verifier
                .set_genesis_hash(genesis_hash)
                .map_err(|other| anyhow::anyhow!("verifier already bound to genesis {other:?}"))?;
            Some(setup)
        }
        None => None,
    };
    Ok(OpenChain {
        client: Arc::new(client),
        bft,
    })
}
