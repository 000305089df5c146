//! The running node, built in stages as reth's node builder does: each stage is a type
//! that holds what the earlier ones made and starts one more part.
//!
//! `NodeConfig` (flags, spec, key: nothing opened or bound) → `ChainStage` (database,
//! client, pool, metrics) → `NetworkStage` (p2p and catch-up sync) → `ConsensusStage`
//! (authoring and gossip routing) → `RunningNode` (JSON-RPC), which runs until a signal.
use crate::rpc_wiring::{rpc_config, rpc_deps, RpcParts, RpcPool};
use crate::tx_gossip::TxGossip;
use crate::{
    base_path::BasePath,
    chain::{is_dev_chain, is_test_chain, BftSetup, OpenChain},
    cli::RunArgs,
    network_config::network_config,
    validator_key::validator_key,
};
use anyhow::Context;
use hm_chainspec::ChainSpec;
use hm_client::Client;
use hm_client_api::{ChainApi, TransactionPoolApi};
use hm_consensus_dev::{DevConfig, DevEngine};
use hm_crypto::Keypair;
use hm_metrics::Metrics;
use hm_network::{NetworkEvent, NetworkHandle};
use hm_sync::{ChainProvider, SyncProgress};
use hm_txpool::{PoolConfig, TransactionPool};
use std::{net::SocketAddr, sync::Arc, time::Duration};
use tokio::sync::{mpsc, Notify};
use tokio::task::JoinHandle;

pub async fn run(args: RunArgs) -> anyhow::Result<()> {
    NodeConfig::from_args(args)?
        .open_chain()
        .await?
        .start_network()?
        .start_consensus()?
        .start_rpc()
        .await?
        .run_until_shutdown()
        .await
}

/// Stage 1: what the flags and the chain spec decide. Nothing is opened or bound yet, so a
/// refused key (a dev key off a test chain, a key file others can read) stops the node
/// before it touches anything.
pub(crate) struct NodeConfig {
    args: RunArgs,
    spec: ChainSpec,
    base: BasePath,
    key: Option<Keypair>,
}

impl NodeConfig {
    pub(crate) fn from_args(args: RunArgs) -> anyhow::Result<Self> {
        let spec = crate::load_spec(&args.chain)?;
        let base = BasePath::resolve(&args.chain)?;
        let key = validator_key(&args, &spec, &base)?;
        Ok(NodeConfig {
            args,
            spec,
            base,
            key,
        })
    }

    fn dev_chain(&self) -> bool {
        is_dev_chain(&self.spec)
    }

    /// Stage 2: open the database and client, the pool and the metrics endpoint.
    pub(crate) async fn open_chain(self) -> anyhow::Result<ChainStage> {
        let (args, spec, base) = (&self.args, &self.spec, &self.base);
        tracing::info!("⛓  chain: {} ({})", spec.name, spec.id);
        tracing::info!("💾 database: {}", base.database(&spec.id).display());
        tracing::info!("🗄  state pruning: {}", args.chain.state_pruning);
        let OpenChain { client, bft } = crate::chain::open(spec, base, args.chain.state_pruning)?;
        let info = client.chain_info();
        tracing::info!(
            "🔨 genesis {:?}, best #{} ({})",
            info.genesis_hash,
            info.best_number,
            info.best_hash
        );
        let pool = Arc::new(TransactionPool::new(
            PoolConfig {
                max_count: args.pool_limit,
                max_per_sender: args.pool_per_sender,
                ..PoolConfig::default()
            },
            client.clone(),
        ));
        let metrics = Metrics::new();
        if !args.no_prometheus {
            let addr = SocketAddr::from(([127, 0, 0, 1], args.prometheus_port));
            hm_metrics::serve(addr, metrics.clone())
                .await
                .context("starting the Prometheus endpoint")?;
        }
        spawn_metrics_updater(client.clone(), pool.clone(), metrics.clone());
        Ok(ChainStage {
            config: self,
            client,
            bft,
            pool,
            metrics,
        })
    }
}

/// Stage 2: the chain is open; nothing talks to peers yet.
pub(crate) struct ChainStage {
    config: NodeConfig,
    client: Arc<Client>,
    bft: Option<BftSetup>,
    pool: Arc<TransactionPool>,
    metrics: Metrics,
}

impl ChainStage {
    /// Stage 3: start libp2p (serving blocks and votes from the chain) and catch-up sync.
    pub(crate) fn start_network(self) -> anyhow::Result<NetworkStage> {
        let provider = Arc::new(ChainProvider::new(self.client.clone()));
        #[cfg(feature = "byzantine")]
        {
            use hm_consensus::byzantine::Misbehaviour;
            match self.config.args.byzantine {
                Some(Misbehaviour::WeakJustification) => {
                    provider.set_misbehaviour(hm_sync::ServeMisbehaviour::WeakJustifications)
                }
                Some(Misbehaviour::LyingSync) => {
                    provider.set_misbehaviour(hm_sync::ServeMisbehaviour::LyingSync)
                }
                _ => {}
            }
        }
        let NodeConfig {
            args, spec, base, ..
        } = &self.config;
        let genesis_hash = self.client.chain_info().genesis_hash;
        let config = network_config(args, spec, base, genesis_hash)?;
        let (network, events) =
            hm_network::start(config, provider.clone()).context("starting the p2p network")?;
        let progress = Arc::new(SyncProgress::default());
        let sync_task = tokio::spawn(hm_sync::run(
            self.client.clone(),
            network.clone(),
            progress.clone(),
        ));
        Ok(NetworkStage {
            chain: self,
            provider,
            network,
            events,
            progress,
            sync_task,
        })
    }
}

/// Stage 3: peers and sync are running.
pub(crate) struct NetworkStage {
    chain: ChainStage,
    provider: Arc<ChainProvider>,
    network: NetworkHandle,
    events: mpsc::Receiver<NetworkEvent>,
    progress: Arc<SyncProgress>,
    sync_task: JoinHandle<()>,
}

impl NetworkStage {
    /// Stage 4: the engine the spec names (BFT, or the dev engine for a validator key),
    /// and the handler that routes gossip to the pool and the engine.
    pub(crate) fn start_consensus(self) -> anyhow::Result<ConsensusStage> {
        let ChainStage {
            config,
            client,
            bft,
            pool,
            metrics,
        } = &self.chain;
        let new_transactions = Arc::new(Notify::new());
        let pool_api: Arc<dyn TransactionPoolApi> = Arc::new(RpcPool {
            pool: pool.clone(),
            new_transactions: new_transactions.clone(),
            gossip: TxGossip::start(self.network.clone()),
        });
        let block_time = Duration::from_millis(config.args.block_time_ms.max(1));
        let (authoring, engine_handle) = match (bft, config.key.clone()) {
            (Some(setup), key) => {
                let (task, handle) = crate::consensus::start_bft(crate::consensus::BftStart {
                    client: client.clone(),
                    pool: pool.clone(),
                    network: self.network.clone(),
                    setup,
                    chain_dir: &config.base.chain(&config.spec.id),
                    key,
                    auto_plot: is_test_chain(&config.spec),
                    block_time,
                    metrics: metrics.clone(),
                    #[cfg(feature = "byzantine")]
                    misbehaviour: config.args.byzantine,
                })?;
                let votes = handle.clone();
                self.provider
                    .set_vote_source(Arc::new(move |height, round, step, block| {
                        votes.votes_for(height, round, step, block)
                    }));
                (Some(task), Some(handle))
            }
            (None, Some(key)) => {
                tracing::info!("🔑 validator {}", key.account_id());
                let dev = DevConfig {
                    block_time,
                    instant_seal: config.args.instant_seal,
                    ..DevConfig::default()
                };
                let m = metrics.clone();
                let engine =
                    DevEngine::new(client.clone(), pool.clone(), key, dev, new_transactions)
                        .with_import_hook(move |o| {
                            m.observe_import(o.elapsed.as_secs_f64(), o.extrinsic_hashes.len())
                        });
                (Some(tokio::spawn(engine.run())), None)
            }
            (None, None) => {
                tracing::info!("👀 running as a full node (no validator key)");
                (None, None)
            }
        };
        let NetworkStage {
            chain,
            network,
            events,
            progress,
            sync_task,
            ..
        } = self;
        crate::network::spawn_gossip_handler(
            events,
            network.clone(),
            chain.pool.clone(),
            engine_handle,
        );
        Ok(ConsensusStage {
            chain,
            network,
            progress,
            sync_task,
            authoring,
            pool_api,
        })
    }
}

/// Stage 4: the node takes part in the chain; nobody outside can ask it anything yet.
pub(crate) struct ConsensusStage {
    chain: ChainStage,
    network: NetworkHandle,
    progress: Arc<SyncProgress>,
    sync_task: JoinHandle<()>,
    authoring: Option<JoinHandle<()>>,
    pool_api: Arc<dyn TransactionPoolApi>,
}

impl ConsensusStage {
    /// Stage 5: serve JSON-RPC on its own runtime.
    pub(crate) async fn start_rpc(self) -> anyhow::Result<RunningNode> {
        let chain = &self.chain;
        let dev_chain = chain.config.dev_chain();
        let deps = rpc_deps(RpcParts {
            args: &chain.config.args,
            spec: &chain.config.spec,
            dev_chain,
            client: &chain.client,
            pool: &chain.pool,
            pool_api: self.pool_api.clone(),
            network: &self.network,
            progress: self.progress.clone(),
            metrics: &chain.metrics,
        });
        let rpc_server = hm_rpc::start(rpc_config(&chain.config.args, dev_chain), deps)
            .await
            .context("starting JSON-RPC")?;
        tracing::debug!("JSON-RPC bound to {}", rpc_server.local_addr());
        Ok(RunningNode {
            parts: self,
            rpc_server,
        })
    }
}

/// Stage 5: every part runs.
pub(crate) struct RunningNode {
    parts: ConsensusStage,
    rpc_server: hm_rpc::RpcServer,
}

impl RunningNode {
    /// Run until SIGINT or SIGTERM, then stop sync, authoring and RPC, in that order, and
    /// close the database last.
    pub(crate) async fn run_until_shutdown(self) -> anyhow::Result<()> {
        wait_for_shutdown().await;
        tracing::info!("shutting down");
        let RunningNode { parts, rpc_server } = self;
        parts.sync_task.abort();
        if let Some(task) = parts.authoring {
            task.abort();
            let _ = task.await;
        }
        let _ = rpc_server.stop();
        rpc_server.stopped().await;
        drop(parts.pool_api);
        drop(parts.chain);
        Ok(())
    }
}

fn spawn_metrics_updater(client: Arc<Client>, pool: Arc<TransactionPool>, metrics: Metrics) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(500));
        loop {
            tick.tick().await;
            let info = client.info();
            metrics.set_best(info.best_number);
            metrics.set_finalized(info.finalized_number);
            let s = pool.status();
            metrics.set_txpool(s.ready, s.future);
        }
    });
}

async fn wait_for_shutdown() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = match signal(SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                return;
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
