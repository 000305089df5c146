//! Proposer schedules: CometBFT's weighted round-robin restarted at each
//! epoch's first block, kept in a small cache so neither the verifier nor the
//! driver recomputes `number - epoch_start` steps for every header.
use crate::chain_state::HeightFacts;
use hm_consensus_bft::{ProposerPriority, RoundProposers};
use hm_primitives::{AccountId, H256};
use parking_lot::Mutex;

/// Highest round a header or proposal may name. Reaching round `r` takes at
/// least `r` full rounds of timeouts (days at this bound with any sane
/// timeouts), while answering "who proposes round r" costs `r × validators`
/// steps, so an unbounded round would let one signer buy a long computation.
pub const MAX_ROUND: u32 = 1 << 16;

/// Schedules kept: the current and previous epoch, a spare for sync.
const CACHED_SCHEDULES: usize = 4;

struct Cached {
    epoch_start: u64,
    set_hash: H256,
    height: u64,
    schedule: ProposerPriority,
    /// Round proposers of `height`, computed as far as asked.
    rounds: RoundWalk,
}

struct RoundWalk {
    walk: RoundProposers,
    known: Vec<AccountId>,
}

impl RoundWalk {
    fn new(schedule: &ProposerPriority) -> Self {
        RoundWalk {
            walk: schedule.rounds(),
            known: Vec::new(),
        }
    }

    fn get(&mut self, round: u32) -> Option<AccountId> {
        let wanted = usize::try_from(round).ok()?;
        while self.known.len() <= wanted {
            self.known.push(self.walk.next()?);
        }
        self.known.get(wanted).copied()
    }
}

/// Why a proposer cannot be named.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("round {0} is beyond the highest allowed round {MAX_ROUND}")]
    RoundTooHigh(u32),
}

/// Thread-safe cache of proposer schedules, shared by the verifier and the driver.
#[derive(Default)]
pub struct ProposerSchedules {
    cache: Mutex<Vec<Cached>>,
}

impl ProposerSchedules {
    pub fn new() -> Self {
        Self::default()
    }

    /// The schedule of `facts.number`: the set's priorities after
    /// `number - epoch_start` heights.
    pub fn schedule(&self, facts: &HeightFacts) -> ProposerPriority {
        let mut cache = self.cache.lock();
        Self::entry(&mut cache, facts).schedule.clone()
    }

    /// Proposer of `round` at `facts.number`.
    pub fn proposer(&self, facts: &HeightFacts, round: u32) -> Result<AccountId, ScheduleError> {
        if round > MAX_ROUND {
            return Err(ScheduleError::RoundTooHigh(round));
        }
        let mut cache = self.cache.lock();
        let entry = Self::entry(&mut cache, facts);
        // A walk over a non-empty set never ends; the fallback is unreachable.
        Ok(entry
            .rounds
            .get(round)
            .unwrap_or_else(|| entry.schedule.proposer()))
    }

    /// The cache entry positioned at `facts.number`, moved to the front.
    fn entry<'a>(cache: &'a mut Vec<Cached>, facts: &HeightFacts) -> &'a mut Cached {
        let found = cache
            .iter()
            .position(|c| c.epoch_start == facts.epoch_start && c.set_hash == facts.set_hash);
        let mut entry = match found {
            Some(index) => cache.remove(index),
            None => Self::fresh(facts),
        };
        if entry.height != facts.number {
            if entry.height < facts.number {
                for _ in entry.height..facts.number {
                    entry.schedule = entry.schedule.next_height();
                }
            } else {
                entry = Self::fresh(facts);
            }
            entry.height = facts.number;
            entry.rounds = RoundWalk::new(&entry.schedule);
        }
        cache.insert(0, entry);
        cache.truncate(CACHED_SCHEDULES);
        // Just inserted at the front.
        &mut cache[0]
    }

    fn fresh(facts: &HeightFacts) -> Cached {
        let offset = facts.number.saturating_sub(facts.epoch_start);
        let schedule = ProposerPriority::after_heights(facts.set.clone(), offset);
        Cached {
            epoch_start: facts.epoch_start,
            set_hash: facts.set_hash,
            height: facts.number,
            rounds: RoundWalk::new(&schedule),
            schedule,
        }
    }
}
