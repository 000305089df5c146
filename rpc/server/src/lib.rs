//! The node's JSON-RPC server: HTTP and WebSocket on one port, Substrate's method
//! names (see `hm-rpc-api`), bounded in every dimension a client can push on.
//!
//! - Who: unsafe methods (the ones that change the node) go only to clients whose
//!   socket address [`RpcMethods`] allows; browsers only from [`AllowedOrigins`];
//!   requests only with a `Host` in [`AllowedHosts`] (against DNS rebinding).
//! - How much: jsonrpsee's body, connection, subscription and batch limits, plus
//!   connections per client address, an optional call rate per connection (per
//!   address for HTTP), capped list lengths, and a few slots for contract dry runs.
//! - Where: every call and its blocking work runs on the server's own runtime (see
//!   [`runtime`]), so RPC load never queues consensus work.
mod access;
mod author;
mod chain;
mod clients;
pub mod contracts;
mod dex;
mod dry_run;
pub mod errors;
mod events;
mod metadata;
mod middleware;
pub mod runtime;
mod runtime_api;
mod server;
mod state;
mod system;
mod tokens;

pub use access::{AllowedHosts, AllowedOrigins, OriginFilterLayer, RpcMethods};
pub use author::{MAX_PENDING_EXTRINSICS, MAX_PENDING_EXTRINSICS_BYTES, MAX_REMOVE_EXTRINSICS};
pub use clients::{address_key, ClientContext, ClientRegistry, TooManyFromAddress};
pub use hm_rpc_api::{Health, SyncState};
pub use middleware::{
    subscription_names, BudgetScope, CallAccounting, CallPolicy, RateLimiter, SubscriptionNames,
};
pub use server::{start, RpcServer};

use hm_client_api::{ChainApi, MetadataProvider, RuntimeApiProvider, TransactionPoolApi};
use hm_metrics::Metrics;
use hm_primitives::H256;
use hm_rpc_api::{
    events::{DryRunApiServer, EventsApiServer},
    AuthorApiServer, AuthorUnsafeApiServer, CaesarApiServer, ChainApiServer, ContractsApiServer,
    DexApiServer, MetadataApiServer, RpcMethodsApiServer, StateApiServer, SystemApiServer,
    TokensApiServer,
};
use jsonrpsee::RpcModule;
use std::net::SocketAddr;
use std::sync::Arc;

/// Substrate's default `--rpc-port`.
pub const DEFAULT_RPC_PORT: u16 = 9944;
/// Substrate's default request and response cap (15 MiB).
pub const DEFAULT_MAX_BODY_BYTES: u32 = 15 * 1024 * 1024;
/// Connections one client address may hold at once: a third of the default total, so
/// no single host can take every slot.
pub const DEFAULT_MAX_CONNECTIONS_PER_IP: u32 = 32;

/// What the node reports about itself in `system_*`.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeInfo {
    pub name: String,
    pub version: String,
    pub chain_name: String,
    /// `"Development"`, `"Local"` or `"Live"`.
    pub chain_type: String,
    /// The chain spec's `properties` object.
    pub properties: serde_json::Value,
    pub is_dev: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RpcConfig {
    pub addr: SocketAddr,
    pub max_request_body: u32,
    pub max_response_body: u32,
    pub max_connections: u32,
    /// Connections one client address (an IPv6 /64) may hold at once.
    pub max_connections_per_ip: u32,
    pub max_subscriptions_per_connection: u32,
    /// Most calls in one batch; 0 disables batches.
    pub max_batch_len: u32,
    pub methods: RpcMethods,
    /// Calls per minute: per WebSocket connection, and shared by all HTTP requests
    /// from one address (so reconnecting buys nothing). `None`: unlimited.
    pub rate_limit_per_conn: Option<u32>,
    /// Browser origins allowed (`--rpc-cors`).
    pub allowed_origins: AllowedOrigins,
    /// `Host` values allowed; `None`: [`AllowedHosts::default_for`] the bound address.
    pub allowed_hosts: Option<AllowedHosts>,
    /// Contract dry runs executing at once.
    pub dry_run_slots: usize,
    /// Threads for RPC blocking work, on the server's own runtime.
    pub blocking_threads: usize,
    /// Async worker threads of the server's runtime.
    pub workers: usize,
}

impl Default for RpcConfig {
    fn default() -> Self {
        RpcConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], DEFAULT_RPC_PORT)),
            max_request_body: DEFAULT_MAX_BODY_BYTES,
            max_response_body: DEFAULT_MAX_BODY_BYTES,
            max_connections: 100,
            max_connections_per_ip: DEFAULT_MAX_CONNECTIONS_PER_IP,
            max_subscriptions_per_connection: 1024,
            max_batch_len: 64,
            methods: RpcMethods::Auto,
            rate_limit_per_conn: None,
            allowed_origins: AllowedOrigins::none(),
            allowed_hosts: None,
            dry_run_slots: contracts::default_dry_run_slots(runtime::available_cores()),
            blocking_threads: runtime::default_blocking_threads(),
            workers: runtime::default_workers(),
        }
    }
}

/// Pool operations that change the node, served only as unsafe methods.
///
/// Kept apart from [`TransactionPoolApi`] so that a safe-only server never holds them.
pub trait PoolAdmin: Send + Sync {
    /// Remove the transactions with these hashes (`blake3` of the encoding) and ban
    /// them for a while so gossip does not bring them straight back. Returns the
    /// hashes that were in the pool.
    fn remove_extrinsics(&self, hashes: &[H256]) -> Vec<H256>;
}

/// A closure serves as well, so the node can wire a pool without a newtype.
impl<F> PoolAdmin for F
where
    F: Fn(&[H256]) -> Vec<H256> + Send + Sync,
{
    fn remove_extrinsics(&self, hashes: &[H256]) -> Vec<H256> {
        self(hashes)
    }
}

/// Peers and sync progress, read on each `system_health` / `system_syncState` call.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NetworkStatus {
    pub health: Health,
    pub sync: SyncState,
}

/// Where the RPC reads the node's [`NetworkStatus`].
pub type HealthSource = Arc<dyn Fn() -> NetworkStatus + Send + Sync>;

/// Everything the handlers read or call.
#[derive(Clone)]
pub struct RpcDeps {
    pub chain: Arc<dyn ChainApi>,
    pub metadata: Arc<dyn MetadataProvider>,
    /// Runtime API queries (`state_call`, `tokens_*`).
    pub runtime_api: Arc<dyn RuntimeApiProvider>,
    pub pool: Arc<dyn TransactionPoolApi>,
    pub pool_admin: Arc<dyn PoolAdmin>,
    pub info: NodeInfo,
    pub metrics: Option<Metrics>,
    pub health: HealthSource,
}

/// All methods, with `author_removeExtrinsic` either served (`serve_unsafe`; the
/// per-call policy still decides for each client) or answering with an error that
/// explains why it is not. `dry_run_slots` contract dry runs execute at once.
pub fn build_module(deps: RpcDeps, serve_unsafe: bool, dry_run_slots: usize) -> RpcModule<()> {
    let mut module = RpcModule::new(());
    // One set of dry-run slots for contract queries and `system_dryRun` alike.
    let dry_runs = contracts::ContractsRpc::with_slots(
        deps.chain.clone(),
        dry_run_slots,
        contracts::DRY_RUN_QUEUE_WAIT,
    );
    let runtime_queries = runtime_api::RuntimeApiRpc {
        runtime_api: deps.runtime_api.clone(),
        chain: deps.chain.clone(),
    };
    let parts = [
        system::SystemRpc {
            chain: deps.chain.clone(),
            pool: deps.pool.clone(),
            info: deps.info,
            health: deps.health,
        }
        .into_rpc()
        .remove_context(),
        chain::ChainRpc {
            chain: deps.chain.clone(),
        }
        .into_rpc()
        .remove_context(),
        events::EventsRpc {
            chain: deps.chain.clone(),
        }
        .into_rpc()
        .remove_context(),
        state::StateRpc {
            chain: deps.chain.clone(),
            runtime_api: deps.runtime_api.clone(),
        }
        .into_rpc()
        .remove_context(),
        TokensApiServer::into_rpc(runtime_queries.clone()).remove_context(),
        DexApiServer::into_rpc(runtime_queries).remove_context(),
        metadata::MetadataRpc {
            provider: deps.metadata,
        }
        .into_rpc()
        .remove_context(),
        DryRunApiServer::into_rpc(dry_runs.clone()).remove_context(),
        ContractsApiServer::into_rpc(dry_runs).remove_context(),
        state::CaesarRpc { chain: deps.chain }
            .into_rpc()
            .remove_context(),
        author::AuthorRpc { pool: deps.pool }
            .into_rpc()
            .remove_context(),
    ];
    for part in parts {
        // Method names are fixed in hm-rpc-api and distinct; a clash is a bug the tests catch.
        module.merge(part).expect("RPC method names are unique");
    }
    if serve_unsafe {
        let unsafe_part = author::AuthorUnsafeRpc {
            admin: deps.pool_admin,
        }
        .into_rpc()
        .remove_context();
        module
            .merge(unsafe_part)
            .expect("RPC method names are unique");
    } else {
        for name in author::UNSAFE_METHODS {
            module
                .register_method(name, move |_, _, _| {
                    Err::<(), _>(errors::unsafe_method(name))
                })
                .expect("RPC method names are unique");
        }
    }
    let mut names: Vec<String> = module.method_names().map(str::to_owned).collect();
    names.push("rpc_methods".to_owned());
    names.sort();
    module
        .merge(system::MethodsRpc { names }.into_rpc().remove_context())
        .expect("RPC method names are unique");
    module
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closure_is_a_pool_admin() {
        let admin: Arc<dyn PoolAdmin> = Arc::new(|hashes: &[H256]| hashes[..1].to_vec());
        assert_eq!(
            admin.remove_extrinsics(&[H256([1; 32]), H256([2; 32])]),
            vec![H256([1; 32])]
        );
    }

    #[test]
    fn defaults_follow_substrate() {
        let c = RpcConfig::default();
        assert_eq!(c.addr, "127.0.0.1:9944".parse().unwrap());
        assert_eq!(c.max_request_body, 15 * 1024 * 1024);
        assert_eq!(c.max_connections, 100);
        assert_eq!(c.max_subscriptions_per_connection, 1024);
        assert_eq!(c.max_batch_len, 64);
        assert_eq!(c.methods, RpcMethods::Auto);
        assert_eq!(c.max_connections_per_ip, 32);
        assert_eq!(c.allowed_origins, AllowedOrigins::none());
        assert_eq!(c.allowed_hosts, None);
        assert!(c.dry_run_slots >= 1);
    }
}
