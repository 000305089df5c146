//! The DEX: constant-product pools in the manner of Uniswap v2, over CAES and the
//! tokens of the tokens pallet (the shape of Substrate's `pallet-asset-conversion`).
//!
//! # Pools
//! A pool holds two assets `asset0 < asset1` ([`AssetKind`]: CAES, then tokens by
//! id) in its own account, `AccountId(blake3_256(b"hm/dex/pool" ‖ (asset0,
//! asset1).encode()))`, which nobody can sign for. Its liquidity shares are a token of
//! the tokens pallet (`LP token`, minimum balance 1) whose every role is held by the
//! pool account. Creating a pool opens *sticky* accounts (`tokens::touch`) for the pool
//! on each token side and on its LP token, and for the [`treasury_account`] on each
//! token side, so they may hold any balance and are never reaped. For a CAES side, the
//! creator pays the existential deposit (ED) into the pool account, and into the
//! treasury when that does not exist yet: the ED is not part of the reserves, so the
//! pool pays CAES out with `KeepAlive` and never dies.
//!
//! The reserves live in the pallet's state, never read from a balance: a donation to a
//! pool account stays there (counted by no one) and changes neither a mint nor a
//! swap. So the pool account holds *at least* its reserves (plus the ED for CAES), and
//! exactly that when nobody donated.
//!
//! # Math
//! As Uniswap v2 ([`math`]): the first mint gives `√(a·b) − 1000` shares and locks
//! 1,000 in the pool account; later mints `min(a·S/r0, b·S/r1)`; burns pay `lp·r/S`;
//! swaps pay `in·997·rOut / (rIn·1000 + in·997)` and charge
//! `rIn·out·1000 / ((rOut − out)·997) + 1`; every hop checks that `k` does not fall.
//! Every rounding favours the pool.
//!
//! # Fees
//! Liquidity providers keep 0.3% of each hop's input (the 997/1000 above). The
//! protocol fee, set by root with `set_protocol_fee` in basis points (0 by default, at
//! most [`MAX_PROTOCOL_FEE_BPS`] = 30, i.e. as much as the LP fee), is taken from a
//! swap's input before the first hop, `fee = amount_in·bps/10_000` rounded down, and
//! sent to the treasury. The whole input goes to the first pool, which forwards the
//! fee; the swap's `amount_in` is gross of the fee, and the quotes include it.
//!
//! # Prices over time
//! Each pool keeps Uniswap v2's accumulators: at the first change of a pool in a block,
//! `price0_cumulative += (reserve1 << 112) / reserve0 × blocks elapsed` (and the
//! reverse for `price1`), wrapping in 256 bits, with the reserves as they were before
//! that block's first trade. Time is measured in **blocks**: the runtime has no clock.
//! [`observe`] reads the accumulators as of the current block and [`twap`] turns two
//! observations into the average price over the blocks between them.
//!
//! # Who pays and who is reaped
//! CAES is debited from users with `KeepAlive` (the account pays its fees in CAES), a
//! token with `AllowDeath` (a whole balance can be swapped or deposited; a remainder
//! below the token's minimum balance is burned as dust, as by any token transfer).
//! Every call is atomic: a failing call changes no state.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
pub mod benchmarking;
mod calls;
mod invariants;
pub mod math;
#[cfg(test)]
mod mock;
mod oracle;
mod pool;
#[cfg(test)]
mod proptests;
mod swap;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_swap;
mod types;
pub mod weights;

pub use calls::{dispatch, Call};
pub use math::{get_amount_in, get_amount_out, quote, MINIMUM_LIQUIDITY, U256};
pub use oracle::{observe, twap};
pub use pool::{add_liquidity, create_pool, remove_liquidity, set_protocol_fee};
pub use swap::{quote_exact_in, quote_exact_out, swap_exact_in, swap_exact_out};
pub use types::*;

use alloc::vec::Vec;
use hm_pallet_system::{self as system, Origin};
use hm_pallet_tokens::TokenId;
use hm_primitives::{
    blake3_256,
    storage_key::{map_key, value_key},
    AccountId, Balance, BlockNumber,
};
use hm_support::{get, Externalities, Weight};
use parity_scale_codec::{Decode, Encode};
use scale_info::TypeInfo;

// ---------------------------------------------------------------------------
// Config and constants

/// Storage prefix of every item of this pallet.
pub const PALLET: &[u8] = b"Dex";
/// Index of this pallet in the runtime's `Call` and event enums.
pub const PALLET_INDEX: u8 = 5;
/// Fewest and most assets in a swap path (1 to 4 hops).
pub const MIN_PATH_LEN: u32 = 2;
pub const MAX_PATH_LEN: u32 = 5;
/// Highest protocol fee root may set, in basis points of a swap's input.
pub const MAX_PROTOCOL_FEE_BPS: u16 = 30;
/// Minimum balance of every LP token.
pub const LP_MIN_BALANCE: Balance = 1;
/// Domain of the pool accounts' derivation.
pub const POOL_ACCOUNT_DOMAIN: &[u8] = b"hm/dex/pool";
/// Domain of the treasury account's derivation.
pub const TREASURY_DOMAIN: &[u8] = b"hm/treasury";

// ---------------------------------------------------------------------------
// Storage items

/// Raw storage keys, one function per item.
pub mod storage {
    use super::*;

    /// `Pools: (AssetKind, AssetKind) -> Pool`, keyed by the ordered pair.
    pub fn pool(asset0: &AssetKind, asset1: &AssetKind) -> Vec<u8> {
        map_key(PALLET, b"Pools", &(asset0, asset1).encode())
    }
    /// `PoolIds: u32 -> (AssetKind, AssetKind)`: the pools in creation order.
    pub fn pool_id(index: u32) -> Vec<u8> {
        map_key(PALLET, b"PoolIds", &index.encode())
    }
    /// `PoolCount: u32`: the length of `PoolIds`.
    pub fn pool_count() -> Vec<u8> {
        value_key(PALLET, b"PoolCount")
    }
    /// `ProtocolFeeBps: u16`, absent for 0.
    pub fn protocol_fee_bps() -> Vec<u8> {
        value_key(PALLET, b"ProtocolFeeBps")
    }
}

/// The account holding the pool of `asset0 < asset1`.
pub fn pool_account(asset0: &AssetKind, asset1: &AssetKind) -> AccountId {
    let mut preimage = POOL_ACCOUNT_DOMAIN.to_vec();
    (asset0, asset1).encode_to(&mut preimage);
    AccountId(blake3_256(&preimage).0)
}

/// The account the protocol fee goes to, `AccountId(blake3_256(b"hm/treasury"))`.
pub fn treasury_account() -> AccountId {
    AccountId(blake3_256(TREASURY_DOMAIN).0)
}

/// `(a, b)` in pool order, or `IdenticalAssets`.
pub fn sort_assets(a: AssetKind, b: AssetKind) -> Result<(AssetKind, AssetKind), Error> {
    match a.cmp(&b) {
        core::cmp::Ordering::Less => Ok((a, b)),
        core::cmp::Ordering::Greater => Ok((b, a)),
        core::cmp::Ordering::Equal => Err(Error::IdenticalAssets),
    }
}

/// The pool of `a` and `b`, in either order.
pub fn pool(ext: &dyn Externalities, a: AssetKind, b: AssetKind) -> Option<Pool> {
    let (asset0, asset1) = sort_assets(a, b).ok()?;
    get(ext, &storage::pool(&asset0, &asset1))
}

/// How many pools exist.
pub fn pool_count(ext: &dyn Externalities) -> u32 {
    get(ext, &storage::pool_count()).unwrap_or(0)
}

/// The assets of the pool at `index` of the creation-order list.
pub fn pool_id(ext: &dyn Externalities, index: u32) -> Option<(AssetKind, AssetKind)> {
    get(ext, &storage::pool_id(index))
}

/// Up to `limit` pools from position `start` of the list, for paging over RPC.
pub fn pools(ext: &dyn Externalities, start: u32, limit: u32) -> Vec<(AssetKind, AssetKind, Pool)> {
    let end = start.saturating_add(limit).min(pool_count(ext));
    (start..end)
        .filter_map(|index| {
            let (asset0, asset1) = pool_id(ext, index)?;
            let pool = get(ext, &storage::pool(&asset0, &asset1))?;
            Some((asset0, asset1, pool))
        })
        .collect()
}

/// The protocol fee in force, in basis points.
pub fn protocol_fee_bps(ext: &dyn Externalities) -> u16 {
    get(ext, &storage::protocol_fee_bps()).unwrap_or(0)
}

// ---------------------------------------------------------------------------
// Events

#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum Event {
    #[codec(index = 0)]
    PoolCreated {
        creator: AccountId,
        asset0: AssetKind,
        asset1: AssetKind,
        pool_account: AccountId,
        lp_token: TokenId,
    },
    /// Amounts in pool order; `lp_minted` went to `mint_to` (the 1,000 locked at the
    /// first mint are not counted in it).
    #[codec(index = 1)]
    LiquidityAdded {
        who: AccountId,
        mint_to: AccountId,
        asset0: AssetKind,
        asset1: AssetKind,
        amount0: Balance,
        amount1: Balance,
        lp_token: TokenId,
        lp_minted: Balance,
    },
    /// Amounts in pool order.
    #[codec(index = 2)]
    LiquidityRemoved {
        who: AccountId,
        withdraw_to: AccountId,
        asset0: AssetKind,
        asset1: AssetKind,
        amount0: Balance,
        amount1: Balance,
        lp_token: TokenId,
        lp_burned: Balance,
    },
    /// `amount_in` includes the protocol fee.
    #[codec(index = 3)]
    SwapExecuted {
        who: AccountId,
        send_to: AccountId,
        path: Vec<AssetKind>,
        amount_in: Balance,
        amount_out: Balance,
    },
    #[codec(index = 4)]
    ProtocolFeeSet { bps: u16 },
    /// A swap paid `amount` of `asset` to the treasury.
    #[codec(index = 5)]
    ProtocolFeePaid { asset: AssetKind, amount: Balance },
}

fn deposit_event(ext: &mut dyn Externalities, event: Event) {
    system::deposit_event(ext, PALLET_INDEX, &event);
}

// ---------------------------------------------------------------------------
// Errors

#[derive(Clone, Copy, PartialEq, Eq, Debug, TypeInfo)]
#[repr(u8)]
pub enum Error {
    /// An amount is zero.
    ZeroAmount = 0,
    /// An amount does not fit in 128 bits.
    Overflow = 1,
    /// A pool of an asset with itself.
    IdenticalAssets = 2,
    /// A swap path visits an asset twice.
    LoopingPath = 3,
    /// A swap path of fewer than two assets.
    PathTooShort = 4,
    /// A swap path of more than `MaxPathLen` assets.
    PathTooLong = 5,
    UnknownToken = 6,
    PoolExists = 7,
    UnknownPool = 8,
    /// The swap's deadline is before the current block.
    DeadlineExpired = 9,
    /// The swap would pay less than `amount_out_min`.
    AmountOutTooLow = 10,
    /// The swap would cost more than `amount_in_max`.
    AmountInTooHigh = 11,
    /// Less of `asset0` than `amount0_min` would be deposited or withdrawn.
    Amount0BelowMin = 12,
    /// Less of `asset1` than `amount1_min` would be deposited or withdrawn.
    Amount1BelowMin = 13,
    /// The signer holds fewer LP shares than it would remove.
    InsufficientLpBalance = 14,
    /// The pool holds no liquidity, or less than the output asked for.
    InsufficientLiquidity = 15,
    /// The deposit would mint no shares.
    InsufficientLiquidityMinted = 16,
    /// The shares would pay nothing of one side.
    InsufficientLiquidityBurned = 17,
    /// A hop of the swap would pay nothing.
    InsufficientOutputAmount = 18,
    /// A hop would lower the pool's constant product (a bug if ever seen).
    KInvariant = 19,
    /// Above `MaxProtocolFeeBps`.
    ProtocolFeeTooHigh = 20,
}

impl Error {
    pub fn message(self) -> &'static str {
        match self {
            Error::ZeroAmount => "the amount is zero",
            Error::Overflow => "amount overflow",
            Error::IdenticalAssets => "a pool needs two different assets",
            Error::LoopingPath => "the swap path visits an asset twice",
            Error::PathTooShort => "the swap path has fewer than two assets",
            Error::PathTooLong => "the swap path has more than MaxPathLen assets",
            Error::UnknownToken => "no token with this id",
            Error::PoolExists => "the pool already exists",
            Error::UnknownPool => "no pool of these assets",
            Error::DeadlineExpired => "the deadline is before the current block",
            Error::AmountOutTooLow => "the swap would pay less than amount_out_min",
            Error::AmountInTooHigh => "the swap would cost more than amount_in_max",
            Error::Amount0BelowMin => "less of asset0 than amount0_min",
            Error::Amount1BelowMin => "less of asset1 than amount1_min",
            Error::InsufficientLpBalance => "the signer holds fewer LP shares than that",
            Error::InsufficientLiquidity => "the pool holds too little liquidity",
            Error::InsufficientLiquidityMinted => "the deposit would mint no shares",
            Error::InsufficientLiquidityBurned => "the shares would pay nothing of one side",
            Error::InsufficientOutputAmount => "a hop of the swap would pay nothing",
            Error::KInvariant => "the swap would lower the pool's constant product",
            Error::ProtocolFeeTooHigh => "the protocol fee is above MaxProtocolFeeBps",
        }
    }
}

hm_support::impl_dispatch_error!(Error, PALLET_INDEX);

// ---------------------------------------------------------------------------
// The pallet in the runtime's list

pub struct Pallet;

impl hm_support::Pallet for Pallet {
    const INDEX: u8 = PALLET_INDEX;
    const NAME: &'static str = "Dex";
    type Call = Call;
    type Event = Event;
    type Error = Error;
    /// No genesis state: pools are created by calls.
    type GenesisConfig = ();

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

    fn build_genesis(_ext: &mut dyn Externalities, _config: &()) -> Result<(), &'static str> {
        Ok(())
    }

    fn try_state(ext: &dyn Externalities) -> Result<(), &'static str> {
        invariants::check(ext)
    }

    fn storage_metadata() -> Vec<frame_metadata::v15::StorageEntryMetadata> {
        use hm_support::metadata::{storage_map, storage_value};
        alloc::vec![
            storage_map::<(AssetKind, AssetKind), Pool>(
                "Pools",
                &["A pool, keyed by its ordered pair of assets."]
            ),
            storage_map::<u32, (AssetKind, AssetKind)>(
                "PoolIds",
                &["The pools in creation order."]
            ),
            storage_value::<u32>("PoolCount", &["The length of PoolIds."]),
            storage_value::<u16>(
                "ProtocolFeeBps",
                &["The protocol fee, in basis points of a swap's input."]
            ),
        ]
    }

    fn constants_metadata() -> Vec<frame_metadata::v15::PalletConstantMetadata> {
        use hm_support::metadata::constant;
        alloc::vec![
            constant(
                "MinimumLiquidity",
                &MINIMUM_LIQUIDITY,
                &["Shares locked in the pool account at the first mint."]
            ),
            constant(
                "LpFeeNumerator",
                &math::FEE_NUMERATOR,
                &["Swaps keep in/1000 × this."]
            ),
            constant("LpFeeDenominator", &math::FEE_DENOMINATOR, &[]),
            constant(
                "MaxProtocolFeeBps",
                &MAX_PROTOCOL_FEE_BPS,
                &["Highest protocol fee, in basis points."]
            ),
            constant(
                "MinPathLen",
                &MIN_PATH_LEN,
                &["Fewest assets in a swap path."]
            ),
            constant(
                "MaxPathLen",
                &MAX_PATH_LEN,
                &["Most assets in a swap path."]
            ),
            constant(
                "TreasuryAccount",
                &treasury_account(),
                &["Receives the protocol fee."]
            ),
        ]
    }
}

/// The current block, the time unit of the price accumulators.
fn now(ext: &dyn Externalities) -> BlockNumber {
    system::block_number(ext)
}

/// Names of this pallet's runtime APIs (read-only queries the node answers through
/// the runtime, see `hm_runtime::call_runtime_api`), and their bounds. Errors come
/// back as the error's message.
pub mod runtime_api {
    /// `((AssetKind, AssetKind)) -> Option<(AssetKind, AssetKind, Pool)>`, either order.
    pub const POOL: &str = "DexApi_pool";
    /// `((start: u32, count: u32)) -> (Vec<(AssetKind, AssetKind, Pool)>, next: Option<u32>)`:
    /// pools by creation order, at most `min(count, MAX_PAGE)`.
    pub const POOLS: &str = "DexApi_pools";
    /// `((path: Vec<AssetKind>, amount_in: Balance)) -> Result<Balance, Vec<u8>>`:
    /// exactly what `swap_exact_in` would pay at this state.
    pub const QUOTE_EXACT_IN: &str = "DexApi_quote_exact_in";
    /// `((path: Vec<AssetKind>, amount_out: Balance)) -> Result<Balance, Vec<u8>>`:
    /// exactly what `swap_exact_out` would charge at this state.
    pub const QUOTE_EXACT_OUT: &str = "DexApi_quote_exact_out";
    /// `((AssetKind, AssetKind)) -> Result<(BlockNumber, [u64; 4], [u64; 4]), Vec<u8>>`:
    /// the pool's price accumulators as of this block (see `observe`).
    pub const OBSERVE: &str = "DexApi_observe";
    /// `(()) -> u16`: the protocol fee in basis points.
    pub const PROTOCOL_FEE: &str = "DexApi_protocol_fee";
    /// Most pools one `POOLS` page returns.
    pub const MAX_PAGE: u32 = 100;
}
