//! Fuel-metering overhead and instantiation cost of the executor.
//!
//! Runs the same compute-heavy contract (xorshift arithmetic plus scattered 64-bit
//! loads/stores) through the executor (fuel on) and through an engine with the identical
//! configuration except `consume_fuel(false)`, alternating the two in each round so both
//! see the same machine load, and reports the median per-round ratio. Then it measures an
//! `execute` of an empty contract (store + pooled instance from `InstancePre` + call) and
//! the compile throughput behind the upload charge.
//!
//! `cargo run --release -p hm-executor --example fuel_overhead`

use hm_executor::{
    consensus_engine_config, CallResult, CallStatus, ContractEnv, Entry, EnvError, Executor,
    ExecutorConfig,
};
use hm_primitives::{AccountId, H256};
use std::time::Instant;
use wasmtime::{Engine, Linker, Module, Store};

const ITERATIONS: u32 = 4_000_000;
const ROUNDS: usize = 21;
const EMPTY_CALLS: usize = 3_000;

/// Branchy, call-heavy workload: naive recursive Fibonacci (many tiny basic blocks and a
/// function entry per call, where fuel checks sit).
fn fib_module() -> Vec<u8> {
    wat::parse_str(
        r#"(module
          (memory (export "memory") 1)
          (func $fib (param i32) (result i32)
            (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
              (then (local.get 0))
              (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                             (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
          (func (export "deploy"))
          (func (export "call") (i32.store (i32.const 0) (call $fib (i32.const 27)))))"#,
    )
    .expect("wat")
}

/// Host-call loop: `gas_left` a million times, for the cost of one host call.
fn host_call_module() -> Vec<u8> {
    wat::parse_str(
        r#"(module
          (import "hm" "gas_left" (func $gas (result i64)))
          (memory (export "memory") 1)
          (func (export "deploy"))
          (func (export "call") (local $i i32)
            (loop $l
              (drop (call $gas))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $l (i32.lt_u (local.get $i) (i32.const 1000000))))))"#,
    )
    .expect("wat")
}

fn compute_module() -> Vec<u8> {
    wat::parse_str(format!(
        r#"(module
          (memory (export "memory") 1)
          (func (export "deploy"))
          (func (export "call")
            (local $i i32) (local $x i64) (local $acc i64) (local $addr i32)
            (local.set $x (i64.const 88172645463325252))
            (loop $l
              (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 13))))
              (local.set $x (i64.xor (local.get $x) (i64.shr_u (local.get $x) (i64.const 7))))
              (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 17))))
              (local.set $addr (i32.and (i32.wrap_i64 (local.get $x)) (i32.const 0xfff8)))
              (i64.store (local.get $addr) (i64.add (i64.load (local.get $addr)) (local.get $x)))
              (local.set $acc (i64.add (local.get $acc) (i64.mul (local.get $x) (i64.const 31))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $l (i32.lt_u (local.get $i) (i32.const {ITERATIONS}))))
            (i64.store (i32.const 0) (local.get $acc))))"#
    ))
    .expect("wat")
}

/// A module of roughly `target` bytes of ordinary code, for compile throughput.
fn large_module(target: usize) -> Vec<u8> {
    let mut funcs = String::new();
    let mut i = 0;
    loop {
        funcs.push_str(&format!(
            "(func $f{i} (param i64 i64) (result i64) (local i64)
               (local.set 2 (i64.mul (local.get 0) (i64.const {i})))
               (if (i64.gt_u (local.get 2) (local.get 1))
                 (then (local.set 2 (i64.sub (local.get 2) (local.get 1))))
                 (else (local.set 2 (i64.add (local.get 2) (i64.load (i32.wrap_i64 (local.get 1)))))))
               (i64.store (i32.const 8) (local.get 2))
               (i64.xor (local.get 2) (i64.rotl (local.get 0) (i64.const 7))))"
        ));
        i += 1;
        let code = wat::parse_str(format!(
            r#"(module (memory (export "memory") 1) {funcs}
                (func (export "deploy")) (func (export "call")))"#
        ))
        .expect("wat");
        if code.len() >= target || i >= 1000 {
            return code;
        }
    }
}

struct NullEnv;

impl ContractEnv for NullEnv {
    fn storage_get(&mut self, _: &[u8]) -> Option<Vec<u8>> {
        None
    }
    fn storage_len(&mut self, _: &[u8]) -> Option<u32> {
        None
    }
    fn storage_set(&mut self, _: &[u8], _: &[u8]) -> Result<Option<u32>, EnvError> {
        Ok(None)
    }
    fn storage_remove(&mut self, _: &[u8]) -> Result<Option<u32>, EnvError> {
        Ok(None)
    }
    fn caller(&self) -> AccountId {
        AccountId::default()
    }
    fn address(&self) -> AccountId {
        AccountId::default()
    }
    fn value_transferred(&self) -> u128 {
        0
    }
    fn balance(&mut self) -> u128 {
        0
    }
    fn block_number(&self) -> u64 {
        0
    }
    fn timestamp(&self) -> u64 {
        0
    }
    fn transfer(&mut self, _: &AccountId, _: u128) -> Result<CallStatus, EnvError> {
        Ok(CallStatus::TransferFailed)
    }
    fn deposit_event(&mut self, _: Vec<H256>, _: Vec<u8>) -> Result<(), EnvError> {
        Ok(())
    }
    fn call(&mut self, _: &AccountId, _: u128, _: u64, _: &[u8]) -> Result<CallResult, EnvError> {
        Ok(CallResult {
            status: CallStatus::NotFound,
            output: vec![],
            gas_used: 0,
        })
    }
    fn instantiate(
        &mut self,
        _: &H256,
        _: u128,
        _: u64,
        _: &[u8],
        _: &[u8],
    ) -> Result<(CallResult, AccountId), EnvError> {
        let result = CallResult {
            status: CallStatus::NotFound,
            output: vec![],
            gas_used: 0,
        };
        Ok((result, AccountId::default()))
    }
    fn falcon_verify(&mut self, _: &[u8], _: &[u8], _: &[u8]) -> bool {
        false
    }
    fn debug_log(&mut self, _: &str) {}
    fn code(&mut self, _: &H256) -> Option<Vec<u8>> {
        None
    }
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

struct Overhead {
    /// Metered / same instrumented code without fuel: the cost of fuel alone.
    fuel_ratio: f64,
    /// Metered / the original code without fuel or stack instrumentation: everything the
    /// executor adds to plain wasmtime execution.
    total_ratio: f64,
    metered_ms: f64,
    unmetered_ms: f64,
    raw_ms: f64,
    gas: u64,
}

/// An engine identical to the executor's except without fuel, running `wasm`.
fn unmetered_runner(config: &ExecutorConfig, wasm: &[u8]) -> impl Fn() {
    let mut plain_config = consensus_engine_config(config);
    plain_config.consume_fuel(false);
    let engine = Engine::new(&plain_config).expect("engine");
    let module = Module::from_binary(&engine, wasm).expect("compile");
    let pre = Linker::<()>::new(&engine)
        .instantiate_pre(&module)
        .expect("link");
    move || {
        let mut store = Store::new(&engine, ());
        store.set_epoch_deadline(u64::MAX);
        let instance = pre.instantiate(&mut store).expect("instantiate");
        let call = instance
            .get_typed_func::<(), ()>(&mut store, "call")
            .expect("call");
        call.call(&mut store, ()).expect("run");
    }
}

fn time_ms(f: impl FnOnce()) -> f64 {
    let t = Instant::now();
    f();
    t.elapsed().as_secs_f64() * 1e3
}

/// Rounds alternate the three variants so they share the machine's load; medians of the
/// per-round ratios are reported.
fn fuel_overhead(exec: &Executor, config: &ExecutorConfig, code: &[u8]) -> Overhead {
    let hash = exec.prepare(code).expect("prepare").code_hash;
    let unmetered = unmetered_runner(config, &exec.compiled_form(code).expect("instrument"));
    let raw = unmetered_runner(config, code);
    let gas_limit = 10_000_000_000;
    let mut gas = 0;
    let mut metered = || {
        let out = exec.execute(&hash, Entry::Call, &mut NullEnv, &[], gas_limit);
        assert!(out.result.is_ok(), "{:?}", out.result);
        gas = out.gas_used;
    };
    metered();
    unmetered();
    raw();
    let (mut fuel, mut total, mut m, mut u, mut r) = (vec![], vec![], vec![], vec![], vec![]);
    for _ in 0..ROUNDS {
        let metered_ms = time_ms(&mut metered);
        let unmetered_ms = time_ms(&unmetered);
        let raw_ms = time_ms(&raw);
        fuel.push(metered_ms / unmetered_ms);
        total.push(metered_ms / raw_ms);
        m.push(metered_ms);
        u.push(unmetered_ms);
        r.push(raw_ms);
    }
    Overhead {
        fuel_ratio: median(&mut fuel),
        total_ratio: median(&mut total),
        metered_ms: median(&mut m),
        unmetered_ms: median(&mut u),
        raw_ms: median(&mut r),
        gas,
    }
}

fn main() {
    let config = ExecutorConfig::default();
    let exec = Executor::new(config.clone()).expect("executor");
    let mut summary = Vec::new();
    for (name, code) in [
        ("xorshift+memory", compute_module()),
        ("recursive fib(27)", fib_module()),
    ] {
        let o = fuel_overhead(&exec, &config, &code);
        println!("{name}: {} gas, medians of {ROUNDS} rounds", o.gas);
        println!(
            "  executor {:.2} ms | same code without fuel {:.2} ms | original code, plain wasmtime {:.2} ms",
            o.metered_ms, o.unmetered_ms, o.raw_ms
        );
        println!(
            "  fuel overhead {:.3}x | total executor overhead {:.3}x | {:.2} gas/ns",
            o.fuel_ratio,
            o.total_ratio,
            o.gas as f64 / (o.metered_ms * 1e6)
        );
        summary.push((o.fuel_ratio, o.total_ratio));
    }

    let host = exec
        .prepare(&host_call_module())
        .expect("prepare")
        .code_hash;
    let t = Instant::now();
    let out = exec.execute(&host, Entry::Call, &mut NullEnv, &[], 10_000_000_000);
    assert!(out.result.is_ok(), "{:?}", out.result);
    println!(
        "host call (gas_left) round trip: {:.1} ns",
        t.elapsed().as_nanos() as f64 / 1e6
    );

    let data = vec![7u8; 1 << 20];
    let t = Instant::now();
    let _ = blake3::hash(&data);
    println!(
        "blake3: {:.2} ns/byte",
        t.elapsed().as_nanos() as f64 / data.len() as f64
    );
    let key = hm_crypto::dev_keypair("alice").expect("dev key");
    let sig = key.sign(b"message");
    let t = Instant::now();
    for _ in 0..100 {
        assert!(hm_crypto::falcon::verify_raw(
            key.public().as_bytes(),
            b"message",
            &sig.0
        ));
    }
    println!(
        "falcon-1024 verify: {:.1} µs",
        t.elapsed().as_secs_f64() * 1e4
    );

    let empty = wat::parse_str(
        r#"(module (memory (export "memory") 1) (func (export "deploy")) (func (export "call")))"#,
    )
    .expect("wat");
    let empty_hash = exec.prepare(&empty).expect("prepare").code_hash;
    let mut samples = Vec::with_capacity(EMPTY_CALLS);
    for _ in 0..EMPTY_CALLS {
        let t = Instant::now();
        let out = exec.execute(&empty_hash, Entry::Call, &mut NullEnv, &[], 1_000_000);
        samples.push(t.elapsed().as_secs_f64() * 1e6);
        assert!(out.result.is_ok());
    }
    let inst_us = median(&mut samples);
    println!(
        "instantiate + empty call (InstancePre, pooling): {inst_us:.1} µs median of {EMPTY_CALLS}"
    );

    // Upload charge against measured compile time: ordinary code and the branchiest
    // code (a loop per 7 bytes), which is what `upload_per_control_op` prices.
    let mut loops = String::new();
    for f in 0..16 {
        loops.push_str(&format!(
            "(func $l{f} {})",
            "(loop (br_if 0 (i32.const 0)))".repeat(500)
        ));
    }
    let branchy = wat::parse_str(format!(
        r#"(module (memory (export "memory") 1) {loops} (func (export "deploy")) (func (export "call")))"#
    ))
    .expect("wat");
    let mut compile_ns_per_byte = Vec::new();
    for (name, code) in [("ordinary", large_module(100 * 1024)), ("branchy", branchy)] {
        let fresh = Executor::new(ExecutorConfig {
            pool_instances: 2,
            ..config.clone()
        })
        .expect("executor");
        let t = Instant::now();
        let prepared = fresh.prepare(&code).expect("prepare");
        let ns = t.elapsed().as_nanos() as f64;
        println!(
            "upload {name}: {} bytes in {:.1} ms ({:.0} ns/byte), charged {} gas ({:.1} gas/ns)",
            code.len(),
            ns / 1e6,
            ns / code.len() as f64,
            prepared.upload_gas,
            prepared.upload_gas as f64 / ns,
        );
        compile_ns_per_byte.push(ns / code.len() as f64);
    }
    println!(
        "{{\"fuel_overhead_xorshift\":{:.3},\"fuel_overhead_fib\":{:.3},\"total_overhead_xorshift\":{:.3},\"total_overhead_fib\":{:.3},\"instantiate_us\":{inst_us:.1},\"compile_ns_per_byte\":{:.0},\"compile_ns_per_byte_branchy\":{:.0}}}",
        summary[0].0, summary[1].0, summary[0].1, summary[1].1, compile_ns_per_byte[0], compile_ns_per_byte[1]
    );
}
