//! Per-call accounting: Prometheus counts and the optional per-connection rate limit.
use crate::errors::{rate_limited, subscription_needs_websocket};
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
/// rate-checked and counted once.
#[derive(Clone)]
pub struct CallAccounting<S> {
    inner: S,
    metrics: Option<Metrics>,
    limiter: Option<Arc<RateLimiter>>,
    max_response_body: usize,
    subscriptions: SubscriptionNames,
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
        limiter: Option<RateLimiter>,
        max_response_body: usize,
        subscriptions: SubscriptionNames,
    ) -> Self {
        CallAccounting {
            inner,
            metrics,
            limiter: limiter.map(Arc::new),
            max_response_body,
            subscriptions,
        }
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
            let mut response = match &this.limiter {
                Some(limiter) if !limiter.try_acquire(Instant::now()) => {
                    MethodResponse::error(req.id, rate_limited(limiter.per_minute))
                }
                _ => this.inner.call(req).await,
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

/// Generic cell rate algorithm: `per_minute` calls may come at once, after which
/// one more is allowed every `60 s / per_minute`.
#[derive(Debug)]
pub struct RateLimiter {
    per_minute: u32,
    interval: Duration,
    burst: Duration,
    /// Theoretical arrival time of the next call; `None` before the first.
    next_due: Mutex<Option<Instant>>,
}

impl RateLimiter {
    /// `per_minute` of 0 is treated as 1: a connection that may never call is useless.
    pub fn per_minute(per_minute: u32) -> Self {
        let per_minute = per_minute.max(1);
        let interval = Duration::from_secs(60) / per_minute;
        let burst = Duration::from_secs(60).saturating_sub(interval);
        RateLimiter {
            per_minute,
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
        *next_due = Some(base + self.interval);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_steady_rate() {
        let limiter = RateLimiter::per_minute(2);
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
    fn zero_means_one_per_minute() {
        let limiter = RateLimiter::per_minute(0);
        let t0 = Instant::now();
        assert!(limiter.try_acquire(t0));
        assert!(!limiter.try_acquire(t0 + Duration::from_secs(59)));
        assert!(limiter.try_acquire(t0 + Duration::from_secs(60)));
    }

    #[test]
    fn large_limits_do_not_overflow() {
        let limiter = RateLimiter::per_minute(u32::MAX);
        let t0 = Instant::now();
        for _ in 0..10_000 {
            assert!(limiter.try_acquire(t0));
        }
    }
}
