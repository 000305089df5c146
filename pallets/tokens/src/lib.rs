//! Tokens: a registry of fungible tokens beside CAES, in the spirit of
//! `pallet-assets` and ERC-20.
//!
//! Anyone can create a token by reserving a CAES deposit; the creator holds four
//! roles it can hand out (owner, issuer, admin, freezer). A token has bounded
//! metadata, a minimum balance (a smaller remainder is burned as dust, so empty
//! accounts cannot fill the state for free), approvals, freezing of accounts and of
//! the whole token, and destruction in bounded steps.
//!
//! Every holder and approval sits in a list indexed by position, so destruction
//! walks them in steps of [`REMOVE_ITEMS_LIMIT`] without iterating storage, and
//! `try_state` checks, from the same lists, that each token's supply equals the sum
//! of its balances.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

mod admin;
#[cfg(feature = "runtime-benchmarks")]
pub mod benchmarking;
mod calls;
mod destroy;
mod genesis;
mod invariants;
mod ledger;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;
mod types;
pub mod weights;

pub use admin::{approval, create, metadata_deposit};
pub use calls::{dispatch, Call};
pub use genesis::{GenesisConfig, GenesisToken};
pub use ledger::{
    balance, burn_from, details, holder, mint_into, supply, token_account, touch, transfer,
    Liveness,
};
pub use types::*;

use alloc::vec::Vec;
use hm_pallet_system::{self as system, Origin};
use hm_primitives::{
    storage_key::{map_key, value_key},
    AccountId, Balance, UNITS,
};
use hm_support::{get, Externalities, Weight};
use parity_scale_codec::{Decode, Encode};
use scale_info::TypeInfo;

// ---------------------------------------------------------------------------
// Config and constants

/// Storage prefix of every item of this pallet.
pub const PALLET: &[u8] = b"Tokens";
/// Index of this pallet in the runtime's `Call` and event enums.
pub const PALLET_INDEX: u8 = 4;
/// CAES reserved from whoever creates a token, returned when it is destroyed.
pub const TOKEN_DEPOSIT: Balance = 10 * UNITS;
/// CAES reserved for metadata: a base, plus this per byte of name and symbol.
pub const METADATA_DEPOSIT_BASE: Balance = UNITS / 10;
pub const METADATA_DEPOSIT_PER_BYTE: Balance = UNITS / 1_000;
/// CAES reserved from an owner for each approval it has outstanding.
pub const APPROVAL_DEPOSIT: Balance = UNITS / 100;
/// Longest name and symbol, in bytes.
pub const MAX_NAME_LEN: u32 = 64;
pub const MAX_SYMBOL_LEN: u32 = 16;
/// Most decimals: 10^38 is the largest power of ten below 2^128.
pub const MAX_DECIMALS: u8 = 38;
/// Accounts or approvals one destroy step removes.
pub const REMOVE_ITEMS_LIMIT: u32 = 100;

// ---------------------------------------------------------------------------
// Storage items

/// Raw storage keys, one function per item.
pub mod storage {
    use super::*;

    /// `Token: TokenId -> TokenDetails`.
    pub fn token(id: TokenId) -> Vec<u8> {
        map_key(PALLET, b"Token", &id.encode())
    }
    /// `Metadata: TokenId -> TokenMetadata`.
    pub fn metadata(id: TokenId) -> Vec<u8> {
        map_key(PALLET, b"Metadata", &id.encode())
    }
    /// `Account: (TokenId, AccountId) -> TokenAccount`.
    pub fn account(id: TokenId, who: &AccountId) -> Vec<u8> {
        map_key(PALLET, b"Account", &(id, who).encode())
    }
    /// `Holder: (TokenId, u32) -> AccountId`: the holder list.
    pub fn holder(id: TokenId, index: u32) -> Vec<u8> {
        map_key(PALLET, b"Holder", &(id, index).encode())
    }
    /// `Approval: (TokenId, owner, delegate) -> Approval`.
    pub fn approval(id: TokenId, owner: &AccountId, delegate: &AccountId) -> Vec<u8> {
        map_key(PALLET, b"Approval", &(id, owner, delegate).encode())
    }
    /// `ApprovalEntry: (TokenId, u32) -> (owner, delegate)`: the approval list.
    pub fn approval_entry(id: TokenId, index: u32) -> Vec<u8> {
        map_key(PALLET, b"ApprovalEntry", &(id, index).encode())
    }
    /// `NextTokenId: TokenId`.
    pub fn next_token_id() -> Vec<u8> {
        value_key(PALLET, b"NextTokenId")
    }
}

/// The id the next created token gets.
pub fn next_token_id(ext: &dyn Externalities) -> TokenId {
    get(ext, &storage::next_token_id()).unwrap_or(0)
}

/// Token `id`'s metadata, or `None` when none is set.
pub fn metadata(ext: &dyn Externalities, id: TokenId) -> Option<TokenMetadata> {
    get(ext, &storage::metadata(id))
}

// ---------------------------------------------------------------------------
// Events

#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum Event {
    #[codec(index = 0)]
    Created {
        token: TokenId,
        creator: AccountId,
        owner: AccountId,
    },
    #[codec(index = 1)]
    Issued {
        token: TokenId,
        owner: AccountId,
        amount: Balance,
    },
    /// `amount` includes any dust burned with it.
    #[codec(index = 2)]
    Burned {
        token: TokenId,
        owner: AccountId,
        amount: Balance,
    },
    #[codec(index = 3)]
    Transferred {
        token: TokenId,
        from: AccountId,
        to: AccountId,
        amount: Balance,
    },
    /// An account fell below the minimum balance and was removed; `amount` was burned.
    #[codec(index = 4)]
    DustLost {
        token: TokenId,
        account: AccountId,
        amount: Balance,
    },
    #[codec(index = 5)]
    MetadataSet {
        token: TokenId,
        name: Vec<u8>,
        symbol: Vec<u8>,
        decimals: u8,
    },
    #[codec(index = 6)]
    MetadataCleared { token: TokenId },
    #[codec(index = 7)]
    TeamChanged {
        token: TokenId,
        issuer: AccountId,
        admin: AccountId,
        freezer: AccountId,
    },
    #[codec(index = 8)]
    OwnerChanged { token: TokenId, owner: AccountId },
    #[codec(index = 9)]
    Frozen { token: TokenId, who: AccountId },
    #[codec(index = 10)]
    Thawed { token: TokenId, who: AccountId },
    #[codec(index = 11)]
    TokenFrozen { token: TokenId },
    #[codec(index = 12)]
    TokenThawed { token: TokenId },
    /// `delegate` may now move up to `amount` (in total) of `owner`'s balance.
    #[codec(index = 13)]
    ApprovedTransfer {
        token: TokenId,
        owner: AccountId,
        delegate: AccountId,
        amount: Balance,
    },
    #[codec(index = 14)]
    ApprovalCancelled {
        token: TokenId,
        owner: AccountId,
        delegate: AccountId,
    },
    #[codec(index = 15)]
    TransferredApproved {
        token: TokenId,
        owner: AccountId,
        delegate: AccountId,
        destination: AccountId,
        amount: Balance,
    },
    #[codec(index = 16)]
    DestructionStarted { token: TokenId },
    #[codec(index = 17)]
    AccountsDestroyed {
        token: TokenId,
        destroyed: u32,
        remaining: u32,
    },
    #[codec(index = 18)]
    ApprovalsDestroyed {
        token: TokenId,
        destroyed: u32,
        remaining: u32,
    },
    #[codec(index = 19)]
    Destroyed { token: TokenId },
    /// A pallet opened a sticky account for `who` (see `TokenAccount::sticky`).
    #[codec(index = 20)]
    Touched { token: TokenId, who: AccountId },
}

fn deposit_event(ext: &mut dyn Externalities, event: Event) {
    system::deposit_event(ext, PALLET_INDEX, &event);
}

// ---------------------------------------------------------------------------
// Errors

#[derive(Clone, Copy, PartialEq, Eq, Debug, TypeInfo)]
#[repr(u8)]
pub enum Error {
    /// No token has this id.
    UnknownToken = 0,
    /// The signer does not hold the role the call needs.
    NoPermission = 1,
    /// The account holds less of the token than the amount.
    InsufficientBalance = 2,
    /// A new account would hold less than the token's minimum balance.
    BelowMinimum = 3,
    /// The sender would fall below the minimum balance and be removed.
    KeepAlive = 4,
    /// A balance or the supply would not fit in 128 bits.
    Overflow = 5,
    /// The amount is zero.
    ZeroAmount = 6,
    /// The freezer froze the sending account.
    AccountFrozen = 7,
    /// The freezer froze the whole token.
    TokenFrozen = 8,
    /// The token is being destroyed: only the destroy steps work.
    Destroying = 9,
    /// A destroy step on a token whose destruction has not started.
    NotDestroying = 10,
    /// `finish_destroy` while accounts or approvals remain.
    InUse = 11,
    /// A name or symbol too long, or too many decimals.
    BadMetadata = 12,
    /// No approval, or one smaller than the amount.
    Unapproved = 13,
    /// The minimum balance must be positive.
    MinBalanceZero = 14,
    /// The owner cannot reserve the CAES deposit.
    CannotPayDeposit = 15,
    /// An owner cannot approve itself.
    SelfApproval = 16,
    /// The token is not frozen (thaw), or already is (freeze).
    StatusUnchanged = 17,
    /// A pallet holds the token in this account (a DEX pool), or in some account when
    /// destroying: the pallet's state counts on those funds.
    HeldByPallet = 18,
}

impl Error {
    pub fn message(self) -> &'static str {
        match self {
            Error::UnknownToken => "no token with this id",
            Error::NoPermission => "the signer does not hold the role this call needs",
            Error::InsufficientBalance => "insufficient token balance",
            Error::BelowMinimum => "the new account would hold less than the minimum balance",
            Error::KeepAlive => "the account would fall below the minimum balance",
            Error::Overflow => "token balance overflow",
            Error::ZeroAmount => "the amount is zero",
            Error::AccountFrozen => "the account is frozen",
            Error::TokenFrozen => "the token is frozen",
            Error::Destroying => "the token is being destroyed",
            Error::NotDestroying => "the token's destruction has not started",
            Error::InUse => "accounts or approvals remain",
            Error::BadMetadata => "name, symbol or decimals out of bounds",
            Error::Unapproved => "no approval covers this amount",
            Error::MinBalanceZero => "the minimum balance must be positive",
            Error::CannotPayDeposit => "the owner cannot reserve the deposit",
            Error::SelfApproval => "an owner cannot approve itself",
            Error::StatusUnchanged => "the token is already in that state",
            Error::HeldByPallet => "a pallet holds this token here (a DEX pool)",
        }
    }
}

hm_support::impl_dispatch_error!(Error, PALLET_INDEX);

// ---------------------------------------------------------------------------
// The pallet in the runtime's list

pub struct Pallet;

impl hm_support::Pallet for Pallet {
    const INDEX: u8 = PALLET_INDEX;
    const NAME: &'static str = "Tokens";
    type Call = Call;
    type Event = Event;
    type Error = Error;
    type GenesisConfig = GenesisConfig;

    fn call_weight(call: &Call) -> Weight {
        call.weight()
    }

    fn dispatch(
        ext: &mut dyn Externalities,
        origin: Origin,
        call: Call,
    ) -> hm_support::DispatchResultWithPostInfo {
        dispatch(ext, origin, call)
    }

    fn build_genesis(
        ext: &mut dyn Externalities,
        config: &GenesisConfig,
    ) -> Result<(), &'static str> {
        config.build(ext)
    }

    fn try_state(ext: &dyn Externalities) -> Result<(), &'static str> {
        invariants::check(ext)
    }

    fn storage_metadata() -> Vec<frame_metadata::v15::StorageEntryMetadata> {
        use hm_support::metadata::{storage_map, storage_value};
        alloc::vec![
            storage_map::<TokenId, TokenDetails>(
                "Token",
                &["Roles, supply and status of a token."]
            ),
            storage_map::<TokenId, TokenMetadata>("Metadata", &["Name, symbol and decimals."]),
            storage_map::<(TokenId, AccountId), TokenAccount>("Account", &["A holding."]),
            storage_map::<(TokenId, u32), AccountId>("Holder", &["The holder list."]),
            storage_map::<(TokenId, AccountId, AccountId), Approval>(
                "Approval",
                &["Allowance of (token, owner, delegate)."]
            ),
            storage_map::<(TokenId, u32), (AccountId, AccountId)>(
                "ApprovalEntry",
                &["The approval list: (owner, delegate)."]
            ),
            storage_value::<TokenId>("NextTokenId", &["The id the next token gets."]),
        ]
    }

    fn constants_metadata() -> Vec<frame_metadata::v15::PalletConstantMetadata> {
        use hm_support::metadata::constant;
        alloc::vec![
            constant(
                "TokenDeposit",
                &TOKEN_DEPOSIT,
                &["CAES reserved to create a token."]
            ),
            constant(
                "MetadataDepositBase",
                &METADATA_DEPOSIT_BASE,
                &["CAES reserved for metadata."]
            ),
            constant(
                "MetadataDepositPerByte",
                &METADATA_DEPOSIT_PER_BYTE,
                &["CAES reserved per byte of name and symbol."]
            ),
            constant(
                "ApprovalDeposit",
                &APPROVAL_DEPOSIT,
                &["CAES reserved per approval."]
            ),
            constant("MaxNameLen", &MAX_NAME_LEN, &["Longest name, in bytes."]),
            constant(
                "MaxSymbolLen",
                &MAX_SYMBOL_LEN,
                &["Longest symbol, in bytes."]
            ),
            constant(
                "RemoveItemsLimit",
                &REMOVE_ITEMS_LIMIT,
                &["Items one destroy step removes."]
            ),
        ]
    }
}

/// Names of this pallet's runtime APIs (read-only queries the node answers through
/// the runtime, see `hm_runtime::call_runtime_api`), and their bounds.
pub mod runtime_api {
    /// `(TokenId) -> Option<(TokenDetails, Option<TokenMetadata>)>`
    pub const TOKEN: &str = "TokensApi_token";
    /// `((TokenId, AccountId)) -> Option<TokenAccount>`
    pub const ACCOUNT: &str = "TokensApi_account";
    /// `((start: TokenId, count: u32)) -> (Vec<(TokenId, TokenDetails,
    /// Option<TokenMetadata>)>, next: Option<TokenId>)`: at most `min(count, MAX_PAGE)`.
    pub const LIST: &str = "TokensApi_list";
    /// Most tokens one `LIST` page returns.
    pub const MAX_PAGE: u32 = 100;
}
