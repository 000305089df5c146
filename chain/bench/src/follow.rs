//! Following finalized blocks and matching their extrinsics to what we submitted.
//!
//! Every transaction of a batch is known (and hashed) before the first is sent,
//! so the follower can match a block's extrinsics even when a block is finalized
//! before the submission's response arrives.
use anyhow::{anyhow, bail, Context};
use hm_primitives::H256;
use hm_rpc_api::{ChainApiClient, HexString, NumberOrHex, RpcHeader};
use jsonrpsee::ws_client::WsClient;
use std::collections::HashMap;
use std::sync::atomic::{
    AtomicBool, AtomicU64, AtomicU8, AtomicUsize, Ordering::Relaxed, Ordering::SeqCst,
};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot, Notify, Semaphore};

const ACCEPTED: u8 = 1;
const FINALIZED: u8 = 2;
const FAILED: u8 = 4;

/// How often the follower re-checks completion and the stall deadline.
const TICK: Duration = Duration::from_millis(100);

/// The transactions of one batch and what has happened to each, shared by the
/// submitters and the follower. Times are nanoseconds since `epoch`; stored plus
/// one so that zero means "not yet".
pub struct Tracked {
    epoch: Instant,
    index: HashMap<H256, u32>,
    state: Vec<AtomicU8>,
    submitted_ns: Vec<AtomicU64>,
    finalized_ns: Vec<AtomicU64>,
    accepted: AtomicUsize,
    failed: AtomicUsize,
    finalized: AtomicUsize,
    /// Accepted and finalized: the batch is complete when this reaches `accepted`.
    settled: AtomicUsize,
    submission_done: AtomicBool,
    last_progress_ns: AtomicU64,
    /// Submitted but not yet settled transactions may not exceed the window, so a
    /// benchmark never overfills the node's pool. One permit per transaction,
    /// returned exactly once: on a failed submission, or when the transaction is
    /// both accepted and finalized.
    window: Semaphore,
    /// Woken after every block the follower ingests, and when the batch stops.
    block_ingested: Notify,
}

impl Tracked {
    /// `hashes[i]` is the extrinsic hash of transaction `i`.
    pub fn new(hashes: &[H256], window: usize) -> Self {
        let n = hashes.len();
        let index = hashes
            .iter()
            .enumerate()
            .map(|(i, h)| (*h, i as u32))
            .collect();
        let atomics64 = || (0..n).map(|_| AtomicU64::new(0)).collect::<Vec<_>>();
        Tracked {
            epoch: Instant::now(),
            index,
            state: (0..n).map(|_| AtomicU8::new(0)).collect(),
            submitted_ns: atomics64(),
            finalized_ns: atomics64(),
            accepted: AtomicUsize::new(0),
            failed: AtomicUsize::new(0),
            finalized: AtomicUsize::new(0),
            settled: AtomicUsize::new(0),
            submission_done: AtomicBool::new(false),
            last_progress_ns: AtomicU64::new(0),
            window: Semaphore::new(window.clamp(1, Semaphore::MAX_PERMITS)),
            block_ingested: Notify::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.state.len()
    }

    pub fn now_ns(&self) -> u64 {
        self.at_ns(Instant::now())
    }

    fn at_ns(&self, t: Instant) -> u64 {
        u64::try_from(t.saturating_duration_since(self.epoch).as_nanos()).unwrap_or(u64::MAX - 1)
    }

    fn progress(&self) {
        self.last_progress_ns.fetch_max(self.now_ns(), Relaxed);
    }

    /// Wait for room in the window; false once the batch has been stopped.
    pub async fn reserve(&self) -> bool {
        match self.window.acquire().await {
            Ok(permit) => {
                permit.forget();
                true
            }
            Err(_) => false,
        }
    }

    pub fn mark_submitting(&self, id: u32) {
        self.submitted_ns[id as usize].store(self.now_ns() + 1, Relaxed);
    }

    pub fn mark_accepted(&self, id: u32) {
        self.accepted.fetch_add(1, SeqCst);
        let prev = self.state[id as usize].fetch_or(ACCEPTED, SeqCst);
        if prev & FINALIZED != 0 {
            self.settle();
        }
        self.progress();
    }

    pub fn mark_failed(&self, id: u32) {
        self.state[id as usize].fetch_or(FAILED, SeqCst);
        self.failed.fetch_add(1, SeqCst);
        self.window.add_permits(1);
    }

    fn mark_finalized(&self, id: u32, at_ns: u64) {
        let prev = self.state[id as usize].fetch_or(FINALIZED, SeqCst);
        if prev & FINALIZED != 0 {
            return;
        }
        self.finalized_ns[id as usize].store(at_ns + 1, Relaxed);
        self.finalized.fetch_add(1, SeqCst);
        if prev & ACCEPTED != 0 {
            self.settle();
        }
        self.progress();
    }

    fn settle(&self) {
        self.settled.fetch_add(1, SeqCst);
        self.window.add_permits(1);
    }

    pub fn finish_submission(&self) {
        self.submission_done.store(true, SeqCst);
    }

    /// Stop the batch: waiting submitters give up.
    pub fn stop(&self) {
        self.window.close();
        self.block_ingested.notify_waiters();
    }

    /// Wait until transaction `id` is finalized; false once the batch has been stopped.
    pub async fn wait_finalized(&self, id: u32) -> bool {
        loop {
            let notified = self.block_ingested.notified();
            tokio::pin!(notified);
            // Registered before the checks, so a wake-up between them is not lost.
            notified.as_mut().enable();
            if self.state[id as usize].load(SeqCst) & FINALIZED != 0 {
                return true;
            }
            if self.window.is_closed() {
                return false;
            }
            notified.await;
        }
    }

    pub fn accepted(&self) -> usize {
        self.accepted.load(SeqCst)
    }

    pub fn failed(&self) -> usize {
        self.failed.load(SeqCst)
    }

    /// The batch transaction with this extrinsic hash.
    pub fn id_of(&self, hash: &H256) -> Option<u32> {
        self.index.get(hash).copied()
    }

    pub fn finalized(&self) -> usize {
        self.finalized.load(SeqCst)
    }

    pub fn is_complete(&self) -> bool {
        self.submission_done.load(SeqCst) && self.settled.load(SeqCst) >= self.accepted.load(SeqCst)
    }

    fn stalled_for(&self, now_ns: u64) -> Duration {
        Duration::from_nanos(now_ns.saturating_sub(self.last_progress_ns.load(Relaxed)))
    }

    /// (submitted, finalized) times in ns since the epoch, per transaction.
    pub fn times(&self, id: usize) -> (Option<u64>, Option<u64>) {
        let get = |v: &[AtomicU64]| match v[id].load(Relaxed) {
            0 => None,
            t => Some(t - 1),
        };
        (get(&self.submitted_ns), get(&self.finalized_ns))
    }
}

/// One finalized block as the follower saw it.
#[derive(Clone, Copy, Debug)]
pub struct BlockSeen {
    pub number: u64,
    /// When its finalization was announced, ns since the batch epoch.
    pub seen_ns: u64,
    pub extrinsics: usize,
    /// Extrinsics that belong to this batch.
    pub matched: usize,
}

#[derive(Debug, Default)]
pub struct FollowOutcome {
    pub blocks: Vec<BlockSeen>,
    /// Gave up after the stall timeout with transactions still unfinalized.
    pub stalled: bool,
}

pub async fn block_hash(client: &WsClient, number: u64) -> anyhow::Result<H256> {
    client
        .block_hash(Some(NumberOrHex::Number(number)))
        .await?
        .ok_or_else(|| anyhow!("the node has no block #{number}"))
}

/// Follow finalized heads until every accepted transaction of `tracked` is
/// finalized, or nothing progresses for `stall`. `ready` fires once the
/// subscription is live, so nothing submitted afterwards can be missed.
pub async fn follow(
    client: WsClient,
    tracked: std::sync::Arc<Tracked>,
    stall: Duration,
    ready: oneshot::Sender<()>,
) -> anyhow::Result<FollowOutcome> {
    let mut sub = client
        .subscribe_finalized_heads()
        .await
        .context("subscribing to finalized heads")?;
    let first = sub
        .next()
        .await
        .ok_or_else(|| anyhow!("the finalized-head subscription closed at once"))?
        .context("decoding a finalized header")?;
    let mut last = first.number;
    tracked.progress();
    let _ = ready.send(());

    // A separate task stamps each announcement on arrival, so time spent
    // fetching a large block does not delay the stamp of the next one.
    let (tx, mut rx) = mpsc::unbounded_channel::<(RpcHeader, Instant)>();
    let mut reader = tokio::spawn(async move {
        while let Some(item) = sub.next().await {
            let header = item.map_err(|e| anyhow!("decoding a finalized header: {e}"))?;
            if tx.send((header, Instant::now())).is_err() {
                return Ok(());
            }
        }
        Err(anyhow!("the node closed the finalized-head subscription"))
    });

    let mut out = FollowOutcome::default();
    let result = loop {
        if tracked.is_complete() {
            break Ok(());
        }
        if tracked.stalled_for(tracked.now_ns()) > stall {
            out.stalled = true;
            break Ok(());
        }
        let (header, seen) = match tokio::time::timeout(TICK, rx.recv()).await {
            Err(_) => continue,
            Ok(Some(item)) => item,
            Ok(None) => {
                break Err(match (&mut reader).await {
                    Ok(Err(e)) => e,
                    Ok(Ok(())) => anyhow!("the finalized-head reader stopped"),
                    Err(e) => anyhow!("the finalized-head reader failed: {e}"),
                })
            }
        };
        if header.number <= last {
            continue;
        }
        let seen_ns = tracked.at_ns(seen);
        if let Err(e) = ingest(&client, &tracked, &mut out, last, &header, seen_ns).await {
            break Err(e);
        }
        last = header.number;
    };
    tracked.stop();
    reader.abort();
    result.map(|()| out)
}

/// Fetch every block from `last + 1` up to `header` (announcements may skip
/// heights) and match their extrinsics. Skipped heights take the time of the
/// announcement that revealed them: an upper bound on their finalization time.
async fn ingest(
    client: &WsClient,
    tracked: &Tracked,
    out: &mut FollowOutcome,
    last: u64,
    header: &RpcHeader,
    seen_ns: u64,
) -> anyhow::Result<()> {
    for number in last + 1..=header.number {
        let hash = if number == header.number {
            header.hash
        } else {
            block_hash(client, number).await?
        };
        let block = client
            .block(Some(HexString::from(hash)))
            .await
            .with_context(|| format!("fetching finalized block #{number}"))?
            .ok_or_else(|| {
                anyhow!("the node announced block #{number} ({hash:?}) but does not serve it")
            })?;
        if block.block.header.number != number {
            bail!(
                "asked for block #{number}, got #{}",
                block.block.header.number
            );
        }
        let mut matched = 0;
        for xt in &block.block.extrinsics {
            if let Some(&id) = tracked.index.get(&hm_primitives::blake3_256(&xt.0)) {
                tracked.mark_finalized(id, seen_ns);
                matched += 1;
            }
        }
        tracked.block_ingested.notify_waiters();
        out.blocks.push(BlockSeen {
            number,
            seen_ns,
            extrinsics: block.block.extrinsics.len(),
            matched,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hashes(n: u8) -> Vec<H256> {
        (0..n).map(|i| H256([i; 32])).collect()
    }

    #[test]
    fn settles_in_either_order_and_returns_each_permit_once() {
        let t = Tracked::new(&hashes(3), 3);
        t.window.forget_permits(3);
        // accepted, then finalized
        t.mark_accepted(0);
        t.mark_finalized(0, 5);
        // finalized before the submission's response arrived
        t.mark_finalized(1, 6);
        t.mark_accepted(1);
        // refused
        t.mark_failed(2);
        assert_eq!(t.window.available_permits(), 3);
        t.finish_submission();
        assert!(t.is_complete());
        assert_eq!((t.accepted(), t.finalized()), (2, 2));
    }

    #[test]
    fn duplicate_finalization_counts_once() {
        let t = Tracked::new(&hashes(1), 1);
        t.mark_accepted(0);
        t.mark_finalized(0, 10);
        t.mark_finalized(0, 20);
        assert_eq!(t.finalized(), 1);
        assert_eq!(t.times(0).1, Some(10));
    }

    #[test]
    fn incomplete_until_submission_finishes() {
        let t = Tracked::new(&hashes(2), 2);
        t.mark_accepted(0);
        t.mark_finalized(0, 1);
        assert!(!t.is_complete());
        t.finish_submission();
        assert!(t.is_complete());
        t.mark_accepted(1);
        assert!(!t.is_complete());
    }

    #[tokio::test]
    async fn finalization_and_stop_wake_chains_waiting_on_an_earlier_nonce() {
        let t = std::sync::Arc::new(Tracked::new(&hashes(2), 2));
        let waiter = |id| {
            let t = t.clone();
            tokio::spawn(async move { t.wait_finalized(id).await })
        };
        let (first, second) = (waiter(0), waiter(1));
        tokio::task::yield_now().await;
        t.mark_finalized(0, 1);
        t.block_ingested.notify_waiters();
        assert!(first.await.unwrap());
        t.stop();
        assert!(!second.await.unwrap());
    }

    #[tokio::test]
    async fn stopping_releases_waiting_submitters() {
        let t = std::sync::Arc::new(Tracked::new(&hashes(2), 1));
        assert!(t.reserve().await);
        let waiter = {
            let t = t.clone();
            tokio::spawn(async move { t.reserve().await })
        };
        t.stop();
        assert!(!waiter.await.unwrap());
    }
}
