//! What a finalized extrinsic did, read back over RPC: its index in the block, then the
//! block's event log (`System::Events`, read with `state_getStorage` at that block).
use anyhow::{anyhow, bail, Context};
use hm_primitives::{
    blake3_256, format_caes,
    storage_key::{map_key, value_key},
    AccountId, H256,
};
use hm_rpc_api::{ChainApiClient, HexString, StateApiClient};
use hm_runtime::pallet_contracts::{Event as ContractsEvent, StorageDeposit};
use hm_runtime::{EventRecord, Phase, RuntimeEvent};
use jsonrpsee::ws_client::WsClient;
use parity_scale_codec::{Decode, Encode};

/// Most event records read from one block (each is one RPC round trip).
const MAX_EVENTS_READ: u32 = 4096;

/// The events one extrinsic deposited, and whether its call failed.
pub struct ExtrinsicEvents {
    pub events: Vec<RuntimeEvent>,
    /// `(pallet, error)` of `System::ExtrinsicFailed`.
    pub failed: Option<(u8, u8)>,
}

impl ExtrinsicEvents {
    pub fn contracts(&self) -> impl Iterator<Item = &ContractsEvent> {
        self.events.iter().filter_map(|e| match e {
            RuntimeEvent::Contracts(e) => Some(e),
            _ => None,
        })
    }
}

async fn storage_at(client: &WsClient, key: Vec<u8>, at: H256) -> anyhow::Result<Option<Vec<u8>>> {
    let value = client
        .storage(HexString::from(key), Some(at.into()))
        .await
        .context("state_getStorage")?;
    Ok(value.map(|b| b.0))
}

/// The events of extrinsic `xt_hash` in block `block_hash`.
pub async fn extrinsic_events(
    client: &WsClient,
    block_hash: H256,
    xt_hash: H256,
) -> anyhow::Result<ExtrinsicEvents> {
    let block = client
        .block(Some(block_hash.into()))
        .await?
        .ok_or_else(|| anyhow!("the node does not have block {block_hash:?}"))?;
    let index = block
        .block
        .extrinsics
        .iter()
        .position(|xt| blake3_256(&xt.0) == xt_hash)
        .ok_or_else(|| anyhow!("extrinsic {xt_hash:?} is not in block {block_hash:?}"))?;
    let phase = Phase::ApplyExtrinsic(u32::try_from(index)?);
    let count_key = value_key(b"System", b"EventCount");
    let count = match storage_at(client, count_key, block_hash).await? {
        Some(raw) => u32::decode(&mut &raw[..]).context("bad System::EventCount")?,
        None => 0,
    };
    let mut events = Vec::new();
    let mut failed = None;
    for i in 0..count.min(MAX_EVENTS_READ) {
        let key = map_key(b"System", b"Events", &i.encode());
        let Some(raw) = storage_at(client, key, block_hash).await? else {
            continue;
        };
        let record = EventRecord::decode(&mut &raw[..])
            .with_context(|| format!("event {i} of block {block_hash:?} does not decode"))?;
        if record.phase != phase {
            continue;
        }
        if let RuntimeEvent::System(system) = &record.event {
            // `ExtrinsicFailed` is variant 1 of the system pallet's events and starts with
            // its `DispatchErrorInfo { pallet: u8, error: u8 }`.
            if let [1, pallet, error, ..] = system.encode()[..] {
                failed = Some((pallet, error));
            }
        }
        events.push(record.event);
    }
    if count > MAX_EVENTS_READ {
        eprintln!("(block has {count} events; only the first {MAX_EVENTS_READ} were read)");
    }
    Ok(ExtrinsicEvents { events, failed })
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

/// Print the events; fail when the extrinsic's call failed.
pub fn report(events: &ExtrinsicEvents) -> anyhow::Result<()> {
    for event in &events.events {
        println!("Event: {}", describe(event));
    }
    if let Some((pallet, error)) = events.failed {
        let what = if pallet == hm_runtime::pallet_contracts::PALLET_INDEX {
            format!("contracts error {error}")
        } else {
            format!("pallet {pallet} error {error}")
        };
        bail!("the extrinsic was included but its call failed ({what}); its fee was paid");
    }
    Ok(())
}

/// The contract an instantiation by `deployer` created, from its events.
pub fn instantiated(events: &ExtrinsicEvents, deployer: &AccountId) -> Option<AccountId> {
    events.contracts().find_map(|e| match e {
        ContractsEvent::Instantiated {
            deployer: d,
            contract,
            ..
        } if d == deployer => Some(*contract),
        _ => None,
    })
}
