//! The calls of the referenda pallet, their weights and their dispatch.
use crate::{referendum, weights, BoundedCall, Config, ReferendumIndex, TrackId};
use hm_pallet_system::{self as system, Origin};
use hm_primitives::BlockNumber;
use hm_support::{with_transaction, DispatchResult, Externalities, Weight};
use parity_scale_codec::{Decode, Encode};
use scale_info::TypeInfo;

#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum Call {
    /// Open a referendum on `track` (signed).
    #[codec(index = 0)]
    Submit {
        track: TrackId,
        proposal: BoundedCall,
        enactment_after: BlockNumber,
    },
    /// Place the track's decision deposit (signed, anyone).
    #[codec(index = 1)]
    PlaceDecisionDeposit { index: ReferendumIndex },
    /// Return an ended referendum's decision deposit (signed, anyone).
    #[codec(index = 2)]
    RefundDecisionDeposit { index: ReferendumIndex },
    /// End an ongoing referendum, deposits refundable (root).
    #[codec(index = 3)]
    Cancel { index: ReferendumIndex },
    /// End an ongoing referendum, burning its deposits (root).
    #[codec(index = 4)]
    Kill { index: ReferendumIndex },
    /// Return an ended referendum's submission deposit (signed, anyone).
    #[codec(index = 5)]
    RefundSubmissionDeposit { index: ReferendumIndex },
}

impl Call {
    pub fn weight(&self) -> Weight {
        match self {
            Call::Submit { .. } => weights::SUBMIT,
            Call::PlaceDecisionDeposit { .. } => weights::PLACE_DECISION_DEPOSIT,
            Call::RefundDecisionDeposit { .. } | Call::RefundSubmissionDeposit { .. } => {
                weights::REFUND_DEPOSIT
            }
            Call::Cancel { .. } => weights::CANCEL,
            Call::Kill { .. } => weights::KILL,
        }
    }
}

/// Run `call` as `origin` with the tracks of `C`. Atomic: a failing call leaves the
/// state as it was.
pub fn dispatch<C: Config>(
    ext: &mut dyn Externalities,
    origin: Origin,
    call: Call,
) -> DispatchResult {
    match call {
        Call::Cancel { index } => {
            system::ensure_root(origin)?;
            with_transaction(ext, |ext| referendum::cancel::<C>(ext, index))?;
        }
        Call::Kill { index } => {
            system::ensure_root(origin)?;
            with_transaction(ext, |ext| referendum::kill::<C>(ext, index))?;
        }
        call => {
            let who = system::ensure_signed(origin)?;
            with_transaction(ext, |ext| match call {
                Call::Submit {
                    track,
                    proposal,
                    enactment_after,
                } => referendum::submit::<C>(ext, &who, track, proposal, enactment_after).map(drop),
                Call::PlaceDecisionDeposit { index } => {
                    referendum::place_decision_deposit::<C>(ext, &who, index)
                }
                Call::RefundDecisionDeposit { index } => {
                    referendum::refund_decision_deposit(ext, index)
                }
                Call::RefundSubmissionDeposit { index } => {
                    referendum::refund_submission_deposit(ext, index)
                }
                Call::Cancel { .. } | Call::Kill { .. } => Err(crate::Error::NoPermission),
            })?;
        }
    }
    Ok(())
}
