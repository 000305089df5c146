//! `chain_getEvents`: a block's event log with names, and each extrinsic's outcome (weight,
//! fee paid, dispatch error by name), so any client can tell whether a transaction
//! did what it asked without decoding runtime storage.
use crate::hex::{u128_string, Bytes, HexString};
use hm_primitives::H256;
use jsonrpsee::core::RpcResult;
use jsonrpsee::proc_macros::rpc;
use serde::{Deserialize, Serialize};

/// When an event was deposited: `"initialization"`, `{"applyExtrinsic": 2}` or
/// `"finalization"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum EventPhase {
    Initialization,
    ApplyExtrinsic(u32),
    Finalization,
}

/// Why a call failed: `{"pallet": 1, "error": 0, "name": "Caesar: InsufficientBalance",
/// "message": "free balance is lower than the amount"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DispatchErrorName {
    /// Index of the pallet that failed the call.
    pub pallet: u8,
    /// Index of the error within the pallet.
    pub error: u8,
    /// `Pallet: Error`.
    pub name: String,
    pub message: String,
}

/// How an extrinsic ended; carried by its `ExtrinsicSuccess` or `ExtrinsicFailed` record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExtrinsicOutcome {
    pub success: bool,
    /// Weight charged.
    pub weight: u64,
    /// Fee paid in plancks (decimal string), after any refund of unused contract gas.
    #[serde(with = "u128_string")]
    pub fee: u128,
    /// Present when `success` is false.
    pub error: Option<DispatchErrorName>,
}

/// One record of a block's event log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventRecord {
    pub phase: EventPhase,
    /// The extrinsic being applied when the event was deposited (the phase's index).
    pub extrinsic_index: Option<u32>,
    /// Pallet name: `System`, `Caesar`, `Staking`, `Contracts`.
    pub pallet: String,
    /// Event name: `Transfer`, `FeePaid`, `ExtrinsicFailed`, ...
    pub event: String,
    pub outcome: Option<ExtrinsicOutcome>,
    /// SCALE encoding of the runtime event (pallet index first), for typed decoding.
    pub data: Bytes,
}

/// The events of one block.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BlockEvents {
    pub block_hash: H256,
    pub events: Vec<EventRecord>,
}

impl BlockEvents {
    /// The records deposited while extrinsic `index` was applied.
    pub fn of_extrinsic(&self, index: u32) -> impl Iterator<Item = &EventRecord> {
        self.events
            .iter()
            .filter(move |e| e.extrinsic_index == Some(index))
    }

    /// How extrinsic `index` ended.
    pub fn outcome(&self, index: u32) -> Option<&ExtrinsicOutcome> {
        self.of_extrinsic(index).find_map(|e| e.outcome.as_ref())
    }
}

/// What `system_dryRun` found: whether the extrinsic would be included, and if so how
/// it would end (the same outcome `chain_getEvents` reports once it is in a block).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DryRunResult {
    /// `false` when no block would include it; `invalid` says why.
    pub valid: bool,
    pub invalid: Option<String>,
    /// How the call would end, its weight and fee; present when `valid`.
    pub outcome: Option<ExtrinsicOutcome>,
    /// The events it would deposit.
    pub events: Vec<EventRecord>,
}

#[rpc(client, server)]
pub trait DryRunApi {
    /// Apply `extrinsic` as the first of the block after the best one and keep nothing.
    /// Dry runs share the node's dry-run slots with the contract queries.
    #[method(name = "system_dryRun")]
    async fn dry_run(&self, extrinsic: HexString) -> RpcResult<DryRunResult>;
}

#[rpc(client, server)]
pub trait EventsApi {
    /// The event log of block `at` (best when omitted); `null` for an unknown block.
    #[method(name = "chain_getEvents", blocking)]
    fn events(&self, at: Option<HexString>) -> RpcResult<Option<BlockEvents>>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_shape() {
        let events = BlockEvents {
            block_hash: H256([1; 32]),
            events: vec![EventRecord {
                phase: EventPhase::ApplyExtrinsic(2),
                extrinsic_index: Some(2),
                pallet: "System".into(),
                event: "ExtrinsicFailed".into(),
                outcome: Some(ExtrinsicOutcome {
                    success: false,
                    weight: 7,
                    fee: u128::MAX,
                    error: Some(DispatchErrorName {
                        pallet: 1,
                        error: 0,
                        name: "Caesar: InsufficientBalance".into(),
                        message: "insufficient free balance".into(),
                    }),
                }),
                data: Bytes(vec![0, 1]),
            }],
        };
        let v = serde_json::to_value(&events).unwrap();
        let record = &v["events"][0];
        assert_eq!(record["phase"], json!({"applyExtrinsic": 2}));
        assert_eq!(record["extrinsicIndex"], json!(2));
        assert_eq!(record["outcome"]["fee"], json!(u128::MAX.to_string()));
        assert_eq!(
            record["outcome"]["error"]["name"],
            json!("Caesar: InsufficientBalance")
        );
        assert_eq!(record["data"], json!("0x0001"));
        assert_eq!(
            serde_json::to_value(EventPhase::Initialization).unwrap(),
            json!("initialization")
        );
        let back: BlockEvents = serde_json::from_value(v).unwrap();
        assert_eq!(back, events);
        assert!(!back.outcome(2).unwrap().success);
        assert!(back.outcome(1).is_none());
    }
}
