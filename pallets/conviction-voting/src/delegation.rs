//! Delegating votes per class, and the tallies that follow the delegate's votes.
use crate::voting::{extend_class_lock, lock_end};
use crate::{
    deposit_event, put_tally, put_voting, tally, voting_for, Class, Config, Conviction,
    Delegations, Error, Event, PollStatus, Voting, MAX_DELEGATION_DEPTH,
};
use alloc::vec::Vec;
use hm_pallet_caesar as caesar;
use hm_pallet_system as system;
use hm_primitives::{AccountId, Balance};
use hm_support::{DispatchResult, Externalities};

/// `who` delegates `balance` with `conviction` to `target` in `class`, and locks it.
/// Refused to oneself, in a loop, over the free balance, or while `who` votes or
/// already delegates in the class.
pub fn delegate<C: Config>(
    ext: &mut dyn Externalities,
    who: &AccountId,
    class: Class,
    target: &AccountId,
    conviction: Conviction,
    balance: Balance,
) -> DispatchResult {
    if who == target {
        return Err(Error::Nonsense.into());
    }
    if balance > caesar::free_balance(ext, who) {
        return Err(Error::InsufficientFunds.into());
    }
    let votes = conviction.votes(balance).ok_or(Error::Overflow)?;
    let voting = voting_for(ext, who, class);
    match &voting {
        Voting::Delegating { .. } => return Err(Error::AlreadyDelegating.into()),
        Voting::Casting { votes, .. } if !votes.is_empty() => {
            return Err(Error::AlreadyVoting.into())
        }
        Voting::Casting { .. } => {}
    }
    ensure_no_loop(ext, who, target, class)?;
    change_upstream::<C>(
        ext,
        target,
        class,
        Delegations {
            votes,
            capital: balance,
        },
        true,
    )?;
    let delegating = Voting::Delegating {
        balance,
        target: *target,
        conviction,
        delegations: voting.delegations(),
        prior: voting.prior(),
    };
    put_voting(ext, who, class, &delegating);
    extend_class_lock(ext, who, class, balance)?;
    deposit_event(
        ext,
        Event::Delegated {
            who: *who,
            target: *target,
            class,
        },
    );
    Ok(())
}

/// `who` stops delegating in `class`; the balance stays locked for the conviction's
/// lock periods from now (a prior lock that `unlock` drops once they have passed).
pub fn undelegate<C: Config>(
    ext: &mut dyn Externalities,
    who: &AccountId,
    class: Class,
) -> DispatchResult {
    let Voting::Delegating {
        balance,
        target,
        conviction,
        delegations,
        mut prior,
    } = voting_for(ext, who, class)
    else {
        return Err(Error::NotDelegating.into());
    };
    let votes = conviction.votes(balance).ok_or(Error::Overflow)?;
    change_upstream::<C>(
        ext,
        &target,
        class,
        Delegations {
            votes,
            capital: balance,
        },
        false,
    )?;
    let now = system::block_number(ext);
    prior.accumulate(lock_end(now, conviction.lock_periods()), balance);
    let casting = Voting::Casting {
        votes: Vec::new(),
        delegations,
        prior,
    };
    put_voting(ext, who, class, &casting);
    deposit_event(ext, Event::Undelegated { who: *who, class });
    Ok(())
}

/// Refuse when `target`'s chain of delegations in `class` reaches `who`, or is too long
/// to tell. Loops never form, so the walk cannot cycle.
fn ensure_no_loop(
    ext: &dyn Externalities,
    who: &AccountId,
    target: &AccountId,
    class: Class,
) -> Result<(), Error> {
    let mut cursor = *target;
    for _ in 0..MAX_DELEGATION_DEPTH {
        match voting_for(ext, &cursor, class) {
            Voting::Delegating { target: next, .. } => {
                if next == *who {
                    return Err(Error::DelegationLoop);
                }
                cursor = next;
            }
            Voting::Casting { .. } => return Ok(()),
        }
    }
    Err(Error::DelegationChainTooLong)
}

/// Add (`increase`) or take `amount` from `target`'s delegations in `class`, and from
/// the tallies of its standard votes on ongoing polls.
fn change_upstream<C: Config>(
    ext: &mut dyn Externalities,
    target: &AccountId,
    class: Class,
    amount: Delegations,
    increase: bool,
) -> DispatchResult {
    let mut voting = voting_for(ext, target, class);
    let delegations = voting.delegations();
    *voting.delegations_mut() = if increase {
        delegations.checked_add(amount)?
    } else {
        delegations.checked_sub(amount)?
    };
    if let Voting::Casting { votes, .. } = &voting {
        for (poll, vote) in votes {
            let Some(aye) = vote.standard_side() else {
                continue;
            };
            if !matches!(C::poll_status(ext, *poll), Some(PollStatus::Ongoing { .. })) {
                continue;
            }
            let mut count = tally(ext, *poll);
            if increase {
                count.increase(aye, amount)?;
            } else {
                count.reduce(aye, amount)?;
            }
            put_tally(ext, *poll, &count);
        }
    }
    put_voting(ext, target, class, &voting);
    Ok(())
}
