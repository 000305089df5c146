//! [`ContractEnv`] over runtime state: one [`Frame`] per running contract.
//!
//! A frame reads and writes through its own overlay (the `with_transaction` its caller
//! opened in [`run_frame`]), so everything it does rolls back with it. Its contract's
//! record (storage counters and held deposit) is kept in memory and written when the
//! frame succeeds: no other frame can touch it meanwhile, because a contract already on
//! the call stack cannot be entered again.
use crate::deposit::storage_entry_deposit;
use crate::exec::{new_contract_info, run_frame, transfer_value, Execution, FrameEnd, FrameSpec};
use crate::{
    code_info, contract_info, deposit_event, storage, ContractInfo, Error, Event,
    MAX_DEBUG_MESSAGES, MAX_SALT_BYTES,
};
use alloc::{format, string::ToString, vec::Vec};
use hm_contracts_api::{
    contract_address, CallResult, CallStatus, ContractEnv, Entry, EnvError, ExecError,
    RuntimeCallOutcome,
};
use hm_pallet_caesar as caesar;
use hm_primitives::{AccountId, Balance, H256};
use hm_support::{put, Externalities};

/// The environment of one running contract.
pub struct Frame<'a> {
    ext: &'a mut dyn Externalities,
    exec: &'a mut Execution,
    caller: AccountId,
    address: AccountId,
    value: Balance,
    info: ContractInfo,
}

fn status_result(status: CallStatus) -> CallResult {
    CallResult {
        status,
        output: Vec::new(),
        gas_used: 0,
    }
}

/// A length the ABI reports as `i32`; storage values are capped far below.
fn len32(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}

impl<'a> Frame<'a> {
    pub(crate) fn new(
        ext: &'a mut dyn Externalities,
        exec: &'a mut Execution,
        caller: AccountId,
        address: AccountId,
        value: Balance,
        info: ContractInfo,
    ) -> Self {
        Self {
            ext,
            exec,
            caller,
            address,
            value,
            info,
        }
    }

    /// The frame succeeded: store its contract's record and say so in an event.
    pub(crate) fn finish(&mut self, entry: Entry) {
        put(self.ext, &storage::contract_info(&self.address), &self.info);
        let event = match entry {
            Entry::Deploy => Event::Instantiated {
                deployer: self.caller,
                contract: self.address,
                code_hash: self.info.code_hash,
            },
            Entry::Call => Event::Called {
                caller: self.caller,
                contract: self.address,
            },
        };
        deposit_event(self.ext, &event);
    }

    /// End the frame deterministically for `error`, remembering why for the root.
    fn refuse(&mut self, error: Error) -> EnvError {
        self.exec.env_error = Some(error);
        EnvError::Trap(error.message().to_string())
    }

    /// Account for an entry of `key_len` bytes going from `old` to `new` value bytes:
    /// charge growth to the meter, refund shrinkage out of this contract's deposit.
    fn account_entry(
        &mut self,
        key_len: usize,
        old: Option<usize>,
        new: Option<usize>,
    ) -> Result<(), EnvError> {
        let price = |len: Option<usize>| len.map_or(0, |v| storage_entry_deposit(key_len, v));
        let (old_deposit, new_deposit) = (price(old), price(new));
        if new_deposit > old_deposit {
            let charge = new_deposit - old_deposit;
            if let Err(e) = self.exec.meter.charge(charge) {
                return Err(self.refuse(e));
            }
            let Some(held) = self.info.storage_deposit.checked_add(charge) else {
                return Err(self.refuse(Error::Overflow));
            };
            self.info.storage_deposit = held;
        } else {
            let refund = (old_deposit - new_deposit).min(self.info.storage_deposit);
            self.info.storage_deposit -= refund;
            self.exec.meter.refund(refund);
        }
        let entry_bytes = |len: Option<usize>| {
            len.map_or(0, |v| {
                u64::try_from(key_len.saturating_add(v)).unwrap_or(u64::MAX)
            })
        };
        self.info.storage_bytes = self
            .info
            .storage_bytes
            .saturating_sub(entry_bytes(old))
            .saturating_add(entry_bytes(new));
        match (old.is_some(), new.is_some()) {
            (false, true) => self.info.storage_items = self.info.storage_items.saturating_add(1),
            (true, false) => self.info.storage_items = self.info.storage_items.saturating_sub(1),
            _ => {}
        }
        Ok(())
    }

    /// Run a nested frame and turn its end into the ABI's result.
    fn nested(&mut self, spec: FrameSpec<'_>) -> Result<CallResult, EnvError> {
        let outcome = run_frame(self.ext, self.exec, spec);
        let (status, output) = match outcome.end {
            FrameEnd::Returned(output) => (CallStatus::Success, output),
            FrameEnd::Reverted(output) => (CallStatus::Reverted, output),
            FrameEnd::Trapped(ExecError::CodeNotFound) => (CallStatus::NotFound, Vec::new()),
            FrameEnd::Trapped(_) => (CallStatus::Trapped, Vec::new()),
            FrameEnd::Refused(Error::TransferFailed) => (CallStatus::TransferFailed, Vec::new()),
            FrameEnd::Refused(_) => (CallStatus::Trapped, Vec::new()),
            FrameEnd::Fault(message) => return Err(EnvError::Fatal(message)),
        };
        Ok(CallResult {
            status,
            output,
            gas_used: outcome.gas_used,
        })
    }

    /// Enter `callee` on the call stack, or the status that refuses it.
    fn enter(&mut self, callee: AccountId) -> Result<(), CallStatus> {
        self.exec.stack.push(callee).inspect_err(|status| {
            self.exec.refusal = Some(match status {
                CallStatus::Reentrancy => Error::Reentrancy,
                _ => Error::DepthLimit,
            });
        })
    }
}

impl ContractEnv for Frame<'_> {
    fn storage_get(&mut self, key: &[u8]) -> Option<Vec<u8>> {
        self.ext
            .storage_get(&storage::contract_storage(&self.address, key))
    }

    fn storage_len(&mut self, key: &[u8]) -> Option<u32> {
        self.storage_get(key).map(|v| len32(v.len()))
    }

    fn storage_set(&mut self, key: &[u8], value: &[u8]) -> Result<Option<u32>, EnvError> {
        let item = storage::contract_storage(&self.address, key);
        let previous = self.ext.storage_get(&item).map(|v| v.len());
        self.account_entry(key.len(), previous, Some(value.len()))?;
        self.ext.storage_set(&item, value);
        Ok(previous.map(len32))
    }

    fn storage_remove(&mut self, key: &[u8]) -> Result<Option<u32>, EnvError> {
        let item = storage::contract_storage(&self.address, key);
        let previous = self.ext.storage_get(&item).map(|v| v.len());
        if previous.is_some() {
            self.account_entry(key.len(), previous, None)?;
            self.ext.storage_remove(&item);
        }
        Ok(previous.map(len32))
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
        caesar::free_balance(self.ext, &self.address)
    }

    fn block_number(&self) -> u64 {
        self.exec.block_number
    }

    fn timestamp(&self) -> u64 {
        self.exec.timestamp
    }

    fn transfer(&mut self, to: &AccountId, value: u128) -> Result<CallStatus, EnvError> {
        let origin = self.exec.origin;
        Ok(
            match transfer_value(self.ext, &origin, &self.address, to, value) {
                Ok(()) => CallStatus::Success,
                Err(_) => CallStatus::TransferFailed,
            },
        )
    }

    fn deposit_event(&mut self, topics: Vec<H256>, data: Vec<u8>) -> Result<(), EnvError> {
        let event = Event::ContractEmitted {
            contract: self.address,
            topics,
            data,
        };
        deposit_event(self.ext, &event);
        Ok(())
    }

    fn call(
        &mut self,
        callee: &AccountId,
        value: u128,
        gas_limit: u64,
        input: &[u8],
    ) -> Result<CallResult, EnvError> {
        let Some(info) = contract_info(self.ext, callee) else {
            return Ok(status_result(CallStatus::NotFound));
        };
        if let Err(status) = self.enter(*callee) {
            return Ok(status_result(status));
        }
        let spec = FrameSpec {
            caller: self.address,
            address: *callee,
            value,
            info,
            entry: Entry::Call,
            input,
            gas_limit,
        };
        let result = self.nested(spec);
        self.exec.stack.pop();
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
        if salt.len() > MAX_SALT_BYTES {
            let error = Error::SaltTooLarge;
            self.exec.env_error = Some(error);
            return Err(EnvError::Trap(format!(
                "{}: {} bytes, the limit is {MAX_SALT_BYTES}",
                error.message(),
                salt.len()
            )));
        }
        let address = contract_address(&self.address, code_hash, salt);
        if code_info(self.ext, code_hash).is_none() {
            return Ok((status_result(CallStatus::NotFound), address));
        }
        if contract_info(self.ext, &address).is_some() {
            return Ok((status_result(CallStatus::AddressInUse), address));
        }
        if let Err(status) = self.enter(address) {
            return Ok((status_result(status), address));
        }
        let spec = FrameSpec {
            caller: self.address,
            address,
            value,
            info: new_contract_info(*code_hash, self.address),
            entry: Entry::Deploy,
            input,
            gas_limit,
        };
        let result = self.nested(spec);
        self.exec.stack.pop();
        Ok((result?, address))
    }

    fn falcon_verify(&mut self, public_key: &[u8], message: &[u8], signature: &[u8]) -> bool {
        self.ext.falcon_verify(public_key, message, signature)
    }

    fn debug_log(&mut self, message: &str) {
        let engine = &self.exec.engine;
        if !engine.debug_log_enabled() {
            return;
        }
        engine.debug_log(&self.address, message);
        if let Some(messages) = &mut self.exec.debug {
            if messages.len() < MAX_DEBUG_MESSAGES {
                messages.push(message.to_string());
            }
        }
    }

    fn call_runtime(&mut self, call: &[u8], gas_left: u64) -> Result<RuntimeCallOutcome, EnvError> {
        Ok(crate::runtime_calls::call_runtime(
            self.ext,
            self.exec,
            self.address,
            call,
            gas_left,
        ))
    }

    fn code(&mut self, code_hash: &H256) -> Option<Vec<u8>> {
        crate::code(self.ext, code_hash)
    }
}
