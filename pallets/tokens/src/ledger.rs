//! Token balances: crediting and debiting accounts, the holder list, and the
//! operations other pallets use (the DEX moves tokens and mints its LP shares here).
//!
//! Every public function applies all of its writes or none: it runs on a
//! transactional overlay, so a failure half-way leaves the state as it was.
use crate::{
    deposit_event, storage, Error, Event, TokenAccount, TokenDetails, TokenId, TokenStatus,
};
use hm_primitives::{AccountId, Balance};
use hm_support::{get, put, with_transaction, Externalities};

pub use hm_pallet_caesar::Liveness;

/// A token's details, or `None` when it does not exist.
pub fn details(ext: &dyn Externalities, id: TokenId) -> Option<TokenDetails> {
    get(ext, &storage::token(id))
}

/// `who`'s holding of token `id`, or `None` when it holds none.
pub fn token_account(
    ext: &dyn Externalities,
    id: TokenId,
    who: &AccountId,
) -> Option<TokenAccount> {
    get(ext, &storage::account(id, who))
}

/// `who`'s balance of token `id` (0 for an unknown token or account).
pub fn balance(ext: &dyn Externalities, id: TokenId, who: &AccountId) -> Balance {
    token_account(ext, id, who).map_or(0, |a| a.balance)
}

/// Token `id`'s total supply (0 for an unknown token).
pub fn supply(ext: &dyn Externalities, id: TokenId) -> Balance {
    details(ext, id).map_or(0, |d| d.supply)
}

/// The holder at `index` of token `id`'s holder list.
pub fn holder(ext: &dyn Externalities, id: TokenId, index: u32) -> Option<AccountId> {
    get(ext, &storage::holder(id, index))
}

/// Details of a token whose balances may move: it exists, is not frozen and is
/// not being destroyed.
pub(crate) fn live_details(ext: &dyn Externalities, id: TokenId) -> Result<TokenDetails, Error> {
    let details = details(ext, id).ok_or(Error::UnknownToken)?;
    match details.status {
        TokenStatus::Live => Ok(details),
        TokenStatus::Frozen => Err(Error::TokenFrozen),
        TokenStatus::Destroying => Err(Error::Destroying),
    }
}

/// Append `who` to the holder list; its index there.
fn add_holder(
    ext: &mut dyn Externalities,
    id: TokenId,
    details: &mut TokenDetails,
    who: &AccountId,
) -> Result<u32, Error> {
    let index = details.accounts;
    details.accounts = index.checked_add(1).ok_or(Error::Overflow)?;
    put(ext, &storage::holder(id, index), who);
    Ok(index)
}

/// Remove the holder at `index`: the last holder takes its place.
pub(crate) fn remove_holder(
    ext: &mut dyn Externalities,
    id: TokenId,
    details: &mut TokenDetails,
    index: u32,
) {
    let Some(last) = details.accounts.checked_sub(1) else {
        return;
    };
    if index != last {
        if let Some(moved) = holder(ext, id, last) {
            put(ext, &storage::holder(id, index), &moved);
            if let Some(mut account) = token_account(ext, id, &moved) {
                account.index = index;
                put(ext, &storage::account(id, &moved), &account);
            }
        }
    }
    ext.storage_remove(&storage::holder(id, last));
    details.accounts = last;
}

/// Add `amount` to `who`'s balance, creating its account (which must then reach
/// the minimum balance unless `sticky`). The caller adjusts the supply.
fn credit(
    ext: &mut dyn Externalities,
    id: TokenId,
    details: &mut TokenDetails,
    who: &AccountId,
    amount: Balance,
    sticky: bool,
) -> Result<(), Error> {
    let account = match token_account(ext, id, who) {
        Some(mut account) => {
            account.balance = account.balance.checked_add(amount).ok_or(Error::Overflow)?;
            account
        }
        None => {
            if !sticky && amount < details.min_balance {
                return Err(Error::BelowMinimum);
            }
            TokenAccount {
                balance: amount,
                frozen: false,
                sticky,
                index: add_holder(ext, id, details, who)?,
            }
        }
    };
    put(ext, &storage::account(id, who), &account);
    Ok(())
}

/// Take `amount` from `who`'s balance. A non-sticky account left below the minimum
/// balance is reaped and its remainder burned, unless `liveness` forbids it.
/// Returns the dust burned; the caller adjusts the supply by it.
fn debit(
    ext: &mut dyn Externalities,
    id: TokenId,
    details: &mut TokenDetails,
    who: &AccountId,
    amount: Balance,
    liveness: Liveness,
) -> Result<Balance, Error> {
    let mut account = token_account(ext, id, who).ok_or(Error::InsufficientBalance)?;
    let rest = account
        .balance
        .checked_sub(amount)
        .ok_or(Error::InsufficientBalance)?;
    if account.sticky || rest >= details.min_balance && rest > 0 {
        account.balance = rest;
        put(ext, &storage::account(id, who), &account);
        return Ok(0);
    }
    if liveness == Liveness::KeepAlive {
        return Err(Error::KeepAlive);
    }
    ext.storage_remove(&storage::account(id, who));
    remove_holder(ext, id, details, account.index);
    if rest > 0 {
        deposit_event(
            ext,
            Event::DustLost {
                token: id,
                account: *who,
                amount: rest,
            },
        );
    }
    Ok(rest)
}

/// Move `amount` of token `id` from `from` to `to`. A frozen sender, a frozen or
/// destroying token, or a new receiver below the minimum balance is refused.
pub fn transfer(
    ext: &mut dyn Externalities,
    id: TokenId,
    from: &AccountId,
    to: &AccountId,
    amount: Balance,
    liveness: Liveness,
) -> Result<(), Error> {
    with_transaction(ext, |ext| {
        if amount == 0 {
            return Err(Error::ZeroAmount);
        }
        let mut details = live_details(ext, id)?;
        let sender = token_account(ext, id, from).ok_or(Error::InsufficientBalance)?;
        if sender.frozen {
            return Err(Error::AccountFrozen);
        }
        if sender.balance < amount {
            return Err(Error::InsufficientBalance);
        }
        if from != to {
            let dust = debit(ext, id, &mut details, from, amount, liveness)?;
            credit(ext, id, &mut details, to, amount, false)?;
            details.supply = details.supply.checked_sub(dust).ok_or(Error::Overflow)?;
            put(ext, &storage::token(id), &details);
        }
        deposit_event(
            ext,
            Event::Transferred {
                token: id,
                from: *from,
                to: *to,
                amount,
            },
        );
        Ok(())
    })
}

/// Create `amount` of token `id` in `who`'s account, whoever the issuer is.
pub fn mint_into(
    ext: &mut dyn Externalities,
    id: TokenId,
    who: &AccountId,
    amount: Balance,
) -> Result<(), Error> {
    with_transaction(ext, |ext| {
        if amount == 0 {
            return Err(Error::ZeroAmount);
        }
        let mut details = live_details(ext, id)?;
        details.supply = details.supply.checked_add(amount).ok_or(Error::Overflow)?;
        credit(ext, id, &mut details, who, amount, false)?;
        put(ext, &storage::token(id), &details);
        deposit_event(
            ext,
            Event::Issued {
                token: id,
                owner: *who,
                amount,
            },
        );
        Ok(())
    })
}

/// Destroy `amount` of token `id` from `who`'s account, whoever the admin is; a
/// remainder below the minimum balance is burned with it. Returns what was burned.
pub fn burn_from(
    ext: &mut dyn Externalities,
    id: TokenId,
    who: &AccountId,
    amount: Balance,
) -> Result<Balance, Error> {
    with_transaction(ext, |ext| {
        if amount == 0 {
            return Err(Error::ZeroAmount);
        }
        let mut details = live_details(ext, id)?;
        let dust = debit(ext, id, &mut details, who, amount, Liveness::AllowDeath)?;
        let burned = amount.checked_add(dust).ok_or(Error::Overflow)?;
        details.supply = details.supply.checked_sub(burned).ok_or(Error::Overflow)?;
        put(ext, &storage::token(id), &details);
        deposit_event(
            ext,
            Event::Burned {
                token: id,
                owner: *who,
                amount: burned,
            },
        );
        Ok(burned)
    })
}

/// Open a sticky account of token `id` for `who` (a pallet's account, such as a DEX
/// pool): it may hold any balance, zero included, and is never reaped. An existing
/// account becomes sticky.
pub fn touch(ext: &mut dyn Externalities, id: TokenId, who: &AccountId) -> Result<(), Error> {
    with_transaction(ext, |ext| {
        let mut details = live_details(ext, id)?;
        match token_account(ext, id, who) {
            Some(account) if account.sticky => {}
            Some(mut account) => {
                account.sticky = true;
                put(ext, &storage::account(id, who), &account);
                details.pallet_accounts = details
                    .pallet_accounts
                    .checked_add(1)
                    .ok_or(Error::Overflow)?;
            }
            None => {
                credit(ext, id, &mut details, who, 0, true)?;
                details.pallet_accounts = details
                    .pallet_accounts
                    .checked_add(1)
                    .ok_or(Error::Overflow)?;
            }
        }
        put(ext, &storage::token(id), &details);
        deposit_event(
            ext,
            Event::Touched {
                token: id,
                who: *who,
            },
        );
        Ok(())
    })
}
