//! Conviction voting: the voting step of HyperMesh's DAO, in the manner of Substrate's
//! `pallet-conviction-voting` (OpenGov).
//!
//! # Votes
//! An account votes on a poll (a referendum) with CAES of its free balance: `Standard`
//! (aye or nay with a [`Conviction`]), `Split` (aye and nay, 0.1× each) or
//! `SplitAbstain` (plus an abstain part that counts only in the support). Conviction
//! multiplies the vote (none 0.1×, `Locked1x`..`Locked6x` 1×..6×) and, for the winning
//! side, keeps the balance locked 1, 2, 4, 8, 16 or 32 [`VOTE_LOCKING_PERIOD`]s after
//! the poll ends. Votes may be changed or removed while the poll is ongoing. The pallet
//! keeps each poll's [`Tally`] (`TallyOf`); the polls themselves (their class, whether
//! they are ongoing, who won) belong to the runtime, through [`Config::poll_status`],
//! so this pallet does not depend on referenda.
//!
//! # Delegation
//! Per class (track), an account may delegate a balance with a conviction to another
//! account instead of voting. The delegate's standard votes in that class then carry
//! the delegated votes, and every change of delegation updates the tallies of the
//! delegate's ongoing polls. Delegation is not transitive (as Substrate), yet loops
//! (A→B→A) are refused: the chain from the target is walked at most
//! [`MAX_DELEGATION_DEPTH`] hops, and a longer chain is refused too, so no loop forms.
//!
//! # Locks
//! Voting or delegating locks the balance through Caesar's named lock [`LOCK_ID`]: the
//! funds stay in the account (they count as free balance and for voting) but cannot
//! leave it. `ClassLocksFor` keeps what each class needs; the Caesar lock is always
//! their maximum. Locks only grow with votes; `unlock` recomputes a class's need (votes
//! still recorded, a delegation, and the prior lock left by removed votes or an
//! undelegation until its expiry) and shrinks the lock when it can.
//!
//! Every call is atomic: a refused call returns a precise [`Error`] and changes nothing.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
pub mod benchmarking;
mod calls;
mod delegation;
mod invariants;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod proptests;
mod runtime_pallet;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_delegation;
mod types;
mod voting;
pub mod weights;

pub use calls::{dispatch, Call};
pub use delegation::{delegate, undelegate};
pub use runtime_pallet::{Config, Pallet};
pub use types::*;
pub use voting::{remove_vote, unlock, vote, UnlockScope};

use alloc::vec::Vec;
use hm_pallet_caesar::LockIdentifier;
use hm_pallet_system as system;
use hm_primitives::{storage_key::map_key, AccountId, Balance, BlockNumber};
use hm_support::{get, put, Externalities};
use parity_scale_codec::{Decode, Encode};
use scale_info::TypeInfo;

// ---------------------------------------------------------------------------
// Constants

/// Storage prefix of every item of this pallet.
pub const PALLET: &[u8] = b"ConvictionVoting";
/// Index of this pallet in the runtime's `Call` and event enums.
pub const PALLET_INDEX: u8 = 8;
/// Caesar lock of voting and delegating (Substrate's id).
pub const LOCK_ID: LockIdentifier = *b"pyconvot";
/// Votes one account may hold in one class: bounds its record and a delegation's work.
pub const MAX_VOTES: u32 = 128;
/// Blocks per lock period: 7 days at a 1 s block (3.5 days at 0.5 s), Polkadot's
/// period in wall-clock time at HyperMesh's slowest block.
pub const VOTE_LOCKING_PERIOD: BlockNumber = 7 * 24 * 60 * 60;
/// Hops of a delegation chain walked to refuse loops; a longer chain is refused.
pub const MAX_DELEGATION_DEPTH: u32 = 16;

// ---------------------------------------------------------------------------
// Storage items

/// Raw storage keys, one function per item.
pub mod storage {
    use super::*;

    /// `VotingFor: (AccountId, Class) -> Voting`; absent means `Voting::default()`.
    pub fn voting_for(who: &AccountId, class: Class) -> Vec<u8> {
        map_key(PALLET, b"VotingFor", &(who, class).encode())
    }
    /// `ClassLocksFor: AccountId -> Vec<(Class, Balance)>`, no zero amounts, one per class.
    pub fn class_locks_for(who: &AccountId) -> Vec<u8> {
        map_key(PALLET, b"ClassLocksFor", &who.encode())
    }
    /// `TallyOf: PollIndex -> Tally`; absent means all zero.
    pub fn tally_of(poll: PollIndex) -> Vec<u8> {
        map_key(PALLET, b"TallyOf", &poll.encode())
    }
}

/// `who`'s voting record in `class` (empty casting when none).
pub fn voting_for(ext: &dyn Externalities, who: &AccountId, class: Class) -> Voting {
    get(ext, &storage::voting_for(who, class)).unwrap_or_default()
}

pub(crate) fn put_voting(ext: &mut dyn Externalities, who: &AccountId, class: Class, v: &Voting) {
    let key = storage::voting_for(who, class);
    if v.is_empty() {
        ext.storage_remove(&key);
    } else {
        put(ext, &key, v);
    }
}

/// The lock each class needs of `who`, as last computed.
pub fn class_locks_for(ext: &dyn Externalities, who: &AccountId) -> Vec<(Class, Balance)> {
    get(ext, &storage::class_locks_for(who)).unwrap_or_default()
}

/// The running tally of `poll`: what the polls (referenda) decide on while it is
/// ongoing. Frozen once the poll completed: later vote removals do not change it.
pub fn tally(ext: &dyn Externalities, poll: PollIndex) -> Tally {
    get(ext, &storage::tally_of(poll)).unwrap_or_default()
}

pub(crate) fn put_tally(ext: &mut dyn Externalities, poll: PollIndex, tally: &Tally) {
    let key = storage::tally_of(poll);
    if *tally == Tally::default() {
        ext.storage_remove(&key);
    } else {
        put(ext, &key, tally);
    }
}

/// Drop `poll`'s tally, for the polls' owner once it has recorded the final count.
pub fn clear_tally(ext: &mut dyn Externalities, poll: PollIndex) {
    ext.storage_remove(&storage::tally_of(poll));
}

// ---------------------------------------------------------------------------
// Events

#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum Event {
    /// `who` voted (or changed its vote) on `poll`.
    #[codec(index = 0)]
    Voted {
        who: AccountId,
        poll: PollIndex,
        vote: AccountVote,
    },
    /// `who`'s vote on `poll` was removed.
    #[codec(index = 1)]
    VoteRemoved {
        who: AccountId,
        poll: PollIndex,
        vote: AccountVote,
    },
    #[codec(index = 2)]
    Delegated {
        who: AccountId,
        target: AccountId,
        class: Class,
    },
    #[codec(index = 3)]
    Undelegated { who: AccountId, class: Class },
    /// `who`'s lock for `class` shrank to `locked` (0: gone).
    #[codec(index = 4)]
    Unlocked {
        who: AccountId,
        class: Class,
        locked: Balance,
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
    /// The poll has ended.
    NotOngoing = 0,
    /// No such poll.
    UnknownPoll = 1,
    /// The account has no vote on this poll.
    NotVoter = 2,
    /// Another account's vote may only be removed once its lock has expired.
    NoPermissionYet = 3,
    /// The account delegates in this class: undelegate first.
    AlreadyDelegating = 4,
    /// The account has votes in this class: remove them before delegating.
    AlreadyVoting = 5,
    /// The vote or delegation is more than the account's free balance.
    InsufficientFunds = 6,
    /// The account does not delegate in this class.
    NotDelegating = 7,
    /// Delegating to oneself.
    Nonsense = 8,
    /// The account holds `MAX_VOTES` votes in this class.
    MaxVotesReached = 9,
    /// The poll is over: say its class.
    ClassNeeded = 10,
    /// The target's delegation chain leads back to the account.
    DelegationLoop = 11,
    /// The target's delegation chain is longer than `MAX_DELEGATION_DEPTH`.
    DelegationChainTooLong = 12,
    /// The lock of this class is still needed in full.
    NotExpired = 13,
    /// The account has no lock in this class.
    NothingLocked = 14,
    /// A balance or a tally would not fit in 128 bits.
    Overflow = 15,
}

impl Error {
    pub fn message(self) -> &'static str {
        match self {
            Error::NotOngoing => "the poll has ended",
            Error::UnknownPoll => "no such poll",
            Error::NotVoter => "no vote on this poll",
            Error::NoPermissionYet => "the vote's lock has not expired",
            Error::AlreadyDelegating => "the account delegates in this class",
            Error::AlreadyVoting => "the account has votes in this class",
            Error::InsufficientFunds => "more than the account's free balance",
            Error::NotDelegating => "the account does not delegate in this class",
            Error::Nonsense => "delegating to oneself",
            Error::MaxVotesReached => "too many votes in this class",
            Error::ClassNeeded => "the poll is over: its class is needed",
            Error::DelegationLoop => "the delegation would form a loop",
            Error::DelegationChainTooLong => "the target's delegation chain is too long",
            Error::NotExpired => "the lock is still needed",
            Error::NothingLocked => "no lock in this class",
            Error::Overflow => "balance overflow",
        }
    }
}

hm_support::impl_dispatch_error!(Error, PALLET_INDEX);
