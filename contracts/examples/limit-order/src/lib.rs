//! A limit order on the DEX: sell `amount_in` of a token for at least `min_out` of the
//! last asset of `path`, before block `expires_at`. It uses `call_runtime`: the
//! contract pulls the tokens with the approval its owner granted it and swaps them as
//! itself, paying the output straight to the owner.
//!
//! The order never holds funds between calls, so it cannot lose them: the owner keeps
//! the tokens until a fill, and a fill either swaps at the limit or better and pays the
//! owner, or reverts and changes nothing (the pull and the swap roll back together).
//! Anyone may call `fill` (a keeper watching the pool's price); only the owner may
//! `cancel`. Cancelling does not withdraw the approval: the owner does that with the
//! tokens pallet (`cancel_approval`).
//!
//! Deploy input: SCALE((path: Vec<Asset>, amount_in: u128, min_out: u128,
//! expires_at: u64)), with `path[0]` a token. The deployer is the owner.
#![cfg(target_arch = "wasm32")]
#![no_std]

extern crate alloc;

use alloc::vec::Vec;

use hm_contract_sdk::runtime::{self, Asset, RuntimeCallError};
use hm_contract_sdk::scale::{Decode, Encode};
use hm_contract_sdk::{emit, env, AccountId, Balance, StorageValue};

/// The DEX's longest path: four hops.
pub const MAX_PATH: usize = 5;

/// The order, fixed at deploy.
const ORDER: StorageValue<Order> = StorageValue::new(b"o");
/// Where the order stands.
const STATE: StorageValue<State> = StorageValue::new(b"s");

/// What the owner asked for.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
#[codec(crate = hm_contract_sdk::scale)]
pub struct Order {
    pub owner: AccountId,
    /// The swap's path: a token first, the asset wanted last.
    pub path: Vec<Asset>,
    pub amount_in: Balance,
    /// The limit: the least the owner accepts for `amount_in`.
    pub min_out: Balance,
    /// Last block at which the order may be filled.
    pub expires_at: u64,
}

#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug)]
#[codec(crate = hm_contract_sdk::scale)]
pub enum State {
    Open,
    /// Filled at this block.
    Filled(u64),
    Cancelled,
}

/// Why a message reverted (revert data is this, SCALE-encoded).
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
#[codec(crate = hm_contract_sdk::scale)]
pub enum Error {
    /// Deploy: a path of fewer than 2 or more than `MAX_PATH` assets, or one that does
    /// not start with a token.
    InvalidPath,
    /// Deploy: a zero amount or limit.
    ZeroAmount,
    /// Deploy: the order would expire before it is placed.
    AlreadyExpired,
    /// The order was filled or cancelled.
    Closed,
    /// The order's last block has passed.
    Expired,
    /// Only the owner may cancel.
    NotOwner,
    /// Pulling the owner's tokens failed (no approval, too small an approval, or not
    /// enough tokens): the runtime's error.
    PullFailed(RuntimeCallError),
    /// The swap failed: below the limit (`Failed { pallet: 5, error: 10 }`, the DEX's
    /// `AmountOutTooLow`), or no pool. Nothing changed.
    SwapFailed(RuntimeCallError),
}

hm_contract_sdk::event! {
    /// The order was filled: the owner received at least `min_out`.
    pub struct Filled {
        #[topic] pub owner: AccountId,
        #[topic] pub keeper: AccountId,
        pub amount_in: Balance,
        pub min_out: Balance,
    }
}

hm_contract_sdk::event! {
    /// The owner cancelled the order.
    pub struct Cancelled {
        #[topic] pub owner: AccountId,
    }
}

/// The order, if it may still be filled or cancelled.
fn open_order() -> Result<Order, Error> {
    if STATE.get() != Some(State::Open) {
        return Err(Error::Closed);
    }
    ORDER.get().ok_or(Error::Closed)
}

hm_contract_sdk::contract! {
    /// Places the order for the deployer.
    #[deploy]
    fn new(path: Vec<Asset>, amount_in: Balance, min_out: Balance, expires_at: u64) -> Result<(), Error> {
        if path.len() < 2 || path.len() > MAX_PATH || !matches!(path[0], Asset::Token(_)) {
            return Err(Error::InvalidPath);
        }
        if amount_in == 0 || min_out == 0 {
            return Err(Error::ZeroAmount);
        }
        if expires_at < env::block_number() {
            return Err(Error::AlreadyExpired);
        }
        let order = Order { owner: env::caller(), path, amount_in, min_out, expires_at };
        ORDER.set(&order);
        STATE.set(&State::Open);
        Ok(())
    }

    /// Fills the order if the pool pays at least the limit; reverts with the reason
    /// otherwise. Anyone may call it.
    #[message]
    fn fill() -> Result<(), Error> {
        let order = open_order()?;
        let now = env::block_number();
        if now > order.expires_at {
            return Err(Error::Expired);
        }
        let Asset::Token(token) = order.path[0] else {
            return Err(Error::InvalidPath);
        };
        let this = env::address();
        let pull = runtime::tokens_transfer_approved(token, &order.owner, &this, order.amount_in);
        env::call_runtime(&pull).map_err(Error::PullFailed)?;
        let swap = runtime::dex_swap_exact_in(
            &order.path,
            order.amount_in,
            order.min_out,
            &order.owner,
            now,
        );
        env::call_runtime(&swap).map_err(Error::SwapFailed)?;
        STATE.set(&State::Filled(now));
        emit(&Filled {
            owner: order.owner,
            keeper: env::caller(),
            amount_in: order.amount_in,
            min_out: order.min_out,
        });
        Ok(())
    }

    /// Closes the order for good (the owner only).
    #[message]
    fn cancel() -> Result<(), Error> {
        let order = open_order()?;
        if env::caller() != order.owner {
            return Err(Error::NotOwner);
        }
        STATE.set(&State::Cancelled);
        emit(&Cancelled { owner: order.owner });
        Ok(())
    }

    /// The order as placed.
    #[message]
    fn order() -> Option<Order> {
        ORDER.get()
    }

    /// Where the order stands.
    #[message]
    fn state() -> Option<State> {
        STATE.get()
    }
}
