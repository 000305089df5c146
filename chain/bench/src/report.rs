//! Phase 6: turning submit and finalization instants into the headline figures.
use crate::follow::BlockSeen;
use crate::load::BatchOutcome;

/// Figures of the measured load.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LoadFigures {
    pub accepted: usize,
    pub refused: usize,
    pub not_sent: usize,
    pub finalized: usize,
    /// Accepted transactions per second of submission.
    pub accepted_per_s: f64,
    /// Finalized transactions per second from the first submission to the last finalization.
    pub finalized_tps: f64,
    pub submit_secs: f64,
    pub run_secs: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub mean_ms: f64,
    pub max_ms: f64,
    /// Blocks finalized during the run.
    pub blocks: usize,
    pub blocks_per_s: f64,
    pub mean_txs_per_block: f64,
    pub max_txs_per_block: usize,
    /// Numbers of the first and last block of the run.
    pub block_range: Option<(u64, u64)>,
    /// Extrinsics in those blocks that were not ours (inherents, other users).
    pub other_extrinsics: usize,
}

fn secs(ns: u64) -> f64 {
    ns as f64 / 1e9
}

fn ms(ns: u64) -> f64 {
    ns as f64 / 1e6
}

fn ratio(num: f64, den: f64) -> f64 {
    if den > 0.0 {
        num / den
    } else {
        0.0
    }
}

/// Nearest-rank percentile of sorted values (`p` in 0..=100).
pub fn percentile(sorted: &[u64], p: u32) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (sorted.len() * p.min(100) as usize).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

/// Latencies (submit → finalization announced) in ns, sorted, and the run window.
fn latencies(outcome: &BatchOutcome) -> (Vec<u64>, Option<u64>, Option<u64>) {
    let t = &outcome.tracked;
    let mut lat = Vec::with_capacity(t.finalized());
    let mut last_final: Option<u64> = None;
    for id in 0..t.len() {
        if let (Some(sub), Some(fin)) = t.times(id) {
            lat.push(fin.saturating_sub(sub));
            last_final = last_final.max(Some(fin));
        }
    }
    lat.sort_unstable();
    (lat, outcome.submit.first_submit_ns, last_final)
}

/// Blocks announced within (start, end]: the blocks the run occupied.
fn run_blocks(blocks: &[BlockSeen], start: u64, end: u64) -> impl Iterator<Item = &BlockSeen> {
    blocks
        .iter()
        .filter(move |b| b.seen_ns > start && b.seen_ns <= end)
}

pub fn summarize(outcome: &BatchOutcome) -> LoadFigures {
    let (lat, first, last_final) = latencies(outcome);
    let s = &outcome.submit;
    let mut f = LoadFigures {
        accepted: s.accepted,
        refused: s.failed,
        not_sent: s.not_sent,
        finalized: outcome.tracked.finalized(),
        ..LoadFigures::default()
    };
    let Some(first) = first else { return f };
    let submit_ns = s.last_response_ns.unwrap_or(first).saturating_sub(first);
    f.submit_secs = secs(submit_ns);
    f.accepted_per_s = ratio(s.accepted as f64, f.submit_secs);
    if let Some(end) = last_final {
        f.run_secs = secs(end.saturating_sub(first));
        f.finalized_tps = ratio(f.finalized as f64, f.run_secs);
        let blocks: Vec<&BlockSeen> = run_blocks(&outcome.follow.blocks, first, end).collect();
        f.blocks = blocks.len();
        f.blocks_per_s = ratio(f.blocks as f64, f.run_secs);
        let matched: usize = blocks.iter().map(|b| b.matched).sum();
        f.mean_txs_per_block = ratio(matched as f64, f.blocks as f64);
        f.max_txs_per_block = blocks.iter().map(|b| b.matched).max().unwrap_or(0);
        f.block_range = blocks
            .first()
            .zip(blocks.last())
            .map(|(a, b)| (a.number, b.number));
        f.other_extrinsics = blocks
            .iter()
            .map(|b| b.extrinsics.saturating_sub(b.matched))
            .sum();
    }
    if !lat.is_empty() {
        f.p50_ms = percentile(&lat, 50).map(ms).unwrap_or(0.0);
        f.p99_ms = percentile(&lat, 99).map(ms).unwrap_or(0.0);
        f.max_ms = lat.last().copied().map(ms).unwrap_or(0.0);
        f.mean_ms = ms(lat.iter().sum::<u64>() / lat.len() as u64);
    }
    f
}

/// Round for display in JSON: two decimals are plenty for rates and milliseconds.
pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::follow::{FollowOutcome, Tracked};
    use crate::load::SubmitStats;
    use hm_primitives::H256;
    use std::sync::Arc;

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&v, 50), Some(50));
        assert_eq!(percentile(&v, 99), Some(99));
        assert_eq!(percentile(&v, 100), Some(100));
        assert_eq!(percentile(&v, 0), Some(1));
        assert_eq!(percentile(&[7], 99), Some(7));
        assert_eq!(percentile(&[], 50), None);
        assert_eq!(percentile(&v, 1000), Some(100));
    }

    #[test]
    fn empty_outcome_reports_zeroes() {
        let tracked = Arc::new(Tracked::new(&[H256([1; 32])], 1));
        let o = BatchOutcome {
            tracked,
            submit: SubmitStats::default(),
            follow: FollowOutcome::default(),
        };
        let f = summarize(&o);
        assert_eq!(f, LoadFigures::default());
    }

    #[test]
    fn blocks_outside_the_run_are_ignored() {
        let b = |number, seen_ns| BlockSeen {
            number,
            seen_ns,
            extrinsics: 1,
            matched: 1,
        };
        let blocks = [b(1, 5), b(2, 10), b(3, 20), b(4, 30)];
        let inside: Vec<u64> = run_blocks(&blocks, 5, 20).map(|b| b.number).collect();
        assert_eq!(inside, vec![2, 3]);
    }

    #[test]
    fn rounding_and_ratios() {
        assert_eq!(round2(1.23456), 1.23);
        assert_eq!(ratio(1.0, 0.0), 0.0);
        assert_eq!(ratio(3.0, 2.0), 1.5);
    }
}
