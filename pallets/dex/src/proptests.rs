//! Random sequences of swaps, deposits and withdrawals keep every invariant of the
//! DEX, tokens and Caesar; swaps never lower `k`; no sequence creates or destroys
//! value; and no round trip profits.
use crate::{math::U512, mock::*, pool_account, treasury_account, AssetKind, Call};
use hm_pallet_tokens as tokens;
use hm_primitives::{AccountId, Balance, UNITS};
use hm_support::MemoryExt;
use proptest::prelude::*;

const PEOPLE: [AccountId; 4] = [ALICE, BOB, CHARLIE, DAVE];
const ASSETS: [AssetKind; 3] = [NATIVE, T0, T1];
const PAIRS: [(AssetKind, AssetKind); 3] = [(NATIVE, T0), (NATIVE, T1), (T0, T1)];
/// Each person's holding of each token at the start.
const TOKEN_SUPPLY: Balance = 1_000_000 * UNITS;

/// Every path of two or three distinct assets among `ASSETS`.
fn paths() -> Vec<Vec<AssetKind>> {
    let mut paths = Vec::new();
    for a in ASSETS {
        for b in ASSETS {
            if a == b {
                continue;
            }
            paths.push(vec![a, b]);
            for c in ASSETS {
                if c != a && c != b {
                    paths.push(vec![a, b, c]);
                }
            }
        }
    }
    paths
}

fn amount() -> impl Strategy<Value = Balance> {
    prop_oneof![
        0..3u128,
        1..10_000u128,
        UNITS / 1_000..100 * UNITS,
        100 * UNITS..2_000_000 * UNITS,
        Just(u128::MAX),
    ]
}

#[derive(Clone, Debug)]
enum Op {
    Call(usize, Call),
    /// Remove `permille`/1000 of the signer's shares of pool `pair` (read when it runs).
    Remove {
        who: usize,
        pair: usize,
        permille: Balance,
        to: usize,
    },
    NextBlock,
}

fn op() -> impl Strategy<Value = Op> {
    let who = 0..PEOPLE.len();
    let path = 0..paths().len();
    let pair = 0..PAIRS.len();
    prop_oneof![
        4 => (who.clone(), path.clone(), amount(), amount(), 0..PEOPLE.len()).prop_map(
            |(w, p, amount_in, min, to)| {
                let min = min % 1_000;
                Op::Call(w, swap_in(&paths()[p], amount_in, min, PEOPLE[to]))
            }
        ),
        4 => (who.clone(), path, amount(), 0..PEOPLE.len()).prop_map(|(w, p, amount_out, to)| {
            Op::Call(w, swap_out(&paths()[p], amount_out, u128::MAX, PEOPLE[to]))
        }),
        2 => (who.clone(), pair.clone(), amount(), amount(), any::<bool>()).prop_map(
            |(w, p, a, b, flip)| {
                let (x, y) = if flip { (PAIRS[p].1, PAIRS[p].0) } else { PAIRS[p] };
                Op::Call(
                    w,
                    Call::AddLiquidity {
                        asset0: x,
                        asset1: y,
                        amount0_desired: a,
                        amount1_desired: b,
                        amount0_min: 0,
                        amount1_min: 0,
                        mint_to: PEOPLE[w],
                    },
                )
            }
        ),
        2 => (who, pair, 0..=1_000u128, 0..PEOPLE.len())
            .prop_map(|(w, pair, permille, to)| Op::Remove { who: w, pair, permille, to }),
        1 => (0..=30u16).prop_map(|bps| Op::Call(usize::MAX, Call::SetProtocolFee { bps })),
        1 => Just(Op::NextBlock),
    ]
}

/// The three pools, funded by ALICE (10,000 CAES, tokens at other ratios).
fn funded() -> MemoryExt {
    let mut ext = ext_with_tokens(2, 1, TOKEN_SUPPLY);
    pool_with(&mut ext, NATIVE, T0, 10_000 * UNITS, 30_000 * UNITS);
    pool_with(&mut ext, NATIVE, T1, 10_000 * UNITS, 7_000 * UNITS);
    pool_with(&mut ext, T0, T1, 50_000 * UNITS, 9_000 * UNITS);
    ext
}

/// Everything anyone holds of `asset`: the people, the pools and the treasury.
fn held(ext: &MemoryExt, asset: AssetKind) -> Balance {
    let pools = PAIRS.iter().map(|(a, b)| pool_account(a, b));
    PEOPLE
        .into_iter()
        .chain(pools)
        .chain([treasury_account()])
        .map(|who| bal(ext, asset, &who))
        .sum()
}

fn constant_products(ext: &MemoryExt) -> Vec<U512> {
    PAIRS
        .iter()
        .map(|(a, b)| {
            let pool = crate::pool(ext, *a, *b).unwrap();
            U512::from(pool.reserve0) * U512::from(pool.reserve1)
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_operations_keep_every_invariant(ops in prop::collection::vec(op(), 1..40)) {
        let mut ext = funded();
        let totals: Vec<Balance> = ASSETS.iter().map(|a| held(&ext, *a)).collect();
        let mut block = 1;
        for op in ops {
            let (who, call_) = match op {
                Op::NextBlock => {
                    block += 1;
                    run_to_block(&mut ext, block);
                    continue;
                }
                Op::Call(who, call_) => (who, call_),
                Op::Remove { who, pair, permille, to } => {
                    let (a, b) = PAIRS[pair];
                    let lp = crate::pool(&ext, a, b).unwrap().lp_token;
                    let held = tokens::balance(&ext, lp, &PEOPLE[who]);
                    let remove = Call::RemoveLiquidity {
                        asset0: a,
                        asset1: b,
                        lp_amount: held * permille / 1_000,
                        amount0_min: 0,
                        amount1_min: 0,
                        withdraw_to: PEOPLE[to],
                    };
                    (who, remove)
                }
            };
            let is_swap = matches!(call_, Call::SwapExactIn { .. } | Call::SwapExactOut { .. });
            let before = ext.state.clone();
            let k_before = constant_products(&ext);
            let result = if who == usize::MAX {
                root(&mut ext, call_.clone())
            } else {
                call(&mut ext, PEOPLE[who], call_.clone())
            };
            if result.is_err() {
                prop_assert!(ext.state == before, "a failed call changed state: {:?}", call_);
            } else if is_swap {
                for (k0, k1) in k_before.iter().zip(constant_products(&ext)) {
                    prop_assert!(k1 >= *k0, "a swap lowered k: {:?}", call_);
                }
            }
            assert_invariants(&ext);
            assert_exact_reserves(&ext);
            let now: Vec<Balance> = ASSETS.iter().map(|a| held(&ext, *a)).collect();
            prop_assert_eq!(&now, &totals, "value was created or destroyed by {:?}", call_);
            prop_assert_eq!(tokens::supply(&ext, 0), 4 * TOKEN_SUPPLY);
        }
    }

    #[test]
    fn a_swap_and_its_reverse_never_profit(
        path in 0..paths().len(),
        amount in 1..5_000 * UNITS,
        fee in prop_oneof![Just(0u16), 1..=30u16],
        exact_out in any::<bool>(),
    ) {
        let mut ext = funded();
        prop_assert_eq!(root(&mut ext, Call::SetProtocolFee { bps: fee }), Ok(()));
        let path = paths()[path].clone();
        let reverse: Vec<AssetKind> = path.iter().rev().copied().collect();
        let start = bal(&ext, path[0], &BOB);
        let got_before = bal(&ext, path[path.len() - 1], &BOB);
        let forward = if exact_out {
            swap_out(&path, amount, u128::MAX, BOB)
        } else {
            swap_in(&path, amount, 0, BOB)
        };
        if call(&mut ext, BOB, forward).is_err() {
            return Ok(());
        }
        let got = bal(&ext, path[path.len() - 1], &BOB) - got_before;
        if call(&mut ext, BOB, swap_in(&reverse, got, 0, BOB)).is_ok() {
            prop_assert!(bal(&ext, path[0], &BOB) < start, "a round trip profited");
        }
        assert_invariants(&ext);
    }

    #[test]
    fn a_deposit_withdrawn_at_once_never_returns_more(
        pair in 0..PAIRS.len(),
        a in 1..1_000_000 * UNITS,
        b in 1..1_000_000 * UNITS,
    ) {
        let mut ext = funded();
        let (x, y) = PAIRS[pair];
        let (x0, y0) = (bal(&ext, x, &BOB), bal(&ext, y, &BOB));
        let deposit = Call::AddLiquidity {
            asset0: x,
            asset1: y,
            amount0_desired: a,
            amount1_desired: b,
            amount0_min: 0,
            amount1_min: 0,
            mint_to: BOB,
        };
        if call(&mut ext, BOB, deposit).is_err() {
            return Ok(());
        }
        let lp = tokens::balance(&ext, crate::pool(&ext, x, y).unwrap().lp_token, &BOB);
        let withdraw = Call::RemoveLiquidity {
            asset0: x,
            asset1: y,
            lp_amount: lp,
            amount0_min: 0,
            amount1_min: 0,
            withdraw_to: BOB,
        };
        prop_assert_eq!(call(&mut ext, BOB, withdraw), Ok(()));
        prop_assert!(bal(&ext, x, &BOB) <= x0 && bal(&ext, y, &BOB) <= y0);
        assert_invariants(&ext);
    }
}
