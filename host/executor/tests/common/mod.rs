//! Test environment: a whole "chain" in BTreeMaps, with nested calls through the real
//! executor and snapshot rollback on revert/trap.
#![allow(dead_code)]

use hm_executor::{
    contract_address, CallResult, CallStack, CallStatus, ContractEnv, Entry, EnvError, ExecOutcome,
    Executor, ExecutorConfig,
};
use hm_primitives::{AccountId, H256};
use std::collections::BTreeMap;

pub const ALICE: AccountId = AccountId([0xA1; 32]);
pub const GAS: u64 = 10_000_000;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct World {
    pub storage: BTreeMap<(AccountId, Vec<u8>), Vec<u8>>,
    pub balances: BTreeMap<AccountId, u128>,
    pub events: Vec<(AccountId, Vec<H256>, Vec<u8>)>,
    pub contracts: BTreeMap<AccountId, H256>,
    pub codes: BTreeMap<H256, Vec<u8>>,
    pub logs: Vec<String>,
    pub block_number: u64,
    pub timestamp: u64,
}

impl World {
    fn move_balance(&mut self, from: AccountId, to: AccountId, value: u128) -> bool {
        if value == 0 {
            return true;
        }
        let Some(left) = self.balance(&from).checked_sub(value) else {
            return false;
        };
        self.balances.insert(from, left);
        let to_balance = self.balance(&to).saturating_add(value);
        self.balances.insert(to, to_balance);
        true
    }

    pub fn balance(&self, who: &AccountId) -> u128 {
        self.balances.get(who).copied().unwrap_or(0)
    }

    pub fn get(&self, contract: AccountId, key: &[u8]) -> Option<&Vec<u8>> {
        self.storage.get(&(contract, key.to_vec()))
    }
}

pub struct TestEnv<'a> {
    pub exec: &'a Executor,
    pub world: &'a mut World,
    pub stack: &'a mut CallStack,
    pub caller: AccountId,
    pub address: AccountId,
    pub value: u128,
}

impl TestEnv<'_> {
    fn child(
        &mut self,
        code_hash: H256,
        callee: AccountId,
        value: u128,
        gas_limit: u64,
        input: &[u8],
        entry: Entry,
    ) -> Result<CallResult, EnvError> {
        let snapshot = self.world.clone();
        if !self.world.move_balance(self.address, callee, value) {
            return Ok(CallResult {
                status: CallStatus::TransferFailed,
                output: vec![],
                gas_used: 0,
            });
        }
        let mut child = TestEnv {
            exec: self.exec,
            world: &mut *self.world,
            stack: &mut *self.stack,
            caller: self.address,
            address: callee,
            value,
        };
        let out = self
            .exec
            .execute(&code_hash, entry, &mut child, input, gas_limit);
        let (status, output) = match out.result {
            Ok(r) if !r.reverted => (CallStatus::Success, r.output),
            Ok(r) => {
                *self.world = snapshot;
                (CallStatus::Reverted, r.output)
            }
            Err(e) if e.is_node_fault() => return Err(EnvError::Fatal(e.to_string())),
            Err(_) => {
                *self.world = snapshot;
                (CallStatus::Trapped, vec![])
            }
        };
        Ok(CallResult {
            status,
            output,
            gas_used: out.gas_used,
        })
    }
}

impl ContractEnv for TestEnv<'_> {
    fn storage_get(&mut self, key: &[u8]) -> Option<Vec<u8>> {
        self.world.get(self.address, key).cloned()
    }
    fn storage_len(&mut self, key: &[u8]) -> Option<u32> {
        self.world.get(self.address, key).map(|v| v.len() as u32)
    }
    fn storage_set(&mut self, key: &[u8], value: &[u8]) -> Result<Option<u32>, EnvError> {
        if key == b"forbidden" {
            return Err(EnvError::Trap("storage deposit limit exceeded".into()));
        }
        let prev = self
            .world
            .storage
            .insert((self.address, key.to_vec()), value.to_vec());
        Ok(prev.map(|v| v.len() as u32))
    }
    fn storage_remove(&mut self, key: &[u8]) -> Result<Option<u32>, EnvError> {
        let prev = self.world.storage.remove(&(self.address, key.to_vec()));
        Ok(prev.map(|v| v.len() as u32))
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
        self.world.block_number
    }
    fn timestamp(&self) -> u64 {
        self.world.timestamp
    }
    fn transfer(&mut self, to: &AccountId, value: u128) -> Result<CallStatus, EnvError> {
        Ok(if self.world.move_balance(self.address, *to, value) {
            CallStatus::Success
        } else {
            CallStatus::TransferFailed
        })
    }
    fn deposit_event(&mut self, topics: Vec<H256>, data: Vec<u8>) -> Result<(), EnvError> {
        self.world.events.push((self.address, topics, data));
        Ok(())
    }
    fn call(
        &mut self,
        callee: &AccountId,
        value: u128,
        gas_limit: u64,
        input: &[u8],
    ) -> Result<CallResult, EnvError> {
        let Some(code_hash) = self.world.contracts.get(callee).copied() else {
            return Ok(CallResult {
                status: CallStatus::NotFound,
                output: vec![],
                gas_used: 0,
            });
        };
        if let Err(status) = self.stack.push(*callee) {
            return Ok(CallResult {
                status,
                output: vec![],
                gas_used: 0,
            });
        }
        let result = self.child(code_hash, *callee, value, gas_limit, input, Entry::Call);
        self.stack.pop();
        result
    }
    fn instantiate(
        &mut self,
        code_hash: &H256,
        value: u128,
        gas_limit: u64,
        input: &[u8],
        salt: &[u8],
    ) -> Result<(CallResult, AccountId), EnvError> {
        let address = contract_address(&self.address, code_hash, salt);
        let fail = |status| {
            Ok((
                CallResult {
                    status,
                    output: vec![],
                    gas_used: 0,
                },
                address,
            ))
        };
        if !self.world.codes.contains_key(code_hash) {
            return fail(CallStatus::NotFound);
        }
        if self.world.contracts.contains_key(&address) {
            return fail(CallStatus::AddressInUse);
        }
        if let Err(status) = self.stack.push(address) {
            return fail(status);
        }
        self.world.contracts.insert(address, *code_hash);
        let result = self.child(*code_hash, address, value, gas_limit, input, Entry::Deploy);
        self.stack.pop();
        let result = result?;
        if result.status != CallStatus::Success {
            self.world.contracts.remove(&address);
        }
        Ok((result, address))
    }
    fn falcon_verify(&mut self, public_key: &[u8], message: &[u8], signature: &[u8]) -> bool {
        hm_crypto::falcon::verify_raw(public_key, message, signature)
    }
    fn debug_log(&mut self, message: &str) {
        self.world.logs.push(message.to_owned());
    }
    fn code(&mut self, code_hash: &H256) -> Option<Vec<u8>> {
        self.world.codes.get(code_hash).cloned()
    }
}

pub fn executor() -> Executor {
    Executor::new(test_config()).expect("executor")
}

pub fn test_config() -> ExecutorConfig {
    ExecutorConfig {
        pool_instances: 32,
        ..ExecutorConfig::default()
    }
}

pub fn wasm(wat: &str) -> Vec<u8> {
    wat::parse_str(wat).expect("valid wat")
}

/// Upload `code` and register a contract instance at `address` (without running deploy).
pub fn install(exec: &Executor, world: &mut World, address: AccountId, code: &[u8]) -> H256 {
    let prepared = exec.prepare(code).expect("prepare");
    world.codes.insert(prepared.code_hash, code.to_vec());
    world.contracts.insert(address, prepared.code_hash);
    prepared.code_hash
}

/// Run `entry` of the contract at `address` as a root frame called by ALICE.
pub fn run(
    exec: &Executor,
    world: &mut World,
    address: AccountId,
    entry: Entry,
    input: &[u8],
    gas: u64,
) -> ExecOutcome {
    run_with_value(exec, world, address, entry, input, gas, 0)
}

pub fn run_with_value(
    exec: &Executor,
    world: &mut World,
    address: AccountId,
    entry: Entry,
    input: &[u8],
    gas: u64,
    value: u128,
) -> ExecOutcome {
    let code_hash = world.contracts[&address];
    let mut stack = CallStack::new(address, exec.config().max_call_depth);
    let mut env = TestEnv {
        exec,
        world,
        stack: &mut stack,
        caller: ALICE,
        address,
        value,
    };
    exec.execute(&code_hash, entry, &mut env, input, gas)
}

/// A contract whose `call` body is `body` and whose `deploy` does nothing; `imports` are
/// extra `(import "hm" ...)` lines. Memory: 1 page.
pub fn contract(imports: &str, body: &str) -> Vec<u8> {
    wasm(&format!(
        r#"(module
            (import "hm" "return_value" (func $return_value (param i32 i32 i32)))
            (import "hm" "input_len" (func $input_len (result i32)))
            (import "hm" "input_read" (func $input_read (param i32)))
            {imports}
            (memory (export "memory") 1)
            (func (export "deploy"))
            (func (export "call") {body}))"#
    ))
}

pub fn ok_output(out: &ExecOutcome) -> Vec<u8> {
    match &out.result {
        Ok(r) => {
            assert!(!r.reverted, "unexpected revert");
            r.output.clone()
        }
        Err(e) => panic!("unexpected error: {e}"),
    }
}
