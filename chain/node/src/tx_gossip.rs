//! Transactions travel on gossip in batches: one message per burst instead of one per
//! transaction, so a node taking thousands of submissions a second does not overflow
//! gossipsub's per-peer send queues (which drop messages when full). A batch is a SCALE
//! `Vec<Vec<u8>>` of encoded extrinsics, capped in bytes by the topic's message limit.
//!
//! Relayed batches are judged per peer: each peer has a budget of transactions per second
//! (beyond it batches are dropped unread), and a peer that relays transactions no honest
//! node would relay is penalised (see [`judge_batch`]).
use governor::clock::{Clock, DefaultClock};
use governor::middleware::NoOpMiddleware;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};
use hm_client_api::{PoolError, TransactionPoolApi};
use hm_network::{GossipTopic, NetworkHandle, PeerId, Verdict, MAX_TX_GOSSIP_BYTES};
use hm_primitives::{decode_untrusted, InvalidTransaction, H256};
use parity_scale_codec::Encode;
use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

/// How long the first transaction of a batch waits for company.
const BATCH_WINDOW: Duration = Duration::from_millis(25);
/// Room kept for the batch's own length prefixes.
const MAX_BATCH_BYTES: usize = MAX_TX_GOSSIP_BYTES - 1024;
/// Transactions in one batch; more than the byte cap allows for any real transfer.
pub(crate) const MAX_BATCH_TXS: usize = 1024;
/// Transactions waiting to be gossiped; beyond it new ones are not gossiped (they stay in
/// our pool and are still included by us or re-submitted by the client).
const QUEUE: usize = 65_536;
/// Transactions one peer may relay to us per second, and at once. Above what a busy
/// network carries through one peer (the paced benchmark offers 1,000 tx/s to one node);
/// beyond it a peer's batches are dropped unread, without penalty, so one peer cannot
/// keep the validation threads busy.
const RELAY_TXS_PER_SEC: NonZeroU32 = NonZeroU32::new(2_048).unwrap();
const RELAY_TX_BURST: NonZeroU32 = NonZeroU32::new(4_096).unwrap();
/// Transactions with an unknown signer, or whose fee cannot be paid, that one peer may
/// relay per second, and at once, before it is penalised. An honest relay sends these only
/// when its state and ours differ by a block (it is ahead or behind us), which is rare.
const RACED_TXS_PER_SEC: NonZeroU32 = NonZeroU32::new(8).unwrap();
const RACED_TX_BURST: NonZeroU32 = NonZeroU32::new(256).unwrap();
/// A nonce this far below the account's next one is older than any race with a block
/// explains: four blocks' worth of one sender's pooled transactions.
const STALE_NONCE_GRACE: u64 = 256;
/// Blocks past its mortality that a transaction may arrive from an honest relay a few
/// blocks behind us.
const EXPIRED_GRACE_BLOCKS: u64 = 8;
/// Peers whose budgets are kept; more only if disconnect events were lost, and then the
/// budgets start afresh.
const MAX_BUDGETED_PEERS: usize = 4_096;

/// Hands transactions to the batching task.
#[derive(Clone)]
pub(crate) struct TxGossip {
    queue: mpsc::Sender<Vec<u8>>,
}

impl TxGossip {
    pub(crate) fn start(network: NetworkHandle) -> TxGossip {
        let (queue, rx) = mpsc::channel(QUEUE);
        tokio::spawn(run(rx, network));
        TxGossip { queue }
    }

    pub(crate) fn send(&self, xt: Vec<u8>) {
        if self.queue.try_send(xt).is_err() {
            tracing::debug!("transaction gossip queue full; not gossiping one");
        }
    }
}

async fn run(mut rx: mpsc::Receiver<Vec<u8>>, network: NetworkHandle) {
    while let Some(first) = rx.recv().await {
        let mut batch = Batch::default();
        batch.push(&network, first);
        let deadline = tokio::time::Instant::now() + BATCH_WINDOW;
        while let Ok(Some(xt)) = tokio::time::timeout_at(deadline, rx.recv()).await {
            batch.push(&network, xt);
        }
        batch.publish(&network);
    }
}

#[derive(Default)]
struct Batch {
    txs: Vec<Vec<u8>>,
    bytes: usize,
}

impl Batch {
    /// Add `xt`, publishing what is held first if it would not fit.
    fn push(&mut self, network: &NetworkHandle, xt: Vec<u8>) {
        let size = xt.len() + 5;
        if size > MAX_BATCH_BYTES {
            return;
        }
        if self.bytes + size > MAX_BATCH_BYTES || self.txs.len() == MAX_BATCH_TXS {
            self.publish(network);
        }
        self.bytes += size;
        self.txs.push(xt);
    }

    fn publish(&mut self, network: &NetworkHandle) {
        if !self.txs.is_empty() {
            network.publish(GossipTopic::Transactions, encode_batch(&self.txs));
        }
        self.txs.clear();
        self.bytes = 0;
    }
}

pub(crate) fn encode_batch(txs: &[Vec<u8>]) -> Vec<u8> {
    txs.encode()
}

type Limiter<C> = RateLimiter<NotKeyed, InMemoryState, C, NoOpMiddleware<<C as Clock>::Instant>>;

/// One peer's budgets, as token buckets.
pub(crate) struct PeerBudget<C: Clock = DefaultClock> {
    relayed: Limiter<C>,
    raced: Limiter<C>,
}

impl<C: Clock + Clone> PeerBudget<C> {
    fn new(relay: Quota, race: Quota, clock: &C) -> Self {
        PeerBudget {
            relayed: RateLimiter::direct_with_clock(relay, clock.clone()),
            raced: RateLimiter::direct_with_clock(race, clock.clone()),
        }
    }

    /// Take `count` transactions from the relay budget; false (nothing taken) if short.
    fn take_relayed(&self, count: usize) -> bool {
        match u32::try_from(count).ok().and_then(NonZeroU32::new) {
            Some(count) => matches!(self.relayed.check_n(count), Ok(Ok(()))),
            None => true,
        }
    }

    fn take_raced(&self) -> bool {
        self.raced.check().is_ok()
    }
}

/// The budgets of every peer that relays transactions to us.
pub(crate) struct RelayBudgets<C: Clock = DefaultClock> {
    clock: C,
    relay: Quota,
    race: Quota,
    peers: Mutex<HashMap<PeerId, Arc<PeerBudget<C>>>>,
}

impl RelayBudgets {
    pub(crate) fn new() -> Self {
        RelayBudgets::with_clock(
            DefaultClock::default(),
            Quota::per_second(RELAY_TXS_PER_SEC).allow_burst(RELAY_TX_BURST),
            Quota::per_second(RACED_TXS_PER_SEC).allow_burst(RACED_TX_BURST),
        )
    }
}

impl<C: Clock + Clone> RelayBudgets<C> {
    fn with_clock(clock: C, relay: Quota, race: Quota) -> Self {
        RelayBudgets {
            clock,
            relay,
            race,
            peers: Mutex::default(),
        }
    }

    pub(crate) fn of(&self, peer: PeerId) -> Arc<PeerBudget<C>> {
        let mut peers = self
            .peers
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if peers.len() >= MAX_BUDGETED_PEERS && !peers.contains_key(&peer) {
            peers.clear();
        }
        let budget = peers
            .entry(peer)
            .or_insert_with(|| Arc::new(PeerBudget::new(self.relay, self.race, &self.clock)));
        Arc::clone(budget)
    }

    /// The peer left: its budget goes (a reconnect starts with a full one, which the
    /// connection limits and bans bound).
    pub(crate) fn forget(&self, peer: &PeerId) {
        let mut peers = self
            .peers
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        peers.remove(peer);
    }
}

/// What one relayed transaction says about the peer that relayed it.
#[derive(Debug, PartialEq, Eq)]
enum Relayed {
    /// New to our pool.
    New,
    /// Not useful now (known, pool full, a nonce or mortality only a block old): no judgement.
    Known,
    /// Invalid for us but possibly valid for a relay one block ahead of or behind us.
    RacedABlock,
    /// No honest node relays it: bad bytes, or stale or expired beyond any race.
    Dishonest,
}

fn classify(result: &Result<H256, PoolError>) -> Relayed {
    use InvalidTransaction::*;
    let invalid = match result {
        Ok(_) => return Relayed::New,
        Err(PoolError::TooLarge { .. }) => return Relayed::Dishonest,
        Err(PoolError::Invalid(invalid)) => invalid,
        Err(_) => return Relayed::Known,
    };
    match invalid {
        Malformed | BadSignature | UnsignedNotAllowed | BadCall => Relayed::Dishonest,
        Stale { expected, got } if expected.saturating_sub(*got) > STALE_NONCE_GRACE => {
            Relayed::Dishonest
        }
        Expired {
            valid_until,
            current,
        } if current.saturating_sub(*valid_until) > EXPIRED_GRACE_BLOCKS => Relayed::Dishonest,
        UnknownSigner | CannotPayFees { .. } => Relayed::RacedABlock,
        Stale { .. } | Expired { .. } | FutureTooFar { .. } | ExhaustsResources => Relayed::Known,
    }
}

/// Submit a batch `budget`'s peer relayed. Dropped unread (ignored) if the peer is over its
/// rate. Rejected, which penalises the peer, if it does not decode, is too long, or holds a
/// transaction no honest node would have relayed: bad bytes, a nonce or mortality stale
/// beyond any race with a block, or more transactions with an unknown signer or an unpaid
/// fee than such races explain. Otherwise accepted if any transaction was new to us, and
/// ignored if none was.
pub(crate) fn judge_batch<C: Clock + Clone>(
    pool: &dyn TransactionPoolApi,
    data: &[u8],
    budget: &PeerBudget<C>,
) -> Verdict {
    let txs: Vec<Vec<u8>> = match decode_untrusted(data, MAX_TX_GOSSIP_BYTES) {
        Ok(txs) => txs,
        Err(_) => return Verdict::Reject,
    };
    if txs.is_empty() || txs.len() > MAX_BATCH_TXS {
        return Verdict::Reject;
    }
    if !budget.take_relayed(txs.len()) {
        tracing::debug!(
            txs = txs.len(),
            "peer over its transaction relay rate; batch dropped"
        );
        return Verdict::Ignore;
    }
    let mut verdict = Verdict::Ignore;
    for xt in txs {
        let result = pool.submit(xt);
        match classify(&result) {
            Relayed::New => verdict = Verdict::Accept,
            Relayed::Known => {}
            Relayed::RacedABlock if budget.take_raced() => {}
            Relayed::RacedABlock | Relayed::Dishonest => {
                if let Err(e) = result {
                    tracing::debug!("relayed transaction no honest node sends: {e}");
                }
                return Verdict::Reject;
            }
        }
    }
    verdict
}

#[cfg(test)]
mod tests {
    use super::*;
    use governor::clock::FakeRelativeClock;
    use hm_client_api::{PoolStatus, TxStatus};
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Answers by the transaction's first word: `ok` is new, `bad` malformed, `unknown`
    /// an unknown signer, `unpaid` cannot pay, `stale-far`/`stale-near` and
    /// `expired-far`/`expired-near` outside and inside the race grace; anything else is
    /// already known. Counts submissions.
    #[derive(Default)]
    struct ScriptedPool {
        submitted: AtomicUsize,
    }

    impl TransactionPoolApi for ScriptedPool {
        fn submit(&self, xt: Vec<u8>) -> Result<H256, PoolError> {
            use InvalidTransaction::*;
            self.submitted.fetch_add(1, Ordering::Relaxed);
            let word = String::from_utf8_lossy(&xt);
            let word = word
                .split(|c: char| c.is_ascii_digit())
                .next()
                .unwrap_or("");
            let invalid = match word {
                "ok" => return Ok(H256::ZERO),
                "bad" => Malformed,
                "unknown" => UnknownSigner,
                "unpaid" => CannotPayFees { fee: 10, free: 1 },
                "stale-far" => Stale {
                    expected: 1_000,
                    got: 1_000 - STALE_NONCE_GRACE - 1,
                },
                "stale-near" => Stale {
                    expected: 1_000,
                    got: 1_000 - STALE_NONCE_GRACE,
                },
                "expired-far" => Expired {
                    valid_until: 100,
                    current: 100 + EXPIRED_GRACE_BLOCKS + 1,
                },
                "expired-near" => Expired {
                    valid_until: 100,
                    current: 100 + EXPIRED_GRACE_BLOCKS,
                },
                _ => return Err(PoolError::AlreadyImported(H256::ZERO)),
            };
            Err(PoolError::Invalid(invalid))
        }
        fn submit_and_watch(
            &self,
            _: Vec<u8>,
        ) -> Result<(H256, tokio::sync::mpsc::UnboundedReceiver<TxStatus>), PoolError> {
            Err(PoolError::PoolFull)
        }
        fn pending(&self) -> Vec<Vec<u8>> {
            Vec::new()
        }
        fn pending_limited(&self, _: usize, _: usize) -> Vec<Vec<u8>> {
            Vec::new()
        }
        fn next_nonce(&self, _: &hm_primitives::AccountId, on_chain: u64) -> u64 {
            on_chain
        }
        fn status(&self) -> PoolStatus {
            PoolStatus::default()
        }
    }

    fn batch(items: &[&[u8]]) -> Vec<u8> {
        encode_batch(&items.iter().map(|i| i.to_vec()).collect::<Vec<_>>())
    }

    fn quota(per_second: u32, burst: u32) -> Quota {
        Quota::per_second(NonZeroU32::new(per_second).unwrap())
            .allow_burst(NonZeroU32::new(burst).unwrap())
    }

    /// Budgets on a clock that only moves when told.
    fn budgets(relay: Quota, race: Quota) -> (RelayBudgets<FakeRelativeClock>, FakeRelativeClock) {
        let clock = FakeRelativeClock::default();
        (RelayBudgets::with_clock(clock.clone(), relay, race), clock)
    }

    fn generous() -> Arc<PeerBudget<FakeRelativeClock>> {
        let (budgets, _) = budgets(quota(100_000, 100_000), quota(100_000, 100_000));
        budgets.of(PeerId::random())
    }

    #[test]
    fn batches_are_judged_by_their_worst_transaction() {
        let (pool, budget) = (ScriptedPool::default(), generous());
        let judge = |items: &[&[u8]]| judge_batch(&pool, &batch(items), &*budget);
        assert_eq!(judge(&[b"ok1", b"old"]), Verdict::Accept);
        assert_eq!(judge(&[b"old", b"old2"]), Verdict::Ignore);
        assert_eq!(judge(&[b"ok1", b"bad"]), Verdict::Reject);
    }

    #[test]
    fn hostile_batches_are_rejected() {
        let (pool, budget) = (ScriptedPool::default(), generous());
        let judge = |data: &[u8]| judge_batch(&pool, data, &*budget);
        assert_eq!(judge(&[]), Verdict::Reject);
        assert_eq!(judge(&[0xff; 64]), Verdict::Reject);
        assert_eq!(judge(&batch(&[])), Verdict::Reject);
        // A length prefix promising more items than the bytes hold.
        assert_eq!(judge(&[0xfe, 0xff, 0xff, 0xff]), Verdict::Reject);
        let too_many: Vec<&[u8]> = vec![b"ok"; MAX_BATCH_TXS + 1];
        assert_eq!(judge(&batch(&too_many)), Verdict::Reject);
        let oversized = vec![0u8; MAX_TX_GOSSIP_BYTES + 1];
        assert_eq!(judge(&oversized), Verdict::Reject);
    }

    #[test]
    fn stale_and_expired_beyond_any_race_with_a_block_are_penalised() {
        let (pool, budget) = (ScriptedPool::default(), generous());
        let judge = |items: &[&[u8]]| judge_batch(&pool, &batch(items), &*budget);
        assert_eq!(judge(&[b"ok1", b"stale-far"]), Verdict::Reject);
        assert_eq!(judge(&[b"ok1", b"expired-far"]), Verdict::Reject);
        // A nonce or mortality just overtaken by a block is what honest relays send.
        assert_eq!(judge(&[b"ok1", b"stale-near"]), Verdict::Accept);
        assert_eq!(judge(&[b"expired-near"]), Verdict::Ignore);
    }

    #[test]
    fn unknown_signers_and_unpaid_fees_are_penalised_past_the_race_allowance() {
        let pool = ScriptedPool::default();
        let (budgets, clock) = budgets(quota(100_000, 100_000), quota(1, 2));
        let (peer, other) = (budgets.of(PeerId::random()), budgets.of(PeerId::random()));
        // Two such transactions are what a relay a block ahead of us may send...
        assert_eq!(
            judge_batch(&pool, &batch(&[b"unknown1"]), &*peer),
            Verdict::Ignore
        );
        assert_eq!(
            judge_batch(&pool, &batch(&[b"unpaid1"]), &*peer),
            Verdict::Ignore
        );
        // ...a third within the second is not.
        assert_eq!(
            judge_batch(&pool, &batch(&[b"unknown2"]), &*peer),
            Verdict::Reject
        );
        assert_eq!(
            judge_batch(&pool, &batch(&[b"unpaid2"]), &*peer),
            Verdict::Reject
        );
        // Each peer has its own allowance, and it refills.
        assert_eq!(
            judge_batch(&pool, &batch(&[b"unpaid3"]), &*other),
            Verdict::Ignore
        );
        clock.advance(Duration::from_secs(1));
        assert_eq!(
            judge_batch(&pool, &batch(&[b"unknown3"]), &*peer),
            Verdict::Ignore
        );
    }

    #[test]
    fn a_peer_over_its_relay_rate_is_dropped_unread() {
        let pool = ScriptedPool::default();
        let (budgets, clock) = budgets(quota(4, 4), quota(100, 100));
        let peer = PeerId::random();
        let budget = budgets.of(peer);
        assert_eq!(
            judge_batch(&pool, &batch(&[b"ok1", b"ok2", b"ok3"]), &*budget),
            Verdict::Accept
        );
        assert_eq!(pool.submitted.load(Ordering::Relaxed), 3);
        // Two more would exceed the four a second: not submitted, no penalty.
        assert_eq!(
            judge_batch(&pool, &batch(&[b"ok4", b"ok5"]), &*budget),
            Verdict::Ignore
        );
        assert_eq!(pool.submitted.load(Ordering::Relaxed), 3);
        // Another peer has its own budget; this one's refills with time.
        let other = budgets.of(PeerId::random());
        assert_eq!(
            judge_batch(&pool, &batch(&[b"ok4", b"ok5"]), &*other),
            Verdict::Accept
        );
        clock.advance(Duration::from_secs(1));
        assert_eq!(
            judge_batch(&pool, &batch(&[b"ok6", b"ok7"]), &*budget),
            Verdict::Accept
        );
        assert_eq!(pool.submitted.load(Ordering::Relaxed), 7);
        // A peer that leaves and comes back starts afresh, from the same budget map.
        budgets.forget(&peer);
        assert!(!Arc::ptr_eq(&budgets.of(peer), &budget));
    }
}
