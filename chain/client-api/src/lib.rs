//! Traits through which RPC, the pool, consensus engines and tools see the node.
//!
//! Following reth's `*-api` crates: consumers depend on these traits, not on the
//! client, so each side can be tested with a mock of the other.
pub mod contracts;
pub mod events;

pub use contracts::{
    ContractCallRequest, ContractCode, ContractEvent, ContractExecResult, ContractFailure,
    ContractInstance, ContractInstantiateRequest, ContractUploadRequest, ContractUploadResult,
    StorageDepositAmount,
};
pub use events::{BlockEvent, DispatchFailure, DryRun, EventPhase, ExtrinsicOutcome};

use hm_primitives::{
    AccountId, Balance, BlockId, BlockNumber, Header, InvalidTransaction, Nonce, SignedBlock, H256,
};
use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, mpsc};

/// Where the chain stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChainInfo {
    pub genesis_hash: H256,
    pub best_hash: H256,
    pub best_number: BlockNumber,
    pub finalized_hash: H256,
    pub finalized_number: BlockNumber,
}

/// Runtime version, in Substrate's `state_getRuntimeVersion` shape.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuntimeVersion {
    pub spec_name: String,
    pub impl_name: String,
    pub authoring_version: u32,
    pub spec_version: u32,
    pub impl_version: u32,
    pub transaction_version: u32,
}

/// An account's balance and next nonce.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AccountSummary {
    pub free: Balance,
    pub reserved: Balance,
    /// Part of `free` held by balance locks (the largest active lock): it cannot move.
    pub locked: Balance,
    pub nonce: Nonce,
}

/// Merkle proofs that `keys` have (or lack) values under the state root of block `at`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadProof {
    pub at: H256,
    /// One SCALE-encoded proof per requested key, in request order.
    pub proof: Vec<Vec<u8>>,
}

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("unknown block {0}")]
    UnknownBlock(String),
    #[error("state for block {0} is not available")]
    StateUnavailable(String),
    /// The block's state was pruned (`--state-pruning`); the text says which block and
    /// how many states the node keeps.
    #[error("{0}")]
    StatePruned(String),
    #[error("block import failed: {0}")]
    Import(String),
    #[error("storage error: {0}")]
    Storage(String),
    /// The node could not run a query to the end (a contract executor fault: its
    /// wall-clock backstop, a compiler failure); the result would be meaningless.
    #[error("the node failed while executing the query: {0}")]
    Execution(String),
    /// A runtime API call named no API, or its arguments did not decode.
    #[error("{0}")]
    BadQuery(String),
}

/// Read access to the chain, plus import and finality notifications.
pub trait ChainApi: Send + Sync {
    fn info(&self) -> ChainInfo;
    fn header(&self, id: BlockId) -> Result<Option<Header>, ClientError>;
    fn block(&self, id: BlockId) -> Result<Option<SignedBlock>, ClientError>;
    fn block_hash(&self, number: BlockNumber) -> Result<Option<H256>, ClientError>;
    /// Raw storage value at block `at` (best block when `None`).
    fn storage(&self, key: &[u8], at: Option<H256>) -> Result<Option<Vec<u8>>, ClientError>;
    fn read_proof(&self, keys: &[Vec<u8>], at: Option<H256>) -> Result<ReadProof, ClientError>;
    fn runtime_version(&self) -> RuntimeVersion;
    /// Balance and next nonce at the best block.
    fn account(&self, who: &AccountId) -> Result<AccountSummary, ClientError>;
    /// Every imported block's header, in order.
    fn import_notifications(&self) -> broadcast::Receiver<Header>;
    /// Every finalized block's header, in order.
    fn finality_notifications(&self) -> broadcast::Receiver<Header>;
    /// The event log of block `at` (best when `None`), with each extrinsic's outcome.
    fn block_events(&self, at: Option<H256>) -> Result<Vec<BlockEvent>, ClientError>;
    /// Apply `xt` as the first extrinsic of the block after the best one, on a throwaway
    /// overlay: whether it would be included, how it would end, what it would deposit.
    fn dry_run_extrinsic(&self, xt: &[u8]) -> Result<DryRun, ClientError>;

    // Contracts. `at` selects the block whose state is used (best when `None`); dry runs
    // execute as an extrinsic in the next block would and keep nothing.

    /// Dry run of `Contracts::call`.
    fn contracts_call(
        &self,
        request: ContractCallRequest,
        at: Option<H256>,
    ) -> Result<ContractExecResult, ClientError>;
    /// Dry run of `Contracts::instantiate`.
    fn contracts_instantiate(
        &self,
        request: ContractInstantiateRequest,
        at: Option<H256>,
    ) -> Result<ContractExecResult, ClientError>;
    /// Dry run of `Contracts::upload_code`.
    fn contracts_upload(
        &self,
        request: ContractUploadRequest,
        at: Option<H256>,
    ) -> Result<ContractUploadResult, ClientError>;
    /// The contract at `address`, if there is one.
    fn contract_instance(
        &self,
        address: &AccountId,
        at: Option<H256>,
    ) -> Result<Option<ContractInstance>, ClientError>;
    /// Code stored under `code_hash`, with its record.
    fn contract_code(
        &self,
        code_hash: &H256,
        at: Option<H256>,
    ) -> Result<Option<ContractCode>, ClientError>;
    /// The value under `key` in the storage of the contract at `address`.
    fn contract_storage(
        &self,
        address: &AccountId,
        key: &[u8],
        at: Option<H256>,
    ) -> Result<Option<Vec<u8>>, ClientError>;
}

/// The runtime's self-description (FRAME metadata V15, SCALE-encoded with its
/// "meta" prefix), as `state_getMetadata` serves it. A small provider trait of its
/// own, as reth composes its providers, so a consumer asks for only what it reads.
pub trait MetadataProvider: Send + Sync {
    /// Metadata of the runtime in force at block `at` (the best block when `None`).
    fn metadata(&self, at: Option<H256>) -> Result<Vec<u8>, ClientError>;
}

/// Read-only runtime API calls at a block (Substrate's `state_call`): the method's
/// name, SCALE arguments, SCALE result. Typed RPC methods (`tokens_*`) build on it.
pub trait RuntimeApiProvider: Send + Sync {
    /// Run `method` over the state of block `at` (the best block when `None`).
    fn call(&self, method: &str, args: &[u8], at: Option<H256>) -> Result<Vec<u8>, ClientError>;
}

/// Life of a submitted transaction, as `author_submitAndWatchExtrinsic` reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TxStatus {
    Future,
    Ready,
    InBlock(H256),
    Finalized(H256),
    Usurped(H256),
    Dropped,
    Invalid,
}

impl TxStatus {
    /// No further updates follow a final status.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            TxStatus::Finalized(_) | TxStatus::Usurped(_) | TxStatus::Dropped | TxStatus::Invalid
        )
    }
}

/// Why the pool refused a transaction.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PoolError {
    #[error("invalid transaction: {0}")]
    Invalid(InvalidTransaction),
    #[error("extrinsic is {len} bytes; the limit is {max}")]
    TooLarge { len: usize, max: usize },
    #[error("transaction {0:?} is already in the pool")]
    AlreadyImported(H256),
    #[error("transaction {0:?} is temporarily banned after failing validation")]
    TemporarilyBanned(H256),
    #[error("sender already has {0} transactions in the pool")]
    SenderLimit(usize),
    #[error("transaction pool is full")]
    PoolFull,
    #[error("a transaction with the same sender and nonce and a higher or equal tip is already in the pool")]
    TooLowPriority,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolStatus {
    pub ready: usize,
    pub future: usize,
    pub bytes: usize,
}

/// Submission side of the transaction pool.
pub trait TransactionPoolApi: Send + Sync {
    fn submit(&self, xt: Vec<u8>) -> Result<H256, PoolError>;
    fn submit_and_watch(
        &self,
        xt: Vec<u8>,
    ) -> Result<(H256, mpsc::UnboundedReceiver<TxStatus>), PoolError>;
    /// Encoded pending extrinsics, ready first.
    fn pending(&self) -> Vec<Vec<u8>>;
    /// Like [`TransactionPoolApi::pending`], but at most `max_count` extrinsics and
    /// `max_bytes` of them, so a caller never makes the pool copy itself whole.
    fn pending_limited(&self, max_count: usize, max_bytes: usize) -> Vec<Vec<u8>>;
    /// The nonce `who` should sign next when its nonce on chain is `on_chain`: past
    /// every consecutive nonce from `on_chain` it already has in the pool.
    fn next_nonce(&self, who: &AccountId, on_chain: Nonce) -> Nonce;
    fn status(&self) -> PoolStatus;
}

/// What the pool needs from the chain to judge a transaction.
pub trait TransactionValidator: Send + Sync {
    /// Validate against the best state: decoding, signature, nonce not stale, fee payable, mortality.
    fn validate(&self, xt: &[u8]) -> Result<hm_primitives::ValidTransaction, InvalidTransaction>;
    /// Next nonce of `who` at the best block.
    fn account_nonce(&self, who: &AccountId) -> Nonce;
    fn best_number(&self) -> BlockNumber;
}
