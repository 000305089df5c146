//! Tokens and the DEX composed in the runtime: signed extrinsics create a token, a pool
//! with CAES and liquidity, then swap; a one-hop swap is charged for one hop (the rest
//! of its declared weight refunded), a failed swap pays its fee and changes nothing
//! else, and every pallet's invariants hold after every block.
mod common;

use common::*;
use hm_pallet_dex::{self as dex, AssetKind};
use hm_pallet_tokens as tokens;
use hm_primitives::UNITS;
use hm_runtime::*;

const TOKENS: u128 = 1_000_000_000;

fn swap(deadline: u64, amount_out_min: u128, send_to: hm_primitives::AccountId) -> Call {
    Call::Dex(dex::Call::SwapExactIn {
        path: vec![AssetKind::Native, AssetKind::Token(0)],
        amount_in: UNITS,
        amount_out_min,
        send_to,
        deadline,
    })
}

#[test]
fn tokens_pools_and_swaps_through_signed_extrinsics() {
    let mut ext = chain();
    let (a, b) = (alice().account_id(), bob().account_id());
    let setup = [
        Call::Tokens(tokens::Call::Create { min_balance: 1 }),
        Call::Tokens(tokens::Call::Mint {
            token: 0,
            beneficiary: a,
            amount: TOKENS,
        }),
        Call::Dex(dex::Call::CreatePool {
            asset0: AssetKind::Native,
            asset1: AssetKind::Token(0),
        }),
        Call::Dex(dex::Call::AddLiquidity {
            asset0: AssetKind::Native,
            asset1: AssetKind::Token(0),
            amount0_desired: 100 * UNITS,
            amount1_desired: TOKENS,
            amount0_min: 100 * UNITS,
            amount1_min: TOKENS,
            mint_to: a,
        }),
    ];
    for (n, call) in setup.into_iter().enumerate() {
        let xt = signed(alice(), n as u64, call);
        let outcome = apply_extrinsic(&mut ext, &block(1), &xt).unwrap();
        assert_eq!(outcome.result, Ok(()), "setup call {n}");
    }
    finalize_checked(&mut ext, &block(1));
    assert_issuance_matches(&ext.inner);

    initialize_block(&mut ext, &block(2));
    let expected = dex::quote_exact_in(&ext, &[AssetKind::Native, AssetKind::Token(0)], UNITS)
        .expect("a quote");
    let xt = signed(bob(), 0, swap(2, expected, b));
    let outcome = apply_extrinsic(&mut ext, &block(2), &xt).unwrap();
    assert_eq!(outcome.result, Ok(()));
    assert_eq!(tokens::balance(&ext, 0, &b), expected);
    // Declared for four hops, charged for one: two of five shares.
    let one_hop = dex::weights::SWAP_EXACT_IN * 2 / 5;
    assert_eq!(outcome.weight, weights::EXTRINSIC_BASE + one_hop);

    // One unit more than the swap can pay: refused, fee paid, nothing else moved.
    let pool_before = dex::pool(&ext, AssetKind::Native, AssetKind::Token(0)).unwrap();
    let free_before = free(&ext, &b);
    let greedy =
        dex::quote_exact_in(&ext, &[AssetKind::Native, AssetKind::Token(0)], UNITS).unwrap() + 1;
    let xt = next_signed(&ext, bob(), swap(2, greedy, b));
    let outcome = apply_extrinsic(&mut ext, &block(2), &xt).unwrap();
    let err = outcome.result.unwrap_err();
    assert_eq!(
        (err.pallet, err.message),
        (
            dex::PALLET_INDEX,
            "the swap would pay less than amount_out_min"
        )
    );
    assert_eq!(free(&ext, &b), free_before - outcome.fee);
    assert_eq!(
        dex::pool(&ext, AssetKind::Native, AssetKind::Token(0)).unwrap(),
        pool_before
    );
    // A deadline in the past.
    let xt = next_signed(&ext, bob(), swap(1, 1, b));
    let outcome = apply_extrinsic(&mut ext, &block(2), &xt).unwrap();
    assert_eq!(
        outcome.result.unwrap_err().message,
        "the deadline is before the current block"
    );
    finalize_checked(&mut ext, &block(2));
    assert_issuance_matches(&ext.inner);
}
