//! What a running contract can touch: the contracts pallet implements [`ContractEnv`]
//! over runtime state, one value per frame (with that frame's storage overlay, balances,
//! events and nested calls through the executor again).

use alloc::{string::String, vec, vec::Vec};
use hm_primitives::{AccountId, H256};
use thiserror::Error;

/// Domain separator of [`contract_address`].
pub const CONTRACT_ADDRESS_DOMAIN: &[u8] = b"hm/contract";

/// Result code of `call`, `instantiate` and `transfer` (docs/contracts-abi.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum CallStatus {
    Success = 0,
    /// The callee reverted; its state changes were rolled back.
    Reverted = 1,
    /// The callee trapped or ran out of gas; rolled back.
    Trapped = 2,
    /// Insufficient balance or below the existential deposit.
    TransferFailed = 3,
    /// No contract at that address, or unknown code hash.
    NotFound = 4,
    /// Call depth limit reached.
    DepthLimit = 5,
    /// The callee is already on the call stack.
    Reentrancy = 6,
    /// Instantiate: the address is already in use.
    AddressInUse = 7,
    /// `call_runtime`: the call was dispatched and failed; its changes were rolled back
    /// and the return data holds the SCALE `(pallet index, error index)` of the error.
    RuntimeCallFailed = 8,
    /// `call_runtime`: not a runtime call, or one contracts may not make; nothing ran.
    RuntimeCallRefused = 9,
}

impl CallStatus {
    pub fn code(self) -> i32 {
        self as i32
    }
}

/// Outcome of a nested `call` or `instantiate`, as the environment reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallResult {
    pub status: CallStatus,
    /// The callee's output (also on revert); becomes the caller's return data.
    pub output: Vec<u8>,
    /// Gas the callee used, at most the limit it was given.
    pub gas_used: u64,
}

/// What `call_runtime` did with a SCALE-encoded runtime call (see
/// [`ContractEnv::call_runtime`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RuntimeCallOutcome {
    /// The call ran as the contract's signed origin; `gas_used` is its actual weight in
    /// gas (at most what it declared). `error` is `Some((pallet index, error index))`
    /// when it failed, its changes rolled back.
    Dispatched {
        gas_used: u64,
        error: Option<(u8, u8)>,
    },
    /// Not a runtime call, or a call contracts may not make: nothing ran, nothing is
    /// charged beyond the host function's own price.
    Refused,
    /// The call declares more weight than the gas left: nothing ran, and the frame
    /// runs out of gas, as it would have paying for the call.
    OutOfGas,
}

/// An environment operation failed in a way that ends the frame.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum EnvError {
    /// Deterministic: the frame traps with [`TrapKind::Environment`](crate::TrapKind::Environment),
    /// e.g. the storage deposit limit was exceeded.
    #[error("{0}")]
    Trap(String),
    /// Node fault (e.g. a nested execution timed out or the state backend failed): the
    /// whole execution stops with [`ExecError::NodeFault`](crate::ExecError).
    #[error("{0}")]
    Fatal(String),
}

/// Everything the `hm` host functions reach. Arguments are already bounds-checked,
/// size-capped and paid for when these are called; implementations must stay
/// deterministic (no clocks, no randomness, no iteration over hash maps).
pub trait ContractEnv {
    /// Value under `key` in this contract's storage.
    fn storage_get(&mut self, key: &[u8]) -> Option<Vec<u8>>;
    /// Length of the value under `key`, without copying it.
    fn storage_len(&mut self, key: &[u8]) -> Option<u32>;
    /// Store `value`; returns the previous value's length. Charges or refunds the storage
    /// deposit; `Err(EnvError::Trap)` when it cannot be paid.
    fn storage_set(&mut self, key: &[u8], value: &[u8]) -> Result<Option<u32>, EnvError>;
    /// Remove `key`; returns the previous value's length and refunds its deposit.
    fn storage_remove(&mut self, key: &[u8]) -> Result<Option<u32>, EnvError>;
    /// Account that called this frame.
    fn caller(&self) -> AccountId;
    /// This contract's address.
    fn address(&self) -> AccountId;
    /// Value sent with this call.
    fn value_transferred(&self) -> u128;
    /// Free balance of this contract.
    fn balance(&mut self) -> u128;
    /// Block number of the block being built or imported.
    fn block_number(&self) -> u64;
    /// Block timestamp in milliseconds, from the header.
    fn timestamp(&self) -> u64;
    /// Move `value` from this contract to `to`.
    fn transfer(&mut self, to: &AccountId, value: u128) -> Result<CallStatus, EnvError>;
    /// Emit an event (rolled back with the frame).
    fn deposit_event(&mut self, topics: Vec<H256>, data: Vec<u8>) -> Result<(), EnvError>;
    /// Call another contract with at most `gas_limit` gas. The implementation enforces the
    /// depth limit and reentrancy (see [`CallStack`]), moves `value`, runs the callee
    /// through the executor in a child frame, and rolls the child's state changes and
    /// events back unless it succeeded without reverting. A node fault in the child
    /// ([`ExecError::is_node_fault`](crate::ExecError::is_node_fault)) must come back as
    /// `Err(EnvError::Fatal)` so it aborts the whole execution instead of becoming a
    /// status code.
    fn call(
        &mut self,
        callee: &AccountId,
        value: u128,
        gas_limit: u64,
        input: &[u8],
    ) -> Result<CallResult, EnvError>;
    /// Deploy a new contract from `code_hash` at
    /// [`contract_address`]`(self.address(), code_hash, salt)` and run its `deploy`.
    fn instantiate(
        &mut self,
        code_hash: &H256,
        value: u128,
        gas_limit: u64,
        input: &[u8],
        salt: &[u8],
    ) -> Result<(CallResult, AccountId), EnvError>;
    /// Verify a Falcon signature.
    fn falcon_verify(&mut self, public_key: &[u8], message: &[u8], signature: &[u8]) -> bool;
    /// Debug text from the contract; print it on dev chains, ignore it elsewhere.
    fn debug_log(&mut self, message: &str);
    /// Dispatch the SCALE-encoded runtime call `call` with this contract as the signed
    /// origin, as `pallet-contracts`' `call_runtime`: the runtime decides which calls
    /// contracts may make, the call's declared weight must fit in `gas_left`, and its
    /// changes roll back with it on failure (and with the frame). An environment
    /// without a runtime refuses every call.
    fn call_runtime(&mut self, call: &[u8], gas_left: u64) -> Result<RuntimeCallOutcome, EnvError> {
        let _ = (call, gas_left);
        Ok(RuntimeCallOutcome::Refused)
    }
    /// Original wasm of `code_hash`, for recompiling when no cached artifact exists
    /// (fresh node, wiped cache). Compiling this way costs no gas: gas must not depend
    /// on a node's cache.
    fn code(&mut self, code_hash: &H256) -> Option<Vec<u8>>;
}

/// Address of a contract deployed by `deployer` from `code_hash` with `salt`:
/// `blake3("hm/contract" ‖ deployer ‖ code_hash ‖ salt)`.
pub fn contract_address(deployer: &AccountId, code_hash: &H256, salt: &[u8]) -> AccountId {
    let mut h = blake3::Hasher::new();
    h.update(CONTRACT_ADDRESS_DOMAIN);
    h.update(&deployer.0);
    h.update(&code_hash.0);
    h.update(salt);
    AccountId(*h.finalize().as_bytes())
}

/// The stack of contracts in one execution, for the depth limit and reentrancy refusal.
/// The root frame is pushed by the pallet before the first `execute`; each nested
/// `call`/`instantiate` pushes before running the callee and pops after.
#[derive(Clone, Debug)]
pub struct CallStack {
    frames: Vec<AccountId>,
    max_depth: u32,
}

impl CallStack {
    /// `max_depth` counts nested calls below the root frame (ABI default 5).
    pub fn new(root: AccountId, max_depth: u32) -> Self {
        Self {
            frames: vec![root],
            max_depth,
        }
    }

    /// Nested calls currently below the root.
    pub fn depth(&self) -> u32 {
        u32::try_from(self.frames.len().saturating_sub(1)).unwrap_or(u32::MAX)
    }

    /// Enter `callee`: `DepthLimit` past the limit, `Reentrancy` when it is already on the
    /// stack (a contract calling itself counts). Nothing is pushed on error.
    pub fn push(&mut self, callee: AccountId) -> Result<(), CallStatus> {
        if self.depth() >= self.max_depth {
            return Err(CallStatus::DepthLimit);
        }
        if self.frames.contains(&callee) {
            return Err(CallStatus::Reentrancy);
        }
        self.frames.push(callee);
        Ok(())
    }

    /// Leave the innermost nested frame; the root is never popped.
    pub fn pop(&mut self) -> Option<AccountId> {
        if self.frames.len() > 1 {
            self.frames.pop()
        } else {
            None
        }
    }

    /// Contract of the innermost frame.
    pub fn current(&self) -> Option<&AccountId> {
        self.frames.last()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acc(b: u8) -> AccountId {
        AccountId([b; 32])
    }

    #[test]
    fn call_stack_depth_and_reentrancy() {
        let mut s = CallStack::new(acc(0), 2);
        assert_eq!(s.push(acc(0)), Err(CallStatus::Reentrancy));
        assert_eq!(s.push(acc(1)), Ok(()));
        assert_eq!(s.push(acc(2)), Ok(()));
        assert_eq!(s.depth(), 2);
        assert_eq!(s.push(acc(3)), Err(CallStatus::DepthLimit));
        assert_eq!(s.pop(), Some(acc(2)));
        assert_eq!(s.pop(), Some(acc(1)));
        assert_eq!(s.pop(), None);
        assert_eq!(s.current(), Some(&acc(0)));
    }

    #[test]
    fn address_depends_on_every_input() {
        let base = contract_address(&acc(1), &H256([2; 32]), b"salt");
        assert_ne!(base, contract_address(&acc(9), &H256([2; 32]), b"salt"));
        assert_ne!(base, contract_address(&acc(1), &H256([9; 32]), b"salt"));
        assert_ne!(base, contract_address(&acc(1), &H256([2; 32]), b"salT"));
        assert_eq!(base, contract_address(&acc(1), &H256([2; 32]), b"salt"));
    }
}
