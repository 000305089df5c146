//! `ChainApi::block_events`: a block's event log read from its state, with pallet, event
//! and error names, and each extrinsic's outcome and fee. The runtime's `RuntimeEvent`
//! is matched in [`pallet_of`] only.
use crate::Client;
use hm_client_api::{BlockEvent, ClientError, DispatchFailure, EventPhase, ExtrinsicOutcome};
use hm_pallet_system::{DispatchErrorInfo, Event as SystemEvent};
use hm_primitives::{Balance, H256};
use hm_runtime::{EventRecord, Extrinsic, Parameters, Phase, RuntimeEvent};
use parity_scale_codec::{Decode, Encode};
use std::fmt::Debug;

/// The pallet that deposited `event`, and the event's variant name.
fn pallet_of(event: &RuntimeEvent) -> (&'static str, String) {
    match event {
        RuntimeEvent::System(e) => ("System", variant_name(e)),
        RuntimeEvent::Caesar(e) => ("Caesar", variant_name(e)),
        RuntimeEvent::Staking(e) => ("Staking", variant_name(e)),
        RuntimeEvent::Contracts(e) => ("Contracts", variant_name(e)),
    }
}

/// `Transfer` of `Transfer { from: .., .. }`: the identifier its `Debug` text starts with.
fn variant_name(value: &impl Debug) -> String {
    let text = format!("{value:?}");
    let end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    text[..end].to_owned()
}

/// Every error of one pallet, in index order, with its meaning.
fn errors_of<E: Copy + Debug>(all: &[E], message: fn(E) -> &'static str) -> Vec<(String, String)> {
    all.iter()
        .map(|e| (variant_name(e), message(*e).to_owned()))
        .collect()
}

/// Name and meaning of error `error` of pallet `pallet`.
fn error_name(pallet: u8, error: u8) -> (String, String, String) {
    use hm_pallet_caesar::Error as C;
    use hm_pallet_staking::Error as S;
    use hm_pallet_system::Error as Y;
    use hm_runtime::pallet_contracts::Error as K;
    let (pallet_name, table) = match pallet {
        hm_pallet_system::PALLET_INDEX => ("System", errors_of(&SYSTEM_ERRORS, Y::message)),
        hm_pallet_caesar::PALLET_INDEX => ("Caesar", errors_of(&CAESAR_ERRORS, C::message)),
        hm_pallet_staking::PALLET_INDEX => ("Staking", errors_of(&STAKING_ERRORS, S::message)),
        hm_runtime::pallet_contracts::PALLET_INDEX => {
            ("Contracts", errors_of(&CONTRACTS_ERRORS, K::message))
        }
        other => {
            return (
                format!("Pallet{other}"),
                format!("Unknown({error})"),
                String::new(),
            )
        }
    };
    let (name, message) = table
        .get(usize::from(error))
        .cloned()
        .unwrap_or_else(|| (format!("Unknown({error})"), String::new()));
    (pallet_name.to_owned(), name, message)
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
        let events = records
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
                    fee: fee_paid(&records, i, weight, extrinsic(i), &params),
                    error,
                });
                BlockEvent {
                    phase: phase(record.phase),
                    pallet: pallet.to_owned(),
                    name,
                    outcome,
                    encoded: record.event.encode(),
                }
            })
            .collect();
        Ok(events)
    }
}

// Each pallet's errors in index order (the pallets derive no decoding for them); the
// test below checks every entry's index.
const SYSTEM_ERRORS: [hm_pallet_system::Error; 2] = [
    hm_pallet_system::Error::BadOrigin,
    hm_pallet_system::Error::InvalidParameters,
];
const CAESAR_ERRORS: [hm_pallet_caesar::Error; 4] = [
    hm_pallet_caesar::Error::InsufficientBalance,
    hm_pallet_caesar::Error::ExistentialDeposit,
    hm_pallet_caesar::Error::KeepAlive,
    hm_pallet_caesar::Error::Overflow,
];
const STAKING_ERRORS: [hm_pallet_staking::Error; 25] = [
    hm_pallet_staking::Error::NotBonded,
    hm_pallet_staking::Error::AlreadyBonded,
    hm_pallet_staking::Error::BondTooSmall,
    hm_pallet_staking::Error::ZeroAmount,
    hm_pallet_staking::Error::InsufficientBond,
    hm_pallet_staking::Error::NoMoreChunks,
    hm_pallet_staking::Error::NothingToWithdraw,
    hm_pallet_staking::Error::BelowMinimumBond,
    hm_pallet_staking::Error::InvalidPlot,
    hm_pallet_staking::Error::BadKeyProof,
    hm_pallet_staking::Error::KeyInUse,
    hm_pallet_staking::Error::PlotInUse,
    hm_pallet_staking::Error::TooManyCandidates,
    hm_pallet_staking::Error::NotRegistered,
    hm_pallet_staking::Error::InvalidConfig,
    hm_pallet_staking::Error::InvalidFraction,
    hm_pallet_staking::Error::DuplicateReport,
    hm_pallet_staking::Error::AlreadyPunished,
    hm_pallet_staking::Error::FutureOffence,
    hm_pallet_staking::Error::EvidenceTooOld,
    hm_pallet_staking::Error::NothingToSlash,
    hm_pallet_staking::Error::NotInValidatorSet,
    hm_pallet_staking::Error::Overflow,
    hm_pallet_staking::Error::PotUnderfunded,
    hm_pallet_staking::Error::InvalidProofParams,
];
const CONTRACTS_ERRORS: [hm_runtime::pallet_contracts::Error; 26] = [
    hm_runtime::pallet_contracts::Error::CodeTooLarge,
    hm_runtime::pallet_contracts::Error::CodeMalformed,
    hm_runtime::pallet_contracts::Error::CodeUsesDisabledFeature,
    hm_runtime::pallet_contracts::Error::CodeUnknownImport,
    hm_runtime::pallet_contracts::Error::CodeExceedsLimits,
    hm_runtime::pallet_contracts::Error::CodeInvalidExports,
    hm_runtime::pallet_contracts::Error::CodeTooExpensive,
    hm_runtime::pallet_contracts::Error::CodeAlreadyExists,
    hm_runtime::pallet_contracts::Error::CodeNotFound,
    hm_runtime::pallet_contracts::Error::CodeInUse,
    hm_runtime::pallet_contracts::Error::NotCodeOwner,
    hm_runtime::pallet_contracts::Error::ContractNotFound,
    hm_runtime::pallet_contracts::Error::AddressInUse,
    hm_runtime::pallet_contracts::Error::SaltTooLarge,
    hm_runtime::pallet_contracts::Error::GasLimitTooHigh,
    hm_runtime::pallet_contracts::Error::OutOfGas,
    hm_runtime::pallet_contracts::Error::ContractTrapped,
    hm_runtime::pallet_contracts::Error::ContractReverted,
    hm_runtime::pallet_contracts::Error::DepthLimit,
    hm_runtime::pallet_contracts::Error::Reentrancy,
    hm_runtime::pallet_contracts::Error::TransferFailed,
    hm_runtime::pallet_contracts::Error::DepositLimitExceeded,
    hm_runtime::pallet_contracts::Error::InsufficientFundsForDeposit,
    hm_runtime::pallet_contracts::Error::NoEngine,
    hm_runtime::pallet_contracts::Error::NodeFault,
    hm_runtime::pallet_contracts::Error::Overflow,
];

#[cfg(test)]
mod tests {
    use super::*;
    use hm_primitives::AccountId;

    #[test]
    fn error_tables_are_in_index_order() {
        for (i, e) in SYSTEM_ERRORS.iter().enumerate() {
            assert_eq!(*e as usize, i, "{e:?}");
        }
        for (i, e) in CAESAR_ERRORS.iter().enumerate() {
            assert_eq!(*e as usize, i, "{e:?}");
        }
        for (i, e) in STAKING_ERRORS.iter().enumerate() {
            assert_eq!(*e as usize, i, "{e:?}");
        }
        for (i, e) in CONTRACTS_ERRORS.iter().enumerate() {
            assert_eq!(*e as usize, i, "{e:?}");
        }
    }

    #[test]
    fn dispatch_errors_get_their_names() {
        let f = failure(DispatchErrorInfo {
            pallet: hm_pallet_caesar::PALLET_INDEX,
            error: hm_pallet_caesar::Error::InsufficientBalance as u8,
        });
        assert_eq!(f.name(), "Caesar: InsufficientBalance");
        assert_eq!(f.message, "insufficient free balance");
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
        assert_eq!(f.name(), "Pallet9: Unknown(1)");
    }

    #[test]
    fn event_names_are_the_variant_names() {
        let who = AccountId([1; 32]);
        let transfer = RuntimeEvent::Caesar(hm_pallet_caesar::Event::Transfer {
            from: who,
            to: who,
            amount: 5,
        });
        assert_eq!(pallet_of(&transfer), ("Caesar", "Transfer".to_owned()));
        let ok = RuntimeEvent::System(SystemEvent::ExtrinsicSuccess { weight: 3 });
        assert_eq!(pallet_of(&ok), ("System", "ExtrinsicSuccess".to_owned()));
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
