//! Error types of the store and of proof verification.
use hm_primitives::H256;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("rocksdb: {0}")]
    RocksDb(#[from] rocksdb::Error),
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
    /// Bytes in the database that do not decode or contradict themselves.
    #[error("corrupt database: {0}")]
    Corrupt(String),
    /// The stores disagree in a way `open` cannot heal safely.
    #[error("inconsistent database: {0}")]
    Inconsistent(String),
    #[error("state version {0} is not available")]
    MissingState(u64),
    /// The state was pruned (`--state-pruning`); `keep` is the window, `None` in archive
    /// mode (the state went while the node ran with pruning).
    #[error("{}", crate::pruning::pruned_message(.version, .oldest, .keep))]
    StatePruned {
        version: u64,
        oldest: u64,
        keep: Option<u64>,
    },
    #[error("codec: {0}")]
    Codec(String),
    /// `commit_block` refused a block that does not extend the chain as prepared.
    #[error("block rejected: {0}")]
    InvalidBlock(String),
    #[error("unknown block {0:?}")]
    UnknownBlock(H256),
    #[error("state value of {len} bytes exceeds the {max}-byte limit")]
    ValueTooLarge { len: usize, max: usize },
    #[error("database schema version {found} is not supported (expected {expected})")]
    UnsupportedSchema { found: u32, expected: u32 },
    /// The Merkle tree reported an error (it reads through this store).
    #[error("state tree: {0}")]
    Tree(String),
}

/// Why [`crate::verify_read_proof`] refused a proof.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("proof of {len} bytes exceeds the {max}-byte limit")]
    TooLarge { len: usize, max: usize },
    #[error("malformed proof: {0}")]
    Malformed(String),
    /// Well-formed, but it does not prove the claim against the given root.
    #[error("proof does not match the state root: {0}")]
    Mismatch(String),
}

pub(crate) fn corrupt(what: impl std::fmt::Display) -> StorageError {
    StorageError::Corrupt(what.to_string())
}

pub(crate) fn tree_error(e: anyhow::Error) -> StorageError {
    StorageError::Tree(format!("{e:#}"))
}
