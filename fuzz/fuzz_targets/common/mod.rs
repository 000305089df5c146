//! What the contract fuzz targets share: an executor with the chain's consensus limits and
//! an in-memory contract environment (one frame; nested calls find no contract).
#![allow(dead_code)]

use hm_executor::{
    CallResult, CallStatus, ContractEnv, EnvError, ExecOutcome, Executor, ExecutorConfig,
};
use hm_primitives::{AccountId, H256};
use std::collections::BTreeMap;

/// The consensus limits every node runs with (`ExecutorConfig::default()`, as the node
/// builds it), with a smaller instance pool: one frame at a time never needs more.
pub fn executor() -> Executor {
    let config = ExecutorConfig {
        pool_instances: 8,
        ..ExecutorConfig::default()
    };
    Executor::new(config).expect("the consensus executor configuration is valid")
}

/// Contract state of the fuzzed "chain".
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct World {
    pub storage: BTreeMap<(AccountId, Vec<u8>), Vec<u8>>,
    pub balances: BTreeMap<AccountId, u128>,
    pub events: Vec<(AccountId, Vec<H256>, Vec<u8>)>,
    pub codes: BTreeMap<H256, Vec<u8>>,
}

impl World {
    pub fn balance(&self, who: &AccountId) -> u128 {
        self.balances.get(who).copied().unwrap_or(0)
    }

    /// Storage entries of `contract`, key → value.
    pub fn entries_of(&self, contract: AccountId) -> impl Iterator<Item = (&[u8], &[u8])> {
        self.storage
            .iter()
            .filter(move |((owner, _), _)| *owner == contract)
            .map(|((_, key), value)| (key.as_slice(), value.as_slice()))
    }
}

/// One root frame: `caller` calls `address` with `value`.
pub struct FrameEnv<'a> {
    pub world: &'a mut World,
    pub caller: AccountId,
    pub address: AccountId,
    pub value: u128,
}

fn not_found() -> CallResult {
    CallResult {
        status: CallStatus::NotFound,
        output: Vec::new(),
        gas_used: 0,
    }
}

impl ContractEnv for FrameEnv<'_> {
    fn storage_get(&mut self, key: &[u8]) -> Option<Vec<u8>> {
        self.world
            .storage
            .get(&(self.address, key.to_vec()))
            .cloned()
    }
    fn storage_len(&mut self, key: &[u8]) -> Option<u32> {
        let value = self.world.storage.get(&(self.address, key.to_vec()))?;
        u32::try_from(value.len()).ok()
    }
    fn storage_set(&mut self, key: &[u8], value: &[u8]) -> Result<Option<u32>, EnvError> {
        let previous = self
            .world
            .storage
            .insert((self.address, key.to_vec()), value.to_vec());
        Ok(previous.and_then(|v| u32::try_from(v.len()).ok()))
    }
    fn storage_remove(&mut self, key: &[u8]) -> Result<Option<u32>, EnvError> {
        let previous = self.world.storage.remove(&(self.address, key.to_vec()));
        Ok(previous.and_then(|v| u32::try_from(v.len()).ok()))
    }
    fn caller(&self) -> AccountId {
        self.caller
    }
    fn address(&self) -> AccountId {
        self.address
    }
    fn value_transferred(&self) -> u128 {
        self.value
    }
    fn balance(&mut self) -> u128 {
        self.world.balance(&self.address)
    }
    fn block_number(&self) -> u64 {
        7
    }
    fn timestamp(&self) -> u64 {
        1_700_000_000_000
    }
    fn transfer(&mut self, to: &AccountId, value: u128) -> Result<CallStatus, EnvError> {
        let Some(left) = self.world.balance(&self.address).checked_sub(value) else {
            return Ok(CallStatus::TransferFailed);
        };
        self.world.balances.insert(self.address, left);
        let credited = self.world.balance(to).saturating_add(value);
        self.world.balances.insert(*to, credited);
        Ok(CallStatus::Success)
    }
    fn deposit_event(&mut self, topics: Vec<H256>, data: Vec<u8>) -> Result<(), EnvError> {
        self.world.events.push((self.address, topics, data));
        Ok(())
    }
    fn call(&mut self, _: &AccountId, _: u128, _: u64, _: &[u8]) -> Result<CallResult, EnvError> {
        Ok(not_found())
    }
    fn instantiate(
        &mut self,
        code_hash: &H256,
        _: u128,
        _: u64,
        _: &[u8],
        salt: &[u8],
    ) -> Result<(CallResult, AccountId), EnvError> {
        let address = hm_executor::contract_address(&self.address, code_hash, salt);
        Ok((not_found(), address))
    }
    fn falcon_verify(&mut self, _: &[u8], _: &[u8], _: &[u8]) -> bool {
        false
    }
    fn debug_log(&mut self, _: &str) {}
    fn code(&mut self, code_hash: &H256) -> Option<Vec<u8>> {
        self.world.codes.get(code_hash).cloned()
    }
}

/// A deployed contract.
#[derive(Clone, Copy, Debug)]
pub struct Contract {
    pub code_hash: H256,
    pub address: AccountId,
}

/// Run `entry` of `contract` as a root frame called by `caller` and keep its effects only
/// when it returned without reverting, as the contracts pallet does.
pub fn run_frame(
    exec: &Executor,
    world: &mut World,
    contract: Contract,
    entry: hm_executor::Entry,
    caller: AccountId,
    input: &[u8],
    gas_limit: u64,
) -> ExecOutcome {
    let snapshot = world.clone();
    let mut env = FrameEnv {
        world: &mut *world,
        caller,
        address: contract.address,
        value: 0,
    };
    let outcome = exec.execute(&contract.code_hash, entry, &mut env, input, gas_limit);
    check_outcome(&outcome, gas_limit);
    if !matches!(&outcome.result, Ok(r) if !r.reverted) {
        *world = snapshot;
    }
    outcome
}

/// What every execution must satisfy, whatever the code and input.
pub fn check_outcome(outcome: &ExecOutcome, gas_limit: u64) {
    assert!(
        outcome.gas_used <= gas_limit,
        "used {} gas of a {gas_limit} limit",
        outcome.gas_used
    );
    if let Err(e) = &outcome.result {
        // A backstop timeout cannot happen within these gas limits (milliseconds of
        // work); any node fault would mean the validator and the engine disagree.
        assert!(!e.is_node_fault(), "node fault on fuzzed input: {e}");
    }
}
