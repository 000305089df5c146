//! What a token's roles do: creation, metadata, the team, freezing, and approvals.
use crate::{
    deposit_event, details, ledger, storage, Approval, Error, Event, Liveness, TokenAccount,
    TokenDetails, TokenId, TokenMetadata, TokenStatus, APPROVAL_DEPOSIT, MAX_DECIMALS,
    MAX_NAME_LEN, MAX_SYMBOL_LEN, METADATA_DEPOSIT_BASE, METADATA_DEPOSIT_PER_BYTE, TOKEN_DEPOSIT,
};
use alloc::vec::Vec;
use hm_pallet_caesar as caesar;
use hm_primitives::{AccountId, Balance};
use hm_support::{get, put, Externalities};

/// The allowance `owner` gave `delegate` on token `id`.
pub fn approval(
    ext: &dyn Externalities,
    id: TokenId,
    owner: &AccountId,
    delegate: &AccountId,
) -> Option<Approval> {
    get(ext, &storage::approval(id, owner, delegate))
}

fn reserve(ext: &mut dyn Externalities, who: &AccountId, amount: Balance) -> Result<(), Error> {
    caesar::reserve(ext, who, amount).map_err(|_| Error::CannotPayDeposit)
}

/// Return a deposit. It was reserved by this pallet, so a failure is a broken
/// invariant; it is reported as an overflow rather than ignored.
pub(crate) fn unreserve(
    ext: &mut dyn Externalities,
    who: &AccountId,
    amount: Balance,
) -> Result<(), Error> {
    caesar::unreserve(ext, who, amount).map_err(|_| Error::Overflow)
}

/// Details of an existing token not being destroyed.
fn not_destroying(ext: &dyn Externalities, id: TokenId) -> Result<TokenDetails, Error> {
    let details = details(ext, id).ok_or(Error::UnknownToken)?;
    if details.status == TokenStatus::Destroying {
        return Err(Error::Destroying);
    }
    Ok(details)
}

fn ensure(allowed: bool) -> Result<(), Error> {
    allowed.then_some(()).ok_or(Error::NoPermission)
}

/// Create a token with `creator` in every role, reserving `deposit` from it.
/// `deposit` is [`TOKEN_DEPOSIT`] for the call; pallets creating tokens pass 0.
pub fn create(
    ext: &mut dyn Externalities,
    creator: &AccountId,
    min_balance: Balance,
    deposit: Balance,
) -> Result<TokenId, Error> {
    hm_support::with_transaction(ext, |ext| {
        if min_balance == 0 {
            return Err(Error::MinBalanceZero);
        }
        let id = crate::next_token_id(ext);
        let next = id.checked_add(1).ok_or(Error::Overflow)?;
        reserve(ext, creator, deposit)?;
        let details = TokenDetails {
            owner: *creator,
            issuer: *creator,
            admin: *creator,
            freezer: *creator,
            supply: 0,
            deposit,
            min_balance,
            accounts: 0,
            approvals: 0,
            pallet_accounts: 0,
            status: TokenStatus::Live,
        };
        put(ext, &storage::token(id), &details);
        put(ext, &storage::next_token_id(), &next);
        deposit_event(
            ext,
            Event::Created {
                token: id,
                creator: *creator,
                owner: *creator,
            },
        );
        Ok(id)
    })
}

/// The call's creation: the standard deposit.
pub(crate) fn create_with_deposit(
    ext: &mut dyn Externalities,
    creator: &AccountId,
    min_balance: Balance,
) -> Result<TokenId, Error> {
    create(ext, creator, min_balance, TOKEN_DEPOSIT)
}

/// Deposit for metadata of these lengths.
pub fn metadata_deposit(name_len: usize, symbol_len: usize) -> Option<Balance> {
    let bytes = Balance::try_from(name_len.checked_add(symbol_len)?).ok()?;
    METADATA_DEPOSIT_PER_BYTE
        .checked_mul(bytes)?
        .checked_add(METADATA_DEPOSIT_BASE)
}

pub(crate) fn set_metadata(
    ext: &mut dyn Externalities,
    who: &AccountId,
    id: TokenId,
    name: Vec<u8>,
    symbol: Vec<u8>,
    decimals: u8,
) -> Result<(), Error> {
    let details = not_destroying(ext, id)?;
    ensure(details.owner == *who)?;
    if name.len() > MAX_NAME_LEN as usize
        || symbol.len() > MAX_SYMBOL_LEN as usize
        || decimals > MAX_DECIMALS
    {
        return Err(Error::BadMetadata);
    }
    let deposit = metadata_deposit(name.len(), symbol.len()).ok_or(Error::Overflow)?;
    let old = crate::metadata(ext, id).map_or(0, |m| m.deposit);
    if deposit > old {
        reserve(ext, who, deposit - old)?;
    } else {
        unreserve(ext, who, old - deposit)?;
    }
    deposit_event(
        ext,
        Event::MetadataSet {
            token: id,
            name: name.clone(),
            symbol: symbol.clone(),
            decimals,
        },
    );
    let metadata = TokenMetadata {
        name,
        symbol,
        decimals,
        deposit,
    };
    put(ext, &storage::metadata(id), &metadata);
    Ok(())
}

pub(crate) fn clear_metadata(
    ext: &mut dyn Externalities,
    who: &AccountId,
    id: TokenId,
) -> Result<(), Error> {
    let details = not_destroying(ext, id)?;
    ensure(details.owner == *who)?;
    let metadata = crate::metadata(ext, id).ok_or(Error::BadMetadata)?;
    unreserve(ext, who, metadata.deposit)?;
    ext.storage_remove(&storage::metadata(id));
    deposit_event(ext, Event::MetadataCleared { token: id });
    Ok(())
}

pub(crate) fn set_team(
    ext: &mut dyn Externalities,
    who: &AccountId,
    id: TokenId,
    issuer: AccountId,
    admin: AccountId,
    freezer: AccountId,
) -> Result<(), Error> {
    let mut details = not_destroying(ext, id)?;
    ensure(details.owner == *who)?;
    details.issuer = issuer;
    details.admin = admin;
    details.freezer = freezer;
    put(ext, &storage::token(id), &details);
    deposit_event(
        ext,
        Event::TeamChanged {
            token: id,
            issuer,
            admin,
            freezer,
        },
    );
    Ok(())
}

/// Hand the token to `owner`, who takes over its deposits.
pub(crate) fn transfer_ownership(
    ext: &mut dyn Externalities,
    who: &AccountId,
    id: TokenId,
    owner: AccountId,
) -> Result<(), Error> {
    let mut details = not_destroying(ext, id)?;
    ensure(details.owner == *who)?;
    let deposits = crate::metadata(ext, id)
        .map_or(0, |m| m.deposit)
        .checked_add(details.deposit)
        .ok_or(Error::Overflow)?;
    unreserve(ext, who, deposits)?;
    reserve(ext, &owner, deposits)?;
    details.owner = owner;
    put(ext, &storage::token(id), &details);
    deposit_event(ext, Event::OwnerChanged { token: id, owner });
    Ok(())
}

/// Freeze (`frozen`) or thaw one account: the freezer freezes, the admin thaws.
pub(crate) fn set_account_frozen(
    ext: &mut dyn Externalities,
    who: &AccountId,
    id: TokenId,
    target: AccountId,
    frozen: bool,
) -> Result<(), Error> {
    let details = not_destroying(ext, id)?;
    ensure(
        if frozen {
            details.freezer
        } else {
            details.admin
        } == *who,
    )?;
    let mut account: TokenAccount =
        ledger::token_account(ext, id, &target).ok_or(Error::InsufficientBalance)?;
    if account.sticky {
        return Err(Error::HeldByPallet);
    }
    account.frozen = frozen;
    put(ext, &storage::account(id, &target), &account);
    let token = id;
    deposit_event(
        ext,
        if frozen {
            Event::Frozen { token, who: target }
        } else {
            Event::Thawed { token, who: target }
        },
    );
    Ok(())
}

/// Freeze or thaw the whole token: the freezer freezes, the admin thaws.
pub(crate) fn set_token_frozen(
    ext: &mut dyn Externalities,
    who: &AccountId,
    id: TokenId,
    frozen: bool,
) -> Result<(), Error> {
    let mut details = not_destroying(ext, id)?;
    ensure(
        if frozen {
            details.freezer
        } else {
            details.admin
        } == *who,
    )?;
    let (from, to) = if frozen {
        (TokenStatus::Live, TokenStatus::Frozen)
    } else {
        (TokenStatus::Frozen, TokenStatus::Live)
    };
    if details.status != from {
        return Err(Error::StatusUnchanged);
    }
    details.status = to;
    put(ext, &storage::token(id), &details);
    deposit_event(
        ext,
        if frozen {
            Event::TokenFrozen { token: id }
        } else {
            Event::TokenThawed { token: id }
        },
    );
    Ok(())
}

/// Let `delegate` move `amount` more of `owner`'s balance (added to any allowance).
pub(crate) fn approve(
    ext: &mut dyn Externalities,
    owner: &AccountId,
    id: TokenId,
    delegate: AccountId,
    amount: Balance,
) -> Result<(), Error> {
    if amount == 0 {
        return Err(Error::ZeroAmount);
    }
    if *owner == delegate {
        return Err(Error::SelfApproval);
    }
    let mut details = ledger::live_details(ext, id)?;
    let approval = match approval(ext, id, owner, &delegate) {
        Some(mut existing) => {
            existing.amount = existing.amount.checked_add(amount).ok_or(Error::Overflow)?;
            existing
        }
        None => {
            reserve(ext, owner, APPROVAL_DEPOSIT)?;
            let index = details.approvals;
            details.approvals = index.checked_add(1).ok_or(Error::Overflow)?;
            put(
                ext,
                &storage::approval_entry(id, index),
                &(*owner, delegate),
            );
            put(ext, &storage::token(id), &details);
            Approval {
                amount,
                deposit: APPROVAL_DEPOSIT,
                index,
            }
        }
    };
    put(ext, &storage::approval(id, owner, &delegate), &approval);
    deposit_event(
        ext,
        Event::ApprovedTransfer {
            token: id,
            owner: *owner,
            delegate,
            amount: approval.amount,
        },
    );
    Ok(())
}

/// Remove an approval, return its deposit, and let the list's last entry take its place.
pub(crate) fn remove_approval(
    ext: &mut dyn Externalities,
    id: TokenId,
    details: &mut TokenDetails,
    owner: &AccountId,
    delegate: &AccountId,
    approval: Approval,
) -> Result<(), Error> {
    unreserve(ext, owner, approval.deposit)?;
    ext.storage_remove(&storage::approval(id, owner, delegate));
    let last = details.approvals.checked_sub(1).ok_or(Error::Overflow)?;
    if approval.index != last {
        let moved: (AccountId, AccountId) =
            get(ext, &storage::approval_entry(id, last)).ok_or(Error::Overflow)?;
        put(ext, &storage::approval_entry(id, approval.index), &moved);
        let key = storage::approval(id, &moved.0, &moved.1);
        let mut entry: Approval = get(ext, &key).ok_or(Error::Overflow)?;
        entry.index = approval.index;
        put(ext, &key, &entry);
    }
    ext.storage_remove(&storage::approval_entry(id, last));
    details.approvals = last;
    Ok(())
}

pub(crate) fn cancel_approval(
    ext: &mut dyn Externalities,
    owner: &AccountId,
    id: TokenId,
    delegate: AccountId,
) -> Result<(), Error> {
    let mut details = not_destroying(ext, id)?;
    let approval = approval(ext, id, owner, &delegate).ok_or(Error::Unapproved)?;
    remove_approval(ext, id, &mut details, owner, &delegate, approval)?;
    put(ext, &storage::token(id), &details);
    deposit_event(
        ext,
        Event::ApprovalCancelled {
            token: id,
            owner: *owner,
            delegate,
        },
    );
    Ok(())
}

/// `delegate` moves `amount` of `owner`'s balance to `destination`, within its allowance.
pub(crate) fn transfer_approved(
    ext: &mut dyn Externalities,
    delegate: &AccountId,
    id: TokenId,
    owner: AccountId,
    destination: AccountId,
    amount: Balance,
) -> Result<(), Error> {
    let mut approval = approval(ext, id, &owner, delegate).ok_or(Error::Unapproved)?;
    approval.amount = approval
        .amount
        .checked_sub(amount)
        .ok_or(Error::Unapproved)?;
    ledger::transfer(ext, id, &owner, &destination, amount, Liveness::AllowDeath)?;
    if approval.amount == 0 {
        let mut details = details(ext, id).ok_or(Error::UnknownToken)?;
        remove_approval(ext, id, &mut details, &owner, delegate, approval)?;
        put(ext, &storage::token(id), &details);
    } else {
        put(ext, &storage::approval(id, &owner, delegate), &approval);
    }
    deposit_event(
        ext,
        Event::TransferredApproved {
            token: id,
            owner,
            delegate: *delegate,
            destination,
            amount,
        },
    );
    Ok(())
}
