//! `hypermesh-bench transfers`: the phases in order, and the summary JSON.
use crate::accounts;
use crate::falcon::{self, FalconCeiling};
use crate::load::{self, BatchOptions, Pacer, TxContext};
use crate::node::{self, PoolLimits, SpawnOptions, SpawnedNode};
use crate::report::{self, round2, LoadFigures};
use anyhow::{bail, Context};
use clap::Args;
use hm_primitives::{format_caes, parse_caes, AccountId, Balance};
use hm_wallet::RpcWallet;
use jsonrpsee::ws_client::WsClient;
use serde_json::json;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Largest setup transaction (a nonce-0 transfer carries a 1793-byte key), for
/// sizing the window before the load's own sizes are known.
const SETUP_TX_BYTES: usize = 4096;
/// Errors listed by message after the submission.
const TOP_ERRORS: usize = 5;

#[derive(Debug, Args)]
pub struct TransfersArgs {
    /// Attach to this running node instead of starting a `hypermesh --dev`.
    #[arg(long, value_name = "URL")]
    pub rpc_url: Option<String>,
    /// Node binary to start [default: `hypermesh` next to this binary, then
    /// $CARGO_TARGET_DIR/release, then PATH].
    #[arg(long, value_name = "PATH")]
    pub node_bin: Option<PathBuf>,
    /// Fresh accounts that send the load.
    #[arg(long, default_value_t = 500)]
    pub accounts: usize,
    /// Transfers to submit.
    #[arg(long, default_value_t = 30_000)]
    pub txs: usize,
    /// Block interval of the started node.
    #[arg(long, default_value_t = 500)]
    pub block_time_ms: u64,
    /// Start the node with --instant-seal (a block as soon as transactions are ready).
    #[arg(long)]
    pub instant_seal: bool,
    /// WebSocket connections to submit over.
    #[arg(long, default_value_t = 8)]
    pub connections: usize,
    /// Outstanding requests per connection.
    #[arg(long, default_value_t = 256)]
    pub in_flight: usize,
    /// Pool capacity: what to start the node with, or what the attached node runs
    /// with [default: room for the whole load when starting, 8192 when attaching].
    #[arg(long)]
    pub pool_limit: Option<usize>,
    /// Pool transactions per sender, likewise [default when attaching: 64].
    #[arg(long)]
    pub pool_per_sender: Option<usize>,
    /// CAES given to each account.
    #[arg(long, default_value = "1000")]
    pub fund: String,
    /// CAES per benchmark transfer.
    #[arg(long, default_value = "1")]
    pub amount: String,
    /// Blocks the pre-signed transactions stay valid for.
    #[arg(long, default_value_t = 4096)]
    pub mortality: u64,
    /// Give up after this many seconds with nothing accepted or finalized.
    #[arg(long, default_value_t = 60)]
    pub stall_secs: u64,
    /// Put each account's first transaction (nonce 0, carrying its full public
    /// key) into the measured load instead of registering keys during setup.
    /// The pool then has to accept later nonces of accounts whose key is not yet
    /// on chain.
    #[arg(long)]
    pub keys_in_load: bool,
    /// Seconds each Falcon-1024 measurement runs.
    #[arg(long, default_value_t = 2.0)]
    pub falcon_secs: f64,
    /// Submit the measured transfers at this steady rate (tx/s) instead of as fast as the
    /// node accepts them: latency at a sustainable load rather than under a flood.
    #[arg(long, value_name = "TX_PER_S")]
    pub rate: Option<f64>,
}

impl TransfersArgs {
    fn validate(&self) -> anyhow::Result<()> {
        if self.accounts < 2 {
            bail!("--accounts must be at least 2 (each account pays the next)");
        }
        if self.txs == 0 || self.connections == 0 || self.in_flight == 0 {
            bail!("--txs, --connections and --in-flight must be positive");
        }
        if self.rate.is_some_and(|r| Pacer::new(r).is_none()) {
            bail!("--rate must be a positive number of transactions per second");
        }
        if !(0.1..=600.0).contains(&self.falcon_secs) {
            bail!("--falcon-secs must be between 0.1 and 600");
        }
        if self.txs > u32::MAX as usize {
            bail!("--txs must fit in 32 bits");
        }
        Ok(())
    }

    /// The pool the node runs with: when we start it, room for the whole load.
    /// Attached, the node's defaults are assumed unless told otherwise (the
    /// node's flags default to the pool's production configuration).
    fn pool(&self) -> PoolLimits {
        let defaults = hm_txpool::PoolConfig::default();
        let count = match self.rpc_url {
            Some(_) => defaults.max_count,
            None => (self.txs + self.txs / 4 + self.accounts + 1024).max(defaults.max_count),
        };
        PoolLimits {
            count: self.pool_limit.unwrap_or(count),
            per_sender: self.pool_per_sender.unwrap_or(defaults.max_per_sender),
        }
    }
}

/// Unfinalized transactions allowed at once, so the pool never overflows: 7/8 of
/// its count limit and of its byte limit (which the node has no flag for, so it
/// is the pool's default) for transactions of up to `tx_bytes`.
fn window(pool: PoolLimits, tx_bytes: usize) -> usize {
    let max_bytes = hm_txpool::PoolConfig::default().max_bytes;
    let by_count = pool.count - pool.count / 8;
    let by_bytes = (max_bytes - max_bytes / 8) / tx_bytes.max(1);
    by_count.min(by_bytes).max(1)
}

/// Unfinalized transactions allowed per sender: under the pool's per-sender
/// limit, and under the runtime's bound on how far a nonce may run ahead of the
/// account's on-chain nonce.
fn per_sender_cap(pool: PoolLimits) -> usize {
    let runtime_bound = usize::try_from(hm_runtime::MAX_FUTURE_NONCES).unwrap_or(usize::MAX);
    pool.per_sender.min(runtime_bound).saturating_sub(1).max(1)
}

pub async fn run(args: TransfersArgs) -> anyhow::Result<String> {
    args.validate()?;
    let fund = parse_caes(&args.fund).context("--fund")?;
    let amount = parse_caes(&args.amount).context("--amount")?;
    let shares = load::ring_shares(args.accounts, args.txs);
    let longest = shares.iter().copied().max().unwrap_or(0) as Balance + 1;
    if fund <= amount.saturating_mul(longest) {
        bail!(
            "--fund {} CAES cannot pay {longest} transfers of {} CAES plus fees",
            args.fund,
            args.amount
        );
    }
    let pool = args.pool();
    println!(
        "hypermesh-bench transfers: {} accounts, {} transfers, {} connections x {} in flight, pool {}/{} per sender",
        args.accounts, args.txs, args.connections, args.in_flight, pool.count, pool.per_sender
    );

    println!("[1/6] Falcon-1024 ceiling on this machine");
    let ceiling =
        tokio::task::block_in_place(|| falcon::measure(Duration::from_secs_f64(args.falcon_secs)))?;
    println!(
        "      verify {:.0}/s on one core, {:.0}/s on {} threads; sign {:.0}/s on one core",
        ceiling.verify_per_s, ceiling.verify_per_s_all_cores, ceiling.threads, ceiling.sign_per_s
    );

    let mut spawned = match &args.rpc_url {
        Some(_) => None,
        None => {
            let binary = args.node_bin.clone().unwrap_or_else(node::default_binary);
            let opts = SpawnOptions {
                binary,
                block_time_ms: args.block_time_ms,
                pool,
                instant_seal: args.instant_seal,
            };
            let started = Instant::now();
            let mut n = SpawnedNode::spawn(&opts)?;
            n.wait_ready().await?;
            println!(
                "      started {} --dev on {} ({:.1}s; base path {})",
                opts.binary.display(),
                n.rpc_url(),
                started.elapsed().as_secs_f64(),
                n.base_path().display()
            );
            Some(n)
        }
    };
    let url = match (&args.rpc_url, &spawned) {
        (Some(u), _) => u.clone(),
        (None, Some(n)) => n.rpc_url().to_owned(),
        (None, None) => bail!("no node to benchmark"),
    };
    let plan = Plan {
        fund,
        amount,
        shares,
        pool,
    };
    let measured = measure(&args, &url, &plan, &ceiling).await;
    let measured = match (measured, spawned.as_mut()) {
        (Err(e), Some(n)) => match n.check_alive() {
            Err(dead) => Err(e.context(format!("{dead:#}"))),
            Ok(()) => Err(e),
        },
        (Ok(summary), Some(n)) if summary["stalled"] == true => {
            eprintln!("the node's last log lines:\n{}", n.log_tail());
            Ok(summary)
        }
        (r, _) => r,
    };
    if let Some(mut n) = spawned.take() {
        match n.stop() {
            Ok(Some(status)) if !status.success() => eprintln!("node exited with {status}"),
            Ok(_) => {}
            Err(e) => eprintln!("stopping the node: {e:#}"),
        }
    }
    let summary = measured?;
    Ok(summary.to_string())
}

struct Plan {
    fund: Balance,
    amount: Balance,
    shares: Vec<usize>,
    pool: PoolLimits,
}

async fn connect_all(url: &str, count: usize, in_flight: usize) -> anyhow::Result<Vec<WsClient>> {
    let mut clients = Vec::with_capacity(count);
    for _ in 0..count {
        clients.push(node::connect_with(url, in_flight + 8).await?);
    }
    Ok(clients)
}

async fn context(wallet: &RpcWallet, mortality: u64) -> anyhow::Result<TxContext> {
    let ctx = wallet.chain_context().await?;
    Ok(TxContext {
        genesis_hash: ctx.genesis_hash,
        spec_version: ctx.spec_version,
        valid_until: ctx.best_number.saturating_add(mortality.max(1)),
    })
}

/// Phases 2 to 6 against the node at `url`.
async fn measure(
    args: &TransfersArgs,
    url: &str,
    plan: &Plan,
    ceiling: &FalconCeiling,
) -> anyhow::Result<serde_json::Value> {
    let wallet = RpcWallet::connect(url).await?;
    let clients = connect_all(url, args.connections, args.in_flight).await?;
    let stall = Duration::from_secs(args.stall_secs.max(1));

    println!(
        "[2/6] {} fresh accounts, {} CAES each",
        args.accounts,
        format_caes(plan.fund)
    );
    let started = Instant::now();
    let keys = tokio::task::block_in_place(|| accounts::generate(args.accounts));
    println!(
        "      generated {} key pairs in {:.1}s",
        keys.len(),
        started.elapsed().as_secs_f64()
    );
    let mut opts = BatchOptions {
        in_flight: args.in_flight,
        per_sender: per_sender_cap(plan.pool),
        window: window(plan.pool, SETUP_TX_BYTES),
        stall,
        progress: false,
        pacer: None,
    };
    let ctx = context(&wallet, args.mortality).await?;
    let funded = accounts::fund(url, &clients, &wallet, &keys, plan.fund, &ctx, &opts).await?;
    println!(
        "      funded in {:.1}s ({} transfers from {} dev accounts, all finalized and checked)",
        funded.elapsed.as_secs_f64(),
        funded.txs,
        hm_crypto::DEV_ACCOUNTS.len(),
    );
    let first_nonce = if args.keys_in_load {
        0
    } else {
        let ctx = context(&wallet, args.mortality).await?;
        let took = accounts::register_keys(url, &clients, &keys, plan.amount, &ctx, &opts).await?;
        println!(
            "      registered {} public keys in {:.1}s (each account's nonce-0 transfer, finalized)",
            keys.len(),
            took.as_secs_f64()
        );
        1
    };

    println!(
        "[3/6] pre-signing {} transfers ({} CAES each)",
        args.txs,
        format_caes(plan.amount)
    );
    let ctx = context(&wallet, args.mortality).await?;
    let started = Instant::now();
    let per_sender = tokio::task::block_in_place(|| {
        let ring = load::ring_transfers(&keys, &plan.shares, plan.amount, first_nonce);
        ring.iter()
            .map(|txs| load::sign_all(txs, &ctx))
            .collect::<Vec<_>>()
    });
    let sign_secs = started.elapsed().as_secs_f64();
    println!(
        "      signed in {sign_secs:.1}s ({:.0}/s on all cores)",
        args.txs as f64 / sign_secs.max(1e-9)
    );

    let largest = per_sender
        .iter()
        .flatten()
        .map(|p| p.hex.0.len().saturating_sub(2) / 2)
        .max()
        .unwrap_or(1);
    opts.window = window(plan.pool, largest);
    println!(
        "[4/6] submitting over {} connections ({} in flight each, at most {} unfinalized, {} per sender)",
        args.connections, args.in_flight, opts.window, opts.per_sender
    );
    println!("[5/6] following finalized blocks");
    opts.progress = true;
    opts.pacer = args.rate.and_then(Pacer::new).map(Arc::new);
    let outcome = load::run_batch(
        url,
        &clients,
        load::into_lanes(per_sender, args.connections),
        &opts,
    )
    .await?;
    let figures = report::summarize(&outcome);
    let top = outcome.submit.top_errors(TOP_ERRORS);
    if outcome.follow.stalled {
        println!(
            "      STALLED: nothing accepted or finalized for {}s",
            stall.as_secs()
        );
    }

    let audit = if figures.finalized == args.txs {
        let ids: Vec<AccountId> = keys.iter().map(|k| k.account_id()).collect();
        let after = accounts::balances(&wallet, &ids).await?;
        // Key registration was one more ring transfer per account.
        let sent: Vec<usize> = plan
            .shares
            .iter()
            .map(|s| s + usize::from(first_nonce > 0))
            .collect();
        accounts::audit_ring(plan.fund, plan.amount, &sent, &after)
    } else {
        None
    };

    println!("[6/6] results");
    print_figures(&figures, ceiling, &top);
    match audit {
        Some(a) => println!(
            "      balance audit: mean fee {} CAES per transfer; {} account(s) off by a failed transfer",
            format_caes(a.mean_fee),
            a.suspects
        ),
        None => println!("      balance audit skipped: not every transfer was finalized"),
    }
    Ok(json!({
        "finalized_tps": round2(figures.finalized_tps),
        "accepted_per_s": round2(figures.accepted_per_s),
        "p50_ms": round2(figures.p50_ms),
        "p99_ms": round2(figures.p99_ms),
        "mean_ms": round2(figures.mean_ms),
        "max_ms": round2(figures.max_ms),
        "blocks_per_s": round2(figures.blocks_per_s),
        "mean_txs_per_block": round2(figures.mean_txs_per_block),
        "max_txs_per_block": figures.max_txs_per_block,
        "falcon_verify_per_s": round2(ceiling.verify_per_s),
        "falcon_verify_per_s_all_cores": round2(ceiling.verify_per_s_all_cores),
        "falcon_sign_per_s": round2(ceiling.sign_per_s),
        "ceiling_ratio": (figures.finalized_tps / ceiling.verify_per_s * 1e4).round() / 1e4,
        "txs": args.txs,
        "accounts": args.accounts,
        "accepted": figures.accepted,
        "finalized": figures.finalized,
        "errors": figures.refused,
        "not_sent": figures.not_sent,
        "stalled": outcome.follow.stalled,
        "run_secs": round2(figures.run_secs),
        "fee_per_tx": audit.map(|a| a.mean_fee.to_string()),
        "dispatch_suspects": audit.map(|a| a.suspects),
        "rate": args.rate,
        "connections": args.connections,
        "in_flight": args.in_flight,
        "block_time_ms": if args.rpc_url.is_some() { None } else { Some(args.block_time_ms) },
        "node": if args.rpc_url.is_some() { "attached" } else { "spawned" },
        "keys_in_load": args.keys_in_load,
        "instant_seal": args.rpc_url.is_none() && args.instant_seal,
        "threads": ceiling.threads,
    }))
}

fn print_figures(f: &LoadFigures, ceiling: &FalconCeiling, top: &[(&str, usize)]) {
    println!(
        "      submitted: {} accepted in {:.2}s = {:.0}/s; {} refused; {} not sent",
        f.accepted, f.submit_secs, f.accepted_per_s, f.refused, f.not_sent
    );
    for (msg, n) in top {
        println!("        {n:>7} x {msg}");
    }
    println!(
        "      finalized: {} in {:.2}s = {:.0} tx/s; latency p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        f.finalized, f.run_secs, f.finalized_tps, f.p50_ms, f.p99_ms, f.max_ms
    );
    let range = f
        .block_range
        .map(|(a, b)| format!(" (#{a}..#{b})"))
        .unwrap_or_default();
    println!(
        "      blocks: {}{range} at {:.2}/s, {:.1} of our transfers per block (max {}), {} other extrinsics",
        f.blocks, f.blocks_per_s, f.mean_txs_per_block, f.max_txs_per_block, f.other_extrinsics
    );
    println!(
        "      ceiling: {:.0} verify/s on one core -> finalized TPS is {:.1}% of it",
        ceiling.verify_per_s,
        100.0 * f.finalized_tps / ceiling.verify_per_s.max(f64::MIN_POSITIVE)
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Wrap {
        #[command(flatten)]
        args: TransfersArgs,
    }

    fn parse(extra: &[&str]) -> TransfersArgs {
        let mut argv = vec!["bench"];
        argv.extend_from_slice(extra);
        Wrap::try_parse_from(argv).unwrap().args
    }

    #[test]
    fn defaults_match_the_issue() {
        let a = parse(&[]);
        assert_eq!(
            (
                a.accounts,
                a.txs,
                a.block_time_ms,
                a.connections,
                a.in_flight
            ),
            (500, 30_000, 500, 8, 256)
        );
        a.validate().unwrap();
    }

    #[test]
    fn started_node_gets_room_for_the_whole_load_within_the_byte_limit() {
        let a = parse(&[]);
        let p = a.pool();
        assert!(p.count >= a.txs);
        assert_eq!(per_sender_cap(p), 63);
        // ~1.4 KB transfers: the 20 MiB byte limit binds before the count does
        let w = window(p, 1400);
        assert!(w * 1400 <= hm_txpool::PoolConfig::default().max_bytes);
        assert!(w > 10_000);
    }

    #[test]
    fn attached_node_keeps_its_limits() {
        let a = parse(&["--rpc-url", "ws://127.0.0.1:9944"]);
        let p = a.pool();
        assert_eq!((p.count, p.per_sender), (8192, 64));
        assert_eq!(window(p, 100), 8192 - 1024);
        let p = parse(&[
            "--rpc-url",
            "ws://x",
            "--pool-limit",
            "1",
            "--pool-per-sender",
            "1",
        ])
        .pool();
        assert_eq!((window(p, 100), per_sender_cap(p)), (1, 1));
        assert_eq!(window(p, usize::MAX), 1);
        let p = parse(&["--rpc-url", "ws://x", "--pool-per-sender", "1000"]).pool();
        assert_eq!(
            per_sender_cap(p),
            hm_runtime::MAX_FUTURE_NONCES as usize - 1
        );
    }

    #[test]
    fn nonsense_is_refused() {
        assert!(parse(&["--accounts", "1"]).validate().is_err());
        assert!(parse(&["--txs", "0"]).validate().is_err());
        assert!(parse(&["--connections", "0"]).validate().is_err());
        assert!(parse(&["--falcon-secs", "0"]).validate().is_err());
        assert!(parse(&["--rate", "0"]).validate().is_err());
        assert!(parse(&["--rate=-5"]).validate().is_err());
        assert!(parse(&["--rate", "NaN"]).validate().is_err());
        assert!(parse(&["--rate", "800"]).validate().is_ok());
    }
}
