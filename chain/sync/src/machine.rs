//! The sync decisions as a state machine without I/O: status rounds and answers go in,
//! the next request (or a wait) comes out. The driver does the networking and importing.
use crate::peers::PeerBook;
use std::time::{Duration, Instant};

/// Blocks asked for per request; the server caps it too.
pub const BLOCKS_PER_REQUEST: u32 = 64;
/// How long to wait before the next status round when there is nothing to fetch.
pub const STATUS_INTERVAL: Duration = Duration::from_millis(1000);
/// A block one behind a peer is normally being committed by the engine right now; sync
/// fetches it only if it is still missing after this long.
pub const ONE_BEHIND_GRACE: Duration = Duration::from_millis(1500);
/// A claim this far beyond everything proven is checked by fetching its justified header
/// alone, so `highestBlock` can move before the blocks in between arrive.
pub const PROBE_STEP: u64 = BLOCKS_PER_REQUEST as u64;

/// Our own chain, as the machine needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ours {
    pub best: u64,
    pub finalized: u64,
}

/// What the driver should do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action<P> {
    /// Nothing to fetch now: wait this long, then run a status round.
    Wait(Duration),
    /// Ask `peer` for up to `max` blocks from `from`.
    Fetch { peer: P, from: u64, max: u32 },
    /// Ask `peer` for the one block at `height`, the finalized height it claims, and check
    /// its justification.
    Probe { peer: P, height: u64 },
}

/// How a `Fetch` went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// `blocks` new blocks imported, the highest at `height`.
    Imported { blocks: u64, height: u64 },
    /// Every block served was already ours (the engine got there first): no fault.
    AlreadyHad,
    /// Nothing served, or the request failed or timed out.
    Useless,
    /// A block failed to decode or verify; the driver reports the peer.
    Invalid,
}

/// How a `Probe` went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeOutcome {
    /// The header at the claimed height came with a justification that verified.
    Proven { height: u64 },
    /// A block came whose justification our validator set cannot judge (the set changed
    /// since): no fault, but the claim stays unproven.
    Undecided,
    /// Nothing served, or the request failed or timed out.
    Useless,
    /// A forged or mismatched block; the driver reports the peer.
    Invalid,
}

/// Catch-up sync's state.
#[derive(Debug)]
pub struct SyncMachine<P> {
    book: PeerBook<P>,
    /// When we first saw ourselves exactly one block behind, and at which block.
    one_behind: Option<(u64, Instant)>,
    syncing: bool,
}

impl<P> Default for SyncMachine<P> {
    fn default() -> Self {
        SyncMachine {
            book: PeerBook::default(),
            one_behind: None,
            syncing: false,
        }
    }
}

impl<P: Ord + Copy> SyncMachine<P> {
    /// See [`PeerBook::status_round`].
    pub fn status_round(&mut self, answers: impl IntoIterator<Item = (P, Option<u64>)>) {
        self.book.status_round(answers);
    }

    pub fn peers(&self) -> &PeerBook<P> {
        &self.book
    }

    /// Whether we are more than one block behind a peer we have reason to believe.
    pub fn is_syncing(&self) -> bool {
        self.syncing
    }

    /// The highest finalized height a peer proved, or ours if higher.
    pub fn highest_block(&self, ours: u64) -> u64 {
        self.book.highest_proven().max(ours)
    }

    /// The next step, given our chain now.
    pub fn next_action(&mut self, ours: Ours, now: Instant) -> Action<P> {
        // Blocks above this are what we lack (best and finalized coincide under BFT).
        let have = ours.best.max(ours.finalized);
        self.syncing = self.book.trusted_claim() > have.saturating_add(1);
        let candidates = self.book.candidates(have);
        let Some(&peer) = candidates.first() else {
            self.syncing = false;
            self.one_behind = None;
            return Action::Wait(STATUS_INTERVAL);
        };
        if let Some(probe) = self.probe_due(&candidates, have) {
            return probe;
        }
        let top_claim = candidates
            .iter()
            .filter_map(|p| self.book.get(p))
            .map(|r| r.claimed)
            .max()
            .unwrap_or(have);
        let lag = top_claim.saturating_sub(have);
        if lag != 1 || self.one_behind.is_some_and(|(at, _)| at != have) {
            self.one_behind = None;
        }
        if lag == 1 {
            let since = self.one_behind.get_or_insert((have, now)).1;
            if now.saturating_duration_since(since) < ONE_BEHIND_GRACE {
                return Action::Wait(STATUS_INTERVAL / 4);
            }
        }
        self.book.asked(&peer);
        Action::Fetch {
            peer,
            from: have.saturating_add(1),
            max: BLOCKS_PER_REQUEST,
        }
    }

    /// A probe of the first candidate whose claim is far beyond everything proven and
    /// beyond what it was last probed at.
    fn probe_due(&mut self, candidates: &[P], have: u64) -> Option<Action<P>> {
        let floor = self
            .book
            .highest_proven()
            .max(have)
            .saturating_add(PROBE_STEP);
        let (peer, height) = candidates.iter().find_map(|peer| {
            let record = self.book.get(peer)?;
            let fresh = record.claimed >= record.probed.saturating_add(PROBE_STEP);
            (record.claimed > floor && fresh).then_some((*peer, record.claimed))
        })?;
        self.book.asked(&peer);
        self.book.probing(&peer, height);
        Some(Action::Probe { peer, height })
    }

    /// The answer to a `Fetch` of `peer`.
    pub fn on_delivery(&mut self, peer: P, delivery: Delivery) {
        match delivery {
            Delivery::Imported { blocks, height } => self.book.delivered(&peer, blocks, height),
            Delivery::AlreadyHad => {}
            Delivery::Useless => self.book.useless(&peer),
            Delivery::Invalid => self.book.forget(&peer),
        }
    }

    /// The answer to a `Probe` of `peer`.
    pub fn on_probe(&mut self, peer: P, outcome: ProbeOutcome) {
        match outcome {
            ProbeOutcome::Proven { height } => self.book.proved(&peer, height),
            ProbeOutcome::Undecided => self.book.probe_undecided(&peer),
            ProbeOutcome::Useless => self.book.useless(&peer),
            ProbeOutcome::Invalid => self.book.forget(&peer),
        }
    }
}

#[cfg(test)]
mod tests;
