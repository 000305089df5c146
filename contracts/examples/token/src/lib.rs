//! A fungible token: balances, allowances and `Transfer`/`Approval` events.
//!
//! Deploy input: SCALE(initial_supply: u128), minted to the deployer. All arithmetic is
//! checked; balances that reach zero are removed so their storage deposit is refunded.
#![cfg(target_arch = "wasm32")]
#![no_std]

extern crate alloc;

use hm_contract_sdk::scale::{Decode, Encode};
use hm_contract_sdk::{emit, env, AccountId, Balance, StorageMap, StorageValue};

/// Sum of all balances.
const TOTAL_SUPPLY: StorageValue<Balance> = StorageValue::new(b"s");
/// Non-zero balances.
const BALANCES: StorageMap<AccountId, Balance> = StorageMap::new(b"b");
/// Non-zero allowances, keyed by (owner, spender).
const ALLOWANCES: StorageMap<(AccountId, AccountId), Balance> = StorageMap::new(b"a");

/// Why a message reverted (revert data is this, SCALE-encoded).
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug)]
#[codec(crate = hm_contract_sdk::scale)]
pub enum Error {
    /// The sender's balance is lower than the amount.
    InsufficientBalance,
    /// The spender's allowance is lower than the amount.
    InsufficientAllowance,
    /// A balance or the supply would exceed `u128::MAX`.
    Overflow,
}

hm_contract_sdk::event! {
    /// Tokens moved; `from` is `None` when minted.
    pub struct Transfer {
        #[topic] pub from: Option<AccountId>,
        #[topic] pub to: Option<AccountId>,
        pub value: Balance,
    }
}

hm_contract_sdk::event! {
    /// `owner` allowed `spender` to move up to `value` of its tokens.
    pub struct Approval {
        #[topic] pub owner: AccountId,
        #[topic] pub spender: AccountId,
        pub value: Balance,
    }
}

fn set_balance(owner: &AccountId, value: Balance) {
    if value == 0 {
        BALANCES.remove(owner);
    } else {
        BALANCES.insert(owner, &value);
    }
}

fn set_allowance(owner: &AccountId, spender: &AccountId, value: Balance) {
    let key = (*owner, *spender);
    if value == 0 {
        ALLOWANCES.remove(&key);
    } else {
        ALLOWANCES.insert(&key, &value);
    }
}

/// Moves `value` from `from` to `to` and emits `Transfer`.
fn move_tokens(from: &AccountId, to: &AccountId, value: Balance) -> Result<(), Error> {
    let from_balance = BALANCES.get_or_default(from);
    let from_after = from_balance
        .checked_sub(value)
        .ok_or(Error::InsufficientBalance)?;
    // A self-transfer changes nothing, but still needs the balance check above.
    if from != to {
        let to_after = BALANCES
            .get_or_default(to)
            .checked_add(value)
            .ok_or(Error::Overflow)?;
        set_balance(from, from_after);
        set_balance(to, to_after);
    }
    emit(&Transfer {
        from: Some(*from),
        to: Some(*to),
        value,
    });
    Ok(())
}

hm_contract_sdk::contract! {
    /// Mints `initial_supply` to the deployer.
    #[deploy]
    fn new(initial_supply: Balance) -> Result<(), Error> {
        let owner = env::caller();
        TOTAL_SUPPLY.set(&initial_supply);
        set_balance(&owner, initial_supply);
        emit(&Transfer { from: None, to: Some(owner), value: initial_supply });
        Ok(())
    }

    /// All tokens in existence.
    #[message]
    fn total_supply() -> Balance {
        TOTAL_SUPPLY.get_or_default()
    }

    /// `owner`'s balance.
    #[message]
    fn balance_of(owner: AccountId) -> Balance {
        BALANCES.get_or_default(&owner)
    }

    /// How much `spender` may still move from `owner`.
    #[message]
    fn allowance(owner: AccountId, spender: AccountId) -> Balance {
        ALLOWANCES.get_or_default(&(owner, spender))
    }

    /// Moves `value` from the caller to `to`.
    #[message]
    fn transfer(to: AccountId, value: Balance) -> Result<(), Error> {
        move_tokens(&env::caller(), &to, value)
    }

    /// Lets `spender` move up to `value` of the caller's tokens (replaces any previous
    /// allowance).
    #[message]
    fn approve(spender: AccountId, value: Balance) -> Result<(), Error> {
        let owner = env::caller();
        set_allowance(&owner, &spender, value);
        emit(&Approval { owner, spender, value });
        Ok(())
    }

    /// Moves `value` from `from` to `to` on the caller's allowance from `from`.
    #[message]
    fn transfer_from(from: AccountId, to: AccountId, value: Balance) -> Result<(), Error> {
        let spender = env::caller();
        let allowance = ALLOWANCES.get_or_default(&(from, spender));
        let remaining = allowance.checked_sub(value).ok_or(Error::InsufficientAllowance)?;
        move_tokens(&from, &to, value)?;
        set_allowance(&from, &spender, remaining);
        Ok(())
    }
}
