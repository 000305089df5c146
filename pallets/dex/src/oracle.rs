//! Time-weighted average prices from the pools' accumulators (Uniswap v2's
//! `UniswapV2OracleLibrary` and `ExampleOracleSimple`), with blocks as the time unit.
//!
//! Prices are UQ112x112 fixed point in a `U256`: `price0` is asset1 per asset0
//! (`reserve1/reserve0 × 2^112`), `price1` the reverse. Reserves are up to 128 bits
//! here (112 in Uniswap), so the integer part may use up to 144 bits.
use crate::{math, now, sort_assets, AssetKind, Error, Observation};
use hm_support::Externalities;

/// The accumulators of the pool of `a` and `b` as of the current block, counting the
/// blocks since its last change at its current reserves (Uniswap's
/// `currentCumulativePrices`). `price0` is the pool's `asset0` (the smaller of `a`, `b`).
pub fn observe(ext: &dyn Externalities, a: AssetKind, b: AssetKind) -> Result<Observation, Error> {
    let (asset0, asset1) = sort_assets(a, b)?;
    let mut pool = crate::pool::read_pool(ext, &asset0, &asset1)?;
    let block = now(ext);
    crate::pool::accrue(&mut pool, block);
    Ok(Observation {
        block: pool.last_block,
        price0_cumulative: pool.price0_cumulative(),
        price1_cumulative: pool.price1_cumulative(),
    })
}

/// The average prices `(price0, price1)` (UQ112x112) over the blocks from `older` to
/// `newer`: the accumulators' difference (wrapping) over the blocks elapsed. `None`
/// when `newer` is not after `older`.
pub fn twap(older: &Observation, newer: &Observation) -> Option<(math::U256, math::U256)> {
    let elapsed = newer.block.checked_sub(older.block).filter(|e| *e > 0)?;
    let elapsed = math::U256::from(elapsed);
    let price0 = newer
        .price0_cumulative
        .overflowing_sub(older.price0_cumulative)
        .0
        / elapsed;
    let price1 = newer
        .price1_cumulative
        .overflowing_sub(older.price1_cumulative)
        .0
        / elapsed;
    Some((price0, price1))
}
