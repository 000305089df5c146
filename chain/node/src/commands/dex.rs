//! `hypermesh dex …`: friendly wrappers over the DEX pallet. Amounts are in each
//! asset's units (CAES with 12 decimals, a token with the decimals of its metadata, LP
//! shares as whole units); swaps bound their slippage from a live quote (`--slippage-bps`)
//! and expire after `--deadline-blocks`. Calls go through the same dry-run, submit and
//! report flow as `tx call`.
use super::call::{submit, Submission};
use super::token::{decimals_of, print_json, Signing};
use crate::cli::RpcTarget;
use anyhow::{anyhow, bail, Context};
use clap::{Args, Subcommand};
use hm_primitives::{parse_units, Balance, CAES_DECIMALS};
use hm_runtime::pallet_dex::{AssetKind, Call as DexCall};
use hm_runtime::Call;
use hm_wallet::{EncodedCall, RpcWallet};
use jsonrpsee::core::client::ClientT;
use parity_scale_codec::Encode;
use serde_json::{json, Value};

/// Basis points in one.
const BPS: u128 = 10_000;

#[derive(Debug, Args)]
pub struct Pair {
    /// `CAES` or a token id.
    #[arg(long)]
    pub asset0: String,
    /// `CAES` or a token id.
    #[arg(long)]
    pub asset1: String,
}

#[derive(Debug, Args)]
pub struct SwapAmount {
    /// Spend exactly this much of the path's first asset.
    #[arg(
        long,
        conflicts_with = "amount_out",
        required_unless_present = "amount_out"
    )]
    pub amount_in: Option<String>,
    /// Receive exactly this much of the path's last asset.
    #[arg(long)]
    pub amount_out: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum DexCommand {
    /// Create the pool of two assets (pays the CAES existential deposit into it).
    PoolCreate {
        #[command(flatten)]
        pair: Pair,
        #[command(flatten)]
        signing: Signing,
    },
    /// Add liquidity: up to the two amounts, in the pool's current ratio.
    Add {
        #[command(flatten)]
        pair: Pair,
        #[arg(long)]
        amount0: String,
        #[arg(long)]
        amount1: String,
        /// Least of each asset to deposit (default: all of the desired amount may be cut).
        #[arg(long, default_value = "0")]
        min0: String,
        #[arg(long, default_value = "0")]
        min1: String,
        #[command(flatten)]
        signing: Signing,
    },
    /// Remove liquidity: burn LP shares for both assets.
    Remove {
        #[command(flatten)]
        pair: Pair,
        /// LP shares to burn.
        #[arg(long)]
        lp: u128,
        #[arg(long, default_value = "0")]
        min0: String,
        #[arg(long, default_value = "0")]
        min1: String,
        #[command(flatten)]
        signing: Signing,
    },
    /// Swap along a path of 2 to 5 assets, e.g. `--path CAES,0,1`.
    Swap {
        #[arg(long, value_delimiter = ',')]
        path: Vec<String>,
        #[command(flatten)]
        amount: SwapAmount,
        /// Slippage allowed from the quote, in basis points (50 = 0.5%).
        #[arg(long, default_value_t = 50)]
        slippage_bps: u32,
        /// Blocks from now after which the swap is refused.
        #[arg(long, default_value_t = 20)]
        deadline_blocks: u64,
        #[command(flatten)]
        signing: Signing,
    },
    /// What a swap would take and pay now.
    Quote {
        #[arg(long, value_delimiter = ',')]
        path: Vec<String>,
        #[command(flatten)]
        amount: SwapAmount,
        #[command(flatten)]
        rpc: RpcTarget,
    },
    /// A pool's reserves and shares.
    Pool {
        #[command(flatten)]
        pair: Pair,
        #[command(flatten)]
        rpc: RpcTarget,
    },
    /// Every pool, a page at a time.
    Pools {
        #[command(flatten)]
        rpc: RpcTarget,
    },
    /// A pool's average prices since a block.
    Twap {
        #[command(flatten)]
        pair: Pair,
        #[arg(long)]
        from_block: u64,
        #[command(flatten)]
        rpc: RpcTarget,
    },
}

fn asset(s: &str) -> anyhow::Result<AssetKind> {
    if s.eq_ignore_ascii_case("caes") || s.eq_ignore_ascii_case("native") {
        return Ok(AssetKind::Native);
    }
    s.parse()
        .map(AssetKind::Token)
        .map_err(|_| anyhow!("asset `{s}`: expected CAES or a token id"))
}

fn asset_json(a: AssetKind) -> Value {
    match a {
        AssetKind::Native => json!("CAES"),
        AssetKind::Token(id) => json!(id),
    }
}

/// `amount` of `asset` in its smallest unit.
fn amount_of(rpc: &RpcTarget, asset: AssetKind, amount: &str) -> anyhow::Result<Balance> {
    let decimals = match asset {
        AssetKind::Native => CAES_DECIMALS,
        AssetKind::Token(id) => decimals_of(rpc, id)?,
    };
    parse_units(amount, decimals).map_err(|e| match e {
        hm_primitives::AmountError::TooManyDecimals => {
            anyhow!("amount `{amount}`: {asset:?} has {decimals} decimals")
        }
        other => anyhow!("amount `{amount}`: {other}"),
    })
}

fn send(label: &str, call: DexCall, signing: &Signing) -> anyhow::Result<()> {
    let request = Submission {
        from: &signing.from,
        label: format!("Dex::{label}"),
        tip: 0,
        mortality: 64,
        no_dry_run: false,
        rpc_url: &signing.rpc.rpc_url,
    };
    submit(request, |_| Ok(EncodedCall(Call::Dex(call).encode())))
}

async fn rpc_request(rpc: &RpcTarget, method: &str, params: Vec<Value>) -> anyhow::Result<Value> {
    let wallet = RpcWallet::connect(&rpc.rpc_url).await?;
    let mut p = jsonrpsee::core::params::ArrayParams::new();
    for v in params {
        p.insert(v)?;
    }
    wallet
        .client()
        .request(method, p)
        .await
        .with_context(|| method.to_owned())
}

/// `(amount_in, amount_out)` of a swap along `path`, now.
fn quote(
    rpc: &RpcTarget,
    path: &[AssetKind],
    amount: &SwapAmount,
) -> anyhow::Result<(bool, Balance, Balance)> {
    let path_json: Vec<Value> = path.iter().copied().map(asset_json).collect();
    let (exact_in, method, given) = match (&amount.amount_in, &amount.amount_out) {
        (Some(a), None) => (true, "dex_quoteExactIn", amount_of(rpc, path[0], a)?),
        (None, Some(a)) => {
            let last = *path.last().context("--path is empty")?;
            (false, "dex_quoteExactOut", amount_of(rpc, last, a)?)
        }
        _ => bail!("give one of --amount-in and --amount-out"),
    };
    let params = vec![json!(path_json), json!(given.to_string())];
    let q = hm_wallet::block_on(rpc_request(rpc, method, params))?;
    let field = |name: &str| -> anyhow::Result<Balance> {
        q[name]
            .as_str()
            .and_then(|s| s.parse().ok())
            .with_context(|| format!("the quote's {name}: {q}"))
    };
    Ok((exact_in, field("amountIn")?, field("amountOut")?))
}

/// The pair's assets and the signer's account.
fn pair_and_signer(
    pair: &Pair,
    signing: &Signing,
) -> anyhow::Result<(AssetKind, AssetKind, hm_primitives::AccountId)> {
    let who = hm_wallet::signer(&signing.from, "--from")?.account_id();
    Ok((asset(&pair.asset0)?, asset(&pair.asset1)?, who))
}

fn path_of(path: &[String]) -> anyhow::Result<Vec<AssetKind>> {
    if path.len() < 2 {
        bail!("--path needs at least two assets, e.g. CAES,0");
    }
    path.iter().map(|s| asset(s)).collect()
}

pub fn run(cmd: DexCommand) -> anyhow::Result<()> {
    match cmd {
        DexCommand::PoolCreate { pair, signing } => {
            let call = DexCall::CreatePool {
                asset0: asset(&pair.asset0)?,
                asset1: asset(&pair.asset1)?,
            };
            send("create_pool", call, &signing)
        }
        DexCommand::Add {
            pair,
            amount0,
            amount1,
            min0,
            min1,
            signing,
        } => {
            let (a0, a1, who) = pair_and_signer(&pair, &signing)?;
            let rpc = &signing.rpc;
            let call = DexCall::AddLiquidity {
                asset0: a0,
                asset1: a1,
                amount0_desired: amount_of(rpc, a0, &amount0)?,
                amount1_desired: amount_of(rpc, a1, &amount1)?,
                amount0_min: amount_of(rpc, a0, &min0)?,
                amount1_min: amount_of(rpc, a1, &min1)?,
                mint_to: who,
            };
            send("add_liquidity", call, &signing)
        }
        DexCommand::Remove {
            pair,
            lp,
            min0,
            min1,
            signing,
        } => {
            let (a0, a1, who) = pair_and_signer(&pair, &signing)?;
            let rpc = &signing.rpc;
            let call = DexCall::RemoveLiquidity {
                asset0: a0,
                asset1: a1,
                lp_amount: lp,
                amount0_min: amount_of(rpc, a0, &min0)?,
                amount1_min: amount_of(rpc, a1, &min1)?,
                withdraw_to: who,
            };
            send("remove_liquidity", call, &signing)
        }
        DexCommand::Swap {
            path,
            amount,
            slippage_bps,
            deadline_blocks,
            signing,
        } => {
            let path = path_of(&path)?;
            if u128::from(slippage_bps) >= BPS {
                bail!("--slippage-bps must be below 10000");
            }
            let (exact_in, amount_in, amount_out) = quote(&signing.rpc, &path, &amount)?;
            let best = hm_wallet::block_on(async {
                RpcWallet::connect(&signing.rpc.rpc_url)
                    .await?
                    .chain_context()
                    .await
            })?
            .best_number;
            let deadline = best.saturating_add(deadline_blocks);
            let who = hm_wallet::signer(&signing.from, "--from")?.account_id();
            let slip = u128::from(slippage_bps);
            let call = if exact_in {
                DexCall::SwapExactIn {
                    path,
                    amount_in,
                    amount_out_min: amount_out * (BPS - slip) / BPS,
                    send_to: who,
                    deadline,
                }
            } else {
                DexCall::SwapExactOut {
                    path,
                    amount_out,
                    amount_in_max: amount_in.saturating_mul(BPS + slip) / BPS,
                    send_to: who,
                    deadline,
                }
            };
            println!("Quote: {amount_in} in, {amount_out} out (slippage {slippage_bps} bps)");
            send(
                if exact_in {
                    "swap_exact_in"
                } else {
                    "swap_exact_out"
                },
                call,
                &signing,
            )
        }
        DexCommand::Quote { path, amount, rpc } => {
            let path = path_of(&path)?;
            let (_, amount_in, amount_out) = quote(&rpc, &path, &amount)?;
            let path: Vec<Value> = path.into_iter().map(asset_json).collect();
            print_json(
                &json!({"path": path, "amountIn": amount_in.to_string(), "amountOut": amount_out.to_string()}),
            )
        }
        DexCommand::Pool { pair, rpc } => {
            let params = vec![
                asset_json(asset(&pair.asset0)?),
                asset_json(asset(&pair.asset1)?),
            ];
            print_json(&hm_wallet::block_on(rpc_request(
                &rpc,
                "dex_getPool",
                params,
            ))?)
        }
        DexCommand::Pools { rpc } => print_json(&hm_wallet::block_on(rpc_request(
            &rpc,
            "dex_listPools",
            vec![],
        ))?),
        DexCommand::Twap {
            pair,
            from_block,
            rpc,
        } => {
            let params = vec![
                asset_json(asset(&pair.asset0)?),
                asset_json(asset(&pair.asset1)?),
                json!(from_block),
            ];
            print_json(&hm_wallet::block_on(rpc_request(&rpc, "dex_twap", params))?)
        }
    }
}
