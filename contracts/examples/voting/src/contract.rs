//! The contract: storage, events and entry points.

use alloc::vec;
use alloc::vec::Vec;

use hm_contract_sdk::scale::{Decode, Encode};
use hm_contract_sdk::{emit, env, AccountId, StorageMap, StorageValue};

use crate::tally::winner_of;

/// Fewest and most choices a proposal may offer.
pub const MIN_CHOICES: u8 = 2;
pub const MAX_CHOICES: u8 = 16;
/// Longest description, in bytes (it is stored, so the caller pays its deposit).
pub const MAX_DESCRIPTION_LEN: usize = 1024;

/// Number of proposals created (ids are `0..count`).
const PROPOSAL_COUNT: StorageValue<u32> = StorageValue::new(b"n");
/// Proposals by id.
const PROPOSALS: StorageMap<u32, Proposal> = StorageMap::new(b"p");
/// The choice of each (proposal id, voter).
const VOTES: StorageMap<(u32, AccountId), u8> = StorageMap::new(b"v");

/// A proposal and its running tally.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
#[codec(crate = hm_contract_sdk::scale)]
pub struct Proposal {
    /// Who created it.
    pub creator: AccountId,
    /// Free text (UTF-8 by convention; not interpreted).
    pub description: Vec<u8>,
    /// Last block in which votes are accepted.
    pub voting_ends: u64,
    /// Votes per choice.
    pub tally: Vec<u64>,
    /// Whether it has been closed.
    pub closed: bool,
    /// After closing: the choice with strictly the most votes (`None` on a tie or no
    /// votes).
    pub winner: Option<u8>,
}

/// Why a message reverted (revert data is this, SCALE-encoded).
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug)]
#[codec(crate = hm_contract_sdk::scale)]
pub enum Error {
    /// Choices outside `MIN_CHOICES..=MAX_CHOICES`.
    InvalidChoiceCount,
    /// Description longer than `MAX_DESCRIPTION_LEN`.
    DescriptionTooLong,
    /// The closing block is not after the current block.
    EndInPast,
    /// No proposal has this id.
    UnknownProposal,
    /// The choice index is not one of the proposal's choices.
    InvalidChoice,
    /// The caller already voted on this proposal.
    AlreadyVoted,
    /// Voting has ended (the closing block has passed, or it was closed).
    VotingClosed,
    /// The closing block has not passed yet.
    VotingOpen,
    /// A counter would overflow.
    Overflow,
}

hm_contract_sdk::event! {
    /// A proposal was created.
    pub struct ProposalCreated {
        #[topic] pub id: u32,
        #[topic] pub creator: AccountId,
        pub choices: u8,
        pub voting_ends: u64,
    }
}

hm_contract_sdk::event! {
    /// An account voted.
    pub struct Voted {
        #[topic] pub id: u32,
        #[topic] pub voter: AccountId,
        pub choice: u8,
    }
}

hm_contract_sdk::event! {
    /// A proposal was closed with its final tally.
    pub struct ProposalClosed {
        #[topic] pub id: u32,
        pub tally: Vec<u64>,
        pub winner: Option<u8>,
    }
}

hm_contract_sdk::contract! {
    /// Nothing to set up.
    #[deploy]
    fn new() {}

    /// Creates a proposal with `choices` options, open until block `voting_ends`
    /// (inclusive); returns its id.
    #[message]
    fn create_proposal(description: Vec<u8>, choices: u8, voting_ends: u64) -> Result<u32, Error> {
        if !(MIN_CHOICES..=MAX_CHOICES).contains(&choices) {
            return Err(Error::InvalidChoiceCount);
        }
        if description.len() > MAX_DESCRIPTION_LEN {
            return Err(Error::DescriptionTooLong);
        }
        if voting_ends <= env::block_number() {
            return Err(Error::EndInPast);
        }
        let id = PROPOSAL_COUNT.get_or_default();
        PROPOSAL_COUNT.set(&id.checked_add(1).ok_or(Error::Overflow)?);
        let creator = env::caller();
        let proposal = Proposal {
            creator,
            description,
            voting_ends,
            tally: vec![0; usize::from(choices)],
            closed: false,
            winner: None,
        };
        PROPOSALS.insert(&id, &proposal);
        emit(&ProposalCreated { id, creator, choices, voting_ends });
        Ok(id)
    }

    /// Votes for `choice` on proposal `id`; each account votes once.
    #[message]
    fn vote(id: u32, choice: u8) -> Result<(), Error> {
        let mut proposal = PROPOSALS.get(&id).ok_or(Error::UnknownProposal)?;
        if proposal.closed || env::block_number() > proposal.voting_ends {
            return Err(Error::VotingClosed);
        }
        let votes = proposal.tally.get_mut(usize::from(choice)).ok_or(Error::InvalidChoice)?;
        let voter = env::caller();
        if VOTES.contains(&(id, voter)) {
            return Err(Error::AlreadyVoted);
        }
        *votes = votes.checked_add(1).ok_or(Error::Overflow)?;
        VOTES.insert(&(id, voter), &choice);
        PROPOSALS.insert(&id, &proposal);
        emit(&Voted { id, voter, choice });
        Ok(())
    }

    /// Closes proposal `id` after its closing block; returns the winner.
    #[message]
    fn close(id: u32) -> Result<Option<u8>, Error> {
        let mut proposal = PROPOSALS.get(&id).ok_or(Error::UnknownProposal)?;
        if proposal.closed {
            return Err(Error::VotingClosed);
        }
        if env::block_number() <= proposal.voting_ends {
            return Err(Error::VotingOpen);
        }
        proposal.closed = true;
        proposal.winner = winner_of(&proposal.tally);
        PROPOSALS.insert(&id, &proposal);
        emit(&ProposalClosed { id, tally: proposal.tally, winner: proposal.winner });
        Ok(proposal.winner)
    }

    /// Proposal `id`, if it exists.
    #[message]
    fn proposal(id: u32) -> Option<Proposal> {
        PROPOSALS.get(&id)
    }

    /// The current tally of proposal `id`.
    #[message]
    fn tally(id: u32) -> Option<Vec<u64>> {
        PROPOSALS.get(&id).map(|proposal| proposal.tally)
    }

    /// `voter`'s choice on proposal `id`, if it voted.
    #[message]
    fn vote_of(id: u32, voter: AccountId) -> Option<u8> {
        VOTES.get(&(id, voter))
    }

    /// Number of proposals (ids are `0..count`).
    #[message]
    fn proposal_count() -> u32 {
        PROPOSAL_COUNT.get_or_default()
    }
}
