//! Data types of the contracts pallet.
use alloc::{string::String, vec::Vec};
use hm_primitives::{AccountId, Balance, H256};
use hm_support::{DispatchResult, Weight};
use parity_scale_codec::{Decode, Encode, MaxEncodedLen};

/// Uploaded code: who paid its deposit and how many contracts use it.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, scale_info::TypeInfo)]
pub struct CodeInfo {
    /// The uploader; only it may remove the code, and it gets the deposit back.
    pub owner: AccountId,
    /// Deposit held in the pot for the code and this record.
    pub deposit: Balance,
    /// Contracts instantiated from the code (contracts are never removed, so this only
    /// grows; code with `refcount > 0` cannot be removed).
    pub refcount: u64,
    /// Length of the wasm in bytes.
    pub code_len: u32,
}

/// A contract instance.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, scale_info::TypeInfo)]
pub struct ContractInfo {
    pub code_hash: H256,
    /// The account (or contract) that instantiated it.
    pub deployer: AccountId,
    /// Storage entries the contract holds.
    pub storage_items: u32,
    /// Key plus value bytes of those entries.
    pub storage_bytes: u64,
    /// Deposit held in the pot for this record and the contract's storage; refunds for
    /// freed storage come out of it and never exceed it.
    pub storage_deposit: Balance,
}

/// Net storage deposit of an execution: charged to, or refunded to, the signer.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, scale_info::TypeInfo)]
pub enum StorageDeposit {
    Charge(Balance),
    Refund(Balance),
}

impl Default for StorageDeposit {
    fn default() -> Self {
        StorageDeposit::Charge(0)
    }
}

/// What a dispatched call did and the weight it really used (for the fee refund: the
/// signer pays for the gas used, not the gas limit).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct DispatchOutcome {
    pub result: DispatchResult,
    /// The call's own weight after execution (the per-extrinsic base not included);
    /// `None` means the declared weight.
    pub actual_weight: Option<Weight>,
}

/// Why an execution failed, with the detail a dispatch error cannot carry (the wasm
/// validator's reason, the trap message).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ContractError {
    pub error: crate::Error,
    pub detail: String,
}

/// Result of [`dry_run_call`](crate::dry_run_call) and
/// [`dry_run_instantiate`](crate::dry_run_instantiate). Nothing of the run persists.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct DryRunResult {
    /// The root frame's output (also when it reverted).
    pub output: Vec<u8>,
    /// The root frame returned with the revert flag.
    pub reverted: bool,
    /// Gas the run consumed.
    pub gas_used: u64,
    /// Gas limit to submit the same call with: `gas_used`, plus the most any runtime call
    /// declared beyond what it used (its declared weight must fit in the gas left before
    /// it runs). A contract that branches on `gas_left` or hands sub-calls a fixed gas
    /// limit may need more, so clients add a margin.
    pub gas_required: u64,
    /// Net storage deposit the signer would pay or get back.
    pub storage_deposit: StorageDeposit,
    /// Event records the run deposited, SCALE-encoded as `(Phase, pallet_index, event)`
    /// (the runtime's `EventRecord`), in order. Empty when it failed: a failed extrinsic
    /// keeps no events.
    pub events: Vec<Vec<u8>>,
    /// `None` on success.
    pub error: Option<ContractError>,
    /// The new contract (instantiate only; set even on failure, as the address is known).
    pub contract: Option<AccountId>,
    /// `debug_log` text of the run, when the node prints it (dev chains).
    pub debug_messages: Vec<String>,
}

/// Result of [`dry_run_upload`](crate::dry_run_upload).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct UploadDryRun {
    pub code_hash: H256,
    /// Upload gas (validation and compilation).
    pub gas_used: u64,
    /// Deposit the upload would hold.
    pub deposit: Balance,
    pub error: Option<ContractError>,
}
