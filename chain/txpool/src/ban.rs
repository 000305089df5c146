//! Time-limited, size-bounded set of banned transaction hashes.
//!
//! A banned hash is refused before validation, so the same invalid bytes arriving
//! again (gossip repeats them) cost a hash lookup instead of a signature check.
use hm_primitives::H256;
use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

/// Upper bound on a configured ban (a year).
const MAX_BAN_TIME: Duration = Duration::from_secs(365 * 24 * 3600);

pub(crate) struct BanList {
    ban_time: Duration,
    capacity: usize,
    /// When each ban ends.
    expiry: HashMap<H256, Instant>,
    /// Bans in the order they were made, which is also expiry order because the
    /// clock is monotonic and `ban_time` fixed. May hold superseded entries of a
    /// hash banned twice; those are skipped and compacted away.
    order: VecDeque<(Instant, H256)>,
}

impl BanList {
    pub(crate) fn new(ban_time: Duration, capacity: usize) -> Self {
        // Longer bans gain nothing and could overflow `Instant` arithmetic.
        let ban_time = ban_time.min(MAX_BAN_TIME);
        Self {
            ban_time,
            capacity: capacity.max(1),
            expiry: HashMap::new(),
            order: VecDeque::new(),
        }
    }

    pub(crate) fn is_banned(&self, hash: &H256, now: Instant) -> bool {
        self.expiry.get(hash).is_some_and(|until| *until > now)
    }

    pub(crate) fn ban(&mut self, hash: H256, now: Instant) {
        if self.ban_time.is_zero() {
            return;
        }
        let Some(until) = now.checked_add(self.ban_time) else {
            return;
        };
        self.expiry.insert(hash, until);
        self.order.push_back((until, hash));
        self.prune(now);
        while self.expiry.len() > self.capacity {
            if !self.pop_oldest() {
                break;
            }
        }
        if self.order.len() > self.capacity.saturating_mul(2) {
            let expiry = &self.expiry;
            self.order
                .retain(|(until, hash)| expiry.get(hash) == Some(until));
        }
    }

    /// Forget bans that have run out.
    pub(crate) fn prune(&mut self, now: Instant) {
        while self.order.front().is_some_and(|(until, _)| *until <= now) {
            self.pop_oldest();
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.expiry.len()
    }

    fn pop_oldest(&mut self) -> bool {
        let Some((until, hash)) = self.order.pop_front() else {
            return false;
        };
        if self.expiry.get(&hash) == Some(&until) {
            self.expiry.remove(&hash);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(i: u32) -> H256 {
        let mut b = [0u8; 32];
        b[..4].copy_from_slice(&i.to_le_bytes());
        H256(b)
    }

    #[test]
    fn ban_expires_after_ban_time() {
        let t0 = Instant::now();
        let mut bans = BanList::new(Duration::from_secs(10), 8);
        bans.ban(h(1), t0);
        assert!(bans.is_banned(&h(1), t0 + Duration::from_secs(9)));
        assert!(!bans.is_banned(&h(1), t0 + Duration::from_secs(10)));
        bans.prune(t0 + Duration::from_secs(10));
        assert_eq!(bans.len(), 0);
    }

    #[test]
    fn capacity_drops_the_oldest_ban() {
        let t0 = Instant::now();
        let mut bans = BanList::new(Duration::from_secs(60), 4);
        for i in 0..10u32 {
            bans.ban(h(i), t0 + Duration::from_millis(i.into()));
        }
        assert_eq!(bans.len(), 4);
        assert!(!bans.is_banned(&h(5), t0));
        assert!(bans.is_banned(&h(9), t0));
    }

    #[test]
    fn rebanning_one_hash_keeps_memory_bounded() {
        let t0 = Instant::now();
        let mut bans = BanList::new(Duration::from_secs(60), 4);
        for i in 0..1000u64 {
            bans.ban(h(7), t0 + Duration::from_millis(i));
        }
        assert_eq!(bans.len(), 1);
        assert!(bans.order.len() <= 8);
        // The latest ban counts, not the first.
        assert!(bans.is_banned(&h(7), t0 + Duration::from_secs(60)));
    }

    #[test]
    fn zero_ban_time_bans_nothing() {
        let mut bans = BanList::new(Duration::ZERO, 4);
        bans.ban(h(1), Instant::now());
        assert_eq!(bans.len(), 0);
    }
}
