//! The mock chain's contracts: one contract with one storage entry and scripted dry runs
//! that echo their input, so the RPC layer's decoding, limits and errors can be tested.
use super::ALICE;
use hm_client_api::{
    ClientError, ContractCallRequest, ContractCode, ContractEvent, ContractExecResult,
    ContractFailure, ContractInstance, ContractInstantiateRequest, ContractUploadRequest,
    ContractUploadResult, StorageDepositAmount,
};
use hm_primitives::{blake3_256, AccountId, H256};
use std::time::Duration;

/// The one contract.
pub const CONTRACT: AccountId = AccountId([0xc0; 32]);
/// Its code.
pub const CODE_HASH: H256 = H256([0xcc; 32]);
pub const CODE: &[u8] = b"\0asm mock contract";
/// Dry runs against it fail inside the node (an executor fault).
pub const FAULTY: AccountId = AccountId([0xfa; 32]);
/// Dry runs against it take `SLOW_RUN`.
pub const SLOW: AccountId = AccountId([0x51; 32]);
pub const SLOW_RUN: Duration = Duration::from_millis(1500);
/// Gas a call costs: a base plus one per input byte.
pub const CALL_BASE_GAS: u64 = 1000;

fn failure(index: u8, name: &str, detail: &str) -> ContractFailure {
    ContractFailure {
        index,
        name: name.into(),
        message: format!("mock {name}"),
        detail: detail.into(),
    }
}

fn empty_result() -> ContractExecResult {
    ContractExecResult {
        output: Vec::new(),
        reverted: false,
        gas_consumed: 0,
        gas_required: 0,
        storage_deposit: StorageDepositAmount::Charge(0),
        events: Vec::new(),
        error: None,
        contract: None,
        debug_messages: Vec::new(),
    }
}

/// Echoes the input as output; input starting with `0xff` reverts with the rest.
pub fn call(r: ContractCallRequest) -> Result<ContractExecResult, ClientError> {
    if r.dest == FAULTY {
        return Err(ClientError::Execution("wall-clock backstop hit".into()));
    }
    if r.dest == SLOW {
        std::thread::sleep(SLOW_RUN);
    } else if r.dest != CONTRACT {
        return Ok(ContractExecResult {
            error: Some(failure(11, "ContractNotFound", "")),
            ..empty_result()
        });
    }
    let needed = CALL_BASE_GAS + r.input.len() as u64;
    let gas = needed.min(r.gas_limit);
    if needed > r.gas_limit {
        return Ok(ContractExecResult {
            gas_consumed: gas,
            gas_required: gas,
            error: Some(failure(15, "OutOfGas", "")),
            ..empty_result()
        });
    }
    if let Some((0xff, rest)) = r.input.split_first() {
        return Ok(ContractExecResult {
            output: rest.to_vec(),
            reverted: true,
            gas_consumed: gas,
            gas_required: gas,
            error: Some(failure(17, "ContractReverted", "")),
            ..empty_result()
        });
    }
    Ok(ContractExecResult {
        output: r.input.clone(),
        gas_consumed: gas,
        gas_required: gas,
        storage_deposit: StorageDepositAmount::Refund(r.value),
        events: vec![
            ContractEvent::Called {
                caller: r.origin,
                contract: r.dest,
            },
            ContractEvent::ContractEmitted {
                contract: r.dest,
                topics: vec![blake3_256(&r.input)],
                data: r.input,
            },
            ContractEvent::Runtime {
                pallet: 1,
                encoded: vec![2, 3],
                description: "Caesar(Transfer)".into(),
            },
        ],
        debug_messages: vec!["hello".into()],
        ..empty_result()
    })
}

/// Instantiates `CODE_HASH` at `blake3(origin ‖ salt)`.
pub fn instantiate(r: ContractInstantiateRequest) -> Result<ContractExecResult, ClientError> {
    let address = AccountId(blake3_256(&[r.origin.0.as_slice(), &r.salt].concat()).0);
    if r.code_hash != CODE_HASH {
        return Ok(ContractExecResult {
            error: Some(failure(8, "CodeNotFound", "")),
            contract: Some(address),
            ..empty_result()
        });
    }
    Ok(ContractExecResult {
        gas_consumed: 5000,
        gas_required: 5000,
        storage_deposit: StorageDepositAmount::Charge(77 + r.input.len() as u128),
        events: vec![ContractEvent::Instantiated {
            deployer: r.origin,
            contract: address,
            code_hash: r.code_hash,
        }],
        contract: Some(address),
        ..empty_result()
    })
}

/// Accepts code starting with the wasm magic, except `CODE` (already stored).
pub fn upload(r: ContractUploadRequest) -> Result<ContractUploadResult, ClientError> {
    let error = if r.code == CODE {
        Some(failure(7, "CodeAlreadyExists", ""))
    } else if !r.code.starts_with(b"\0asm") {
        Some(failure(1, "CodeMalformed", "bad magic"))
    } else {
        None
    };
    Ok(ContractUploadResult {
        code_hash: blake3_256(&r.code),
        gas_consumed: 10 * r.code.len() as u64,
        deposit: 10 * r.code.len() as u128,
        error,
    })
}

pub fn instance(address: &AccountId) -> Option<ContractInstance> {
    (*address == CONTRACT).then_some(ContractInstance {
        address: CONTRACT,
        code_hash: CODE_HASH,
        deployer: ALICE,
        storage_items: 1,
        storage_bytes: 2,
        storage_deposit: 1234,
    })
}

pub fn code(code_hash: &H256) -> Option<ContractCode> {
    (*code_hash == CODE_HASH).then(|| ContractCode {
        code_hash: CODE_HASH,
        code: CODE.to_vec(),
        owner: ALICE,
        deposit: 100,
        refcount: 1,
    })
}

pub fn storage(address: &AccountId, key: &[u8]) -> Option<Vec<u8>> {
    (*address == CONTRACT && key == b"k").then(|| b"v".to_vec())
}
