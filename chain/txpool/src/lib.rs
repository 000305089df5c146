//! The node's transaction pool.
//!
//! Transactions are validated by the runtime (through [`TransactionValidator`])
//! *before* the pool lock is taken: a Falcon-1024 check costs ~100 µs and
//! submissions arrive concurrently from many RPC connections and peers, so the
//! lock only ever covers index updates (O(log n) each, plus at most one sender's
//! queue).
//!
//! Each sender's transactions form a nonce chain. A transaction is *ready* when
//! every nonce from the sender's on-chain next nonce up to its own is in the pool;
//! the rest wait as *future*. Blocks take ready transactions highest priority
//! (tip) first across senders, always in nonce order within one.
//!
//! Limits follow Substrate (8192 transactions, 20 MiB, 30 min bans) and reth
//! (bounded slots per sender, 128 KiB per transaction).
mod ban;
mod ordering;
mod state;
mod watch;

#[cfg(test)]
mod tests;

use ban::BanList;
use hm_client_api::{PoolError, PoolStatus, TransactionPoolApi, TransactionValidator, TxStatus};
use hm_primitives::{blake3_256, AccountId, InvalidTransaction, Nonce, ValidTransaction, H256};
use parking_lot::Mutex;
use state::{bans_for, Candidate, Limits, PoolState};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use watch::InBlockWatchers;

/// Transactions fully re-validated after each block import, round-robin over the
/// pool. Catches what the cheap nonce/mortality checks cannot (a balance that
/// dropped, a runtime upgrade) at a bounded cost per block.
const REVALIDATE_PER_BLOCK: usize = 64;
/// How often a submission refreshes its nonce view when blocks keep arriving
/// while it is being validated, before it goes in with what it has.
const MAX_CHAIN_REFRESHES: usize = 3;
/// Banned hashes remembered per pool slot. Bounds the ban list's memory.
const BANS_PER_SLOT: usize = 4;
const MIN_BAN_CAPACITY: usize = 1024;

/// Pool limits. `Default` gives the production values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolConfig {
    /// Transactions held, ready and future together.
    pub max_count: usize,
    /// Sum of encoded transaction sizes.
    pub max_bytes: usize,
    /// Transactions of one sender, ready and future together.
    pub max_per_sender: usize,
    /// Largest accepted transaction.
    pub max_tx_bytes: usize,
    /// How long a transaction that failed validation is refused without a look.
    pub ban_time: Duration,
    /// Future (nonce-gapped) transactions of one sender.
    pub max_future_per_sender: usize,
}

impl Default for PoolConfig {
    fn default() -> Self {
        Self {
            max_count: 8192,
            max_bytes: 20 * 1024 * 1024,
            max_per_sender: 64,
            max_tx_bytes: hm_primitives::MAX_EXTRINSIC_BYTES,
            ban_time: Duration::from_secs(30 * 60),
            max_future_per_sender: 16,
        }
    }
}

/// Source of time for bans. Nothing else in the pool reads a clock.
pub trait Clock: Send + Sync {
    fn now(&self) -> Instant;
}

/// The monotonic system clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
}

/// The transaction pool. `Send + Sync`; share it in an `Arc`.
pub struct TransactionPool {
    config: PoolConfig,
    validator: Arc<dyn TransactionValidator>,
    clock: Arc<dyn Clock>,
    state: Mutex<PoolState>,
}

impl TransactionPool {
    pub fn new(config: PoolConfig, validator: Arc<dyn TransactionValidator>) -> Self {
        Self::with_clock(config, validator, Arc::new(SystemClock))
    }

    /// Like [`TransactionPool::new`], with the clock that times bans.
    pub fn with_clock(
        config: PoolConfig,
        validator: Arc<dyn TransactionValidator>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let limits = Limits {
            max_count: config.max_count,
            max_bytes: config.max_bytes,
            max_per_sender: config.max_per_sender,
            max_future_per_sender: config.max_future_per_sender,
        };
        let ban_capacity = config
            .max_count
            .saturating_mul(BANS_PER_SLOT)
            .max(MIN_BAN_CAPACITY);
        let bans = BanList::new(config.ban_time, ban_capacity);
        let in_block = InBlockWatchers::new(config.max_count);
        Self {
            state: Mutex::new(PoolState::new(limits, bans, in_block)),
            config,
            validator,
            clock,
        }
    }

    pub fn config(&self) -> &PoolConfig {
        &self.config
    }

    /// Ready transactions in inclusion order, as (hash, bytes), stopping at
    /// `max_count` / `max_bytes`: highest priority first among senders, but always
    /// in nonce order within a sender.
    pub fn ready_for_block(&self, max_count: usize, max_bytes: usize) -> Vec<(H256, Vec<u8>)> {
        let chosen = self.state.lock().select_ready(max_count, max_bytes);
        // Copy the bytes after the lock is released.
        chosen
            .into_iter()
            .map(|(hash, bytes)| (hash, bytes.to_vec()))
            .collect()
    }

    /// A block was imported with these extrinsic hashes: remove them, notify
    /// watchers `InBlock(block_hash)`, then re-check the remaining transactions
    /// against the new state: drop stale nonces and expired mortality, promote
    /// futures whose gap closed, and ban the invalid ones.
    pub fn on_block_imported(&self, block_hash: H256, included: &[H256]) {
        let best = self.validator.best_number();
        let now = self.clock.now();
        let (senders, batch) = {
            let mut state = self.state.lock();
            state.generation = state.generation.wrapping_add(1);
            let mut senders = BTreeSet::new();
            for hash in included {
                senders.extend(state.take_included(hash, block_hash));
            }
            for sender in &senders {
                // The included nonces alone already move these senders forward.
                state.settle_sender(sender, now);
            }
            state.remove_expired(best, now);
            state.bans.prune(now);
            (senders, state.revalidation_batch(REVALIDATE_PER_BLOCK))
        };
        // State reads and signature checks happen outside the lock.
        let nonces = self.chain_nonces(&senders);
        let verdicts: Vec<(H256, Result<ValidTransaction, InvalidTransaction>)> = batch
            .into_iter()
            .map(|(hash, bytes)| (hash, self.validator.validate(&bytes)))
            .collect();

        let mut state = self.state.lock();
        for (sender, nonce) in nonces {
            state.raise_chain_nonce(&sender, nonce, now);
        }
        let mut invalid = 0usize;
        for (hash, verdict) in verdicts {
            match verdict {
                Ok(valid) => state.raise_chain_nonce(&valid.sender, valid.account_nonce, now),
                Err(err) => {
                    invalid += 1;
                    tracing::debug!(target: "txpool", tx = ?hash, %err, "invalid on re-validation");
                    state.remove_invalid(&[hash], bans_for(&err), now);
                }
            }
        }
        let status = state.status();
        drop(state);
        tracing::debug!(
            target: "txpool",
            block = ?block_hash,
            included = included.len(),
            invalid,
            ready = status.ready,
            future = status.future,
            "pool updated after import"
        );
    }

    /// Tell watchers of transactions included in `block_hash` that it is final.
    pub fn on_block_finalized(&self, block_hash: H256, included: &[H256]) {
        let now = self.clock.now();
        let mut state = self.state.lock();
        for hash in included {
            // Finality can overtake the import notice; treat it as the import too.
            if state.contains(hash) {
                if let Some(sender) = state.take_included(hash, block_hash) {
                    state.settle_sender(&sender, now);
                }
            }
            state.in_block.finalize(hash, block_hash);
        }
    }

    /// Remove transactions that were put in a block but failed to apply there (or
    /// any the node wants gone) and ban them, even the ones not in the pool.
    pub fn remove_invalid(&self, hashes: &[H256]) {
        let now = self.clock.now();
        let senders = self.state.lock().remove_invalid(hashes, true, now);
        // A failed apply often means the sender's nonce moved on without us.
        let nonces = self.chain_nonces(&senders);
        let mut state = self.state.lock();
        for (sender, nonce) in nonces {
            state.raise_chain_nonce(&sender, nonce, now);
        }
    }

    /// Whether `hash` is in the pool.
    pub fn contains(&self, hash: &H256) -> bool {
        self.state.lock().contains(hash)
    }

    /// Number of banned hashes currently remembered.
    pub fn banned_count(&self) -> usize {
        self.state.lock().bans.len()
    }

    fn chain_nonces(&self, senders: &BTreeSet<AccountId>) -> Vec<(AccountId, Nonce)> {
        senders
            .iter()
            .map(|who| (*who, self.validator.account_nonce(who)))
            .collect()
    }

    fn import(&self, bytes: Vec<u8>, watcher: Option<watch::Watcher>) -> Result<H256, PoolError> {
        let max = self.config.max_tx_bytes.min(self.config.max_bytes);
        if bytes.len() > max {
            return Err(PoolError::TooLarge {
                len: bytes.len(),
                max,
            });
        }
        let hash = blake3_256(&bytes);
        let mut generation = {
            let state = self.state.lock();
            state.check_admissible(&hash, self.clock.now())?;
            state.generation
        };
        let mut valid = match self.validator.validate(&bytes) {
            Ok(valid) => valid,
            Err(err) => {
                if bans_for(&err) {
                    let now = self.clock.now();
                    self.state.lock().bans.ban(hash, now);
                }
                return Err(PoolError::Invalid(err));
            }
        };
        let bytes: Arc<[u8]> = bytes.into();
        let mut refreshes = 0;
        loop {
            let now = self.clock.now();
            let mut state = self.state.lock();
            if state.generation == generation || refreshes >= MAX_CHAIN_REFRESHES {
                return state.insert(
                    Candidate {
                        hash,
                        bytes,
                        valid,
                        watcher,
                    },
                    now,
                );
            }
            // A block came in while we validated: its nonces and height may have
            // outdated what the validator saw. Re-read them (cheap; no signature).
            generation = state.generation;
            drop(state);
            refreshes += 1;
            valid.account_nonce = valid
                .account_nonce
                .max(self.validator.account_nonce(&valid.sender));
            let best = self.validator.best_number();
            if valid.valid_until <= best {
                let now = self.clock.now();
                self.state.lock().bans.ban(hash, now);
                return Err(PoolError::Invalid(InvalidTransaction::Expired {
                    valid_until: valid.valid_until,
                    current: best,
                }));
            }
        }
    }
}

impl TransactionPoolApi for TransactionPool {
    fn submit(&self, xt: Vec<u8>) -> Result<H256, PoolError> {
        self.import(xt, None)
    }

    fn submit_and_watch(
        &self,
        xt: Vec<u8>,
    ) -> Result<(H256, mpsc::UnboundedReceiver<TxStatus>), PoolError> {
        let (sender, receiver) = mpsc::unbounded_channel();
        let hash = self.import(xt, Some(sender))?;
        Ok((hash, receiver))
    }

    /// Ready transactions in inclusion order, then future ones, best first.
    fn pending(&self) -> Vec<Vec<u8>> {
        self.pending_limited(usize::MAX, usize::MAX)
    }

    /// Like `pending`, stopping before `max_count` transactions or `max_bytes`.
    fn pending_limited(&self, max_count: usize, max_bytes: usize) -> Vec<Vec<u8>> {
        let chosen: Vec<Arc<[u8]>> = {
            let state = self.state.lock();
            let mut chosen: Vec<Arc<[u8]>> = state
                .select_ready(max_count, max_bytes)
                .into_iter()
                .map(|(_, bytes)| bytes)
                .collect();
            let mut used: usize = chosen.iter().map(|b| b.len()).sum();
            for tx in state.futures_best_first() {
                let Some(total) = used.checked_add(tx.bytes.len()) else {
                    break;
                };
                if chosen.len() >= max_count || total > max_bytes {
                    break;
                }
                used = total;
                chosen.push(Arc::clone(&tx.bytes));
            }
            chosen
        };
        // Copy the bytes after the lock is released.
        chosen.into_iter().map(|bytes| bytes.to_vec()).collect()
    }

    fn next_nonce(&self, who: &AccountId, on_chain: Nonce) -> Nonce {
        self.state.lock().next_nonce(who, on_chain)
    }

    fn status(&self) -> PoolStatus {
        self.state.lock().status()
    }
}
