//! Deterministic, metered execution of WASM smart contracts on wasmtime.
//!
//! A contract is a wasm32 module that exports `memory`, `deploy` and `call` and imports
//! only the `hm` host functions of docs/contracts-abi.md. [`Executor::prepare`] validates
//! and compiles uploaded code (charging for it) and caches the artifact by code hash;
//! [`Executor::execute`] runs a frame against a [`ContractEnv`], which the contracts
//! pallet implements over runtime state. The executor is the node's
//! [`ContractEngine`]: the runtime reaches it through `Externalities::contract_engine`.
//!
//! Consensus properties:
//! - gas is wasmtime fuel (1 per instruction) plus [`GasSchedule`] prices for host
//!   functions, charged before the work; running out traps with `gas_used == gas_limit`;
//! - NaNs are canonicalised, and only the "lime1" feature set is accepted (no SIMD,
//!   threads, memory64, multi-memory, reference types, ...), refused at upload;
//! - memory and tables are bounded by a `ResourceLimiter`; recursion by a deterministic
//!   logical stack limit instrumented into the code at upload (`max_stack_slots`), with
//!   wasmtime's native `max_wasm_stack` as the backstop (a node fault when reached: its
//!   depth depends on the machine); code size, functions, locals and
//!   params by the validator, which runs before any compilation;
//! - uploads are charged per byte, per function and per control-flow instruction (the
//!   measured drivers of Cranelift compile time); artifacts are cached by code hash in
//!   memory and on disk, and instantiated through `InstancePre` from a pooling allocator;
//! - no host function reads a clock or randomness, and gas never depends on the caches.
//!
//! The one non-deterministic mechanism is the wall-clock backstop (epoch interruption):
//! it surfaces as [`ExecError::Timeout`], a node fault that callers must never record as
//! a transaction result (see [`ExecError::is_node_fault`]).

mod cache;
mod config;
mod engine;
mod env;
mod error;
mod executor;
mod host;
mod stack;
mod validate;

pub use cache::CacheStats;
pub use config::{
    ExecutorConfig, GasSchedule, DEFAULT_DISK_CACHE_BYTES, MAX_EVENT_DATA_BYTES, MAX_EVENT_TOPICS,
    MAX_STORAGE_KEY_BYTES, MAX_STORAGE_VALUE_BYTES, WASM_PAGE_BYTES,
};
pub use env::{contract_address, CallResult, CallStack, CallStatus, ContractEnv, EnvError};
pub use error::{ExecError, ExecutorError, Trap, TrapKind, UploadError};
pub use executor::{
    consensus_engine_config, Entry, ExecOutcome, ExecReturn, Executor, PrepareOutcome, PreparedCode,
};
pub use hm_contracts_api::ContractEngine;
pub use host::abi::{host_function_names, HOST_MODULE};
pub use host::debug::{MAX_DEBUG_MESSAGES_PER_EXECUTION, MAX_DEBUG_MESSAGE_BYTES};

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn executor_is_send_and_sync() {
        assert_send_sync::<Executor>();
    }
}
