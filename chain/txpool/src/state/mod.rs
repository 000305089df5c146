//! The pool's contents and indices. Everything here runs under the pool lock and
//! never calls the validator, so each critical section is a few map operations.
//!
//! Invariants (checked by `assert_consistent` in tests):
//! - per sender, the ready transactions are exactly the nonces
//!   `chain_nonce, chain_nonce + 1, ...` without a gap; every other one is future;
//! - `ready_heads` / `ready_tails` hold one key per sender with ready transactions;
//! - `futures` holds a key for every future transaction;
//! - `bytes`, `ready_total` match the contents, and the configured limits hold.
//!
//! Counters use saturating arithmetic: the invariants keep them exact, and a bug
//! must not turn into a panic while the lock is held.
#[cfg(test)]
mod invariants;

use crate::ban::BanList;
use crate::ordering::{BestFirst, TxKey, WorstFirst};
use crate::watch::{finish, notify, InBlockWatchers, Watcher};
use hm_client_api::{PoolError, PoolStatus, TxStatus};
use hm_primitives::{AccountId, BlockNumber, InvalidTransaction, Nonce, ValidTransaction, H256};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Instant;

/// Percentage by which a replacement (same sender and nonce) must raise the tip. Without
/// a real bump, each replacement costs its sender almost nothing while every node
/// validates and relays it again (geth and reth ask 10% too).
pub(crate) const REPLACEMENT_TIP_BUMP_PERCENT: u64 = 10;

/// The least priority (tip) that replaces a pooled transaction of priority `old`: 10%
/// more, rounded up, and at least one more. `None` if nothing can (`old` is near `u64::MAX`).
pub(crate) fn replacement_priority(old: u64) -> Option<u64> {
    let bump = (u128::from(old) * u128::from(REPLACEMENT_TIP_BUMP_PERCENT)).div_ceil(100);
    let bump = u64::try_from(bump).ok()?.max(1);
    old.checked_add(bump)
}

/// A transaction held by the pool.
pub(crate) struct PoolTx {
    pub bytes: Arc<[u8]>,
    pub sender: AccountId,
    pub nonce: Nonce,
    pub priority: u64,
    pub valid_until: BlockNumber,
    pub seq: u64,
    pub ready: bool,
    pub watcher: Option<Watcher>,
    pub hash: H256,
}

impl PoolTx {
    fn key(&self) -> TxKey {
        TxKey {
            priority: self.priority,
            seq: self.seq,
            hash: self.hash,
        }
    }
}

/// One sender's transactions, by nonce.
struct SenderQueue {
    /// The sender's next nonce on chain, as far as the pool has learnt it. Only rises.
    chain_nonce: Nonce,
    by_nonce: BTreeMap<Nonce, H256>,
    ready_count: usize,
    head: Option<TxKey>,
    tail: Option<TxKey>,
}

/// A validated transaction on its way in.
pub(crate) struct Candidate {
    pub hash: H256,
    pub bytes: Arc<[u8]>,
    pub valid: ValidTransaction,
    pub watcher: Option<Watcher>,
}

/// The limits the state enforces.
#[derive(Clone, Copy)]
pub(crate) struct Limits {
    pub max_count: usize,
    pub max_bytes: usize,
    pub max_per_sender: usize,
    pub max_future_per_sender: usize,
}

pub(crate) struct PoolState {
    limits: Limits,
    txs: HashMap<H256, PoolTx>,
    senders: HashMap<AccountId, SenderQueue>,
    /// The first ready transaction of each sender: where block selection starts.
    ready_heads: BTreeSet<BestFirst>,
    /// The last ready transaction of each sender: the only ready ones that can be
    /// evicted without opening a nonce gap.
    ready_tails: BTreeSet<WorstFirst>,
    futures: BTreeSet<WorstFirst>,
    by_valid_until: BTreeSet<(BlockNumber, H256)>,
    by_seq: BTreeMap<u64, H256>,
    ready_total: usize,
    bytes: usize,
    next_seq: u64,
    revalidate_from: u64,
    /// Bumped by every block import; a submission validated under an older value
    /// refreshes its view of the chain before it goes in.
    pub generation: u64,
    pub bans: BanList,
    pub in_block: InBlockWatchers,
}

/// Whether an invalid transaction is banned. Lack of funds and a nonce too far
/// ahead can change with the chain, so the same bytes may become valid again.
pub(crate) fn bans_for(err: &InvalidTransaction) -> bool {
    !matches!(
        err,
        InvalidTransaction::CannotPayFees { .. } | InvalidTransaction::FutureTooFar { .. }
    )
}

impl PoolState {
    pub(crate) fn new(limits: Limits, bans: BanList, in_block: InBlockWatchers) -> Self {
        Self {
            limits,
            txs: HashMap::new(),
            senders: HashMap::new(),
            ready_heads: BTreeSet::new(),
            ready_tails: BTreeSet::new(),
            futures: BTreeSet::new(),
            by_valid_until: BTreeSet::new(),
            by_seq: BTreeMap::new(),
            ready_total: 0,
            bytes: 0,
            next_seq: 0,
            revalidate_from: 0,
            generation: 0,
            bans,
            in_block,
        }
    }

    pub(crate) fn status(&self) -> PoolStatus {
        PoolStatus {
            ready: self.ready_total,
            future: self.txs.len().saturating_sub(self.ready_total),
            bytes: self.bytes,
        }
    }

    pub(crate) fn tx(&self, hash: &H256) -> Option<&PoolTx> {
        self.txs.get(hash)
    }

    pub(crate) fn contains(&self, hash: &H256) -> bool {
        self.txs.contains_key(hash)
    }

    pub(crate) fn ready_heads(&self) -> &BTreeSet<BestFirst> {
        &self.ready_heads
    }

    /// Future transactions, best first.
    pub(crate) fn futures_best_first(&self) -> impl Iterator<Item = &PoolTx> {
        self.futures
            .iter()
            .rev()
            .filter_map(|k| self.txs.get(&k.0.hash))
    }

    /// The same sender's next transaction, if it is ready.
    pub(crate) fn next_ready(&self, tx: &PoolTx) -> Option<TxKey> {
        let next_nonce = tx.nonce.checked_add(1)?;
        let hash = self.senders.get(&tx.sender)?.by_nonce.get(&next_nonce)?;
        self.txs
            .get(hash)
            .filter(|next| next.ready)
            .map(PoolTx::key)
    }

    /// The nonce after the gap-free run of `who`'s pooled nonces that starts at
    /// `from`: the nonce `who` should sign next when `from` is its nonce on chain.
    /// O(log n + that sender's transactions); nothing is copied.
    pub(crate) fn next_nonce(&self, who: &AccountId, from: Nonce) -> Nonce {
        let Some(queue) = self.senders.get(who) else {
            return from;
        };
        let mut next = from;
        for &nonce in queue.by_nonce.range(from..).map(|(nonce, _)| nonce) {
            if nonce != next {
                break;
            }
            match next.checked_add(1) {
                Some(n) => next = n,
                None => break,
            }
        }
        next
    }

    /// Refuse what is already here or banned, before anyone pays for validation.
    pub(crate) fn check_admissible(&self, hash: &H256, now: Instant) -> Result<(), PoolError> {
        if self.txs.contains_key(hash) {
            return Err(PoolError::AlreadyImported(*hash));
        }
        if self.bans.is_banned(hash, now) {
            return Err(PoolError::TemporarilyBanned(*hash));
        }
        Ok(())
    }

    /// Add a validated transaction: replace, evict, hold as future or make ready.
    pub(crate) fn insert(&mut self, candidate: Candidate, now: Instant) -> Result<H256, PoolError> {
        let Candidate {
            hash,
            bytes,
            valid,
            watcher,
        } = candidate;
        self.check_admissible(&hash, now)?;
        let sender = valid.sender;
        // What the validator saw may be newer than what the pool knew, or older.
        self.raise_chain_nonce(&sender, valid.account_nonce, now);
        let chain_nonce = self
            .senders
            .get(&sender)
            .map_or(valid.account_nonce, |q| q.chain_nonce);
        if valid.nonce < chain_nonce {
            self.bans.ban(hash, now);
            return Err(PoolError::Invalid(InvalidTransaction::Stale {
                expected: chain_nonce,
                got: valid.nonce,
            }));
        }

        let queue = self.senders.get(&sender);
        let replaced = queue
            .and_then(|q| q.by_nonce.get(&valid.nonce))
            .and_then(|h| self.txs.get(h));
        let (freed_count, freed_bytes, lands_ready) = match replaced {
            Some(old)
                if replacement_priority(old.priority)
                    .is_none_or(|least| valid.priority < least) =>
            {
                return Err(PoolError::TooLowPriority)
            }
            Some(old) => (1, old.bytes.len(), old.ready),
            None => {
                let (count, ready_count) =
                    queue.map_or((0, 0), |q| (q.by_nonce.len(), q.ready_count));
                if count >= self.limits.max_per_sender {
                    return Err(PoolError::SenderLimit(count));
                }
                let next_ready_nonce = u64::try_from(ready_count)
                    .ok()
                    .and_then(|r| chain_nonce.checked_add(r));
                let lands_ready = next_ready_nonce == Some(valid.nonce);
                if !lands_ready
                    && count.saturating_sub(ready_count) >= self.limits.max_future_per_sender
                {
                    return Err(PoolError::SenderLimit(count));
                }
                (0, 0, lands_ready)
            }
        };
        let replaced_hash = replaced.map(|old| old.hash);

        let count_after = self.txs.len().saturating_sub(freed_count).saturating_add(1);
        let bytes_after = self
            .bytes
            .saturating_sub(freed_bytes)
            .saturating_add(bytes.len());
        let excess_count = count_after.saturating_sub(self.limits.max_count);
        let excess_bytes = bytes_after.saturating_sub(self.limits.max_bytes);
        if excess_count > 0 || excess_bytes > 0 {
            let victims = self
                .pick_victims(
                    excess_count,
                    excess_bytes,
                    valid.priority,
                    &sender,
                    lands_ready,
                )
                .ok_or(PoolError::PoolFull)?;
            self.evict(&victims, now);
        }

        if let Some(old_hash) = replaced_hash {
            if let Some(old) = self.remove_tx(&old_hash) {
                tracing::debug!(target: "txpool", old = ?old_hash, new = ?hash, "replaced by higher priority");
                finish(old.watcher, TxStatus::Usurped(hash));
            }
        }
        self.add_tx(
            chain_nonce,
            PoolTx {
                bytes,
                sender,
                nonce: valid.nonce,
                priority: valid.priority,
                valid_until: valid.valid_until,
                seq: 0,
                ready: false,
                watcher,
                hash,
            },
        );
        self.settle_sender(&sender, now);
        // Settling announced `Ready` if it went ready; otherwise it waits as future.
        if let Some(tx) = self.txs.get(&hash).filter(|tx| !tx.ready) {
            notify(&tx.watcher, TxStatus::Future);
        }
        Ok(hash)
    }

    /// The lowest-priority transactions whose removal makes room, all strictly worse
    /// than `priority` and from other senders (evicting the newcomer's own
    /// predecessors would defeat it). Futures go first; ready transactions only for
    /// a newcomer that is itself ready, and only a sender's last one, so no gap opens.
    fn pick_victims(
        &self,
        excess_count: usize,
        excess_bytes: usize,
        priority: u64,
        sender: &AccountId,
        may_evict_ready: bool,
    ) -> Option<Vec<H256>> {
        let tails = may_evict_ready
            .then(|| self.ready_tails.iter())
            .into_iter()
            .flatten();
        let candidates = self.futures.iter().take_while(|k| k.0.priority < priority);
        let candidates = candidates.chain(tails.take_while(|k| k.0.priority < priority));
        let mut victims = Vec::new();
        let (mut count, mut bytes) = (0usize, 0usize);
        for key in candidates {
            if count >= excess_count && bytes >= excess_bytes {
                break;
            }
            let Some(tx) = self.txs.get(&key.0.hash) else {
                continue;
            };
            if tx.sender == *sender {
                continue;
            }
            victims.push(tx.hash);
            count += 1;
            bytes = bytes.saturating_add(tx.bytes.len());
        }
        (count >= excess_count && bytes >= excess_bytes).then_some(victims)
    }

    fn evict(&mut self, victims: &[H256], now: Instant) {
        let mut senders = BTreeSet::new();
        for hash in victims {
            if let Some(tx) = self.remove_tx(hash) {
                tracing::debug!(target: "txpool", tx = ?hash, priority = tx.priority, "evicted to make room");
                senders.insert(tx.sender);
                finish(tx.watcher, TxStatus::Dropped);
            }
        }
        for sender in &senders {
            self.settle_sender(sender, now);
        }
    }

    /// Remove transactions judged invalid, banning them if `ban`. Returns their senders.
    pub(crate) fn remove_invalid(
        &mut self,
        hashes: &[H256],
        ban: bool,
        now: Instant,
    ) -> BTreeSet<AccountId> {
        let mut senders = BTreeSet::new();
        for hash in hashes {
            if ban {
                self.bans.ban(*hash, now);
            }
            if let Some(tx) = self.remove_tx(hash) {
                tracing::debug!(target: "txpool", tx = ?hash, "removed as invalid");
                senders.insert(tx.sender);
                finish(tx.watcher, TxStatus::Invalid);
            }
        }
        for sender in &senders {
            self.settle_sender(sender, now);
        }
        senders
    }

    /// Take out a transaction that went into `block`. Its sender's nonce has moved
    /// past it. Returns the sender; the caller settles it.
    pub(crate) fn take_included(&mut self, hash: &H256, block: H256) -> Option<AccountId> {
        let tx = self.remove_tx(hash)?;
        if let (Some(queue), Some(next)) =
            (self.senders.get_mut(&tx.sender), tx.nonce.checked_add(1))
        {
            queue.chain_nonce = queue.chain_nonce.max(next);
        }
        if let Some(watcher) = tx.watcher {
            let _ = watcher.send(TxStatus::InBlock(block));
            self.in_block.insert(*hash, watcher);
        }
        Some(tx.sender)
    }

    /// Drop transactions whose last includable block is `best` or earlier: the next
    /// block is `best + 1`.
    pub(crate) fn remove_expired(&mut self, best: BlockNumber, now: Instant) {
        let mut expired = Vec::new();
        while let Some(&(valid_until, hash)) = self.by_valid_until.first() {
            if valid_until > best {
                break;
            }
            self.by_valid_until.pop_first();
            expired.push(hash);
        }
        if !expired.is_empty() {
            tracing::debug!(target: "txpool", count = expired.len(), best, "expired transactions removed");
            self.remove_invalid(&expired, true, now);
        }
    }

    /// Learn that `sender`'s next nonce on chain is at least `nonce`; drop what went
    /// stale and promote what became ready.
    pub(crate) fn raise_chain_nonce(&mut self, sender: &AccountId, nonce: Nonce, now: Instant) {
        if let Some(queue) = self.senders.get_mut(sender) {
            if nonce > queue.chain_nonce {
                queue.chain_nonce = nonce;
                self.settle_sender(sender, now);
            }
        }
    }

    /// Up to `count` transactions to re-validate, continuing round-robin from the
    /// previous call so that every transaction is revisited over a few blocks.
    pub(crate) fn revalidation_batch(&mut self, count: usize) -> Vec<(H256, Arc<[u8]>)> {
        let start = self.revalidate_from;
        let after = self.by_seq.range(start..);
        let wrapped = self.by_seq.range(..start);
        let picked: Vec<(u64, H256)> = after
            .chain(wrapped)
            .take(count)
            .map(|(s, h)| (*s, *h))
            .collect();
        if let Some((last, _)) = picked.last() {
            self.revalidate_from = last.wrapping_add(1);
        }
        picked
            .into_iter()
            .filter_map(|(_, h)| self.txs.get(&h).map(|tx| (h, Arc::clone(&tx.bytes))))
            .collect()
    }

    /// Index a new transaction as future; `settle_sender` then decides readiness.
    fn add_tx(&mut self, chain_nonce: Nonce, mut tx: PoolTx) {
        tx.seq = self.next_seq;
        self.next_seq = self.next_seq.wrapping_add(1);
        tx.ready = false;
        let queue = self
            .senders
            .entry(tx.sender)
            .or_insert_with(|| SenderQueue {
                chain_nonce,
                by_nonce: BTreeMap::new(),
                ready_count: 0,
                head: None,
                tail: None,
            });
        queue.by_nonce.insert(tx.nonce, tx.hash);
        self.futures.insert(WorstFirst(tx.key()));
        self.by_valid_until.insert((tx.valid_until, tx.hash));
        self.by_seq.insert(tx.seq, tx.hash);
        self.bytes = self.bytes.saturating_add(tx.bytes.len());
        self.txs.insert(tx.hash, tx);
    }

    /// Remove one transaction from every index. The caller must `settle_sender`
    /// afterwards (readiness of its successors and head/tail keys).
    fn remove_tx(&mut self, hash: &H256) -> Option<PoolTx> {
        let tx = self.txs.remove(hash)?;
        if let Some(queue) = self.senders.get_mut(&tx.sender) {
            queue.by_nonce.remove(&tx.nonce);
        }
        if tx.ready {
            self.ready_total = self.ready_total.saturating_sub(1);
        } else {
            self.futures.remove(&WorstFirst(tx.key()));
        }
        self.by_valid_until.remove(&(tx.valid_until, tx.hash));
        self.by_seq.remove(&tx.seq);
        self.bytes = self.bytes.saturating_sub(tx.bytes.len());
        Some(tx)
    }

    /// Bring one sender back to the invariants: remove nonces below the chain nonce
    /// (used on chain by other transactions), then mark exactly the gap-free run
    /// from the chain nonce as ready. O(transactions of the sender).
    pub(crate) fn settle_sender(&mut self, sender: &AccountId, now: Instant) {
        let stale: Vec<H256> = match self.senders.get_mut(sender) {
            Some(queue) => {
                let fresh = queue.by_nonce.split_off(&queue.chain_nonce);
                std::mem::replace(&mut queue.by_nonce, fresh)
                    .into_values()
                    .collect()
            }
            None => return,
        };
        for hash in stale {
            self.bans.ban(hash, now);
            if let Some(tx) = self.remove_tx(&hash) {
                tracing::debug!(target: "txpool", tx = ?hash, "nonce used on chain; removed");
                finish(tx.watcher, TxStatus::Invalid);
            }
        }

        let PoolState {
            txs,
            senders,
            ready_heads,
            ready_tails,
            futures,
            ready_total,
            ..
        } = self;
        let Some(queue) = senders.get_mut(sender) else {
            return;
        };
        let mut expected = Some(queue.chain_nonce);
        let (mut ready_count, mut head, mut tail) = (0usize, None, None);
        for (&nonce, hash) in &queue.by_nonce {
            let Some(tx) = txs.get_mut(hash) else {
                continue;
            };
            let ready = expected == Some(nonce);
            if ready {
                expected = nonce.checked_add(1);
                ready_count += 1;
                head = head.or(Some(tx.key()));
                tail = Some(tx.key());
            } else {
                // Past the first gap nothing is ready.
                expected = None;
            }
            if tx.ready != ready {
                tx.ready = ready;
                if ready {
                    futures.remove(&WorstFirst(tx.key()));
                    *ready_total += 1;
                    notify(&tx.watcher, TxStatus::Ready);
                } else {
                    futures.insert(WorstFirst(tx.key()));
                    *ready_total = ready_total.saturating_sub(1);
                    notify(&tx.watcher, TxStatus::Future);
                }
            }
        }
        queue.ready_count = ready_count;
        if queue.head != head {
            if let Some(old) = queue.head.take() {
                ready_heads.remove(&BestFirst(old));
            }
            if let Some(new) = head {
                ready_heads.insert(BestFirst(new));
            }
            queue.head = head;
        }
        if queue.tail != tail {
            if let Some(old) = queue.tail.take() {
                ready_tails.remove(&WorstFirst(old));
            }
            if let Some(new) = tail {
                ready_tails.insert(WorstFirst(new));
            }
            queue.tail = tail;
        }
        if queue.by_nonce.is_empty() {
            senders.remove(sender);
        }
    }
}
