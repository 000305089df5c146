//! The RPC server's own Tokio runtime.
//!
//! jsonrpsee runs every `blocking` method, and our dry runs and submissions, with
//! `spawn_blocking` on the runtime that serves the connection. On the node's runtime
//! those calls would share one blocking pool with consensus (proposal checks, block
//! import, signing) and sync import: a flood of RPC calls could fill it and queue
//! consensus behind them. Here they have a bounded pool of their own instead.
use std::future::Future;
use tokio::runtime::{Builder, Handle, Runtime};

/// A runtime shut down without waiting when dropped, so that dropping it inside
/// another runtime's task (as a test or the node's shutdown does) cannot panic.
pub struct RpcRuntime {
    handle: Handle,
    /// Taken only by `drop`.
    runtime: Option<Runtime>,
}

impl RpcRuntime {
    /// `workers` async threads and at most `blocking_threads` threads for blocking
    /// calls (both at least 1); calls beyond that wait in this runtime's queue.
    pub fn new(workers: usize, blocking_threads: usize) -> std::io::Result<Self> {
        let runtime = Builder::new_multi_thread()
            .worker_threads(workers.max(1))
            .max_blocking_threads(blocking_threads.max(1))
            .thread_name("hm-rpc")
            .enable_all()
            .build()?;
        Ok(RpcRuntime {
            handle: runtime.handle().clone(),
            runtime: Some(runtime),
        })
    }

    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    pub fn spawn<F>(&self, future: F)
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        drop(self.handle().spawn(future));
    }
}

impl Drop for RpcRuntime {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// Blocking threads for RPC when not configured: enough for every dry-run slot plus
/// reads and signature checks, and far below Tokio's 512 on the node's runtime.
pub fn default_blocking_threads() -> usize {
    available_cores().saturating_mul(2).clamp(4, 64)
}

/// Async workers for RPC: JSON parsing and routing only, the real work is blocking.
pub fn default_workers() -> usize {
    (available_cores() / 2).clamp(1, 4)
}

pub fn available_cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}
