//! Data types of the conviction-voting pallet: convictions, votes, tallies, and each
//! account's voting record per class.
use crate::{Error, MAX_VOTES};
use alloc::vec::Vec;
use hm_primitives::{AccountId, Balance, BlockNumber};
use parity_scale_codec::{Decode, Encode};
use scale_info::TypeInfo;

/// A poll (a referendum), numbered by whoever runs the polls.
pub type PollIndex = u32;
/// A class of polls (a referenda track): votes and delegations are per class.
pub type Class = u16;

/// How much a vote is multiplied, and for how many lock periods the balance stays
/// locked after the poll ends (if the vote was on the winning side).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Default, Encode, Decode, TypeInfo)]
pub enum Conviction {
    /// 0.1× the balance, no lock after the poll.
    #[default]
    #[codec(index = 0)]
    None,
    #[codec(index = 1)]
    Locked1x,
    #[codec(index = 2)]
    Locked2x,
    #[codec(index = 3)]
    Locked3x,
    #[codec(index = 4)]
    Locked4x,
    #[codec(index = 5)]
    Locked5x,
    #[codec(index = 6)]
    Locked6x,
}

impl Conviction {
    /// Every conviction, weakest first.
    pub const ALL: [Conviction; 7] = [
        Conviction::None,
        Conviction::Locked1x,
        Conviction::Locked2x,
        Conviction::Locked3x,
        Conviction::Locked4x,
        Conviction::Locked5x,
        Conviction::Locked6x,
    ];

    /// Lock periods after the poll ends: 0, then doubling from 1 to 32.
    pub fn lock_periods(self) -> u32 {
        match self {
            Conviction::None => 0,
            Conviction::Locked1x => 1,
            Conviction::Locked2x => 2,
            Conviction::Locked3x => 4,
            Conviction::Locked4x => 8,
            Conviction::Locked5x => 16,
            Conviction::Locked6x => 32,
        }
    }

    /// The votes `capital` carries: a tenth without conviction, `n×` with `Lockednx`.
    /// `None` on overflow.
    pub fn votes(self, capital: Balance) -> Option<Balance> {
        let factor: Balance = match self {
            Conviction::None => return Some(capital / 10),
            Conviction::Locked1x => 1,
            Conviction::Locked2x => 2,
            Conviction::Locked3x => 3,
            Conviction::Locked4x => 4,
            Conviction::Locked5x => 5,
            Conviction::Locked6x => 6,
        };
        capital.checked_mul(factor)
    }
}

/// An aye or a nay, with its conviction.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct Vote {
    pub aye: bool,
    pub conviction: Conviction,
}

/// What an account votes on one poll.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum AccountVote {
    /// All of `balance` one way, with a conviction; carries the account's delegations.
    #[codec(index = 0)]
    Standard { vote: Vote, balance: Balance },
    /// Balance split between aye and nay, without conviction (0.1×) or delegations.
    #[codec(index = 1)]
    Split { aye: Balance, nay: Balance },
    /// As `Split`, plus `abstain`, which counts only in the support.
    #[codec(index = 2)]
    SplitAbstain {
        aye: Balance,
        nay: Balance,
        abstain: Balance,
    },
}

impl AccountVote {
    /// The capital this vote uses (and locks while it stands).
    pub fn balance(&self) -> Result<Balance, Error> {
        match *self {
            AccountVote::Standard { balance, .. } => Ok(balance),
            AccountVote::Split { aye, nay } => aye.checked_add(nay).ok_or(Error::Overflow),
            AccountVote::SplitAbstain { aye, nay, abstain } => aye
                .checked_add(nay)
                .and_then(|b| b.checked_add(abstain))
                .ok_or(Error::Overflow),
        }
    }

    /// `(lock periods, balance)` to keep locked once the poll ended with `approved`:
    /// only a standard vote with conviction on the winning side keeps a lock.
    pub fn locked_if(&self, approved: bool) -> Option<(u32, Balance)> {
        match *self {
            AccountVote::Standard { vote, balance } if vote.aye == approved => {
                Some((vote.conviction.lock_periods(), balance))
            }
            _ => None,
        }
    }

    /// The side a standard vote takes, which the voter's delegations follow.
    pub fn standard_side(&self) -> Option<bool> {
        match self {
            AccountVote::Standard { vote, .. } => Some(vote.aye),
            _ => None,
        }
    }
}

/// The conviction-weighted votes and capital delegated to an account.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, TypeInfo)]
pub struct Delegations {
    pub votes: Balance,
    pub capital: Balance,
}

impl Delegations {
    pub fn checked_add(self, other: Self) -> Result<Self, Error> {
        Ok(Delegations {
            votes: self.votes.checked_add(other.votes).ok_or(Error::Overflow)?,
            capital: self
                .capital
                .checked_add(other.capital)
                .ok_or(Error::Overflow)?,
        })
    }
    pub fn checked_sub(self, other: Self) -> Result<Self, Error> {
        Ok(Delegations {
            votes: self.votes.checked_sub(other.votes).ok_or(Error::Overflow)?,
            capital: self
                .capital
                .checked_sub(other.capital)
                .ok_or(Error::Overflow)?,
        })
    }
}

/// A poll's running count, as OpenGov's: conviction-weighted `ayes` and `nays`, and
/// `support`, the aye and abstain capital without conviction (turnout).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, TypeInfo)]
pub struct Tally {
    pub ayes: Balance,
    pub nays: Balance,
    pub support: Balance,
}

fn add(a: Balance, b: Balance) -> Result<Balance, Error> {
    a.checked_add(b).ok_or(Error::Overflow)
}
fn sub(a: Balance, b: Balance) -> Result<Balance, Error> {
    a.checked_sub(b).ok_or(Error::Overflow)
}

impl Tally {
    /// `(ayes, nays, support)` that `vote` contributes.
    fn parts(vote: &AccountVote) -> Result<(Balance, Balance, Balance), Error> {
        let tenth = |b: Balance| b / 10;
        Ok(match *vote {
            AccountVote::Standard { vote, balance } => {
                let votes = vote.conviction.votes(balance).ok_or(Error::Overflow)?;
                if vote.aye {
                    (votes, 0, balance)
                } else {
                    (0, votes, 0)
                }
            }
            AccountVote::Split { aye, nay } => (tenth(aye), tenth(nay), aye),
            AccountVote::SplitAbstain { aye, nay, abstain } => {
                (tenth(aye), tenth(nay), add(aye, abstain)?)
            }
        })
    }

    pub fn add(&mut self, vote: &AccountVote) -> Result<(), Error> {
        let (ayes, nays, support) = Self::parts(vote)?;
        *self = Tally {
            ayes: add(self.ayes, ayes)?,
            nays: add(self.nays, nays)?,
            support: add(self.support, support)?,
        };
        Ok(())
    }

    pub fn remove(&mut self, vote: &AccountVote) -> Result<(), Error> {
        let (ayes, nays, support) = Self::parts(vote)?;
        *self = Tally {
            ayes: sub(self.ayes, ayes)?,
            nays: sub(self.nays, nays)?,
            support: sub(self.support, support)?,
        };
        Ok(())
    }

    /// Delegations joining a standard vote on side `aye`.
    pub fn increase(&mut self, aye: bool, d: Delegations) -> Result<(), Error> {
        if aye {
            self.ayes = add(self.ayes, d.votes)?;
            self.support = add(self.support, d.capital)?;
        } else {
            self.nays = add(self.nays, d.votes)?;
        }
        Ok(())
    }

    /// Delegations leaving a standard vote on side `aye`.
    pub fn reduce(&mut self, aye: bool, d: Delegations) -> Result<(), Error> {
        if aye {
            self.ayes = sub(self.ayes, d.votes)?;
            self.support = sub(self.support, d.capital)?;
        } else {
            self.nays = sub(self.nays, d.votes)?;
        }
        Ok(())
    }
}

/// A lock left by votes and delegations that are gone: `amount` until block `until`
/// (excluded). `unlock` may drop it from block `until` on.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, TypeInfo)]
pub struct PriorLock {
    pub until: BlockNumber,
    pub amount: Balance,
}

impl PriorLock {
    /// Merge in a lock of `amount` until `until`: the later and the larger.
    pub fn accumulate(&mut self, until: BlockNumber, amount: Balance) {
        self.until = self.until.max(until);
        self.amount = self.amount.max(amount);
    }
    /// Drop the lock once `now` reached its end.
    pub fn rejig(&mut self, now: BlockNumber) {
        if now >= self.until {
            *self = PriorLock::default();
        }
    }
}

/// An account's voting in one class: casting its own votes, or delegating them.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum Voting {
    /// Votes sorted by poll, at most [`MAX_VOTES`]; `delegations` are what others
    /// delegate to this account, carried by its standard votes.
    #[codec(index = 0)]
    Casting {
        votes: Vec<(PollIndex, AccountVote)>,
        delegations: Delegations,
        prior: PriorLock,
    },
    /// `balance` with `conviction` delegated to `target` (not transitively: what others
    /// delegate to this account waits in `delegations` until it casts again).
    #[codec(index = 1)]
    Delegating {
        balance: Balance,
        target: AccountId,
        conviction: Conviction,
        delegations: Delegations,
        prior: PriorLock,
    },
}

impl Default for Voting {
    fn default() -> Self {
        Voting::Casting {
            votes: Vec::new(),
            delegations: Delegations::default(),
            prior: PriorLock::default(),
        }
    }
}

impl Voting {
    pub fn delegations(&self) -> Delegations {
        match self {
            Voting::Casting { delegations, .. } | Voting::Delegating { delegations, .. } => {
                *delegations
            }
        }
    }
    pub fn delegations_mut(&mut self) -> &mut Delegations {
        match self {
            Voting::Casting { delegations, .. } | Voting::Delegating { delegations, .. } => {
                delegations
            }
        }
    }
    pub fn prior(&self) -> PriorLock {
        match self {
            Voting::Casting { prior, .. } | Voting::Delegating { prior, .. } => *prior,
        }
    }
    pub fn prior_mut(&mut self) -> &mut PriorLock {
        match self {
            Voting::Casting { prior, .. } | Voting::Delegating { prior, .. } => prior,
        }
    }

    /// The balance this record needs locked: its largest vote or its delegation, and
    /// the prior lock.
    pub fn locked_balance(&self) -> Result<Balance, Error> {
        let own = match self {
            Voting::Casting { votes, .. } => {
                let mut max: Balance = 0;
                for (_, vote) in votes {
                    max = max.max(vote.balance()?);
                }
                max
            }
            Voting::Delegating { balance, .. } => *balance,
        };
        Ok(own.max(self.prior().amount))
    }

    /// Nothing to keep: no votes, no delegation, nothing delegated here, no prior lock.
    pub fn is_empty(&self) -> bool {
        *self == Voting::default()
    }

    /// Within bounds: votes sorted, unique and at most `MAX_VOTES`.
    pub fn is_well_formed(&self) -> bool {
        match self {
            Voting::Casting { votes, .. } => {
                votes.len() <= MAX_VOTES as usize
                    && votes.windows(2).all(|w| matches!(w, [a, b] if a.0 < b.0))
            }
            Voting::Delegating { .. } => true,
        }
    }
}

/// Where a poll stands, as the runtime's polls (referenda) report it.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum PollStatus {
    /// Taking votes, in `class`.
    #[codec(index = 0)]
    Ongoing { class: Class },
    /// Over since block `ended_at`; `approved` says which side won.
    #[codec(index = 1)]
    Completed {
        ended_at: BlockNumber,
        approved: bool,
    },
}
