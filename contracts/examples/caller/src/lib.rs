//! Calls other contracts and survives their failures: a callee that reverts, traps or runs
//! out of gas comes back as a status this contract records and returns, while its own
//! state changes and events stand. Also instantiates contracts with a salt, at an address
//! it predicts beforehand.
//!
//! Deploy input: empty.
#![cfg(target_arch = "wasm32")]
#![no_std]

extern crate alloc;

use alloc::vec::Vec;

use hm_contract_sdk::scale::{Decode, Encode};
use hm_contract_sdk::{
    contract_address, emit, env, selector, AccountId, Balance, CallBuilder, CallError, Hash,
    InstantiateBuilder, StorageValue,
};

/// Calls that succeeded.
const SUCCESSES: StorageValue<u32> = StorageValue::new(b"s");
/// Calls that failed (any non-zero status).
const FAILURES: StorageValue<u32> = StorageValue::new(b"f");

/// What a forwarded call did. Returned as a value, so this contract does not revert.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
#[codec(crate = hm_contract_sdk::scale)]
pub enum Outcome {
    /// The callee returned this output.
    Success(Vec<u8>),
    /// The callee failed (reverted with data, trapped, ran out of gas, ...).
    Failed(CallError),
}

/// Why a message reverted (revert data is this, SCALE-encoded).
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
#[codec(crate = hm_contract_sdk::scale)]
pub enum Error {
    /// The callee failed and this message does not tolerate it.
    Call(CallError),
    /// The host created the contract somewhere other than the ABI's address formula.
    UnexpectedAddress,
}

hm_contract_sdk::event! {
    /// A forwarded call finished; `status` is the ABI status (0 = success).
    pub struct CallAttempted {
        #[topic] pub callee: AccountId,
        pub status: i32,
    }
}

hm_contract_sdk::event! {
    /// A contract was instantiated from `code_hash` with `salt`.
    pub struct ChildDeployed {
        #[topic] pub child: AccountId,
        #[topic] pub code_hash: Hash,
        pub salt: Vec<u8>,
    }
}

/// Counts and reports a call's result; never reverts.
fn record(callee: AccountId, result: Result<Vec<u8>, CallError>) -> Outcome {
    let (counter, status) = match &result {
        Ok(_) => (SUCCESSES, 0),
        // `InvalidOutput` cannot occur for raw output; `-1` marks "no ABI status".
        Err(error) => (FAILURES, error.status().unwrap_or(-1)),
    };
    counter.set(&counter.get_or_default().saturating_add(1));
    emit(&CallAttempted { callee, status });
    match result {
        Ok(output) => Outcome::Success(output),
        Err(error) => Outcome::Failed(error),
    }
}

hm_contract_sdk::contract! {
    /// Nothing to set up.
    #[deploy]
    fn new() {}

    /// Calls `callee` with raw `input` (selector and SCALE arguments) and `gas_limit`
    /// (0 = all remaining); reports the outcome instead of failing.
    #[message]
    fn try_call(callee: AccountId, input: Vec<u8>, gas_limit: u64) -> Outcome {
        let result = CallBuilder::new(callee).gas_limit(gas_limit).input(input).invoke();
        record(callee, result)
    }

    /// Calls `token.transfer(to, value)` with this contract as the sender; a revert
    /// (say, `InsufficientBalance`) or running out of gas is reported, not propagated.
    #[message]
    fn try_token_transfer(token: AccountId, to: AccountId, value: Balance, gas_limit: u64) -> Outcome {
        let result = CallBuilder::new(token)
            .gas_limit(gas_limit)
            .message(selector!("transfer"), &(to, value))
            .invoke();
        record(token, result)
    }

    /// `token.balance_of(owner)`, decoded; here a failed call does revert this message.
    #[message]
    fn token_balance(token: AccountId, owner: AccountId) -> Result<Balance, Error> {
        CallBuilder::new(token)
            .message(selector!("balance_of"), &(owner,))
            .invoke_decode()
            .map_err(Error::Call)
    }

    /// Instantiates `code_hash` with `salt`, raw `deploy_input` and `endowment` CAES from
    /// this contract's balance; returns the new address.
    #[message]
    fn deploy_child(
        code_hash: Hash,
        salt: Vec<u8>,
        deploy_input: Vec<u8>,
        endowment: Balance,
        gas_limit: u64,
    ) -> Result<AccountId, Error> {
        let expected = contract_address(&env::address(), &code_hash, &salt);
        let created = InstantiateBuilder::new(code_hash)
            .value(endowment)
            .gas_limit(gas_limit)
            .input(deploy_input)
            .salt(&salt)
            .invoke()
            .map_err(Error::Call)?;
        if created.address != expected {
            return Err(Error::UnexpectedAddress);
        }
        emit(&ChildDeployed { child: created.address, code_hash, salt });
        Ok(created.address)
    }

    /// The address `deploy_child(code_hash, salt, ..)` would create.
    #[message]
    fn predict_address(code_hash: Hash, salt: Vec<u8>) -> AccountId {
        contract_address(&env::address(), &code_hash, &salt)
    }

    /// (successful, failed) forwarded calls so far.
    #[message]
    fn stats() -> (u32, u32) {
        (SUCCESSES.get_or_default(), FAILURES.get_or_default())
    }
}
