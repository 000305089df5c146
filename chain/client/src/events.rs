//! `ChainApi::block_events`: a block's event log read from its state, with pallet, event
//! and error names (from the runtime's metadata), and each extrinsic's outcome and fee.
use crate::Client;
use hm_client_api::{BlockEvent, ClientError, DispatchFailure, EventPhase, ExtrinsicOutcome};
use hm_pallet_system::{DispatchErrorInfo, Event as SystemEvent};
use hm_primitives::{Balance, H256};
use hm_runtime::{EventRecord, Extrinsic, Parameters, Phase, RuntimeEvent};
use parity_scale_codec::{Decode, Encode};
use scale_info::TypeDef;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// Pallet, event and error names as the runtime's metadata declares them, so a pallet
/// added to the runtime's list is named here with no edit.
struct RuntimeNames {
    pallets: BTreeMap<u8, PalletNames>,
}

#[derive(Default)]
struct PalletNames {
    name: String,
    events: BTreeMap<u8, String>,
    /// Name and docs (the meaning) of each error.
    errors: BTreeMap<u8, (String, String)>,
}

impl RuntimeNames {
    fn get() -> &'static RuntimeNames {
        static NAMES: OnceLock<RuntimeNames> = OnceLock::new();
        NAMES.get_or_init(|| {
            let meta = hm_runtime::metadata_v15();
            let variants = |ty: u32| -> Vec<(u8, String, String)> {
                match meta.types.resolve(ty).map(|t| &t.type_def) {
                    Some(TypeDef::Variant(v)) => v
                        .variants
                        .iter()
                        .map(|v| (v.index, v.name.clone(), docs(&v.docs)))
                        .collect(),
                    _ => Vec::new(),
                }
            };
            let pallets = meta
                .pallets
                .iter()
                .map(|p| {
                    let events = p
                        .event
                        .as_ref()
                        .map_or_else(Vec::new, |e| variants(e.ty.id));
                    let errors = p
                        .error
                        .as_ref()
                        .map_or_else(Vec::new, |e| variants(e.ty.id));
                    let names = PalletNames {
                        name: p.name.clone(),
                        events: events.into_iter().map(|(i, n, _)| (i, n)).collect(),
                        errors: errors.into_iter().map(|(i, n, d)| (i, (n, d))).collect(),
                    };
                    (p.index, names)
                })
                .collect();
            RuntimeNames { pallets }
        })
    }
}

/// One line of meaning from a variant's doc comment: `Free balance is lower than the
/// amount.` becomes `free balance is lower than the amount`.
fn docs(lines: &[String]) -> String {
    let text = lines.join(" ");
    let text = text.trim().trim_end_matches('.');
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The pallet that deposited `event`, and the event's variant name: the outer event's
/// first byte is the pallet's index, the second its event's.
fn pallet_of(event: &RuntimeEvent) -> (String, String) {
    let encoded = event.encode();
    let (pallet, variant) = (encoded[0], encoded.get(1).copied().unwrap_or(0));
    match RuntimeNames::get().pallets.get(&pallet) {
        Some(p) => (
            p.name.clone(),
            p.events
                .get(&variant)
                .cloned()
                .unwrap_or_else(|| format!("Unknown({variant})")),
        ),
        None => (format!("Pallet{pallet}"), format!("Unknown({variant})")),
    }
}

/// Name and meaning of error `error` of pallet `pallet`.
fn error_name(pallet: u8, error: u8) -> (String, String, String) {
    let Some(p) = RuntimeNames::get().pallets.get(&pallet) else {
        return (
            format!("Pallet{pallet}"),
            format!("Unknown({error})"),
            String::new(),
        );
    };
    let (name, message) = p
        .errors
        .get(&error)
        .cloned()
        .unwrap_or_else(|| (format!("Unknown({error})"), String::new()));
    (p.name.clone(), name, message)
}

fn failure(info: DispatchErrorInfo) -> DispatchFailure {
    let (pallet, error, message) = error_name(info.pallet, info.error);
    DispatchFailure {
        pallet_index: info.pallet,
        error_index: info.error,
        pallet,
        error,
        message,
    }
}

fn phase(p: Phase) -> EventPhase {
    match p {
        Phase::Initialization => EventPhase::Initialization,
        Phase::ApplyExtrinsic(i) => EventPhase::ApplyExtrinsic(i),
        Phase::Finalization => EventPhase::Finalization,
    }
}

/// What the signer of extrinsic `index` paid: the fee the chain's parameters ask for its
/// length, charged weight and tip, at most what `Caesar::FeePaid` took (the difference
/// is the refund of unused contract gas); 0 for an extrinsic that paid nothing.
fn fee_paid(
    records: &[EventRecord],
    index: u32,
    weight: u64,
    extrinsic: Option<&[u8]>,
    params: &Parameters,
) -> Balance {
    let withdrawn: Balance = records
        .iter()
        .filter(|r| r.phase == Phase::ApplyExtrinsic(index))
        .filter_map(|r| match &r.event {
            RuntimeEvent::Caesar(hm_pallet_caesar::Event::FeePaid { amount, .. }) => Some(*amount),
            _ => None,
        })
        .fold(0, Balance::saturating_add);
    let Some(bytes) = extrinsic else {
        return withdrawn;
    };
    let tip = Extrinsic::decode(&mut &bytes[..])
        .ok()
        .and_then(|xt| xt.signed)
        .map_or(0, |s| s.extra.tip);
    params
        .fees
        .fee(bytes.len(), weight, tip)
        .map_or(withdrawn, |fee| fee.min(withdrawn))
}

impl Client {
    pub(crate) fn read_block_events(
        &self,
        at: Option<H256>,
    ) -> Result<Vec<BlockEvent>, ClientError> {
        let (hash, version) = self.version_at(at)?;
        // Refuse a pruned state up front, with the precise reason.
        self.db
            .check_state_available(version)
            .map_err(crate::chain_api::storage_err)?;
        let overlay = self.overlay().at_version(version);
        let records = hm_runtime::events(&overlay);
        let params = hm_runtime::parameters(&overlay);
        if let Some(e) = overlay.read_error() {
            return Err(ClientError::Storage(e));
        }
        let block = self
            .db()
            .signed_block(&hash)
            .map_err(|e| ClientError::Storage(e.to_string()))?
            .ok_or_else(|| ClientError::UnknownBlock(format!("{hash:?}")))?;
        let extrinsic = |i: u32| {
            usize::try_from(i)
                .ok()
                .and_then(|i| block.block.extrinsics.get(i))
                .map(Vec::as_slice)
        };
        Ok(describe_events(&records, &params, extrinsic))
    }
}

/// `records` with their names, and each extrinsic's outcome and fee; `extrinsic(i)` is
/// the encoding of extrinsic `i`, when known.
pub(crate) fn describe_events<'a>(
    records: &[EventRecord],
    params: &Parameters,
    extrinsic: impl Fn(u32) -> Option<&'a [u8]>,
) -> Vec<BlockEvent> {
    records
        .iter()
        .map(|record| {
            let (pallet, name) = pallet_of(&record.event);
            let outcome = match (&record.event, record.phase) {
                (RuntimeEvent::System(e), Phase::ApplyExtrinsic(i)) => match e {
                    SystemEvent::ExtrinsicSuccess { weight } => Some((*weight, None, i)),
                    SystemEvent::ExtrinsicFailed { error, weight } => {
                        Some((*weight, Some(failure(*error)), i))
                    }
                    _ => None,
                },
                _ => None,
            }
            .map(|(weight, error, i)| ExtrinsicOutcome {
                weight,
                fee: fee_paid(records, i, weight, extrinsic(i), params),
                error,
            });
            BlockEvent {
                phase: phase(record.phase),
                pallet,
                name,
                outcome,
                encoded: record.event.encode(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use hm_primitives::AccountId;

    #[test]
    fn dispatch_errors_get_their_names() {
        let f = failure(DispatchErrorInfo {
            pallet: hm_pallet_caesar::PALLET_INDEX,
            error: hm_pallet_caesar::Error::InsufficientBalance as u8,
        });
        assert_eq!(f.name(), "Caesar: InsufficientBalance");
        assert_eq!(f.message, "free balance is lower than the amount");
        let f = failure(DispatchErrorInfo {
            pallet: hm_runtime::pallet_contracts::PALLET_INDEX,
            error: hm_runtime::pallet_contracts::Error::OutOfGas as u8,
        });
        assert_eq!(f.name(), "Contracts: OutOfGas");
        let f = failure(DispatchErrorInfo {
            pallet: 1,
            error: 200,
        });
        assert_eq!(f.name(), "Caesar: Unknown(200)");
        let f = failure(DispatchErrorInfo {
            pallet: 9,
            error: 1,
        });
        assert_eq!(f.name(), "Referenda: NotOngoing");
        let f = failure(DispatchErrorInfo {
            pallet: 42,
            error: 1,
        });
        assert_eq!(f.name(), "Pallet42: Unknown(1)");
    }

    #[test]
    fn event_names_are_the_variant_names() {
        let who = AccountId([1; 32]);
        let transfer = RuntimeEvent::Caesar(hm_pallet_caesar::Event::Transfer {
            from: who,
            to: who,
            amount: 5,
        });
        assert_eq!(
            pallet_of(&transfer),
            ("Caesar".to_owned(), "Transfer".to_owned())
        );
        let ok = RuntimeEvent::System(SystemEvent::ExtrinsicSuccess { weight: 3 });
        assert_eq!(
            pallet_of(&ok),
            ("System".to_owned(), "ExtrinsicSuccess".to_owned())
        );
    }

    #[test]
    fn the_fee_is_what_fee_paid_took_less_any_refund() {
        let who = AccountId([1; 32]);
        let record = |index, amount| EventRecord {
            phase: Phase::ApplyExtrinsic(index),
            event: RuntimeEvent::Caesar(hm_pallet_caesar::Event::FeePaid {
                who,
                amount,
                author: None,
            }),
        };
        let params = Parameters::default();
        let xt = vec![0u8; 100];
        let asked = params.fees.fee(xt.len(), 1_000, 0).unwrap();
        let records = [record(0, asked + 50), record(1, 7)];
        // Extrinsic 0 was charged more up front and refunded down to the parameters' fee.
        assert_eq!(fee_paid(&records, 0, 1_000, Some(&xt), &params), asked);
        // The fee never exceeds what was withdrawn, and nothing withdrawn is no fee.
        assert_eq!(fee_paid(&records, 1, 1_000, Some(&xt), &params), 7);
        assert_eq!(fee_paid(&records, 2, 1_000, Some(&xt), &params), 0);
    }
}
