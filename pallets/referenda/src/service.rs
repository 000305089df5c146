//! Servicing referenda at their alarms: preparing, queueing, deciding, confirming and
//! ending, bounded per block.
use crate::*;
use hm_pallet_caesar as caesar;
use hm_pallet_conviction_voting::{self as cv, Tally};
use hm_pallet_preimage as preimage;
use hm_pallet_scheduler::{self as scheduler, ScheduledOrigin};
use hm_support::{with_transaction, Weight};

/// `n / d` in [`Parts`], rounded down, capped at one; 0 when `d` is 0.
fn parts(n: Balance, d: Balance) -> Parts {
    if d == 0 {
        return 0;
    }
    let billion = Balance::from(BILLION);
    let p = match n.checked_mul(billion) {
        Some(scaled) => scaled / d,
        // `n` is huge, so `d / billion` is not 0 when `d >= n`; else the share is over one.
        None => n.checked_div(d / billion).unwrap_or(billion),
    };
    Parts::try_from(p.min(billion)).unwrap_or(BILLION)
}

/// Whether `tally` passes `track`'s curves with `elapsed` blocks of its decision period
/// gone, against `issuance`: approval (ayes among ayes and nays) and support (voters
/// among all CAES) at least the curves' thresholds. No vote at all never passes.
pub fn is_passing(tally: &Tally, issuance: Balance, track: &Track, elapsed: BlockNumber) -> bool {
    let x = parts(Balance::from(elapsed), Balance::from(track.decision_period));
    let Some(voted) = tally.ayes.checked_add(tally.nays) else {
        return false;
    };
    if voted == 0 {
        return false;
    }
    parts(tally.ayes, voted) >= track.min_approval.threshold(x)
        && parts(tally.support, issuance) >= track.min_support.threshold(x)
}

/// Put `index` in the alarms of the first block from `at` (never before `now + 1`)
/// with room, moving it from its previous alarm.
pub(crate) fn set_alarm(
    ext: &mut dyn Externalities,
    index: ReferendumIndex,
    status: &mut ReferendumStatus,
    at: BlockNumber,
    now: BlockNumber,
) -> Result<(), Error> {
    clear_alarm(ext, index, status);
    let first = at.max(now.checked_add(1).ok_or(Error::Overflow)?);
    for offset in 0..MAX_PROBE {
        let when = first.checked_add(offset).ok_or(Error::Overflow)?;
        let mut list = alarms(ext, when);
        if list.len() < MAX_ALARMS_PER_BLOCK as usize {
            list.push(index);
            put_list(ext, &storage::alarms(when), &list);
            status.alarm = Some(when);
            return Ok(());
        }
    }
    Err(Error::Full)
}

/// Take `index` out of its alarm block.
pub(crate) fn clear_alarm(
    ext: &mut dyn Externalities,
    index: ReferendumIndex,
    status: &mut ReferendumStatus,
) {
    if let Some(when) = status.alarm.take() {
        let mut list = alarms(ext, when);
        list.retain(|i| *i != index);
        put_list(ext, &storage::alarms(when), &list);
    }
}

fn track<C: Config>(id: TrackId) -> Result<&'static Track, Error> {
    track_of(C::tracks(), id).ok_or(Error::BadTrack)
}

fn add(a: BlockNumber, b: BlockNumber) -> Result<BlockNumber, Error> {
    a.checked_add(b).ok_or(Error::Overflow)
}

/// Record `info` as `index`'s end: free its deciding slot (starting the next queued
/// referendum) or its queue place, and withdraw the preimage request of `submit`.
/// `status` must have no alarm left.
pub(crate) fn end<C: Config>(
    ext: &mut dyn Externalities,
    index: ReferendumIndex,
    status: &ReferendumStatus,
    info: ReferendumInfo,
    now: BlockNumber,
) -> Result<(), Error> {
    if status.deciding.is_some() {
        let count = deciding_count(ext, status.track)
            .checked_sub(1)
            .ok_or(Error::Overflow)?;
        put_deciding_count(ext, status.track, count);
    }
    if status.queued {
        let mut queue = track_queue(ext, status.track);
        queue.retain(|i| *i != index);
        put_list(ext, &storage::track_queue(status.track), &queue);
    }
    if let Some(hash) = status.proposal.lookup_hash() {
        preimage::unrequest(ext, &hash).map_err(|_| Error::Overflow)?;
    }
    put_info(ext, index, &info);
    if status.deciding.is_some() {
        start_next_queued::<C>(ext, status.track, now)?;
    }
    Ok(())
}

/// Move the oldest queued referendum of `track` to deciding if a slot is free; it is
/// checked at the next block.
fn start_next_queued<C: Config>(
    ext: &mut dyn Externalities,
    track_id: TrackId,
    now: BlockNumber,
) -> Result<(), Error> {
    let max = track::<C>(track_id)?.max_deciding;
    let count = deciding_count(ext, track_id);
    let mut queue = track_queue(ext, track_id);
    if count >= max || queue.is_empty() {
        return Ok(());
    }
    let next = queue.remove(0);
    put_list(ext, &storage::track_queue(track_id), &queue);
    let Some(ReferendumInfo::Ongoing(mut status)) = referendum_info(ext, next) else {
        return Err(Error::NotOngoing);
    };
    status.queued = false;
    begin_deciding(ext, next, &mut status, now)?;
    set_alarm(ext, next, &mut status, now, now)?;
    put_info(ext, next, &ReferendumInfo::Ongoing(status));
    Ok(())
}

fn begin_deciding(
    ext: &mut dyn Externalities,
    index: ReferendumIndex,
    status: &mut ReferendumStatus,
    now: BlockNumber,
) -> Result<(), Error> {
    let count = deciding_count(ext, status.track)
        .checked_add(1)
        .ok_or(Error::Overflow)?;
    put_deciding_count(ext, status.track, count);
    status.deciding = Some(DecidingStatus {
        since: now,
        confirming: None,
    });
    deposit_event(
        ext,
        Event::DecisionStarted {
            index,
            track: status.track,
        },
    );
    Ok(())
}

/// Approve: schedule the call as Root at the first block from the enactment block
/// whose agenda has room (probing [`MAX_PROBE`] blocks).
fn approve<C: Config>(
    ext: &mut dyn Externalities,
    index: ReferendumIndex,
    status: &ReferendumStatus,
    track: &Track,
    now: BlockNumber,
) -> Result<(), Error> {
    deposit_event(ext, Event::Confirmed { index });
    let delay = status
        .enactment_after
        .max(track.min_enactment_period)
        .max(1);
    let first = add(now, delay)?;
    let mut when = None;
    for offset in 0..MAX_PROBE {
        let at = add(first, offset)?;
        let call = status.proposal.clone();
        match scheduler::schedule_named_task(ext, task_name(index), at, ScheduledOrigin::Root, call)
        {
            Ok(_) => {
                when = Some(at);
                break;
            }
            Err(scheduler::Error::AgendaFull) => continue,
            Err(_) => break,
        }
    }
    let info = ReferendumInfo::Approved(
        now,
        Some(status.submission_deposit),
        status.decision_deposit,
    );
    end::<C>(ext, index, status, info, now)?;
    deposit_event(ext, Event::Approved { index, when });
    Ok(())
}

/// Bring referendum `index` up to date at block `now`, and set its next alarm.
pub(crate) fn service_referendum<C: Config>(
    ext: &mut dyn Externalities,
    index: ReferendumIndex,
    now: BlockNumber,
) -> Result<(), Error> {
    let Some(ReferendumInfo::Ongoing(mut status)) = referendum_info(ext, index) else {
        return Ok(());
    };
    clear_alarm(ext, index, &mut status);
    let track = &chain_track(ext, track::<C>(status.track)?);
    let Some(mut deciding) = status.deciding else {
        if status.queued {
            put_info(ext, index, &ReferendumInfo::Ongoing(status));
            return Ok(());
        }
        let prepared_at = add(status.submitted, track.prepare_period)?;
        if status.decision_deposit.is_none() {
            let timeout = add(
                status.submitted,
                scaled_period(ext, C::undeciding_timeout()),
            )?;
            if now >= timeout {
                let info = ReferendumInfo::TimedOut(now, Some(status.submission_deposit), None);
                end::<C>(ext, index, &status, info, now)?;
                deposit_event(ext, Event::TimedOut { index });
                return Ok(());
            }
            set_alarm(ext, index, &mut status, timeout, now)?;
        } else if now < prepared_at {
            set_alarm(ext, index, &mut status, prepared_at, now)?;
        } else if deciding_count(ext, status.track) < track.max_deciding {
            begin_deciding(ext, index, &mut status, now)?;
            let check = add(now, C::check_interval())?;
            set_alarm(ext, index, &mut status, check, now)?;
        } else {
            let mut queue = track_queue(ext, status.track);
            if queue.len() >= MAX_QUEUED as usize {
                return Err(Error::Full);
            }
            queue.push(index);
            put_list(ext, &storage::track_queue(status.track), &queue);
            status.queued = true;
        }
        put_info(ext, index, &ReferendumInfo::Ongoing(status));
        return Ok(());
    };
    let elapsed = now.saturating_sub(deciding.since);
    let tally = cv::tally(ext, index);
    let passing = is_passing(&tally, caesar::total_issuance(ext), track, elapsed);
    let deadline = add(deciding.since, track.decision_period)?;
    let mut next = add(now, C::check_interval().max(1))?;
    match deciding.confirming {
        Some(until) if passing => {
            if now >= until {
                return approve::<C>(ext, index, &status, track, now);
            }
            next = next.min(until);
        }
        None if passing => {
            let until = add(now, track.confirm_period)?;
            deciding.confirming = Some(until);
            deposit_event(ext, Event::ConfirmStarted { index });
            if now >= until {
                return approve::<C>(ext, index, &status, track, now);
            }
            next = next.min(until);
        }
        confirming => {
            if confirming.is_some() {
                deciding.confirming = None;
                deposit_event(ext, Event::ConfirmAborted { index });
            }
            if now >= deadline {
                let info = ReferendumInfo::Rejected(
                    now,
                    Some(status.submission_deposit),
                    status.decision_deposit,
                );
                end::<C>(ext, index, &status, info, now)?;
                deposit_event(ext, Event::Rejected { index });
                return Ok(());
            }
            next = next.min(deadline);
        }
    }
    status.deciding = Some(deciding);
    set_alarm(ext, index, &mut status, next, now)?;
    put_info(ext, index, &ReferendumInfo::Ongoing(status));
    Ok(())
}

/// `on_initialize`: service at most [`MAX_SERVICED_PER_BLOCK`] referenda of block
/// `now`'s alarms, each in its own transaction, and move the rest to later blocks. A
/// referendum whose servicing fails (a full queue) is retried after a check interval.
pub fn service_alarms<C: Config>(ext: &mut dyn Externalities, now: BlockNumber) -> Weight {
    let list = alarms(ext, now);
    ext.storage_remove(&storage::alarms(now));
    let mut serviced: Weight = 0;
    for (i, index) in list.iter().copied().enumerate() {
        // The list is gone: forget the alarm so servicing does not look for it there.
        let _ = with_transaction(ext, |ext| -> Result<(), Error> {
            let Some(ReferendumInfo::Ongoing(mut status)) = referendum_info(ext, index) else {
                return Ok(());
            };
            status.alarm = None;
            put_info(ext, index, &ReferendumInfo::Ongoing(status.clone()));
            let retry = add(now, C::check_interval())?;
            if i >= MAX_SERVICED_PER_BLOCK as usize {
                set_alarm(ext, index, &mut status, now, now)?;
                put_info(ext, index, &ReferendumInfo::Ongoing(status));
                return Ok(());
            }
            if with_transaction(ext, |ext| service_referendum::<C>(ext, index, now)).is_err() {
                set_alarm(ext, index, &mut status, retry, now)?;
                put_info(ext, index, &ReferendumInfo::Ongoing(status));
            }
            Ok(())
        });
        serviced = serviced.saturating_add(if i < MAX_SERVICED_PER_BLOCK as usize {
            weights::SERVICE_REFERENDUM
        } else {
            weights::MOVE_ALARM
        });
    }
    weights::SERVICE_BASE.saturating_add(serviced)
}
