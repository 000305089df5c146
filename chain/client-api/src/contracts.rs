//! What RPC asks of the chain about contracts: dry runs of calls, instantiations and
//! uploads (nothing persists), and reads of code, instances and contract storage.
//!
//! Plain Rust types: the JSON shapes live in `hm-rpc-api`, the runtime's types stay in
//! the client, so neither side depends on the other.
use hm_primitives::{AccountId, Balance, H256};

/// `Contracts::call` as `origin` would submit it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContractCallRequest {
    pub origin: AccountId,
    pub dest: AccountId,
    pub value: Balance,
    pub gas_limit: u64,
    pub storage_deposit_limit: Option<Balance>,
    pub input: Vec<u8>,
}

/// `Contracts::instantiate` of stored code as `origin` would submit it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContractInstantiateRequest {
    pub origin: AccountId,
    pub code_hash: H256,
    pub value: Balance,
    pub gas_limit: u64,
    pub storage_deposit_limit: Option<Balance>,
    pub input: Vec<u8>,
    pub salt: Vec<u8>,
}

/// `Contracts::upload_code` as `origin` would submit it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContractUploadRequest {
    pub origin: AccountId,
    pub code: Vec<u8>,
    pub storage_deposit_limit: Option<Balance>,
}

/// Net storage deposit of an execution, from the signer's side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StorageDepositAmount {
    Charge(Balance),
    Refund(Balance),
}

/// Why a dry run failed: the pallet error (its index within the contracts pallet, its
/// name and message) and the detail the executor gave (validator reason, trap message).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContractFailure {
    pub index: u8,
    pub name: String,
    pub message: String,
    pub detail: String,
}

/// One event a dry run deposited.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContractEvent {
    CodeStored {
        code_hash: H256,
        owner: AccountId,
        deposit: Balance,
    },
    CodeRemoved {
        code_hash: H256,
        owner: AccountId,
        refund: Balance,
    },
    Instantiated {
        deployer: AccountId,
        contract: AccountId,
        code_hash: H256,
    },
    Called {
        caller: AccountId,
        contract: AccountId,
    },
    /// What a contract emitted with `deposit_event`.
    ContractEmitted {
        contract: AccountId,
        topics: Vec<H256>,
        data: Vec<u8>,
    },
    StorageDepositSettled {
        who: AccountId,
        deposit: StorageDepositAmount,
    },
    /// An event of another pallet (a value transfer, say): its pallet index, its SCALE
    /// encoding (the pallet's event enum) and a readable rendering.
    Runtime {
        pallet: u8,
        encoded: Vec<u8>,
        description: String,
    },
}

/// What a dry-run call or instantiation did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContractExecResult {
    /// The root frame's output (its revert data when it reverted).
    pub output: Vec<u8>,
    pub reverted: bool,
    pub gas_consumed: u64,
    /// Gas a submission needs (equal to `gas_consumed`; clients add a margin).
    pub gas_required: u64,
    pub storage_deposit: StorageDepositAmount,
    /// Empty when the execution failed: a failed extrinsic keeps no events.
    pub events: Vec<ContractEvent>,
    /// `None` on success.
    pub error: Option<ContractFailure>,
    /// The new contract's address (instantiation only, also when it failed).
    pub contract: Option<AccountId>,
    /// `debug_log` text (dev chains only).
    pub debug_messages: Vec<String>,
}

/// What a dry-run upload did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContractUploadResult {
    pub code_hash: H256,
    pub gas_consumed: u64,
    /// Deposit the upload would hold.
    pub deposit: Balance,
    pub error: Option<ContractFailure>,
}

/// A contract instance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContractInstance {
    pub address: AccountId,
    pub code_hash: H256,
    pub deployer: AccountId,
    pub storage_items: u32,
    pub storage_bytes: u64,
    pub storage_deposit: Balance,
}

/// Stored code with its record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContractCode {
    pub code_hash: H256,
    pub code: Vec<u8>,
    /// The uploader, who holds its deposit.
    pub owner: AccountId,
    pub deposit: Balance,
    /// Contracts instantiated from it.
    pub refcount: u64,
}
