//! `hypermesh-bench dex`: single-hop swaps (CAES → a token) under load on a dev node
//! (finalized swaps per second, submit-to-finalized latency), with native CAES transfers
//! measured in the same run as the baseline, and an audit that every swap's tokens were
//! paid out of the pool's reserve. The last line printed is one JSON object.
use crate::contracts::{
    native_ring, ratio, run_load, setup_load, window, LoadSetup, LoadShape, SETUP_TX_BYTES,
};
use crate::contracts_chain::{context, nonces, sign_calls, submit_checked};
use crate::load;
use crate::load_args::LoadArgs;
use crate::node::{self, SpawnOptions};
use crate::report::round2;
use anyhow::Context;
use clap::Args;
use hm_primitives::{parse_caes, AccountId, Balance, Nonce, UNITS};
use hm_runtime::pallet_dex::{self as dex, AssetKind};
use hm_runtime::pallet_tokens as tokens;
use hm_runtime::Call;
use hm_wallet::RpcWallet;
use serde_json::json;

/// Each swap spends this much CAES: small against the pool, so prices barely move.
const SWAP_IN: Balance = UNITS / 1_000;
/// The pool's reserves: CAES, and token units (the token has no decimals).
const POOL_CAES: Balance = 100_000 * UNITS;
const POOL_TOKENS: Balance = 1_000_000_000_000;

#[derive(Debug, Args)]
pub struct DexArgs {
    #[command(flatten)]
    pub load: LoadArgs,
}

async fn token_balance(wallet: &RpcWallet, token: u32, who: &AccountId) -> anyhow::Result<Balance> {
    let account: Option<tokens::TokenAccount> = wallet
        .decoded_storage(&tokens::storage::account(token, who), None)
        .await
        .context("a token balance")?;
    Ok(account.map_or(0, |a| a.balance))
}

async fn pool_of(wallet: &RpcWallet, token: u32) -> anyhow::Result<dex::Pool> {
    let key = dex::storage::pool(&AssetKind::Native, &AssetKind::Token(token));
    wallet
        .decoded_storage(&key, None)
        .await?
        .context("the benchmark pool does not exist")
}

/// A token minted to `alice`, and its pool with CAES, well funded.
async fn setup_pool(
    wallet: &RpcWallet,
    alice: &hm_crypto::Keypair,
    mortality: u64,
) -> anyhow::Result<u32> {
    let token: u32 = wallet
        .decoded_storage(&tokens::storage::next_token_id(), None)
        .await?
        .unwrap_or(0);
    let calls = [
        (
            "creating the token",
            Call::Tokens(tokens::Call::Create { min_balance: 1 }),
        ),
        (
            "minting",
            Call::Tokens(tokens::Call::Mint {
                token,
                beneficiary: alice.account_id(),
                amount: POOL_TOKENS,
            }),
        ),
        (
            "creating the pool",
            Call::Dex(dex::Call::CreatePool {
                asset0: AssetKind::Native,
                asset1: AssetKind::Token(token),
            }),
        ),
        (
            "adding liquidity",
            Call::Dex(dex::Call::AddLiquidity {
                asset0: AssetKind::Native,
                asset1: AssetKind::Token(token),
                amount0_desired: POOL_CAES,
                amount1_desired: POOL_TOKENS,
                amount0_min: POOL_CAES,
                amount1_min: POOL_TOKENS,
                mint_to: alice.account_id(),
            }),
        ),
    ];
    for (what, call) in calls {
        submit_checked(wallet, alice, call, mortality, what).await?;
    }
    Ok(token)
}

fn swap(token: u32, send_to: AccountId, deadline: u64) -> Call {
    Call::Dex(dex::Call::SwapExactIn {
        path: vec![AssetKind::Native, AssetKind::Token(token)],
        amount_in: SWAP_IN,
        amount_out_min: 1,
        send_to,
        deadline,
    })
}

pub async fn run(args: DexArgs) -> anyhow::Result<String> {
    args.load.validate()?;
    let fund = parse_caes(&args.load.fund).context("--fund")?;
    println!(
        "hypermesh-bench dex: {} accounts, {} swaps then {} CAES transfers, {} connections x {} in flight",
        args.load.accounts, args.load.txs, args.load.txs, args.load.connections, args.load.in_flight
    );
    let opts = SpawnOptions {
        binary: args
            .load
            .node_bin
            .clone()
            .unwrap_or_else(node::default_binary),
        block_time_ms: args.load.block_time_ms,
        pool: args.load.pool(),
        instant_seal: false,
    };
    let (spawned, url) = node::start_or_attach(args.load.rpc_url.as_deref(), &opts).await?;
    let measured = measure(&args, &url, fund).await;
    node::stop_started(spawned, measured.is_err());
    measured
}

async fn measure(args: &DexArgs, url: &str, fund: Balance) -> anyhow::Result<String> {
    let pool_limits = args.load.pool();
    let shape = LoadShape {
        accounts: args.load.accounts,
        connections: args.load.connections,
        in_flight: args.load.in_flight,
        stall_secs: args.load.stall_secs,
        mortality: args.load.mortality,
        fund,
        pool: pool_limits,
    };
    let LoadSetup {
        wallet,
        clients,
        mut opts,
        keys,
    } = setup_load(url, &shape, "[1/4]").await?;

    println!("[2/4] a token and its pool with CAES");
    let alice = hm_crypto::dev_keypair("alice").context("dev key alice")?;
    let token = setup_pool(&wallet, &alice, args.load.mortality).await?;
    let swap_probe = submit_checked(
        &wallet,
        &keys[0],
        swap(token, keys[0].account_id(), u64::MAX),
        args.load.mortality,
        "a probe swap",
    )
    .await?;
    let native_probe = submit_checked(
        &wallet,
        &keys[0],
        hm_wallet::transfer_call(keys[1].account_id(), UNITS, false),
        args.load.mortality,
        "a probe CAES transfer",
    )
    .await?;
    println!(
        "      swap: weight {}, fee {}; CAES transfer: weight {}, fee {}",
        swap_probe.weight, swap_probe.fee, native_probe.weight, native_probe.fee
    );

    println!(
        "[3/4] {} swaps of {} CAES for the token",
        args.load.txs,
        SWAP_IN as f64 / UNITS as f64
    );
    let shares = load::ring_shares(args.load.accounts, args.load.txs);
    let reserve_before = pool_of(&wallet, token).await?.reserve1;
    let mut held_before = Vec::with_capacity(keys.len());
    for kp in &keys {
        held_before.push(token_balance(&wallet, token, &kp.account_id()).await?);
    }
    let start_nonces = nonces(&wallet, &keys).await?;
    let ctx = context(&wallet, args.load.mortality).await?;
    let deadline = ctx.valid_until;
    let per_sender = tokio::task::block_in_place(|| {
        keys.iter()
            .enumerate()
            .map(|(a, kp)| {
                let calls = (0..shares[a] as Nonce)
                    .map(|k| {
                        (
                            kp,
                            start_nonces[a] + k,
                            swap(token, kp.account_id(), deadline),
                        )
                    })
                    .collect();
                sign_calls(calls, &ctx)
            })
            .collect::<Vec<_>>()
    });
    let largest = per_sender.iter().flatten().map(|p| p.hex.0.len() / 2).max();
    opts.window = window(pool_limits, largest.unwrap_or(SETUP_TX_BYTES));
    opts.progress = true;
    let swaps = run_load(url, &clients, per_sender, &opts).await?;
    // Every token an account gained came out of the pool's reserve, one swap each.
    let mut gained = 0;
    for (kp, before) in keys.iter().zip(&held_before) {
        gained += token_balance(&wallet, token, &kp.account_id()).await? - before;
    }
    let paid_out = reserve_before - pool_of(&wallet, token).await?.reserve1;
    let audit_ok = gained == paid_out;
    println!("      audit: accounts gained {gained} tokens, the pool paid {paid_out}");

    let native = native_ring(
        "[4/4]",
        url,
        &clients,
        &wallet,
        &keys,
        &shares,
        args.load.mortality,
        &opts,
    )
    .await?;
    let (s, n) = (&swaps.figures, &native.figures);
    Ok(json!({
        "swap_finalized_tps": round2(s.finalized_tps),
        "swap_p50_ms": round2(s.p50_ms),
        "swap_p99_ms": round2(s.p99_ms),
        "native_finalized_tps": round2(n.finalized_tps),
        "native_p50_ms": round2(n.p50_ms),
        "native_p99_ms": round2(n.p99_ms),
        "tps_ratio_swap_to_native": (ratio(s.finalized_tps, n.finalized_tps) * 1e4).round() / 1e4,
        "swaps_finalized": s.finalized,
        "native_finalized": n.finalized,
        "swap_errors": swaps.top_errors,
        "native_errors": native.top_errors,
        "stalled": swaps.stalled || native.stalled,
        "swap_audit_ok": audit_ok,
        "swap_weight": swap_probe.weight,
        "swap_fee": swap_probe.fee.to_string(),
        "native_transfer_weight": native_probe.weight,
        "native_transfer_fee": native_probe.fee.to_string(),
        "txs": args.load.txs,
        "accounts": args.load.accounts,
        "connections": args.load.connections,
        "in_flight": args.load.in_flight,
        "block_time_ms": if args.load.rpc_url.is_some() { None } else { Some(args.load.block_time_ms) },
        "node": if args.load.rpc_url.is_some() { "attached" } else { "spawned" },
        "cpus": std::thread::available_parallelism().map(usize::from).unwrap_or(1),
    })
    .to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(extra: &[&str]) -> DexArgs {
        crate::load_args::parse_flags(extra)
    }

    #[test]
    fn defaults_are_valid_and_nonsense_is_refused() {
        parse(&[]).load.validate().unwrap();
        assert!(parse(&["--accounts", "1"]).load.validate().is_err());
        assert!(parse(&["--txs", "0"]).load.validate().is_err());
        assert!(parse(&["--connections", "0"]).load.validate().is_err());
    }

    #[test]
    fn each_swap_sells_caes_for_the_token_before_its_deadline() {
        let to = AccountId([7; 32]);
        let Call::Dex(dex::Call::SwapExactIn {
            path,
            amount_in,
            amount_out_min,
            send_to,
            deadline,
        }) = swap(3, to, 99)
        else {
            panic!("not a swap");
        };
        assert_eq!(path, vec![AssetKind::Native, AssetKind::Token(3)]);
        assert_eq!(
            (amount_in, amount_out_min, send_to, deadline),
            (SWAP_IN, 1, to, 99)
        );
    }
}
