//! `try_state` of conviction voting: every record is well-formed; every ongoing poll's
//! tally is the sum of the conviction-weighted votes on it (with the delegations each
//! standard vote carries); every account's delegations are the sum of what delegates
//! to it; each class lock covers what its record needs; and each account's Caesar lock
//! [`LOCK_ID`] is exactly the maximum of its class locks, without expiry.
use crate::{
    class_locks_for, tally, voting_for, Class, Config, Delegations, PollIndex, PollStatus, Tally,
    Voting, LOCK_ID, PALLET,
};
use alloc::{collections::BTreeMap, vec::Vec};
use hm_pallet_caesar as caesar;
use hm_primitives::{storage_key::value_key, AccountId, Balance};
use hm_support::{iter_prefix, Externalities};
use parity_scale_codec::Decode;

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
    let records: Vec<((AccountId, Class), Voting)> = entries(ext, b"VotingFor")?;
    let mut tallies: BTreeMap<PollIndex, Tally> = BTreeMap::new();
    let mut delegated: BTreeMap<(AccountId, Class), Delegations> = BTreeMap::new();
    for ((who, class), voting) in &records {
        if !voting.is_well_formed() || voting.is_empty() {
            return Err("a voting record is out of bounds or empty");
        }
        match voting {
            Voting::Casting {
                votes, delegations, ..
            } => {
                for (poll, vote) in votes {
                    match C::poll_status(ext, *poll) {
                        Some(PollStatus::Ongoing { class: c }) if c != *class => {
                            return Err("a vote is recorded under another class than its poll's")
                        }
                        Some(PollStatus::Ongoing { .. }) => {
                            let t = tallies.entry(*poll).or_default();
                            t.add(vote).map_err(|_| "a tally overflows")?;
                            if let Some(aye) = vote.standard_side() {
                                t.increase(aye, *delegations)
                                    .map_err(|_| "a tally overflows")?;
                            }
                        }
                        _ => {}
                    }
                }
            }
            Voting::Delegating {
                balance,
                target,
                conviction,
                ..
            } => {
                if target == who {
                    return Err("an account delegates to itself");
                }
                let votes = conviction.votes(*balance).ok_or("a delegation overflows")?;
                let d = delegated.entry((*target, *class)).or_default();
                *d = d
                    .checked_add(Delegations {
                        votes,
                        capital: *balance,
                    })
                    .map_err(|_| "delegations overflow")?;
            }
        }
    }
    for (poll, expected) in &tallies {
        if tally(ext, *poll) != *expected {
            return Err("a tally differs from the sum of its votes");
        }
    }
    for (poll, stored) in entries::<PollIndex, Tally>(ext, b"TallyOf")? {
        let ongoing = matches!(C::poll_status(ext, poll), Some(PollStatus::Ongoing { .. }));
        if ongoing && tallies.get(&poll).copied().unwrap_or_default() != stored {
            return Err("a tally counts votes nobody holds");
        }
    }
    for ((who, class), voting) in &records {
        let expected = delegated.get(&(*who, *class)).copied().unwrap_or_default();
        if voting.delegations() != expected {
            return Err("an account's delegations differ from what delegates to it");
        }
    }
    for ((who, class), expected) in &delegated {
        if voting_for(ext, who, *class).delegations() != *expected {
            return Err("delegations to an account are not recorded");
        }
    }
    check_locks(ext, &records)
}

fn check_locks(
    ext: &dyn Externalities,
    records: &[((AccountId, Class), Voting)],
) -> Result<(), &'static str> {
    for ((who, class), voting) in records {
        let needed = voting
            .locked_balance()
            .map_err(|_| "a record's balance overflows")?;
        let held = class_locks_for(ext, who)
            .iter()
            .find(|(c, _)| c == class)
            .map_or(0, |(_, a)| *a);
        if held < needed {
            return Err("a class lock is below what its record needs");
        }
    }
    let class_locks: Vec<(AccountId, Vec<(Class, Balance)>)> = entries(ext, b"ClassLocksFor")?;
    for (who, locks) in &class_locks {
        let mut classes: Vec<Class> = locks.iter().map(|(c, _)| *c).collect();
        classes.sort_unstable();
        classes.dedup();
        if locks.is_empty() || classes.len() != locks.len() || locks.iter().any(|(_, a)| *a == 0) {
            return Err("an account's class locks are empty, repeated or zero");
        }
        let max = locks.iter().map(|(_, a)| *a).max().unwrap_or(0);
        let lock = caesar::locks(ext, who)
            .into_iter()
            .find(|l| l.id == LOCK_ID);
        if !lock.is_some_and(|l| l.amount == max && l.until.is_none()) {
            return Err("an account's voting lock differs from its largest class lock");
        }
    }
    for (who, locks) in caesar::all_locks(ext)? {
        let ours = locks.iter().any(|l| l.id == LOCK_ID);
        if ours && !class_locks.iter().any(|(w, _)| *w == who) {
            return Err("a voting lock is held without class locks");
        }
    }
    Ok(())
}
