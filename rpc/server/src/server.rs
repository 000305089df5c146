//! Binding, accepting and serving: our own accept loop around jsonrpsee's tower
//! service, so that each connection is admitted by its peer address and each request
//! carries that address (see [`ClientContext`]) down to the per-call policy.
use crate::access::{AllowedHosts, OriginFilterLayer};
use crate::clients::{ClientContext, ClientRegistry, TooManyFromAddress};
use crate::middleware::{subscription_names, BudgetScope, CallAccounting, CallPolicy, RateLimiter};
use crate::runtime::RpcRuntime;
use crate::{author, build_module, RpcConfig, RpcDeps};
use jsonrpsee::core::BoxError;
use jsonrpsee::server::middleware::rpc::RpcServiceBuilder;
use jsonrpsee::server::{
    serve, serve_with_graceful_shutdown, stop_channel, AlreadyStoppedError, BatchRequestConfig,
    HttpBody, HttpResponse, ServerBuilder, ServerConfig, ServerHandle,
};
use jsonrpsee::Methods;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tower::Service;

/// Refused connections answered at once; beyond this they are just closed.
const MAX_REFUSALS_IN_FLIGHT: usize = 64;
/// How long a refused connection may take to send the request we answer.
const REFUSAL_TIMEOUT: Duration = Duration::from_secs(5);

/// A running server. Dropping it without [`RpcServer::stop`] stops it too.
pub struct RpcServer {
    addr: SocketAddr,
    handle: ServerHandle,
    clients: Arc<ClientRegistry>,
    runtime: RpcRuntime,
}

impl RpcServer {
    /// The bound address (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stop accepting and close connections once their calls finish.
    pub fn stop(&self) -> Result<(), AlreadyStoppedError> {
        self.handle.stop()
    }

    /// Wait until every connection has closed after [`RpcServer::stop`].
    pub async fn stopped(self) {
        let RpcServer {
            handle, runtime, ..
        } = self;
        handle.stopped().await;
        drop(runtime);
    }

    /// Connections open from `ip`'s address (its /64 for IPv6).
    pub fn connections_from(&self, ip: std::net::IpAddr) -> usize {
        self.clients.connections_from(ip)
    }

    /// The runtime that runs every RPC call and its blocking work.
    pub fn runtime(&self) -> &tokio::runtime::Handle {
        self.runtime.handle()
    }
}

/// Serve `deps` on `config.addr` (HTTP and WebSocket) on a runtime of its own.
pub async fn start(config: RpcConfig, deps: RpcDeps) -> anyhow::Result<RpcServer> {
    let bind_error =
        |e: std::io::Error| anyhow::anyhow!("cannot bind the RPC server to {}: {e}", config.addr);
    let std_listener = std::net::TcpListener::bind(config.addr).map_err(bind_error)?;
    std_listener.set_nonblocking(true).map_err(bind_error)?;
    let addr = std_listener.local_addr()?;
    let runtime = RpcRuntime::new(config.workers, config.blocking_threads)?;
    let listener = {
        // Sockets belong to the reactor of the runtime that polls them.
        let _entered = runtime.handle().enter();
        TcpListener::from_std(std_listener).map_err(bind_error)?
    };

    let serves_unsafe = config.methods != crate::RpcMethods::Safe;
    if config.methods == crate::RpcMethods::Unsafe && !addr.ip().is_loopback() {
        tracing::warn!(
            target: "rpc",
            "serving unsafe RPC methods to every client on {addr}: anyone who can reach it can change this node's pool"
        );
    }
    let metrics = deps.metrics.clone();
    let module = build_module(deps, serves_unsafe, config.dry_run_slots);
    if let Some(m) = &metrics {
        m.register_rpc_methods(module.method_names());
    }
    let methods: Methods = module.into();

    let hosts = config
        .allowed_hosts
        .clone()
        .unwrap_or_else(|| AllowedHosts::default_for(addr));
    let host_filter = hosts.layer().map_err(|e| anyhow::anyhow!(e))?;
    let http_middleware = tower::ServiceBuilder::new()
        .layer(host_filter)
        .layer(OriginFilterLayer::new(config.allowed_origins.clone()));

    let policy = CallPolicy {
        methods: config.methods,
        unsafe_methods: &author::UNSAFE_METHODS,
    };
    let subscriptions = subscription_names(&methods);
    let max_response = config.max_response_body as usize;
    // Built once per connection (and once per HTTP request).
    let rpc_middleware = RpcServiceBuilder::new().layer_fn(move |service| {
        CallAccounting::new(
            service,
            metrics.clone(),
            policy.clone(),
            max_response,
            subscriptions.clone(),
        )
    });
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
    let service_builder = ServerBuilder::default()
        .set_config(server_config)
        .set_rpc_middleware(rpc_middleware)
        .set_http_middleware(http_middleware)
        .to_service_builder();

    let clients = ClientRegistry::new(
        config.max_connections_per_ip as usize,
        config.rate_limit_per_conn,
    );
    let (stop, handle) = stop_channel();
    let refusals = Arc::new(Semaphore::new(MAX_REFUSALS_IN_FLIGHT));
    let rate = config.rate_limit_per_conn;
    let registry = clients.clone();
    runtime.spawn(async move {
        loop {
            let (socket, peer) = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        tracing::debug!(target: "rpc", "accepting an RPC connection failed: {e}");
                        continue;
                    }
                },
                _ = stop.clone().shutdown() => break,
            };
            if let Err(e) = socket.set_nodelay(true) {
                tracing::debug!(target: "rpc", "TCP_NODELAY on an RPC connection from {peer}: {e}");
            }
            let slot = match registry.admit(peer.ip(), Instant::now()) {
                Ok(slot) => slot,
                Err(too_many) => {
                    tracing::debug!(target: "rpc", "{too_many}");
                    if let Ok(permit) = refusals.clone().try_acquire_owned() {
                        tokio::spawn(async move {
                            refuse(socket, too_many).await;
                            drop(permit);
                        });
                    }
                    continue;
                }
            };
            let connection = service_builder.clone().build(methods.clone(), stop.clone());
            let http_limiter = slot.http_limiter();
            // The slot stays taken while hyper serves the socket and, after an upgrade,
            // while jsonrpsee's WebSocket task holds this request's extensions.
            let slot = Arc::new(slot);
            let ws_limiter =
                rate.map(|r| Arc::new(RateLimiter::per_minute(r, BudgetScope::Connection)));
            let service =
                tower::service_fn(move |mut request: http::Request<hyper::body::Incoming>| {
                    let limiter = if jsonrpsee::server::ws::is_upgrade_request(&request) {
                        ws_limiter.clone()
                    } else {
                        http_limiter.clone()
                    };
                    request.extensions_mut().insert(ClientContext {
                        addr: peer,
                        limiter,
                    });
                    request.extensions_mut().insert(slot.clone());
                    // jsonrpsee's boxed future, returned as is: wrapping it in another
                    // async block defeats the compiler's proof that the task is `Send`.
                    connection.clone().call(request)
                });
            let stopped = stop.clone().shutdown();
            // Named as a boxed `Send` future here: inside the spawned block the compiler
            // cannot prove `Send` through jsonrpsee's error types (rust-lang/rust#102211).
            let serving: Pin<Box<dyn Future<Output = Result<(), BoxError>> + Send>> =
                Box::pin(serve_with_graceful_shutdown(socket, service, stopped));
            tokio::spawn(async move {
                if let Err(e) = serving.await {
                    tracing::debug!(target: "rpc", "RPC connection from {peer} ended: {e}");
                }
            });
        }
    });
    tracing::info!(
        target: "rpc",
        "JSON-RPC (HTTP and WebSocket) on {addr}, unsafe methods {}",
        match config.methods {
            crate::RpcMethods::Safe => "off",
            crate::RpcMethods::Unsafe => "on for every client",
            crate::RpcMethods::Auto => "on for clients on this machine",
        }
    );
    Ok(RpcServer {
        addr,
        handle,
        clients,
        runtime,
    })
}

/// Answer one request on `socket` with 429 and the reason, then close.
async fn refuse(socket: TcpStream, too_many: TooManyFromAddress) {
    let reason = format!("{too_many}\n");
    let answer = tower::service_fn(move |_: http::Request<hyper::body::Incoming>| {
        let reason = reason.clone();
        async move {
            let response: HttpResponse = http::Response::builder()
                .status(http::StatusCode::TOO_MANY_REQUESTS)
                .header(http::header::CONTENT_TYPE, "text/plain; charset=utf-8")
                .header(http::header::CONNECTION, "close")
                .body(HttpBody::from(reason))
                .unwrap_or_else(|_| http::Response::new(HttpBody::empty()));
            Ok::<_, Infallible>(response)
        }
    });
    let _ = tokio::time::timeout(REFUSAL_TIMEOUT, serve(socket, answer)).await;
}
