//! Speed of the four-proof primitives on this machine, with a same-run
//! baseline (raw BLAKE3 over 32 bytes), and the parameters they imply:
//! `T` for ~100 ms of PoH and the PoW difficulty for a ~10 ms median solve.
//!
//! `cargo run --release -p hm-proofs --example proof_speed [plot_k]`
use hm_primitives::{AccountId, H256};
use hm_proofs::{
    create_plot, plot_seed, space, time, work, ConsensusProof, PlotStore, ProofParams,
    VerifyInputs, WorkTarget,
};
use std::time::{Duration, Instant};

/// Best of `runs` (least disturbed by other processes on a shared machine).
fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = None;
    let mut out = None;
    for _ in 0..runs {
        let start = Instant::now();
        let value = f();
        let took = start.elapsed();
        if best.is_none_or(|b| took < b) {
            best = Some(took);
        }
        out = Some(value);
    }
    (best.unwrap_or_default(), out.expect("runs >= 1"))
}

fn per_sec(count: u64, took: Duration) -> f64 {
    count as f64 / took.as_secs_f64()
}

fn main() {
    let plot_k: u8 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(16);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "cores: {cores}, rayon threads: {}",
        rayon::current_num_threads()
    );

    // Baseline: raw BLAKE3 of a 32-byte input, single core, chained so the
    // compiler cannot skip work (the same dependency PoH has).
    let n = 2_000_000u64;
    let (took, _) = best_of(5, || {
        let mut h = [7u8; 32];
        for _ in 0..n {
            h = *blake3::hash(&h).as_bytes();
        }
        h
    });
    let raw_rate = per_sec(n, took);
    println!(
        "baseline raw blake3(32 B):   {:>12.0} hashes/s (1 core)",
        raw_rate
    );

    // PoH generation (k = 0 → one segment) on one core.
    let seed = time::poh_seed(&H256([1; 32]), &H256([2; 32]));
    let (took, _) = best_of(5, || time::generate(&seed, n, 0).expect("params"));
    let poh_rate = per_sec(n, took);
    println!(
        "PoH generate:                {:>12.0} iterations/s ({:.2}x baseline)",
        poh_rate,
        poh_rate / raw_rate
    );
    let t_100ms = (poh_rate * 0.100) as u64;
    println!("  => T for ~100 ms of PoH:   {t_100ms}");

    // Parallel verification speedup for several checkpoint counts.
    let (t_gen, _) = best_of(3, || time::generate(&seed, t_100ms, 0).expect("params"));
    println!(
        "  generate T={t_100ms}: {:.1} ms",
        t_gen.as_secs_f64() * 1e3
    );
    for k in [1u32, 3, 7, 15] {
        let proof = time::generate(&seed, t_100ms, k).expect("params");
        let (seq, r) = best_of(3, || time::verify_sequential(&seed, t_100ms, k, &proof));
        r.expect("valid proof");
        let (par, r) = best_of(3, || time::verify(&seed, t_100ms, k, &proof));
        r.expect("valid proof");
        println!(
            "  verify k={k:>2}: sequential {:6.1} ms, parallel {:6.1} ms, speedup {:.2}x",
            seq.as_secs_f64() * 1e3,
            par.as_secs_f64() * 1e3,
            seq.as_secs_f64() / par.as_secs_f64()
        );
    }

    // PoW: hash rate against an unreachable target, then the difficulty for
    // a ~10 ms median (median tries = ln 2 · difficulty), checked empirically.
    let pre_seal = H256([9; 32]);
    let impossible = WorkTarget(H256::ZERO);
    let (took, found) = best_of(5, || work::solve(&pre_seal, &impossible, n));
    assert!(found.is_none());
    let pow_rate = per_sec(n, took);
    println!(
        "PoW search:                  {:>12.0} hashes/s ({:.2}x baseline)",
        pow_rate,
        pow_rate / raw_rate
    );
    let difficulty = (pow_rate * 0.010 / std::f64::consts::LN_2) as u64;
    let target = WorkTarget::from_difficulty(difficulty).expect("difficulty >= 1");
    let mut solve_ms: Vec<f64> = (0..301u64)
        .map(|i| {
            let pre = H256(*blake3::hash(&i.to_le_bytes()).as_bytes());
            let start = Instant::now();
            work::solve(&pre, &target, u64::MAX).expect("a nonce exists");
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    solve_ms.sort_by(f64::total_cmp);
    println!(
        "  => difficulty {difficulty} (~{:.1} zero bits): solve median {:.2} ms, p90 {:.2} ms over 301 headers",
        (difficulty as f64).log2(),
        solve_ms[150],
        solve_ms[270]
    );

    // Plot build, validate, open and verify.
    let dir = tempfile::tempdir().expect("temp dir");
    let proposer = AccountId([5; 32]);
    let pseed = plot_seed(&proposer);
    let start = Instant::now();
    let plot = create_plot(dir.path(), &pseed, plot_k, false).expect("plot");
    let build = start.elapsed();
    let leaves = 1u64 << plot_k;
    let bytes = std::fs::metadata(plot.path()).map_or(0, |m| m.len());
    println!(
        "plot k={plot_k}: built in {:.1} ms, {:.0} leaves/s, {:.1} MiB/s written ({:.1} MiB)",
        build.as_secs_f64() * 1e3,
        per_sec(leaves, build),
        bytes as f64 / build.as_secs_f64() / (1 << 20) as f64,
        bytes as f64 / (1 << 20) as f64
    );
    let (took, r) = best_of(1, || plot.verify_contents(false));
    r.expect("fresh plot validates");
    println!("  full validation: {:.1} ms", took.as_secs_f64() * 1e3);

    let params = ProofParams {
        poh_iterations: t_100ms.max(2),
        poh_checkpoints: 7,
        plot_k,
        openings: 8,
        work_difficulty: difficulty.max(1),
    };
    let parent_hash = H256([3; 32]);
    let parent_out = H256([4; 32]);
    let start = Instant::now();
    let proof: ConsensusProof = hm_proofs::prove(
        &params,
        &parent_hash,
        &parent_out,
        &proposer,
        &plot,
        u64::MAX,
        |_, _| pre_seal,
    )
    .expect("prove");
    let prove_took = start.elapsed();
    let inputs = VerifyInputs {
        parent_hash,
        parent_time_output: parent_out,
        proposer,
        plot_root: plot.root(),
        plot_seed: pseed,
        pre_seal,
    };
    let (verify_took, r) = best_of(3, || proof.verify(&params, &inputs));
    r.expect("valid proof");
    let indices = space::challenge_indices(&parent_hash, &proof.time.output, &proposer, plot_k, 8)
        .expect("params");
    let (open_took, _) = best_of(5, || space::open(&plot, &indices).expect("open"));
    let (space_took, _) = best_of(5, || {
        space::verify_at(&plot.root(), &pseed, plot_k, &indices, &proof.space)
    });
    println!(
        "ConsensusProof {:?}: prove {:.1} ms, verify {:.1} ms; open m=8 {:.3} ms, PoSpace verify {:.3} ms; {} bytes",
        params,
        prove_took.as_secs_f64() * 1e3,
        verify_took.as_secs_f64() * 1e3,
        open_took.as_secs_f64() * 1e3,
        space_took.as_secs_f64() * 1e3,
        parity_scale_codec::Encode::encoded_size(&proof)
    );
}
