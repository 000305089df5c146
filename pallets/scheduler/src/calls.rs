//! The calls of the scheduler pallet (root only), their weights and their dispatch.
use crate::{schedule, weights, BoundedCall, ScheduledOrigin, TaskName};
use hm_pallet_system::{self as system, Origin};
use hm_primitives::BlockNumber;
use hm_support::{with_transaction, DispatchResult, Externalities, Weight};
use parity_scale_codec::{Decode, Encode};
use scale_info::TypeInfo;

#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum Call {
    /// Run `call` as root at block `when`.
    #[codec(index = 0)]
    Schedule {
        when: BlockNumber,
        call: BoundedCall,
    },
    /// Remove the task at `(when, index)`.
    #[codec(index = 1)]
    Cancel { when: BlockNumber, index: u32 },
    /// Run `call` as root at block `when`, under the name `id`.
    #[codec(index = 2)]
    ScheduleNamed {
        id: TaskName,
        when: BlockNumber,
        call: BoundedCall,
    },
    /// Remove the task named `id`.
    #[codec(index = 3)]
    CancelNamed { id: TaskName },
}

impl Call {
    /// Worst cases: a full agenda read and written, a preimage requested or released.
    pub fn weight(&self) -> Weight {
        match self {
            Call::Schedule { .. } => weights::SCHEDULE,
            Call::Cancel { .. } => weights::CANCEL,
            Call::ScheduleNamed { .. } => weights::SCHEDULE_NAMED,
            Call::CancelNamed { .. } => weights::CANCEL_NAMED,
        }
    }
}

/// Run `call` as `origin` (root only). Atomic: a failing call leaves the state as it was.
pub fn dispatch(ext: &mut dyn Externalities, origin: Origin, call: Call) -> DispatchResult {
    system::ensure_root(origin)?;
    with_transaction(ext, |ext| {
        match call {
            Call::Schedule { when, call } => {
                schedule::schedule_task(ext, when, ScheduledOrigin::Root, call).map(drop)
            }
            Call::Cancel { when, index } => schedule::cancel_task(ext, (when, index)).map(drop),
            Call::ScheduleNamed { id, when, call } => {
                schedule::schedule_named_task(ext, id, when, ScheduledOrigin::Root, call).map(drop)
            }
            Call::CancelNamed { id } => schedule::cancel_named_task(ext, &id).map(drop),
        }
        .map_err(Into::into)
    })
}
