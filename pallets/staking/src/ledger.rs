//! Bonding calls: bonded funds stay in the stash under the [`STAKING_LOCK_ID`] lock,
//! always equal to its ledger total. Every function checks before it writes, and
//! the dispatcher runs it in a transaction, so a failure leaves no trace.
use crate::*;

pub(crate) fn add_held(ext: &mut dyn Externalities, amount: Balance) -> DispatchResult {
    let held = total_held(ext).checked_add(amount).ok_or(Error::Overflow)?;
    put(ext, &storage::total_held(), &held);
    Ok(())
}

pub(crate) fn sub_held(ext: &mut dyn Externalities, amount: Balance) -> DispatchResult {
    // Below zero only if TotalHeld lost track of a ledger (try_state reports that).
    let held = total_held(ext).checked_sub(amount).ok_or(Error::Overflow)?;
    put(ext, &storage::total_held(), &held);
    Ok(())
}

/// Refuse to bond `value` unless it fits in the stash's usable (unlocked) free balance:
/// funds locked already, by staking or another pallet, cannot back a new bond.
fn ensure_usable(ext: &dyn Externalities, stash: &AccountId, value: Balance) -> DispatchResult {
    if value > caesar::usable_balance(ext, stash) {
        return Err(Error::InsufficientUsableBalance.into());
    }
    Ok(())
}

pub(crate) fn bond(
    ext: &mut dyn Externalities,
    stash: AccountId,
    value: Balance,
) -> DispatchResult {
    if ledger(ext, &stash).is_some() {
        return Err(Error::AlreadyBonded.into());
    }
    if value < caesar::existential_deposit(ext) {
        return Err(Error::BondTooSmall.into());
    }
    ensure_usable(ext, &stash, value)?;
    add_held(ext, value)?;
    let new = StakingLedger {
        active: value,
        unlocking: Vec::new(),
    };
    store_ledger(ext, &stash, &new)?;
    deposit_event(
        ext,
        Event::Bonded {
            stash,
            amount: value,
        },
    );
    Ok(())
}

pub(crate) fn bond_extra(
    ext: &mut dyn Externalities,
    stash: AccountId,
    value: Balance,
) -> DispatchResult {
    let mut ledger = ledger(ext, &stash).ok_or(Error::NotBonded)?;
    if value == 0 {
        return Err(Error::ZeroAmount.into());
    }
    ledger.active = ledger.active.checked_add(value).ok_or(Error::Overflow)?;
    ensure_usable(ext, &stash, value)?;
    add_held(ext, value)?;
    store_ledger(ext, &stash, &ledger)?;
    deposit_event(
        ext,
        Event::Bonded {
            stash,
            amount: value,
        },
    );
    Ok(())
}

pub(crate) fn unbond(
    ext: &mut dyn Externalities,
    stash: AccountId,
    value: Balance,
) -> DispatchResult {
    let mut ledger = ledger(ext, &stash).ok_or(Error::NotBonded)?;
    if value == 0 {
        return Err(Error::ZeroAmount.into());
    }
    let cfg = config(ext);
    ledger.active = ledger
        .active
        .checked_sub(value)
        .ok_or(Error::InsufficientBond)?;
    let candidate = registration(ext, &stash).is_some_and(|r| !r.slashed);
    if candidate && ledger.active < cfg.min_validator_bond {
        return Err(Error::BelowMinimumBond.into());
    }
    let matures_at = epoch_index(ext)
        .checked_add(EpochIndex::from(cfg.unbonding_period))
        .ok_or(Error::Overflow)?;
    // Chunks stay sorted by maturity, one per epoch (the period may be changed by root).
    match ledger
        .unlocking
        .binary_search_by_key(&matures_at, |c| c.matures_at)
    {
        Ok(i) => {
            let chunk = ledger.unlocking.get_mut(i).ok_or(Error::Overflow)?;
            chunk.value = chunk.value.checked_add(value).ok_or(Error::Overflow)?;
        }
        Err(i) => {
            if ledger.unlocking.len() >= MAX_UNLOCKING_CHUNKS {
                return Err(Error::NoMoreChunks.into());
            }
            ledger
                .unlocking
                .insert(i, UnlockChunk { value, matures_at });
        }
    }
    put(ext, &storage::ledger(&stash), &ledger);
    deposit_event(
        ext,
        Event::Unbonded {
            stash,
            amount: value,
            matures_at,
        },
    );
    Ok(())
}

pub(crate) fn withdraw_unbonded(ext: &mut dyn Externalities, stash: AccountId) -> DispatchResult {
    let mut ledger = ledger(ext, &stash).ok_or(Error::NotBonded)?;
    let now = epoch_index(ext);
    let mut amount: Balance = 0;
    for chunk in ledger.unlocking.iter().filter(|c| c.matures_at <= now) {
        amount = amount.checked_add(chunk.value).ok_or(Error::Overflow)?;
    }
    if amount == 0 {
        return Err(Error::NothingToWithdraw.into());
    }
    ledger.unlocking.retain(|c| c.matures_at > now);
    sub_held(ext, amount)?;
    store_ledger(ext, &stash, &ledger)?;
    deposit_event(ext, Event::Withdrawn { stash, amount });
    Ok(())
}

/// Write `ledger` and set the stash's lock to its total; once it holds nothing,
/// remove it, the lock and everything the stash registered. Callers keep `TotalHeld`.
pub(crate) fn store_ledger(
    ext: &mut dyn Externalities,
    stash: &AccountId,
    ledger: &StakingLedger,
) -> DispatchResult {
    if ledger.active == 0 && ledger.unlocking.is_empty() {
        ext.storage_remove(&storage::ledger(stash));
        caesar::remove_lock(ext, STAKING_LOCK_ID, stash);
        election::deregister(ext, stash);
    } else {
        let total = ledger.total().ok_or(Error::Overflow)?;
        // Replaces the lock, so it only fails for a missing stash (DeadAccount) or a
        // first lock on a stash holding MAX_LOCKS others (TooManyLocks).
        caesar::set_lock(ext, STAKING_LOCK_ID, stash, total, None)?;
        put(ext, &storage::ledger(stash), ledger);
    }
    Ok(())
}
