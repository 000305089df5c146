//! Wiring of a running node: storage, client, pool, RPC, metrics and the consensus engine.
use crate::{
    base_path::BasePath,
    cli::{RpcMethodsArg, RunArgs},
};
use anyhow::Context;
use hm_chainspec::{ChainSpec, ConsensusEngineKind};
use hm_client::Client;
use hm_client_api::{ChainApi, PoolError, PoolStatus, TransactionPoolApi, TxStatus};
use hm_consensus_dev::{DevConfig, DevEngine, DevVerifier};
use hm_crypto::Keypair;
use hm_metrics::Metrics;
use hm_primitives::H256;
use hm_storage::ChainDb;
use hm_txpool::{PoolConfig, TransactionPool};
use std::{net::SocketAddr, sync::Arc, time::Duration};
use tokio::sync::{mpsc, Notify};

/// Pool front that wakes instant-seal authoring on each accepted submission.
struct NotifyingPool {
    pool: Arc<TransactionPool>,
    new_transactions: Arc<Notify>,
}

impl TransactionPoolApi for NotifyingPool {
    fn submit(&self, xt: Vec<u8>) -> Result<H256, PoolError> {
        let r = self.pool.submit(xt);
        if r.is_ok() {
            self.new_transactions.notify_one();
        }
        r
    }
    fn submit_and_watch(
        &self,
        xt: Vec<u8>,
    ) -> Result<(H256, mpsc::UnboundedReceiver<TxStatus>), PoolError> {
        let r = self.pool.submit_and_watch(xt);
        if r.is_ok() {
            self.new_transactions.notify_one();
        }
        r
    }
    fn pending(&self) -> Vec<Vec<u8>> {
        self.pool.pending()
    }
    fn status(&self) -> PoolStatus {
        self.pool.status()
    }
}

/// Which key authors blocks, if any.
fn validator_key(
    args: &RunArgs,
    spec: &ChainSpec,
    base: &BasePath,
) -> anyhow::Result<Option<Keypair>> {
    let dev_flags = [
        (args.alice, "alice"),
        (args.bob, "bob"),
        (args.charlie, "charlie"),
        (args.dave, "dave"),
        (args.eve, "eve"),
        (args.ferdie, "ferdie"),
    ];
    let dev_name = dev_flags.iter().find(|(on, _)| *on).map(|(_, n)| *n);
    let dev_name = dev_name.or(if args.chain.dev { Some("alice") } else { None });
    if let Some(name) = dev_name {
        return Ok(Some(
            hm_crypto::dev_keypair(name).context("built-in dev key is unreadable")?,
        ));
    }
    if !(args.validator || args.key_file.is_some()) {
        return Ok(None);
    }
    let path = args
        .key_file
        .clone()
        .unwrap_or_else(|| base.validator_key(&spec.id));
    let key = hm_crypto::KeyFile::load(&path).with_context(|| {
        format!("--validator needs a key: create one with `hypermesh key generate --validator --chain {}`", spec.id)
    })?;
    Ok(Some(key))
}

pub async fn run(args: RunArgs) -> anyhow::Result<()> {
    let spec = crate::load_spec(&args.chain)?;
    let base = BasePath::resolve(&args.chain)?;
    let db_path = base.database(&spec.id);
    tracing::info!("⛓  chain: {} ({})", spec.name, spec.id);
    tracing::info!("💾 database: {}", db_path.display());
    let db = Arc::new(ChainDb::open(&db_path).context("opening the chain database")?);
    let genesis = spec.genesis_storage()?;
    let verifier = match &spec.consensus {
        ConsensusEngineKind::Dev { authority } => Arc::new(DevVerifier::new(*authority)),
    };
    let client = Arc::new(Client::open(db, &genesis, verifier)?);
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
    let new_transactions = Arc::new(Notify::new());
    let pool_api: Arc<dyn TransactionPoolApi> = Arc::new(NotifyingPool {
        pool: pool.clone(),
        new_transactions: new_transactions.clone(),
    });

    let metrics = Metrics::new();
    if !args.no_prometheus {
        let addr = SocketAddr::from(([127, 0, 0, 1], args.prometheus_port));
        hm_metrics::serve(addr, metrics.clone())
            .await
            .context("starting the Prometheus endpoint")?;
    }
    spawn_metrics_updater(client.clone(), pool.clone(), metrics.clone());

    let rpc_ip = if args.rpc_external {
        [0, 0, 0, 0]
    } else {
        [127, 0, 0, 1]
    };
    let rpc_config = hm_rpc::RpcConfig {
        addr: SocketAddr::from((rpc_ip, args.rpc_port)),
        max_connections: args.rpc_max_connections,
        methods: match args.rpc_methods {
            RpcMethodsArg::Auto => hm_rpc::RpcMethods::Auto,
            RpcMethodsArg::Safe => hm_rpc::RpcMethods::Safe,
            RpcMethodsArg::Unsafe => hm_rpc::RpcMethods::Unsafe,
        },
        ..hm_rpc::RpcConfig::default()
    };
    let node_info = hm_rpc::NodeInfo {
        name: args.name.clone().unwrap_or_else(|| "hypermesh-node".into()),
        version: env!("CARGO_PKG_VERSION").into(),
        chain_name: spec.name.clone(),
        chain_type: spec.chain_type.clone(),
        properties: spec.properties.clone(),
        is_dev: spec.chain_type == "Development",
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
        pool: pool_api,
        pool_admin,
        info: node_info,
        metrics: Some(metrics.clone()),
        // A single-node chain has no peers to sync from; the BFT engine supplies real figures.
        health: Arc::new(|| hm_rpc::NetworkStatus::default()),
    };
    let (rpc_addr, rpc_handle) = hm_rpc::start(rpc_config, deps)
        .await
        .context("starting JSON-RPC")?;
    tracing::debug!("JSON-RPC bound to {rpc_addr}");

    let authoring = match validator_key(&args, &spec, &base)? {
        Some(key) => {
            tracing::info!("🔑 validator {}", key.account_id());
            let config = DevConfig {
                block_time: Duration::from_millis(args.block_time_ms.max(1)),
                instant_seal: args.instant_seal,
                ..DevConfig::default()
            };
            let m = metrics.clone();
            let engine =
                DevEngine::new(client.clone(), pool.clone(), key, config, new_transactions)
                    .with_import_hook(move |o| {
                        m.observe_import(o.elapsed.as_secs_f64(), o.extrinsic_hashes.len())
                    });
            Some(tokio::spawn(engine.run()))
        }
        None => {
            tracing::info!("👀 running as a full node (no validator key)");
            None
        }
    };

    wait_for_shutdown().await;
    tracing::info!("shutting down");
    if let Some(task) = authoring {
        task.abort();
        let _ = task.await;
    }
    let _ = rpc_handle.stop();
    rpc_handle.stopped().await;
    drop(pool);
    drop(client);
    drop(base);
    Ok(())
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
