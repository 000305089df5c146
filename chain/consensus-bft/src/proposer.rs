//! CometBFT's weighted round-robin proposer selection.
//!
//! Every step adds each validator's power to its priority, picks the highest
//! priority (ties go to the lower id) and subtracts the total power from it, so
//! over many steps each validator proposes in proportion to its power. Before a
//! batch of steps the priorities are rescaled so their spread stays within
//! `2 * total` and re-centred on their average, exactly as
//! `ValidatorSet.IncrementProposerPriority` does.
//!
//! One step per height (`next_height`), and within a height round `r` is the
//! height's state stepped `r` more times (`proposer_at_round`).
use crate::types::ValidatorSet;
use alloc::{vec, vec::Vec};
use hm_primitives::AccountId;

/// Spread allowed between the highest and lowest priority, in units of total power.
const PRIORITY_WINDOW_FACTOR: i128 = 2;

/// A validator set with its proposer priorities: the proposer schedule of one height.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ProposerPriority {
    set: ValidatorSet,
    /// Parallel to `set.validators()`.
    priorities: Vec<i64>,
    /// Index of the round-0 proposer of this height.
    proposer: usize,
}

impl ProposerPriority {
    /// The schedule of the first height of `set` (CometBFT `NewValidatorSet`:
    /// all priorities zero, then one step).
    pub fn new(set: ValidatorSet) -> Self {
        let priorities = vec![0; set.len()];
        let mut schedule = ProposerPriority {
            set,
            priorities,
            proposer: 0,
        };
        schedule.increment(1);
        schedule
    }

    /// The schedule `heights` heights after the first height of `set`.
    /// Costs `O(heights * validators)`; a node keeps the running schedule and
    /// calls [`ProposerPriority::next_height`] instead.
    pub fn after_heights(set: ValidatorSet, heights: u64) -> Self {
        let mut schedule = ProposerPriority::new(set);
        for _ in 0..heights {
            schedule.increment(1);
        }
        schedule
    }

    pub fn set(&self) -> &ValidatorSet {
        &self.set
    }

    /// Priorities in the order of `set().validators()`.
    pub fn priorities(&self) -> &[i64] {
        &self.priorities
    }

    /// The proposer of round 0 at this height.
    pub fn proposer(&self) -> AccountId {
        self.id_at(self.proposer)
    }

    /// The schedule of the next height.
    pub fn next_height(&self) -> Self {
        let mut next = self.clone();
        next.increment(1);
        next
    }

    /// The proposer of `round` at this height. Costs `O(round * validators)`;
    /// use [`ProposerPriority::rounds`] to walk many rounds.
    pub fn proposer_at_round(&self, round: u32) -> AccountId {
        let mut copy = self.clone();
        copy.increment(round);
        copy.proposer()
    }

    /// Proposers of rounds 0, 1, 2, … at this height.
    pub fn rounds(&self) -> RoundProposers {
        RoundProposers {
            base: self.proposer(),
            cursor: None,
            template: self.clone(),
        }
    }

    /// CometBFT `IncrementProposerPriority(times)`; zero times changes nothing.
    pub fn increment(&mut self, times: u32) {
        if times == 0 {
            return;
        }
        self.rescale();
        self.centre();
        for _ in 0..times {
            self.step();
        }
    }

    fn id_at(&self, index: usize) -> AccountId {
        self.set
            .validators()
            .get(index)
            .map(|v| v.id)
            .unwrap_or_default()
    }

    /// Total power as a priority; `MAX_TOTAL_POWER` keeps it inside `i64`.
    fn total_i64(&self) -> i64 {
        i64::try_from(self.set.total_power()).unwrap_or(i64::MAX)
    }

    /// Add each power, choose the highest priority (lowest id on ties), charge it the total.
    fn step(&mut self) {
        let mut best: Option<(usize, i64)> = None;
        for (index, (priority, validator)) in self
            .priorities
            .iter_mut()
            .zip(self.set.validators())
            .enumerate()
        {
            let power = i64::try_from(validator.power).unwrap_or(i64::MAX);
            *priority = priority.saturating_add(power);
            // Validators are sorted by id, so keeping the first maximum breaks ties by id.
            if best.is_none_or(|(_, top)| *priority > top) {
                best = Some((index, *priority));
            }
        }
        if let Some((index, _)) = best {
            let total = self.total_i64();
            if let Some(p) = self.priorities.get_mut(index) {
                *p = p.saturating_sub(total);
            }
            self.proposer = index;
        }
    }

    /// Divide all priorities by `ceil(spread / (2 * total))` when the spread exceeds `2 * total`.
    fn rescale(&mut self) {
        let max_spread = PRIORITY_WINDOW_FACTOR * i128::from(self.set.total_power());
        let (Some(max), Some(min)) = (
            self.priorities.iter().max().copied(),
            self.priorities.iter().min().copied(),
        ) else {
            return;
        };
        let spread = i128::from(max) - i128::from(min);
        if max_spread <= 0 || spread <= max_spread {
            return;
        }
        let ratio = (spread + max_spread - 1) / max_spread;
        for p in &mut self.priorities {
            // Truncating division toward zero, as Go's `/=` does.
            *p = i64::try_from(i128::from(*p) / ratio).unwrap_or(*p);
        }
    }

    /// Subtract the floored average (Go's `big.Int.Div`) from every priority.
    fn centre(&mut self) {
        let sum: i128 = self.priorities.iter().map(|p| i128::from(*p)).sum();
        let count = i128::try_from(self.priorities.len()).unwrap_or(i128::MAX);
        if count == 0 {
            return;
        }
        let average = i64::try_from(sum.div_euclid(count)).unwrap_or(0);
        for p in &mut self.priorities {
            *p = p.saturating_sub(average);
        }
    }
}

/// Iterator over the proposers of successive rounds of one height.
#[derive(Clone, Debug)]
pub struct RoundProposers {
    base: AccountId,
    /// State after the rounds produced so far (`None` before round 1).
    cursor: Option<ProposerPriority>,
    template: ProposerPriority,
}

impl Iterator for RoundProposers {
    type Item = AccountId;

    fn next(&mut self) -> Option<AccountId> {
        match &mut self.cursor {
            None => {
                // Round r is one rescale-and-centre followed by r steps, so the
                // cursor is normalised once and then stepped once per round.
                let mut cursor = self.template.clone();
                cursor.rescale();
                cursor.centre();
                self.cursor = Some(cursor);
                Some(self.base)
            }
            Some(cursor) => {
                cursor.step();
                Some(cursor.proposer())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Validator;

    fn id(name: &str) -> AccountId {
        // Byte order of the names is kept, like CometBFT's raw-address tests.
        let mut bytes = [0u8; 32];
        bytes[..name.len()].copy_from_slice(name.as_bytes());
        AccountId(bytes)
    }

    fn set(members: &[(&str, u64)]) -> ValidatorSet {
        ValidatorSet::new(
            members
                .iter()
                .map(|(name, power)| Validator {
                    id: id(name),
                    power: *power,
                })
                .collect(),
        )
        .unwrap()
    }

    fn name_of(account: AccountId, members: &[(&str, u64)]) -> String {
        members
            .iter()
            .find(|(name, _)| id(name) == account)
            .map(|(name, _)| name.to_string())
            .unwrap()
    }

    /// CometBFT `TestProposerSelection1`: 99 heights of foo:1000, bar:300, baz:330.
    #[test]
    fn matches_cometbft_reference_sequence() {
        let members = [("foo", 1000), ("bar", 300), ("baz", 330)];
        let mut schedule = ProposerPriority::new(set(&members));
        let mut names = Vec::new();
        for _ in 0..99 {
            names.push(name_of(schedule.proposer(), &members));
            schedule = schedule.next_height();
        }
        let expected =
            "foo baz foo bar foo foo baz foo bar foo foo baz foo foo bar foo baz foo foo bar \
foo foo baz foo bar foo foo baz foo bar foo foo baz foo foo bar foo baz foo foo bar \
foo baz foo foo bar foo baz foo foo bar foo baz foo foo foo baz bar foo foo foo baz \
foo bar foo foo baz foo bar foo foo baz foo bar foo foo baz foo bar foo foo baz foo \
foo bar foo baz foo foo bar foo baz foo foo bar foo baz foo foo";
        assert_eq!(names.join(" "), expected);
    }

    #[test]
    fn equal_powers_rotate_in_id_order() {
        let members = [("a", 10), ("b", 10), ("c", 10), ("d", 10)];
        let schedule = ProposerPriority::new(set(&members));
        let names: Vec<_> = schedule
            .rounds()
            .take(8)
            .map(|p| name_of(p, &members))
            .collect();
        assert_eq!(names, ["a", "b", "c", "d", "a", "b", "c", "d"]);
        // Heights advance the same rotation.
        let mut h = schedule.clone();
        let mut by_height = Vec::new();
        for _ in 0..5 {
            by_height.push(name_of(h.proposer(), &members));
            h = h.next_height();
        }
        assert_eq!(by_height, ["a", "b", "c", "d", "a"]);
    }

    /// Exact small sequence, worked by hand from the rules:
    /// powers a:1 b:2 c:3 (total 6) start at 0,0,0.
    ///  step 1: +p -> 1,2,3; c max -> 1,2,-3  => c
    ///  step 2: 2,4,0; b -> 2,-2,0            => b
    ///  step 3: 3,0,3; tie a/c, a lower id -> -3,0,3 => a
    ///  step 4: -2,2,6; c -> -2,2,0           => c
    ///  step 5: -1,4,3; b -> -1,-2,3          => b
    ///  step 6: 0,0,6; c -> 0,0,0             => c
    #[test]
    fn exact_sequence_for_a_small_weighted_set() {
        let members = [("a", 1), ("b", 2), ("c", 3)];
        let schedule = ProposerPriority::new(set(&members));
        let names: Vec<_> = schedule
            .rounds()
            .take(12)
            .map(|p| name_of(p, &members))
            .collect();
        assert_eq!(
            names,
            ["c", "b", "a", "c", "b", "c", "c", "b", "a", "c", "b", "c"]
        );
    }

    #[test]
    fn frequencies_are_proportional_to_power() {
        let members = [("a", 1), ("b", 2), ("c", 3), ("d", 10), ("e", 24)];
        let total: u64 = members.iter().map(|(_, p)| p).sum();
        let schedule = ProposerPriority::new(set(&members));
        let rounds = 40 * total as usize;
        let mut counts = std::collections::BTreeMap::new();
        for p in schedule.rounds().take(rounds) {
            *counts.entry(name_of(p, &members)).or_insert(0u64) += 1;
        }
        for (name, power) in members {
            // Over whole periods of `total` steps each validator proposes exactly `power` times.
            assert_eq!(counts[name], 40 * power, "{name}");
        }
    }

    #[test]
    fn rounds_iterator_agrees_with_proposer_at_round() {
        let members = [("x", 7), ("y", 3), ("z", 5), ("w", 1)];
        let mut schedule = ProposerPriority::new(set(&members));
        for _height in 0..6 {
            let walked: Vec<_> = schedule.rounds().take(20).collect();
            for (round, proposer) in walked.iter().enumerate() {
                assert_eq!(schedule.proposer_at_round(round as u32), *proposer);
            }
            schedule = schedule.next_height();
        }
        assert_eq!(
            ProposerPriority::after_heights(set(&members), 6),
            schedule,
            "after_heights is next_height applied repeatedly"
        );
    }

    #[test]
    fn extreme_powers_stay_in_range_and_rotate() {
        let huge = crate::types::MAX_TOTAL_POWER - 2;
        let members = [("big", huge), ("s1", 1), ("s2", 1)];
        let mut schedule = ProposerPriority::new(set(&members));
        for _ in 0..1000 {
            schedule = schedule.next_height();
            let spread = schedule.priorities().iter().max().unwrap()
                - schedule.priorities().iter().min().unwrap();
            assert!(spread as i128 <= 2 * crate::types::MAX_TOTAL_POWER as i128 + 2);
        }
        // A lone validator always proposes.
        let solo = ProposerPriority::new(set(&[("only", 5)]));
        assert!(solo.rounds().take(10).all(|p| p == id("only")));
    }

    #[test]
    fn rescale_and_centre_follow_cometbft_arithmetic() {
        let mut schedule = ProposerPriority::new(set(&[("a", 1), ("b", 1)]));
        schedule.priorities = vec![-11, 10];
        schedule.rescale();
        // spread 21 > 2*total 4, ratio ceil(21/4) = 6, truncating division.
        assert_eq!(schedule.priorities, vec![-1, 1]);
        schedule.priorities = vec![-3, 0];
        schedule.centre();
        // floor(-3/2) = -2.
        assert_eq!(schedule.priorities, vec![-1, 2]);
    }
}
