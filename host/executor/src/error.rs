//! Errors of executor construction; upload and execution errors live in
//! `hm-contracts-api` and are re-exported here.

pub use hm_contracts_api::{ExecError, Trap, TrapKind, UploadError};

use thiserror::Error;

/// The executor could not be built (bad configuration, or the engine refused it).
#[derive(Debug, Error)]
pub enum ExecutorError {
    #[error("invalid executor configuration: {0}")]
    Config(String),
    #[error("wasm engine: {0}")]
    Engine(String),
    #[error("cache directory: {0}")]
    CacheDir(String),
    #[error("backstop thread: {0}")]
    Thread(String),
}
