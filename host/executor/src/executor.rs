//! The executor: one consensus-configured wasmtime engine, the `hm` linker, the caches
//! and the wall-clock backstop.

use crate::cache::{CacheStats, DiskCache, Event, MemoryCache, Stats};
use crate::config::ExecutorConfig;
use crate::env::ContractEnv;
use crate::error::{ExecError, ExecutorError, TrapKind, UploadError};
use crate::host::debug::ExecutionScope;
use crate::host::{self, EnvPtr, HostState, HostTrap, ReturnedValue};
use crate::stack::{self, Layout, STACK_EXPORT};
use crate::validate::{contract_features, validate, ModuleInfo};
pub use hm_contracts_api::{Entry, ExecOutcome, ExecReturn, PrepareOutcome, PreparedCode};
use hm_primitives::H256;
use std::sync::mpsc;
use std::sync::Arc;
use std::thread::JoinHandle;
use wasmtime::{
    Config, Engine, InstanceAllocationStrategy, InstancePre, Linker, Module, OptLevel,
    PoolingAllocationConfig, Store, StoreLimitsBuilder, Strategy,
};

/// A module compiled and linked against the `hm` functions, ready to instantiate.
pub(crate) struct Compiled {
    pre: InstancePre<HostState>,
}

/// Advances the engine epoch until dropped.
struct Ticker {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Ticker {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Runs contracts. `Send + Sync`; share one per node.
pub struct Executor {
    config: ExecutorConfig,
    engine: Engine,
    linker: Linker<HostState>,
    memory: MemoryCache<Compiled>,
    disk: Option<DiskCache>,
    stats: Stats,
    backstop_ticks: u64,
    _ticker: Ticker,
}

/// The exact wasmtime configuration the executor uses (exposed for benchmarks and tools,
/// e.g. to compare against the same engine without fuel).
pub fn consensus_engine_config(config: &ExecutorConfig) -> Config {
    let mut c = Config::new();
    c.strategy(Strategy::Cranelift)
        .cranelift_opt_level(OptLevel::Speed)
        .cranelift_nan_canonicalization(true)
        .consume_fuel(true)
        .epoch_interruption(true)
        .max_wasm_stack(config.max_wasm_stack)
        .parallel_compilation(true);
    // Exactly the contract feature set: everything else (SIMD, relaxed SIMD, threads,
    // memory64, multi-memory, reference types, GC, exceptions, tail calls, components...)
    // is off in the engine as well as in our validator.
    c.wasm_features(
        wasmparser::WasmFeatures::all() & !contract_features(),
        false,
    );
    c.wasm_features(contract_features(), true);

    let slots = config.pool_instances.max(1);
    let mut pool = PoolingAllocationConfig::new();
    pool.total_core_instances(slots)
        .total_memories(slots)
        .total_tables(slots)
        .total_component_instances(0)
        .max_memories_per_module(1)
        .max_tables_per_module(1)
        .max_memory_size(config.max_memory_bytes())
        .table_elements(config.max_table_elements as usize);
    c.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    c
}

impl Executor {
    pub fn new(config: ExecutorConfig) -> Result<Self, ExecutorError> {
        if config.max_wasm_stack == 0 || config.max_memory_pages == 0 {
            return Err(ExecutorError::Config(
                "max_wasm_stack and max_memory_pages must be positive".into(),
            ));
        }
        if config.max_stack_slots == 0 || config.max_stack_slots > i32::MAX as u32 {
            return Err(ExecutorError::Config(
                "max_stack_slots must be in 1..=i32::MAX".into(),
            ));
        }
        if config.epoch_tick.is_zero() {
            return Err(ExecutorError::Config("epoch_tick must be positive".into()));
        }
        let engine = Engine::new(&consensus_engine_config(&config))
            .map_err(|e| ExecutorError::Engine(format!("{e:#}")))?;
        let mut linker = Linker::new(&engine);
        host::link(&mut linker).map_err(|e| ExecutorError::Engine(format!("{e:#}")))?;
        let disk = match &config.cache_dir {
            Some(dir) => Some(DiskCache::open(
                dir,
                config.validation_fingerprint(),
                config.disk_cache_max_bytes,
            )?),
            None => None,
        };
        let backstop_ticks = config
            .wall_clock_backstop
            .as_nanos()
            .div_ceil(config.epoch_tick.as_nanos())
            .max(1);
        let ticker = spawn_ticker(&engine, config.epoch_tick)?;
        Ok(Self {
            memory: MemoryCache::new(config.memory_cache_entries),
            backstop_ticks: u64::try_from(backstop_ticks).unwrap_or(u64::MAX),
            config,
            engine,
            linker,
            disk,
            stats: Stats::default(),
            _ticker: ticker,
        })
    }

    pub fn config(&self) -> &ExecutorConfig {
        &self.config
    }

    pub fn cache_stats(&self) -> CacheStats {
        self.stats.snapshot()
    }

    /// Validate, compile and cache `code`, without a gas limit. Deterministic: the same
    /// code yields the same result on every node (except [`UploadError::Compile`], a node
    /// fault). See [`Executor::prepare_metered`] for the charged form the pallet uses.
    pub fn prepare(&self, code: &[u8]) -> Result<PreparedCode, UploadError> {
        self.prepare_metered(code, u64::MAX).result
    }

    /// Validate, compile and cache `code`, charging at most `gas_limit`:
    /// [`GasSchedule::upload_cost`] is due before validation (so refused code pays for
    /// its check), the full [`PreparedCode::upload_gas`] once it validated. Code whose
    /// charge exceeds the limit is refused with [`UploadError::OutOfGas`] before it is
    /// compiled, as is code over `max_code_bytes` (before it is parsed, free of charge:
    /// the pallet refuses it before calling).
    ///
    /// [`GasSchedule::upload_cost`]: crate::GasSchedule::upload_cost
    pub fn prepare_metered(&self, code: &[u8], gas_limit: u64) -> PrepareOutcome {
        let refused = |error, gas_used| PrepareOutcome {
            result: Err(error),
            gas_used,
        };
        if code.len() > self.config.max_code_bytes {
            return refused(
                UploadError::CodeTooLarge {
                    size: code.len(),
                    max: self.config.max_code_bytes,
                },
                0,
            );
        }
        let check_cost = self.config.schedule.upload_cost(code.len());
        if check_cost > gas_limit {
            let error = UploadError::OutOfGas {
                required: check_cost,
                limit: gas_limit,
            };
            return refused(error, gas_limit);
        }
        // Validation always runs (it is cheap next to compiling and yields the charge);
        // only compilation is skipped on a cache hit.
        let info = match validate(code, &self.config) {
            Ok(info) => info,
            Err(e) => return refused(e, check_cost),
        };
        let upload_gas =
            self.config
                .schedule
                .compile_cost(code.len(), info.functions, info.control_ops);
        if upload_gas > gas_limit {
            let error = UploadError::OutOfGas {
                required: upload_gas,
                limit: gas_limit,
            };
            return refused(error, check_cost);
        }
        let prepared = PreparedCode {
            code_hash: H256(*blake3::hash(code).as_bytes()),
            upload_gas,
        };
        if self.cached(&prepared.code_hash).is_none() {
            if let Err(e) = self.compile(&prepared.code_hash, code, &info) {
                return refused(e, check_cost);
            }
        }
        PrepareOutcome {
            result: Ok(prepared),
            gas_used: upload_gas,
        }
    }

    /// The exact wasm this executor compiles for `code`: validated and instrumented with
    /// the deterministic stack limit. For tools and benchmarks.
    pub fn compiled_form(&self, code: &[u8]) -> Result<Vec<u8>, UploadError> {
        let info = validate(code, &self.config)?;
        self.instrument(code, &info)
    }

    fn instrument(&self, code: &[u8], info: &ModuleInfo) -> Result<Vec<u8>, UploadError> {
        stack::instrument(&Layout {
            code,
            frames: &info.frames,
            type_count: info.type_count,
            global_count: info.global_count,
            limit: self.config.max_stack_slots,
        })
    }

    /// Whether compiled code for `code_hash` is available without the original wasm.
    pub fn is_cached(&self, code_hash: &H256) -> bool {
        self.cached(code_hash).is_some()
    }

    /// Drop `code_hash` from both caches (e.g. after `remove_code`).
    pub fn forget(&self, code_hash: &H256) {
        self.memory.remove(code_hash);
        if let Some(disk) = &self.disk {
            disk.remove(code_hash);
        }
    }

    fn cached(&self, hash: &H256) -> Option<Arc<Compiled>> {
        if let Some(c) = self.memory.get(hash) {
            self.stats.record(Event::MemoryHit);
            return Some(c);
        }
        let disk = self.disk.as_ref()?;
        let artifact = match disk.load(hash) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => return None,
            Err(()) => {
                self.stats.record(Event::DiskRejected);
                return None;
            }
        };
        // SAFETY: the bytes are exactly what `Module::serialize` wrote for this hash
        // (checksum verified above); wasmtime also checks its version and engine config.
        let module = unsafe { Module::deserialize(&self.engine, &artifact) };
        match module.and_then(|m| self.linker.instantiate_pre(&m)) {
            Ok(pre) => {
                self.stats.record(Event::DiskHit);
                let compiled = Arc::new(Compiled { pre });
                self.memory.insert(*hash, compiled.clone());
                Some(compiled)
            }
            Err(e) => {
                tracing::warn!(error = %e, "cached contract artifact refused by wasmtime; recompiling");
                self.stats.record(Event::DiskRejected);
                disk.remove(hash);
                None
            }
        }
    }

    fn compile(
        &self,
        hash: &H256,
        code: &[u8],
        info: &ModuleInfo,
    ) -> Result<Arc<Compiled>, UploadError> {
        let compile_err = |e: wasmtime::Error| UploadError::Compile(format!("{e:#}"));
        self.stats.record(Event::Compile);
        let instrumented = self.instrument(code, info)?;
        let module = Module::from_binary(&self.engine, &instrumented).map_err(compile_err)?;
        let pre = self.linker.instantiate_pre(&module).map_err(compile_err)?;
        if let Some(disk) = &self.disk {
            let written = module
                .serialize()
                .map_err(|e| std::io::Error::other(e.to_string()))
                .and_then(|artifact| disk.store(hash, &artifact));
            match written {
                Ok(evicted) => {
                    for _ in 0..evicted {
                        self.stats.record(Event::DiskEviction);
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "could not cache contract artifact on disk");
                    self.stats.record(Event::DiskWriteFailure);
                }
            }
        }
        let compiled = Arc::new(Compiled { pre });
        self.memory.insert(*hash, compiled.clone());
        Ok(compiled)
    }

    /// Compiled code for `hash`: memory, disk, or recompiled from the environment's copy
    /// of the wasm. Which path is taken never changes gas or results.
    fn load(&self, hash: &H256, env: &mut dyn ContractEnv) -> Result<Arc<Compiled>, ExecError> {
        if let Some(c) = self.cached(hash) {
            return Ok(c);
        }
        let code = env.code(hash).ok_or(ExecError::CodeNotFound)?;
        if blake3::hash(&code).as_bytes() != &hash.0 {
            return Err(ExecError::NodeFault(
                "environment returned code that does not match its hash".into(),
            ));
        }
        let info = validate(&code, &self.config).map_err(ExecError::CodeRejected)?;
        self.compile(hash, &code, &info).map_err(|e| match e {
            UploadError::Compile(msg) => ExecError::NodeFault(msg),
            other => ExecError::CodeRejected(other),
        })
    }

    /// Run `entry` of the contract `code_hash` with `input` and at most `gas_limit` gas.
    ///
    /// Deterministic except for node faults ([`ExecError::is_node_fault`]): on those the
    /// caller must abandon the block or dry run, never record the outcome.
    /// May be called re-entrantly from `env.call`/`env.instantiate` for nested frames, on
    /// any thread: each frame switches to a fresh stack segment when the thread has less
    /// than [`ExecutorConfig::native_stack_per_frame`] left.
    pub fn execute(
        &self,
        code_hash: &H256,
        entry: Entry,
        env: &mut dyn ContractEnv,
        input: &[u8],
        gas_limit: u64,
    ) -> ExecOutcome {
        // Wasm runs on the calling thread's stack, and nested frames stack up on it. Give
        // each frame the native stack it may need, on a fresh segment when the thread's
        // own stack is short (tokio's 2 MiB workers, deep nesting): running out of native
        // stack would kill the process, which a contract must never be able to do.
        let frame_stack = self.config.native_stack_per_frame();
        let _debug_budget = ExecutionScope::enter();
        stacker::maybe_grow(frame_stack, frame_stack.saturating_mul(4), || {
            self.execute_frame(code_hash, entry, env, input, gas_limit)
        })
    }

    fn execute_frame(
        &self,
        code_hash: &H256,
        entry: Entry,
        env: &mut dyn ContractEnv,
        input: &[u8],
        gas_limit: u64,
    ) -> ExecOutcome {
        let compiled = match self.load(code_hash, env) {
            Ok(c) => c,
            Err(e) => {
                return ExecOutcome {
                    result: Err(e),
                    gas_used: 0,
                }
            }
        };
        let base = self.config.schedule.execute_base;
        let Some(fuel) = gas_limit.checked_sub(base) else {
            return ExecOutcome {
                result: Err(ExecError::trap(
                    TrapKind::OutOfGas,
                    "gas limit below the execution base cost",
                )),
                gas_used: gas_limit,
            };
        };
        let limits = StoreLimitsBuilder::new()
            .memory_size(self.config.max_memory_bytes())
            .table_elements(self.config.max_table_elements as usize)
            .instances(1)
            .tables(1)
            .memories(1)
            .build();
        // SAFETY: `store` (the only holder of this pointer) is dropped at the end of this
        // function, while `env` is still exclusively borrowed.
        let env_ptr = unsafe { EnvPtr::new(env) };
        let state = HostState::new(
            env_ptr,
            self.config.schedule.clone(),
            limits,
            input.to_vec(),
        );
        let mut store = Store::new(&self.engine, state);
        store.limiter(|s| &mut s.limits);
        store.set_epoch_deadline(self.backstop_ticks);
        store.epoch_deadline_trap();
        let outcome = run(
            &compiled,
            entry,
            &mut store,
            gas_limit,
            fuel,
            self.config.max_stack_slots,
        );
        drop(store);
        outcome
    }
}

fn run(
    compiled: &Compiled,
    entry: Entry,
    store: &mut Store<HostState>,
    gas_limit: u64,
    fuel: u64,
    stack_limit: u32,
) -> ExecOutcome {
    if let Err(e) = store.set_fuel(fuel) {
        return ExecOutcome {
            result: Err(ExecError::NodeFault(format!("{e:#}"))),
            gas_used: 0,
        };
    }
    let mut instance = None;
    let called = compiled.pre.instantiate(&mut *store).and_then(|i| {
        instance = Some(i);
        let memory = i
            .get_memory(&mut *store, "memory")
            .ok_or_else(|| wasmtime::Error::msg("validated module lost its memory export"))?;
        store.data_mut().memory = Some(memory);
        let func = i.get_typed_func::<(), ()>(&mut *store, entry.export_name())?;
        func.call(&mut *store, ())
    });
    let remaining = store.get_fuel().unwrap_or(0);
    let mut gas_used = gas_limit.saturating_sub(remaining);
    let result = match called {
        Ok(()) => Ok(ExecReturn {
            output: Vec::new(),
            reverted: false,
        }),
        Err(e) => {
            // The instrumented prologue traps with `unreachable` after pushing the
            // counter past the limit; a contract's own `unreachable` leaves it in range.
            let stack_height = instance
                .and_then(|i| i.get_global(&mut *store, STACK_EXPORT))
                .and_then(|g| g.get(&mut *store).i32());
            let over = stack_height.is_some_and(|h| h as u32 > stack_limit);
            classify(e, store.data_mut().returned.take(), over)
        }
    };
    if matches!(&result, Err(ExecError::Trap(t)) if t.kind == TrapKind::OutOfGas) {
        gas_used = gas_limit;
    }
    ExecOutcome { result, gas_used }
}

const NATIVE_STACK_OVERFLOW: &str =
    "native wasm stack (max_wasm_stack) exhausted before the deterministic stack limit";

/// Map an error out of wasm into a deterministic trap, a return, or a node fault.
fn classify(
    err: wasmtime::Error,
    returned: Option<ReturnedValue>,
    stack_limit_hit: bool,
) -> Result<ExecReturn, ExecError> {
    if let Some(h) = err.downcast_ref::<HostTrap>() {
        let kind = match h {
            HostTrap::Returned => {
                return returned
                    .map(|r| ExecReturn {
                        output: r.data,
                        reverted: r.reverted,
                    })
                    .ok_or_else(|| ExecError::NodeFault("return without a value".into()))
            }
            HostTrap::Fatal(msg) => return Err(ExecError::NodeFault(msg.clone())),
            HostTrap::OutOfGas => TrapKind::OutOfGas,
            HostTrap::BadPointer(_) => TrapKind::BadPointer,
            HostTrap::Limit(_) => TrapKind::HostLimit,
            HostTrap::Env(_) => TrapKind::Environment,
        };
        return Err(ExecError::trap(kind, h.to_string()));
    }
    if let Some(trap) = err.downcast_ref::<wasmtime::Trap>() {
        use wasmtime::Trap as T;
        let kind = match trap {
            T::Interrupt => return Err(ExecError::Timeout),
            T::OutOfFuel => TrapKind::OutOfGas,
            T::UnreachableCodeReached if stack_limit_hit => {
                return Err(ExecError::trap(
                    TrapKind::StackOverflow,
                    "deterministic stack limit (max_stack_slots) exceeded",
                ))
            }
            // Wasmtime's native limit: how deep code gets before it fires depends on the
            // CPU, the compiler and the wasmtime version, so nodes would disagree. The
            // deterministic counter fires first for all validated code; reaching this
            // is the node's problem, never a transaction's result.
            T::StackOverflow => return Err(ExecError::NodeFault(NATIVE_STACK_OVERFLOW.into())),
            T::MemoryOutOfBounds | T::HeapMisaligned => TrapKind::MemoryOutOfBounds,
            T::UnreachableCodeReached => TrapKind::Unreachable,
            T::IntegerDivisionByZero => TrapKind::DivisionByZero,
            T::IntegerOverflow => TrapKind::IntegerOverflow,
            T::BadConversionToInteger => TrapKind::BadConversion,
            T::TableOutOfBounds | T::IndirectCallToNull | T::BadSignature => TrapKind::IndirectCall,
            _ => TrapKind::Other,
        };
        return Err(ExecError::trap(kind, trap.to_string()));
    }
    Err(ExecError::NodeFault(format!("{err:#}")))
}

fn spawn_ticker(engine: &Engine, tick: std::time::Duration) -> Result<Ticker, ExecutorError> {
    let (stop, stopped) = mpsc::channel::<()>();
    let engine = engine.clone();
    let thread = std::thread::Builder::new()
        .name("hm-executor-epoch".into())
        .spawn(move || {
            // Wakes every `tick` until the sender is dropped with the executor.
            while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(tick) {
                engine.increment_epoch();
            }
        })
        .map_err(|e| ExecutorError::Thread(e.to_string()))?;
    Ok(Ticker {
        stop: Some(stop),
        thread: Some(thread),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classified(trap: wasmtime::Trap, stack_limit_hit: bool) -> Result<ExecReturn, ExecError> {
        classify(wasmtime::Error::new(trap), None, stack_limit_hit)
    }

    #[test]
    fn native_stack_overflow_is_a_node_fault_and_the_logical_limit_a_trap() {
        let native = classified(wasmtime::Trap::StackOverflow, false);
        match &native {
            Err(e @ ExecError::NodeFault(msg)) => {
                assert!(e.is_node_fault());
                assert!(msg.contains("max_wasm_stack"), "{msg}");
            }
            other => panic!("expected a node fault, got {other:?}"),
        }
        match classified(wasmtime::Trap::UnreachableCodeReached, true) {
            Err(ExecError::Trap(t)) => assert_eq!(t.kind, TrapKind::StackOverflow),
            other => panic!("expected a deterministic trap, got {other:?}"),
        }
        assert_eq!(
            classified(wasmtime::Trap::Interrupt, false),
            Err(ExecError::Timeout)
        );
    }
}
