//! Reserves: funds held in the owner's account for a deposit (a token's creation,
//! its metadata, an approval). Reserved funds count in the account's total and in the
//! issuance, so moving them between `free` and `reserved` never changes either, and
//! never affects the existential deposit.
use crate::{account, deposit_event, storage, AccountData, Error, Event};
use hm_primitives::{AccountId, Balance};
use hm_support::{put, Externalities};

/// Move `amount` of `who`'s free balance to reserved. Locked funds can't be reserved:
/// `amount` must fit in the usable part of the free balance.
pub fn reserve(ext: &mut dyn Externalities, who: &AccountId, amount: Balance) -> Result<(), Error> {
    if amount == 0 {
        return Ok(());
    }
    let data = account(ext, who).ok_or(Error::InsufficientBalance)?;
    let free = data
        .free
        .checked_sub(amount)
        .ok_or(Error::InsufficientBalance)?;
    crate::locks::ensure_liquid(ext, who, data.free, amount)?;
    let reserved = data.reserved.checked_add(amount).ok_or(Error::Overflow)?;
    put(ext, &storage::account(who), &AccountData { free, reserved });
    deposit_event(ext, Event::Reserved { who: *who, amount });
    Ok(())
}

/// Move `amount` of `who`'s reserved balance back to free. Exact: a deposit is
/// returned whole or the call fails (a mismatch is a bug in the pallet holding it).
pub fn unreserve(
    ext: &mut dyn Externalities,
    who: &AccountId,
    amount: Balance,
) -> Result<(), Error> {
    if amount == 0 {
        return Ok(());
    }
    let data = account(ext, who).ok_or(Error::InsufficientReserved)?;
    let reserved = data
        .reserved
        .checked_sub(amount)
        .ok_or(Error::InsufficientReserved)?;
    let free = data.free.checked_add(amount).ok_or(Error::Overflow)?;
    put(ext, &storage::account(who), &AccountData { free, reserved });
    deposit_event(ext, Event::Unreserved { who: *who, amount });
    Ok(())
}

/// `who`'s reserved balance.
pub fn reserved_balance(ext: &dyn Externalities, who: &AccountId) -> Balance {
    account(ext, who).map_or(0, |a| a.reserved)
}
