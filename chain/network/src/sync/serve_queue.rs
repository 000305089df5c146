//! Fair scheduling of inbound sync requests: each peer has a byte budget refilled over time
//! (a token bucket) and a short queue of its own, and free serving slots go to peers in
//! turn. One peer, or two, can therefore neither hold every slot nor pull blocks faster than
//! its budget refills.
//!
//! The bucket is charged with the bytes actually sent, after the response is built, since
//! a request does not say how big its answer will be. A peer may start a request whenever
//! its balance is positive, so one maximal response always fits; the overdraft it leaves is
//! repaid from the refill before that peer is served again.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use libp2p::PeerId;

use super::MAX_RESPONSE_BYTES;

/// Bytes a peer that has been idle may pull at once: one maximal response.
pub const SERVE_BURST_BYTES: u64 = MAX_RESPONSE_BYTES as u64;
/// Bytes per second added to every peer's serving budget.
pub const SERVE_REFILL_BYTES_PER_SEC: u64 = 4 * 1024 * 1024;
/// Sync requests served at once, across all peers (each runs on a blocking thread).
pub const MAX_SERVING: usize = 16;
/// Sync requests served at once for one peer.
pub const MAX_SERVING_PER_PEER: usize = 2;
/// Requests of one peer waiting for a slot or for its budget; more are refused.
pub const MAX_QUEUED_PER_PEER: usize = 8;

/// The limits a [`ServeQueue`] enforces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServeLimits {
    pub burst_bytes: u64,
    pub refill_bytes_per_sec: u64,
    pub max_serving: usize,
    pub max_serving_per_peer: usize,
    pub max_queued_per_peer: usize,
    /// A queued request older than this is dropped: its sender has nearly given up on it.
    pub max_wait: Duration,
}

impl ServeLimits {
    /// The node's defaults; `max_wait` follows the request timeout.
    pub fn with_max_wait(max_wait: Duration) -> Self {
        ServeLimits {
            burst_bytes: SERVE_BURST_BYTES,
            refill_bytes_per_sec: SERVE_REFILL_BYTES_PER_SEC,
            max_serving: MAX_SERVING,
            max_serving_per_peer: MAX_SERVING_PER_PEER,
            max_queued_per_peer: MAX_QUEUED_PER_PEER,
            max_wait,
        }
    }
}

/// Why a request was not queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// The peer already has `max_queued_per_peer` requests waiting.
    QueueFull,
}

/// One peer's budget, running count and waiting requests.
struct Lane<T> {
    /// Bytes the peer may still pull; negative after a response bigger than the balance.
    balance: i64,
    refilled_at: Instant,
    serving: usize,
    queued: VecDeque<(Instant, T)>,
}

impl<T> Lane<T> {
    fn refill(&mut self, limits: &ServeLimits, now: Instant) {
        let elapsed = now.saturating_duration_since(self.refilled_at);
        let earned = u128::from(limits.refill_bytes_per_sec)
            .saturating_mul(elapsed.as_micros())
            .checked_div(1_000_000)
            .unwrap_or(0);
        let earned = i64::try_from(earned).unwrap_or(i64::MAX);
        let cap = i64::try_from(limits.burst_bytes).unwrap_or(i64::MAX);
        self.balance = self.balance.saturating_add(earned).min(cap);
        self.refilled_at = now;
    }

    fn is_idle(&self, limits: &ServeLimits) -> bool {
        self.serving == 0
            && self.queued.is_empty()
            && u64::try_from(self.balance).is_ok_and(|b| b >= limits.burst_bytes)
    }
}

/// Per-peer budgets and queues over a shared pool of serving slots. Pure bookkeeping: the
/// caller passes the time and runs what [`ServeQueue::next_ready`] hands out.
pub struct ServeQueue<T> {
    limits: ServeLimits,
    lanes: HashMap<PeerId, Lane<T>>,
    /// Peers with queued requests, in the order they get their next turn.
    turns: VecDeque<PeerId>,
    serving: usize,
}

impl<T> ServeQueue<T> {
    pub fn new(limits: ServeLimits) -> Self {
        ServeQueue {
            limits,
            lanes: HashMap::new(),
            turns: VecDeque::new(),
            serving: 0,
        }
    }

    /// Queue `item` for `peer`; it runs when [`ServeQueue::next_ready`] hands it out.
    pub fn offer(&mut self, peer: PeerId, item: T, now: Instant) -> Result<(), Refused> {
        let limits = self.limits;
        let lane = self.lanes.entry(peer).or_insert_with(|| Lane {
            balance: i64::try_from(limits.burst_bytes).unwrap_or(i64::MAX),
            refilled_at: now,
            serving: 0,
            queued: VecDeque::new(),
        });
        if lane.queued.len() >= limits.max_queued_per_peer {
            return Err(Refused::QueueFull);
        }
        if lane.queued.is_empty() {
            self.turns.push_back(peer);
        }
        lane.queued.push_back((now, item));
        Ok(())
    }

    /// The next request to run, taking peers in turn and skipping those at their
    /// concurrency cap or out of budget. The caller must report it through
    /// [`ServeQueue::finished`].
    pub fn next_ready(&mut self, now: Instant) -> Option<(PeerId, T)> {
        if self.serving >= self.limits.max_serving {
            return None;
        }
        for _ in 0..self.turns.len() {
            let peer = self.turns.pop_front()?;
            let Some(lane) = self.lanes.get_mut(&peer) else {
                continue;
            };
            lane.refill(&self.limits, now);
            let can_run = lane.serving < self.limits.max_serving_per_peer && lane.balance > 0;
            let taken = if can_run {
                lane.queued.pop_front()
            } else {
                None
            };
            if !lane.queued.is_empty() {
                self.turns.push_back(peer);
            }
            if let Some((_, item)) = taken {
                lane.serving = lane.serving.saturating_add(1);
                self.serving = self.serving.saturating_add(1);
                return Some((peer, item));
            }
        }
        None
    }

    /// A request handed out by `next_ready` is done and `bytes` were sent for it.
    pub fn finished(&mut self, peer: PeerId, bytes: usize, now: Instant) {
        self.serving = self.serving.saturating_sub(1);
        let Some(lane) = self.lanes.get_mut(&peer) else {
            return;
        };
        lane.refill(&self.limits, now);
        lane.serving = lane.serving.saturating_sub(1);
        let cost = i64::try_from(bytes).unwrap_or(i64::MAX);
        lane.balance = lane.balance.saturating_sub(cost);
    }

    /// Drop what waited longer than `max_wait` and the lanes of peers that `connected`
    /// no longer lists (their queued requests go with them). Lanes that are idle with a
    /// full budget are dropped too, as a fresh lane is the same. Returns how many queued
    /// requests were dropped.
    pub fn prune(&mut self, now: Instant, connected: impl Fn(&PeerId) -> bool) -> usize {
        let limits = self.limits;
        let mut dropped = 0usize;
        self.lanes.retain(|peer, lane| {
            let before = lane.queued.len();
            if connected(peer) {
                lane.queued
                    .retain(|(at, _)| now.saturating_duration_since(*at) < limits.max_wait);
            } else {
                lane.queued.clear();
            }
            dropped = dropped.saturating_add(before.saturating_sub(lane.queued.len()));
            lane.refill(&limits, now);
            // A lane with requests still running keeps its debt until they finish.
            lane.serving > 0 || (connected(peer) && !lane.is_idle(&limits))
        });
        let lanes = &self.lanes;
        self.turns
            .retain(|peer| lanes.get(peer).is_some_and(|lane| !lane.queued.is_empty()));
        dropped
    }

    /// Requests waiting, over all peers.
    pub fn queued(&self) -> usize {
        self.lanes.values().map(|lane| lane.queued.len()).sum()
    }

    /// Requests running, over all peers.
    pub fn serving(&self) -> usize {
        self.serving
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> ServeLimits {
        ServeLimits {
            burst_bytes: 1000,
            refill_bytes_per_sec: 100,
            max_serving: 4,
            max_serving_per_peer: 2,
            max_queued_per_peer: 3,
            max_wait: Duration::from_secs(10),
        }
    }

    /// Hand out everything runnable now.
    fn drain(queue: &mut ServeQueue<u32>, now: Instant) -> Vec<(PeerId, u32)> {
        std::iter::from_fn(|| queue.next_ready(now)).collect()
    }

    #[test]
    fn a_peer_out_of_budget_waits_while_another_is_served() {
        let (greedy, other) = (PeerId::random(), PeerId::random());
        let start = Instant::now();
        let mut queue = ServeQueue::new(limits());
        queue.offer(greedy, 1, start).unwrap();
        let (peer, _) = queue.next_ready(start).unwrap();
        assert_eq!(peer, greedy);
        // A response far over the balance leaves the peer 4,000 bytes in debt.
        queue.finished(greedy, 5000, start);
        queue.offer(greedy, 2, start).unwrap();
        queue.offer(other, 3, start).unwrap();
        let served = drain(&mut queue, start);
        assert_eq!(served, vec![(other, 3)]);
        assert_eq!(
            queue.queued(),
            1,
            "the greedy peer's request is deferred, not lost"
        );
        queue.finished(other, 10, start);
        // 39 s of refill at 100 B/s still leaves it 100 bytes short.
        assert!(drain(&mut queue, start + Duration::from_secs(39)).is_empty());
        let later = drain(&mut queue, start + Duration::from_secs(41));
        assert_eq!(later, vec![(greedy, 2)]);
    }

    #[test]
    fn slots_go_to_peers_in_turn_and_two_peers_cannot_hold_them_all() {
        let peers: Vec<PeerId> = (0..3).map(|_| PeerId::random()).collect();
        let now = Instant::now();
        let mut queue = ServeQueue::new(limits());
        // The first two flood their queues before the third asks once.
        for item in 0..3 {
            queue.offer(peers[0], item, now).unwrap();
            queue.offer(peers[1], 10 + item, now).unwrap();
        }
        queue.offer(peers[2], 20, now).unwrap();
        let served = drain(&mut queue, now);
        let count = |p: PeerId| served.iter().filter(|(q, _)| *q == p).count();
        assert_eq!(served.len(), 4, "global cap");
        assert_eq!(count(peers[0]), 2, "per-peer cap");
        assert_eq!(count(peers[1]), 1);
        assert_eq!(count(peers[2]), 1, "the quiet peer got a slot");
        // Within a peer, requests run in the order they came.
        assert_eq!(served[0], (peers[0], 0));
        assert_eq!(served[1], (peers[1], 10));
        assert_eq!(served[2], (peers[2], 20));
        assert_eq!(queue.serving(), 4);
        assert_eq!(queue.queued(), 3);
    }

    #[test]
    fn a_full_queue_refuses_and_a_departed_peer_is_forgotten() {
        let (peer, other) = (PeerId::random(), PeerId::random());
        let now = Instant::now();
        let mut queue = ServeQueue::new(limits());
        for item in 0..3 {
            queue.offer(peer, item, now).unwrap();
        }
        assert_eq!(queue.offer(peer, 3, now), Err(Refused::QueueFull));
        queue.offer(other, 9, now).unwrap();
        assert_eq!(queue.prune(now, |p| *p != peer), 3);
        assert_eq!(drain(&mut queue, now), vec![(other, 9)]);
    }

    #[test]
    fn requests_that_waited_too_long_are_dropped() {
        let peer = PeerId::random();
        let start = Instant::now();
        let mut queue = ServeQueue::new(limits());
        queue.offer(peer, 1, start).unwrap();
        queue
            .offer(peer, 2, start + Duration::from_secs(5))
            .unwrap();
        assert_eq!(queue.prune(start + Duration::from_secs(10), |_| true), 1);
        assert_eq!(
            drain(&mut queue, start + Duration::from_secs(10)),
            vec![(peer, 2)]
        );
    }

    #[test]
    fn huge_debts_and_long_idle_times_do_not_overflow() {
        let peer = PeerId::random();
        let start = Instant::now();
        let mut queue = ServeQueue::new(ServeLimits {
            burst_bytes: u64::MAX,
            refill_bytes_per_sec: u64::MAX,
            ..limits()
        });
        queue.offer(peer, 1, start).unwrap();
        assert!(queue.next_ready(start).is_some());
        queue.finished(peer, usize::MAX, start);
        queue.offer(peer, 2, start).unwrap();
        let much_later = start + Duration::from_secs(10 * 365 * 24 * 3600);
        assert_eq!(drain(&mut queue, much_later), vec![(peer, 2)]);
    }
}
