//! Swaps: Uniswap v2's vectors, multi-hop paths over CAES and tokens, slippage and
//! deadlines, the protocol fee, every refusal, and the price accumulators.
use crate::{math::*, mock::*, *};
use hm_pallet_caesar as caesar;
use hm_pallet_system as system;
use hm_pallet_tokens as tokens;
use hm_primitives::UNITS;

const E18: Balance = 1_000_000_000_000_000_000;

#[test]
fn a_single_hop_matches_uniswap_v2_in_both_directions() {
    // UniswapV2Pair.spec `swap:token0` and `swap:token1`.
    for (path, expected) in [
        ([T0, T1], 1_662_497_915_624_478_906),
        ([T1, T0], 453_305_446_940_074_565),
    ] {
        let mut ext = ext_with_tokens(2, 1, 100 * E18);
        pool_with(&mut ext, T0, T1, 5 * E18, 10 * E18);
        assert_eq!(quote_exact_in(&ext, &path, E18), Ok(expected));
        ok(&mut ext, BOB, swap_in(&path, E18, expected, CHARLIE));
        assert_eq!(bal(&ext, path[0], &BOB), 99 * E18);
        assert_eq!(bal(&ext, path[1], &CHARLIE), 100 * E18 + expected);
        let pool = pool(&ext, T0, T1).unwrap();
        let (r_in, r_out) = if path[0] == T0 {
            (5 * E18, 10 * E18)
        } else {
            (10 * E18, 5 * E18)
        };
        let (reserve_in, reserve_out) = if path[0] == T0 {
            (pool.reserve0, pool.reserve1)
        } else {
            (pool.reserve1, pool.reserve0)
        };
        assert_eq!((reserve_in, reserve_out), (r_in + E18, r_out - expected));
        assert_exact_reserves(&ext);
        assert!(events(&ext).contains(&Event::SwapExecuted {
            who: BOB,
            send_to: CHARLIE,
            path: path.to_vec(),
            amount_in: E18,
            amount_out: expected,
        }));
    }
}

/// Pools T0/CAES, CAES/T1 and T1/T2, funded by ALICE.
fn three_pools() -> hm_support::MemoryExt {
    let mut ext = ext_with_tokens(3, 1, 1_000_000 * UNITS);
    pool_with(&mut ext, T0, NATIVE, 10_000 * UNITS, 5_000 * UNITS);
    pool_with(&mut ext, NATIVE, T1, 5_000 * UNITS, 20_000 * UNITS);
    pool_with(&mut ext, T1, T2, 20_000 * UNITS, 7_000 * UNITS);
    ext
}

fn reserves(ext: &hm_support::MemoryExt, a: AssetKind, b: AssetKind) -> (Balance, Balance) {
    let pool = pool(ext, a, b).unwrap();
    if a < b {
        (pool.reserve0, pool.reserve1)
    } else {
        (pool.reserve1, pool.reserve0)
    }
}

#[test]
fn a_multi_hop_exact_in_swap_chains_the_hops() {
    let mut ext = three_pools();
    let path = [T0, NATIVE, T1, T2];
    let amount_in = 123 * UNITS;
    let mut expected = amount_in;
    for pair in path.windows(2) {
        let (r_in, r_out) = reserves(&ext, pair[0], pair[1]);
        expected = get_amount_out(expected, r_in, r_out).unwrap();
    }
    assert_eq!(quote_exact_in(&ext, &path, amount_in), Ok(expected));
    noop(
        &mut ext,
        BOB,
        swap_in(&path, amount_in, expected + 1, DAVE),
        Error::AmountOutTooLow,
    );
    let before = bal(&ext, T2, &DAVE);
    ok(&mut ext, BOB, swap_in(&path, amount_in, expected, DAVE));
    assert_eq!(bal(&ext, T2, &DAVE), before + expected);
    assert_eq!(bal(&ext, T0, &BOB), 1_000_000 * UNITS - amount_in);
    assert_exact_reserves(&ext);
    // The reverse path, from tokens into CAES.
    let back = [T2, T1, NATIVE];
    let out = quote_exact_in(&ext, &back, expected).unwrap();
    let caes = bal(&ext, NATIVE, &CHARLIE);
    ok(&mut ext, DAVE, swap_in(&back, expected, out, CHARLIE));
    assert_eq!(bal(&ext, NATIVE, &CHARLIE), caes + out);
    assert_exact_reserves(&ext);
}

#[test]
fn a_multi_hop_exact_out_swap_pays_exactly_and_costs_its_quote() {
    let mut ext = three_pools();
    let path = [T2, T1, NATIVE, T0];
    let amount_out = 77 * UNITS;
    let mut expected = amount_out;
    for pair in path.windows(2).rev() {
        let (r_in, r_out) = reserves(&ext, pair[0], pair[1]);
        expected = get_amount_in(expected, r_in, r_out).unwrap();
    }
    assert_eq!(quote_exact_out(&ext, &path, amount_out), Ok(expected));
    noop(
        &mut ext,
        BOB,
        swap_out(&path, amount_out, expected - 1, DAVE),
        Error::AmountInTooHigh,
    );
    let (t2, t0) = (bal(&ext, T2, &BOB), bal(&ext, T0, &DAVE));
    ok(&mut ext, BOB, swap_out(&path, amount_out, expected, DAVE));
    assert_eq!(bal(&ext, T2, &BOB), t2 - expected);
    assert_eq!(bal(&ext, T0, &DAVE), t0 + amount_out);
    // CAES out, with CAES's existential deposit kept in the pool.
    let caes = bal(&ext, NATIVE, &CHARLIE);
    let cost = quote_exact_out(&ext, &[T1, NATIVE], UNITS).unwrap();
    ok(&mut ext, BOB, swap_out(&[T1, NATIVE], UNITS, cost, CHARLIE));
    assert_eq!(bal(&ext, NATIVE, &CHARLIE), caes + UNITS);
    assert_exact_reserves(&ext);
}

#[test]
fn the_protocol_fee_is_set_by_root_and_paid_to_the_treasury() {
    let mut ext = three_pools();
    let treasury = treasury_account();
    let set = |bps| Call::SetProtocolFee { bps };
    noop(&mut ext, ALICE, set(10), system::Error::BadOrigin);
    let before = ext.state.clone();
    assert_eq!(
        root(&mut ext, set(MAX_PROTOCOL_FEE_BPS + 1)),
        Err(Error::ProtocolFeeTooHigh.into())
    );
    assert!(ext.state == before);
    assert_eq!(root(&mut ext, set(30)), Ok(()));
    assert_eq!(protocol_fee_bps(&ext), 30);
    assert!(events(&ext).contains(&Event::ProtocolFeeSet { bps: 30 }));

    // Exact in: 0.3% of the input to the treasury, the rest through the pools.
    let path = [T0, NATIVE, T1];
    let amount_in = 1_000 * UNITS;
    let fee = amount_in * 30 / 10_000;
    let mut expected = amount_in - fee;
    for pair in path.windows(2) {
        let (r_in, r_out) = reserves(&ext, pair[0], pair[1]);
        expected = get_amount_out(expected, r_in, r_out).unwrap();
    }
    assert_eq!(quote_exact_in(&ext, &path, amount_in), Ok(expected));
    let (r_before, _) = reserves(&ext, T0, NATIVE);
    ok(&mut ext, BOB, swap_in(&path, amount_in, expected, BOB));
    assert_eq!(bal(&ext, T0, &treasury), fee);
    assert_eq!(reserves(&ext, T0, NATIVE).0, r_before + amount_in - fee);
    assert!(events(&ext).contains(&Event::ProtocolFeePaid {
        asset: T0,
        amount: fee
    }));
    assert_exact_reserves(&ext);

    // Exact out with CAES in: the quote includes the fee, which goes to the treasury.
    let caes = bal(&ext, NATIVE, &treasury);
    let net = get_amount_in(
        UNITS,
        reserves(&ext, NATIVE, T1).0,
        reserves(&ext, NATIVE, T1).1,
    )
    .unwrap();
    let gross = gross_for_net(net, 30).unwrap();
    assert_eq!(quote_exact_out(&ext, &[NATIVE, T1], UNITS), Ok(gross));
    noop(
        &mut ext,
        BOB,
        swap_out(&[NATIVE, T1], UNITS, gross - 1, BOB),
        Error::AmountInTooHigh,
    );
    ok(&mut ext, BOB, swap_out(&[NATIVE, T1], UNITS, gross, BOB));
    assert_eq!(bal(&ext, NATIVE, &treasury), caes + gross - net);
    assert_exact_reserves(&ext);

    // Back to zero: no fee.
    assert_eq!(root(&mut ext, set(0)), Ok(()));
    let t0 = bal(&ext, T0, &treasury);
    ok(&mut ext, BOB, swap_in(&[T0, NATIVE], UNITS, 0, BOB));
    assert_eq!(bal(&ext, T0, &treasury), t0);
}

#[test]
fn bad_swaps_are_refused_with_a_precise_error_and_change_nothing() {
    let mut ext = three_pools();
    run_to_block(&mut ext, 5);
    noop(
        &mut ext,
        BOB,
        swap_in(&[T0], UNITS, 0, BOB),
        Error::PathTooShort,
    );
    noop(
        &mut ext,
        BOB,
        swap_in(&[], UNITS, 0, BOB),
        Error::PathTooShort,
    );
    noop(
        &mut ext,
        BOB,
        swap_in(
            &[T0, NATIVE, T1, T2, T3, AssetKind::Token(4)],
            UNITS,
            0,
            BOB,
        ),
        Error::PathTooLong,
    );
    noop(
        &mut ext,
        BOB,
        swap_in(&[T0, NATIVE, T0], UNITS, 0, BOB),
        Error::LoopingPath,
    );
    noop(
        &mut ext,
        BOB,
        swap_out(&[NATIVE, T1, NATIVE], UNITS, u128::MAX, BOB),
        Error::LoopingPath,
    );
    noop(
        &mut ext,
        BOB,
        swap_in(&[T0, T1], UNITS, 0, BOB),
        Error::UnknownPool,
    );
    noop(
        &mut ext,
        BOB,
        swap_in(&[T2, T3], UNITS, 0, BOB),
        Error::UnknownPool,
    );
    noop(
        &mut ext,
        BOB,
        swap_in(&[T0, NATIVE], 0, 0, BOB),
        Error::ZeroAmount,
    );
    noop(
        &mut ext,
        BOB,
        swap_out(&[T0, NATIVE], 0, u128::MAX, BOB),
        Error::ZeroAmount,
    );
    // More than the pool holds, or everything it holds.
    let (_, caes_reserve) = reserves(&ext, T0, NATIVE);
    noop(
        &mut ext,
        BOB,
        swap_out(&[T0, NATIVE], caes_reserve, u128::MAX, BOB),
        Error::InsufficientLiquidity,
    );
    // So little that the pool would pay nothing.
    noop(
        &mut ext,
        BOB,
        swap_in(&[T0, NATIVE], 1, 0, BOB),
        Error::InsufficientOutputAmount,
    );
    // A deadline one block in the past; the current block is still in time.
    let late = |deadline| Call::SwapExactIn {
        path: vec![T0, NATIVE],
        amount_in: UNITS,
        amount_out_min: 0,
        send_to: BOB,
        deadline,
    };
    noop(&mut ext, BOB, late(4), Error::DeadlineExpired);
    let late_out = Call::SwapExactOut {
        path: vec![T0, NATIVE],
        amount_out: UNITS,
        amount_in_max: u128::MAX,
        send_to: BOB,
        deadline: 4,
    };
    noop(&mut ext, BOB, late_out, Error::DeadlineExpired);
    ok(&mut ext, BOB, late(5));
    // More than the signer holds: the tokens pallet's error.
    noop(
        &mut ext,
        BOB,
        swap_in(&[T0, NATIVE], 2_000_000 * UNITS, 0, BOB),
        tokens::Error::InsufficientBalance,
    );
    // A frozen account cannot pay in.
    tokens::dispatch(
        &mut ext,
        system::Origin::Signed(ALICE),
        tokens::Call::Freeze { token: 0, who: BOB },
    )
    .unwrap();
    noop(
        &mut ext,
        BOB,
        swap_in(&[T0, NATIVE], UNITS, 0, BOB),
        tokens::Error::AccountFrozen,
    );
    // A new CAES account must receive at least the ED.
    let newcomer = AccountId([77; 32]);
    noop(
        &mut ext,
        CHARLIE,
        swap_out(&[T0, NATIVE], ED - 1, u128::MAX, newcomer),
        caesar::Error::ExistentialDeposit,
    );
    ok(
        &mut ext,
        CHARLIE,
        swap_out(&[T0, NATIVE], ED, u128::MAX, newcomer),
    );
    assert_eq!(bal(&ext, NATIVE, &newcomer), ED);
    // Every refusal of quoting matches the swap's.
    assert_eq!(
        quote_exact_in(&ext, &[T0, NATIVE, T0], UNITS),
        Err(Error::LoopingPath)
    );
    assert_eq!(
        quote_exact_out(&ext, &[T0, T1], UNITS),
        Err(Error::UnknownPool)
    );
}

#[test]
fn a_slippage_bound_missed_by_one_unit_is_refused() {
    let mut ext = three_pools();
    let out = quote_exact_in(&ext, &[T1, NATIVE], 10 * UNITS).unwrap();
    noop(
        &mut ext,
        BOB,
        swap_in(&[T1, NATIVE], 10 * UNITS, out + 1, BOB),
        Error::AmountOutTooLow,
    );
    let cost = quote_exact_out(&ext, &[T1, NATIVE], 10 * UNITS).unwrap();
    noop(
        &mut ext,
        BOB,
        swap_out(&[T1, NATIVE], 10 * UNITS, cost - 1, BOB),
        Error::AmountInTooHigh,
    );
    ok(
        &mut ext,
        BOB,
        swap_out(&[T1, NATIVE], 10 * UNITS, cost, BOB),
    );
}

#[test]
fn the_twap_is_the_block_weighted_average_price() {
    let mut ext = ext_with_tokens(2, 1, 1_000_000 * UNITS);
    pool_with(&mut ext, T0, T1, 1_000 * UNITS, 4_000 * UNITS);
    let start = observe(&ext, T1, T0).unwrap();
    assert_eq!(start.block, 1);
    assert_eq!(start.price0_cumulative, U256::zero());
    let price = |num: Balance, den: Balance| (U256::from(num) << 112) / U256::from(den);
    let (p0_a, p1_a) = (price(4_000, 1_000), price(1_000, 4_000));
    // Ten blocks at 4 T1 per T0, then a trade at block 11.
    run_to_block(&mut ext, 11);
    let mid = observe(&ext, T0, T1).unwrap();
    assert_eq!(mid.price0_cumulative, p0_a * U256::from(10u8));
    ok(&mut ext, BOB, swap_in(&[T0, T1], 1_000 * UNITS, 0, BOB));
    // A second trade in the same block accumulates nothing more.
    ok(&mut ext, BOB, swap_in(&[T1, T0], UNITS, 0, BOB));
    let (r0_c, r1_c) = reserves(&ext, T0, T1);
    run_to_block(&mut ext, 21);
    let end = observe(&ext, T0, T1).unwrap();
    let ten = U256::from(10u8);
    assert_eq!(end.block, 21);
    assert_eq!(end.price0_cumulative, p0_a * ten + price(r1_c, r0_c) * ten);
    let (twap0, twap1) = twap(&start, &end).unwrap();
    assert_eq!(
        twap0,
        (p0_a * ten + price(r1_c, r0_c) * ten) / U256::from(20u8)
    );
    assert_eq!(
        twap1,
        (p1_a * ten + price(r0_c, r1_c) * ten) / U256::from(20u8)
    );
    // Over the first ten blocks alone: the price then, exactly.
    assert_eq!(twap(&start, &mid), Some((p0_a, p1_a)));
    assert_eq!(apply_price(p0_a, 3 * UNITS), Some(12 * UNITS));
    // The same block twice, or in reverse, is no interval.
    assert_eq!(twap(&end, &start), None);
    assert_eq!(twap(&end, &end), None);
    // The stored accumulators stop at the last change; observing reads up to now.
    assert_eq!(pool(&ext, T0, T1).unwrap().last_block, 11);
    assert_eq!(observe(&ext, T0, T2), Err(Error::UnknownPool));
}

#[test]
fn accumulators_wrap_instead_of_failing() {
    let near_max = U256::MAX - U256::from(5u8);
    let wrapped = accumulate(near_max, 1, 1, 1);
    assert_eq!(wrapped, (U256::one() << 112) - U256::from(6u8));
    let older = Observation {
        block: 1,
        price0_cumulative: near_max,
        price1_cumulative: near_max,
    };
    let newer = Observation {
        block: 2,
        price0_cumulative: wrapped,
        price1_cumulative: wrapped,
    };
    assert_eq!(
        twap(&older, &newer),
        Some((U256::one() << 112, U256::one() << 112))
    );
}

#[test]
fn the_swap_weight_is_refunded_for_shorter_paths() {
    let mut ext = three_pools();
    let short = crate::dispatch(
        &mut ext,
        system::Origin::Signed(BOB),
        swap_in(&[T0, NATIVE], UNITS, 0, BOB),
    )
    .unwrap();
    assert_eq!(short.actual_weight, Some(weights::SWAP_EXACT_IN * 2 / 5));
    let long = crate::dispatch(
        &mut ext,
        system::Origin::Signed(BOB),
        swap_in(&[T0, NATIVE, T1, T2], UNITS, 0, BOB),
    )
    .unwrap();
    assert_eq!(long.actual_weight, Some(weights::SWAP_EXACT_IN * 4 / 5));
}
