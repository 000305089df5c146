//! Measures submission throughput with many concurrent submitters.
//!
//! The validator stands in for the runtime: it spins for `--verify-us`
//! microseconds per call (Falcon-1024 verification is ~100 µs on the reference
//! machines). With validation outside the pool lock, throughput should scale with
//! cores; with `--verify-us 0` it shows the cost of the pool's own bookkeeping.
//!
//! `cargo run --release -p hm-txpool --example submit_throughput -- [threads] [per_thread] [verify_us]`
use hm_client_api::{TransactionPoolApi, TransactionValidator};
use hm_primitives::{AccountId, BlockNumber, InvalidTransaction, Nonce, ValidTransaction};
use hm_txpool::{PoolConfig, TransactionPool};
use std::sync::Arc;
use std::time::{Duration, Instant};

struct SpinningValidator {
    verify: Duration,
}

fn field(xt: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(xt.get(at..at + 8)?.try_into().ok()?))
}

impl TransactionValidator for SpinningValidator {
    fn validate(&self, xt: &[u8]) -> Result<ValidTransaction, InvalidTransaction> {
        let start = Instant::now();
        while start.elapsed() < self.verify {
            std::hint::spin_loop();
        }
        let sender = field(xt, 0).ok_or(InvalidTransaction::Malformed)?;
        let nonce = field(xt, 8).ok_or(InvalidTransaction::Malformed)?;
        let mut id = [0u8; 32];
        id[..8].copy_from_slice(&sender.to_le_bytes());
        Ok(ValidTransaction {
            sender: AccountId(id),
            nonce,
            account_nonce: 0,
            priority: sender % 7,
            valid_until: BlockNumber::MAX,
            fee: 0,
        })
    }

    fn account_nonce(&self, _who: &AccountId) -> Nonce {
        0
    }

    fn best_number(&self) -> BlockNumber {
        0
    }
}

fn arg(n: usize, default: u64) -> u64 {
    std::env::args()
        .nth(n)
        .and_then(|a| a.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let threads = arg(1, 4);
    let per_thread = arg(2, 2000);
    let verify = Duration::from_micros(arg(3, 100));
    let config = PoolConfig {
        max_count: 1 << 20,
        max_bytes: 1 << 30,
        ..PoolConfig::default()
    };
    let pool = Arc::new(TransactionPool::new(
        config,
        Arc::new(SpinningValidator { verify }),
    ));
    // 16 transactions per sender, 300-byte payloads.
    let batches: Vec<Vec<Vec<u8>>> = (0..threads)
        .map(|t| {
            (0..per_thread)
                .map(|i| {
                    let sender = (t << 32) + i / 16;
                    let mut xt = sender.to_le_bytes().to_vec();
                    xt.extend_from_slice(&(i % 16).to_le_bytes());
                    xt.resize(300, 7);
                    xt
                })
                .collect()
        })
        .collect();
    let start = Instant::now();
    std::thread::scope(|scope| {
        for batch in batches {
            let pool = &pool;
            scope.spawn(move || {
                for xt in batch {
                    pool.submit(xt).expect("accepted");
                }
            });
        }
    });
    let elapsed = start.elapsed();
    let total = threads * per_thread;
    let status = pool.status();
    assert_eq!(status.ready as u64, total);
    let block_start = Instant::now();
    let block = pool.ready_for_block(10_000, 16 << 20);
    let block_elapsed = block_start.elapsed();
    println!(
        "{threads} threads, {total} submits, verify {verify:?}: {:.0} submits/s ({:.1} µs each); \
         ready_for_block picked {} of {} in {block_elapsed:?}",
        total as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1e6 / total as f64,
        block.len(),
        status.ready,
    );
}
