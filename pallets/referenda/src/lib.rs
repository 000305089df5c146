//! Referenda: the proposal step of HyperMesh's DAO, Polkadot OpenGov's
//! `pallet-referenda` reduced to its core.
//!
//! # Lifecycle
//! An account submits a call (a scheduler [`BoundedCall`]) on a [`Track`], reserving
//! [`SUBMISSION_DEPOSIT`]. After the track's prepare period, and once someone placed the
//! track's decision deposit, the referendum decides if the track has a free slot
//! (`max_deciding`), else it waits in `TrackQueue`. Without a decision deposit within
//! [`Config::undeciding_timeout`] it times out. While deciding, it is checked every
//! [`Config::check_interval`] blocks (votes change the tally in conviction voting,
//! which does not notify this pallet): passing both curves (approval and support over
//! the elapsed share of the decision period) starts confirming; failing aborts it. A
//! completed confirmation approves it and schedules the call with the Root origin,
//! named `blake3("hm/referenda" ‖ index)`; a decision period over without
//! confirming rejects it. Ending frees the slot for the next queued referendum.
//!
//! # Alarms, bounded per block
//! Each ongoing referendum that waits for a block sits in `Alarms` of that block.
//! `on_initialize` services at most [`MAX_SERVICED_PER_BLOCK`] of them; the rest move
//! to the next blocks. Each block's list holds at most [`MAX_ALARMS_PER_BLOCK`]. A
//! referendum whose servicing fails (its track's queue is full, or its track left
//! [`Config::tracks`]) is retried a check interval later.
//!
//! # Enactment
//! The call is scheduled at `max(enactment_after, min_enactment_period)` blocks after
//! approval, or at the first of the next [`MAX_PROBE`] blocks whose agenda has room;
//! `Approved { when: None }` reports that none had (the referendum is approved, its
//! call not scheduled). A lookup's preimage request moves from this pallet to the
//! scheduler's task.
//!
//! # Enactment origin
//! Every track's call is enacted as Root. TODO(runtime): the `treasurer` track must be
//! restricted to treasury calls by [`Config::may_submit`] (the runtime decodes the
//! call); until then only the track's thresholds differ.
//!
//! # Polls
//! [`poll_status`] is what the runtime's conviction-voting `Config::poll_status`
//! returns: referenda are its polls, tracks its classes; this pallet reads the
//! tallies back with `hm_pallet_conviction_voting::tally`.
//!
//! Every call is atomic: a refused call returns a precise [`Error`] and changes nothing.
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
mod referendum;
mod runtime_pallet;
mod service;
#[cfg(test)]
mod tests;
mod types;
pub mod weights;

pub use calls::{dispatch, Call};
pub use referendum::{
    cancel, kill, place_decision_deposit, poll_status, refund_decision_deposit,
    refund_submission_deposit, submit,
};
pub use runtime_pallet::{Config, Pallet};
pub use service::{is_passing, service_alarms};
pub use types::*;

use alloc::vec::Vec;
use hm_pallet_scheduler::BoundedCall;
use hm_pallet_system as system;
use hm_primitives::{
    storage_key::{map_key, value_key},
    AccountId, Balance, BlockNumber, UNITS,
};
use hm_support::{get, put, Externalities};
use parity_scale_codec::{Decode, Encode};
use scale_info::TypeInfo;

// ---------------------------------------------------------------------------
// Constants

/// Storage prefix of every item of this pallet.
pub const PALLET: &[u8] = b"Referenda";
/// Index of this pallet in the runtime's `Call` and event enums.
pub const PALLET_INDEX: u8 = 9;
/// Reserved by the submitter until the referendum ends (spam bound).
pub const SUBMISSION_DEPOSIT: Balance = 10 * UNITS;
/// Blocks a referendum may wait for its decision deposit: 14 days at 1 s.
pub const UNDECIDING_TIMEOUT: BlockNumber = 14 * DAYS;
/// Blocks between two checks of a deciding referendum's tally.
pub const CHECK_INTERVAL: BlockNumber = 10;
/// Referenda one track's queue holds.
pub const MAX_QUEUED: u32 = 100;
/// Referenda one block's alarm list holds.
pub const MAX_ALARMS_PER_BLOCK: u32 = 50;
/// Referenda `on_initialize` services per block.
pub const MAX_SERVICED_PER_BLOCK: u32 = 10;
/// Blocks probed forward for room in `Alarms` (or in the scheduler's agendas).
pub const MAX_PROBE: BlockNumber = 64;

// ---------------------------------------------------------------------------
// Storage items

/// Raw storage keys, one function per item.
pub mod storage {
    use super::*;

    /// `ReferendumCount: u32`, the next index.
    pub fn referendum_count() -> Vec<u8> {
        value_key(PALLET, b"ReferendumCount")
    }
    /// `ReferendumInfoFor: ReferendumIndex -> ReferendumInfo`.
    pub fn referendum_info_for(index: ReferendumIndex) -> Vec<u8> {
        map_key(PALLET, b"ReferendumInfoFor", &index.encode())
    }
    /// `DecidingCount: TrackId -> u32`; absent means 0.
    pub fn deciding_count(track: TrackId) -> Vec<u8> {
        map_key(PALLET, b"DecidingCount", &track.encode())
    }
    /// `TrackQueue: TrackId -> Vec<ReferendumIndex>`, oldest first, at most `MAX_QUEUED`.
    pub fn track_queue(track: TrackId) -> Vec<u8> {
        map_key(PALLET, b"TrackQueue", &track.encode())
    }
    /// `Alarms: BlockNumber -> Vec<ReferendumIndex>`, at most `MAX_ALARMS_PER_BLOCK`.
    pub fn alarms(when: BlockNumber) -> Vec<u8> {
        map_key(PALLET, b"Alarms", &when.encode())
    }
    /// `PeriodDivisor: BlockNumber`, set at genesis; absent means 1 (the live periods).
    pub fn period_divisor() -> Vec<u8> {
        value_key(PALLET, b"PeriodDivisor")
    }
}

/// What every track period and the undeciding timeout are divided by on this chain:
/// 1 on a live chain, more on a local one whose referenda must end in minutes. Set at
/// genesis, so the code keeps the live periods.
pub fn period_divisor(ext: &dyn Externalities) -> BlockNumber {
    get(ext, &storage::period_divisor()).unwrap_or(1).max(1)
}

/// `period` on this chain: divided by [`period_divisor`], never below one block (a
/// zero period stays zero).
pub fn scaled_period(ext: &dyn Externalities, period: BlockNumber) -> BlockNumber {
    if period == 0 {
        return 0;
    }
    (period / period_divisor(ext)).max(1)
}

/// `track` with this chain's periods.
pub fn chain_track(ext: &dyn Externalities, track: &Track) -> Track {
    Track {
        prepare_period: scaled_period(ext, track.prepare_period),
        decision_period: scaled_period(ext, track.decision_period),
        confirm_period: scaled_period(ext, track.confirm_period),
        min_enactment_period: scaled_period(ext, track.min_enactment_period),
        ..*track
    }
}

/// Genesis: this chain's [`period_divisor`] (0 and 1 both mean the live periods).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct GenesisConfig {
    pub period_divisor: BlockNumber,
}

pub fn referendum_count(ext: &dyn Externalities) -> u32 {
    get(ext, &storage::referendum_count()).unwrap_or(0)
}

pub fn referendum_info(ext: &dyn Externalities, index: ReferendumIndex) -> Option<ReferendumInfo> {
    get(ext, &storage::referendum_info_for(index))
}

pub(crate) fn put_info(ext: &mut dyn Externalities, index: ReferendumIndex, info: &ReferendumInfo) {
    put(ext, &storage::referendum_info_for(index), info);
}

pub fn deciding_count(ext: &dyn Externalities, track: TrackId) -> u32 {
    get(ext, &storage::deciding_count(track)).unwrap_or(0)
}

pub(crate) fn put_deciding_count(ext: &mut dyn Externalities, track: TrackId, n: u32) {
    let key = storage::deciding_count(track);
    if n == 0 {
        ext.storage_remove(&key);
    } else {
        put(ext, &key, &n);
    }
}

pub fn track_queue(ext: &dyn Externalities, track: TrackId) -> Vec<ReferendumIndex> {
    get(ext, &storage::track_queue(track)).unwrap_or_default()
}

pub fn alarms(ext: &dyn Externalities, when: BlockNumber) -> Vec<ReferendumIndex> {
    get(ext, &storage::alarms(when)).unwrap_or_default()
}

/// Write a list, removing the item when empty.
pub(crate) fn put_list(ext: &mut dyn Externalities, key: &[u8], list: &[ReferendumIndex]) {
    if list.is_empty() {
        ext.storage_remove(key);
    } else {
        put(ext, key, &list);
    }
}

/// The scheduler task name of referendum `index`'s enactment.
pub fn task_name(index: ReferendumIndex) -> [u8; 32] {
    let mut data = b"hm/referenda".to_vec();
    data.extend_from_slice(&index.encode());
    hm_primitives::hash::blake3_256(&data).0
}

// ---------------------------------------------------------------------------
// Events

#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum Event {
    #[codec(index = 0)]
    Submitted {
        index: ReferendumIndex,
        track: TrackId,
        proposal: BoundedCall,
    },
    #[codec(index = 1)]
    DecisionDepositPlaced {
        index: ReferendumIndex,
        who: AccountId,
        amount: Balance,
    },
    #[codec(index = 2)]
    DecisionStarted {
        index: ReferendumIndex,
        track: TrackId,
    },
    #[codec(index = 3)]
    ConfirmStarted { index: ReferendumIndex },
    #[codec(index = 4)]
    ConfirmAborted { index: ReferendumIndex },
    #[codec(index = 5)]
    Confirmed { index: ReferendumIndex },
    /// The call is scheduled at `when` (`None`: no agenda had room; not enacted).
    #[codec(index = 6)]
    Approved {
        index: ReferendumIndex,
        when: Option<BlockNumber>,
    },
    #[codec(index = 7)]
    Rejected { index: ReferendumIndex },
    #[codec(index = 8)]
    TimedOut { index: ReferendumIndex },
    #[codec(index = 9)]
    Cancelled { index: ReferendumIndex },
    /// Both deposits burned.
    #[codec(index = 10)]
    Killed { index: ReferendumIndex },
    #[codec(index = 11)]
    DepositRefunded {
        index: ReferendumIndex,
        who: AccountId,
        amount: Balance,
    },
}

pub(crate) fn deposit_event(ext: &mut dyn Externalities, event: Event) {
    system::deposit_event(ext, PALLET_INDEX, &event);
}

// ---------------------------------------------------------------------------
// Errors

#[derive(Clone, Copy, PartialEq, Eq, Debug, TypeInfo)]
#[repr(u8)]
pub enum Error {
    /// No such track.
    BadTrack = 0,
    /// The referendum has ended.
    NotOngoing = 1,
    /// The decision deposit is placed already.
    HasDeposit = 2,
    /// No deposit to refund (none placed, or refunded already).
    NoDeposit = 3,
    /// The call or track is not allowed, or the deposit was burned (killed).
    NoPermission = 4,
    /// The track's queue, or every probed block's alarms or agenda, is full.
    Full = 5,
    /// No such referendum.
    BadReferendum = 6,
    /// The proposal's call is malformed (empty, too big, or a lookup of the wrong length).
    BadProposal = 7,
    /// The referendum has not ended.
    Unfinished = 8,
    /// A count or balance would overflow.
    Overflow = 9,
    /// The deposit is more than the account's usable free balance.
    InsufficientFunds = 10,
}

impl Error {
    pub fn message(self) -> &'static str {
        match self {
            Error::BadTrack => "no such track",
            Error::NotOngoing => "the referendum has ended",
            Error::HasDeposit => "the decision deposit is placed already",
            Error::NoDeposit => "no deposit to refund",
            Error::NoPermission => "not allowed",
            Error::Full => "full",
            Error::BadReferendum => "no such referendum",
            Error::BadProposal => "the proposal's call is malformed",
            Error::Unfinished => "the referendum has not ended",
            Error::Overflow => "overflow",
            Error::InsufficientFunds => "insufficient free balance",
        }
    }
}

hm_support::impl_dispatch_error!(Error, PALLET_INDEX);
