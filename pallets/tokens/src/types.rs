//! Data types of the tokens pallet.
use alloc::vec::Vec;
use hm_primitives::{AccountId, Balance};
use parity_scale_codec::{Decode, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// A token's id, assigned in creation order from 0.
pub type TokenId = u32;

/// Whether a token's balances can move.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub enum TokenStatus {
    /// Transfers, mints and burns work.
    Live,
    /// The freezer stopped every transfer; the admin can thaw it.
    Frozen,
    /// The owner started destroying it: only the destroy steps work.
    Destroying,
}

/// A token: its roles, supply and bookkeeping.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct TokenDetails {
    /// Can set metadata and the team, transfer ownership and destroy. Holds the deposits.
    pub owner: AccountId,
    /// Can mint.
    pub issuer: AccountId,
    /// Can burn from any account and thaw.
    pub admin: AccountId,
    /// Can freeze accounts and the token.
    pub freezer: AccountId,
    /// Sum of every account's balance.
    pub supply: Balance,
    /// CAES reserved from the owner for the token itself (0 for tokens pallets create).
    pub deposit: Balance,
    /// Smallest balance an account may hold; a smaller remainder is burned as dust.
    pub min_balance: Balance,
    /// Accounts holding the token (the length of its holder list).
    pub accounts: u32,
    /// Approvals outstanding (the length of its approval list).
    pub approvals: u32,
    /// Sticky accounts: accounts pallets hold the token in (DEX pools). While any
    /// exists the token cannot be destroyed, and those accounts cannot be burned from
    /// or frozen, so no role can take what a pallet's state counts on.
    pub pallet_accounts: u32,
    pub status: TokenStatus,
}

/// One account's holding of a token.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct TokenAccount {
    pub balance: Balance,
    /// Set by the freezer: the account can receive but not send.
    pub frozen: bool,
    /// Kept at any balance, zero included, and never reaped: accounts a pallet holds
    /// funds in (a DEX pool), whose balance is tracked in that pallet's state.
    pub sticky: bool,
    /// Position in the token's holder list, so destruction can walk it in bounded steps.
    pub index: u32,
}

/// An allowance from an owner to a delegate.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct Approval {
    pub amount: Balance,
    /// CAES reserved from the owner while the approval exists.
    pub deposit: Balance,
    /// Position in the token's approval list.
    pub index: u32,
}

/// Name, symbol and decimals, each bounded.
#[derive(Clone, PartialEq, Eq, Debug, Default, Encode, Decode, TypeInfo)]
pub struct TokenMetadata {
    pub name: Vec<u8>,
    pub symbol: Vec<u8>,
    pub decimals: u8,
    /// CAES reserved from the owner for these bytes.
    pub deposit: Balance,
}
