//! Contracts: upload wasm code, instantiate contracts from it and call them.
//!
//! The pallet is deterministic and `no_std`; the wasm runs in the node's executor, which
//! the runtime reaches through `Externalities::contract_engine` (a [`ContractEngine`]).
//! The pallet implements the engine's [`ContractEnv`](hm_contracts_api::ContractEnv)
//! over runtime state ([`frame`]): every frame runs in its own storage overlay
//! (`with_transaction`), so a revert, trap or out-of-gas rolls back that frame's storage,
//! transfers, events and deposits but not its caller's.
//!
//! Gas is the executor's fuel (one unit per wasm instruction, plus schedule prices for
//! host functions). An extrinsic's weight is its base weight plus
//! [`WEIGHT_PER_GAS`] × gas limit; after dispatch the weight of the gas not used is
//! reported back ([`DispatchOutcome::actual_weight`]) and the runtime refunds its fee.
//!
//! Deposits: code pays per byte and per item at upload (refunded by `remove_code`);
//! contract storage pays per byte and per item as it grows, charged to the signer of the
//! extrinsic (bounded by its `storage_deposit_limit`) and refunded to whoever frees it.
//! Caesar has no reserves, so deposits move to the pot account [`deposit_account`] (as
//! the staking pallet does with bonds): `TotalIssuance == Σ(free + reserved)` holds with
//! the pot as an ordinary account. See [`deposit`].
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
pub mod benchmarking;
mod code;
pub mod deposit;
mod dry_run;
mod exec;
pub mod frame;
mod runtime_calls;
mod runtime_pallet;
mod types;
pub mod weights;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use deposit::deposit_account;
pub use dry_run::{dry_run_call, dry_run_instantiate, dry_run_upload};
pub use hm_contracts_api::{contract_address, ContractEngine};
pub use hm_support::EncodedCalls;
pub use runtime_calls::{weight_to_gas, Config};
pub use runtime_pallet::Pallet;
pub use types::*;

use alloc::vec::Vec;
use hm_pallet_system::{self as system, Origin};
use hm_primitives::{
    storage_key::{map_key, value_key},
    AccountId, Balance, H256, UNITS,
};
use hm_support::{get, Externalities, Weight};
use parity_scale_codec::{Decode, Encode};

// ---------------------------------------------------------------------------
// Config and constants

/// Storage prefix of every item of this pallet.
pub const PALLET: &[u8] = b"Contracts";
/// Index of this pallet in the runtime's `Call` and event enums.
pub const PALLET_INDEX: u8 = 3;
/// Largest code accepted, checked before anything else (the executor's `max_code_bytes`).
pub const MAX_CODE_BYTES: usize = 128 * 1024;
/// Longest instantiation salt (32 random bytes are plenty; the cap bounds the address
/// preimage the host hashes).
pub const MAX_SALT_BYTES: usize = 64;
/// Nested calls below the root frame (docs/contracts-abi.md; the executor's default).
pub const MAX_CALL_DEPTH: u32 = 5;
/// Weight (picoseconds) per unit of gas. The executor's schedule prices gas at 4 gas ≈
/// 1 ns on the reference core, the rate of the slowest measured wasm (call-heavy code:
/// ~5 gas/ns; straight-line arithmetic runs at ~19 gas/ns), and prices host functions
/// at the same rate; so one gas is at most 250 ps of execution.
pub const WEIGHT_PER_GAS: Weight = 250;
/// Largest gas limit of one call or instantiation: 0.4 s of reference execution, which
/// fits the default block weight (0.5 s) with the extrinsic's base.
pub const MAX_GAS_PER_EXTRINSIC: u64 = 1_600_000_000;
/// Largest upload (validation + compile) charge, same bound. Real contracts cost far
/// less (the 9.5 KiB example token: 93 M gas); the rest of the declared weight is
/// refunded.
pub const MAX_UPLOAD_GAS: u64 = MAX_GAS_PER_EXTRINSIC;
/// Upper bound of the executor's upload charge per code byte, for the weight declared
/// before the code is parsed: a control-flow instruction (150 000 gas) takes at least
/// one byte, a function (300 000 gas) at least four, plus 600 gas per byte.
pub const UPLOAD_GAS_BOUND_PER_BYTE: u64 = 150_000 + 75_000 + 600;
/// Fixed part of that bound (the executor's `upload_base`).
pub const UPLOAD_GAS_BOUND_BASE: u64 = 1_000_000;
/// Deposit per stored item (code, contract record, storage entry): 1 mCAES, the default
/// existential deposit, since an item costs the state about what an account does.
pub const DEPOSIT_PER_ITEM: Balance = UNITS / 1_000;
/// Deposit per stored byte: 10 µCAES, so the 9.5 KiB example token holds ~0.1 CAES.
pub const DEPOSIT_PER_BYTE: Balance = UNITS / 100_000;
/// Most `debug_log` messages a dry run returns (the rest are dropped).
pub const MAX_DEBUG_MESSAGES: usize = 1_024;

/// Weight of `gas` gas.
pub fn gas_to_weight(gas: u64) -> Weight {
    gas.saturating_mul(WEIGHT_PER_GAS)
}

/// The gas an upload of `code_len` bytes may be charged (and is declared for).
pub fn upload_gas_limit(code_len: usize) -> u64 {
    let len = u64::try_from(code_len).unwrap_or(u64::MAX);
    UPLOAD_GAS_BOUND_PER_BYTE
        .saturating_mul(len)
        .saturating_add(UPLOAD_GAS_BOUND_BASE)
        .min(MAX_UPLOAD_GAS)
}

// ---------------------------------------------------------------------------
// Storage items

/// Raw storage keys, one function per item.
pub mod storage {
    use super::*;

    /// `PristineCode: H256 -> Vec<u8>`, the wasm as uploaded (raw bytes, not SCALE).
    pub fn pristine_code(code_hash: &H256) -> Vec<u8> {
        map_key(PALLET, b"PristineCode", &code_hash.encode())
    }
    /// `CodeInfoOf: H256 -> CodeInfo`.
    pub fn code_info(code_hash: &H256) -> Vec<u8> {
        map_key(PALLET, b"CodeInfoOf", &code_hash.encode())
    }
    /// `ContractInfoOf: AccountId -> ContractInfo`.
    pub fn contract_info(contract: &AccountId) -> Vec<u8> {
        map_key(PALLET, b"ContractInfoOf", &contract.encode())
    }
    /// `ContractStorage: (AccountId, key) -> value` (raw bytes). The map key is the
    /// SCALE encoding of `(contract, key)`: the address, the key's compact length, the key.
    pub fn contract_storage(contract: &AccountId, key: &[u8]) -> Vec<u8> {
        map_key(PALLET, b"ContractStorage", &(contract, key).encode())
    }
    /// `TotalDeposits: Balance`, what the pot owes: every code and storage deposit held.
    pub fn total_deposits() -> Vec<u8> {
        value_key(PALLET, b"TotalDeposits")
    }
}

/// The wasm of `code_hash`, as uploaded.
pub fn code(ext: &dyn Externalities, code_hash: &H256) -> Option<Vec<u8>> {
    ext.storage_get(&storage::pristine_code(code_hash))
}

pub fn code_info(ext: &dyn Externalities, code_hash: &H256) -> Option<CodeInfo> {
    get(ext, &storage::code_info(code_hash))
}

/// The contract at `address`, or `None` when there is none.
pub fn contract_info(ext: &dyn Externalities, address: &AccountId) -> Option<ContractInfo> {
    get(ext, &storage::contract_info(address))
}

/// The value under `key` in the storage of the contract at `address`.
pub fn contract_storage(
    ext: &dyn Externalities,
    address: &AccountId,
    key: &[u8],
) -> Option<Vec<u8>> {
    ext.storage_get(&storage::contract_storage(address, key))
}

pub fn total_deposits(ext: &dyn Externalities) -> Balance {
    get(ext, &storage::total_deposits()).unwrap_or(0)
}

// ---------------------------------------------------------------------------
// Events

#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, scale_info::TypeInfo)]
pub enum Event {
    /// Code was uploaded; `deposit` is held until it is removed.
    #[codec(index = 0)]
    CodeStored {
        code_hash: H256,
        owner: AccountId,
        deposit: Balance,
    },
    /// Code was removed and its deposit returned.
    #[codec(index = 1)]
    CodeRemoved {
        code_hash: H256,
        owner: AccountId,
        refund: Balance,
    },
    /// A contract was instantiated (its `deploy` succeeded).
    #[codec(index = 2)]
    Instantiated {
        deployer: AccountId,
        contract: AccountId,
        code_hash: H256,
    },
    /// A contract's `call` succeeded (root or nested).
    #[codec(index = 3)]
    Called {
        caller: AccountId,
        contract: AccountId,
    },
    /// An event a contract emitted with `deposit_event`.
    #[codec(index = 4)]
    ContractEmitted {
        contract: AccountId,
        topics: Vec<H256>,
        data: Vec<u8>,
    },
    /// The signer's net storage deposit of an execution moved to or from the pot.
    #[codec(index = 5)]
    StorageDepositSettled {
        who: AccountId,
        deposit: StorageDeposit,
    },
}

pub(crate) fn deposit_event(ext: &mut dyn Externalities, event: &Event) {
    system::deposit_event(ext, PALLET_INDEX, event);
}

// ---------------------------------------------------------------------------
// Errors

#[derive(Clone, Copy, PartialEq, Eq, Debug, scale_info::TypeInfo)]
#[repr(u8)]
pub enum Error {
    /// The code is larger than `MAX_CODE_BYTES`; refused before it is parsed.
    CodeTooLarge = 0,
    /// Not a valid wasm module.
    CodeMalformed = 1,
    /// The code uses a wasm feature contracts may not use (SIMD, threads, ...).
    CodeUsesDisabledFeature = 2,
    /// The code imports something other than an `hm` host function of the right type.
    CodeUnknownImport = 3,
    /// Too many functions, locals, parameters, types, globals, pages or table elements.
    CodeExceedsLimits = 4,
    /// `memory`, `deploy` or `call` is missing or of the wrong type, or a start function.
    CodeInvalidExports = 5,
    /// Compiling the code would cost more than `MAX_UPLOAD_GAS`.
    CodeTooExpensive = 6,
    /// This code is already stored.
    CodeAlreadyExists = 7,
    /// No code with this hash.
    CodeNotFound = 8,
    /// Contracts use this code; it cannot be removed.
    CodeInUse = 9,
    /// Only the uploader may remove code.
    NotCodeOwner = 10,
    /// No contract at this address.
    ContractNotFound = 11,
    /// A contract already lives at the address this instantiation would use.
    AddressInUse = 12,
    /// The salt is longer than `MAX_SALT_BYTES`.
    SaltTooLarge = 13,
    /// The gas limit is above `MAX_GAS_PER_EXTRINSIC`.
    GasLimitTooHigh = 14,
    /// The contract ran out of gas; its changes were rolled back.
    OutOfGas = 15,
    /// The contract trapped (e.g. `unreachable`, bad memory access, stack or memory
    /// limit); its changes were rolled back.
    ContractTrapped = 16,
    /// The contract returned with the revert flag; its changes were rolled back.
    ContractReverted = 17,
    /// The contract failed after a nested call was refused for the call depth limit.
    DepthLimit = 18,
    /// The contract failed after a nested call was refused as reentrant.
    Reentrancy = 19,
    /// The value could not be transferred (balance, or the existential deposit).
    TransferFailed = 20,
    /// The storage deposit would exceed the signer's `storage_deposit_limit`.
    DepositLimitExceeded = 21,
    /// The signer cannot pay the deposit and stay above the existential deposit.
    InsufficientFundsForDeposit = 22,
    /// This node has no contract engine (a node fault; never recorded by a validator).
    NoEngine = 23,
    /// The executor failed for reasons of this node (a node fault; never recorded).
    NodeFault = 24,
    /// A deposit total would overflow.
    Overflow = 25,
}

impl Error {
    pub fn message(self) -> &'static str {
        match self {
            Error::CodeTooLarge => "code is larger than the limit",
            Error::CodeMalformed => "code is not a valid wasm module",
            Error::CodeUsesDisabledFeature => "code uses a wasm feature contracts may not use",
            Error::CodeUnknownImport => "code imports something other than an `hm` host function",
            Error::CodeExceedsLimits => {
                "code exceeds a limit (functions, locals, params, memory, ...)"
            }
            Error::CodeInvalidExports => {
                "code lacks `memory`/`deploy`/`call` exports or has a start function"
            }
            Error::CodeTooExpensive => "compiling the code would cost more than the upload gas cap",
            Error::CodeAlreadyExists => "this code is already stored",
            Error::CodeNotFound => "no code with this hash",
            Error::CodeInUse => "contracts use this code",
            Error::NotCodeOwner => "only the uploader may remove code",
            Error::ContractNotFound => "no contract at this address",
            Error::AddressInUse => "a contract already exists at this address",
            Error::SaltTooLarge => "salt is longer than the limit",
            Error::GasLimitTooHigh => "gas limit is above the per-extrinsic maximum",
            Error::OutOfGas => "contract ran out of gas",
            Error::ContractTrapped => "contract trapped",
            Error::ContractReverted => "contract reverted",
            Error::DepthLimit => "a nested call was refused: call depth limit reached",
            Error::Reentrancy => "a nested call was refused: reentrancy",
            Error::TransferFailed => "value transfer failed (balance or existential deposit)",
            Error::DepositLimitExceeded => "storage deposit limit exceeded",
            Error::InsufficientFundsForDeposit => "cannot pay the storage deposit",
            Error::NoEngine => "this node has no contract engine",
            Error::NodeFault => "contract executor failed on this node",
            Error::Overflow => "deposit overflow",
        }
    }
}

hm_support::impl_dispatch_error!(Error, PALLET_INDEX);

// ---------------------------------------------------------------------------
// Calls

#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, scale_info::TypeInfo)]
pub enum Call {
    /// Store `code` after validating and compiling it. Holds `DEPOSIT_PER_BYTE` per byte
    /// plus `DEPOSIT_PER_ITEM` from the signer, refused above `storage_deposit_limit`.
    #[codec(index = 0)]
    UploadCode {
        code: Vec<u8>,
        storage_deposit_limit: Option<Balance>,
    },
    /// The uploader removes code no contract uses and gets its deposit back.
    #[codec(index = 1)]
    RemoveCode { code_hash: H256 },
    /// Create a contract at `contract_address(signer, code_hash, salt)`, send it `value`
    /// and run its `deploy` with `input`.
    #[codec(index = 2)]
    Instantiate {
        code_hash: H256,
        #[codec(compact)]
        value: Balance,
        #[codec(compact)]
        gas_limit: u64,
        storage_deposit_limit: Option<Balance>,
        input: Vec<u8>,
        salt: Vec<u8>,
    },
    /// Send `value` to the contract `dest` and run its `call` with `input`.
    #[codec(index = 3)]
    Call {
        dest: AccountId,
        #[codec(compact)]
        value: Balance,
        #[codec(compact)]
        gas_limit: u64,
        storage_deposit_limit: Option<Balance>,
        input: Vec<u8>,
    },
}

impl Call {
    /// The declared weight: the pallet's own work plus the gas limit (or, for uploads,
    /// the upload gas bound); the unused part is reported after dispatch.
    pub fn weight(&self) -> Weight {
        match self {
            Call::UploadCode { code, .. } => upload_base_weight(code.len())
                .saturating_add(gas_to_weight(upload_gas_limit(code.len()))),
            Call::RemoveCode { .. } => weights::REMOVE_CODE,
            Call::Instantiate { gas_limit, .. } => {
                weights::INSTANTIATE.saturating_add(gas_to_weight(*gas_limit))
            }
            Call::Call { gas_limit, .. } => weights::CALL.saturating_add(gas_to_weight(*gas_limit)),
        }
    }
}

/// The pallet's own upload work: hashing and storing `code_len` bytes.
pub(crate) fn upload_base_weight(code_len: usize) -> Weight {
    let len = u64::try_from(code_len).unwrap_or(u64::MAX);
    weights::UPLOAD_CODE_PER_BYTE
        .saturating_mul(len)
        .saturating_add(weights::UPLOAD_CODE)
}

/// Run `call` as `origin`, with `runtime_calls` serving the contracts' `call_runtime`.
/// The caller rolls state back on `Err` (the runtime's `with_transaction`);
/// `actual_weight` is valid either way.
pub fn dispatch(
    ext: &mut dyn Externalities,
    origin: Origin,
    call: Call,
    runtime_calls: Option<&'static dyn EncodedCalls>,
) -> DispatchOutcome {
    let who = match system::ensure_signed(origin) {
        Ok(who) => who,
        Err(e) => {
            return DispatchOutcome {
                result: Err(e),
                actual_weight: None,
            }
        }
    };
    match call {
        Call::UploadCode {
            code,
            storage_deposit_limit,
        } => code::upload_code(ext, &who, &code, storage_deposit_limit),
        Call::RemoveCode { code_hash } => DispatchOutcome {
            result: code::remove_code(ext, &who, &code_hash),
            actual_weight: None,
        },
        Call::Instantiate {
            code_hash,
            value,
            gas_limit,
            storage_deposit_limit,
            input,
            salt,
        } => {
            let request = exec::Request {
                origin: who,
                value,
                gas_limit,
                storage_deposit_limit,
                input,
                runtime_calls,
            };
            let outcome = exec::instantiate(ext, request, &code_hash, &salt, false);
            outcome.into_dispatch(weights::INSTANTIATE)
        }
        Call::Call {
            dest,
            value,
            gas_limit,
            storage_deposit_limit,
            input,
        } => {
            let request = exec::Request {
                origin: who,
                value,
                gas_limit,
                storage_deposit_limit,
                input,
                runtime_calls,
            };
            exec::call(ext, request, &dest, false).into_dispatch(weights::CALL)
        }
    }
}

// ---------------------------------------------------------------------------
// Hooks: none. Executions settle their deposits before they return.

// ---------------------------------------------------------------------------
// Genesis: none. The deposit pot's existential-deposit floor is minted the first time a
// deposit is held (see `deposit`), so chains whose genesis predates this pallet work.
