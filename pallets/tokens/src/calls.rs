//! The calls of the tokens pallet, their weights and their dispatch.
use crate::{admin, destroy, ledger, weights, Error, Liveness, TokenId, REMOVE_ITEMS_LIMIT};
use alloc::vec::Vec;
use hm_pallet_system::{self as system, Origin};
use hm_primitives::{AccountId, Balance};
use hm_support::{
    with_transaction, DispatchResultWithPostInfo, Externalities, PostDispatchInfo, Weight,
};
use parity_scale_codec::{Decode, Encode};
use scale_info::TypeInfo;

#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum Call {
    /// Create a token, reserving `TokenDeposit`; the signer holds every role.
    #[codec(index = 0)]
    Create {
        #[codec(compact)]
        min_balance: Balance,
    },
    /// Owner: set name, symbol and decimals, reserving their deposit.
    #[codec(index = 1)]
    SetMetadata {
        token: TokenId,
        name: Vec<u8>,
        symbol: Vec<u8>,
        decimals: u8,
    },
    /// Owner: remove the metadata and return its deposit.
    #[codec(index = 2)]
    ClearMetadata { token: TokenId },
    /// Owner: hand out the issuer, admin and freezer roles.
    #[codec(index = 3)]
    SetTeam {
        token: TokenId,
        issuer: AccountId,
        admin: AccountId,
        freezer: AccountId,
    },
    /// Owner: hand the token and its deposits to `owner`.
    #[codec(index = 4)]
    TransferOwnership { token: TokenId, owner: AccountId },
    /// Issuer: create `amount` in `beneficiary`'s account.
    #[codec(index = 5)]
    Mint {
        token: TokenId,
        beneficiary: AccountId,
        #[codec(compact)]
        amount: Balance,
    },
    /// Admin: destroy `amount` of `who`'s balance (a remainder below the minimum with it).
    #[codec(index = 6)]
    Burn {
        token: TokenId,
        who: AccountId,
        #[codec(compact)]
        amount: Balance,
    },
    /// Move `amount` to `dest`; the sender is reaped (dust burned) below the minimum.
    #[codec(index = 7)]
    Transfer {
        token: TokenId,
        dest: AccountId,
        #[codec(compact)]
        amount: Balance,
    },
    /// Like `Transfer`, but refuses to take the sender below the minimum balance.
    #[codec(index = 8)]
    TransferKeepAlive {
        token: TokenId,
        dest: AccountId,
        #[codec(compact)]
        amount: Balance,
    },
    /// Let `delegate` move `amount` more of the signer's balance (reserves a deposit).
    #[codec(index = 9)]
    ApproveTransfer {
        token: TokenId,
        delegate: AccountId,
        #[codec(compact)]
        amount: Balance,
    },
    /// Withdraw an approval and return its deposit.
    #[codec(index = 10)]
    CancelApproval { token: TokenId, delegate: AccountId },
    /// Delegate: move `amount` of `owner`'s balance to `destination`.
    #[codec(index = 11)]
    TransferApproved {
        token: TokenId,
        owner: AccountId,
        destination: AccountId,
        #[codec(compact)]
        amount: Balance,
    },
    /// Freezer: stop `who` from sending.
    #[codec(index = 12)]
    Freeze { token: TokenId, who: AccountId },
    /// Admin: let `who` send again.
    #[codec(index = 13)]
    Thaw { token: TokenId, who: AccountId },
    /// Freezer: stop every transfer of the token.
    #[codec(index = 14)]
    FreezeToken { token: TokenId },
    /// Admin: let the token move again.
    #[codec(index = 15)]
    ThawToken { token: TokenId },
    /// Owner: start destroying the token; its balances stop moving.
    #[codec(index = 16)]
    StartDestroy { token: TokenId },
    /// Anyone: remove up to `RemoveItemsLimit` accounts of a token being destroyed.
    #[codec(index = 17)]
    DestroyAccounts { token: TokenId },
    /// Anyone: remove up to `RemoveItemsLimit` approvals of a token being destroyed.
    #[codec(index = 18)]
    DestroyApprovals { token: TokenId },
    /// Anyone: remove a destroyed token with no accounts or approvals left.
    #[codec(index = 19)]
    FinishDestroy { token: TokenId },
}

impl Call {
    pub fn weight(&self) -> Weight {
        match self {
            Call::Create { .. } => weights::CREATE,
            Call::SetMetadata { .. } => weights::SET_METADATA,
            Call::ClearMetadata { .. } => weights::CLEAR_METADATA,
            Call::SetTeam { .. } => weights::SET_TEAM,
            Call::TransferOwnership { .. } => weights::TRANSFER_OWNERSHIP,
            Call::Mint { .. } => weights::MINT,
            Call::Burn { .. } => weights::BURN,
            Call::Transfer { .. } => weights::TRANSFER,
            Call::TransferKeepAlive { .. } => weights::TRANSFER_KEEP_ALIVE,
            Call::ApproveTransfer { .. } => weights::APPROVE_TRANSFER,
            Call::CancelApproval { .. } => weights::CANCEL_APPROVAL,
            Call::TransferApproved { .. } => weights::TRANSFER_APPROVED,
            Call::Freeze { .. } | Call::Thaw { .. } => weights::FREEZE,
            Call::FreezeToken { .. } | Call::ThawToken { .. } => weights::FREEZE_TOKEN,
            Call::StartDestroy { .. } => weights::START_DESTROY,
            Call::DestroyAccounts { .. } => weights::DESTROY_ACCOUNTS,
            Call::DestroyApprovals { .. } => weights::DESTROY_APPROVALS,
            Call::FinishDestroy { .. } => weights::FINISH_DESTROY,
        }
    }
}

/// The share of a full destroy step's weight that removing `removed` items uses:
/// the step was measured removing [`REMOVE_ITEMS_LIMIT`]; one share covers the fixed part.
fn destroy_step_weight(full: Weight, removed: u32) -> PostDispatchInfo {
    let used =
        (full as u128).saturating_mul(removed as u128 + 1) / (REMOVE_ITEMS_LIMIT as u128 + 1);
    PostDispatchInfo {
        actual_weight: Some(used.min(full as u128) as Weight),
    }
}

/// Run `call` as `origin`. Atomic: a failing call leaves the state as it was.
pub fn dispatch(
    ext: &mut dyn Externalities,
    origin: Origin,
    call: Call,
) -> DispatchResultWithPostInfo {
    let who = system::ensure_signed(origin)?;
    with_transaction(ext, |ext| dispatch_signed(ext, &who, call))
}

fn dispatch_signed(
    ext: &mut dyn Externalities,
    who: &AccountId,
    call: Call,
) -> DispatchResultWithPostInfo {
    let done = |r: Result<(), Error>| r.map(|()| PostDispatchInfo::default()).map_err(Into::into);
    match call {
        Call::Create { min_balance } => {
            done(admin::create_with_deposit(ext, who, min_balance).map(|_| ()))
        }
        Call::SetMetadata {
            token,
            name,
            symbol,
            decimals,
        } => done(admin::set_metadata(ext, who, token, name, symbol, decimals)),
        Call::ClearMetadata { token } => done(admin::clear_metadata(ext, who, token)),
        Call::SetTeam {
            token,
            issuer,
            admin,
            freezer,
        } => done(admin::set_team(ext, who, token, issuer, admin, freezer)),
        Call::TransferOwnership { token, owner } => {
            done(admin::transfer_ownership(ext, who, token, owner))
        }
        Call::Mint {
            token,
            beneficiary,
            amount,
        } => {
            let details = crate::details(ext, token).ok_or(Error::UnknownToken)?;
            if details.issuer != *who {
                return Err(Error::NoPermission.into());
            }
            done(ledger::mint_into(ext, token, &beneficiary, amount))
        }
        Call::Burn {
            token,
            who: target,
            amount,
        } => {
            let details = crate::details(ext, token).ok_or(Error::UnknownToken)?;
            if details.admin != *who {
                return Err(Error::NoPermission.into());
            }
            if ledger::token_account(ext, token, &target).is_some_and(|a| a.sticky) {
                return Err(Error::HeldByPallet.into());
            }
            done(ledger::burn_from(ext, token, &target, amount).map(|_| ()))
        }
        Call::Transfer {
            token,
            dest,
            amount,
        } => done(ledger::transfer(
            ext,
            token,
            who,
            &dest,
            amount,
            Liveness::AllowDeath,
        )),
        Call::TransferKeepAlive {
            token,
            dest,
            amount,
        } => done(ledger::transfer(
            ext,
            token,
            who,
            &dest,
            amount,
            Liveness::KeepAlive,
        )),
        Call::ApproveTransfer {
            token,
            delegate,
            amount,
        } => done(admin::approve(ext, who, token, delegate, amount)),
        Call::CancelApproval { token, delegate } => {
            done(admin::cancel_approval(ext, who, token, delegate))
        }
        Call::TransferApproved {
            token,
            owner,
            destination,
            amount,
        } => done(admin::transfer_approved(
            ext,
            who,
            token,
            owner,
            destination,
            amount,
        )),
        Call::Freeze { token, who: target } => {
            done(admin::set_account_frozen(ext, who, token, target, true))
        }
        Call::Thaw { token, who: target } => {
            done(admin::set_account_frozen(ext, who, token, target, false))
        }
        Call::FreezeToken { token } => done(admin::set_token_frozen(ext, who, token, true)),
        Call::ThawToken { token } => done(admin::set_token_frozen(ext, who, token, false)),
        Call::StartDestroy { token } => done(destroy::start_destroy(ext, who, token)),
        Call::DestroyAccounts { token } => destroy::destroy_accounts(ext, token)
            .map(|removed| destroy_step_weight(weights::DESTROY_ACCOUNTS, removed))
            .map_err(Into::into),
        Call::DestroyApprovals { token } => destroy::destroy_approvals(ext, token)
            .map(|removed| destroy_step_weight(weights::DESTROY_APPROVALS, removed))
            .map_err(Into::into),
        Call::FinishDestroy { token } => done(destroy::finish_destroy(ext, token)),
    }
}
