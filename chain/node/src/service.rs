//! Wiring of a running node: storage, client, pool, RPC, metrics and the consensus engine.
use crate::tx_gossip::TxGossip;
use crate::{
    base_path::BasePath,
    chain::{is_dev_chain, is_test_chain, OpenChain},
    cli::{RpcMethodsArg, RunArgs},
    network_config::network_config,
    validator_key::validator_key,
};
use anyhow::Context;
use hm_chainspec::ChainSpec;
use hm_client::Client;
use hm_client_api::{ChainApi, PoolError, PoolStatus, TransactionPoolApi, TxStatus};
use hm_consensus_dev::{DevConfig, DevEngine};
use hm_metrics::Metrics;
use hm_network::NetworkHandle;
use hm_primitives::{AccountId, Nonce, H256};
use hm_sync::{ChainProvider, SyncProgress};
use hm_txpool::{PoolConfig, TransactionPool};
use std::{net::SocketAddr, sync::Arc, time::Duration};
use tokio::sync::{mpsc, Notify};

/// The pool as RPC sees it: an accepted submission wakes instant-seal authoring and is
/// gossiped to peers (so any node's RPC reaches every validator's pool).
struct RpcPool {
    pool: Arc<TransactionPool>,
    new_transactions: Arc<Notify>,
    gossip: TxGossip,
}

impl RpcPool {
    fn accepted(&self, xt: Vec<u8>) {
        self.new_transactions.notify_one();
        self.gossip.send(xt);
    }
}

impl TransactionPoolApi for RpcPool {
    fn submit(&self, xt: Vec<u8>) -> Result<H256, PoolError> {
        let r = self.pool.submit(xt.clone());
        if r.is_ok() {
            self.accepted(xt);
        }
        r
    }
    fn submit_and_watch(
        &self,
        xt: Vec<u8>,
    ) -> Result<(H256, mpsc::UnboundedReceiver<TxStatus>), PoolError> {
        let r = self.pool.submit_and_watch(xt.clone());
        if r.is_ok() {
            self.accepted(xt);
        }
        r
    }
    fn pending(&self) -> Vec<Vec<u8>> {
        self.pool.pending()
    }
    fn pending_limited(&self, max_count: usize, max_bytes: usize) -> Vec<Vec<u8>> {
        self.pool.pending_limited(max_count, max_bytes)
    }
    fn next_nonce(&self, who: &AccountId, on_chain: Nonce) -> Nonce {
        self.pool.next_nonce(who, on_chain)
    }
    fn status(&self) -> PoolStatus {
        self.pool.status()
    }
}

/// Start libp2p with the configuration `network_config` derives from the flags.
fn start_network(
    args: &RunArgs,
    spec: &ChainSpec,
    base: &BasePath,
    client: &Arc<Client>,
    provider: Arc<ChainProvider>,
) -> anyhow::Result<(NetworkHandle, mpsc::Receiver<hm_network::NetworkEvent>)> {
    let config = network_config(args, spec, base, client.chain_info().genesis_hash)?;
    hm_network::start(config, provider).context("starting the p2p network")
}

pub async fn run(args: RunArgs) -> anyhow::Result<()> {
    let spec = crate::load_spec(&args.chain)?;
    let base = BasePath::resolve(&args.chain)?;
    // Before anything is opened or bound: a refused key (a dev key off a test chain, a
    // key file others can read) stops the node at once.
    let key = validator_key(&args, &spec, &base)?;
    tracing::info!("⛓  chain: {} ({})", spec.name, spec.id);
    tracing::info!("💾 database: {}", base.database(&spec.id).display());
    tracing::info!("🗄  state pruning: {}", args.chain.state_pruning);
    let OpenChain { client, bft } = crate::chain::open(&spec, &base, args.chain.state_pruning)?;
    let dev_chain = is_dev_chain(&spec);
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

    let provider = Arc::new(ChainProvider::new(client.clone()));
    #[cfg(feature = "byzantine")]
    {
        use hm_consensus::byzantine::Misbehaviour;
        match args.byzantine {
            Some(Misbehaviour::WeakJustification) => {
                provider.set_misbehaviour(hm_sync::ServeMisbehaviour::WeakJustifications)
            }
            Some(Misbehaviour::LyingSync) => {
                provider.set_misbehaviour(hm_sync::ServeMisbehaviour::LyingSync)
            }
            _ => {}
        }
    }
    let (network, events) = start_network(&args, &spec, &base, &client, provider.clone())?;
    let progress = Arc::new(SyncProgress::default());
    let sync_task = tokio::spawn(hm_sync::run(
        client.clone(),
        network.clone(),
        progress.clone(),
    ));

    let new_transactions = Arc::new(Notify::new());
    let pool_api: Arc<dyn TransactionPoolApi> = Arc::new(RpcPool {
        pool: pool.clone(),
        new_transactions: new_transactions.clone(),
        gossip: TxGossip::start(network.clone()),
    });
    let block_time = Duration::from_millis(args.block_time_ms.max(1));
    let (authoring, engine_handle) = match (&bft, key) {
        (Some(setup), key) => {
            let (task, handle) = crate::consensus::start_bft(crate::consensus::BftStart {
                client: client.clone(),
                pool: pool.clone(),
                network: network.clone(),
                setup,
                chain_dir: &base.chain(&spec.id),
                key,
                auto_plot: is_test_chain(&spec),
                block_time,
                metrics: metrics.clone(),
                #[cfg(feature = "byzantine")]
                misbehaviour: args.byzantine,
            })?;
            let votes = handle.clone();
            provider.set_vote_source(Arc::new(move |height, round, step, block| {
                votes.votes_for(height, round, step, block)
            }));
            (Some(task), Some(handle))
        }
        (None, Some(key)) => {
            tracing::info!("🔑 validator {}", key.account_id());
            let config = DevConfig {
                block_time,
                instant_seal: args.instant_seal,
                ..DevConfig::default()
            };
            let m = metrics.clone();
            let engine =
                DevEngine::new(client.clone(), pool.clone(), key, config, new_transactions)
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
    crate::network::spawn_gossip_handler(events, network.clone(), pool.clone(), engine_handle);

    let rpc_ip = if args.rpc_external {
        [0, 0, 0, 0]
    } else {
        [127, 0, 0, 1]
    };
    let rpc_config = hm_rpc::RpcConfig {
        addr: SocketAddr::from((rpc_ip, args.rpc_port)),
        max_connections: args.rpc_max_connections,
        max_connections_per_ip: args.rpc_max_connections_per_ip,
        rate_limit_per_conn: args.rpc_rate_limit,
        methods: match args.rpc_methods {
            RpcMethodsArg::Auto => hm_rpc::RpcMethods::Auto,
            RpcMethodsArg::Safe => hm_rpc::RpcMethods::Safe,
            RpcMethodsArg::Unsafe => hm_rpc::RpcMethods::Unsafe,
        },
        allowed_origins: args.rpc_cors.clone().unwrap_or_else(|| {
            if dev_chain {
                hm_rpc::AllowedOrigins::localhost()
            } else {
                hm_rpc::AllowedOrigins::none()
            }
        }),
        allowed_hosts: args.rpc_allowed_hosts.clone(),
        ..hm_rpc::RpcConfig::default()
    };
    let node_info = hm_rpc::NodeInfo {
        name: args.name.clone().unwrap_or_else(|| "hypermesh-node".into()),
        version: env!("CARGO_PKG_VERSION").into(),
        chain_name: spec.name.clone(),
        chain_type: spec.chain_type.clone(),
        properties: spec.properties.clone(),
        is_dev: dev_chain,
    };
    let admin_pool = pool.clone();
    let pool_admin: Arc<dyn hm_rpc::PoolAdmin> = Arc::new(move |hashes: &[H256]| {
        let present: Vec<H256> = hashes
            .iter()
            .filter(|h| admin_pool.contains(h))
            .copied()
            .collect();
        admin_pool.remove_invalid(hashes);
        present
    });
    let deps = hm_rpc::RpcDeps {
        chain: client.clone(),
        metadata: client.clone(),
        pool: pool_api,
        pool_admin,
        info: node_info,
        metrics: Some(metrics.clone()),
        health: health_source(client.clone(), network.clone(), progress, !dev_chain),
    };
    let rpc_server = hm_rpc::start(rpc_config, deps)
        .await
        .context("starting JSON-RPC")?;
    tracing::debug!("JSON-RPC bound to {}", rpc_server.local_addr());

    wait_for_shutdown().await;
    tracing::info!("shutting down");
    sync_task.abort();
    if let Some(task) = authoring {
        task.abort();
        let _ = task.await;
    }
    let _ = rpc_server.stop();
    rpc_server.stopped().await;
    drop(pool);
    drop(client);
    drop(base);
    Ok(())
}

/// `system_health` and `system_syncState` from the network and sync progress.
fn health_source(
    client: Arc<Client>,
    network: NetworkHandle,
    progress: Arc<SyncProgress>,
    should_have_peers: bool,
) -> hm_rpc::HealthSource {
    Arc::new(move || {
        let best = client.chain_info().best_number;
        hm_rpc::NetworkStatus {
            health: hm_rpc_api::Health {
                peers: network.peer_count(),
                is_syncing: progress.is_syncing(),
                should_have_peers,
            },
            sync: hm_rpc_api::SyncState {
                starting_block: progress.starting_block(),
                current_block: best,
                highest_block: progress.highest_block(best),
            },
        }
    })
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
