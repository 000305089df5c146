//! Dev-chain consensus: one authority authors a block every `block_time` (or as
//! soon as transactions arrive with instant seal) and finalizes it at once.
//!
//! Authored blocks are sealed, given a justification, and then imported through
//! `Client::import_block` exactly like a block from the network would be.
mod verifier;

pub use verifier::{finality_message, DevVerifier, DEV_ENGINE_ID, MAX_FUTURE_DRIFT_MS};

use hm_client::{Client, ImportOutcome};
use hm_client_api::TransactionPoolApi;
use hm_crypto::Keypair;
use hm_primitives::{Justification, SignedBlock};
use hm_txpool::TransactionPool;
use parity_scale_codec::Encode;
use std::{sync::Arc, time::Duration};
use tokio::sync::Notify;

#[derive(Clone, Debug)]
pub struct DevConfig {
    pub block_time: Duration,
    /// Seal as soon as the pool has ready transactions (tests), instead of on a timer.
    pub instant_seal: bool,
    pub max_block_txs: usize,
    pub max_block_bytes: usize,
}

impl Default for DevConfig {
    fn default() -> Self {
        DevConfig {
            block_time: Duration::from_millis(1000),
            instant_seal: false,
            max_block_txs: 20_000,
            max_block_bytes: 8 * 1024 * 1024,
        }
    }
}

type ImportHook = Box<dyn Fn(&ImportOutcome) + Send + Sync>;

pub struct DevEngine {
    client: Arc<Client>,
    pool: Arc<TransactionPool>,
    key: Arc<Keypair>,
    config: DevConfig,
    /// Signalled on every pool submission; only instant seal waits on it.
    new_transactions: Arc<Notify>,
    on_import: Option<ImportHook>,
}

impl DevEngine {
    pub fn new(
        client: Arc<Client>,
        pool: Arc<TransactionPool>,
        key: Keypair,
        config: DevConfig,
        new_transactions: Arc<Notify>,
    ) -> Self {
        DevEngine {
            client,
            pool,
            key: Arc::new(key),
            config,
            new_transactions,
            on_import: None,
        }
    }

    /// Called after each authored block is imported (metrics, logs).
    pub fn with_import_hook(
        mut self,
        hook: impl Fn(&ImportOutcome) + Send + Sync + 'static,
    ) -> Self {
        self.on_import = Some(Box::new(hook));
        self
    }

    /// Author blocks until the task is dropped. Errors are logged and authoring goes on.
    pub async fn run(self) {
        let engine = Arc::new(self);
        let mut ticker = tokio::time::interval(engine.config.block_time);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            if engine.config.instant_seal {
                if engine.pool.status().ready == 0 {
                    engine.new_transactions.notified().await;
                }
            } else {
                ticker.tick().await;
            }
            let e = engine.clone();
            match tokio::task::spawn_blocking(move || e.author_block()).await {
                Ok(Ok(outcome)) => {
                    if let Some(hook) = &engine.on_import {
                        hook(&outcome);
                    }
                }
                Ok(Err(err)) => {
                    tracing::error!("authoring failed: {err:#}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(join) => {
                    tracing::error!("authoring task panicked: {join}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }

    /// Build, seal, justify and import one block.
    pub fn author_block(&self) -> anyhow::Result<ImportOutcome> {
        let parent = self.client.best_header()?;
        let timestamp_ms = hm_client_now_ms().max(parent.timestamp_ms + 1);
        let candidates = self
            .pool
            .ready_for_block(self.config.max_block_txs, self.config.max_block_bytes);
        let built =
            self.client
                .build_block(self.key.account_id(), timestamp_ms, candidates, Vec::new())?;
        if !built.rejected.is_empty() {
            let hashes: Vec<_> = built.rejected.iter().map(|(h, _)| *h).collect();
            tracing::debug!(
                count = hashes.len(),
                "dropping transactions that failed to apply"
            );
            self.pool.remove_invalid(&hashes);
        }
        let mut block = built.block;
        let hash = block.header.hash();
        block.header.seal = self.key.sign(hash.as_bytes()).0;
        let justification = Justification {
            engine_id: DEV_ENGINE_ID,
            data: self.key.sign(finality_message(&hash).as_bytes()).encode(),
        };
        let outcome = self.client.import_block(
            SignedBlock {
                block,
                justification: Some(justification),
            },
            true,
        )?;
        self.pool
            .on_block_imported(outcome.hash, &outcome.extrinsic_hashes);
        self.pool
            .on_block_finalized(outcome.hash, &outcome.extrinsic_hashes);
        tracing::info!(
            "✨ authored and finalized #{} ({}) with {} extrinsics in {:?}",
            outcome.number,
            outcome.hash,
            outcome.extrinsic_hashes.len(),
            outcome.elapsed
        );
        Ok(outcome)
    }
}

fn hm_client_now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}
