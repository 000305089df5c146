//! Swaps along a path of 2 to `MAX_PATH_LEN` assets (Uniswap v2's Router
//! `swapExactTokensForTokens` and `swapTokensForExactTokens`), and the quotes that
//! give exactly what a swap would at the current state.
//!
//! The signer's whole input goes to the first pool, which forwards the protocol fee
//! to the treasury; each pool then pays its output straight into the next pool's
//! account, and the last into `send_to`.
use crate::{
    deposit_event, math, now, pool::pay, pool::read_pool, pool::user_liveness, pool::write_pool,
    pool_account, protocol_fee_bps, sort_assets, treasury_account, AssetKind, Error, Event, Pool,
    MAX_PATH_LEN, MIN_PATH_LEN,
};
use alloc::vec::Vec;
use hm_pallet_caesar::Liveness;
use hm_pallet_system as system;
use hm_primitives::{AccountId, Balance, BlockNumber};
use hm_support::{with_transaction, DispatchError, Externalities};

/// One hop of a path: the pool it goes through, oriented from `asset_in` to `asset_out`.
struct Hop {
    asset_in: AssetKind,
    asset_out: AssetKind,
    /// The pool's ordered pair.
    key: (AssetKind, AssetKind),
    pool: Pool,
}

impl Hop {
    /// `asset_in` is the pool's `asset0`.
    fn forward(&self) -> bool {
        self.asset_in == self.key.0
    }
    fn reserves(&self) -> (Balance, Balance) {
        if self.forward() {
            (self.pool.reserve0, self.pool.reserve1)
        } else {
            (self.pool.reserve1, self.pool.reserve0)
        }
    }
    fn account(&self) -> AccountId {
        pool_account(&self.key.0, &self.key.1)
    }
}

/// The hops of `path`: its length is checked, no asset repeats, every pool exists.
fn hops(ext: &dyn Externalities, path: &[AssetKind]) -> Result<Vec<Hop>, Error> {
    if path.len() < MIN_PATH_LEN as usize {
        return Err(Error::PathTooShort);
    }
    if path.len() > MAX_PATH_LEN as usize {
        return Err(Error::PathTooLong);
    }
    for (i, asset) in path.iter().enumerate() {
        if path[..i].contains(asset) {
            return Err(Error::LoopingPath);
        }
    }
    path.windows(2)
        .map(|pair| {
            let key = sort_assets(pair[0], pair[1])?;
            let pool = read_pool(ext, &key.0, &key.1)?;
            Ok(Hop {
                asset_in: pair[0],
                asset_out: pair[1],
                key,
                pool,
            })
        })
        .collect()
}

/// Uniswap's `getAmountsOut`: `amounts[0] = amount_in`, then each hop's output.
fn amounts_out(hops: &[Hop], amount_in: Balance) -> Result<Vec<Balance>, Error> {
    let mut amounts = Vec::with_capacity(hops.len() + 1);
    amounts.push(amount_in);
    let mut amount = amount_in;
    for hop in hops {
        let (reserve_in, reserve_out) = hop.reserves();
        amount = math::get_amount_out(amount, reserve_in, reserve_out)?;
        if amount == 0 {
            return Err(Error::InsufficientOutputAmount);
        }
        amounts.push(amount);
    }
    Ok(amounts)
}

/// Uniswap's `getAmountsIn`: the last entry is `amount_out`, each one before it the
/// least input its hop needs.
fn amounts_in(hops: &[Hop], amount_out: Balance) -> Result<Vec<Balance>, Error> {
    let mut amounts = Vec::with_capacity(hops.len() + 1);
    amounts.push(amount_out);
    let mut amount = amount_out;
    for hop in hops.iter().rev() {
        let (reserve_in, reserve_out) = hop.reserves();
        amount = math::get_amount_in(amount, reserve_in, reserve_out)?;
        amounts.push(amount);
    }
    amounts.reverse();
    Ok(amounts)
}

/// The plan of a swap: the gross input, the protocol fee, and every hop's amounts
/// (`amounts[0]` is the input after the fee).
struct Plan {
    hops: Vec<Hop>,
    amount_in: Balance,
    fee: Balance,
    amounts: Vec<Balance>,
}

impl Plan {
    fn amount_out(&self) -> Balance {
        self.amounts.last().copied().unwrap_or(0)
    }
}

fn plan_exact_in(
    ext: &dyn Externalities,
    path: &[AssetKind],
    amount_in: Balance,
) -> Result<Plan, Error> {
    let hops = hops(ext, path)?;
    if amount_in == 0 {
        return Err(Error::ZeroAmount);
    }
    let fee = math::protocol_fee(amount_in, protocol_fee_bps(ext))?;
    let net = amount_in.checked_sub(fee).ok_or(Error::Overflow)?;
    let amounts = amounts_out(&hops, net)?;
    Ok(Plan {
        hops,
        amount_in,
        fee,
        amounts,
    })
}

fn plan_exact_out(
    ext: &dyn Externalities,
    path: &[AssetKind],
    amount_out: Balance,
) -> Result<Plan, Error> {
    let hops = hops(ext, path)?;
    if amount_out == 0 {
        return Err(Error::ZeroAmount);
    }
    let amounts = amounts_in(&hops, amount_out)?;
    let net = amounts.first().copied().ok_or(Error::PathTooShort)?;
    let amount_in = math::gross_for_net(net, protocol_fee_bps(ext))?;
    let fee = amount_in.checked_sub(net).ok_or(Error::Overflow)?;
    Ok(Plan {
        hops,
        amount_in,
        fee,
        amounts,
    })
}

/// What `swap_exact_in` of `amount_in` along `path` pays out now (protocol fee included).
pub fn quote_exact_in(
    ext: &dyn Externalities,
    path: &[AssetKind],
    amount_in: Balance,
) -> Result<Balance, Error> {
    Ok(plan_exact_in(ext, path, amount_in)?.amount_out())
}

/// What `swap_exact_out` of `amount_out` along `path` costs now (protocol fee included).
pub fn quote_exact_out(
    ext: &dyn Externalities,
    path: &[AssetKind],
    amount_out: Balance,
) -> Result<Balance, Error> {
    Ok(plan_exact_out(ext, path, amount_out)?.amount_in)
}

fn ensure_deadline(ext: &dyn Externalities, deadline: BlockNumber) -> Result<(), Error> {
    if deadline < system::block_number(ext) {
        return Err(Error::DeadlineExpired);
    }
    Ok(())
}

/// Swap `amount_in` of `path[0]` (protocol fee included) for at least
/// `amount_out_min` of the path's last asset, paid to `send_to`. Returns the output.
pub fn swap_exact_in(
    ext: &mut dyn Externalities,
    who: &AccountId,
    path: Vec<AssetKind>,
    amount_in: Balance,
    amount_out_min: Balance,
    send_to: &AccountId,
    deadline: BlockNumber,
) -> Result<Balance, DispatchError> {
    with_transaction(ext, |ext| {
        ensure_deadline(ext, deadline)?;
        let plan = plan_exact_in(ext, &path, amount_in)?;
        if plan.amount_out() < amount_out_min {
            return Err(Error::AmountOutTooLow.into());
        }
        execute(ext, who, path, &plan, send_to)?;
        Ok(plan.amount_out())
    })
}

/// Swap at most `amount_in_max` of `path[0]` (protocol fee included) for exactly
/// `amount_out` of the path's last asset, paid to `send_to`. Returns the input.
pub fn swap_exact_out(
    ext: &mut dyn Externalities,
    who: &AccountId,
    path: Vec<AssetKind>,
    amount_out: Balance,
    amount_in_max: Balance,
    send_to: &AccountId,
    deadline: BlockNumber,
) -> Result<Balance, DispatchError> {
    with_transaction(ext, |ext| {
        ensure_deadline(ext, deadline)?;
        let plan = plan_exact_out(ext, &path, amount_out)?;
        if plan.amount_in > amount_in_max {
            return Err(Error::AmountInTooHigh.into());
        }
        execute(ext, who, path, &plan, send_to)?;
        Ok(plan.amount_in)
    })
}

/// Move the assets of `plan` and update its pools.
fn execute(
    ext: &mut dyn Externalities,
    who: &AccountId,
    path: Vec<AssetKind>,
    plan: &Plan,
    send_to: &AccountId,
) -> Result<(), DispatchError> {
    let first = plan.hops.first().ok_or(Error::PathTooShort)?;
    let asset_in = first.asset_in;
    let first_account = first.account();
    pay(
        ext,
        &asset_in,
        who,
        &first_account,
        plan.amount_in,
        user_liveness(&asset_in),
    )?;
    if plan.fee > 0 {
        let treasury = treasury_account();
        pay(
            ext,
            &asset_in,
            &first_account,
            &treasury,
            plan.fee,
            Liveness::KeepAlive,
        )?;
        deposit_event(
            ext,
            Event::ProtocolFeePaid {
                asset: asset_in,
                amount: plan.fee,
            },
        );
    }
    let block = now(ext);
    for (i, hop) in plan.hops.iter().enumerate() {
        let (amount_in, amount_out) = (plan.amounts[i], plan.amounts[i + 1]);
        let (reserve_in, reserve_out) = hop.reserves();
        math::check_k(reserve_in, reserve_out, amount_in, amount_out)?;
        let new_in = reserve_in.checked_add(amount_in).ok_or(Error::Overflow)?;
        let new_out = reserve_out
            .checked_sub(amount_out)
            .ok_or(Error::InsufficientLiquidity)?;
        let mut pool = hop.pool;
        crate::pool::accrue(&mut pool, block);
        if hop.forward() {
            (pool.reserve0, pool.reserve1) = (new_in, new_out);
        } else {
            (pool.reserve1, pool.reserve0) = (new_in, new_out);
        }
        write_pool(ext, &hop.key.0, &hop.key.1, &pool);
        let to = match plan.hops.get(i + 1) {
            Some(next) => next.account(),
            None => *send_to,
        };
        pay(
            ext,
            &hop.asset_out,
            &hop.account(),
            &to,
            amount_out,
            Liveness::KeepAlive,
        )?;
    }
    deposit_event(
        ext,
        Event::SwapExecuted {
            who: *who,
            send_to: *send_to,
            path,
            amount_in: plan.amount_in,
            amount_out: plan.amount_out(),
        },
    );
    Ok(())
}
