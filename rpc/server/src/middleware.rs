//! Per-call policy and accounting: unsafe methods by client address, the call
//! budget of the client's connection, and Prometheus counts.
use crate::access::RpcMethods;
use crate::clients::ClientContext;
use crate::errors::{rate_limited, subscription_needs_websocket, unsafe_method};
use hm_metrics::Metrics;
use jsonrpsee::core::server::BatchResponseBuilder;
use jsonrpsee::server::middleware::rpc::{
    Batch, BatchEntry, MethodResponse, Notification, Request, RpcServiceT,
};
use jsonrpsee::types::error::INTERNAL_ERROR_CODE;
use jsonrpsee::{MethodCallback, Methods};
use std::collections::BTreeSet;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Wraps jsonrpsee's service. Every call, also each call inside a batch, is
/// checked against the unsafe-method policy and the client's budget, and counted once.
#[derive(Clone)]
pub struct CallAccounting<S> {
    inner: S,
    metrics: Option<Metrics>,
    policy: CallPolicy,
    max_response_body: usize,
    subscriptions: SubscriptionNames,
}

/// Which methods are unsafe and to whom they are served.
#[derive(Clone, Debug)]
pub struct CallPolicy {
    pub methods: RpcMethods,
    pub unsafe_methods: &'static [&'static str],
}

/// Names of the subscribe and unsubscribe methods, shared by every connection.
pub type SubscriptionNames = Arc<BTreeSet<&'static str>>;

/// The subscribe and unsubscribe methods among `methods`.
pub fn subscription_names(methods: &Methods) -> SubscriptionNames {
    let names = methods
        .method_names()
        .filter(|name| {
            matches!(
                methods.method(name),
                Some(MethodCallback::Subscription(_) | MethodCallback::Unsubscription(_))
            )
        })
        .collect();
    Arc::new(names)
}

impl<S> CallAccounting<S> {
    pub fn new(
        inner: S,
        metrics: Option<Metrics>,
        policy: CallPolicy,
        max_response_body: usize,
        subscriptions: SubscriptionNames,
    ) -> Self {
        CallAccounting {
            inner,
            metrics,
            policy,
            max_response_body,
            subscriptions,
        }
    }

    /// The refusal for `req`, if policy or budget refuses it. A request without a
    /// [`ClientContext`] (none comes from the server itself) is treated as remote.
    fn refusal(&self, req: &Request<'_>) -> Option<jsonrpsee::types::ErrorObjectOwned> {
        let client = req.extensions().get::<ClientContext>();
        let method = req.method_name();
        if self.policy.unsafe_methods.contains(&method) {
            let allowed =
                client.is_some_and(|c| self.policy.methods.allows_unsafe_for(c.addr.ip()));
            if !allowed {
                return Some(unsafe_method(method));
            }
        }
        let limiter = client.and_then(|c| c.limiter.as_ref())?;
        (!limiter.try_acquire(Instant::now())).then(|| rate_limited(limiter))
    }
}

impl<S> RpcServiceT for CallAccounting<S>
where
    S: RpcServiceT<
            MethodResponse = MethodResponse,
            BatchResponse = MethodResponse,
            NotificationResponse = MethodResponse,
        > + Clone
        + Send
        + Sync
        + 'static,
{
    type MethodResponse = MethodResponse;
    type NotificationResponse = MethodResponse;
    type BatchResponse = MethodResponse;

    fn call<'a>(&self, req: Request<'a>) -> impl Future<Output = MethodResponse> + Send + 'a {
        let this = self.clone();
        async move {
            let method = req.method.clone();
            let id = req.id.clone();
            let mut response = match this.refusal(&req) {
                Some(refusal) => MethodResponse::error(req.id, refusal),
                None => this.inner.call(req).await,
            };
            // jsonrpsee answers a subscription over HTTP with a bare "Internal error";
            // our own subscription handlers never use that code, so say what is wrong.
            if response.as_error_code() == Some(INTERNAL_ERROR_CODE)
                && this.subscriptions.contains(method.as_ref())
            {
                response = MethodResponse::error(id, subscription_needs_websocket(&method));
            }
            if let Some(metrics) = &this.metrics {
                metrics.rpc_call(&method, response.is_success());
            }
            response
        }
    }

    /// jsonrpsee's own batch handler calls the inner service directly, bypassing
    /// this layer; so batches are unrolled here, mirroring that handler.
    fn batch<'a>(&self, batch: Batch<'a>) -> impl Future<Output = MethodResponse> + Send + 'a {
        let this = self.clone();
        async move {
            let mut responses = BatchResponseBuilder::new_with_limit(this.max_response_body);
            let mut got_notification = false;
            for entry in batch {
                let response = match entry {
                    Ok(BatchEntry::Call(req)) => this.call(req).await,
                    Ok(BatchEntry::Notification(n)) => {
                        got_notification = true;
                        this.notification(n).await;
                        continue;
                    }
                    Err(err) => {
                        let (err, id) = err.into_parts();
                        MethodResponse::error(id, err)
                    }
                };
                if let Err(too_big) = responses.append(response) {
                    return too_big;
                }
            }
            if responses.is_empty() && got_notification {
                MethodResponse::notification()
            } else {
                MethodResponse::from_batch(responses.finish())
            }
        }
    }

    fn notification<'a>(
        &self,
        n: Notification<'a>,
    ) -> impl Future<Output = MethodResponse> + Send + 'a {
        self.inner.notification(n)
    }
}

/// Whose budget a [`RateLimiter`] is, for the error that tells the client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BudgetScope {
    /// One WebSocket (or keep-alive) connection.
    Connection,
    /// Every HTTP request from one address, across its connections.
    Address,
}

/// Generic cell rate algorithm: `per_minute` calls may come at once, after which
/// one more is allowed every `60 s / per_minute`.
#[derive(Debug)]
pub struct RateLimiter {
    pub(crate) per_minute: u32,
    pub(crate) scope: BudgetScope,
    interval: Duration,
    burst: Duration,
    /// Theoretical arrival time of the next call; `None` before the first.
    next_due: Mutex<Option<Instant>>,
}

impl RateLimiter {
    /// `per_minute` of 0 is treated as 1: a connection that may never call is useless.
    pub fn per_minute(per_minute: u32, scope: BudgetScope) -> Self {
        let per_minute = per_minute.max(1);
        let interval = Duration::from_secs(60) / per_minute;
        let burst = Duration::from_secs(60).saturating_sub(interval);
        RateLimiter {
            per_minute,
            scope,
            interval,
            burst,
            next_due: Mutex::new(None),
        }
    }

    /// Take one call slot at `now`, or refuse.
    pub fn try_acquire(&self, now: Instant) -> bool {
        // Poisoning needs a panic while holding this lock, and nothing below panics.
        let mut next_due = self.next_due.lock().unwrap_or_else(|e| e.into_inner());
        let due = next_due.unwrap_or(now);
        if let Some(earliest) = due.checked_sub(self.burst) {
            if now < earliest {
                return false;
            }
        }
        let base = if due > now { due } else { now };
        // An `Instant` this far out cannot occur in practice; refuse rather than wrap.
        match base.checked_add(self.interval) {
            Some(next) => {
                *next_due = Some(next);
                true
            }
            None => false,
        }
    }

    /// Whether the whole burst is available again at `now`: forgetting this limiter
    /// then loses nothing, since a fresh one would allow exactly the same.
    pub fn is_refilled(&self, now: Instant) -> bool {
        let next_due = self.next_due.lock().unwrap_or_else(|e| e.into_inner());
        next_due.is_none_or(|due| due <= now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonrpsee::types::Id;
    use jsonrpsee::ResponsePayload;
    use std::net::SocketAddr;

    /// The method itself: answers every call with success.
    #[derive(Clone)]
    struct Served;

    impl RpcServiceT for Served {
        type MethodResponse = MethodResponse;
        type NotificationResponse = MethodResponse;
        type BatchResponse = MethodResponse;

        fn call<'a>(&self, req: Request<'a>) -> impl Future<Output = MethodResponse> + Send + 'a {
            let payload = ResponsePayload::success("served");
            std::future::ready(MethodResponse::response(req.id, payload, usize::MAX))
        }

        fn batch<'a>(&self, _: Batch<'a>) -> impl Future<Output = MethodResponse> + Send + 'a {
            std::future::ready(MethodResponse::notification())
        }

        fn notification<'a>(
            &self,
            _: Notification<'a>,
        ) -> impl Future<Output = MethodResponse> + Send + 'a {
            std::future::ready(MethodResponse::notification())
        }
    }

    fn accounting(methods: RpcMethods) -> CallAccounting<Served> {
        let policy = CallPolicy {
            methods,
            unsafe_methods: &crate::author::UNSAFE_METHODS,
        };
        CallAccounting::new(Served, None, policy, usize::MAX, Arc::default())
    }

    fn request(method: &str, client: Option<ClientContext>) -> Request<'_> {
        let mut req = Request::borrowed(method, None, Id::Number(1));
        if let Some(client) = client {
            req.extensions_mut().insert(client);
        }
        req
    }

    fn from(addr: &str, limiter: Option<Arc<RateLimiter>>) -> Option<ClientContext> {
        let addr: SocketAddr = addr.parse().unwrap();
        Some(ClientContext { addr, limiter })
    }

    #[tokio::test]
    async fn unsafe_methods_are_judged_by_the_clients_address() {
        let auto = accounting(RpcMethods::Auto);
        let remove = "author_removeExtrinsic";
        // A client on another machine, on a server that listens anywhere.
        let far = auto
            .call(request(remove, from("203.0.113.7:40000", None)))
            .await;
        assert_eq!(
            far.as_error_code(),
            Some(hm_rpc_api::error_codes::UNSAFE_METHOD)
        );
        assert!(far
            .as_json()
            .get()
            .contains("only to clients on its own machine"));
        let mapped = auto
            .call(request(remove, from("[::ffff:203.0.113.7]:1", None)))
            .await;
        assert_eq!(
            mapped.as_error_code(),
            Some(hm_rpc_api::error_codes::UNSAFE_METHOD)
        );
        // No known client: refused, never assumed local.
        let unknown = auto.call(request(remove, None)).await;
        assert_eq!(
            unknown.as_error_code(),
            Some(hm_rpc_api::error_codes::UNSAFE_METHOD)
        );
        for local in ["127.0.0.1:40000", "[::1]:40000", "[::ffff:127.0.0.1]:1"] {
            let near = auto.call(request(remove, from(local, None))).await;
            assert!(near.is_success(), "{local}: {}", near.as_json());
        }
        // Safe methods go to everyone; `unsafe` serves unsafe ones to everyone too.
        let read = auto
            .call(request("system_name", from("203.0.113.7:1", None)))
            .await;
        assert!(read.is_success());
        let open = accounting(RpcMethods::Unsafe);
        assert!(open
            .call(request(remove, from("203.0.113.7:1", None)))
            .await
            .is_success());
        let closed = accounting(RpcMethods::Safe);
        let local = closed
            .call(request(remove, from("127.0.0.1:1", None)))
            .await;
        assert_eq!(
            local.as_error_code(),
            Some(hm_rpc_api::error_codes::UNSAFE_METHOD)
        );
    }

    #[tokio::test]
    async fn each_call_spends_the_clients_budget() {
        let auto = accounting(RpcMethods::Auto);
        let limiter = Arc::new(RateLimiter::per_minute(3, BudgetScope::Connection));
        let client = from("127.0.0.1:1", Some(limiter));
        let mut answers = Vec::new();
        for _ in 0..5 {
            answers.push(auto.call(request("system_name", client.clone())).await);
        }
        let served = answers.iter().filter(|a| a.is_success()).count();
        let limited = answers
            .iter()
            .filter(|a| a.as_error_code() == Some(hm_rpc_api::error_codes::RATE_LIMITED))
            .count();
        assert_eq!((served, limited), (3, 2));
        assert!(answers[4]
            .as_json()
            .get()
            .contains("this connection may make 3 calls per minute"));
    }

    #[test]
    fn burst_then_steady_rate() {
        let limiter = RateLimiter::per_minute(2, BudgetScope::Connection);
        let t0 = Instant::now();
        assert!(limiter.try_acquire(t0));
        assert!(limiter.try_acquire(t0));
        assert!(!limiter.try_acquire(t0));
        assert!(!limiter.try_acquire(t0 + Duration::from_secs(29)));
        assert!(limiter.try_acquire(t0 + Duration::from_secs(30)));
        assert!(!limiter.try_acquire(t0 + Duration::from_secs(31)));
        // After a long pause the full burst is available again, not more.
        let later = t0 + Duration::from_secs(600);
        assert!(limiter.try_acquire(later));
        assert!(limiter.try_acquire(later));
        assert!(!limiter.try_acquire(later));
    }

    #[test]
    fn refilled_once_the_whole_burst_is_back() {
        let limiter = RateLimiter::per_minute(2, BudgetScope::Address);
        let t0 = Instant::now();
        assert!(limiter.is_refilled(t0), "never used");
        assert!(limiter.try_acquire(t0));
        assert!(!limiter.is_refilled(t0 + Duration::from_secs(29)));
        assert!(limiter.is_refilled(t0 + Duration::from_secs(30)));
    }

    #[test]
    fn zero_means_one_per_minute() {
        let limiter = RateLimiter::per_minute(0, BudgetScope::Connection);
        let t0 = Instant::now();
        assert!(limiter.try_acquire(t0));
        assert!(!limiter.try_acquire(t0 + Duration::from_secs(59)));
        assert!(limiter.try_acquire(t0 + Duration::from_secs(60)));
    }

    #[test]
    fn large_limits_do_not_overflow() {
        let limiter = RateLimiter::per_minute(u32::MAX, BudgetScope::Address);
        let t0 = Instant::now();
        for _ in 0..10_000 {
            assert!(limiter.try_acquire(t0));
        }
    }
}
