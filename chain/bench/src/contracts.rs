//! `hypermesh-bench contracts`: the example token contract under load on a dev node
//! (finalized token transfers per second, submit-to-finalized latency), with native CAES
//! transfers measured in the same run as the baseline, plus the executor's in-process
//! figures (fuel-metering overhead, instantiation by cache level; `contracts_exec`).
//! The last line printed is one JSON object with the figures.
use crate::accounts;
use crate::contracts_chain::{
    context, deploy_token, nonces, sign_calls, submit_checked, token_balance, token_transfer,
};
use crate::contracts_exec::{self, ExecFigures};
use crate::load::{self, BatchOptions, Prepared};
use crate::load_args::LoadArgs;
use crate::node::{self, PoolLimits, SpawnOptions};
use crate::report::{self, round2, LoadFigures};
use anyhow::{bail, Context};
use clap::Args;
use hm_primitives::{parse_caes, AccountId, Balance, Nonce, UNITS};
use hm_runtime::pallet_contracts as contracts;
use hm_wallet::RpcWallet;
use jsonrpsee::ws_client::WsClient;
use serde_json::json;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Setup transactions are at most this large (an upload is sent alone).
pub(crate) const SETUP_TX_BYTES: usize = 4096;
/// Tokens each account holds beyond what it sends, so no transfer can fail for balance.
const TOKEN_HEADROOM: u128 = 1_000;

#[derive(Debug, Args)]
pub struct ContractsArgs {
    #[command(flatten)]
    pub load: LoadArgs,
    /// The token contract's wasm [default: contracts/target-wasm/token.wasm, built by
    /// scripts/build-contracts.sh].
    #[arg(long, value_name = "PATH")]
    pub token_wasm: Option<PathBuf>,
    /// Gas limit of each token transfer (what it does not use is refunded).
    #[arg(long, default_value_t = 20_000_000)]
    pub gas_limit: u64,
    /// Rounds of each in-process executor measurement (medians are reported).
    #[arg(long, default_value_t = 21)]
    pub rounds: usize,
}

impl ContractsArgs {
    fn validate(&self) -> anyhow::Result<()> {
        self.load.validate()?;
        if self.rounds == 0 {
            bail!("--rounds must be positive");
        }
        if self.gas_limit == 0 || self.gas_limit > contracts::MAX_GAS_PER_EXTRINSIC {
            bail!(
                "--gas-limit must be in 1..={}",
                contracts::MAX_GAS_PER_EXTRINSIC
            );
        }
        Ok(())
    }

    fn token_path(&self) -> PathBuf {
        self.token_wasm.clone().unwrap_or_else(|| {
            let local = PathBuf::from("contracts/target-wasm/token.wasm");
            if local.is_file() {
                local
            } else {
                PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                    .join("../../contracts/target-wasm/token.wasm")
            }
        })
    }
}

/// Unfinalized transactions allowed at once: 7/8 of the pool's count and byte limits.
pub(crate) fn window(pool: PoolLimits, tx_bytes: usize) -> usize {
    let max_bytes = hm_txpool::PoolConfig::default().max_bytes;
    let by_count = pool.count - pool.count / 8;
    by_count
        .min((max_bytes - max_bytes / 8) / tx_bytes.max(1))
        .max(1)
}

/// Unfinalized transactions per sender: under the pool's and the runtime's limits.
pub(crate) fn per_sender_cap(pool: PoolLimits) -> usize {
    let runtime_bound = usize::try_from(hm_runtime::MAX_FUTURE_NONCES).unwrap_or(usize::MAX);
    pool.per_sender.min(runtime_bound).saturating_sub(1).max(1)
}

pub(crate) struct Load {
    pub(crate) figures: LoadFigures,
    pub(crate) stalled: bool,
    pub(crate) top_errors: Vec<(String, usize)>,
}

pub(crate) async fn run_load(
    url: &str,
    clients: &[WsClient],
    per_sender: Vec<Vec<Prepared>>,
    opts: &BatchOptions,
) -> anyhow::Result<Load> {
    let outcome = load::run_batch(
        url,
        clients,
        load::into_lanes(per_sender, clients.len()),
        opts,
    )
    .await?;
    let figures = report::summarize(&outcome);
    println!(
        "      finalized {} of {} in {:.2}s = {:.1}/s; latency p50 {:.0} ms, p99 {:.0} ms{}",
        figures.finalized,
        outcome.tracked.len(),
        figures.run_secs,
        figures.finalized_tps,
        figures.p50_ms,
        figures.p99_ms,
        if outcome.follow.stalled {
            " (STALLED)"
        } else {
            ""
        }
    );
    let top_errors = outcome
        .submit
        .top_errors(5)
        .into_iter()
        .map(|(k, n)| (k.to_owned(), n))
        .collect();
    Ok(Load {
        figures,
        stalled: outcome.follow.stalled,
        top_errors,
    })
}

/// What the chain part measured.
struct ChainFigures {
    token: Load,
    native: Load,
    token_gas: u64,
    token_weight: u64,
    token_fee: Balance,
    native_weight: u64,
    native_fee: Balance,
    /// Accounts whose token balance after the load is not what the transfers imply.
    audit_mismatches: Option<usize>,
}

async fn measure_chain(
    args: &ContractsArgs,
    url: &str,
    token_code: &[u8],
    fund: Balance,
) -> anyhow::Result<ChainFigures> {
    let pool = args.load.pool();
    let shape = LoadShape {
        accounts: args.load.accounts,
        connections: args.load.connections,
        in_flight: args.load.in_flight,
        stall_secs: args.load.stall_secs,
        mortality: args.load.mortality,
        fund,
        pool,
    };
    let LoadSetup {
        wallet,
        clients,
        mut opts,
        keys,
    } = setup_load(url, &shape, "[2/6]").await?;

    println!("[3/6] token: upload, instantiate, give every account its tokens");
    let shares = load::ring_shares(args.load.accounts, args.load.txs);
    let amounts: Vec<u128> = shares.iter().map(|&s| s as u128 + TOKEN_HEADROOM).collect();
    let deployer = hm_crypto::dev_keypair("alice").context("dev key alice")?;
    let supply: u128 = amounts.iter().sum::<u128>() + TOKEN_HEADROOM;
    let token = deploy_token(&wallet, &deployer, token_code, supply, args.load.mortality).await?;
    let first = wallet.next_nonce(&deployer.account_id()).await?;
    let gifts = keys
        .iter()
        .zip(&amounts)
        .zip(first..)
        .map(|((kp, &amount), nonce)| {
            let call = token_transfer(token, kp.account_id(), amount, args.gas_limit);
            (&deployer, nonce, call)
        })
        .collect();
    let ctx = context(&wallet, args.load.mortality).await?;
    let gifts = tokio::task::block_in_place(|| sign_calls(gifts, &ctx));
    let gifted = run_load(url, &clients, vec![gifts], &opts).await?;
    if gifted.figures.finalized != keys.len() {
        bail!("giving out tokens: {:?}", gifted.top_errors);
    }
    for (kp, &amount) in keys.iter().zip(&amounts) {
        let held = token_balance(&wallet, &token, &kp.account_id()).await?;
        if held != amount {
            bail!(
                "{} holds {held} tokens after the gift of {amount}",
                kp.account_id()
            );
        }
    }

    // One of each, alone, for the gas, weight and fee of a single transfer.
    let token_probe = submit_checked(
        &wallet,
        &keys[0],
        token_transfer(token, keys[1].account_id(), 1, args.gas_limit),
        args.load.mortality,
        "a probe token transfer",
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
    let (token_weight, token_fee) = (token_probe.weight, token_probe.fee);
    let (native_weight, native_fee) = (native_probe.weight, native_probe.fee);
    let overhead = hm_runtime::weights::EXTRINSIC_BASE + contracts::weights::CALL;
    let token_gas = token_weight.saturating_sub(overhead) / contracts::WEIGHT_PER_GAS;
    println!(
        "      token transfer: {token_gas} gas, weight {token_weight}, fee {token_fee}; CAES transfer: weight {native_weight}, fee {native_fee}"
    );

    println!(
        "[4/6] {} token transfers (ring, 1 token each)",
        args.load.txs
    );
    let n = keys.len();
    let next: Vec<AccountId> = (0..n).map(|a| keys[(a + 1) % n].account_id()).collect();
    let before: Vec<u128> = {
        let mut v = Vec::with_capacity(n);
        for kp in &keys {
            v.push(token_balance(&wallet, &token, &kp.account_id()).await?);
        }
        v
    };
    let start_nonces = nonces(&wallet, &keys).await?;
    let ctx = context(&wallet, args.load.mortality).await?;
    let per_sender = tokio::task::block_in_place(|| {
        keys.iter()
            .enumerate()
            .map(|(a, kp)| {
                let calls = (0..shares[a] as Nonce)
                    .map(|k| {
                        (
                            kp,
                            start_nonces[a] + k,
                            token_transfer(token, next[a], 1, args.gas_limit),
                        )
                    })
                    .collect();
                sign_calls(calls, &ctx)
            })
            .collect::<Vec<_>>()
    });
    let largest = per_sender.iter().flatten().map(|p| p.hex.0.len() / 2).max();
    opts.window = window(pool, largest.unwrap_or(SETUP_TX_BYTES));
    opts.progress = true;
    let token_load = run_load(url, &clients, per_sender, &opts).await?;
    let audit_mismatches = if token_load.figures.finalized == args.load.txs {
        let mut off = 0;
        for a in 0..n {
            let expected = before[a] - shares[a] as u128 + shares[(a + n - 1) % n] as u128;
            let held = token_balance(&wallet, &token, &keys[a].account_id()).await?;
            off += usize::from(held != expected);
        }
        println!("      token audit: {off} account(s) off (a transfer that failed on chain)");
        Some(off)
    } else {
        None
    };

    let native = native_ring(
        "[5/6]",
        url,
        &clients,
        &wallet,
        &keys,
        &shares,
        args.load.mortality,
        &opts,
    )
    .await?;
    Ok(ChainFigures {
        token: token_load,
        native,
        token_gas,
        token_weight,
        token_fee,
        native_weight,
        native_fee,
        audit_mismatches,
    })
}

/// How a load benchmark is shaped: its accounts, connections and pool.
pub(crate) struct LoadShape {
    pub(crate) accounts: usize,
    pub(crate) connections: usize,
    pub(crate) in_flight: usize,
    pub(crate) stall_secs: u64,
    pub(crate) mortality: u64,
    /// CAES given to each account.
    pub(crate) fund: Balance,
    pub(crate) pool: PoolLimits,
}

/// What a load benchmark has before its first measured batch.
pub(crate) struct LoadSetup {
    pub(crate) wallet: RpcWallet,
    /// One per connection.
    pub(crate) clients: Vec<WsClient>,
    /// Sized to the pool for setup transactions; widen the window for larger ones.
    pub(crate) opts: BatchOptions,
    /// Fresh accounts, funded, with their public keys registered on chain.
    pub(crate) keys: Vec<hm_crypto::Keypair>,
}

/// Connect, and fund `shape.accounts` fresh accounts with their keys registered,
/// printing progress under `step`.
pub(crate) async fn setup_load(
    url: &str,
    shape: &LoadShape,
    step: &str,
) -> anyhow::Result<LoadSetup> {
    let wallet = RpcWallet::connect(url).await?;
    let mut clients = Vec::with_capacity(shape.connections);
    for _ in 0..shape.connections {
        clients.push(node::connect_with(url, shape.in_flight + 8).await?);
    }
    let opts = BatchOptions {
        in_flight: shape.in_flight,
        per_sender: per_sender_cap(shape.pool),
        window: window(shape.pool, SETUP_TX_BYTES),
        stall: Duration::from_secs(shape.stall_secs.max(1)),
        progress: false,
        pacer: None,
    };
    println!(
        "{step} {} funded accounts with registered keys",
        shape.accounts
    );
    let started = Instant::now();
    let keys = tokio::task::block_in_place(|| accounts::generate(shape.accounts));
    let ctx = context(&wallet, shape.mortality).await?;
    accounts::fund(url, &clients, &wallet, &keys, shape.fund, &ctx, &opts).await?;
    let ctx = context(&wallet, shape.mortality).await?;
    accounts::register_keys(url, &clients, &keys, UNITS, &ctx, &opts).await?;
    println!("      ready in {:.1}s", started.elapsed().as_secs_f64());
    Ok(LoadSetup {
        wallet,
        clients,
        opts,
        keys,
    })
}

/// The baseline: `shares[a]` native transfers of 1 CAES from each account `a` to the next
/// in the ring, signed up front and pushed through `run_load`, announced as `step`.
#[allow(clippy::too_many_arguments)] // the run's setup, all of it needed
pub(crate) async fn native_ring(
    step: &str,
    url: &str,
    clients: &[WsClient],
    wallet: &RpcWallet,
    keys: &[hm_crypto::Keypair],
    shares: &[usize],
    mortality: u64,
    opts: &BatchOptions,
) -> anyhow::Result<Load> {
    let txs: usize = shares.iter().sum();
    println!("{step} {txs} native CAES transfers (ring, the baseline)");
    let n = keys.len();
    let next: Vec<AccountId> = (0..n).map(|a| keys[(a + 1) % n].account_id()).collect();
    let start_nonces = nonces(wallet, keys).await?;
    let ctx = context(wallet, mortality).await?;
    let per_sender = tokio::task::block_in_place(|| {
        keys.iter()
            .enumerate()
            .map(|(a, kp)| {
                let transfers: Vec<load::Transfer<'_>> = (0..shares[a] as Nonce)
                    .map(|k| load::Transfer {
                        from: kp,
                        to: next[a],
                        value: UNITS,
                        nonce: start_nonces[a] + k,
                    })
                    .collect();
                load::sign_all(&transfers, &ctx)
            })
            .collect::<Vec<_>>()
    });
    run_load(url, clients, per_sender, opts).await
}

pub(crate) fn ratio(num: f64, den: f64) -> f64 {
    if den > 0.0 {
        num / den
    } else {
        0.0
    }
}

fn summary(args: &ContractsArgs, exec: &ExecFigures, chain: &ChainFigures) -> serde_json::Value {
    let (t, n) = (&chain.token.figures, &chain.native.figures);
    let i = &exec.instantiation;
    let fuel = |k: usize, f: fn(&contracts_exec::FuelOverhead) -> f64| {
        exec.fuel.get(k).map(|o| (f(o) * 1000.0).round() / 1000.0)
    };
    json!({
        "token_finalized_tps": round2(t.finalized_tps),
        "token_p50_ms": round2(t.p50_ms),
        "token_p99_ms": round2(t.p99_ms),
        "native_finalized_tps": round2(n.finalized_tps),
        "native_p50_ms": round2(n.p50_ms),
        "native_p99_ms": round2(n.p99_ms),
        "tps_ratio_token_to_native": (ratio(t.finalized_tps, n.finalized_tps) * 1e4).round() / 1e4,
        "p50_ratio_token_to_native": (ratio(t.p50_ms, n.p50_ms) * 1e4).round() / 1e4,
        "token_finalized": t.finalized,
        "native_finalized": n.finalized,
        "token_errors": chain.token.top_errors,
        "native_errors": chain.native.top_errors,
        "stalled": chain.token.stalled || chain.native.stalled,
        "token_audit_mismatches": chain.audit_mismatches,
        "token_transfer_gas": chain.token_gas,
        "token_transfer_weight": chain.token_weight,
        "token_transfer_fee": chain.token_fee.to_string(),
        "native_transfer_weight": chain.native_weight,
        "native_transfer_fee": chain.native_fee.to_string(),
        "fuel_overhead_xorshift": fuel(0, |o| o.ratio),
        "fuel_overhead_fib": fuel(1, |o| o.ratio),
        "fuel_on_ms_xorshift": fuel(0, |o| o.metered_ms),
        "fuel_off_ms_xorshift": fuel(0, |o| o.unmetered_ms),
        "fuel_on_ms_fib": fuel(1, |o| o.metered_ms),
        "fuel_off_ms_fib": fuel(1, |o| o.unmetered_ms),
        "upload_compile_ms": round2(i.upload_ms),
        "instantiate_compile_us": round2(i.compile_us),
        "instantiate_disk_cache_us": round2(i.disk_us),
        "instantiate_memory_cache_us": round2(i.cached_us),
        "instantiate_compile_to_cached": round2(ratio(i.compile_us, i.cached_us)),
        "instantiate_disk_to_cached": round2(ratio(i.disk_us, i.cached_us)),
        "rounds": exec.rounds,
        "txs": args.load.txs,
        "accounts": args.load.accounts,
        "gas_limit": args.gas_limit,
        "connections": args.load.connections,
        "in_flight": args.load.in_flight,
        "block_time_ms": if args.load.rpc_url.is_some() { None } else { Some(args.load.block_time_ms) },
        "node": if args.load.rpc_url.is_some() { "attached" } else { "spawned" },
        "cpus": std::thread::available_parallelism().map(usize::from).unwrap_or(1),
    })
}

fn print_exec(exec: &ExecFigures) {
    for o in &exec.fuel {
        println!(
            "      fuel {}: {:.2} ms on, {:.2} ms off -> {:.3}x ({} gas)",
            o.kernel, o.metered_ms, o.unmetered_ms, o.ratio, o.gas
        );
    }
    let i = &exec.instantiation;
    println!(
        "      token upload (validate + compile) {:.1} ms; instantiate + deploy: compiled {:.0} µs, disk cache {:.0} µs, memory cache {:.0} µs",
        i.upload_ms, i.compile_us, i.disk_us, i.cached_us
    );
}

pub async fn run(args: ContractsArgs) -> anyhow::Result<String> {
    args.validate()?;
    let fund = parse_caes(&args.load.fund).context("--fund")?;
    let path = args.token_path();
    let token = std::fs::read(&path).with_context(|| {
        format!(
            "{}: build the example contracts with scripts/build-contracts.sh, or pass --token-wasm",
            path.display()
        )
    })?;
    println!(
        "hypermesh-bench contracts: {} accounts, {} token transfers then {} CAES transfers, {} connections x {} in flight",
        args.load.accounts, args.load.txs, args.load.txs, args.load.connections, args.load.in_flight
    );
    println!(
        "[1/6] executor in process: fuel on/off, instantiation by cache level ({} rounds)",
        args.rounds
    );
    let exec = tokio::task::block_in_place(|| contracts_exec::measure(&token, args.rounds))?;
    print_exec(&exec);

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
    let measured = measure_chain(&args, &url, &token, fund).await;
    node::stop_started(spawned, measured.is_err());
    let chain = measured?;
    println!("[6/6] results");
    Ok(summary(&args, &exec, &chain).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(extra: &[&str]) -> ContractsArgs {
        crate::load_args::parse_flags(extra)
    }

    #[test]
    fn defaults_are_valid_and_nonsense_is_refused() {
        parse(&[]).validate().unwrap();
        assert!(parse(&["--accounts", "1"]).validate().is_err());
        assert!(parse(&["--txs", "0"]).validate().is_err());
        assert!(parse(&["--rounds", "0"]).validate().is_err());
        assert!(parse(&["--gas-limit", "0"]).validate().is_err());
        let too_much = (contracts::MAX_GAS_PER_EXTRINSIC + 1).to_string();
        assert!(parse(&["--gas-limit", &too_much]).validate().is_err());
    }

    #[test]
    fn windows_respect_the_pool() {
        let p = PoolLimits {
            count: 8,
            per_sender: 1,
        };
        assert_eq!(window(p, 1), 7);
        assert_eq!(window(p, usize::MAX), 1);
        assert_eq!(per_sender_cap(p), 1);
    }
}
