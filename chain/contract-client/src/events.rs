//! A finalized extrinsic's events, decoded from the records `chain_getEvents` returns, and
//! printed one line each for a person.
use anyhow::Context;
use hm_primitives::{format_caes, AccountId, H256};
use hm_rpc_api::events::EventRecord;
use hm_runtime::pallet_contracts::{Event as ContractsEvent, StorageDeposit};
use hm_runtime::RuntimeEvent;
use parity_scale_codec::Decode;

/// The runtime events in `records`, in order.
pub fn decode_events(records: &[EventRecord]) -> anyhow::Result<Vec<RuntimeEvent>> {
    records
        .iter()
        .map(|r| {
            RuntimeEvent::decode(&mut &r.data.0[..])
                .with_context(|| format!("event {}.{} does not decode", r.pallet, r.event))
        })
        .collect()
}

/// The contracts pallet's events among `events`.
pub fn contracts_events(events: &[RuntimeEvent]) -> impl Iterator<Item = &ContractsEvent> {
    events.iter().filter_map(|e| match e {
        RuntimeEvent::Contracts(e) => Some(e),
        _ => None,
    })
}

/// The contract an instantiation by `deployer` created, from its events.
pub fn instantiated(events: &[RuntimeEvent], deployer: &AccountId) -> Option<AccountId> {
    contracts_events(events).find_map(|e| match e {
        ContractsEvent::Instantiated {
            deployer: d,
            contract,
            ..
        } if d == deployer => Some(*contract),
        _ => None,
    })
}

fn hexes(topics: &[H256]) -> String {
    topics
        .iter()
        .map(H256::to_hex)
        .collect::<Vec<_>>()
        .join(",")
}

fn deposit(d: &StorageDeposit) -> String {
    match d {
        StorageDeposit::Charge(n) => format!("charge={} CAES", format_caes(*n)),
        StorageDeposit::Refund(n) => format!("refund={} CAES", format_caes(*n)),
    }
}

/// One line per event: contracts events as `Name key=value …`, others as debug text.
pub fn describe(event: &RuntimeEvent) -> String {
    let RuntimeEvent::Contracts(e) = event else {
        return format!("{event:?}");
    };
    match e {
        ContractsEvent::CodeStored {
            code_hash,
            owner,
            deposit,
        } => format!(
            "CodeStored code_hash={} owner={owner} deposit={} CAES",
            code_hash.to_hex(),
            format_caes(*deposit)
        ),
        ContractsEvent::CodeRemoved {
            code_hash,
            owner,
            refund,
        } => format!(
            "CodeRemoved code_hash={} owner={owner} refund={} CAES",
            code_hash.to_hex(),
            format_caes(*refund)
        ),
        ContractsEvent::Instantiated {
            deployer,
            contract,
            code_hash,
        } => format!(
            "Instantiated deployer={deployer} contract={contract} code_hash={}",
            code_hash.to_hex()
        ),
        ContractsEvent::Called { caller, contract } => {
            format!("Called caller={caller} contract={contract}")
        }
        ContractsEvent::ContractEmitted {
            contract,
            topics,
            data,
        } => format!(
            "ContractEmitted contract={contract} topics={} data=0x{}",
            hexes(topics),
            hex::encode(data)
        ),
        ContractsEvent::StorageDepositSettled { who, deposit: d } => {
            format!("StorageDepositSettled who={who} {}", deposit(d))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hm_rpc_api::events::EventPhase;
    use hm_rpc_api::Bytes;
    use parity_scale_codec::Encode;

    #[test]
    fn records_decode_to_runtime_events_and_instantiations_are_found() {
        let deployer = AccountId([1; 32]);
        let contract = AccountId([2; 32]);
        let event = RuntimeEvent::Contracts(ContractsEvent::Instantiated {
            deployer,
            contract,
            code_hash: H256([3; 32]),
        });
        let record = EventRecord {
            phase: EventPhase::ApplyExtrinsic(0),
            extrinsic_index: Some(0),
            pallet: "Contracts".into(),
            event: "Instantiated".into(),
            outcome: None,
            data: Bytes(event.encode()),
        };
        let events = decode_events(std::slice::from_ref(&record)).unwrap();
        assert_eq!(instantiated(&events, &deployer), Some(contract));
        assert_eq!(instantiated(&events, &contract), None);
        assert!(describe(&events[0]).starts_with("Instantiated deployer="));
        let garbage = EventRecord {
            data: Bytes(vec![99]),
            ..record
        };
        let err = decode_events(&[garbage]).unwrap_err().to_string();
        assert!(err.contains("Contracts.Instantiated"), "{err}");
    }
}
