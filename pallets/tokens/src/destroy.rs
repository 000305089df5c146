//! Destroying a token in bounded steps, as `pallet-assets` does: the owner starts it
//! (after which balances no longer move), anyone removes accounts and approvals
//! [`REMOVE_ITEMS_LIMIT`] at a time, and anyone finishes once none remain, which
//! returns the owner's deposits.
use crate::{
    admin, deposit_event, details, holder, ledger, storage, Error, Event, TokenDetails, TokenId,
    TokenStatus, REMOVE_ITEMS_LIMIT,
};
use hm_primitives::AccountId;
use hm_support::{get, put, Externalities};

fn destroying(ext: &dyn Externalities, id: TokenId) -> Result<TokenDetails, Error> {
    let details = details(ext, id).ok_or(Error::UnknownToken)?;
    if details.status != TokenStatus::Destroying {
        return Err(Error::NotDestroying);
    }
    Ok(details)
}

pub(crate) fn start_destroy(
    ext: &mut dyn Externalities,
    who: &AccountId,
    id: TokenId,
) -> Result<(), Error> {
    let mut details = details(ext, id).ok_or(Error::UnknownToken)?;
    if details.owner != *who {
        return Err(Error::NoPermission);
    }
    if details.status == TokenStatus::Destroying {
        return Err(Error::Destroying);
    }
    if details.pallet_accounts > 0 {
        return Err(Error::HeldByPallet);
    }
    details.status = TokenStatus::Destroying;
    put(ext, &storage::token(id), &details);
    deposit_event(ext, Event::DestructionStarted { token: id });
    Ok(())
}

/// Remove up to [`REMOVE_ITEMS_LIMIT`] accounts, burning their balances; how many went.
pub(crate) fn destroy_accounts(ext: &mut dyn Externalities, id: TokenId) -> Result<u32, Error> {
    let mut details = destroying(ext, id)?;
    let mut destroyed = 0;
    while destroyed < REMOVE_ITEMS_LIMIT && details.accounts > 0 {
        let last = details.accounts - 1;
        let who = holder(ext, id, last).ok_or(Error::Overflow)?;
        let account = ledger::token_account(ext, id, &who).ok_or(Error::Overflow)?;
        details.supply = details
            .supply
            .checked_sub(account.balance)
            .ok_or(Error::Overflow)?;
        ext.storage_remove(&storage::account(id, &who));
        ledger::remove_holder(ext, id, &mut details, last);
        destroyed += 1;
    }
    put(ext, &storage::token(id), &details);
    deposit_event(
        ext,
        Event::AccountsDestroyed {
            token: id,
            destroyed,
            remaining: details.accounts,
        },
    );
    Ok(destroyed)
}

/// Remove up to [`REMOVE_ITEMS_LIMIT`] approvals, returning their deposits; how many went.
pub(crate) fn destroy_approvals(ext: &mut dyn Externalities, id: TokenId) -> Result<u32, Error> {
    let mut details = destroying(ext, id)?;
    let mut destroyed = 0;
    while destroyed < REMOVE_ITEMS_LIMIT && details.approvals > 0 {
        let last = details.approvals - 1;
        let (owner, delegate): (AccountId, AccountId) =
            get(ext, &storage::approval_entry(id, last)).ok_or(Error::Overflow)?;
        let approval = admin::approval(ext, id, &owner, &delegate).ok_or(Error::Overflow)?;
        admin::remove_approval(ext, id, &mut details, &owner, &delegate, approval)?;
        destroyed += 1;
    }
    put(ext, &storage::token(id), &details);
    deposit_event(
        ext,
        Event::ApprovalsDestroyed {
            token: id,
            destroyed,
            remaining: details.approvals,
        },
    );
    Ok(destroyed)
}

/// Remove the token once no account or approval remains; return the owner's deposits.
pub(crate) fn finish_destroy(ext: &mut dyn Externalities, id: TokenId) -> Result<(), Error> {
    let details = destroying(ext, id)?;
    if details.accounts > 0 || details.approvals > 0 {
        return Err(Error::InUse);
    }
    let metadata_deposit = crate::metadata(ext, id).map_or(0, |m| m.deposit);
    let deposits = details
        .deposit
        .checked_add(metadata_deposit)
        .ok_or(Error::Overflow)?;
    admin::unreserve(ext, &details.owner, deposits)?;
    ext.storage_remove(&storage::metadata(id));
    ext.storage_remove(&storage::token(id));
    deposit_event(ext, Event::Destroyed { token: id });
    Ok(())
}
