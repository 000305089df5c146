//! A multisig wallet holding CAES: owners and a confirmation threshold are fixed at deploy;
//! an owner submits a transfer, owners confirm it, and once `threshold` owners have
//! confirmed, any owner executes it through the `transfer` host function.
//!
//! Deploy input: SCALE((owners: Vec<AccountId>, threshold: u32)); deploy is payable so the
//! wallet can be funded at creation, and `deposit` funds it later.
#![cfg(target_arch = "wasm32")]
#![no_std]

extern crate alloc;

use alloc::vec::Vec;

use hm_contract_sdk::scale::{Decode, Encode};
use hm_contract_sdk::{emit, env, AccountId, Balance, CallError, StorageMap, StorageValue};

/// Most owners a wallet may have (bounds the owner list read on every call).
pub const MAX_OWNERS: usize = 32;

/// The owners, in the order given at deploy.
const OWNERS: StorageValue<Vec<AccountId>> = StorageValue::new(b"o");
/// Confirmations needed to execute.
const THRESHOLD: StorageValue<u32> = StorageValue::new(b"t");
/// The id the next submitted proposal gets.
const NEXT_ID: StorageValue<u64> = StorageValue::new(b"n");
/// Proposals by id.
const PROPOSALS: StorageMap<u64, Proposal> = StorageMap::new(b"p");
/// `true` while the owner confirms the proposal: (proposal id, owner). Absent otherwise; the
/// value is a byte rather than `()` so no entry is ever an empty value.
const CONFIRMED: StorageMap<(u64, AccountId), bool> = StorageMap::new(b"c");

/// A proposed CAES transfer.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
#[codec(crate = hm_contract_sdk::scale)]
pub struct Proposal {
    /// Recipient.
    pub to: AccountId,
    /// Amount in CAES base units.
    pub value: Balance,
    /// Owners who currently confirm it.
    pub confirmations: u32,
    /// Whether it has been executed (executed proposals cannot change).
    pub executed: bool,
}

/// Why a message reverted (revert data is this, SCALE-encoded).
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
#[codec(crate = hm_contract_sdk::scale)]
pub enum Error {
    /// Deploy: no owners, more than `MAX_OWNERS`, or an owner listed twice.
    InvalidOwners,
    /// Deploy: threshold is 0 or above the number of owners.
    InvalidThreshold,
    /// The caller is not an owner.
    NotOwner,
    /// No proposal has this id.
    UnknownProposal,
    /// The proposal was already executed.
    AlreadyExecuted,
    /// The caller already confirmed this proposal.
    AlreadyConfirmed,
    /// The caller has not confirmed this proposal.
    NotConfirmed,
    /// Fewer than `threshold` confirmations.
    NotEnoughConfirmations,
    /// The transfer failed (balance or existential deposit); nothing changed.
    TransferFailed(CallError),
    /// A counter would overflow.
    Overflow,
}

hm_contract_sdk::event! {
    /// CAES arrived at the wallet.
    pub struct Deposited {
        #[topic] pub from: AccountId,
        pub value: Balance,
    }
}

hm_contract_sdk::event! {
    /// An owner proposed a transfer.
    pub struct Submitted {
        #[topic] pub id: u64,
        #[topic] pub proposer: AccountId,
        pub to: AccountId,
        pub value: Balance,
    }
}

hm_contract_sdk::event! {
    /// An owner confirmed a proposal.
    pub struct Confirmed {
        #[topic] pub id: u64,
        #[topic] pub owner: AccountId,
        pub confirmations: u32,
    }
}

hm_contract_sdk::event! {
    /// An owner withdrew a confirmation.
    pub struct Revoked {
        #[topic] pub id: u64,
        #[topic] pub owner: AccountId,
        pub confirmations: u32,
    }
}

hm_contract_sdk::event! {
    /// A proposal's transfer was made.
    pub struct Executed {
        #[topic] pub id: u64,
        #[topic] pub to: AccountId,
        pub value: Balance,
    }
}

/// The caller, if it is an owner.
fn owner_caller() -> Result<AccountId, Error> {
    let caller = env::caller();
    if OWNERS.get_or_default().contains(&caller) {
        Ok(caller)
    } else {
        Err(Error::NotOwner)
    }
}

/// A proposal that can still change.
fn open_proposal(id: u64) -> Result<Proposal, Error> {
    let proposal = PROPOSALS.get(&id).ok_or(Error::UnknownProposal)?;
    if proposal.executed {
        return Err(Error::AlreadyExecuted);
    }
    Ok(proposal)
}

/// Records `owner`'s confirmation of `id`.
fn add_confirmation(id: u64, owner: AccountId, mut proposal: Proposal) -> Result<(), Error> {
    if CONFIRMED.contains(&(id, owner)) {
        return Err(Error::AlreadyConfirmed);
    }
    proposal.confirmations = proposal
        .confirmations
        .checked_add(1)
        .ok_or(Error::Overflow)?;
    CONFIRMED.insert(&(id, owner), &true);
    PROPOSALS.insert(&id, &proposal);
    emit(&Confirmed {
        id,
        owner,
        confirmations: proposal.confirmations,
    });
    Ok(())
}

hm_contract_sdk::contract! {
    /// Sets the owners and the threshold; any value sent funds the wallet.
    #[deploy(payable)]
    fn new(owners: Vec<AccountId>, threshold: u32) -> Result<(), Error> {
        if owners.is_empty() || owners.len() > MAX_OWNERS {
            return Err(Error::InvalidOwners);
        }
        let mut seen = owners.iter().enumerate();
        if seen.any(|(index, owner)| owners.iter().skip(index + 1).any(|other| other == owner)) {
            return Err(Error::InvalidOwners);
        }
        let owner_count = u32::try_from(owners.len()).map_err(|_| Error::InvalidOwners)?;
        if threshold == 0 || threshold > owner_count {
            return Err(Error::InvalidThreshold);
        }
        OWNERS.set(&owners);
        THRESHOLD.set(&threshold);
        NEXT_ID.set(&0);
        let value = env::value_transferred();
        if value != 0 {
            emit(&Deposited { from: env::caller(), value });
        }
        Ok(())
    }

    /// Adds the sent CAES to the wallet (anyone may fund it).
    #[message(payable)]
    fn deposit() {
        emit(&Deposited { from: env::caller(), value: env::value_transferred() });
    }

    /// Proposes sending `value` to `to`, confirmed by the proposer; returns its id.
    #[message]
    fn submit(to: AccountId, value: Balance) -> Result<u64, Error> {
        let proposer = owner_caller()?;
        let id = NEXT_ID.get_or_default();
        NEXT_ID.set(&id.checked_add(1).ok_or(Error::Overflow)?);
        let proposal = Proposal { to, value, confirmations: 0, executed: false };
        PROPOSALS.insert(&id, &proposal);
        emit(&Submitted { id, proposer, to, value });
        add_confirmation(id, proposer, proposal)?;
        Ok(id)
    }

    /// Confirms proposal `id` as the calling owner.
    #[message]
    fn confirm(id: u64) -> Result<(), Error> {
        let owner = owner_caller()?;
        let proposal = open_proposal(id)?;
        add_confirmation(id, owner, proposal)
    }

    /// Withdraws the calling owner's confirmation of proposal `id`.
    #[message]
    fn revoke(id: u64) -> Result<(), Error> {
        let owner = owner_caller()?;
        let mut proposal = open_proposal(id)?;
        if CONFIRMED.take(&(id, owner)).is_none() {
            return Err(Error::NotConfirmed);
        }
        proposal.confirmations = proposal.confirmations.checked_sub(1).ok_or(Error::Overflow)?;
        PROPOSALS.insert(&id, &proposal);
        emit(&Revoked { id, owner, confirmations: proposal.confirmations });
        Ok(())
    }

    /// Makes proposal `id`'s transfer once it has `threshold` confirmations.
    #[message]
    fn execute(id: u64) -> Result<(), Error> {
        owner_caller()?;
        let mut proposal = open_proposal(id)?;
        if proposal.confirmations < THRESHOLD.get_or_default() {
            return Err(Error::NotEnoughConfirmations);
        }
        // Marked before the transfer; a failed transfer reverts the whole frame anyway.
        proposal.executed = true;
        PROPOSALS.insert(&id, &proposal);
        env::transfer(&proposal.to, proposal.value).map_err(Error::TransferFailed)?;
        emit(&Executed { id, to: proposal.to, value: proposal.value });
        Ok(())
    }

    /// The owners.
    #[message]
    fn owners() -> Vec<AccountId> {
        OWNERS.get_or_default()
    }

    /// Confirmations needed to execute.
    #[message]
    fn threshold() -> u32 {
        THRESHOLD.get_or_default()
    }

    /// Proposal `id`, if it exists.
    #[message]
    fn proposal(id: u64) -> Option<Proposal> {
        PROPOSALS.get(&id)
    }

    /// Whether `owner` currently confirms proposal `id`.
    #[message]
    fn is_confirmed(id: u64, owner: AccountId) -> bool {
        CONFIRMED.contains(&(id, owner))
    }

    /// Number of proposals submitted so far (ids are `0..count`).
    #[message]
    fn proposal_count() -> u64 {
        NEXT_ID.get_or_default()
    }

    /// The wallet's free CAES balance.
    #[message]
    fn wallet_balance() -> Balance {
        env::balance()
    }
}
