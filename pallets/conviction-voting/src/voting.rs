//! Voting, removing votes, and the locks they leave.
use crate::{
    class_locks_for, deposit_event, put_tally, put_voting, storage, tally, voting_for, AccountVote,
    Class, Config, Error, Event, PollIndex, PollStatus, Voting, LOCK_ID, MAX_VOTES,
    VOTE_LOCKING_PERIOD,
};
use alloc::vec::Vec;
use hm_pallet_caesar as caesar;
use hm_pallet_system as system;
use hm_primitives::{AccountId, Balance, BlockNumber};
use hm_support::{put, DispatchError, DispatchResult, Externalities};

/// Whose vote a removal may touch: one's own at any time, another's only once the lock
/// it would leave has expired (so removing it only frees storage).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum UnlockScope {
    Any,
    OnlyExpired,
}

/// The end of a lock of `periods` lock periods from block `from` (saturating: a lock
/// past the last block never ends, the safe side).
pub(crate) fn lock_end(from: BlockNumber, periods: u32) -> BlockNumber {
    from.saturating_add(VOTE_LOCKING_PERIOD.saturating_mul(periods.into()))
}

/// `poll`'s class, when it takes votes.
fn ongoing_class<C: Config>(ext: &dyn Externalities, poll: PollIndex) -> Result<Class, Error> {
    match C::poll_status(ext, poll) {
        Some(PollStatus::Ongoing { class }) => Ok(class),
        Some(PollStatus::Completed { .. }) => Err(Error::NotOngoing),
        None => Err(Error::UnknownPoll),
    }
}

/// `who` votes `vote` on `poll`, replacing its earlier vote there, and locks the
/// vote's balance in the poll's class.
pub fn vote<C: Config>(
    ext: &mut dyn Externalities,
    who: &AccountId,
    poll: PollIndex,
    vote: AccountVote,
) -> DispatchResult {
    let balance = vote.balance()?;
    let class = ongoing_class::<C>(ext, poll)?;
    if balance > caesar::free_balance(ext, who) {
        return Err(Error::InsufficientFunds.into());
    }
    let mut voting = voting_for(ext, who, class);
    let Voting::Casting {
        votes, delegations, ..
    } = &mut voting
    else {
        return Err(Error::AlreadyDelegating.into());
    };
    let mut count = tally(ext, poll);
    match votes.binary_search_by_key(&poll, |(p, _)| *p) {
        Ok(i) => {
            let slot = votes.get_mut(i).ok_or(Error::NotVoter)?;
            count.remove(&slot.1)?;
            if let Some(aye) = slot.1.standard_side() {
                count.reduce(aye, *delegations)?;
            }
            slot.1 = vote;
        }
        Err(i) => {
            if votes.len() >= MAX_VOTES as usize {
                return Err(Error::MaxVotesReached.into());
            }
            votes.insert(i, (poll, vote));
        }
    }
    count.add(&vote)?;
    if let Some(aye) = vote.standard_side() {
        count.increase(aye, *delegations)?;
    }
    put_tally(ext, poll, &count);
    put_voting(ext, who, class, &voting);
    extend_class_lock(ext, who, class, balance)?;
    deposit_event(
        ext,
        Event::Voted {
            who: *who,
            poll,
            vote,
        },
    );
    Ok(())
}

/// Remove `who`'s vote on `poll`. While the poll is ongoing the vote leaves the tally;
/// once it ended, a winning vote with conviction leaves a prior lock until its lock
/// periods after the end have passed. `class` is needed once the poll is over.
pub fn remove_vote<C: Config>(
    ext: &mut dyn Externalities,
    who: &AccountId,
    class: Option<Class>,
    poll: PollIndex,
    scope: UnlockScope,
) -> DispatchResult {
    let status = C::poll_status(ext, poll);
    let class = match status {
        Some(PollStatus::Ongoing { class }) => class,
        _ => class.ok_or(Error::ClassNeeded)?,
    };
    let mut voting = voting_for(ext, who, class);
    let Voting::Casting {
        votes,
        delegations,
        prior,
    } = &mut voting
    else {
        return Err(Error::NotVoter.into());
    };
    let i = votes
        .binary_search_by_key(&poll, |(p, _)| *p)
        .map_err(|_| Error::NotVoter)?;
    let (_, old) = votes.remove(i);
    match status {
        Some(PollStatus::Ongoing { .. }) => {
            if scope == UnlockScope::OnlyExpired {
                return Err(Error::NoPermissionYet.into());
            }
            let mut count = tally(ext, poll);
            count.remove(&old)?;
            if let Some(aye) = old.standard_side() {
                count.reduce(aye, *delegations)?;
            }
            put_tally(ext, poll, &count);
        }
        Some(PollStatus::Completed { ended_at, approved }) => {
            if let Some((periods, balance)) = old.locked_if(approved) {
                let until = lock_end(ended_at, periods);
                if system::block_number(ext) < until {
                    if scope == UnlockScope::OnlyExpired {
                        return Err(Error::NoPermissionYet.into());
                    }
                    prior.accumulate(until, balance);
                }
            }
        }
        // The poll is gone (cancelled and forgotten): nothing to count, nothing to keep.
        None => {}
    }
    put_voting(ext, who, class, &voting);
    deposit_event(
        ext,
        Event::VoteRemoved {
            who: *who,
            poll,
            vote: old,
        },
    );
    Ok(())
}

/// Shrink `who`'s lock in `class` to what its record still needs: its recorded votes,
/// its delegation, and its prior lock unless expired. Refused when nothing is locked in
/// the class (`NothingLocked`) or nothing can be released yet (`NotExpired`).
pub fn unlock(ext: &mut dyn Externalities, who: &AccountId, class: Class) -> DispatchResult {
    let mut voting = voting_for(ext, who, class);
    voting.prior_mut().rejig(system::block_number(ext));
    let needed = voting.locked_balance()?;
    let mut locks = class_locks_for(ext, who);
    let held = locks
        .iter()
        .find(|(c, _)| *c == class)
        .map_or(0, |(_, amount)| *amount);
    if held == 0 {
        return Err(Error::NothingLocked.into());
    }
    if needed >= held {
        return Err(Error::NotExpired.into());
    }
    set_class_amount(&mut locks, class, needed);
    apply_locks(ext, who, &locks)?;
    put_voting(ext, who, class, &voting);
    deposit_event(
        ext,
        Event::Unlocked {
            who: *who,
            class,
            locked: needed,
        },
    );
    Ok(())
}

/// Grow `who`'s lock in `class` to at least `amount`.
pub(crate) fn extend_class_lock(
    ext: &mut dyn Externalities,
    who: &AccountId,
    class: Class,
    amount: Balance,
) -> DispatchResult {
    let mut locks = class_locks_for(ext, who);
    let held = locks
        .iter()
        .find(|(c, _)| *c == class)
        .map_or(0, |(_, a)| *a);
    if amount <= held {
        return Ok(());
    }
    set_class_amount(&mut locks, class, amount);
    apply_locks(ext, who, &locks)
}

fn set_class_amount(locks: &mut Vec<(Class, Balance)>, class: Class, amount: Balance) {
    locks.retain(|(c, _)| *c != class);
    if amount > 0 {
        locks.push((class, amount));
    }
}

/// Store `locks` and set the Caesar lock to their maximum (removed at zero).
fn apply_locks(
    ext: &mut dyn Externalities,
    who: &AccountId,
    locks: &[(Class, Balance)],
) -> DispatchResult {
    let key = storage::class_locks_for(who);
    if locks.is_empty() {
        ext.storage_remove(&key);
    } else {
        put(ext, &key, &locks);
    }
    let total = locks.iter().map(|(_, a)| *a).max().unwrap_or(0);
    if total == 0 {
        caesar::remove_lock(ext, LOCK_ID, who);
        Ok(())
    } else {
        caesar::set_lock(ext, LOCK_ID, who, total, None).map_err(DispatchError::from)
    }
}
