//! Locks: named restrictions on spending part of an account's free balance, set by
//! other pallets (staking, the DAO), as in Substrate's pallet-balances.
//!
//! - A lock is `(id, amount, until)`, stored in `Locks: AccountId -> Vec<BalanceLock>`,
//!   at most [`MAX_LOCKS`] per account, one per id, none of zero. `AccountData` is
//!   unchanged.
//! - Expiry: a lock with `until: Some(n)` counts while `system::block_number <= n`, so
//!   during block `n` too, and stops counting from block `n + 1` on. `None`: until removed.
//!   An expired lock has no effect; it stays stored until the next write to that
//!   account's locks (any `set_lock`, `extend_lock` or `remove_lock`), which removes it
//!   with an `Unlocked` event.
//! - Locks overlap: the frozen amount is the largest active lock, not the sum.
//! - Locked funds stay in `free`, so they count in the account's total, in the issuance
//!   and wherever free balance is read (voting). They cannot leave the account:
//!   `transfer` (either liveness), `withdraw_fee` (fees are never paid from locked
//!   funds) and `reserve` refuse with [`Error::LiquidityRestrictions`] to take more
//!   than [`usable_balance`] = `free - frozen` (saturating). A transfer that would reap
//!   the sender (and burn its dust) while any lock is active is refused the same way:
//!   reaping would destroy locked funds.
//! - A lock may exceed the free balance: it then freezes all of it. Root's
//!   `set_balance` is not restricted by locks, nor are a slash's [`crate::burn_from`]
//!   and the fee refund [`crate::refund_fee`] (see `forced.rs`).
//! - When an account is removed (a transfer reaping it, which needs no active lock, or
//!   root's `set_balance` below the ED), its `Locks` entry is removed too, with an
//!   `Unlocked` event per lock, so no lock outlives its account.
use crate::{
    account, deposit_event, storage, BalanceLock, Error, Event, LockIdentifier, MAX_LOCKS, PALLET,
};
use alloc::vec::Vec;
use hm_pallet_system as system;
use hm_primitives::{storage_key::value_key, AccountId, Balance, BlockNumber};
use hm_support::{get, put, Externalities};
use parity_scale_codec::Decode;

/// `who`'s stored locks, in the order they were added. May include locks that have
/// expired at the current block but were not yet removed (see the module docs).
pub fn locks(ext: &dyn Externalities, who: &AccountId) -> Vec<BalanceLock> {
    get(ext, &storage::locks(who)).unwrap_or_default()
}

/// Every stored `Locks` entry as `(account, its locks)`, in key order, for invariant
/// checks (it walks the whole map). Refused when an entry's key or value does not decode.
pub fn all_locks(
    ext: &dyn Externalities,
) -> Result<Vec<(AccountId, Vec<BalanceLock>)>, &'static str> {
    let prefix = value_key(PALLET, b"Locks");
    // A map key is the prefix, a 16-byte hash of the account, then the account.
    let skip = prefix.len() + 16;
    hm_support::iter_prefix(ext, &prefix)
        .map(|(key, raw)| {
            let who = key
                .get(skip..)
                .and_then(|mut rest| AccountId::decode(&mut rest).ok())
                .ok_or("a lock entry's key does not decode")?;
            let stored = Vec::<BalanceLock>::decode(&mut &raw[..])
                .map_err(|_| "an account's locks do not decode")?;
            Ok((who, stored))
        })
        .collect()
}

/// The largest amount of `who`'s locks active at the current block (0 without any).
pub fn frozen_balance(ext: &dyn Externalities, who: &AccountId) -> Balance {
    let now = system::block_number(ext);
    locks(ext, who)
        .iter()
        .filter(|lock| lock.is_active(now))
        .map(|lock| lock.amount)
        .max()
        .unwrap_or(0)
}

/// The part of `who`'s free balance that may leave the account: `free - frozen`, or 0
/// when the locks exceed the free balance.
pub fn usable_balance(ext: &dyn Externalities, who: &AccountId) -> Balance {
    let free = account(ext, who).map_or(0, |a| a.free);
    free.saturating_sub(frozen_balance(ext, who))
}

/// Refuse with `LiquidityRestrictions` when `amount` exceeds the usable part of `free`.
pub(crate) fn ensure_liquid(
    ext: &dyn Externalities,
    who: &AccountId,
    free: Balance,
    amount: Balance,
) -> Result<(), Error> {
    if amount > free.saturating_sub(frozen_balance(ext, who)) {
        return Err(Error::LiquidityRestrictions);
    }
    Ok(())
}

/// Create or replace `who`'s lock `id`. An `amount` of 0, or an `until` already past
/// (below the current block), removes the lock instead (as [`remove_lock`]). Refused
/// with `DeadAccount` when `who` does not exist, and with `TooManyLocks` when the
/// lock is new and `who` already holds `MAX_LOCKS` active locks.
pub fn set_lock(
    ext: &mut dyn Externalities,
    id: LockIdentifier,
    who: &AccountId,
    amount: Balance,
    until: Option<BlockNumber>,
) -> Result<(), Error> {
    if amount == 0 {
        remove_lock(ext, id, who);
        return Ok(());
    }
    update(ext, who, id, |_| Some(BalanceLock { id, amount, until }))
}

/// Like [`set_lock`], but an active lock `id` only grows: it becomes the larger of
/// both amounts and the later of both expiries (`None` being the latest). An expired
/// lock `id` counts as absent. An `amount` of 0 changes nothing (as Substrate).
pub fn extend_lock(
    ext: &mut dyn Externalities,
    id: LockIdentifier,
    who: &AccountId,
    amount: Balance,
    until: Option<BlockNumber>,
) -> Result<(), Error> {
    if amount == 0 {
        return Ok(());
    }
    update(ext, who, id, |old| {
        Some(match old {
            None => BalanceLock { id, amount, until },
            Some(old) => BalanceLock {
                id,
                amount: old.amount.max(amount),
                until: match (old.until, until) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    _ => None,
                },
            },
        })
    })
}

/// Remove `who`'s lock `id` (nothing when there is none). The last lock's removal
/// deletes the account's `Locks` entry.
pub fn remove_lock(ext: &mut dyn Externalities, id: LockIdentifier, who: &AccountId) {
    let plan = plan(ext, who, id, |_| None);
    // Removing never needs a slot or an account, so the plan cannot fail.
    if let Ok(plan) = plan {
        apply(ext, who, id, plan);
    }
}

/// Remove all of `who`'s locks, expired or not: the account is being reaped.
pub(crate) fn remove_all_locks(ext: &mut dyn Externalities, who: &AccountId) {
    let stored = locks(ext, who);
    if stored.is_empty() {
        return;
    }
    ext.storage_remove(&storage::locks(who));
    for lock in stored {
        deposit_event(
            ext,
            Event::Unlocked {
                who: *who,
                id: lock.id,
            },
        );
    }
}

/// The writes that setting lock `id` to `f(current active lock)` needs.
struct Plan {
    /// Active locks after the change (stored as is; the entry is removed when empty).
    active: Vec<BalanceLock>,
    /// Expired locks to remove.
    expired: Vec<BalanceLock>,
    /// The lock `id` as it changes: `Some(Some(lock))` set, `Some(None)` removed,
    /// `None` unchanged.
    change: Option<Option<BalanceLock>>,
}

fn plan(
    ext: &dyn Externalities,
    who: &AccountId,
    id: LockIdentifier,
    f: impl FnOnce(Option<BalanceLock>) -> Option<BalanceLock>,
) -> Result<Plan, Error> {
    let now = system::block_number(ext);
    let (mut active, expired): (Vec<_>, Vec<_>) = locks(ext, who)
        .into_iter()
        .partition(|lock| lock.is_active(now));
    let position = active.iter().position(|lock| lock.id == id);
    let old = position.map(|i| active[i]);
    let new = f(old).filter(|lock| lock.amount > 0 && lock.is_active(now));
    if new.is_some() && account(ext, who).is_none() {
        return Err(Error::DeadAccount);
    }
    let change = match (position, new) {
        (Some(i), Some(lock)) => {
            if active[i] == lock {
                None
            } else {
                active[i] = lock;
                Some(Some(lock))
            }
        }
        (Some(i), None) => {
            active.remove(i);
            Some(None)
        }
        (None, Some(lock)) => {
            if active.len() >= MAX_LOCKS as usize {
                return Err(Error::TooManyLocks);
            }
            active.push(lock);
            Some(Some(lock))
        }
        (None, None) => None,
    };
    Ok(Plan {
        active,
        expired,
        change,
    })
}

fn apply(ext: &mut dyn Externalities, who: &AccountId, id: LockIdentifier, plan: Plan) {
    if plan.change.is_none() && plan.expired.is_empty() {
        return;
    }
    if plan.active.is_empty() {
        ext.storage_remove(&storage::locks(who));
    } else {
        put(ext, &storage::locks(who), &plan.active);
    }
    for lock in plan.expired {
        deposit_event(
            ext,
            Event::Unlocked {
                who: *who,
                id: lock.id,
            },
        );
    }
    match plan.change {
        Some(Some(lock)) => deposit_event(
            ext,
            Event::Locked {
                who: *who,
                id,
                amount: lock.amount,
            },
        ),
        Some(None) => deposit_event(ext, Event::Unlocked { who: *who, id }),
        None => {}
    }
}

fn update(
    ext: &mut dyn Externalities,
    who: &AccountId,
    id: LockIdentifier,
    f: impl FnOnce(Option<BalanceLock>) -> Option<BalanceLock>,
) -> Result<(), Error> {
    let plan = plan(ext, who, id, f)?;
    apply(ext, who, id, plan);
    Ok(())
}
