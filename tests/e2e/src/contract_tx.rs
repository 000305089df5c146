//! Contract transactions for end-to-end tests: the shared client (`hm-contract-client`:
//! call constructors, signed submission followed to finality, each extrinsic's outcome
//! from `chain_getEvents`, state reads), plus the weights the tests expect the pallet
//! to charge.
use hm_runtime::pallet_contracts as contracts;

pub use hm_contract_client::{
    call, instantiate, selector, upload, ContractClient, ContractsError, ContractsEvent, Included,
};

/// Weight of `gas` gas, as the pallet charges it.
pub fn gas_weight(gas: u64) -> u64 {
    contracts::gas_to_weight(gas)
}

/// Weight charged for an upload the executor refused during validation: the
/// extrinsic base, the pallet's per-byte work and the validation charge.
pub fn refused_upload_weight(code_len: usize) -> u64 {
    let check_gas = hm_executor::GasSchedule::default().upload_cost(code_len);
    hm_runtime::weights::EXTRINSIC_BASE
        + contracts::weights::UPLOAD_CODE
        + contracts::weights::UPLOAD_CODE_PER_BYTE * code_len as u64
        + gas_weight(check_gas)
}

/// Weight charged for a contract call that used `gas` gas.
pub fn call_weight(gas: u64) -> u64 {
    hm_runtime::weights::EXTRINSIC_BASE + contracts::weights::CALL + gas_weight(gas)
}
