//! Errors of upload and execution.

use alloc::string::String;
use thiserror::Error;

/// Why code was refused at upload. Deterministic: every node refuses the same code with
/// the same error, except [`UploadError::Compile`], which is a node fault.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum UploadError {
    #[error("code is {size} bytes, the limit is {max}")]
    CodeTooLarge { size: usize, max: usize },
    #[error("malformed or invalid wasm: {0}")]
    Malformed(String),
    #[error("wasm feature not allowed in contracts: {0}")]
    DisabledFeature(String),
    #[error("not a core wasm module (components are not allowed)")]
    NotAModule,
    #[error("too many {what}: {count}, the limit is {max}")]
    TooMany {
        what: &'static str,
        count: u64,
        max: u64,
    },
    #[error("{0}")]
    Limit(String),
    #[error("import `{module}.{name}` is not a host function of the `hm` module")]
    UnknownImport { module: String, name: String },
    #[error("import `hm.{name}` has the wrong signature: expected {expected}, found {found}")]
    ImportSignature {
        name: String,
        expected: String,
        found: String,
    },
    #[error("only functions may be imported; `{module}.{name}` is not a function")]
    NonFunctionImport { module: String, name: String },
    #[error("missing export `{0}`")]
    MissingExport(&'static str),
    #[error("export `{name}` must be {expected}")]
    ExportType {
        name: &'static str,
        expected: &'static str,
    },
    #[error("a start function is not allowed; put initialisation in `deploy`")]
    StartFunction,
    /// The upload charge exceeds the gas limit; refused before compiling.
    #[error("uploading this code costs {required} gas, the limit is {limit}")]
    OutOfGas { required: u64, limit: u64 },
    /// Cranelift failed on code that validated. Not a property of the code: report it
    /// as a node fault, never as a consensus result.
    #[error("compilation failed: {0}")]
    Compile(String),
}

impl UploadError {
    /// True when the failure is this node's problem rather than the code's.
    pub fn is_node_fault(&self) -> bool {
        matches!(self, UploadError::Compile(_))
    }
}

/// How a frame trapped. All of these are deterministic consensus results: the frame's
/// state changes and events roll back and the caller pays `gas_used`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TrapKind {
    /// Fuel ran out (in wasm or when a host function charged); `gas_used == gas_limit`.
    OutOfGas,
    /// The wasm stack limit (`max_wasm_stack`) was hit, e.g. unbounded recursion.
    StackOverflow,
    /// A load or store outside linear memory (or a data segment that does not fit).
    MemoryOutOfBounds,
    /// `unreachable` executed (also what a Rust panic in a contract becomes).
    Unreachable,
    /// Integer division by zero.
    DivisionByZero,
    /// Signed division overflow.
    IntegerOverflow,
    /// Float-to-int conversion of NaN or an out-of-range value.
    BadConversion,
    /// `call_indirect` outside the table, to a null entry or with the wrong signature.
    IndirectCall,
    /// A host function got a pointer/length outside memory.
    BadPointer,
    /// A host function argument broke an ABI limit (key, value, topic or data size).
    HostLimit,
    /// The contract environment refused the operation (e.g. storage deposit limit).
    Environment,
    /// Any other wasm trap.
    Other,
}

/// A trapped frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trap {
    pub kind: TrapKind,
    pub message: String,
}

/// Why `execute` produced no output.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum ExecError {
    /// The contract trapped; deterministic.
    #[error("contract trapped ({:?}): {}", .0.kind, .0.message)]
    Trap(Trap),
    /// No compiled artifact and the environment has no code under this hash; deterministic.
    #[error("no code with this hash")]
    CodeNotFound,
    /// Stored code no longer validates under this executor's limits; deterministic if all
    /// nodes share the limits.
    #[error("stored code is invalid: {0}")]
    CodeRejected(UploadError),
    /// NODE FAULT: the wall-clock backstop stopped the frame. Gas metering bounds every
    /// frame deterministically, so this only happens on a node that is too slow or stuck;
    /// the result differs between nodes and must never be recorded. The caller must
    /// abandon the whole block (or dry run), not fail the transaction.
    #[error("wall-clock backstop fired (node fault, not a consensus result)")]
    Timeout,
    /// NODE FAULT: resources of this node (instance pool exhausted, mmap failure,
    /// compiler error) or an environment fatal error. Same handling as `Timeout`.
    #[error("node fault: {0}")]
    NodeFault(String),
}

impl ExecError {
    /// True for errors that are not consensus results (see [`ExecError::Timeout`]).
    pub fn is_node_fault(&self) -> bool {
        match self {
            ExecError::Timeout | ExecError::NodeFault(_) => true,
            ExecError::CodeRejected(e) => e.is_node_fault(),
            ExecError::Trap(_) | ExecError::CodeNotFound => false,
        }
    }

    /// A deterministic trap of `kind`.
    pub fn trap(kind: TrapKind, message: impl Into<String>) -> Self {
        ExecError::Trap(Trap {
            kind,
            message: message.into(),
        })
    }
}
