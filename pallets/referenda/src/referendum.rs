//! The referenda's calls, for the dispatcher and for other pallets; and the poll status
//! conviction voting reads. Each checks before it writes; the dispatcher wraps them in
//! a transaction too.
use crate::service::{clear_alarm, end, service_referendum, set_alarm};
use crate::*;
use hm_pallet_caesar as caesar;
use hm_pallet_conviction_voting::PollStatus;
use hm_pallet_preimage as preimage;
use hm_pallet_scheduler::MAX_INLINE_CALL_BYTES;

fn reserve(ext: &mut dyn Externalities, who: &AccountId, amount: Balance) -> Result<(), Error> {
    caesar::reserve(ext, who, amount).map_err(|e| match e {
        caesar::Error::Overflow => Error::Overflow,
        _ => Error::InsufficientFunds,
    })
}

/// The proposal is what the scheduler will accept: checked now, not at approval.
fn check_proposal(ext: &dyn Externalities, call: &BoundedCall) -> Result<(), Error> {
    let ok = match call {
        BoundedCall::Inline(bytes) => {
            !bytes.is_empty() && bytes.len() <= MAX_INLINE_CALL_BYTES as usize
        }
        BoundedCall::Lookup { hash, len } => {
            (1..=preimage::MAX_PREIMAGE_BYTES).contains(len)
                && preimage::len(ext, hash).is_none_or(|noted| noted == *len)
        }
    };
    ok.then_some(()).ok_or(Error::BadProposal)
}

/// Open a referendum on `track` to enact `proposal` `enactment_after` blocks after
/// approval, reserving [`SUBMISSION_DEPOSIT`] of `who`. A lookup's preimage is
/// requested, so it stays while the referendum lasts.
pub fn submit<C: Config>(
    ext: &mut dyn Externalities,
    who: &AccountId,
    track: TrackId,
    proposal: BoundedCall,
    enactment_after: BlockNumber,
) -> Result<ReferendumIndex, Error> {
    track_of(C::tracks(), track).ok_or(Error::BadTrack)?;
    if !C::may_submit(track, &proposal) {
        return Err(Error::NoPermission);
    }
    check_proposal(ext, &proposal)?;
    let index = referendum_count(ext);
    let next = index.checked_add(1).ok_or(Error::Overflow)?;
    let now = system::block_number(ext);
    let timeout = now
        .checked_add(scaled_period(ext, C::undeciding_timeout()))
        .ok_or(Error::Overflow)?;
    reserve(ext, who, SUBMISSION_DEPOSIT)?;
    if let Some(hash) = proposal.lookup_hash() {
        preimage::request(ext, &hash).map_err(|_| Error::Overflow)?;
    }
    let mut status = ReferendumStatus {
        track,
        proposal: proposal.clone(),
        enactment_after,
        submitted: now,
        submission_deposit: (*who, SUBMISSION_DEPOSIT),
        decision_deposit: None,
        deciding: None,
        queued: false,
        alarm: None,
    };
    set_alarm(ext, index, &mut status, timeout, now)?;
    put(ext, &storage::referendum_count(), &next);
    put_info(ext, index, &ReferendumInfo::Ongoing(status));
    deposit_event(
        ext,
        Event::Submitted {
            index,
            track,
            proposal,
        },
    );
    Ok(index)
}

fn ongoing(ext: &dyn Externalities, index: ReferendumIndex) -> Result<ReferendumStatus, Error> {
    match referendum_info(ext, index).ok_or(Error::BadReferendum)? {
        ReferendumInfo::Ongoing(status) => Ok(status),
        _ => Err(Error::NotOngoing),
    }
}

/// Reserve the track's decision deposit of `who`; the referendum decides as soon as it
/// is prepared and a slot is free, else it queues (`Full` when the queue is).
pub fn place_decision_deposit<C: Config>(
    ext: &mut dyn Externalities,
    who: &AccountId,
    index: ReferendumIndex,
) -> Result<(), Error> {
    let mut status = ongoing(ext, index)?;
    if status.decision_deposit.is_some() {
        return Err(Error::HasDeposit);
    }
    let amount = track_of(C::tracks(), status.track)
        .ok_or(Error::BadTrack)?
        .decision_deposit;
    reserve(ext, who, amount)?;
    status.decision_deposit = Some((*who, amount));
    put_info(ext, index, &ReferendumInfo::Ongoing(status));
    deposit_event(
        ext,
        Event::DecisionDepositPlaced {
            index,
            who: *who,
            amount,
        },
    );
    let now = system::block_number(ext);
    service_referendum::<C>(ext, index, now)
}

/// Return one deposit of an ended referendum (not a killed one) to its depositor.
fn refund(
    ext: &mut dyn Externalities,
    index: ReferendumIndex,
    decision: bool,
) -> Result<(), Error> {
    let info = referendum_info(ext, index).ok_or(Error::BadReferendum)?;
    let (_, mut submission, mut deciding) = match info {
        ReferendumInfo::Ongoing(_) => return Err(Error::Unfinished),
        ReferendumInfo::Killed(_) => return Err(Error::NoPermission),
        ref ended => ended.ended_deposits().ok_or(Error::NoPermission)?,
    };
    let slot = if decision {
        &mut deciding
    } else {
        &mut submission
    };
    let (who, amount) = slot.take().ok_or(Error::NoDeposit)?;
    caesar::unreserve(ext, &who, amount).map_err(|_| Error::Overflow)?;
    put_info(ext, index, &info.with_deposits(submission, deciding));
    deposit_event(ext, Event::DepositRefunded { index, who, amount });
    Ok(())
}

pub fn refund_decision_deposit(
    ext: &mut dyn Externalities,
    index: ReferendumIndex,
) -> Result<(), Error> {
    refund(ext, index, true)
}

pub fn refund_submission_deposit(
    ext: &mut dyn Externalities,
    index: ReferendumIndex,
) -> Result<(), Error> {
    refund(ext, index, false)
}

/// End an ongoing referendum as cancelled; its deposits stay refundable.
pub fn cancel<C: Config>(ext: &mut dyn Externalities, index: ReferendumIndex) -> Result<(), Error> {
    let mut status = ongoing(ext, index)?;
    let now = system::block_number(ext);
    clear_alarm(ext, index, &mut status);
    let info = ReferendumInfo::Cancelled(
        now,
        Some(status.submission_deposit),
        status.decision_deposit,
    );
    end::<C>(ext, index, &status, info, now)?;
    deposit_event(ext, Event::Cancelled { index });
    Ok(())
}

/// End an ongoing referendum as killed, burning both deposits.
pub fn kill<C: Config>(ext: &mut dyn Externalities, index: ReferendumIndex) -> Result<(), Error> {
    let mut status = ongoing(ext, index)?;
    let now = system::block_number(ext);
    clear_alarm(ext, index, &mut status);
    for (who, amount) in core::iter::once(status.submission_deposit).chain(status.decision_deposit)
    {
        caesar::unreserve(ext, &who, amount).map_err(|_| Error::Overflow)?;
        caesar::burn_from(ext, &who, amount).map_err(|_| Error::Overflow)?;
    }
    end::<C>(ext, index, &status, ReferendumInfo::Killed(now), now)?;
    deposit_event(ext, Event::Killed { index });
    Ok(())
}

/// `poll`'s status for conviction voting: ongoing in its track while preparing or
/// deciding; completed with its end and outcome (only `Approved` counts as approved).
pub fn poll_status(ext: &dyn Externalities, poll: ReferendumIndex) -> Option<PollStatus> {
    Some(match referendum_info(ext, poll)? {
        ReferendumInfo::Ongoing(status) => PollStatus::Ongoing {
            class: status.track,
        },
        ReferendumInfo::Approved(ended_at, ..) => PollStatus::Completed {
            ended_at,
            approved: true,
        },
        ReferendumInfo::Rejected(ended_at, ..)
        | ReferendumInfo::Cancelled(ended_at, ..)
        | ReferendumInfo::TimedOut(ended_at, ..)
        | ReferendumInfo::Killed(ended_at) => PollStatus::Completed {
            ended_at,
            approved: false,
        },
    })
}
