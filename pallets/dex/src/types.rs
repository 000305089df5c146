//! Data types of the DEX.
use crate::math::U256;
use hm_pallet_tokens::TokenId;
use hm_primitives::{Balance, BlockNumber};
use parity_scale_codec::{Decode, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// What a pool holds on one side: CAES or a token of the tokens pallet.
///
/// Ordered `Native` first, then tokens by id; a pool's `asset0` is the smaller.
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Encode, Decode, MaxEncodedLen, TypeInfo,
)]
pub enum AssetKind {
    /// CAES, the native token (Caesar pallet).
    #[codec(index = 0)]
    Native,
    /// A token of the tokens pallet.
    #[codec(index = 1)]
    Token(TokenId),
}

/// A constant-product pool of `asset0 < asset1` (its key in `Pools`).
///
/// The reserves are the pallet's own record of what the pool holds, never read from
/// a live balance: a donation to the pool account changes neither a mint nor a swap.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct Pool {
    /// The token of the pool's liquidity shares, created with the pool.
    pub lp_token: TokenId,
    /// `asset0` the pool holds for its liquidity providers.
    pub reserve0: Balance,
    /// `asset1` the pool holds for its liquidity providers.
    pub reserve1: Balance,
    /// Shares outstanding: the LP token's supply, 1,000 of them locked in the pool
    /// account from the first mint on.
    pub lp_supply: Balance,
    /// Σ (reserve1 / reserve0 as UQ112x112) × blocks, wrapping: little-endian limbs of a U256.
    pub price0_cumulative: [u64; 4],
    /// Σ (reserve0 / reserve1 as UQ112x112) × blocks, wrapping: little-endian limbs of a U256.
    pub price1_cumulative: [u64; 4],
    /// The block of the last change (or of creation): the accumulators run to it.
    pub last_block: BlockNumber,
    /// Position in the `PoolIds` list.
    pub index: u32,
}

impl Pool {
    pub fn price0_cumulative(&self) -> U256 {
        U256(self.price0_cumulative)
    }
    pub fn price1_cumulative(&self) -> U256 {
        U256(self.price1_cumulative)
    }
}

/// A pool's price accumulators as of a block (Uniswap v2's
/// `currentCumulativePrices`): two of them give a time-weighted average price.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Observation {
    pub block: BlockNumber,
    /// Σ price of asset0 in asset1 (UQ112x112) × blocks, wrapping.
    pub price0_cumulative: U256,
    /// Σ price of asset1 in asset0 (UQ112x112) × blocks, wrapping.
    pub price1_cumulative: U256,
}
