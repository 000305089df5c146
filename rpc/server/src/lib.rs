//! The node's JSON-RPC server: HTTP and WebSocket on one port, Substrate's method
//! names (see `hm-rpc-api`), bounded in every dimension jsonrpsee lets us bound.
//!
//! Limits are jsonrpsee's request/response body size, connection count,
//! subscriptions per connection and batch length (jsonrpsee's default batch is
//! unlimited), plus an optional per-connection call rate. Unsafe methods, the ones
//! that change the node, are served only where [`RpcMethods`] allows; elsewhere
//! they answer with an error that says how to enable them.
mod author;
mod chain;
pub mod contracts;
pub mod errors;
mod events;
mod middleware;
mod state;
mod system;

pub use hm_rpc_api::{Health, SyncState};
pub use middleware::{subscription_names, CallAccounting, RateLimiter, SubscriptionNames};

use hm_client_api::{ChainApi, TransactionPoolApi};
use hm_metrics::Metrics;
use hm_primitives::H256;
use hm_rpc_api::{
    events::EventsApiServer, AuthorApiServer, AuthorUnsafeApiServer, CaesarApiServer,
    ChainApiServer, ContractsApiServer, RpcMethodsApiServer, StateApiServer, SystemApiServer,
};
use jsonrpsee::server::middleware::rpc::RpcServiceBuilder;
use jsonrpsee::server::{BatchRequestConfig, ServerBuilder, ServerConfig, ServerHandle};
use jsonrpsee::RpcModule;
use std::net::SocketAddr;
use std::sync::Arc;

/// Substrate's default `--rpc-port`.
pub const DEFAULT_RPC_PORT: u16 = 9944;
/// Substrate's default request and response cap (15 MiB).
pub const DEFAULT_MAX_BODY_BYTES: u32 = 15 * 1024 * 1024;

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

/// Substrate's `--rpc-methods`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum RpcMethods {
    /// Only methods that read or submit; never methods that change the node.
    Safe,
    /// Every method, on every interface the server listens on.
    Unsafe,
    /// Unsafe methods only when listening on a loopback address.
    #[default]
    Auto,
}

impl RpcMethods {
    pub fn allows_unsafe(self, listen: &SocketAddr) -> bool {
        match self {
            RpcMethods::Safe => false,
            RpcMethods::Unsafe => true,
            RpcMethods::Auto => listen.ip().is_loopback(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RpcConfig {
    pub addr: SocketAddr,
    pub max_request_body: u32,
    pub max_response_body: u32,
    pub max_connections: u32,
    pub max_subscriptions_per_connection: u32,
    /// Most calls in one batch; 0 disables batches.
    pub max_batch_len: u32,
    pub methods: RpcMethods,
    /// Calls per minute per WebSocket connection. Each HTTP request is its own
    /// connection to jsonrpsee, so over HTTP this bounds only one batch.
    pub rate_limit_per_conn: Option<u32>,
}

impl Default for RpcConfig {
    fn default() -> Self {
        RpcConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], DEFAULT_RPC_PORT)),
            max_request_body: DEFAULT_MAX_BODY_BYTES,
            max_response_body: DEFAULT_MAX_BODY_BYTES,
            max_connections: 100,
            max_subscriptions_per_connection: 1024,
            max_batch_len: 64,
            methods: RpcMethods::Auto,
            rate_limit_per_conn: None,
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
    pub pool: Arc<dyn TransactionPoolApi>,
    pub pool_admin: Arc<dyn PoolAdmin>,
    pub info: NodeInfo,
    pub metrics: Option<Metrics>,
    pub health: HealthSource,
}

/// All methods, with `author_removeExtrinsic` either served (`allow_unsafe`) or
/// answering with an error that explains why it is not.
pub fn build_module(deps: RpcDeps, allow_unsafe: bool) -> RpcModule<()> {
    let mut module = RpcModule::new(());
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
        }
        .into_rpc()
        .remove_context(),
        contracts::ContractsRpc::new(deps.chain.clone())
            .into_rpc()
            .remove_context(),
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
    if allow_unsafe {
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

/// Serve `deps` on `config.addr` (HTTP and WebSocket). Returns the bound address
/// (useful with port 0) and the handle that stops the server.
pub async fn start(config: RpcConfig, deps: RpcDeps) -> anyhow::Result<(SocketAddr, ServerHandle)> {
    let allow_unsafe = config.methods.allows_unsafe(&config.addr);
    if allow_unsafe && !config.addr.ip().is_loopback() {
        tracing::warn!(
            target: "rpc",
            "serving unsafe RPC methods on {}: anyone who can reach it can change this node's pool",
            config.addr
        );
    }
    let metrics = deps.metrics.clone();
    let module = build_module(deps, allow_unsafe);
    if let Some(m) = &metrics {
        m.register_rpc_methods(module.method_names());
    }

    let batch = match config.max_batch_len {
        0 => BatchRequestConfig::Disabled,
        n => BatchRequestConfig::Limit(n),
    };
    let server_config = ServerConfig::builder()
        .max_request_body_size(config.max_request_body)
        .max_response_body_size(config.max_response_body)
        .max_connections(config.max_connections)
        .max_subscriptions_per_connection(config.max_subscriptions_per_connection)
        .set_batch_request_config(batch)
        .build();
    let subscriptions = subscription_names(&module);
    let rate = config.rate_limit_per_conn;
    let max_response = config.max_response_body as usize;
    // jsonrpsee builds this service once per WebSocket connection and once per HTTP request.
    let rpc_middleware = RpcServiceBuilder::new().layer_fn(move |service| {
        CallAccounting::new(
            service,
            metrics.clone(),
            rate.map(RateLimiter::per_minute),
            max_response,
            subscriptions.clone(),
        )
    });
    let server = ServerBuilder::default()
        .set_config(server_config)
        .set_rpc_middleware(rpc_middleware)
        .build(config.addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot bind the RPC server to {}: {e}", config.addr))?;
    let addr = server.local_addr()?;
    tracing::info!(target: "rpc", "JSON-RPC (HTTP and WebSocket) on {addr}, unsafe methods {}", if allow_unsafe { "on" } else { "off" });
    Ok((addr, server.start(module)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_allows_unsafe_only_on_loopback() {
        let local: SocketAddr = "127.0.0.1:9944".parse().unwrap();
        let local6: SocketAddr = "[::1]:9944".parse().unwrap();
        let public: SocketAddr = "0.0.0.0:9944".parse().unwrap();
        assert!(RpcMethods::Auto.allows_unsafe(&local));
        assert!(RpcMethods::Auto.allows_unsafe(&local6));
        assert!(!RpcMethods::Auto.allows_unsafe(&public));
        assert!(!RpcMethods::Safe.allows_unsafe(&local));
        assert!(RpcMethods::Unsafe.allows_unsafe(&public));
    }

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
    }
}
