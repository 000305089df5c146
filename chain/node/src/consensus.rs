//! Starting the consensus engine the chain spec names: dev authoring, or the four-proof
//! BFT engine (as a validator with a key, or as a follower without one).
use crate::chain::BftSetup;
use crate::network::GossipNetwork;
use anyhow::Context;
use hm_client::Client;
use hm_consensus::{BftConfig, BftEngine, EngineDeps, EngineHandle};
use hm_crypto::Keypair;
use hm_metrics::Metrics;
use hm_network::NetworkHandle;
use hm_txpool::TransactionPool;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;

/// Create this validator's plot if it has none, for chains where plots are small enough
/// to build at start (the local testnet's k=16 takes a fraction of a second). On a live
/// chain the operator runs `hypermesh plot create` beforehand.
fn ensure_plot(client: &Client, key: &Keypair, plot_dir: &Path) -> anyhow::Result<()> {
    let k = hm_runtime::proof_params(&client.overlay()).plot_k;
    let seed = hm_proofs::plot_seed(&key.account_id());
    if hm_proofs::plot_file_path(plot_dir, &seed, k).exists() {
        return Ok(());
    }
    tracing::info!("🌱 creating a 2^{k}-leaf plot for {}", key.account_id());
    hm_proofs::create_plot(plot_dir, &seed, k, false)
        .with_context(|| format!("creating the plot under {}", plot_dir.display()))?;
    Ok(())
}

pub(crate) struct BftStart<'a> {
    pub client: Arc<Client>,
    pub pool: Arc<TransactionPool>,
    pub network: NetworkHandle,
    pub setup: &'a BftSetup,
    pub chain_dir: &'a Path,
    pub key: Option<Keypair>,
    /// Build plots on start (dev and local chains).
    pub auto_plot: bool,
    pub block_time: Duration,
    pub metrics: Metrics,
    #[cfg(feature = "byzantine")]
    pub misbehaviour: Option<hm_consensus::byzantine::Misbehaviour>,
}

/// Start the BFT engine; the returned handle judges proposals and votes from gossip.
pub(crate) fn start_bft(start: BftStart<'_>) -> anyhow::Result<(JoinHandle<()>, EngineHandle)> {
    let mut config = BftConfig::under(start.chain_dir);
    config.timeouts = start.setup.consensus.timeouts.into();
    config.max_future_drift_ms = start.setup.consensus.max_future_drift_ms;
    config.block_time = start.block_time;
    #[cfg(feature = "byzantine")]
    {
        config.misbehaviour = start.misbehaviour;
    }
    if let (Some(key), true) = (&start.key, start.auto_plot) {
        ensure_plot(&start.client, key, &config.plot_dir)?;
    }
    match &start.key {
        Some(key) => tracing::info!("🔑 validator {}", key.account_id()),
        None => tracing::info!("👀 following the chain (no validator key)"),
    }
    let deps = EngineDeps {
        client: start.client,
        pool: start.pool,
        network: Arc::new(GossipNetwork {
            network: start.network,
        }),
        schedules: start.setup.schedules.clone(),
    };
    let metrics = start.metrics;
    let (engine, handle) =
        BftEngine::new(deps, start.key, config).context("starting the BFT engine")?;
    let engine = engine.with_import_hook(move |o| {
        metrics.observe_import(o.elapsed.as_secs_f64(), o.extrinsic_hashes.len())
    });
    Ok((tokio::spawn(engine.run()), handle))
}
