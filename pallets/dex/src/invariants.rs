//! `try_state` of the DEX, walked through the `PoolIds` list (no storage iteration):
//! the list matches its count and the pools; each pool's LP supply is the LP token's
//! supply (at least `MINIMUM_LIQUIDITY` once minted, that much locked in the pool
//! account); reserves are both zero before the first mint and both positive after;
//! and the pool account holds at least each reserve (plus the ED on a CAES side):
//! exactly that unless someone donated to it.
use crate::{
    pool::asset_balance, pool_account, pool_count, pool_id, storage, AssetKind, Pool,
    LP_MIN_BALANCE, MINIMUM_LIQUIDITY,
};
use hm_pallet_caesar as caesar;
use hm_pallet_tokens as tokens;
use hm_support::{get, Externalities};

pub(crate) fn check(ext: &dyn Externalities) -> Result<(), &'static str> {
    let count = pool_count(ext);
    for index in 0..count {
        let (asset0, asset1) = pool_id(ext, index).ok_or("the pool list has a gap")?;
        if asset0 >= asset1 {
            return Err("a pool's assets are not in order");
        }
        let pool: Pool =
            get(ext, &storage::pool(&asset0, &asset1)).ok_or("a listed pool does not exist")?;
        if pool.index != index {
            return Err("a pool's index differs from its place in the list");
        }
        check_pool(ext, asset0, asset1, &pool)?;
    }
    if pool_id(ext, count).is_some() {
        return Err("the pool list is longer than the pool count");
    }
    Ok(())
}

fn check_pool(
    ext: &dyn Externalities,
    asset0: AssetKind,
    asset1: AssetKind,
    pool: &Pool,
) -> Result<(), &'static str> {
    let account = pool_account(&asset0, &asset1);
    let lp = tokens::details(ext, pool.lp_token).ok_or("a pool's LP token does not exist")?;
    if lp.owner != account || lp.issuer != account || lp.admin != account {
        return Err("a pool's LP token is not held by the pool account");
    }
    if lp.min_balance != LP_MIN_BALANCE {
        return Err("a pool's LP token has the wrong minimum balance");
    }
    if lp.supply != pool.lp_supply {
        return Err("a pool's LP supply differs from its token's supply");
    }
    if pool.lp_supply == 0 {
        if pool.reserve0 != 0 || pool.reserve1 != 0 {
            return Err("a pool without shares holds reserves");
        }
    } else {
        if pool.lp_supply < MINIMUM_LIQUIDITY
            || tokens::balance(ext, pool.lp_token, &account) < MINIMUM_LIQUIDITY
        {
            return Err("a pool's minimum liquidity is not locked");
        }
        if pool.reserve0 == 0 || pool.reserve1 == 0 {
            return Err("a pool with shares has an empty reserve");
        }
    }
    for (asset, reserve) in [(asset0, pool.reserve0), (asset1, pool.reserve1)] {
        let floor = match asset {
            AssetKind::Native => reserve
                .checked_add(caesar::existential_deposit(ext))
                .ok_or("a reserve plus the ED overflows")?,
            AssetKind::Token(id) => {
                let held = tokens::token_account(ext, id, &account)
                    .ok_or("a pool account has no account of its token")?;
                if !held.sticky {
                    return Err("a pool's token account is not sticky");
                }
                reserve
            }
        };
        if asset_balance(ext, &asset, &account) < floor {
            return Err("a pool account holds less than its reserve");
        }
    }
    Ok(())
}
