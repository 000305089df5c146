//! Pools and their liquidity: creation, deposits (mint) and withdrawals (burn),
//! the protocol fee setting, and what every operation on a pool shares (moving
//! assets, updating the price accumulators).
use crate::{
    deposit_event, math, now, pool_account, sort_assets, storage, treasury_account, AssetKind,
    Error, Event, Pool, LP_MIN_BALANCE, MAX_PROTOCOL_FEE_BPS, MINIMUM_LIQUIDITY,
};
use hm_pallet_caesar::{self as caesar, Liveness};
use hm_pallet_tokens as tokens;
use hm_primitives::{AccountId, Balance, BlockNumber};
use hm_support::{get, put, with_transaction, DispatchError, Externalities};

/// The pool of the ordered pair `(asset0, asset1)`.
pub(crate) fn read_pool(
    ext: &dyn Externalities,
    asset0: &AssetKind,
    asset1: &AssetKind,
) -> Result<Pool, Error> {
    get(ext, &storage::pool(asset0, asset1)).ok_or(Error::UnknownPool)
}

pub(crate) fn write_pool(
    ext: &mut dyn Externalities,
    asset0: &AssetKind,
    asset1: &AssetKind,
    pool: &Pool,
) {
    put(ext, &storage::pool(asset0, asset1), pool);
}

/// Uniswap's `_update`, before the reserves change: add the blocks since the last
/// change at the reserves of then, and move the pool's clock to `now`.
pub(crate) fn accrue(pool: &mut Pool, now: BlockNumber) {
    let elapsed = now.saturating_sub(pool.last_block);
    if elapsed > 0 {
        let (r0, r1) = (pool.reserve0, pool.reserve1);
        pool.price0_cumulative = math::accumulate(pool.price0_cumulative(), r1, r0, elapsed).0;
        pool.price1_cumulative = math::accumulate(pool.price1_cumulative(), r0, r1, elapsed).0;
    }
    pool.last_block = pool.last_block.max(now);
}

/// How a user is debited: CAES keeps the account alive (it pays fees in CAES); a
/// token may be spent whole.
pub(crate) fn user_liveness(asset: &AssetKind) -> Liveness {
    match asset {
        AssetKind::Native => Liveness::KeepAlive,
        AssetKind::Token(_) => Liveness::AllowDeath,
    }
}

/// Move `amount` of `asset`; the tokens or Caesar error as it is.
pub(crate) fn pay(
    ext: &mut dyn Externalities,
    asset: &AssetKind,
    from: &AccountId,
    to: &AccountId,
    amount: Balance,
    liveness: Liveness,
) -> Result<(), DispatchError> {
    match asset {
        AssetKind::Native => caesar::transfer(ext, from, to, amount, liveness).map_err(Into::into),
        AssetKind::Token(id) => {
            tokens::transfer(ext, *id, from, to, amount, liveness).map_err(Into::into)
        }
    }
}

/// `who`'s balance of `asset` (CAES: free balance).
pub fn asset_balance(ext: &dyn Externalities, asset: &AssetKind, who: &AccountId) -> Balance {
    match asset {
        AssetKind::Native => caesar::free_balance(ext, who),
        AssetKind::Token(id) => tokens::balance(ext, *id, who),
    }
}

/// Create the pool of `a` and `b` (in either order) and its LP token; returns the
/// pool's ordered pair. The creator pays the ED into the pool account for a CAES side
/// (and into the treasury if it does not exist yet).
pub fn create_pool(
    ext: &mut dyn Externalities,
    creator: &AccountId,
    a: AssetKind,
    b: AssetKind,
) -> Result<(AssetKind, AssetKind), DispatchError> {
    with_transaction(ext, |ext| {
        let (asset0, asset1) = sort_assets(a, b)?;
        for asset in [asset0, asset1] {
            if let AssetKind::Token(id) = asset {
                tokens::details(ext, id).ok_or(Error::UnknownToken)?;
            }
        }
        if ext.storage_get(&storage::pool(&asset0, &asset1)).is_some() {
            return Err(Error::PoolExists.into());
        }
        let index = crate::pool_count(ext);
        let next = index.checked_add(1).ok_or(Error::Overflow)?;
        let account = pool_account(&asset0, &asset1);
        let treasury = treasury_account();
        let lp_token = tokens::create(ext, &account, LP_MIN_BALANCE, 0)?;
        tokens::touch(ext, lp_token, &account)?;
        for asset in [asset0, asset1] {
            match asset {
                AssetKind::Token(id) => {
                    tokens::touch(ext, id, &account)?;
                    tokens::touch(ext, id, &treasury)?;
                }
                AssetKind::Native => {
                    let ed = caesar::existential_deposit(ext);
                    caesar::transfer(ext, creator, &account, ed, Liveness::KeepAlive)?;
                    if caesar::account(ext, &treasury).is_none() {
                        caesar::transfer(ext, creator, &treasury, ed, Liveness::KeepAlive)?;
                    }
                }
            }
        }
        let pool = Pool {
            lp_token,
            reserve0: 0,
            reserve1: 0,
            lp_supply: 0,
            price0_cumulative: [0; 4],
            price1_cumulative: [0; 4],
            last_block: now(ext),
            index,
        };
        write_pool(ext, &asset0, &asset1, &pool);
        put(ext, &storage::pool_id(index), &(asset0, asset1));
        put(ext, &storage::pool_count(), &next);
        deposit_event(
            ext,
            Event::PoolCreated {
                creator: *creator,
                asset0,
                asset1,
                pool_account: account,
                lp_token,
            },
        );
        Ok((asset0, asset1))
    })
}

/// Uniswap's Router `_addLiquidity`: the amounts to deposit at the pool's ratio,
/// in the caller's order (`reserve_a` is the reserve of the caller's first asset).
fn optimal_amounts(
    desired: (Balance, Balance),
    min: (Balance, Balance),
    reserve_a: Balance,
    reserve_b: Balance,
) -> Result<(Balance, Balance), Error> {
    let (desired_a, desired_b) = desired;
    let (amount_a, amount_b) = if reserve_a == 0 && reserve_b == 0 {
        desired
    } else {
        let optimal_b = math::quote(desired_a, reserve_a, reserve_b)?;
        if optimal_b <= desired_b {
            (desired_a, optimal_b)
        } else {
            let optimal_a = math::quote(desired_b, reserve_b, reserve_a)?;
            if optimal_a > desired_a {
                // Cannot happen (Uniswap asserts it): optimal_b > desired_b implies it.
                return Err(Error::InsufficientLiquidity);
            }
            (optimal_a, desired_b)
        }
    };
    if amount_a < min.0 {
        return Err(Error::Amount0BelowMin);
    }
    if amount_b < min.1 {
        return Err(Error::Amount1BelowMin);
    }
    Ok((amount_a, amount_b))
}

/// Deposit up to `amount0_desired` of `asset0` and `amount1_desired` of `asset1` (the
/// caller's order, either way round) at the pool's ratio, minting the shares to
/// `mint_to`. Returns the shares minted to `mint_to`.
#[allow(clippy::too_many_arguments)]
pub fn add_liquidity(
    ext: &mut dyn Externalities,
    who: &AccountId,
    asset0: AssetKind,
    asset1: AssetKind,
    amount0_desired: Balance,
    amount1_desired: Balance,
    amount0_min: Balance,
    amount1_min: Balance,
    mint_to: &AccountId,
) -> Result<Balance, DispatchError> {
    with_transaction(ext, |ext| {
        let (key0, key1) = sort_assets(asset0, asset1)?;
        let flipped = key0 != asset0;
        if amount0_desired == 0 || amount1_desired == 0 {
            return Err(Error::ZeroAmount.into());
        }
        let mut pool = read_pool(ext, &key0, &key1)?;
        let (reserve_a, reserve_b) = if flipped {
            (pool.reserve1, pool.reserve0)
        } else {
            (pool.reserve0, pool.reserve1)
        };
        let (amount_a, amount_b) = optimal_amounts(
            (amount0_desired, amount1_desired),
            (amount0_min, amount1_min),
            reserve_a,
            reserve_b,
        )?;
        let (amount0, amount1) = if flipped {
            (amount_b, amount_a)
        } else {
            (amount_a, amount_b)
        };
        let (liquidity, locked) = math::liquidity_minted(
            amount0,
            amount1,
            pool.reserve0,
            pool.reserve1,
            pool.lp_supply,
        )?;
        let account = pool_account(&key0, &key1);
        pay(ext, &key0, who, &account, amount0, user_liveness(&key0))?;
        pay(ext, &key1, who, &account, amount1, user_liveness(&key1))?;
        if locked > 0 {
            tokens::mint_into(ext, pool.lp_token, &account, locked)?;
        }
        tokens::mint_into(ext, pool.lp_token, mint_to, liquidity)?;
        accrue(&mut pool, now(ext));
        pool.reserve0 = pool.reserve0.checked_add(amount0).ok_or(Error::Overflow)?;
        pool.reserve1 = pool.reserve1.checked_add(amount1).ok_or(Error::Overflow)?;
        pool.lp_supply = pool
            .lp_supply
            .checked_add(liquidity)
            .and_then(|s| s.checked_add(locked))
            .ok_or(Error::Overflow)?;
        write_pool(ext, &key0, &key1, &pool);
        deposit_event(
            ext,
            Event::LiquidityAdded {
                who: *who,
                mint_to: *mint_to,
                asset0: key0,
                asset1: key1,
                amount0,
                amount1,
                lp_token: pool.lp_token,
                lp_minted: liquidity,
            },
        );
        Ok(liquidity)
    })
}

/// Burn `lp_amount` of the signer's shares of the pool of `asset0` and `asset1` (the
/// caller's order) and pay its part of each reserve to `withdraw_to`. Returns the
/// amounts paid, in the caller's order.
#[allow(clippy::too_many_arguments)]
pub fn remove_liquidity(
    ext: &mut dyn Externalities,
    who: &AccountId,
    asset0: AssetKind,
    asset1: AssetKind,
    lp_amount: Balance,
    amount0_min: Balance,
    amount1_min: Balance,
    withdraw_to: &AccountId,
) -> Result<(Balance, Balance), DispatchError> {
    with_transaction(ext, |ext| {
        let (key0, key1) = sort_assets(asset0, asset1)?;
        let flipped = key0 != asset0;
        if lp_amount == 0 {
            return Err(Error::ZeroAmount.into());
        }
        let mut pool = read_pool(ext, &key0, &key1)?;
        if tokens::balance(ext, pool.lp_token, who) < lp_amount {
            return Err(Error::InsufficientLpBalance.into());
        }
        let (amount0, amount1) =
            math::liquidity_burned(lp_amount, pool.reserve0, pool.reserve1, pool.lp_supply)?;
        let (amount_a, amount_b) = if flipped {
            (amount1, amount0)
        } else {
            (amount0, amount1)
        };
        if amount_a < amount0_min {
            return Err(Error::Amount0BelowMin.into());
        }
        if amount_b < amount1_min {
            return Err(Error::Amount1BelowMin.into());
        }
        let burned = tokens::burn_from(ext, pool.lp_token, who, lp_amount)?;
        let account = pool_account(&key0, &key1);
        pay(
            ext,
            &key0,
            &account,
            withdraw_to,
            amount0,
            Liveness::KeepAlive,
        )?;
        pay(
            ext,
            &key1,
            &account,
            withdraw_to,
            amount1,
            Liveness::KeepAlive,
        )?;
        accrue(&mut pool, now(ext));
        pool.reserve0 = pool.reserve0.checked_sub(amount0).ok_or(Error::Overflow)?;
        pool.reserve1 = pool.reserve1.checked_sub(amount1).ok_or(Error::Overflow)?;
        pool.lp_supply = pool.lp_supply.checked_sub(burned).ok_or(Error::Overflow)?;
        if pool.lp_supply < MINIMUM_LIQUIDITY {
            // The locked shares cannot be burned: a bug if ever seen.
            return Err(Error::InsufficientLiquidity.into());
        }
        write_pool(ext, &key0, &key1, &pool);
        deposit_event(
            ext,
            Event::LiquidityRemoved {
                who: *who,
                withdraw_to: *withdraw_to,
                asset0: key0,
                asset1: key1,
                amount0,
                amount1,
                lp_token: pool.lp_token,
                lp_burned: burned,
            },
        );
        Ok((amount_a, amount_b))
    })
}

/// Root: set the protocol fee, in basis points of each swap's input.
pub fn set_protocol_fee(ext: &mut dyn Externalities, bps: u16) -> Result<(), Error> {
    if bps > MAX_PROTOCOL_FEE_BPS {
        return Err(Error::ProtocolFeeTooHigh);
    }
    if bps == 0 {
        ext.storage_remove(&storage::protocol_fee_bps());
    } else {
        put(ext, &storage::protocol_fee_bps(), &bps);
    }
    deposit_event(ext, Event::ProtocolFeeSet { bps });
    Ok(())
}
