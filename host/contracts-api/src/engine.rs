//! What the node's executor offers the runtime.

use crate::env::ContractEnv;
use crate::error::{ExecError, UploadError};
use alloc::vec::Vec;
use hm_primitives::{AccountId, H256};

/// Which export of a contract to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Entry {
    /// `deploy`, once, when the contract is instantiated.
    Deploy,
    /// `call`, for every call.
    Call,
}

impl Entry {
    /// Name of the wasm export.
    pub fn export_name(self) -> &'static str {
        match self {
            Entry::Deploy => "deploy",
            Entry::Call => "call",
        }
    }
}

/// Code accepted at upload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PreparedCode {
    /// `blake3(code)`.
    pub code_hash: H256,
    /// Gas the upload costs (validation and compilation, priced by the executor's
    /// schedule from the code's size, functions and control-flow instructions).
    pub upload_gas: u64,
}

/// Result of [`ContractEngine::prepare`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrepareOutcome {
    pub result: Result<PreparedCode, UploadError>,
    /// Gas to charge the uploader, `≤ gas_limit`: the full upload charge on success, the
    /// validation charge when the code is refused (so refused code pays for the check).
    /// Meaningless when `result` is a node fault.
    pub gas_used: u64,
}

/// A frame that finished without trapping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecReturn {
    pub output: Vec<u8>,
    /// `return_value` with the revert flag: the frame's state changes and events must be
    /// rolled back; the output is still returned.
    pub reverted: bool,
}

/// Result of one frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecOutcome {
    pub result: Result<ExecReturn, ExecError>,
    /// Gas consumed, `≤ gas_limit`; equal to it on out-of-gas. Meaningless when
    /// `result` is a node fault ([`ExecError::is_node_fault`]).
    pub gas_used: u64,
}

impl ExecOutcome {
    /// An outcome that consumed nothing.
    pub fn failed(error: ExecError) -> Self {
        Self {
            result: Err(error),
            gas_used: 0,
        }
    }
}

/// A contract executor, shared by every execution of a node (`Send + Sync`).
///
/// Both methods are deterministic functions of their arguments and of what `env` answers,
/// except for results flagged as node faults; gas never depends on the executor's caches.
pub trait ContractEngine: Send + Sync {
    /// Validate, compile and cache `code`, charging at most `gas_limit`. Refused code gets
    /// an [`UploadError`] that says why; code whose upload charge exceeds `gas_limit` is
    /// refused with [`UploadError::OutOfGas`] before it is compiled.
    fn prepare(&self, code: &[u8], gas_limit: u64) -> PrepareOutcome;

    /// Run `entry` of the contract `code_hash` with `input` and at most `gas_limit` gas
    /// against `env`. Re-entered from `env.call`/`env.instantiate` for nested frames.
    fn execute(
        &self,
        code_hash: &H256,
        entry: Entry,
        input: &[u8],
        gas_limit: u64,
        env: &mut dyn ContractEnv,
    ) -> ExecOutcome;

    /// Whether contracts' `debug_log` text is printed (dev chains only). Deciding this is
    /// the node's business; the text never affects state or gas.
    fn debug_log_enabled(&self) -> bool {
        false
    }

    /// Print debug text from `contract` (only called when [`Self::debug_log_enabled`]).
    fn debug_log(&self, _contract: &AccountId, _message: &str) {}

    /// `code_hash` was removed from the chain (`remove_code`): drop what the engine
    /// caches for it, on disk too. Only a cache: should the code come back (uploaded
    /// again, or the removal's block abandoned), it is recompiled from the chain's copy.
    fn code_removed(&self, _code_hash: &H256) {}
}
