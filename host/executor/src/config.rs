//! Executor limits and the gas schedule.
//!
//! Everything here except `cache_dir`, `disk_cache_max_bytes`, `memory_cache_entries`,
//! `pool_instances`, `log_contract_debug` and the wall-clock backstop is consensus-relevant: every node of a chain must use the same
//! values, so they belong in the chain parameters.

use std::path::PathBuf;
use std::time::Duration;

/// One wasm page.
pub const WASM_PAGE_BYTES: usize = 64 * 1024;
/// Longest storage key a contract may use.
pub const MAX_STORAGE_KEY_BYTES: usize = 128;
/// Largest storage value a contract may write.
pub const MAX_STORAGE_VALUE_BYTES: usize = 16 * 1024;
/// Most topics one event may carry.
pub const MAX_EVENT_TOPICS: usize = 4;
/// Largest event payload.
pub const MAX_EVENT_DATA_BYTES: usize = 16 * 1024;
/// Largest SCALE-encoded runtime call a contract may pass to `call_runtime`: a 4-hop
/// swap is about 100 bytes, token metadata at its bounds a few hundred.
pub const MAX_RUNTIME_CALL_BYTES: usize = 2 * 1024;

/// Default cap of the on-disk artifact cache: room for several hundred contracts
/// (an artifact of the largest accepted code is a few MiB).
pub const DEFAULT_DISK_CACHE_BYTES: u64 = 1024 * 1024 * 1024;

/// Bumped whenever validation or instrumentation changes, so that disk-cached artifacts
/// produced by an older version are rebuilt instead of trusted.
pub(crate) const VALIDATOR_VERSION: u32 = 2;

/// Limits and knobs of an [`Executor`](crate::Executor).
#[derive(Clone, Debug)]
pub struct ExecutorConfig {
    /// Largest accepted code, checked before parsing.
    pub max_code_bytes: usize,
    /// Most functions (imported plus defined).
    pub max_functions: u32,
    /// Most declared locals per function (parameters not counted).
    pub max_locals: u32,
    /// Most parameters (and, separately, results) per function type.
    pub max_params: u32,
    /// Most entries in the type section.
    pub max_types: u32,
    /// Most globals.
    pub max_globals: u32,
    /// Linear memory cap, initial and grown, in 64 KiB pages.
    pub max_memory_pages: u32,
    /// Elements of the single table the MVP allows.
    pub max_table_elements: u32,
    /// Deterministic stack limit of one frame, in logical slots (see `stack.rs`): each
    /// active function counts 8 + params + locals + its maximum operand-stack height.
    /// Keep it at most `max_wasm_stack / 16` so it always fires before the native limit.
    pub max_stack_slots: u32,
    /// Native stack that wasm code of one frame may use, in bytes: the backstop behind
    /// `max_stack_slots`.
    pub max_wasm_stack: usize,
    /// Nesting depth of contract calls; enforced by the environment with [`CallStack`](crate::CallStack).
    pub max_call_depth: u32,
    /// Where compiled artifacts are kept across restarts; `None` keeps them in memory only.
    pub cache_dir: Option<PathBuf>,
    /// Most bytes of artifacts kept in `cache_dir`; the least recently used go first.
    pub disk_cache_max_bytes: u64,
    /// Compiled modules kept in the in-memory LRU.
    pub memory_cache_entries: usize,
    /// Instances (and memories and tables) preallocated by the pooling allocator. One
    /// execution with nested calls holds up to `max_call_depth + 1` of them at once.
    pub pool_instances: u32,
    /// Wall-clock backstop per frame. A frame still running after this long is stopped
    /// and reported as [`ExecError::Timeout`](crate::ExecError::Timeout), a node fault.
    pub wall_clock_backstop: Duration,
    /// How often the backstop ticker advances the engine epoch.
    pub epoch_tick: Duration,
    /// Print contracts' `debug_log` text (through `tracing`, target `contracts`). Only dev
    /// chains turn this on; it never changes state or gas.
    pub log_contract_debug: bool,
    /// Gas prices.
    pub schedule: GasSchedule,
}

impl Default for ExecutorConfig {
    fn default() -> Self {
        Self {
            max_code_bytes: 128 * 1024,
            max_functions: 1024,
            max_locals: 1024,
            max_params: 128,
            max_types: 1024,
            max_globals: 256,
            max_memory_pages: 16,
            max_table_elements: 1024,
            max_stack_slots: 16 * 1024,
            max_wasm_stack: 256 * 1024,
            max_call_depth: 5,
            cache_dir: None,
            disk_cache_max_bytes: DEFAULT_DISK_CACHE_BYTES,
            memory_cache_entries: 256,
            pool_instances: 128,
            wall_clock_backstop: Duration::from_secs(10),
            epoch_tick: Duration::from_millis(100),
            log_contract_debug: false,
            schedule: GasSchedule::default(),
        }
    }
}

impl ExecutorConfig {
    /// Largest linear memory in bytes.
    pub fn max_memory_bytes(&self) -> usize {
        (self.max_memory_pages as usize).saturating_mul(WASM_PAGE_BYTES)
    }

    /// Native stack one frame may use: `max_wasm_stack` for its wasm plus the host-side
    /// frames around it (wasmtime entry, host functions, the pallet's environment).
    /// [`Executor::execute`](crate::Executor::execute) runs a frame on a fresh stack
    /// segment when the thread has less than this left, so callers need no special
    /// threads.
    pub fn native_stack_per_frame(&self) -> usize {
        const HOST_OVERHEAD_PER_FRAME: usize = 256 * 1024;
        self.max_wasm_stack.saturating_add(HOST_OVERHEAD_PER_FRAME)
    }

    /// Native stack a full-depth nested call chain uses in all (the executor grows the
    /// stack on demand; this is for sizing and documentation).
    pub fn required_native_stack(&self) -> usize {
        (self.max_call_depth as usize + 1).saturating_mul(self.native_stack_per_frame())
    }

    /// Digest of everything that decides whether code validates, mixed into disk-cache
    /// entries so a change of limits forces re-validation.
    pub(crate) fn validation_fingerprint(&self) -> [u8; 32] {
        let mut h = blake3::Hasher::new();
        h.update(b"hm-executor/validation");
        h.update(&VALIDATOR_VERSION.to_le_bytes());
        h.update(&(self.max_code_bytes as u64).to_le_bytes());
        for v in [
            self.max_functions,
            self.max_locals,
            self.max_params,
            self.max_types,
            self.max_globals,
            self.max_memory_pages,
            self.max_table_elements,
            self.max_stack_slots,
        ] {
            h.update(&v.to_le_bytes());
        }
        h.update(&(self.max_wasm_stack as u64).to_le_bytes());
        *h.finalize().as_bytes()
    }
}

/// Gas prices. One gas is one unit of wasmtime fuel: every wasm instruction costs 1
/// (control markers `block`/`loop`/`end`/`nop`/`drop` cost 0), `memory.copy`/`memory.fill`
/// cost 1 more per byte and `memory.grow` 1 more per page. Host functions cost
/// `host_call_base` plus their own price below, charged before they do any work.
///
/// Reference scale for the defaults: 4 gas ≈ 1 ns on a current x86-64 core, the rate of
/// call-heavy wasm (measured ~5 gas/ns for recursive code, ~19 gas/ns for straight-line
/// arithmetic; see `examples/fuel_overhead.rs`). Host prices follow measured host costs
/// at that rate; the storage prices are estimates until benchmarked against the real
/// state backend by the contracts pallet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GasSchedule {
    /// Fixed part of the upload (compile) charge.
    pub upload_base: u64,
    /// Per code byte: pays for validation and straight-line Cranelift compilation.
    pub upload_per_byte: u64,
    /// Per function (imported or defined): per-function compile overhead, measured
    /// ~70 µs each, dominates code made of many small functions.
    pub upload_per_function: u64,
    /// Per control-flow instruction (`block`, `loop`, `if`, `else`, `br*`, `call*`,
    /// `return`): each is a fuel/epoch instrumentation point, and these dominate compile
    /// time for branchy code (measured 15–35 µs each, against ~0.15 µs per plain byte).
    pub upload_per_control_op: u64,
    /// Instantiating the module from the pool and entering `deploy`/`call`.
    pub execute_base: u64,
    /// Every host function call.
    pub host_call_base: u64,
    /// Per byte moved between linear memory and the host (input, output, keys, values,
    /// addresses, return data, debug text).
    pub copy_per_byte: u64,
    /// `storage_get`/`storage_contains` (and `balance`), before bytes.
    pub storage_read_base: u64,
    /// Per key and value byte read.
    pub storage_read_per_byte: u64,
    /// `storage_set`/`storage_remove`, before bytes.
    pub storage_write_base: u64,
    /// Per key and value byte written.
    pub storage_write_per_byte: u64,
    /// `transfer`.
    pub transfer: u64,
    /// `deposit_event`, before topics and data.
    pub event_base: u64,
    /// Per event topic.
    pub event_per_topic: u64,
    /// Per event data byte.
    pub event_per_byte: u64,
    /// `call`, on top of the gas the callee uses.
    pub call_base: u64,
    /// `instantiate`, on top of the gas the new contract's `deploy` uses.
    pub instantiate_base: u64,
    /// `call_runtime`, before the call's bytes and on top of the call's own weight
    /// (converted to gas by the runtime): decoding, filtering, the rollback overlay.
    pub call_runtime_base: u64,
    /// `blake3`, before bytes.
    pub blake3_base: u64,
    /// Per byte hashed.
    pub blake3_per_byte: u64,
    /// `falcon_verify`, before bytes.
    pub falcon_verify_base: u64,
    /// Per public key, message and signature byte.
    pub falcon_verify_per_byte: u64,
}

impl Default for GasSchedule {
    fn default() -> Self {
        Self {
            upload_base: 1_000_000,
            upload_per_byte: 600,
            upload_per_function: 300_000,
            upload_per_control_op: 150_000,
            execute_base: 15_000, // ~3 µs: store + pooled instance + entry
            host_call_base: 100,  // ~18 ns round trip
            copy_per_byte: 1,
            storage_read_base: 50_000, // estimate: cold state read
            storage_read_per_byte: 2,
            storage_write_base: 100_000, // estimate: write + later trie update
            storage_write_per_byte: 8,
            transfer: 150_000,
            event_base: 5_000,
            event_per_topic: 2_000,
            event_per_byte: 2,
            call_base: 60_000,
            instantiate_base: 200_000,
            call_runtime_base: 20_000, // estimate: decode + overlay, ~5 µs
            blake3_base: 500,
            blake3_per_byte: 1,          // ~0.25 ns/byte
            falcon_verify_base: 400_000, // ~85 µs for Falcon-1024
            falcon_verify_per_byte: 1,
        }
    }
}

impl GasSchedule {
    /// The part of the upload charge known before validation: the pallet charges this
    /// up front, so rejected code is paid for too, and the rest of
    /// [`PreparedCode::upload_gas`](crate::PreparedCode) after `prepare` succeeds.
    pub fn upload_cost(&self, code_len: usize) -> u64 {
        self.upload_per_byte
            .saturating_mul(code_len as u64)
            .saturating_add(self.upload_base)
    }

    /// Full upload charge of validated code with `functions` functions and
    /// `control_ops` control-flow instructions.
    pub(crate) fn compile_cost(&self, code_len: usize, functions: u32, control_ops: u64) -> u64 {
        self.upload_per_control_op
            .saturating_mul(control_ops)
            .saturating_add(
                self.upload_per_function
                    .saturating_mul(u64::from(functions)),
            )
            .saturating_add(self.upload_cost(code_len))
    }
}
