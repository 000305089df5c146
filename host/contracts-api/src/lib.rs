//! The boundary between the contracts pallet (deterministic, `no_std`) and the node's
//! contract executor (wasmtime): no wasm types cross it.
//!
//! - The pallet implements [`ContractEnv`] over runtime state, one value per frame.
//! - The node implements [`ContractEngine`] (hm-executor) and hands it to the runtime
//!   through `Externalities::contract_engine`, the same seam as Falcon verification.
//!   When the runtime itself becomes wasm, this trait becomes a host-function boundary
//!   of the same shape.
//!
//! Everything here is deterministic except what [`ExecError::is_node_fault`] and
//! [`UploadError::is_node_fault`] flag: those are this node's problems (a wall-clock
//! backstop, a compiler failure, an exhausted instance pool) and must never be recorded
//! as a transaction's result.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

mod engine;
mod env;
mod error;

pub use engine::{ContractEngine, Entry, ExecOutcome, ExecReturn, PrepareOutcome, PreparedCode};
pub use env::{
    contract_address, CallResult, CallStack, CallStatus, ContractEnv, EnvError, RuntimeCallOutcome,
    CONTRACT_ADDRESS_DOMAIN,
};
pub use error::{ExecError, Trap, TrapKind, UploadError};
