//! `chain_getEvents`: a block's event log from [`ChainApi::block_events`].
use crate::errors::{hash_param, state_error};
use hm_client_api::{BlockEvent, ChainApi, ClientError, DispatchFailure, EventPhase};
use hm_rpc_api::events::{
    BlockEvents, DispatchErrorName, EventPhase as WirePhase, EventRecord, EventsApiServer,
    ExtrinsicOutcome,
};
use hm_rpc_api::{Bytes, HexString};
use jsonrpsee::core::RpcResult;
use std::sync::Arc;

pub struct EventsRpc {
    pub chain: Arc<dyn ChainApi>,
}

pub(crate) fn error_name(f: DispatchFailure) -> DispatchErrorName {
    DispatchErrorName {
        pallet: f.pallet_index,
        error: f.error_index,
        name: f.name(),
        message: f.message,
    }
}

pub(crate) fn record(e: BlockEvent) -> EventRecord {
    let (phase, extrinsic_index) = match e.phase {
        EventPhase::Initialization => (WirePhase::Initialization, None),
        EventPhase::ApplyExtrinsic(i) => (WirePhase::ApplyExtrinsic(i), Some(i)),
        EventPhase::Finalization => (WirePhase::Finalization, None),
    };
    EventRecord {
        phase,
        extrinsic_index,
        pallet: e.pallet,
        event: e.name,
        outcome: e.outcome.map(|o| ExtrinsicOutcome {
            success: o.error.is_none(),
            weight: o.weight,
            fee: o.fee,
            error: o.error.map(error_name),
        }),
        data: Bytes(e.encoded),
    }
}

impl EventsApiServer for EventsRpc {
    fn events(&self, at: Option<HexString>) -> RpcResult<Option<BlockEvents>> {
        let block_hash = match at {
            Some(h) => hash_param("at", &h)?,
            None => self.chain.info().best_hash,
        };
        match self.chain.block_events(Some(block_hash)) {
            Ok(events) => Ok(Some(BlockEvents {
                block_hash,
                events: events.into_iter().map(record).collect(),
            })),
            Err(ClientError::UnknownBlock(_)) => Ok(None),
            Err(e) => Err(state_error(&e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_carry_their_name_and_the_extrinsic_index() {
        let r = record(BlockEvent {
            phase: EventPhase::ApplyExtrinsic(3),
            pallet: "System".into(),
            name: "ExtrinsicFailed".into(),
            outcome: Some(hm_client_api::ExtrinsicOutcome {
                weight: 10,
                fee: 42,
                error: Some(DispatchFailure {
                    pallet_index: 1,
                    error_index: 0,
                    pallet: "Caesar".into(),
                    error: "InsufficientBalance".into(),
                    message: "insufficient free balance".into(),
                }),
            }),
            encoded: vec![0, 1],
        });
        assert_eq!(r.extrinsic_index, Some(3));
        let outcome = r.outcome.unwrap();
        assert!(!outcome.success);
        assert_eq!(outcome.fee, 42);
        let error = outcome.error.unwrap();
        assert_eq!((error.pallet, error.error), (1, 0));
        assert_eq!(error.name, "Caesar: InsufficientBalance");
        let init = record(BlockEvent {
            phase: EventPhase::Initialization,
            pallet: "Staking".into(),
            name: "Rewarded".into(),
            outcome: None,
            encoded: vec![],
        });
        assert_eq!(init.extrinsic_index, None);
        assert_eq!(init.phase, WirePhase::Initialization);
    }
}
