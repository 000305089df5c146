//! What sync knows about each peer: the height it claims, the height it proved, and how
//! useful its answers have been. A claim costs nothing to make, so it only decides whom to
//! ask; a peer earns trust by delivering blocks that import.
use std::collections::BTreeMap;

/// Rounds a peer sits out after its first useless answer; doubled for each further one.
const FIRST_BENCH_ROUNDS: u64 = 2;
/// The longest a peer sits out, in status rounds.
const MAX_BENCH_ROUNDS: u64 = 64;

/// One peer's record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PeerRecord {
    /// Finalized height its latest status claims: unproven.
    pub claimed: u64,
    /// Highest height it proved: a justified block it served that imported, or a
    /// justified header at its claimed height that verified.
    pub proven: u64,
    /// Blocks it served that imported.
    pub delivered: u64,
    /// Useless answers (empty, failed, timed out) since its last useful one.
    pub strikes: u32,
    /// The claim last checked by a tip probe, so each claim is probed once.
    pub probed: u64,
    /// Status round before which it is not asked.
    benched_until: u64,
    /// When it was last asked (a sequence number): the least recently asked goes first.
    last_asked: u64,
}

/// The peers sync knows, keyed by `P` (a `PeerId` in the node, anything in tests).
#[derive(Debug)]
pub struct PeerBook<P> {
    peers: BTreeMap<P, PeerRecord>,
    /// Status rounds so far.
    round: u64,
    /// Requests made so far (orders peers for rotation).
    asks: u64,
}

impl<P> Default for PeerBook<P> {
    fn default() -> Self {
        PeerBook {
            peers: BTreeMap::new(),
            round: 0,
            asks: 0,
        }
    }
}

impl<P: Ord + Copy> PeerBook<P> {
    /// A new status round: `answers` lists every connected peer with its claimed
    /// finalized height, or `None` if it did not answer in time (its claim falls back to
    /// what it proved). Peers not listed have left: they are forgotten, claim and all.
    pub fn status_round(&mut self, answers: impl IntoIterator<Item = (P, Option<u64>)>) {
        self.round = self.round.saturating_add(1);
        let mut seen = BTreeMap::new();
        for (peer, claim) in answers {
            let record = self.peers.remove(&peer).unwrap_or_default();
            seen.insert(peer, (record, claim));
        }
        self.peers = seen
            .into_iter()
            .map(|(peer, (mut record, claim))| {
                record.claimed = claim.unwrap_or(record.proven);
                (peer, record)
            })
            .collect();
    }

    pub fn get(&self, peer: &P) -> Option<&PeerRecord> {
        self.peers.get(peer)
    }

    /// Peers worth asking for heights above `ours`: not sitting out, claiming more than
    /// `ours`; the fewest strikes first, then the least recently asked.
    pub fn candidates(&self, ours: u64) -> Vec<P> {
        let mut found: Vec<(&P, &PeerRecord)> = self
            .peers
            .iter()
            .filter(|(_, r)| r.benched_until <= self.round && r.claimed > ours)
            .collect();
        found.sort_by_key(|(_, r)| (r.strikes, r.last_asked));
        found.into_iter().map(|(peer, _)| *peer).collect()
    }

    /// The highest claim among peers that have not given a useless answer since their
    /// last useful one.
    pub fn trusted_claim(&self) -> u64 {
        self.peers
            .values()
            .filter(|r| r.strikes == 0)
            .map(|r| r.claimed)
            .max()
            .unwrap_or(0)
    }

    /// The highest height any connected peer proved.
    pub fn highest_proven(&self) -> u64 {
        self.peers.values().map(|r| r.proven).max().unwrap_or(0)
    }

    /// `peer` is being asked now.
    pub fn asked(&mut self, peer: &P) {
        self.asks = self.asks.saturating_add(1);
        if let Some(record) = self.peers.get_mut(peer) {
            record.last_asked = self.asks;
        }
    }

    /// `peer`'s tip at `claim` is being probed.
    pub fn probing(&mut self, peer: &P, claim: u64) {
        if let Some(record) = self.peers.get_mut(peer) {
            record.probed = claim;
        }
    }

    /// `peer`'s claim could not be judged: its claims are not probed again (only blocks
    /// it delivers prove them), so a peer cannot occupy sync with unjudgeable headers.
    pub fn probe_undecided(&mut self, peer: &P) {
        if let Some(record) = self.peers.get_mut(peer) {
            record.probed = u64::MAX;
        }
    }

    /// `peer` served `blocks` new blocks that imported, the highest at `height`.
    pub fn delivered(&mut self, peer: &P, blocks: u64, height: u64) {
        if let Some(record) = self.peers.get_mut(peer) {
            record.delivered = record.delivered.saturating_add(blocks);
            self.proved(peer, height);
        }
    }

    /// `peer` proved it holds the finalized block at `height`.
    pub fn proved(&mut self, peer: &P, height: u64) {
        if let Some(record) = self.peers.get_mut(peer) {
            record.proven = record.proven.max(height);
            record.strikes = 0;
            record.benched_until = 0;
        }
    }

    /// `peer` gave a useless answer: it sits out for a while, longer each time, and its
    /// claim is believed no further than its proof until its next status.
    pub fn useless(&mut self, peer: &P) {
        if let Some(record) = self.peers.get_mut(peer) {
            record.strikes = record.strikes.saturating_add(1);
            let doublings = record.strikes.saturating_sub(1).min(16);
            let rounds = FIRST_BENCH_ROUNDS
                .saturating_mul(1u64 << doublings)
                .min(MAX_BENCH_ROUNDS);
            record.benched_until = self.round.saturating_add(rounds);
            record.claimed = record.proven;
        }
    }

    /// `peer` served something invalid and was reported: forget it.
    pub fn forget(&mut self, peer: &P) {
        self.peers.remove(peer);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_peer_that_left_loses_its_claim() {
        let mut book = PeerBook::default();
        book.status_round([(1u8, Some(100)), (2, Some(50))]);
        assert_eq!(book.trusted_claim(), 100);
        book.status_round([(2u8, Some(50))]);
        assert_eq!(book.get(&1), None);
        assert_eq!(book.trusted_claim(), 50);
        // Back again, it starts from nothing.
        book.status_round([(1u8, None), (2, Some(50))]);
        assert_eq!(book.get(&1).map(|r| r.claimed), Some(0));
    }

    #[test]
    fn useless_answers_bench_a_peer_for_longer_each_time() {
        let mut book = PeerBook::default();
        let mut sat_out = Vec::new();
        for _ in 0..3 {
            book.status_round([(1u8, Some(10))]);
            assert_eq!(book.candidates(0), vec![1]);
            book.useless(&1);
            let mut rounds = 0;
            loop {
                book.status_round([(1u8, Some(10))]);
                if !book.candidates(0).is_empty() {
                    break;
                }
                rounds += 1;
            }
            sat_out.push(rounds);
        }
        assert_eq!(sat_out, vec![1, 3, 7]);
        // A useful answer wipes the record clean.
        book.delivered(&1, 5, 5);
        assert_eq!(book.get(&1).map(|r| r.strikes), Some(0));
        assert_eq!(book.highest_proven(), 5);
    }

    #[test]
    fn honest_peers_take_turns_and_a_struck_peer_goes_last() {
        let mut book = PeerBook::default();
        book.status_round([(1u8, Some(10)), (2, Some(10)), (3, Some(10))]);
        book.useless(&3);
        let mut order = Vec::new();
        for _ in 0..4 {
            book.status_round([(1u8, Some(10)), (2, Some(10)), (3, Some(10))]);
            let first = book.candidates(0)[0];
            book.asked(&first);
            order.push(first);
        }
        assert_eq!(order, vec![1, 2, 1, 2]);
        // Off the bench, the struck peer is still ranked after the others.
        assert_eq!(book.candidates(0), vec![1, 2, 3]);
    }
}
