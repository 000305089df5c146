//! Prometheus metrics of the node and the HTTP endpoint that exposes them.
//!
//! Every metric is named `hypermesh_*`. The endpoint serves `GET /metrics` in the
//! Prometheus text format and nothing else; it never reads a request body, caps
//! header bytes, connection count and connection lifetime, so a scraper port
//! left open to the world cannot be used to exhaust the node.
mod server;

pub use server::{listen_addr, serve, serve_on, DEFAULT_PROMETHEUS_PORT};

use prometheus::{Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGauge, Opts, Registry};
use std::collections::BTreeSet;
use std::sync::{Arc, RwLock};

/// Label value used for every RPC method name that was not registered with
/// [`Metrics::register_rpc_methods`], so callers cannot grow the label set.
pub const UNKNOWN_RPC_METHOD: &str = "unknown";

/// Upper bounds (seconds) of the block-import histogram: 1 ms to 10 s.
const IMPORT_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The node's metrics. Cheap to clone; all clones update the same registry.
#[derive(Clone)]
pub struct Metrics {
    inner: Arc<Inner>,
}

struct Inner {
    registry: Registry,
    best_height: IntGauge,
    finalized_height: IntGauge,
    block_import_seconds: Histogram,
    blocks_imported: IntCounter,
    extrinsics_imported: IntCounter,
    txpool_ready: IntGauge,
    txpool_future: IntGauge,
    peers: IntGauge,
    rpc_calls: IntCounterVec,
    known_rpc_methods: RwLock<BTreeSet<String>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let registry = Registry::new();
        let gauge = |name: &str, help: &str| register(&registry, IntGauge::new(name, help));
        let best_height = gauge("hypermesh_best_height", "Height of the best block");
        let finalized_height = gauge(
            "hypermesh_finalized_height",
            "Height of the last finalized block",
        );
        let txpool_ready = gauge(
            "hypermesh_txpool_ready",
            "Transactions in the pool that can be included now",
        );
        let txpool_future = gauge(
            "hypermesh_txpool_future",
            "Transactions in the pool waiting for an earlier nonce",
        );
        let peers = gauge("hypermesh_peers", "Connected peers");
        let block_import_seconds = register(
            &registry,
            Histogram::with_opts(
                HistogramOpts::new(
                    "hypermesh_block_import_seconds",
                    "Time to verify, execute and store one block",
                )
                .buckets(IMPORT_BUCKETS.to_vec()),
            ),
        );
        let blocks_imported = register(
            &registry,
            IntCounter::new("hypermesh_blocks_imported_total", "Blocks imported"),
        );
        let extrinsics_imported = register(
            &registry,
            IntCounter::new(
                "hypermesh_extrinsics_imported_total",
                "Extrinsics in imported blocks",
            ),
        );
        let rpc_calls = register(
            &registry,
            IntCounterVec::new(
                Opts::new(
                    "hypermesh_rpc_calls_total",
                    "JSON-RPC calls by method and outcome",
                ),
                &["method", "status"],
            ),
        );
        Metrics {
            inner: Arc::new(Inner {
                registry,
                best_height,
                finalized_height,
                block_import_seconds,
                blocks_imported,
                extrinsics_imported,
                txpool_ready,
                txpool_future,
                peers,
                rpc_calls,
                known_rpc_methods: RwLock::new(BTreeSet::new()),
            }),
        }
    }

    pub fn set_best(&self, n: u64) {
        self.inner.best_height.set(saturating_i64(n));
    }

    pub fn set_finalized(&self, n: u64) {
        self.inner.finalized_height.set(saturating_i64(n));
    }

    /// Record one imported block: how long the import took and how many extrinsics it held.
    pub fn observe_import(&self, seconds: f64, txs: usize) {
        if seconds.is_finite() && seconds >= 0.0 {
            self.inner.block_import_seconds.observe(seconds);
        }
        self.inner.blocks_imported.inc();
        self.inner.extrinsics_imported.inc_by(txs as u64);
    }

    pub fn set_txpool(&self, ready: usize, future: usize) {
        self.inner.txpool_ready.set(saturating_i64(ready as u64));
        self.inner.txpool_future.set(saturating_i64(future as u64));
    }

    pub fn set_peers(&self, n: usize) {
        self.inner.peers.set(saturating_i64(n as u64));
    }

    /// Declare the RPC method names that get their own label value. Names
    /// outside this set are counted under [`UNKNOWN_RPC_METHOD`].
    pub fn register_rpc_methods<I, S>(&self, names: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        // A poisoned lock only means another thread panicked mid-insert; the set is still usable.
        let mut known = self
            .inner
            .known_rpc_methods
            .write()
            .unwrap_or_else(|e| e.into_inner());
        known.extend(names.into_iter().map(Into::into));
    }

    /// Count one JSON-RPC call. `ok` is whether it returned a result rather than an error.
    pub fn rpc_call(&self, method: &str, ok: bool) {
        let known = self
            .inner
            .known_rpc_methods
            .read()
            .unwrap_or_else(|e| e.into_inner());
        let label = if known.contains(method) {
            method
        } else {
            UNKNOWN_RPC_METHOD
        };
        let status = if ok { "ok" } else { "error" };
        self.inner
            .rpc_calls
            .with_label_values(&[label, status])
            .inc();
    }

    pub fn registry(&self) -> &Registry {
        &self.inner.registry
    }

    /// The registry in the Prometheus text exposition format.
    pub fn encode_text(&self) -> String {
        let families = self.inner.registry.gather();
        // Encoding only fails on metric families that violate the format, which
        // our fixed set of metrics cannot produce; an empty page beats a panic.
        prometheus::TextEncoder::new()
            .encode_to_string(&families)
            .unwrap_or_else(|e| {
                tracing::error!(target: "metrics", "encoding metrics failed: {e}");
                String::new()
            })
    }
}

/// Register a freshly built collector. The names are fixed and unique within a
/// new registry, so registration can only fail on a programming error in this file.
fn register<C: prometheus::core::Collector + Clone + 'static>(
    registry: &Registry,
    built: prometheus::Result<C>,
) -> C {
    let collector = built.expect("metric options in this file are valid");
    registry
        .register(Box::new(collector.clone()))
        .expect("metric names in this file are unique");
    collector
}

fn saturating_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_metric_appears_with_its_value() {
        let m = Metrics::new();
        m.set_best(42);
        m.set_finalized(40);
        m.observe_import(0.02, 3);
        m.set_txpool(5, 2);
        m.set_peers(7);
        let text = m.encode_text();
        for line in [
            "hypermesh_best_height 42",
            "hypermesh_finalized_height 40",
            "hypermesh_txpool_ready 5",
            "hypermesh_txpool_future 2",
            "hypermesh_peers 7",
            "hypermesh_extrinsics_imported_total 3",
            "hypermesh_blocks_imported_total 1",
            "hypermesh_block_import_seconds_count 1",
            "hypermesh_block_import_seconds_bucket{le=\"0.025\"} 1",
            "hypermesh_block_import_seconds_bucket{le=\"0.01\"} 0",
        ] {
            assert!(text.contains(line), "missing `{line}` in:\n{text}");
        }
    }

    #[test]
    fn unregistered_rpc_methods_share_one_label() {
        let m = Metrics::new();
        m.register_rpc_methods(["chain_getHeader"]);
        m.rpc_call("chain_getHeader", true);
        m.rpc_call("chain_getHeader", false);
        for i in 0..100 {
            m.rpc_call(&format!("junk_{i}"), false);
        }
        let text = m.encode_text();
        assert!(
            text.contains(r#"hypermesh_rpc_calls_total{method="chain_getHeader",status="ok"} 1"#)
        );
        assert!(text
            .contains(r#"hypermesh_rpc_calls_total{method="chain_getHeader",status="error"} 1"#));
        assert!(text.contains(r#"hypermesh_rpc_calls_total{method="unknown",status="error"} 100"#));
        assert!(!text.contains("junk_"));
    }

    #[test]
    fn hostile_values_do_not_panic_or_wrap() {
        let m = Metrics::new();
        m.set_best(u64::MAX);
        m.set_txpool(usize::MAX, 0);
        m.observe_import(f64::NAN, 0);
        m.observe_import(-1.0, 0);
        m.observe_import(f64::INFINITY, 0);
        let text = m.encode_text();
        let best = text
            .lines()
            .find(|l| l.starts_with("hypermesh_best_height "))
            .unwrap();
        assert!(
            !best.contains('-'),
            "saturates instead of wrapping negative: {best}"
        );
        assert!(text.contains("hypermesh_block_import_seconds_count 0"));
        assert!(text.contains("hypermesh_blocks_imported_total 3"));
    }

    #[test]
    fn clones_share_state() {
        let a = Metrics::new();
        let b = a.clone();
        b.set_peers(3);
        assert!(a.encode_text().contains("hypermesh_peers 3"));
    }
}
