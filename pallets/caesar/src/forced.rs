//! Balance changes that ignore locks, for other pallets and the runtime, where a lock
//! must not stand in the way:
//!
//! - [`burn_from`]: a slash burns the very funds a lock (staking's) protects.
//! - [`refund_fee`]: the block author returns part of a fee this same extrinsic just
//!   credited to it; that credit came on top of whatever the author's locks cover.
//!
//! Both keep Caesar's invariant: issuance falls by exactly what is burned (dust
//! included), and a transfer creates or destroys nothing.
use crate::{
    account, deposit_event, existential_deposit, locks, move_free, storage, total_issuance,
    AccountData, Error, Event, Liveness,
};
use hm_primitives::{AccountId, Balance};
use hm_support::{put, Externalities};

/// Burn up to `amount` of `who`'s free balance, ignoring its locks. Burns
/// `min(amount, free)` (nothing when the account does not exist) and returns it; the
/// issuance falls by it. When `free + reserved` is then below the existential deposit
/// the account is removed with its locks and what it still held is burned too, as
/// `set_balance` does: the issuance falls by that as well, reported by `DustLost`.
/// Locks are left as they are: the caller lowers its own.
pub fn burn_from(
    ext: &mut dyn Externalities,
    who: &AccountId,
    amount: Balance,
) -> Result<Balance, Error> {
    let Some(data) = account(ext, who) else {
        return Ok(0);
    };
    let burned = amount.min(data.free);
    if burned == 0 {
        return Ok(0);
    }
    let free = data.free.checked_sub(burned).ok_or(Error::Overflow)?;
    let rest = free.checked_add(data.reserved).ok_or(Error::Overflow)?;
    let reap = rest < existential_deposit(ext);
    let gone = if reap {
        burned.checked_add(rest).ok_or(Error::Overflow)?
    } else {
        burned
    };
    let issuance = total_issuance(ext)
        .checked_sub(gone)
        .ok_or(Error::Overflow)?;

    put(ext, &storage::total_issuance(), &issuance);
    if reap {
        ext.storage_remove(&storage::account(who));
        locks::remove_all_locks(ext, who);
    } else {
        put(ext, &storage::account(who), &AccountData { free, ..data });
    }
    deposit_event(
        ext,
        Event::Burned {
            who: *who,
            amount: burned,
        },
    );
    if reap && rest > 0 {
        deposit_event(
            ext,
            Event::DustLost {
                account: *who,
                amount: rest,
            },
        );
    }
    Ok(burned)
}

/// Move `amount` of free balance from `author` back to `to`, ignoring `author`'s locks
/// but never taking it below the existential deposit (`KeepAlive`). Only for returning
/// part of a fee this same extrinsic credited to `author` (the runtime's refund of
/// unused weight): those funds were never what a lock covers, so a lock must not keep
/// them. A `Transfer` event records it, as for any transfer.
pub fn refund_fee(
    ext: &mut dyn Externalities,
    author: &AccountId,
    to: &AccountId,
    amount: Balance,
) -> Result<(), Error> {
    if amount == 0 || author == to {
        return Ok(());
    }
    move_free(ext, author, to, amount, Liveness::KeepAlive, 0)
}
