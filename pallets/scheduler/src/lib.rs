//! Scheduler: runs calls at a future block, in the manner of Substrate's
//! `pallet-scheduler`; the enactment step of on-chain governance (a passed referendum
//! schedules its call, with the Root origin).
//!
//! # Agendas
//! A task (a [`BoundedCall`], the origin to run it as, an optional name) sits in the
//! agenda of its block, at most [`MAX_SCHEDULED_PER_BLOCK`] per block; a named task is
//! also found by name in `Lookup`. Scheduling is only for blocks after the current one.
//! A task whose call is a preimage `Lookup` holds a request on it in the preimage
//! pallet, so the bytes cannot be unnoted before the task runs; the request is
//! withdrawn when the task runs, is dropped or is cancelled.
//!
//! # Servicing, bounded per block
//! `on_initialize(n)` walks the agendas from `IncompleteSince` (or `n`) up to `n`, each
//! in slot order, and stops at the first task that does not fit what is left of the
//! budget ([`max_scheduler_weight`]: [`SCHEDULER_WEIGHT_PERCENT`] of the block's weight),
//! or after [`MAX_AGENDAS_PER_BLOCK`] agendas. What is left waits for the next block,
//! which starts there (`IncompleteSince`): tasks always run in `(block, slot)` order,
//! never out of it, and the first waiting task always fits a fresh block's budget, so
//! the backlog drains. For each task:
//! - a missing preimage, or one of another length: event `CallUnavailable`, dropped;
//! - a call the runtime does not accept ([`Config::calls`] is `None` or cannot weigh
//!   it): `CallRefused`, dropped;
//! - a call too heavy for even an empty block's budget: `PermanentlyOverweight`,
//!   dropped (it could only ever block the queue);
//! - otherwise the task is removed from the agenda, then its call dispatched in its own
//!   transaction: a failing call's changes roll back, its error is recorded in the
//!   `Dispatched` event, and servicing goes on.
//!
//! Removing the task before dispatching it means the call sees the scheduler as it
//! will be: it may cancel other tasks, or schedule again under its own name.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
pub mod benchmarking;
mod calls;
mod invariants;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod proptests;
mod runtime_pallet;
mod schedule;
mod service;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_service;
mod types;
pub mod weights;

pub use calls::{dispatch, Call};
pub use runtime_pallet::{Config, Pallet};
pub use schedule::{cancel_named_task, cancel_task, schedule_named_task, schedule_task};
pub use service::{lookup_weight, service_agendas};
pub use types::*;

use alloc::vec::Vec;
use hm_pallet_system::{self as system, DispatchErrorInfo};
use hm_primitives::{
    storage_key::{map_key, value_key},
    BlockNumber,
};
use hm_support::{get, Externalities, Weight};
use parity_scale_codec::{Decode, Encode};
use scale_info::TypeInfo;

// ---------------------------------------------------------------------------
// Constants

/// Storage prefix of every item of this pallet.
pub const PALLET: &[u8] = b"Scheduler";
/// Index of this pallet in the runtime's `Call` and event enums.
pub const PALLET_INDEX: u8 = 7;
/// Tasks one block's agenda holds: bounds the agenda's size and a block's servicing.
pub const MAX_SCHEDULED_PER_BLOCK: u32 = 50;
/// Longest inline call; longer ones go through the preimage pallet.
pub const MAX_INLINE_CALL_BYTES: u32 = 128;
/// Agendas one block examines at most, so a long backlog of (even empty) agendas
/// cannot take a block's weight in reads.
pub const MAX_AGENDAS_PER_BLOCK: u32 = 50;
/// Share of the block's weight (`max_block_weight` of the system parameters) the
/// scheduled calls and their servicing may use; the rest stays for extrinsics.
pub const SCHEDULER_WEIGHT_PERCENT: Weight = 80;

/// The weight servicing may use in a block: [`SCHEDULER_WEIGHT_PERCENT`] of the
/// current `max_block_weight`, so it follows the parameters root sets.
pub fn max_scheduler_weight(ext: &dyn Externalities) -> Weight {
    let max_block = system::parameters(ext).max_block_weight;
    (max_block / 100).saturating_mul(SCHEDULER_WEIGHT_PERCENT)
}

// ---------------------------------------------------------------------------
// Storage items

/// Raw storage keys, one function per item.
pub mod storage {
    use super::*;

    /// `Agenda: BlockNumber -> Vec<Option<Task>>`: `None` marks a slot emptied by a
    /// cancel or a run, keeping the later tasks' addresses. Never empty, never ends in `None`.
    pub fn agenda(when: BlockNumber) -> Vec<u8> {
        map_key(PALLET, b"Agenda", &when.encode())
    }
    /// `Lookup: TaskName -> TaskAddress`.
    pub fn lookup(id: &TaskName) -> Vec<u8> {
        map_key(PALLET, b"Lookup", &id.encode())
    }
    /// `IncompleteSince: BlockNumber`, the oldest agenda not fully serviced.
    pub fn incomplete_since() -> Vec<u8> {
        value_key(PALLET, b"IncompleteSince")
    }
}

/// The agenda of block `when` (empty when none).
pub fn agenda(ext: &dyn Externalities, when: BlockNumber) -> Vec<Option<Task>> {
    get(ext, &storage::agenda(when)).unwrap_or_default()
}

/// The task at `address`, if any.
pub fn task(ext: &dyn Externalities, (when, index): TaskAddress) -> Option<Task> {
    agenda(ext, when)
        .into_iter()
        .nth(usize::try_from(index).ok()?)
        .flatten()
}

/// Where the task named `id` is.
pub fn lookup(ext: &dyn Externalities, id: &TaskName) -> Option<TaskAddress> {
    get(ext, &storage::lookup(id))
}

/// The oldest block whose agenda waits for servicing, if one was left incomplete.
pub fn incomplete_since(ext: &dyn Externalities) -> Option<BlockNumber> {
    get(ext, &storage::incomplete_since())
}

// ---------------------------------------------------------------------------
// Events

#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum Event {
    #[codec(index = 0)]
    Scheduled { when: BlockNumber, index: u32 },
    #[codec(index = 1)]
    Canceled { when: BlockNumber, index: u32 },
    /// A task's call ran; `result` is its outcome, an error as `(pallet, error)`.
    #[codec(index = 2)]
    Dispatched {
        task: TaskAddress,
        id: Option<TaskName>,
        result: Result<(), DispatchErrorInfo>,
    },
    /// The task's preimage is not noted (or has another length): dropped.
    #[codec(index = 3)]
    CallUnavailable {
        task: TaskAddress,
        id: Option<TaskName>,
    },
    /// The runtime does not accept the task's call: dropped.
    #[codec(index = 4)]
    CallRefused {
        task: TaskAddress,
        id: Option<TaskName>,
    },
    /// The task's call does not fit even an empty block's budget: dropped.
    #[codec(index = 5)]
    PermanentlyOverweight {
        task: TaskAddress,
        id: Option<TaskName>,
    },
}

fn deposit_event(ext: &mut dyn Externalities, event: Event) {
    system::deposit_event(ext, PALLET_INDEX, &event);
}

// ---------------------------------------------------------------------------
// Errors

#[derive(Clone, Copy, PartialEq, Eq, Debug, TypeInfo)]
#[repr(u8)]
pub enum Error {
    /// Tasks are for blocks after the current one.
    TargetBlockNumberInPast = 0,
    /// The block's agenda holds `MAX_SCHEDULED_PER_BLOCK` tasks.
    AgendaFull = 1,
    /// A task has this name already.
    IdInUse = 2,
    /// No task at this address or with this name.
    NotFound = 3,
    /// An inline call over `MAX_INLINE_CALL_BYTES`: note it as a preimage.
    InlineCallTooBig = 4,
    /// An inline call of no bytes.
    EmptyCall = 5,
    /// A lookup's length is zero, over the preimage cap, or not the noted preimage's.
    BadLookupLen = 6,
    /// The preimage's request count would overflow.
    Overflow = 7,
}

impl Error {
    pub fn message(self) -> &'static str {
        match self {
            Error::TargetBlockNumberInPast => "tasks are for blocks after the current one",
            Error::AgendaFull => "the block's agenda is full",
            Error::IdInUse => "a task has this name already",
            Error::NotFound => "no such task",
            Error::InlineCallTooBig => "the inline call is over MaxInlineCallBytes",
            Error::EmptyCall => "the inline call is empty",
            Error::BadLookupLen => "the lookup's length is wrong",
            Error::Overflow => "the preimage's request count overflows",
        }
    }
}

hm_support::impl_dispatch_error!(Error, PALLET_INDEX);
