//! What the node hands its JSON-RPC server: the pool as RPC sees it, the server's
//! configuration from the flags, and its dependencies.
use crate::cli::{RpcMethodsArg, RunArgs};
use crate::tx_gossip::TxGossip;
use hm_chainspec::ChainSpec;
use hm_client::Client;
use hm_client_api::{PoolError, PoolStatus, TransactionPoolApi, TxStatus};
use hm_network::NetworkHandle;
use hm_primitives::{AccountId, Nonce, H256};
use hm_sync::SyncProgress;
use hm_txpool::TransactionPool;
use std::{net::SocketAddr, sync::Arc};
use tokio::sync::{mpsc, Notify};

/// The pool as RPC sees it: an accepted submission wakes instant-seal authoring and is
/// gossiped to peers (so any node's RPC reaches every validator's pool).
pub(crate) struct RpcPool {
    pub pool: Arc<TransactionPool>,
    pub new_transactions: Arc<Notify>,
    pub gossip: TxGossip,
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

/// The server's configuration: listen address, budgets, and who may call what.
pub(crate) fn rpc_config(args: &RunArgs, dev_chain: bool) -> hm_rpc::RpcConfig {
    let rpc_ip = if args.rpc_external {
        [0, 0, 0, 0]
    } else {
        [127, 0, 0, 1]
    };
    hm_rpc::RpcConfig {
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
    }
}

/// What the node's parts give RPC.
pub(crate) struct RpcParts<'a> {
    pub args: &'a RunArgs,
    pub spec: &'a ChainSpec,
    pub dev_chain: bool,
    pub client: &'a Arc<Client>,
    pub pool: &'a Arc<TransactionPool>,
    pub pool_api: Arc<dyn TransactionPoolApi>,
    pub network: &'a NetworkHandle,
    pub progress: Arc<SyncProgress>,
    pub metrics: &'a hm_metrics::Metrics,
}

pub(crate) fn rpc_deps(parts: RpcParts<'_>) -> hm_rpc::RpcDeps {
    let node_info = hm_rpc::NodeInfo {
        name: parts
            .args
            .name
            .clone()
            .unwrap_or_else(|| "hypermesh-node".into()),
        version: env!("CARGO_PKG_VERSION").into(),
        chain_name: parts.spec.name.clone(),
        chain_type: parts.spec.chain_type.clone(),
        properties: parts.spec.properties.clone(),
        is_dev: parts.dev_chain,
    };
    let admin_pool = parts.pool.clone();
    let pool_admin: Arc<dyn hm_rpc::PoolAdmin> = Arc::new(move |hashes: &[H256]| {
        let present: Vec<H256> = hashes
            .iter()
            .filter(|h| admin_pool.contains(h))
            .copied()
            .collect();
        admin_pool.remove_invalid(hashes);
        present
    });
    hm_rpc::RpcDeps {
        chain: parts.client.clone(),
        metadata: parts.client.clone(),
        runtime_api: parts.client.clone(),
        pool: parts.pool_api,
        pool_admin,
        info: node_info,
        metrics: Some(parts.metrics.clone()),
        health: health_source(
            parts.client.clone(),
            parts.network.clone(),
            parts.progress,
            !parts.dev_chain,
        ),
    }
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
