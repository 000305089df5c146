//! In-process executor figures for `hypermesh-bench contracts`: the cost of fuel metering
//! (the same instrumented module on the consensus engine with `consume_fuel` on and off)
//! and how long instantiating a contract takes from each cache level (compiled from its
//! stored code, loaded from the disk cache, or already in memory).
use anyhow::{bail, Context};
use hm_executor::{
    consensus_engine_config, CallResult, CallStatus, ContractEnv, Entry, EnvError, Executor,
    ExecutorConfig,
};
use hm_primitives::{AccountId, H256};
use std::collections::BTreeMap;
use std::time::Instant;
use wasmtime::{Engine, Linker, Module, Store};

/// Gas for the compute kernels: far more than they use.
const KERNEL_GAS: u64 = 10_000_000_000;
/// Gas for a token deploy.
const DEPLOY_GAS: u64 = 50_000_000;

/// Contract state in memory: storage per contract, the code the executor may recompile.
#[derive(Default)]
struct MemWorld {
    storage: BTreeMap<(AccountId, Vec<u8>), Vec<u8>>,
    codes: BTreeMap<H256, Vec<u8>>,
    events: usize,
}

/// One frame over a [`MemWorld`]; nested calls find nothing.
struct MemEnv<'a> {
    world: &'a mut MemWorld,
    caller: AccountId,
    address: AccountId,
}

impl ContractEnv for MemEnv<'_> {
    fn storage_get(&mut self, key: &[u8]) -> Option<Vec<u8>> {
        self.world
            .storage
            .get(&(self.address, key.to_vec()))
            .cloned()
    }
    fn storage_len(&mut self, key: &[u8]) -> Option<u32> {
        let v = self.world.storage.get(&(self.address, key.to_vec()))?;
        u32::try_from(v.len()).ok()
    }
    fn storage_set(&mut self, key: &[u8], value: &[u8]) -> Result<Option<u32>, EnvError> {
        let old = self
            .world
            .storage
            .insert((self.address, key.to_vec()), value.to_vec());
        Ok(old.and_then(|v| u32::try_from(v.len()).ok()))
    }
    fn storage_remove(&mut self, key: &[u8]) -> Result<Option<u32>, EnvError> {
        let old = self.world.storage.remove(&(self.address, key.to_vec()));
        Ok(old.and_then(|v| u32::try_from(v.len()).ok()))
    }
    fn caller(&self) -> AccountId {
        self.caller
    }
    fn address(&self) -> AccountId {
        self.address
    }
    fn value_transferred(&self) -> u128 {
        0
    }
    fn balance(&mut self) -> u128 {
        0
    }
    fn block_number(&self) -> u64 {
        1
    }
    fn timestamp(&self) -> u64 {
        0
    }
    fn transfer(&mut self, _: &AccountId, _: u128) -> Result<CallStatus, EnvError> {
        Ok(CallStatus::TransferFailed)
    }
    fn deposit_event(&mut self, _: Vec<H256>, _: Vec<u8>) -> Result<(), EnvError> {
        self.world.events += 1;
        Ok(())
    }
    fn call(&mut self, _: &AccountId, _: u128, _: u64, _: &[u8]) -> Result<CallResult, EnvError> {
        Ok(nothing_there())
    }
    fn instantiate(
        &mut self,
        _: &H256,
        _: u128,
        _: u64,
        _: &[u8],
        _: &[u8],
    ) -> Result<(CallResult, AccountId), EnvError> {
        Ok((nothing_there(), AccountId::default()))
    }
    fn falcon_verify(&mut self, _: &[u8], _: &[u8], _: &[u8]) -> bool {
        false
    }
    fn debug_log(&mut self, _: &str) {}
    fn code(&mut self, code_hash: &H256) -> Option<Vec<u8>> {
        self.world.codes.get(code_hash).cloned()
    }
}

fn nothing_there() -> CallResult {
    CallResult {
        status: CallStatus::NotFound,
        output: Vec::new(),
        gas_used: 0,
    }
}

pub fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(|a, b| a.total_cmp(b));
    values[values.len() / 2]
}

fn ratio(num: f64, den: f64) -> f64 {
    if den > 0.0 {
        num / den
    } else {
        0.0
    }
}

/// Fuel on against fuel off for one kernel.
#[derive(Clone, Debug)]
pub struct FuelOverhead {
    pub kernel: &'static str,
    pub gas: u64,
    pub metered_ms: f64,
    pub unmetered_ms: f64,
    /// Median of the per-round ratios metered / unmetered.
    pub ratio: f64,
}

/// Instantiation (store + instance + the token's `deploy`) by cache level, medians in µs.
#[derive(Clone, Debug)]
pub struct Instantiation {
    /// Validating and compiling the token at upload.
    pub upload_ms: f64,
    /// First instantiation on a node without the artifact: recompiled from stored code.
    pub compile_us: f64,
    /// First instantiation after a restart: artifact loaded from the disk cache.
    pub disk_us: f64,
    /// A second contract from the same code hash: artifact in memory.
    pub cached_us: f64,
}

#[derive(Clone, Debug)]
pub struct ExecFigures {
    pub fuel: Vec<FuelOverhead>,
    pub instantiation: Instantiation,
    pub rounds: usize,
}

/// Compute-heavy kernels: straight-line arithmetic with memory traffic, and call-heavy
/// recursion (a function entry and a branch per few instructions, where fuel checks sit).
fn kernels() -> anyhow::Result<Vec<(&'static str, Vec<u8>)>> {
    let xorshift = wat::parse_str(
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
              (br_if $l (i32.lt_u (local.get $i) (i32.const 8000000))))
            (i64.store (i32.const 0) (local.get $acc))))"#,
    )?;
    let fib = wat::parse_str(
        r#"(module
          (memory (export "memory") 1)
          (func $fib (param i32) (result i32)
            (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
              (then (local.get 0))
              (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                             (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
          (func (export "deploy"))
          (func (export "call") (i32.store (i32.const 0) (call $fib (i32.const 27)))))"#,
    )?;
    Ok(vec![
        ("xorshift+memory", xorshift),
        ("recursive fib(27)", fib),
    ])
}

fn time_ms(f: impl FnOnce() -> anyhow::Result<()>) -> anyhow::Result<f64> {
    let t = Instant::now();
    f()?;
    Ok(t.elapsed().as_secs_f64() * 1e3)
}

/// The same wasm the executor runs (validated and stack-instrumented), on an engine
/// configured exactly like the executor's except `consume_fuel(false)`.
fn unmetered(
    config: &ExecutorConfig,
    wasm: &[u8],
) -> anyhow::Result<impl Fn() -> anyhow::Result<()>> {
    // wasmtime's error type is not `std::error::Error`; keep its full chain as text.
    fn wt<T>(r: wasmtime::Result<T>) -> anyhow::Result<T> {
        r.map_err(|e| anyhow::anyhow!("{e:#}"))
    }
    let mut engine_config = consensus_engine_config(config);
    engine_config.consume_fuel(false);
    let engine = wt(Engine::new(&engine_config))?;
    let module = wt(Module::from_binary(&engine, wasm))?;
    let pre = wt(Linker::<()>::new(&engine).instantiate_pre(&module))?;
    Ok(move || {
        let mut store = Store::new(&engine, ());
        store.set_epoch_deadline(u64::MAX);
        let instance = wt(pre.instantiate(&mut store))?;
        let call = wt(instance.get_typed_func::<(), ()>(&mut store, "call"))?;
        wt(call.call(&mut store, ()))
    })
}

fn fuel_overhead(
    exec: &Executor,
    name: &'static str,
    code: &[u8],
    rounds: usize,
) -> anyhow::Result<FuelOverhead> {
    let hash = exec.prepare(code).context("kernel upload")?.code_hash;
    let plain = unmetered(exec.config(), &exec.compiled_form(code)?)?;
    let mut world = MemWorld::default();
    let mut gas = 0;
    let mut metered = || -> anyhow::Result<()> {
        let mut env = MemEnv {
            world: &mut world,
            caller: AccountId::default(),
            address: AccountId([1; 32]),
        };
        let out = exec.execute(&hash, Entry::Call, &mut env, &[], KERNEL_GAS);
        if let Err(e) = out.result {
            bail!("{name}: {e}");
        }
        gas = out.gas_used;
        Ok(())
    };
    // Warm both up, then alternate so both see the same machine load.
    metered()?;
    plain()?;
    let (mut ratios, mut on, mut off) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        let m = time_ms(&mut metered)?;
        let u = time_ms(&plain)?;
        ratios.push(ratio(m, u));
        on.push(m);
        off.push(u);
    }
    Ok(FuelOverhead {
        kernel: name,
        gas,
        metered_ms: median(&mut on),
        unmetered_ms: median(&mut off),
        ratio: median(&mut ratios),
    })
}

fn small_executor(cache_dir: Option<&std::path::Path>) -> anyhow::Result<Executor> {
    Ok(Executor::new(ExecutorConfig {
        pool_instances: 8,
        cache_dir: cache_dir.map(ToOwned::to_owned),
        ..ExecutorConfig::default()
    })?)
}

/// Deploy the token at `address` and return the time it took in µs.
fn deploy_us(
    exec: &Executor,
    world: &mut MemWorld,
    hash: &H256,
    address: AccountId,
    supply: &[u8],
) -> anyhow::Result<f64> {
    let mut env = MemEnv {
        world,
        caller: AccountId([0xA1; 32]),
        address,
    };
    let t = Instant::now();
    let out = exec.execute(hash, Entry::Deploy, &mut env, supply, DEPLOY_GAS);
    let us = t.elapsed().as_secs_f64() * 1e6;
    match out.result {
        Ok(r) if !r.reverted => Ok(us),
        other => bail!("token deploy failed: {other:?}"),
    }
}

fn instantiation(token: &[u8], rounds: usize) -> anyhow::Result<Instantiation> {
    let supply = 1_000_000u128.to_le_bytes();
    let cache = tempfile::tempdir()?;
    let hash = small_executor(Some(cache.path()))?
        .prepare(token)
        .context("the token is refused by the executor")?
        .code_hash;
    let (mut upload, mut compile, mut disk, mut cached) = (vec![], vec![], vec![], vec![]);
    for round in 0..rounds {
        let fresh = small_executor(None)?;
        upload.push(time_ms(|| {
            fresh.prepare(token)?;
            Ok(())
        })?);

        let mut world = MemWorld::default();
        world.codes.insert(hash, token.to_vec());
        let cold = small_executor(None)?;
        compile.push(deploy_us(
            &cold,
            &mut world,
            &hash,
            AccountId([1; 32]),
            &supply,
        )?);
        let restarted = small_executor(Some(cache.path()))?;
        disk.push(deploy_us(
            &restarted,
            &mut world,
            &hash,
            AccountId([2; 32]),
            &supply,
        )?);
        cached.push(deploy_us(
            &restarted,
            &mut world,
            &hash,
            AccountId([3; 32]),
            &supply,
        )?);
        let (c, r) = (cold.cache_stats(), restarted.cache_stats());
        if c.compiles != 1 || r.disk_hits != 1 || r.compiles != 0 || r.memory_hits < 1 {
            bail!(
                "round {round}: the caches were not used as intended: cold {c:?}, restarted {r:?}"
            );
        }
    }
    Ok(Instantiation {
        upload_ms: median(&mut upload),
        compile_us: median(&mut compile),
        disk_us: median(&mut disk),
        cached_us: median(&mut cached),
    })
}

/// Measure everything; `token` is the example token's wasm.
pub fn measure(token: &[u8], rounds: usize) -> anyhow::Result<ExecFigures> {
    let exec = Executor::new(ExecutorConfig::default())?;
    let mut fuel = Vec::new();
    for (name, code) in kernels()? {
        fuel.push(fuel_overhead(&exec, name, &code, rounds)?);
    }
    Ok(ExecFigures {
        fuel,
        instantiation: instantiation(token, rounds)?,
        rounds,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_of_odd_even_and_empty() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), 3.0);
        assert_eq!(median(&mut []), 0.0);
        assert_eq!(ratio(1.0, 0.0), 0.0);
    }

    #[test]
    fn fuel_overhead_compares_the_same_kernel_with_fuel_on_and_off() {
        let exec = small_executor(None).unwrap();
        let (name, code) = kernels().unwrap().remove(1);
        let o = fuel_overhead(&exec, name, &code, 3).unwrap();
        assert!(o.gas > 100_000, "fib(27) runs real code: {o:?}");
        assert!(o.metered_ms > 0.0 && o.unmetered_ms > 0.0 && o.ratio > 0.0);
    }

    #[test]
    fn instantiation_uses_each_cache_level() {
        // A token-shaped contract: deploy writes storage and emits an event.
        let code = wat::parse_str(
            r#"(module
              (import "hm" "storage_set" (func $set (param i32 i32 i32 i32) (result i32)))
              (import "hm" "deposit_event" (func $ev (param i32 i32 i32 i32)))
              (memory (export "memory") 1)
              (func (export "deploy")
                (drop (call $set (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 16)))
                (call $ev (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 4)))
              (func (export "call")))"#,
        )
        .unwrap();
        let i = instantiation(&code, 2).unwrap();
        assert!(i.compile_us > 0.0 && i.disk_us > 0.0 && i.cached_us > 0.0 && i.upload_ms > 0.0);
    }

    #[test]
    fn refused_code_is_an_error_not_a_panic() {
        assert!(instantiation(b"not wasm", 1).is_err());
    }
}
