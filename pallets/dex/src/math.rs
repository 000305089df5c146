//! The arithmetic of the pools, exactly as Uniswap v2's `UniswapV2Library` and
//! `UniswapV2Pair`: integer only, checked, every division rounding in the pool's
//! favour. Products of two balances go through 512-bit integers, so no input that
//! fits a `Balance` overflows on the way; only a result that does not fit fails.
use crate::Error;
use hm_primitives::Balance;

#[allow(clippy::all)]
mod wide {
    uint::construct_uint! {
        /// 256-bit unsigned integer: the price accumulators (UQ112x112 sums).
        pub struct U256(4);
    }
    uint::construct_uint! {
        /// 512-bit unsigned integer: intermediate products of the pool math.
        pub struct U512(8);
    }
}
pub use wide::{U256, U512};

/// Shares locked forever in the pool account at the first mint (Uniswap's
/// `MINIMUM_LIQUIDITY`): the share price can never be inflated from an empty pool.
pub const MINIMUM_LIQUIDITY: Balance = 1_000;
/// The swap fee kept by the liquidity providers: 3/1000 of each hop's input.
pub const FEE_DENOMINATOR: u32 = 1_000;
pub const FEE_NUMERATOR: u32 = 997;
/// Basis points in a whole.
pub const BPS: u32 = 10_000;
/// Fractional bits of a UQ112x112 price.
pub const RESOLUTION: usize = 112;

fn w(x: Balance) -> U512 {
    U512::from(x)
}

fn mul(a: U512, b: U512) -> Result<U512, Error> {
    a.checked_mul(b).ok_or(Error::Overflow)
}

fn add(a: U512, b: U512) -> Result<U512, Error> {
    a.checked_add(b).ok_or(Error::Overflow)
}

fn div(a: U512, b: U512) -> Result<U512, Error> {
    a.checked_div(b).ok_or(Error::Overflow)
}

/// Back to a balance; a result that does not fit is an overflow.
fn narrow(x: U512) -> Result<Balance, Error> {
    Balance::try_from(x).map_err(|_| Error::Overflow)
}

/// `a × b / c`, rounded down.
pub fn mul_div(a: Balance, b: Balance, c: Balance) -> Result<Balance, Error> {
    narrow(div(mul(w(a), w(b))?, w(c))?)
}

/// Uniswap's `quote`: the amount of B worth `amount_a` of A at the reserves' ratio
/// (no fee), rounded down.
pub fn quote(amount_a: Balance, reserve_a: Balance, reserve_b: Balance) -> Result<Balance, Error> {
    if amount_a == 0 {
        return Err(Error::ZeroAmount);
    }
    if reserve_a == 0 || reserve_b == 0 {
        return Err(Error::InsufficientLiquidity);
    }
    mul_div(amount_a, reserve_b, reserve_a)
}

/// Uniswap's `getAmountOut`: what `amount_in` buys after the 0.3% fee,
/// `in·997·rOut / (rIn·1000 + in·997)`, rounded down.
pub fn get_amount_out(
    amount_in: Balance,
    reserve_in: Balance,
    reserve_out: Balance,
) -> Result<Balance, Error> {
    if amount_in == 0 {
        return Err(Error::ZeroAmount);
    }
    if reserve_in == 0 || reserve_out == 0 {
        return Err(Error::InsufficientLiquidity);
    }
    let in_with_fee = mul(w(amount_in), U512::from(FEE_NUMERATOR))?;
    let numerator = mul(in_with_fee, w(reserve_out))?;
    let denominator = add(
        mul(w(reserve_in), U512::from(FEE_DENOMINATOR))?,
        in_with_fee,
    )?;
    narrow(div(numerator, denominator)?)
}

/// Uniswap's `getAmountIn`: the least input that buys `amount_out`,
/// `rIn·out·1000 / ((rOut − out)·997) + 1`. The pool must hold more than `amount_out`.
pub fn get_amount_in(
    amount_out: Balance,
    reserve_in: Balance,
    reserve_out: Balance,
) -> Result<Balance, Error> {
    if amount_out == 0 {
        return Err(Error::ZeroAmount);
    }
    if reserve_in == 0 || amount_out >= reserve_out {
        return Err(Error::InsufficientLiquidity);
    }
    let numerator = mul(
        mul(w(reserve_in), w(amount_out))?,
        U512::from(FEE_DENOMINATOR),
    )?;
    let denominator = mul(w(reserve_out - amount_out), U512::from(FEE_NUMERATOR))?;
    narrow(add(div(numerator, denominator)?, U512::one())?)
}

/// The Pair's `K` check after a hop paid `amount_in` for `amount_out`: with the fee
/// taken off the input, the product of the new reserves is at least the old one:
/// `(rIn'·1000 − in·3)·(rOut'·1000) ≥ rIn·rOut·1000²`.
pub fn check_k(
    reserve_in: Balance,
    reserve_out: Balance,
    amount_in: Balance,
    amount_out: Balance,
) -> Result<(), Error> {
    let new_in = reserve_in.checked_add(amount_in).ok_or(Error::Overflow)?;
    let new_out = reserve_out
        .checked_sub(amount_out)
        .ok_or(Error::InsufficientLiquidity)?;
    let thousand = U512::from(FEE_DENOMINATOR);
    let fee = U512::from(FEE_DENOMINATOR - FEE_NUMERATOR);
    let adjusted_in = mul(w(new_in), thousand)?
        .checked_sub(mul(w(amount_in), fee)?)
        .ok_or(Error::Overflow)?;
    let adjusted_out = mul(w(new_out), thousand)?;
    let before = mul(
        mul(w(reserve_in), w(reserve_out))?,
        mul(thousand, thousand)?,
    )?;
    if mul(adjusted_in, adjusted_out)? < before {
        return Err(Error::KInvariant);
    }
    Ok(())
}

/// Shares minted for depositing `amount0` and `amount1` into a pool with these
/// reserves and `supply` shares: `(to the provider, locked in the pool)`.
///
/// First mint: `√(amount0·amount1) − MINIMUM_LIQUIDITY`, plus `MINIMUM_LIQUIDITY`
/// locked. Later: `min(amount0·supply/reserve0, amount1·supply/reserve1)`.
pub fn liquidity_minted(
    amount0: Balance,
    amount1: Balance,
    reserve0: Balance,
    reserve1: Balance,
    supply: Balance,
) -> Result<(Balance, Balance), Error> {
    let (liquidity, locked) = if supply == 0 {
        let root = narrow(mul(w(amount0), w(amount1))?.integer_sqrt())?;
        let liquidity = root
            .checked_sub(MINIMUM_LIQUIDITY)
            .ok_or(Error::InsufficientLiquidityMinted)?;
        (liquidity, MINIMUM_LIQUIDITY)
    } else {
        if reserve0 == 0 || reserve1 == 0 {
            return Err(Error::InsufficientLiquidity);
        }
        let by0 = mul_div(amount0, supply, reserve0)?;
        let by1 = mul_div(amount1, supply, reserve1)?;
        (by0.min(by1), 0)
    };
    if liquidity == 0 {
        return Err(Error::InsufficientLiquidityMinted);
    }
    Ok((liquidity, locked))
}

/// What burning `lp` of `supply` shares pays: `lp·reserve/supply` of each side,
/// rounded down. Both must be positive.
pub fn liquidity_burned(
    lp: Balance,
    reserve0: Balance,
    reserve1: Balance,
    supply: Balance,
) -> Result<(Balance, Balance), Error> {
    if lp == 0 {
        return Err(Error::ZeroAmount);
    }
    if supply == 0 || lp > supply {
        return Err(Error::InsufficientLiquidity);
    }
    let amount0 = mul_div(lp, reserve0, supply)?;
    let amount1 = mul_div(lp, reserve1, supply)?;
    if amount0 == 0 || amount1 == 0 {
        return Err(Error::InsufficientLiquidityBurned);
    }
    Ok((amount0, amount1))
}

/// The protocol's share of a swap's input: `amount_in·bps/10_000`, rounded down.
pub fn protocol_fee(amount_in: Balance, bps: u16) -> Result<Balance, Error> {
    mul_div(amount_in, Balance::from(bps), Balance::from(BPS))
}

/// The least gross input whose part left after the protocol fee is at least `net`:
/// the smallest `a` with `a − protocol_fee(a) ≥ net`.
pub fn gross_for_net(net: Balance, bps: u16) -> Result<Balance, Error> {
    if bps == 0 {
        return Ok(net);
    }
    let keep = BPS.checked_sub(u32::from(bps)).ok_or(Error::Overflow)?;
    if keep == 0 {
        return Err(Error::Overflow);
    }
    let after_fee = |a: Balance| -> Result<Balance, Error> {
        a.checked_sub(protocol_fee(a, bps)?).ok_or(Error::Overflow)
    };
    // ⌈net·10_000/keep⌉ is enough; the least such `a` is at most two below it.
    let numerator = add(mul(w(net), U512::from(BPS))?, U512::from(keep - 1))?;
    let mut gross = narrow(div(numerator, U512::from(keep))?)?;
    for _ in 0..3 {
        match gross.checked_sub(1) {
            Some(less) if after_fee(less)? >= net => gross = less,
            _ => break,
        }
    }
    if after_fee(gross)? < net {
        return Err(Error::Overflow);
    }
    Ok(gross)
}

/// Add `elapsed` blocks of the price `numerator/denominator` (UQ112x112) to
/// `cumulative`, wrapping as Uniswap's accumulators do. A zero reserve adds nothing.
pub fn accumulate(
    cumulative: U256,
    numerator: Balance,
    denominator: Balance,
    elapsed: u64,
) -> U256 {
    if numerator == 0 || denominator == 0 || elapsed == 0 {
        return cumulative;
    }
    // numerator < 2^128, so the shift cannot lose bits.
    let price = (U256::from(numerator) << RESOLUTION) / U256::from(denominator);
    cumulative
        .overflowing_add(price.overflowing_mul(U256::from(elapsed)).0)
        .0
}

/// `amount` times a UQ112x112 `price`, rounded down (Uniswap's `FixedPoint.mul`
/// then `decode144`): how much of the other asset `amount` is worth.
pub fn apply_price(price: U256, amount: Balance) -> Option<Balance> {
    let mut limbs = [0u64; 8];
    limbs[..4].copy_from_slice(&price.0);
    let product = U512(limbs).checked_mul(w(amount))?;
    Balance::try_from(product >> RESOLUTION).ok()
}
