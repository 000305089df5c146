//! `try_state` of referenda: each track's `DecidingCount` is its number of deciding
//! referenda and at most `max_deciding`; queue entries are ongoing, queued and not
//! deciding; every alarm list entry is ongoing with that alarm and every ongoing alarm
//! is listed; each depositor's reserved balance covers the deposits it holds here.
use crate::*;
use alloc::collections::BTreeMap;
use hm_pallet_caesar as caesar;
use hm_support::iter_prefix;

/// A map key is the item's 32-byte prefix, a 16-byte hash of the key, then the key.
const KEY_OFFSET: usize = 48;

fn entries<K: Decode, V: Decode>(
    ext: &dyn Externalities,
    item: &[u8],
) -> Result<Vec<(K, V)>, &'static str> {
    iter_prefix(ext, &value_key(PALLET, item))
        .map(|(key, raw)| {
            let k = key
                .get(KEY_OFFSET..)
                .and_then(|mut rest| K::decode(&mut rest).ok())
                .ok_or("a storage key does not decode")?;
            let v = V::decode(&mut &raw[..]).map_err(|_| "a storage value does not decode")?;
            Ok((k, v))
        })
        .collect()
}

pub(crate) fn check<C: Config>(ext: &dyn Externalities) -> Result<(), &'static str> {
    let infos = entries::<ReferendumIndex, ReferendumInfo>(ext, b"ReferendumInfoFor")?;
    let mut deciding: BTreeMap<TrackId, u32> = BTreeMap::new();
    let mut deposits: BTreeMap<AccountId, Balance> = BTreeMap::new();
    let count = referendum_count(ext);
    for (index, info) in &infos {
        if *index >= count {
            return Err("a referendum's index is not below ReferendumCount");
        }
        let held: Vec<Deposit> = match info {
            ReferendumInfo::Ongoing(s) => {
                let track =
                    track_of(C::tracks(), s.track).ok_or("a referendum's track is unknown")?;
                if s.deciding.is_some() {
                    let n = deciding.entry(s.track).or_default();
                    *n = n.checked_add(1).ok_or("overflow")?;
                    if s.queued {
                        return Err("a deciding referendum is queued");
                    }
                }
                if s.queued != track_queue(ext, s.track).contains(index) {
                    return Err("a referendum's queued flag disagrees with TrackQueue");
                }
                if let Some(when) = s.alarm {
                    if !alarms(ext, when).contains(index) {
                        return Err("an ongoing referendum's alarm is not in Alarms");
                    }
                } else if !s.queued {
                    return Err("an ongoing referendum neither queued nor with an alarm");
                }
                if s.decision_deposit
                    .is_some_and(|(_, a)| a != track.decision_deposit)
                {
                    return Err("a decision deposit is not its track's");
                }
                core::iter::once(s.submission_deposit)
                    .chain(s.decision_deposit)
                    .collect()
            }
            ended => match ended.ended_deposits() {
                Some((_, s, d)) => s.into_iter().chain(d).collect(),
                None => Vec::new(),
            },
        };
        for (who, amount) in held {
            let total = deposits.entry(who).or_default();
            *total = total.checked_add(amount).ok_or("overflow")?;
        }
    }
    for track in C::tracks() {
        let n = deciding.get(&track.id).copied().unwrap_or(0);
        if deciding_count(ext, track.id) != n {
            return Err("DecidingCount is not the number of deciding referenda");
        }
        if n > track.max_deciding {
            return Err("more referenda deciding than the track allows");
        }
        let queue = track_queue(ext, track.id);
        if queue.len() > MAX_QUEUED as usize {
            return Err("a track's queue is over MAX_QUEUED");
        }
        for index in queue {
            match referendum_info(ext, index) {
                Some(ReferendumInfo::Ongoing(s)) if s.queued && s.deciding.is_none() => {}
                _ => return Err("a queued referendum is not ongoing, queued and undecided"),
            }
        }
    }
    for (when, list) in entries::<BlockNumber, Vec<ReferendumIndex>>(ext, b"Alarms")? {
        if list.is_empty() || list.len() > MAX_ALARMS_PER_BLOCK as usize {
            return Err("an alarm list is empty or too long");
        }
        for index in list {
            match referendum_info(ext, index) {
                Some(ReferendumInfo::Ongoing(s)) if s.alarm == Some(when) => {}
                _ => return Err("an alarm is not its referendum's"),
            }
        }
    }
    for (who, amount) in deposits {
        if caesar::reserved_balance(ext, &who) < amount {
            return Err("a depositor's reserved balance is below its deposits");
        }
    }
    Ok(())
}
