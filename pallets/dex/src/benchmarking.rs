//! Benchmarks of the DEX pallet's calls (feature `runtime-benchmarks`), run by the
//! runtime's `bench_weights` (see [`hm_support::bench::COMMAND`]). Each call is timed
//! on its worst-case path: CAES sides (existential deposits), new accounts created,
//! the protocol fee paid, and swaps of the longest path (4 hops).
use crate::{self as dex, AssetKind, Call, MAX_PROTOCOL_FEE_BPS};
use hm_pallet_caesar::{self as caesar, benchmarking::populate};
use hm_pallet_system::{benchmarking::new_block, Origin};
use hm_pallet_tokens as tokens;
use hm_primitives::{AccountId, Balance, BlockNumber, UNITS};
use hm_support::bench::{
    account, measure_prepared, refuse_signatures, BenchConfig, Benchmarks, CountingExt,
    Measurement, POPULATION,
};

/// Timed runs per call.
const RUNS: usize = 1_000;
/// Tokens 0 to 3, which the swap path crosses after CAES.
const TOKENS: u32 = 4;
/// CAES each account of the population holds.
const BALANCE: Balance = 1_000_000 * UNITS;
/// Each side of each benchmark pool.
const LIQUIDITY: Balance = 100_000 * UNITS;
/// The 4-hop path: CAES, then tokens 0 to 3.
const PATH: [AssetKind; 5] = [
    AssetKind::Native,
    AssetKind::Token(0),
    AssetKind::Token(1),
    AssetKind::Token(2),
    AssetKind::Token(3),
];
const DEADLINE: BlockNumber = BlockNumber::MAX;

fn signed_ok(ext: &mut CountingExt, who: AccountId, call: Call) {
    let result = dex::dispatch(ext, Origin::Signed(who), call.clone());
    assert!(result.is_ok(), "{call:?}: {result:?}");
}

/// Creator of the benchmark tokens and provider of the benchmark pools.
fn creator() -> AccountId {
    account(0, 0)
}

fn add_call(a: AssetKind, b: AssetKind, amount: Balance, mint_to: AccountId) -> Call {
    Call::AddLiquidity {
        asset0: a,
        asset1: b,
        amount0_desired: amount,
        amount1_desired: amount,
        amount0_min: 0,
        amount1_min: 0,
        mint_to,
    }
}

/// Caesar's population; tokens 0 to 3; the pools along [`PATH`] funded 1:1 by
/// [`creator`]; the highest protocol fee.
fn dex_state() -> CountingExt {
    let mut ext = CountingExt::new(refuse_signatures);
    populate(&mut ext, BALANCE, &[]);
    for _ in 0..TOKENS {
        let id = tokens::create(&mut ext, &creator(), 1, 0).expect("token");
        tokens::mint_into(&mut ext, id, &creator(), 10 * LIQUIDITY).expect("mint");
    }
    for pair in PATH.windows(2) {
        signed_ok(
            &mut ext,
            creator(),
            Call::CreatePool {
                asset0: pair[0],
                asset1: pair[1],
            },
        );
        signed_ok(
            &mut ext,
            creator(),
            add_call(pair[0], pair[1], LIQUIDITY, creator()),
        );
    }
    let fee = Call::SetProtocolFee {
        bps: MAX_PROTOCOL_FEE_BPS,
    };
    assert!(dex::dispatch(&mut ext, Origin::Root, fee).is_ok());
    ext
}

/// A token created by population account `i`, holding `amount` of it (untimed).
fn token_for(ext: &mut CountingExt, i: usize, amount: Balance) -> AssetKind {
    let who = account(0, i as u32);
    let id = tokens::create(ext, &who, 1, 0).expect("token");
    tokens::mint_into(ext, id, &who, amount).expect("mint");
    AssetKind::Token(id)
}

/// Time `call(i)` signed by `who(i)` after `prepare`, as one weights item.
fn item(
    items: &mut Vec<Measurement>,
    runs: usize,
    constant: &'static str,
    doc: &str,
    mut prepare: impl FnMut(&mut CountingExt, usize) -> (Origin, Call),
) {
    let mut ext = dex_state();
    let m = measure_prepared(
        &mut ext,
        runs,
        |ext, i| {
            new_block(ext, i);
            prepare(ext, i)
        },
        |ext, (origin, call)| {
            let result = dex::dispatch(ext, origin, call.clone());
            assert!(result.is_ok(), "{call:?}: {result:?}");
        },
    );
    items.push(Measurement::new(constant, doc, m));
}

pub fn benchmarks(config: &BenchConfig) -> Benchmarks {
    let runs = config.runs(RUNS);
    let trader = |i: usize| account(0, 1 + i as u32 % (POPULATION - 1));
    let newcomer = |i: usize| account(1, i as u32);
    let mut items = Vec::new();

    item(
        &mut items,
        runs,
        "CREATE_POOL",
        "`create_pool` of CAES and a token: the LP token, three sticky accounts, and the ED\n\
         paid into the pool account and into a treasury that does not exist yet.",
        |ext, i| {
            let token = token_for(ext, i, 1);
            caesar::set_balance(ext, &dex::treasury_account(), 0).expect("reap the treasury");
            let call = Call::CreatePool {
                asset0: AssetKind::Native,
                asset1: token,
            };
            (Origin::Signed(account(0, i as u32)), call)
        },
    );
    item(
        &mut items,
        runs,
        "ADD_LIQUIDITY",
        "`add_liquidity`, worst case: the first mint of a CAES pool (shares locked and minted).",
        |ext, i| {
            let who = account(0, i as u32);
            let token = token_for(ext, i, 100 * UNITS);
            signed_ok(
                ext,
                who,
                Call::CreatePool {
                    asset0: AssetKind::Native,
                    asset1: token,
                },
            );
            (
                Origin::Signed(who),
                add_call(AssetKind::Native, token, 10 * UNITS, who),
            )
        },
    );
    item(
        &mut items,
        runs,
        "REMOVE_LIQUIDITY",
        "`remove_liquidity` of a CAES pool, worst case: burns every share of the signer and\n\
         pays a new account.",
        |ext, i| {
            let who = trader(i);
            let t0 = AssetKind::Token(0);
            tokens::mint_into(ext, 0, &who, 10 * UNITS).expect("mint");
            signed_ok(ext, who, add_call(AssetKind::Native, t0, 10 * UNITS, who));
            let lp_amount = tokens::balance(
                ext,
                dex::pool(ext, AssetKind::Native, t0)
                    .expect("pool")
                    .lp_token,
                &who,
            );
            let call = Call::RemoveLiquidity {
                asset0: AssetKind::Native,
                asset1: t0,
                lp_amount,
                amount0_min: 0,
                amount1_min: 0,
                withdraw_to: newcomer(i),
            };
            (Origin::Signed(who), call)
        },
    );
    item(
        &mut items,
        runs,
        "SWAP_EXACT_IN",
        "`swap_exact_in` over 4 hops from CAES, with the protocol fee, paying a new account.",
        |_, i| {
            let call = Call::SwapExactIn {
                path: PATH.to_vec(),
                amount_in: UNITS,
                amount_out_min: 0,
                send_to: newcomer(i),
                deadline: DEADLINE,
            };
            (Origin::Signed(trader(i)), call)
        },
    );
    item(
        &mut items,
        runs,
        "SWAP_EXACT_OUT",
        "`swap_exact_out` over 4 hops from CAES, with the protocol fee, paying a new account.",
        |_, i| {
            let call = Call::SwapExactOut {
                path: PATH.to_vec(),
                amount_out: UNITS,
                amount_in_max: Balance::MAX,
                send_to: newcomer(i),
                deadline: DEADLINE,
            };
            (Origin::Signed(trader(i)), call)
        },
    );
    item(
        &mut items,
        runs,
        "SET_PROTOCOL_FEE",
        "`set_protocol_fee` (root).",
        |_, i| {
            let bps = (i % (MAX_PROTOCOL_FEE_BPS as usize + 1)) as u16;
            (Origin::Root, Call::SetProtocolFee { bps })
        },
    );

    Benchmarks {
        title: "Weights of the DEX pallet's calls",
        method: vec![
            format!("weight = median time of the worst-case path ({runs} runs) against an"),
            format!(
                "in-memory state of {POPULATION} accounts and four pools along a 4-hop path, plus"
            ),
        ],
        items,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_benchmark_runs() {
        let config = hm_support::bench::BenchConfig { quick: true };
        let benchmarks = super::benchmarks(&config);
        let names: Vec<_> = benchmarks.items.iter().map(|m| m.constant).collect();
        assert_eq!(
            names,
            [
                "CREATE_POOL",
                "ADD_LIQUIDITY",
                "REMOVE_LIQUIDITY",
                "SWAP_EXACT_IN",
                "SWAP_EXACT_OUT",
                "SET_PROTOCOL_FEE"
            ]
        );
    }
}
