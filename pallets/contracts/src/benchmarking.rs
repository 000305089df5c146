//! Benchmarks of the contracts pallet's calls (feature `runtime-benchmarks`), run by the
//! runtime's `bench_weights` (see [`hm_support::bench::COMMAND`]), with the real executor
//! (hm-executor, wasmtime) behind the `ContractEngine` seam, as on a node.
//!
//! The executor charges gas for what depends on the code: its upload gas prices
//! validation and compilation by bytes, functions and control-flow instructions, and
//! execution burns gas per instruction and host call. Both are charged at
//! `WEIGHT_PER_GAS`. So each constant here is what a call costs *beyond its gas*: the
//! measured time minus the weight of the gas the call was charged.
use crate::{
    contract_address, dispatch, upload_base_weight, weights, Call, DispatchOutcome,
    MAX_GAS_PER_EXTRINSIC,
};
use hm_executor::{Executor, ExecutorConfig};
use hm_pallet_caesar::{self as caesar, benchmarking::ED};
use hm_pallet_system::{benchmarking::new_block, Origin};
use hm_primitives::{blake3_256, AccountId, Balance, H256, UNITS};
use hm_support::bench::{
    account, measure, refuse_signatures, BenchConfig, Benchmarks, CountingExt, Measurement,
    POPULATION,
};
use hm_support::Weight;
use std::sync::Arc;

/// Timed runs of the calls that compile nothing.
const RUNS: usize = 2_000;
/// Timed runs of each upload (each compiles a new module).
const UPLOAD_RUNS: usize = 20;
const FUNDS: Balance = 1_000 * UNITS;
/// Value sent with instantiate and call: it moves balance, creating the contract's account.
const VALUE: Balance = 10 * ED;

/// A module shape whose compile time grows with its size, and the two sizes measured.
struct Shape {
    name: &'static str,
    /// The module with `n` repetitions, unique for `run` (a data segment holds it, so the
    /// executor's compile cache never hits and every upload stores new code).
    module: fn(n: usize, run: usize) -> String,
    sizes: [usize; 2],
}

/// The worst cases that are cheap to build: many tiny functions (per-function compile
/// overhead; up to the executor's 1 024 functions), many control-flow instructions
/// (each one an instrumentation point), and long straight-line code (plain bytes).
const SHAPES: [Shape; 3] = [
    Shape {
        name: "tiny functions",
        module: tiny_functions,
        sizes: [100, 1_000],
    },
    Shape {
        name: "branches",
        module: branches,
        sizes: [400, 4_000],
    },
    Shape {
        name: "straight-line code",
        module: straight_line,
        sizes: [1_000, 8_000],
    },
];

/// The smallest valid contract, plus `functions` and a data segment that makes it unique.
fn contract(run: usize, functions: &str) -> String {
    let unique: String = (run as u64)
        .to_le_bytes()
        .iter()
        .map(|b| format!("\\{b:02x}"))
        .collect();
    format!(
        r#"(module (memory (export "memory") 1) (data (i32.const 0) "{unique}")
            (func (export "deploy")) (func (export "call")) {functions})"#
    )
}

fn tiny_functions(n: usize, run: usize) -> String {
    contract(run, &"(func)".repeat(n))
}

fn branches(n: usize, run: usize) -> String {
    contract(run, &format!("(func {})", "(block (br 0))".repeat(n)))
}

fn straight_line(n: usize, run: usize) -> String {
    let step = "(local.set 0 (i32.add (local.get 0) (i32.const 7)))";
    contract(run, &format!("(func (local i32) {})", step.repeat(n)))
}

fn wasm(text: &str) -> Vec<u8> {
    wat::parse_str(text).expect("benchmark module is valid wat")
}

fn engine() -> Arc<Executor> {
    let config = ExecutorConfig {
        pool_instances: 16,
        ..ExecutorConfig::default()
    };
    Arc::new(Executor::new(config).expect("executor"))
}

/// `POPULATION` funded accounts and the executor as the contract engine.
fn populated_state(engine: &Arc<Executor>) -> CountingExt {
    let mut ext = CountingExt::new(refuse_signatures).with_engine(engine.clone());
    caesar::benchmarking::populate(&mut ext, FUNDS, &[]);
    ext
}

fn signed_ok(ext: &mut CountingExt, who: AccountId, call: Call) -> DispatchOutcome {
    let outcome = dispatch(ext, Origin::Signed(who), call, None);
    assert_eq!(outcome.result, Ok(()));
    outcome
}

fn upload(code: Vec<u8>) -> Call {
    Call::UploadCode {
        code,
        storage_deposit_limit: None,
    }
}

/// One measured upload size: the median time and the weight of the gas it was charged.
struct UploadPoint {
    shape: &'static str,
    len: u64,
    median_ps: Weight,
    gas_weight: Weight,
    reads: u64,
    writes: u64,
}

impl UploadPoint {
    /// What the gas does not pay for.
    fn beyond_gas(&self) -> i128 {
        i128::from(self.median_ps) - i128::from(self.gas_weight)
    }
}

fn measure_upload(engine: &Arc<Executor>, runs: usize, shape: &Shape, n: usize) -> UploadPoint {
    let mut codes: Vec<Vec<u8>> = (0..runs).map(|run| wasm(&(shape.module)(n, run))).collect();
    let len = codes[0].len();
    assert!(codes.iter().all(|c| c.len() == len), "one size per point");
    let mut ext = populated_state(engine);
    let mut gas_weight = 0;
    let (median_ps, reads, writes) = measure(&mut ext, runs, new_block, |ext, i| {
        let outcome = signed_ok(
            ext,
            account(0, i as u32),
            upload(std::mem::take(&mut codes[i])),
        );
        let actual = outcome.actual_weight.unwrap_or(Weight::MAX);
        gas_weight = actual.saturating_sub(upload_base_weight(len));
    });
    UploadPoint {
        shape: shape.name,
        len: len as u64,
        median_ps,
        gas_weight,
        reads,
        writes,
    }
}

/// The smallest line `base + per_byte × len` (both ≥ 0) on or above every point's time
/// beyond gas: the steepest slope between two sizes of one shape, then the base that
/// lifts the line over every point.
fn fit(points: &[UploadPoint]) -> (Weight, Weight) {
    let slope = points
        .chunks(2)
        .filter_map(|pair| match pair {
            [small, large] if large.len > small.len => {
                let rise = large.beyond_gas() - small.beyond_gas();
                Some(rise.div_euclid(i128::from(large.len - small.len)) + 1)
            }
            _ => None,
        })
        .max()
        .unwrap_or(0)
        .max(0);
    let base = points
        .iter()
        .map(|p| p.beyond_gas() - slope * i128::from(p.len))
        .max()
        .unwrap_or(0)
        .max(0);
    let clamp = |v: i128| Weight::try_from(v).unwrap_or(Weight::MAX);
    (clamp(base), clamp(slope))
}

fn ms(ps: Weight) -> String {
    format!("{:.2} ms", ps as f64 / 1e9)
}

fn bench_upload(engine: &Arc<Executor>, config: &BenchConfig, items: &mut Vec<Measurement>) {
    let runs = config.runs(UPLOAD_RUNS);
    let points: Vec<UploadPoint> = SHAPES
        .iter()
        .flat_map(|shape| shape.sizes.map(|n| measure_upload(engine, runs, shape, n)))
        .collect();
    let (base, per_byte) = fit(&points);
    let reads = points.iter().map(|p| p.reads).max().unwrap_or(0);
    let writes = points.iter().map(|p| p.writes).max().unwrap_or(0);
    let mut doc = String::from(
        "`upload_code` beyond its upload gas (validation and compilation, charged by the\n\
         executor per byte, function and control-flow instruction): hashing, the deposit,\n\
         storing. Fitted with `UPLOAD_CODE_PER_BYTE` over whole uploads (validation and\n\
         compilation included) of these worst cases, so that base + per byte + gas covers each:",
    );
    for p in &points {
        doc.push_str(&format!(
            "\n- {} of {} bytes: {} measured, {} of it charged as gas.",
            p.shape,
            p.len,
            ms(p.median_ps),
            ms(p.gas_weight)
        ));
    }
    items.push(Measurement::new("UPLOAD_CODE", doc, (base, reads, writes)));
    items.push(Measurement::new(
        "UPLOAD_CODE_PER_BYTE",
        "`upload_code`, per code byte beyond its upload gas (see `UPLOAD_CODE`).",
        (per_byte, 0, 0),
    ));
}

/// The smallest contract's code, uploaded by `account(0, 0)`.
fn minimal_code(ext: &mut CountingExt) -> H256 {
    let code = wasm(&contract(0, ""));
    let code_hash = blake3_256(&code);
    signed_ok(ext, account(0, 0), upload(code));
    code_hash
}

fn instantiate(code_hash: H256, salt: usize) -> Call {
    Call::Instantiate {
        code_hash,
        value: VALUE,
        gas_limit: MAX_GAS_PER_EXTRINSIC,
        storage_deposit_limit: None,
        input: Vec::new(),
        salt: (salt as u64).to_le_bytes().to_vec(),
    }
}

/// Time `call` minus the weight of the gas it burned (`actual_weight` less `base`, the
/// constant the pallet adds to it).
fn measure_beyond_gas(
    ext: &mut CountingExt,
    runs: usize,
    base: Weight,
    mut call: impl FnMut(usize) -> (AccountId, Call),
) -> (Weight, u64, u64) {
    let mut gas_weight = 0;
    let (median_ps, reads, writes) = measure(ext, runs, new_block, |ext, i| {
        let (who, call) = call(i);
        let actual = signed_ok(ext, who, call)
            .actual_weight
            .unwrap_or(Weight::MAX);
        gas_weight = actual.saturating_sub(base);
    });
    (median_ps.saturating_sub(gas_weight), reads, writes)
}

fn bench_calls(engine: &Arc<Executor>, config: &BenchConfig, items: &mut Vec<Measurement>) {
    let runs = config.runs(RUNS);

    // Each run removes code uploaded (untimed) by the run's account.
    let codes: Vec<Vec<u8>> = (0..runs).map(|i| wasm(&contract(i, ""))).collect();
    let hashes: Vec<H256> = codes.iter().map(|c| blake3_256(c)).collect();
    let mut ext = populated_state(engine);
    let prepare = |ext: &mut CountingExt, i: usize| {
        new_block(ext, i);
        signed_ok(ext, account(0, i as u32), upload(codes[i].clone()));
    };
    let m = measure(&mut ext, runs, prepare, |ext, i| {
        let code_hash = hashes[i];
        signed_ok(ext, account(0, i as u32), Call::RemoveCode { code_hash });
    });
    items.push(Measurement::new(
        "REMOVE_CODE",
        "`remove_code`: the deposit returned, the code and its record removed.",
        m,
    ));

    let mut ext = populated_state(engine);
    let code_hash = minimal_code(&mut ext);
    let m = measure_beyond_gas(&mut ext, runs, weights::INSTANTIATE, |i| {
        (account(0, i as u32), instantiate(code_hash, i))
    });
    items.push(Measurement::new(
        "INSTANTIATE",
        "`instantiate` beyond the gas its `deploy` burns (charged at `WEIGHT_PER_GAS`): the\n\
         smallest contract with a value that creates its account, minus its gas's weight.",
        m,
    ));

    let mut ext = populated_state(engine);
    let code_hash = minimal_code(&mut ext);
    let deployer = account(0, 0);
    signed_ok(&mut ext, deployer, instantiate(code_hash, 0));
    let dest = contract_address(&deployer, &code_hash, &0u64.to_le_bytes());
    let m = measure_beyond_gas(&mut ext, runs, weights::CALL, |i| {
        let call = Call::Call {
            dest,
            value: VALUE,
            gas_limit: MAX_GAS_PER_EXTRINSIC,
            storage_deposit_limit: None,
            input: Vec::new(),
        };
        (account(0, i as u32), call)
    });
    items.push(Measurement::new(
        "CALL",
        "`call` beyond the gas the contract burns (charged at `WEIGHT_PER_GAS`): the smallest\n\
         contract, with a value, minus its gas's weight.",
        m,
    ));
}

pub fn benchmarks(config: &BenchConfig) -> Benchmarks {
    let engine = engine();
    let mut items = Vec::new();
    bench_upload(&engine, config, &mut items);
    bench_calls(&engine, config, &mut items);
    Benchmarks {
        title: "Weights of the contracts pallet's calls, beyond the gas they are charged",
        method: vec![
            format!(
                "weight = median time ({} runs; {} per upload size, each compiling new code) with",
                config.runs(RUNS),
                config.runs(UPLOAD_RUNS)
            ),
            "the real executor (wasmtime, parallel compilation on the CPUs below) against an".into(),
            format!(
                "in-memory state of {POPULATION} accounts, minus the weight of the gas charged, plus"
            ),
        ],
        items,
    }
}
