//! What the `contracts_*` methods answer with.
use crate::hex::{u128_string, Bytes};
use hm_primitives::{AccountId, H256};
use serde::{Deserialize, Serialize};

/// Net storage deposit of an execution: `{"charge": "123"}` or `{"refund": "45"}`
/// (plancks), as in Substrate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum StorageDeposit {
    Charge(#[serde(with = "u128_string")] u128),
    Refund(#[serde(with = "u128_string")] u128),
}

/// Why an execution failed: the contracts pallet's error (`index` within the pallet,
/// `name`, `message`) and the executor's detail (validator reason, trap message).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractError {
    pub index: u8,
    pub name: String,
    pub message: String,
    pub detail: String,
}

/// An event of a dry run. Contracts pallet events are decoded; others come as their
/// pallet index, SCALE encoding and a readable rendering.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum ContractEvent {
    CodeStored {
        code_hash: H256,
        owner: AccountId,
        #[serde(with = "u128_string")]
        deposit: u128,
    },
    CodeRemoved {
        code_hash: H256,
        owner: AccountId,
        #[serde(with = "u128_string")]
        refund: u128,
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
    /// An event the contract emitted: up to four 32-byte topics and SCALE data.
    ContractEmitted {
        contract: AccountId,
        topics: Vec<H256>,
        data: Bytes,
    },
    StorageDepositSettled {
        who: AccountId,
        deposit: StorageDeposit,
    },
    Runtime {
        pallet: u8,
        encoded: Bytes,
        description: String,
    },
}

/// `contracts_call` and `contracts_instantiate`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContractExecResult {
    /// Gas the run consumed.
    pub gas_consumed: u64,
    /// Gas a submission needs (`gasConsumed`; `contracts_estimateGas` adds a margin).
    pub gas_required: u64,
    pub storage_deposit: StorageDeposit,
    /// The root frame's output: its return value, or its revert data when `reverted`.
    pub output: Bytes,
    /// The root frame returned with the revert flag (its changes would roll back).
    pub reverted: bool,
    /// `null` on success.
    pub error: Option<ContractError>,
    /// Events the run deposited, in order; empty when it failed.
    pub events: Vec<ContractEvent>,
    /// `debug_log` text (dev chains only).
    pub debug_messages: Vec<String>,
    /// The new contract's address (instantiation only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract: Option<AccountId>,
}

/// `contracts_upload_code`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContractUploadResult {
    pub code_hash: H256,
    /// Validation and compilation gas.
    pub gas_consumed: u64,
    /// Deposit (plancks) the upload would hold.
    #[serde(with = "u128_string")]
    pub deposit: u128,
    pub error: Option<ContractError>,
}

/// `contracts_estimateGas`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GasEstimate {
    /// The gas limit to submit with: `gasRequired` plus the margin, at most the
    /// per-extrinsic maximum. Uploads declare their gas themselves; for them this is
    /// informative.
    pub gas_limit: u64,
    pub gas_required: u64,
    pub gas_consumed: u64,
    /// Storage deposit the execution would charge or refund (an upload: its deposit).
    pub storage_deposit: StorageDeposit,
    /// The dry run reverted: submitting it would fail and still pay its fee.
    pub reverted: bool,
    /// The dry run failed: submitting it would fail and still pay its fee.
    pub error: Option<ContractError>,
}

/// A contract instance, in `contracts_getCode` answers for an address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContractInstanceInfo {
    pub address: AccountId,
    pub code_hash: H256,
    pub deployer: AccountId,
    pub storage_items: u32,
    pub storage_bytes: u64,
    #[serde(with = "u128_string")]
    pub storage_deposit: u128,
}

/// `contracts_getCode`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContractCodeInfo {
    pub code_hash: H256,
    /// The wasm as uploaded.
    pub code: Bytes,
    /// The uploader, who holds the code's deposit.
    pub owner: AccountId,
    #[serde(with = "u128_string")]
    pub deposit: u128,
    /// Contracts instantiated from the code.
    pub refcount: u64,
    /// The contract, when the query named one by address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract: Option<ContractInstanceInfo>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn exec_result_json_shape_round_trips() {
        let r = ContractExecResult {
            gas_consumed: 10,
            gas_required: 10,
            storage_deposit: StorageDeposit::Charge(u128::MAX),
            output: Bytes(vec![1, 2]),
            reverted: true,
            error: Some(ContractError {
                index: 17,
                name: "ContractReverted".into(),
                message: "contract reverted".into(),
                detail: String::new(),
            }),
            events: vec![ContractEvent::ContractEmitted {
                contract: AccountId([3; 32]),
                topics: vec![H256([4; 32])],
                data: Bytes(vec![5]),
            }],
            debug_messages: vec![],
            contract: None,
        };
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(
            v["storageDeposit"],
            json!({"charge": u128::MAX.to_string()})
        );
        assert_eq!(v["output"], json!("0x0102"));
        assert_eq!(v["gasRequired"], json!(10));
        assert_eq!(v["error"]["name"], json!("ContractReverted"));
        let emitted = &v["events"][0]["contractEmitted"];
        assert!(emitted["contract"].as_str().unwrap().starts_with("hm1"));
        assert_eq!(emitted["data"], json!("0x05"));
        assert!(v.get("contract").is_none());
        assert_eq!(serde_json::from_value::<ContractExecResult>(v).unwrap(), r);

        let settled = ContractEvent::StorageDepositSettled {
            who: AccountId([1; 32]),
            deposit: StorageDeposit::Refund(3),
        };
        let v = serde_json::to_value(&settled).unwrap();
        assert_eq!(
            v["storageDepositSettled"]["deposit"],
            json!({"refund": "3"})
        );
        let stored = ContractEvent::CodeStored {
            code_hash: H256([1; 32]),
            owner: AccountId([1; 32]),
            deposit: 9,
        };
        let v = serde_json::to_value(&stored).unwrap();
        assert_eq!(v["codeStored"]["deposit"], json!("9"));
        assert!(v["codeStored"]["codeHash"].is_string());
    }
}
