//! Phase 1: raw Falcon-1024 throughput on this machine, the ceiling for a node
//! that verifies one signature per transaction.
use anyhow::{bail, Context};
use hm_crypto::{falcon::verify_raw, Keypair};
use rayon::prelude::*;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Distinct messages signed up front, so verification does not re-check one
/// message that may sit warm in a cache.
const SAMPLE_MESSAGES: usize = 64;

#[derive(Clone, Copy, Debug)]
pub struct FalconCeiling {
    /// Verifications per second on one thread: the figure the chain is held to.
    pub verify_per_s: f64,
    /// Verifications per second with every rayon thread busy.
    pub verify_per_s_all_cores: f64,
    pub threads: usize,
    /// Signatures per second on one thread.
    pub sign_per_s: f64,
}

struct Sample {
    public: Vec<u8>,
    messages: Vec<[u8; 32]>,
    signatures: Vec<Vec<u8>>,
}

impl Sample {
    fn new() -> Self {
        let kp = Keypair::generate();
        let messages: Vec<[u8; 32]> = (0..SAMPLE_MESSAGES as u64)
            .map(|i| hm_primitives::blake3_256(&i.to_le_bytes()).0)
            .collect();
        let signatures = messages.iter().map(|m| kp.sign(m).0).collect();
        Sample {
            public: kp.public().as_bytes().to_vec(),
            messages,
            signatures,
        }
    }

    /// Verify round-robin until `min` has passed; returns (verifications, elapsed).
    fn verify_for(&self, min: Duration) -> anyhow::Result<(u64, Duration)> {
        let start = Instant::now();
        let mut done = 0u64;
        loop {
            for (m, s) in self.messages.iter().zip(&self.signatures) {
                if !black_box(verify_raw(
                    black_box(&self.public),
                    black_box(m),
                    black_box(s),
                )) {
                    bail!("a valid Falcon-1024 signature failed to verify; the crypto build is broken");
                }
            }
            done += self.messages.len() as u64;
            let elapsed = start.elapsed();
            if elapsed >= min {
                return Ok((done, elapsed));
            }
        }
    }
}

fn per_second(count: u64, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64().max(f64::MIN_POSITIVE)
}

/// Measure verify/s on one thread and on all cores for at least `min` each, and
/// sign/s on one thread for at least half of `min`.
pub fn measure(min: Duration) -> anyhow::Result<FalconCeiling> {
    let sample = Sample::new();
    let (n, t) = sample.verify_for(min)?;
    let verify_per_s = per_second(n, t);

    let threads = rayon::current_num_threads();
    let results: Vec<(u64, Duration)> = (0..threads)
        .into_par_iter()
        .map(|_| sample.verify_for(min))
        .collect::<anyhow::Result<_>>()?;
    let total: u64 = results.iter().map(|(n, _)| n).sum();
    let longest = results
        .iter()
        .map(|(_, t)| *t)
        .max()
        .context("rayon ran no threads")?;
    let verify_per_s_all_cores = per_second(total, longest);

    let kp = Keypair::generate();
    let sign_min = min / 2;
    let start = Instant::now();
    let mut signed = 0u64;
    while start.elapsed() < sign_min {
        for m in &sample.messages {
            black_box(kp.sign(black_box(m)));
        }
        signed += sample.messages.len() as u64;
    }
    let sign_per_s = per_second(signed, start.elapsed());

    Ok(FalconCeiling {
        verify_per_s,
        verify_per_s_all_cores,
        threads,
        sign_per_s,
    })
}
