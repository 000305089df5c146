//! HyperMesh's JSON-RPC API: method traits (jsonrpsee generates a server trait
//! `XxxServer` and a client trait `XxxClient` from each) and their JSON types.
//!
//! Method names and shapes are Substrate's wherever Substrate has the method, so
//! polkadot.js-style tooling and dApp developers find familiar calls. Bytes travel
//! as `0x`-hex, header numbers as hex strings, CAES amounts as decimal strings.
//!
//! Parameters that carry hex are [`HexString`]: the server decodes them itself so
//! that a malformed value yields an error naming the parameter.
pub mod contracts;
mod contracts_results;
pub mod dex;
pub mod error_codes;
pub mod events;
pub mod hex;
mod metadata;
pub mod tokens;
pub mod types;

pub use contracts::{
    ContractCallRequest, ContractCodeInfo, ContractError, ContractEvent, ContractExecResult,
    ContractInstanceInfo, ContractInstantiateRequest, ContractUploadRequest, ContractUploadResult,
    ContractsApiClient, ContractsApiServer, GasEstimate, GasEstimateRequest, StorageDeposit,
};

pub use dex::{DexApiClient, DexApiServer, PoolInfo, PoolPage, SwapQuote, Twap};
pub use hex::{Bytes, HexError, HexString, NumberOrHex};
pub use metadata::{MetadataApiClient, MetadataApiServer};
pub use tokens::{TokenBalance, TokenInfo, TokenPage, TokensApiClient, TokensApiServer};
pub use types::{
    AccountBalance, ConversionError, EngineId, ExtrinsicOrHash, ExtrinsicStatus, Health, ReadProof,
    RpcBlock, RpcHeader, RpcMethods, RpcSignedBlock, RuntimeVersion, SyncState,
};

use hm_primitives::H256;
use jsonrpsee::core::{RpcResult, SubscriptionResult};
use jsonrpsee::proc_macros::rpc;

/// `system_*`: the node and its network view.
#[rpc(client, server)]
pub trait SystemApi {
    /// Node implementation name.
    #[method(name = "system_name")]
    fn system_name(&self) -> RpcResult<String>;

    #[method(name = "system_version")]
    fn system_version(&self) -> RpcResult<String>;

    /// Chain name from the chain spec.
    #[method(name = "system_chain")]
    fn system_chain(&self) -> RpcResult<String>;

    /// `"Development"`, `"Local"` or `"Live"`.
    #[method(name = "system_chainType")]
    fn system_chain_type(&self) -> RpcResult<String>;

    /// The chain spec's `properties` object (token symbol, decimals, address prefix).
    #[method(name = "system_properties")]
    fn system_properties(&self) -> RpcResult<serde_json::Value>;

    #[method(name = "system_health")]
    fn system_health(&self) -> RpcResult<Health>;

    /// Sync progress: starting, current and highest known block.
    #[method(name = "system_syncState")]
    fn system_sync_state(&self) -> RpcResult<SyncState>;

    /// The nonce to sign the account's next transaction with: its on-chain nonce
    /// advanced past the consecutive nonces it already has in the pool.
    #[method(name = "system_accountNextIndex", aliases = ["account_nextIndex"], blocking)]
    fn system_account_next_index(&self, address: String) -> RpcResult<u64>;
}

/// `chain_*`: headers, blocks and head subscriptions.
#[rpc(client, server)]
pub trait ChainApi {
    /// Header of `hash`, or of the best block when omitted; `null` for an unknown hash.
    #[method(name = "chain_getHeader", blocking)]
    fn header(&self, hash: Option<HexString>) -> RpcResult<Option<RpcHeader>>;

    /// Block with its justification; `null` for an unknown hash.
    #[method(name = "chain_getBlock", blocking)]
    fn block(&self, hash: Option<HexString>) -> RpcResult<Option<RpcSignedBlock>>;

    /// Hash of the canonical block at `number` (best block when omitted); `null` above the best.
    #[method(name = "chain_getBlockHash", aliases = ["chain_getHead"], blocking)]
    fn block_hash(&self, number: Option<NumberOrHex>) -> RpcResult<Option<H256>>;

    #[method(name = "chain_getFinalizedHead", aliases = ["chain_getFinalisedHead"])]
    fn finalized_head(&self) -> RpcResult<H256>;

    /// The best header now, then every imported header.
    #[subscription(
        name = "chain_subscribeNewHeads" => "chain_newHead",
        aliases = ["chain_subscribeNewHead", "subscribe_newHead"],
        unsubscribe = "chain_unsubscribeNewHeads",
        unsubscribe_aliases = ["chain_unsubscribeNewHead", "unsubscribe_newHead"],
        item = RpcHeader
    )]
    async fn subscribe_new_heads(&self) -> SubscriptionResult;

    /// The finalized header now, then every newly finalized header.
    #[subscription(
        name = "chain_subscribeFinalizedHeads" => "chain_finalizedHead",
        aliases = ["chain_subscribeFinalisedHeads"],
        unsubscribe = "chain_unsubscribeFinalizedHeads",
        unsubscribe_aliases = ["chain_unsubscribeFinalisedHeads"],
        item = RpcHeader
    )]
    async fn subscribe_finalized_heads(&self) -> SubscriptionResult;
}

/// `state_*`: storage, proofs and the runtime version.
#[rpc(client, server)]
pub trait StateApi {
    /// Raw value under `key` at block `at` (best when omitted); `null` when absent.
    #[method(name = "state_getStorage", aliases = ["state_getStorageAt"], blocking)]
    fn storage(&self, key: HexString, at: Option<HexString>) -> RpcResult<Option<Bytes>>;

    /// Merkle proofs for `keys` under the state root of `at`.
    #[method(name = "state_getReadProof", blocking)]
    fn read_proof(&self, keys: Vec<HexString>, at: Option<HexString>) -> RpcResult<ReadProof>;

    /// Runtime version of the best block; `at` may name the best block only.
    #[method(name = "state_getRuntimeVersion", aliases = ["chain_getRuntimeVersion"], blocking)]
    fn runtime_version(&self, at: Option<HexString>) -> RpcResult<RuntimeVersion>;

    /// Call runtime API `method` (e.g. `TokensApi_token`) with SCALE `data` over the
    /// state of `at` (best when omitted); the SCALE result.
    #[method(name = "state_call", aliases = ["state_callAt"], blocking)]
    fn call(&self, method: String, data: HexString, at: Option<HexString>) -> RpcResult<Bytes>;
}

/// `author_*`: transaction submission.
#[rpc(client, server)]
pub trait AuthorApi {
    /// Submit a SCALE-encoded signed extrinsic; returns its hash.
    #[method(name = "author_submitExtrinsic", blocking)]
    fn submit_extrinsic(&self, extrinsic: HexString) -> RpcResult<H256>;

    /// Submit and follow the extrinsic until a final status (finalized, usurped, dropped, invalid).
    #[subscription(
        name = "author_submitAndWatchExtrinsic" => "author_extrinsicUpdate",
        unsubscribe = "author_unwatchExtrinsic",
        item = ExtrinsicStatus
    )]
    async fn watch_extrinsic(&self, extrinsic: HexString) -> SubscriptionResult;

    /// Extrinsics in the pool, ready ones first.
    #[method(name = "author_pendingExtrinsics", blocking)]
    fn pending_extrinsics(&self) -> RpcResult<Vec<Bytes>>;
}

/// Methods that change the node's state. Served only where `--rpc-methods` allows.
#[rpc(client, server)]
pub trait AuthorUnsafeApi {
    /// Remove extrinsics from the pool by hash or by their encoding; returns the hashes removed.
    #[method(name = "author_removeExtrinsic", blocking)]
    fn remove_extrinsic(&self, bytes_or_hash: Vec<ExtrinsicOrHash>) -> RpcResult<Vec<H256>>;
}

/// `caesar_*`: the native token.
#[rpc(client, server)]
pub trait CaesarApi {
    /// Free, reserved and locked CAES (in plancks) and the on-chain nonce at the best block.
    #[method(name = "caesar_balance", blocking)]
    fn balance(&self, address: String) -> RpcResult<AccountBalance>;
}

/// `rpc_methods`: what this server serves.
#[rpc(client, server)]
pub trait RpcMethodsApi {
    #[method(name = "rpc_methods")]
    fn rpc_methods(&self) -> RpcResult<RpcMethods>;
}
