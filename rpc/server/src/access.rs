//! Who may use the server: unsafe methods by the client's address, browsers by their
//! `Origin`, and every request by its `Host` (against DNS rebinding).
use jsonrpsee::core::BoxError;
use jsonrpsee::server::{HttpBody, HttpRequest, HttpResponse};
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tower::{Layer, Service};

/// Substrate's `--rpc-methods`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum RpcMethods {
    /// Only methods that read or submit; never methods that change the node.
    Safe,
    /// Every method, to every client that can connect.
    Unsafe,
    /// Unsafe methods only for clients on this machine (a loopback peer address).
    #[default]
    Auto,
}

impl RpcMethods {
    /// Whether a client whose socket comes from `client` may call unsafe methods.
    /// Judged by the client's address, never by the one the server listens on: a
    /// server on 0.0.0.0 still serves them to local tools only.
    pub fn allows_unsafe_for(self, client: IpAddr) -> bool {
        match self {
            RpcMethods::Safe => false,
            RpcMethods::Unsafe => true,
            // A dual-stack listener sees IPv4 clients as `::ffff:a.b.c.d`.
            RpcMethods::Auto => client.to_canonical().is_loopback(),
        }
    }
}

/// Browser origins allowed to use the server (`--rpc-cors`). Requests without an
/// `Origin` header (every non-browser client) are not affected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AllowedOrigins {
    /// Any web page may call (`--rpc-cors all`).
    Any,
    /// Only these origins, each `scheme://host[:port]`, where the port may be `*`.
    List(Vec<String>),
}

impl AllowedOrigins {
    /// Pages served from this machine, on any port (the default on a dev chain).
    pub fn localhost() -> Self {
        let hosts = ["localhost", "127.0.0.1", "[::1]"];
        let origins = ["http", "https"]
            .iter()
            .flat_map(|scheme| hosts.iter().map(move |host| format!("{scheme}://{host}:*")))
            .collect();
        AllowedOrigins::List(origins)
    }

    /// No web page at all (the default outside dev chains).
    pub fn none() -> Self {
        AllowedOrigins::List(Vec::new())
    }

    /// `all`, or a comma-separated list of origins.
    pub fn parse(value: &str) -> Result<Self, String> {
        if value.trim().eq_ignore_ascii_case("all") {
            return Ok(AllowedOrigins::Any);
        }
        let origins = value
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|origin| {
                let lower = origin.to_ascii_lowercase();
                split_origin(&lower).map(|_| lower.clone()).ok_or_else(|| {
                    format!(
                        "`{origin}` is not an origin: write scheme://host or scheme://host:port \
                             (the port may be `*`), or `all`"
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(AllowedOrigins::List(origins))
    }

    pub fn allows(&self, origin: &str) -> bool {
        let patterns = match self {
            AllowedOrigins::Any => return true,
            AllowedOrigins::List(patterns) => patterns,
        };
        let origin = origin.to_ascii_lowercase();
        let Some((base, port)) = split_origin(&origin) else {
            return false;
        };
        patterns.iter().any(|pattern| match split_origin(pattern) {
            Some((pattern_base, Some("*"))) => pattern_base == base,
            Some((pattern_base, pattern_port)) => pattern_base == base && pattern_port == port,
            None => false,
        })
    }
}

/// `scheme://host[:port]` as (`scheme://host`, port). `None` for anything else,
/// including `null` and origins with a path.
fn split_origin(origin: &str) -> Option<(&str, Option<&str>)> {
    let (scheme, rest) = origin.split_once("://")?;
    let scheme_ok = !scheme.is_empty()
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    if !scheme_ok || rest.is_empty() || rest.contains(['/', '?', '#', '@', ' ']) {
        return None;
    }
    // An IPv6 host is bracketed; its colons are not a port separator.
    let host_end = if rest.starts_with('[') {
        rest.find(']')? + 1
    } else {
        rest.find(':').unwrap_or(rest.len())
    };
    let base_len = scheme.len() + "://".len() + host_end;
    match &rest[host_end..] {
        "" => Some((&origin[..base_len], None)),
        port => {
            let port = port.strip_prefix(':')?;
            let valid = port == "*" || port.parse::<u16>().is_ok();
            valid.then_some((&origin[..base_len], Some(port)))
        }
    }
}

/// `Host` values the server answers to (`--rpc-allowed-hosts`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AllowedHosts {
    Any,
    /// `host[:port]` entries in jsonrpsee's syntax: `*` matches a label or any port.
    List(Vec<String>),
}

impl AllowedHosts {
    /// The names of this machine with the server's port: all a browser uses to reach
    /// a loopback listener unless a page rebinds its own domain to 127.0.0.1.
    pub fn loopback(port: u16) -> Self {
        AllowedHosts::List(
            ["localhost", "127.0.0.1", "[::1]"]
                .iter()
                .map(|host| format!("{host}:{port}"))
                .collect(),
        )
    }

    /// What a server on `listen` accepts when not configured: the loopback names for
    /// a loopback listener, anything for one other machines can reach.
    pub fn default_for(listen: SocketAddr) -> Self {
        if listen.ip().to_canonical().is_loopback() {
            AllowedHosts::loopback(listen.port())
        } else {
            AllowedHosts::Any
        }
    }

    /// `all`, or a comma-separated list of `host[:port]`.
    pub fn parse(value: &str) -> Result<Self, String> {
        if value.trim().eq_ignore_ascii_case("all") {
            return Ok(AllowedHosts::Any);
        }
        let hosts: Vec<String> = value
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        // jsonrpsee's parser is the one that will match them; let it judge them now.
        jsonrpsee::server::middleware::http::HostFilterLayer::new(hosts.iter().map(String::as_str))
            .map_err(|e| format!("bad host in `{value}`: {e}"))?;
        Ok(AllowedHosts::List(hosts))
    }

    pub(crate) fn layer(
        &self,
    ) -> Result<jsonrpsee::server::middleware::http::HostFilterLayer, String> {
        use jsonrpsee::server::middleware::http::HostFilterLayer;
        match self {
            AllowedHosts::Any => Ok(HostFilterLayer::disable()),
            AllowedHosts::List(hosts) => HostFilterLayer::new(hosts.iter().map(String::as_str))
                .map_err(|e| format!("bad allowed host: {e}")),
        }
    }
}

/// Refuses, with 403 and the reason, any HTTP request or WebSocket handshake whose
/// `Origin` is not allowed. Browsers send `Origin` on every cross-site request and
/// on every WebSocket handshake, which CORS does not cover.
#[derive(Clone, Debug)]
pub struct OriginFilterLayer(Arc<AllowedOrigins>);

impl OriginFilterLayer {
    pub fn new(allowed: AllowedOrigins) -> Self {
        OriginFilterLayer(Arc::new(allowed))
    }
}

impl<S> Layer<S> for OriginFilterLayer {
    type Service = OriginFilter<S>;

    fn layer(&self, inner: S) -> Self::Service {
        OriginFilter {
            inner,
            allowed: self.0.clone(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct OriginFilter<S> {
    inner: S,
    allowed: Arc<AllowedOrigins>,
}

impl<S> OriginFilter<S> {
    fn refusal<B>(&self, request: &HttpRequest<B>) -> Option<HttpResponse> {
        let origin = request.headers().get(http::header::ORIGIN)?;
        let reason = match origin.to_str() {
            Ok(origin) if self.allowed.allows(origin) => return None,
            Ok(origin) => format!(
                "Origin {origin} may not use this node's RPC; start the node with \
                 --rpc-cors {origin} (or --rpc-cors all) to allow it\n"
            ),
            Err(_) => "the Origin header is not valid text\n".to_owned(),
        };
        http::Response::builder()
            .status(http::StatusCode::FORBIDDEN)
            .header(http::header::CONTENT_TYPE, "text/plain; charset=utf-8")
            .body(HttpBody::from(reason))
            .ok()
    }
}

impl<S, B> Service<HttpRequest<B>> for OriginFilter<S>
where
    S: Service<HttpRequest<B>, Response = HttpResponse>,
    S::Error: Into<BoxError> + 'static,
    S::Future: Send + 'static,
{
    type Response = HttpResponse;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, request: HttpRequest<B>) -> Self::Future {
        if let Some(refusal) = self.refusal(&request) {
            return Box::pin(async move { Ok(refusal) });
        }
        let response = self.inner.call(request);
        Box::pin(async move { response.await.map_err(Into::into) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_allows_unsafe_only_to_loopback_clients() {
        let loopback: IpAddr = "127.0.0.1".parse().unwrap();
        let loopback6: IpAddr = "::1".parse().unwrap();
        let mapped: IpAddr = "::ffff:127.0.0.1".parse().unwrap();
        let remote: IpAddr = "203.0.113.7".parse().unwrap();
        let remote_mapped: IpAddr = "::ffff:203.0.113.7".parse().unwrap();
        for local in [loopback, loopback6, mapped] {
            assert!(RpcMethods::Auto.allows_unsafe_for(local), "{local}");
            assert!(!RpcMethods::Safe.allows_unsafe_for(local), "{local}");
        }
        for far in [remote, remote_mapped] {
            assert!(!RpcMethods::Auto.allows_unsafe_for(far), "{far}");
            assert!(RpcMethods::Unsafe.allows_unsafe_for(far), "{far}");
        }
    }

    #[test]
    fn origins_match_scheme_host_and_port() {
        let local = AllowedOrigins::localhost();
        for ok in [
            "http://localhost:3000",
            "http://localhost",
            "https://127.0.0.1:8080",
            "HTTP://LOCALHOST:1",
            "http://[::1]:5173",
        ] {
            assert!(local.allows(ok), "{ok}");
        }
        for refused in [
            "https://evil.example",
            "http://localhost.evil.example",
            "http://localhost:3000/path",
            "http://evil.example:3000",
            "null",
            "file://",
            "http://127.0.0.1:99999",
        ] {
            assert!(!local.allows(refused), "{refused}");
        }
        assert!(!AllowedOrigins::none().allows("http://localhost:3000"));
        assert!(AllowedOrigins::Any.allows("https://evil.example"));
        let list = AllowedOrigins::parse("https://app.example, http://localhost:3000").unwrap();
        assert!(list.allows("https://app.example"));
        assert!(!list.allows("https://app.example:8443"));
        assert!(list.allows("http://localhost:3000"));
        assert!(!list.allows("http://localhost:3001"));
    }

    #[test]
    fn origin_lists_are_checked_when_parsed() {
        assert_eq!(AllowedOrigins::parse("all").unwrap(), AllowedOrigins::Any);
        assert_eq!(AllowedOrigins::parse("").unwrap(), AllowedOrigins::none());
        for bad in [
            "localhost:3000",
            "http://",
            "http://a/b",
            "http://a:port",
            "*",
        ] {
            let e = AllowedOrigins::parse(bad).unwrap_err();
            assert!(e.contains("is not an origin"), "{bad}: {e}");
        }
    }

    #[test]
    fn hosts_default_by_listen_address() {
        let loopback: SocketAddr = "127.0.0.1:9944".parse().unwrap();
        let public: SocketAddr = "0.0.0.0:9944".parse().unwrap();
        assert_eq!(
            AllowedHosts::default_for(loopback),
            AllowedHosts::List(vec![
                "localhost:9944".into(),
                "127.0.0.1:9944".into(),
                "[::1]:9944".into()
            ])
        );
        assert_eq!(AllowedHosts::default_for(public), AllowedHosts::Any);
        assert_eq!(AllowedHosts::parse("ALL").unwrap(), AllowedHosts::Any);
        assert_eq!(
            AllowedHosts::parse("node.example:9944, *.example").unwrap(),
            AllowedHosts::List(vec!["node.example:9944".into(), "*.example".into()])
        );
    }
}
