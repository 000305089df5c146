//! `contracts_*`: dry runs, gas estimates and reads of contract code and storage.
//!
//! Requests follow Substrate's `pallet-contracts` RPC (`contracts_call`,
//! `contracts_instantiate`, `contracts_upload_code`, `contracts_getStorage`) where it
//! fits: addresses are `hm1…` (or `0x` + 64 hex), bytes `0x`-hex, amounts plancks as a
//! decimal string (a JSON number or `0x`-hex is accepted too), gas a plain number (gas is
//! the executor's fuel, not Substrate's two-dimensional weight).
use crate::hex::{u128_string, Bytes, HexString};
use hm_primitives::{AccountId, H256};
use jsonrpsee::core::RpcResult;
use jsonrpsee::proc_macros::rpc;
use serde::{de, Deserialize, Deserializer, Serialize};
use std::fmt;

pub use crate::contracts_results::{
    ContractCodeInfo, ContractError, ContractEvent, ContractExecResult, ContractInstanceInfo,
    ContractUploadResult, GasEstimate, StorageDeposit,
};

/// `contracts_call`: run `dest`'s `call` with `inputData` as `origin` would.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContractCallRequest {
    pub origin: String,
    pub dest: String,
    /// CAES (plancks) sent with the call.
    #[serde(default, with = "amount")]
    pub value: u128,
    /// Omitted: the per-extrinsic maximum.
    #[serde(default, with = "opt_gas", skip_serializing_if = "Option::is_none")]
    pub gas_limit: Option<u64>,
    /// Omitted: no limit (the signer's spendable balance bounds it).
    #[serde(default, with = "opt_amount", skip_serializing_if = "Option::is_none")]
    pub storage_deposit_limit: Option<u128>,
    /// Selector and SCALE-encoded arguments.
    pub input_data: HexString,
}

/// `contracts_instantiate`: create a contract from stored code as `origin` would.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContractInstantiateRequest {
    pub origin: String,
    /// Endowment (plancks) sent to the new contract.
    #[serde(default, with = "amount")]
    pub value: u128,
    #[serde(default, with = "opt_gas", skip_serializing_if = "Option::is_none")]
    pub gas_limit: Option<u64>,
    #[serde(default, with = "opt_amount", skip_serializing_if = "Option::is_none")]
    pub storage_deposit_limit: Option<u128>,
    /// Hash of code uploaded before (`contracts_upload_code`).
    pub code_hash: HexString,
    /// The deploy input: SCALE-encoded arguments, no selector.
    #[serde(alias = "inputData")]
    pub data: HexString,
    /// Omitted: empty. The address is `blake3("hm/contract" ‖ origin ‖ codeHash ‖ salt)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salt: Option<HexString>,
}

/// `contracts_upload_code`: validate, compile and store `code` as `origin` would.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContractUploadRequest {
    pub origin: String,
    pub code: HexString,
    #[serde(default, with = "opt_amount", skip_serializing_if = "Option::is_none")]
    pub storage_deposit_limit: Option<u128>,
}

/// `contracts_estimateGas` takes any of the three requests; the one with `dest` is a
/// call, the one with `codeHash` an instantiation, the one with `code` an upload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum GasEstimateRequest {
    Call(ContractCallRequest),
    Instantiate(ContractInstantiateRequest),
    Upload(ContractUploadRequest),
}

impl<'de> Deserialize<'de> for GasEstimateRequest {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        let Some(object) = value.as_object() else {
            return Err(de::Error::custom(
                "the request must be an object (a contracts_call, contracts_instantiate or \
                 contracts_upload_code request)",
            ));
        };
        let kinds = ["dest", "codeHash", "code"].map(|key| object.contains_key(key));
        let parsed = match kinds {
            [true, false, false] => serde_json::from_value(value).map(Self::Call),
            [false, true, false] => serde_json::from_value(value).map(Self::Instantiate),
            [false, false, true] => serde_json::from_value(value).map(Self::Upload),
            _ => {
                return Err(de::Error::custom(
                    "the request needs exactly one of `dest` (a call), `codeHash` (an \
                     instantiation) or `code` (an upload)",
                ))
            }
        };
        parsed.map_err(de::Error::custom)
    }
}

/// Contract dry runs and reads. Dry runs execute on the state of block `at` (best when
/// omitted) as an extrinsic in the next block would, and keep nothing.
#[rpc(client, server)]
pub trait ContractsApi {
    /// Dry run of a call: output, revert flag, gas, storage deposit, events.
    #[method(name = "contracts_call")]
    async fn call(
        &self,
        request: ContractCallRequest,
        at: Option<HexString>,
    ) -> RpcResult<ContractExecResult>;

    /// Dry run of an instantiation; `contract` is the address it creates.
    #[method(name = "contracts_instantiate")]
    async fn instantiate(
        &self,
        request: ContractInstantiateRequest,
        at: Option<HexString>,
    ) -> RpcResult<ContractExecResult>;

    /// Dry run of an upload: code hash, upload gas, deposit, the validator's verdict.
    #[method(name = "contracts_upload_code", aliases = ["contracts_uploadCode"])]
    async fn upload_code(
        &self,
        request: ContractUploadRequest,
        at: Option<HexString>,
    ) -> RpcResult<ContractUploadResult>;

    /// The gas limit to submit with: the dry run's gas required plus a margin.
    #[method(name = "contracts_estimateGas")]
    async fn estimate_gas(
        &self,
        request: GasEstimateRequest,
        at: Option<HexString>,
    ) -> RpcResult<GasEstimate>;

    /// Code by contract address (`hm1…`) or by code hash (`0x…`); `null` when neither.
    #[method(name = "contracts_getCode", blocking)]
    fn get_code(
        &self,
        address_or_code_hash: String,
        at: Option<HexString>,
    ) -> RpcResult<Option<ContractCodeInfo>>;

    /// The value under `key` in a contract's storage; `null` when absent, an error when
    /// there is no contract at `address`.
    #[method(name = "contracts_getStorage", blocking)]
    fn get_storage(
        &self,
        address: String,
        key: HexString,
        at: Option<HexString>,
    ) -> RpcResult<Option<Bytes>>;
}

/// The address in a JSON answer as an [`AccountId`] (answers carry `hm1…`).
pub fn parse_account(s: &str) -> Result<AccountId, String> {
    AccountId::from_address(s).map_err(|e| format!("{s:?}: {e}"))
}

/// A hash in a JSON answer.
pub fn parse_hash(s: &str) -> Result<H256, String> {
    H256::from_hex(s).map_err(|e| format!("{s:?}: {e}"))
}

/// Reads a non-negative integer of up to 128 bits: a JSON number, a decimal string or a
/// `0x`-hex string.
struct IntVisitor {
    what: &'static str,
}

impl de::Visitor<'_> for IntVisitor {
    type Value = u128;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: a non-negative integer (JSON number, decimal string or 0x-hex string)",
            self.what
        )
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<u128, E> {
        Ok(u128::from(v))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<u128, E> {
        Ok(v)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<u128, E> {
        u128::try_from(v).map_err(|_| E::custom(format!("{} must not be negative", self.what)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<u128, E> {
        Err(E::custom(format!(
            "{} must be an integer; {v} is not (large values: pass a decimal string)",
            self.what
        )))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<u128, E> {
        let parsed = match v.strip_prefix("0x") {
            Some(digits)
                if !digits.is_empty()
                    && digits.len() <= 32
                    && digits.bytes().all(|b| b.is_ascii_hexdigit()) =>
            {
                u128::from_str_radix(digits, 16).ok()
            }
            Some(_) => None,
            None if !v.is_empty() && v.len() <= 39 && v.bytes().all(|b| b.is_ascii_digit()) => {
                v.parse().ok()
            }
            None => None,
        };
        parsed.ok_or_else(|| {
            E::custom(format!(
                "{} {v:?} is not a non-negative integer that fits in 128 bits",
                self.what
            ))
        })
    }
}

fn int<'de, D: Deserializer<'de>>(d: D, what: &'static str) -> Result<u128, D::Error> {
    d.deserialize_any(IntVisitor { what })
}

/// Amounts in plancks: written as decimal strings, read as any integer form.
pub mod amount {
    use super::*;

    pub fn serialize<S: serde::Serializer>(v: &u128, s: S) -> Result<S::Ok, S::Error> {
        u128_string::serialize(v, s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
        int(d, "amount")
    }
}

/// An optional amount; `null` or absent is `None`.
pub mod opt_amount {
    use super::*;

    pub fn serialize<S: serde::Serializer>(v: &Option<u128>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => u128_string::serialize(v, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u128>, D::Error> {
        let v: Option<serde_json::Value> = Option::deserialize(d)?;
        v.map(|v| int(v, "storageDepositLimit").map_err(de::Error::custom))
            .transpose()
    }
}

/// An optional gas limit: any integer form, at most `u64::MAX`.
pub mod opt_gas {
    use super::*;

    pub fn serialize<S: serde::Serializer>(v: &Option<u64>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => s.serialize_u64(*v),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
        let v: Option<serde_json::Value> = Option::deserialize(d)?;
        v.map(|v| {
            let n = int(v, "gasLimit").map_err(de::Error::custom)?;
            u64::try_from(n)
                .map_err(|_| de::Error::custom(format!("gasLimit {n} does not fit in 64 bits")))
        })
        .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn call_json() -> serde_json::Value {
        json!({
            "origin": "0x".to_owned() + &"11".repeat(32),
            "dest": "0x".to_owned() + &"22".repeat(32),
            "inputData": "0xa44dcb4d",
        })
    }

    #[test]
    fn call_request_defaults_and_number_forms() {
        let r: ContractCallRequest = serde_json::from_value(call_json()).unwrap();
        assert_eq!(
            (r.value, r.gas_limit, r.storage_deposit_limit),
            (0, None, None)
        );
        for (value, expected) in [
            (json!(7), 7u128),
            (json!("12"), 12),
            (json!("0x10"), 16),
            (json!(u128::MAX.to_string()), u128::MAX),
        ] {
            let mut v = call_json();
            v["value"] = value;
            v["gasLimit"] = json!("0xff");
            v["storageDepositLimit"] = json!(5);
            let r: ContractCallRequest = serde_json::from_value(v).unwrap();
            assert_eq!(r.value, expected);
            assert_eq!(r.gas_limit, Some(255));
            assert_eq!(r.storage_deposit_limit, Some(5));
        }
        let r: ContractCallRequest = serde_json::from_value(call_json()).unwrap();
        let back = serde_json::to_value(&r).unwrap();
        assert_eq!(back["value"], json!("0"));
        assert!(back.get("gasLimit").is_none());
    }

    #[test]
    fn hostile_numbers_are_refused_with_the_field_named() {
        for (field, value, reason) in [
            ("value", json!(-1), "must not be negative"),
            ("value", json!(1.5), "must be an integer"),
            ("value", json!("1e3"), "not a non-negative integer"),
            (
                "value",
                json!("340282366920938463463374607431768211456"),
                "128 bits",
            ),
            ("value", json!("0x"), "not a non-negative integer"),
            ("value", json!("0x+1"), "not a non-negative integer"),
            ("value", json!("+1"), "not a non-negative integer"),
            ("value", json!(true), "non-negative integer"),
            (
                "gasLimit",
                json!("18446744073709551616"),
                "does not fit in 64 bits",
            ),
            ("gasLimit", json!(1e300), "gasLimit must be an integer"),
            ("gasLimit", json!(-5), "gasLimit must not be negative"),
            ("storageDepositLimit", json!("x"), "storageDepositLimit"),
        ] {
            let mut v = call_json();
            v[field] = value.clone();
            let e = serde_json::from_value::<ContractCallRequest>(v).unwrap_err();
            assert!(e.to_string().contains(reason), "{field}={value}: {e}");
        }
    }

    #[test]
    fn unknown_and_missing_fields_are_refused() {
        let mut v = call_json();
        v["input"] = json!("0x");
        let e = serde_json::from_value::<ContractCallRequest>(v).unwrap_err();
        assert!(e.to_string().contains("unknown field `input`"), "{e}");
        let mut v = call_json();
        v.as_object_mut().unwrap().remove("dest");
        let e = serde_json::from_value::<ContractCallRequest>(v).unwrap_err();
        assert!(e.to_string().contains("missing field `dest`"), "{e}");
    }

    #[test]
    fn estimate_request_kind_follows_its_fields() {
        let call: GasEstimateRequest = serde_json::from_value(call_json()).unwrap();
        assert!(matches!(call, GasEstimateRequest::Call(_)));
        let inst: GasEstimateRequest = serde_json::from_value(json!({
            "origin": "hm1x", "codeHash": "0x00", "data": "0x", "salt": "0x01"
        }))
        .unwrap();
        assert!(matches!(inst, GasEstimateRequest::Instantiate(_)));
        let upload: GasEstimateRequest =
            serde_json::from_value(json!({"origin": "hm1x", "code": "0x00"})).unwrap();
        assert!(matches!(upload, GasEstimateRequest::Upload(_)));
        for bad in [
            json!({"origin": "hm1x", "dest": "hm1y", "code": "0x", "inputData": "0x"}),
            json!({"origin": "hm1x"}),
            json!([1, 2]),
            json!("0x00"),
        ] {
            let e = serde_json::from_value::<GasEstimateRequest>(bad.clone()).unwrap_err();
            assert!(
                e.to_string().contains("exactly one of") || e.to_string().contains("object"),
                "{bad}: {e}"
            );
        }
        // The chosen kind's own errors come through.
        let e = serde_json::from_value::<GasEstimateRequest>(
            json!({"origin": "hm1x", "code": "0x", "salt": "0x"}),
        )
        .unwrap_err();
        assert!(e.to_string().contains("unknown field `salt`"), "{e}");
    }
}
