//! Pool math (Uniswap v2's vectors), pool creation and liquidity.
use crate::{math::*, mock::*, *};
use hm_pallet_caesar as caesar;
use hm_pallet_tokens as tokens;
use hm_primitives::UNITS;

const E18: Balance = 1_000_000_000_000_000_000;

#[test]
fn get_amount_out_matches_uniswap_v2_vectors() {
    // UniswapV2Pair.spec `getInputPrice`: (swapAmount, token0Amount, token1Amount, expected).
    let cases: [(Balance, Balance, Balance, Balance); 7] = [
        (1, 5, 10, 1_662_497_915_624_478_906),
        (1, 10, 5, 453_305_446_940_074_565),
        (2, 5, 10, 2_851_015_155_847_869_602),
        (2, 10, 5, 831_248_957_812_239_453),
        (1, 10, 10, 906_610_893_880_149_131),
        (1, 100, 100, 987_158_034_397_061_298),
        (1, 1000, 1000, 996_006_981_039_903_216),
    ];
    for (swap, reserve_in, reserve_out, expected) in cases {
        let out = get_amount_out(swap * E18, reserve_in * E18, reserve_out * E18).unwrap();
        assert_eq!(
            out, expected,
            "{swap} in, reserves {reserve_in}/{reserve_out}"
        );
        // The least input buying that output is at most the input, and one less buys less.
        let least = get_amount_in(out, reserve_in * E18, reserve_out * E18).unwrap();
        assert!(least <= swap * E18);
        assert!(get_amount_out(least, reserve_in * E18, reserve_out * E18).unwrap() >= out);
        assert!(get_amount_out(least - 1, reserve_in * E18, reserve_out * E18).unwrap() < out);
    }
    // UniswapV2Router02.spec.
    assert_eq!(get_amount_out(2, 100, 100), Ok(1));
    assert_eq!(get_amount_in(1, 100, 100), Ok(2));
    assert_eq!(quote(1, 100, 200), Ok(2));
    assert_eq!(quote(2, 200, 100), Ok(1));
}

#[test]
fn the_math_refuses_what_uniswap_reverts_on() {
    assert_eq!(get_amount_out(0, 100, 100), Err(Error::ZeroAmount));
    assert_eq!(get_amount_out(2, 0, 100), Err(Error::InsufficientLiquidity));
    assert_eq!(get_amount_out(2, 100, 0), Err(Error::InsufficientLiquidity));
    assert_eq!(get_amount_in(0, 100, 100), Err(Error::ZeroAmount));
    assert_eq!(get_amount_in(1, 0, 100), Err(Error::InsufficientLiquidity));
    assert_eq!(
        get_amount_in(100, 100, 100),
        Err(Error::InsufficientLiquidity)
    );
    assert_eq!(quote(0, 100, 200), Err(Error::ZeroAmount));
    assert_eq!(quote(1, 0, 200), Err(Error::InsufficientLiquidity));
    // Full-width balances do not overflow on the way; a result that does not fit does.
    let max = Balance::MAX;
    // in = rIn = rOut: out = 997·max/1997, computed without overflow.
    let expected = U512::from(max) * U512::from(997u32) / U512::from(1997u32);
    assert_eq!(get_amount_out(max, max, max), Ok(expected.as_u128()));
    assert_eq!(get_amount_in(max - 1, max, max), Err(Error::Overflow));
    assert_eq!(check_k(100, 100, 10, 9), Ok(()));
    assert_eq!(check_k(100, 100, 10, 10), Err(Error::KInvariant));
}

#[test]
fn gross_for_net_is_the_least_input_that_leaves_net_after_the_fee() {
    for bps in [0u16, 1, 3, 17, 30] {
        for net in 1..3_000u128 {
            let gross = gross_for_net(net, bps).unwrap();
            assert!(gross - protocol_fee(gross, bps).unwrap() >= net);
            assert!(gross - 1 - protocol_fee(gross - 1, bps).unwrap() < net);
        }
    }
}

#[test]
fn create_pool_opens_the_accounts_and_lists_the_pool() {
    let mut ext = ext_with_tokens(2, 10, 1_000);
    noop(
        &mut ext,
        ALICE,
        Call::CreatePool {
            asset0: T0,
            asset1: T0,
        },
        Error::IdenticalAssets,
    );
    noop(
        &mut ext,
        ALICE,
        Call::CreatePool {
            asset0: T0,
            asset1: T3,
        },
        Error::UnknownToken,
    );
    // Either order makes the same pool: (Native, T0).
    ok(
        &mut ext,
        BOB,
        Call::CreatePool {
            asset0: T0,
            asset1: NATIVE,
        },
    );
    noop(
        &mut ext,
        ALICE,
        Call::CreatePool {
            asset0: NATIVE,
            asset1: T0,
        },
        Error::PoolExists,
    );
    let account = pool_account(&NATIVE, &T0);
    let treasury = treasury_account();
    assert_eq!(
        pool_account(&NATIVE, &T0).0,
        blake3_256(&[b"hm/dex/pool".as_slice(), &(NATIVE, T0).encode()].concat()).0
    );
    assert_eq!(treasury.0, blake3_256(b"hm/treasury").0);
    // BOB paid the ED into the pool account and into the new treasury.
    assert_eq!(caesar::free_balance(&ext, &account), ED);
    assert_eq!(caesar::free_balance(&ext, &treasury), ED);
    assert_eq!(caesar::free_balance(&ext, &BOB), ENDOWMENT - 2 * ED);
    let pool = pool(&ext, T0, NATIVE).unwrap();
    assert_eq!(
        (pool.lp_token, pool.reserve0, pool.reserve1, pool.lp_supply),
        (2, 0, 0, 0)
    );
    let lp = tokens::details(&ext, pool.lp_token).unwrap();
    assert_eq!(
        (lp.owner, lp.admin, lp.min_balance, lp.deposit),
        (account, account, 1, 0)
    );
    for (token, who) in [(0, account), (0, treasury), (pool.lp_token, account)] {
        assert!(tokens::token_account(&ext, token, &who).unwrap().sticky);
    }
    // A second pool: the treasury exists already, so only the pool's ED is paid.
    ok(
        &mut ext,
        BOB,
        Call::CreatePool {
            asset0: T1,
            asset1: T0,
        },
    );
    assert_eq!(caesar::free_balance(&ext, &BOB), ENDOWMENT - 2 * ED);
    assert_eq!(pool_count(&ext), 2);
    assert_eq!(pool_id(&ext, 1), Some((T0, T1)));
    let listed: Vec<_> = pools(&ext, 0, 10)
        .into_iter()
        .map(|(a, b, _)| (a, b))
        .collect();
    assert_eq!(listed, vec![(NATIVE, T0), (T0, T1)]);
    assert_eq!(pools(&ext, 1, 1).len(), 1);
    assert!(events(&ext).contains(&Event::PoolCreated {
        creator: BOB,
        asset0: T0,
        asset1: T1,
        pool_account: pool_account(&T0, &T1),
        lp_token: 3,
    }));
}

#[test]
fn the_first_mint_locks_minimum_liquidity_in_the_pool_account() {
    // UniswapV2Pair.spec `mint`: 1 and 4 give 2 shares, 1,000 units of them locked.
    let mut ext = ext_with_tokens(2, 1, 10 * E18);
    pool_with(&mut ext, T0, T1, E18, 4 * E18);
    let lp = lp_token(&ext, T0, T1);
    let account = pool_account(&T0, &T1);
    assert_eq!(
        tokens::balance(&ext, lp, &ALICE),
        2 * E18 - MINIMUM_LIQUIDITY
    );
    assert_eq!(tokens::balance(&ext, lp, &account), MINIMUM_LIQUIDITY);
    let pool = pool(&ext, T0, T1).unwrap();
    assert_eq!(
        (pool.reserve0, pool.reserve1, pool.lp_supply),
        (E18, 4 * E18, 2 * E18)
    );
    assert_exact_reserves(&ext);
    assert!(events(&ext).contains(&Event::LiquidityAdded {
        who: ALICE,
        mint_to: ALICE,
        asset0: T0,
        asset1: T1,
        amount0: E18,
        amount1: 4 * E18,
        lp_token: lp,
        lp_minted: 2 * E18 - MINIMUM_LIQUIDITY,
    }));
}

#[test]
fn a_first_mint_of_at_most_minimum_liquidity_is_refused() {
    let mut ext = ext_with_tokens(2, 1, 10 * E18);
    create(&mut ext, T0, T1);
    let deposit = |a, b| Call::AddLiquidity {
        asset0: T0,
        asset1: T1,
        amount0_desired: a,
        amount1_desired: b,
        amount0_min: 0,
        amount1_min: 0,
        mint_to: BOB,
    };
    noop(
        &mut ext,
        BOB,
        deposit(1_000, 1_000),
        Error::InsufficientLiquidityMinted,
    );
    noop(
        &mut ext,
        BOB,
        deposit(100, 10),
        Error::InsufficientLiquidityMinted,
    );
    noop(&mut ext, BOB, deposit(0, 10_000), Error::ZeroAmount);
    ok(&mut ext, BOB, deposit(1_001, 1_001));
    assert_eq!(tokens::balance(&ext, lp_token(&ext, T0, T1), &BOB), 1);
}

#[test]
fn a_native_pool_keeps_the_ed_outside_its_reserves() {
    let mut ext = ext_with_tokens(1, 1, 10 * E18);
    pool_with(&mut ext, NATIVE, T0, 100 * UNITS, 400 * UNITS);
    let account = pool_account(&NATIVE, &T0);
    assert_eq!(caesar::free_balance(&ext, &account), 100 * UNITS + ED);
    assert_eq!(
        tokens::balance(&ext, lp_token(&ext, NATIVE, T0), &ALICE),
        200 * UNITS - 1_000
    );
    assert_exact_reserves(&ext);
    // A provider cannot spend the CAES that keeps its own account alive.
    let all_caes = Call::AddLiquidity {
        asset0: NATIVE,
        asset1: T0,
        amount0_desired: ENDOWMENT,
        amount1_desired: 4 * ENDOWMENT,
        amount0_min: 0,
        amount1_min: 0,
        mint_to: BOB,
    };
    noop(&mut ext, BOB, all_caes, caesar::Error::KeepAlive);
}

#[test]
fn later_mints_follow_the_pool_ratio_and_its_minimums() {
    let mut ext = ext_with_tokens(2, 1, 10 * E18);
    pool_with(&mut ext, T0, T1, E18, 4 * E18);
    let lp = lp_token(&ext, T0, T1);
    let deposit = |a0, a1, b0, b1, min0, min1| Call::AddLiquidity {
        asset0: a0,
        asset1: a1,
        amount0_desired: b0,
        amount1_desired: b1,
        amount0_min: min0,
        amount1_min: min1,
        mint_to: BOB,
    };
    // 1 T0 wants 4 T1; BOB offers 3: then 0.75 T0 is used.
    noop(
        &mut ext,
        BOB,
        deposit(T0, T1, E18, 3 * E18, 0, 3 * E18 + 1),
        Error::Amount1BelowMin,
    );
    noop(
        &mut ext,
        BOB,
        deposit(T0, T1, E18, 3 * E18, E18 / 4 * 3 + 1, 0),
        Error::Amount0BelowMin,
    );
    // The same deposit given in the other order: the minimums follow the call's order.
    noop(
        &mut ext,
        BOB,
        deposit(T1, T0, 3 * E18, E18, 0, E18 / 4 * 3 + 1),
        Error::Amount1BelowMin,
    );
    ok(
        &mut ext,
        BOB,
        deposit(T1, T0, 3 * E18, E18, 3 * E18, E18 / 4 * 3),
    );
    assert_eq!(tokens::balance(&ext, lp, &BOB), 3 * E18 / 2);
    assert_eq!(tokens::balance(&ext, 0, &BOB), 10 * E18 - E18 / 4 * 3);
    assert_eq!(tokens::balance(&ext, 1, &BOB), 7 * E18);
    let pool = pool(&ext, T0, T1).unwrap();
    assert_eq!((pool.reserve0, pool.reserve1), (E18 + E18 / 4 * 3, 7 * E18));
    assert_eq!(pool.lp_supply, 2 * E18 + 3 * E18 / 2);
    noop(
        &mut ext,
        BOB,
        deposit(T0, T2, 1, 1, 0, 0),
        Error::UnknownPool,
    );
    assert_exact_reserves(&ext);
}

#[test]
fn a_donation_to_the_pool_account_does_not_change_a_later_mint() {
    let mut ext = ext_with_tokens(1, 1, 10 * E18);
    pool_with(&mut ext, NATIVE, T0, 100 * UNITS, 300 * UNITS);
    let account = pool_account(&NATIVE, &T0);
    let lp = lp_token(&ext, NATIVE, T0);
    let mut donated = ext.clone();
    caesar::transfer(
        &mut donated,
        &CHARLIE,
        &account,
        50 * UNITS,
        caesar::Liveness::KeepAlive,
    )
    .unwrap();
    tokens::transfer(
        &mut donated,
        0,
        &CHARLIE,
        &account,
        7 * E18,
        caesar::Liveness::KeepAlive,
    )
    .unwrap();
    assert_invariants(&donated);
    for state in [&mut ext, &mut donated] {
        add(state, BOB, NATIVE, T0, 10 * UNITS, 30 * UNITS);
        // Swaps see the reserves, not the balances, either.
        ok(state, DAVE, swap_in(&[T0, NATIVE], UNITS, 0, DAVE));
    }
    assert_eq!(
        tokens::balance(&ext, lp, &BOB),
        tokens::balance(&donated, lp, &BOB)
    );
    assert_eq!(bal(&ext, NATIVE, &DAVE), bal(&donated, NATIVE, &DAVE));
    assert_eq!(pool(&ext, NATIVE, T0), pool(&donated, NATIVE, T0));
    // The donation stays in the pool account, counted by no one.
    assert_eq!(
        bal(&donated, NATIVE, &account),
        bal(&ext, NATIVE, &account) + 50 * UNITS
    );
}

#[test]
fn burning_pays_each_reserve_pro_rata() {
    // UniswapV2Pair.spec `burn`: 3 and 3, burn everything but the locked 1,000.
    let mut ext = ext_with_tokens(2, 1, 10 * E18);
    pool_with(&mut ext, T0, T1, 3 * E18, 3 * E18);
    let lp = lp_token(&ext, T0, T1);
    let shares = 3 * E18 - MINIMUM_LIQUIDITY;
    let remove = |lp_amount, min0, min1| Call::RemoveLiquidity {
        asset0: T1,
        asset1: T0,
        lp_amount,
        amount0_min: min0,
        amount1_min: min1,
        withdraw_to: CHARLIE,
    };
    noop(
        &mut ext,
        ALICE,
        remove(shares + 1, 0, 0),
        Error::InsufficientLpBalance,
    );
    noop(&mut ext, BOB, remove(1, 0, 0), Error::InsufficientLpBalance);
    noop(&mut ext, ALICE, remove(0, 0, 0), Error::ZeroAmount);
    noop(
        &mut ext,
        ALICE,
        remove(shares, shares + 1, 0),
        Error::Amount0BelowMin,
    );
    noop(
        &mut ext,
        ALICE,
        remove(shares, 0, shares + 1),
        Error::Amount1BelowMin,
    );
    ok(&mut ext, ALICE, remove(shares, shares, shares));
    assert_eq!(tokens::balance(&ext, 0, &CHARLIE), 10 * E18 + shares);
    assert_eq!(tokens::balance(&ext, 1, &CHARLIE), 10 * E18 + shares);
    assert_eq!(tokens::token_account(&ext, lp, &ALICE), None);
    let pool = pool(&ext, T0, T1).unwrap();
    assert_eq!(
        (pool.reserve0, pool.reserve1, pool.lp_supply),
        (1_000, 1_000, 1_000)
    );
    assert!(events(&ext).contains(&Event::LiquidityRemoved {
        who: ALICE,
        withdraw_to: CHARLIE,
        asset0: T0,
        asset1: T1,
        amount0: shares,
        amount1: shares,
        lp_token: lp,
        lp_burned: shares,
    }));
    assert_exact_reserves(&ext);
    // The pool still works from the locked liquidity.
    add(&mut ext, BOB, T0, T1, E18, E18);
    assert_eq!(tokens::balance(&ext, lp, &BOB), E18);
}

#[test]
fn shares_are_tokens_and_pay_whoever_holds_them() {
    let mut ext = ext_with_tokens(1, 1, 10 * E18);
    pool_with(&mut ext, NATIVE, T0, 100 * UNITS, 100 * UNITS);
    let lp = lp_token(&ext, NATIVE, T0);
    tokens::transfer(
        &mut ext,
        lp,
        &ALICE,
        &BOB,
        50 * UNITS,
        caesar::Liveness::KeepAlive,
    )
    .unwrap();
    let before = bal(&ext, NATIVE, &BOB);
    ok(
        &mut ext,
        BOB,
        Call::RemoveLiquidity {
            asset0: NATIVE,
            asset1: T0,
            lp_amount: 50 * UNITS,
            amount0_min: 50 * UNITS,
            amount1_min: 50 * UNITS,
            withdraw_to: BOB,
        },
    );
    assert_eq!(bal(&ext, NATIVE, &BOB), before + 50 * UNITS);
    assert_exact_reserves(&ext);
}

#[test]
fn the_pallet_describes_its_storage_and_constants() {
    use hm_support::Pallet as _;
    let storage: Vec<_> = Pallet::storage_metadata().iter().map(|e| e.name).collect();
    assert_eq!(storage, ["Pools", "PoolIds", "PoolCount", "ProtocolFeeBps"]);
    let constants = Pallet::constants_metadata();
    let fee = constants
        .iter()
        .find(|c| c.name == "MaxProtocolFeeBps")
        .unwrap();
    assert_eq!(fee.value, MAX_PROTOCOL_FEE_BPS.encode());
    assert_eq!(<Pallet as hm_support::Pallet>::INDEX, 5);
}
