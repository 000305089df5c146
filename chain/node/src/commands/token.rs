//! `hypermesh token …`: friendly wrappers over the tokens pallet. Submitting commands
//! build the call as `tx call Tokens <call> --arg …` does (from the node's metadata,
//! dry-run first, outcome and events reported); amounts are in the token's units,
//! scaled by the decimals of its metadata. Reads use the `tokens_*` RPC methods.
use crate::cli::{CallArgs, RpcTarget};
use anyhow::{anyhow, bail, Context};
use clap::{Args, Subcommand};
use hm_primitives::parse_units;
use hm_wallet::RpcWallet;
use jsonrpsee::{core::client::ClientT, rpc_params};
use serde_json::Value;

/// Who signs, and where to send.
#[derive(Debug, Args)]
pub struct Signing {
    /// Key file path or dev key name (//Alice).
    #[arg(long)]
    pub from: String,
    #[command(flatten)]
    pub rpc: RpcTarget,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token (reserves the token deposit); prints its id in the events.
    Create {
        /// Smallest balance an account may hold, in the smallest unit.
        #[arg(long)]
        min_balance: u128,
        #[command(flatten)]
        signing: Signing,
    },
    /// Set name, symbol and decimals (owner).
    SetMetadata {
        #[arg(long)]
        token: u32,
        #[arg(long)]
        name: String,
        #[arg(long)]
        symbol: String,
        #[arg(long)]
        decimals: u8,
        #[command(flatten)]
        signing: Signing,
    },
    /// Mint into an account (issuer).
    Mint {
        #[arg(long)]
        token: u32,
        /// Address (hm1…), key file or dev key name.
        #[arg(long)]
        to: String,
        /// Amount in the token's units, e.g. 1.5.
        #[arg(long)]
        amount: String,
        #[command(flatten)]
        signing: Signing,
    },
    /// Burn from an account (admin).
    Burn {
        #[arg(long)]
        token: u32,
        #[arg(long)]
        who: String,
        #[arg(long)]
        amount: String,
        #[command(flatten)]
        signing: Signing,
    },
    /// Transfer to an account.
    Transfer {
        #[arg(long)]
        token: u32,
        #[arg(long)]
        to: String,
        #[arg(long)]
        amount: String,
        /// Refuse to take the sender below the token's minimum balance.
        #[arg(long)]
        keep_alive: bool,
        #[command(flatten)]
        signing: Signing,
    },
    /// Let a delegate move up to an amount of your balance.
    Approve {
        #[arg(long)]
        token: u32,
        #[arg(long)]
        delegate: String,
        #[arg(long)]
        amount: String,
        #[command(flatten)]
        signing: Signing,
    },
    /// A token's details and metadata.
    Info {
        token: u32,
        #[command(flatten)]
        rpc: RpcTarget,
    },
    /// An account's balance of a token.
    Balance {
        #[arg(long)]
        token: u32,
        /// Address (hm1…), key file or dev key name.
        account: String,
        #[command(flatten)]
        rpc: RpcTarget,
    },
    /// Tokens, a page at a time.
    List {
        #[arg(long, default_value_t = 0)]
        start: u32,
        #[arg(long, default_value_t = 100)]
        count: u32,
        #[command(flatten)]
        rpc: RpcTarget,
    },
}

async fn token_info(rpc: &RpcTarget, token: u32) -> anyhow::Result<Value> {
    let wallet = RpcWallet::connect(&rpc.rpc_url).await?;
    let info: Value = wallet
        .client()
        .request("tokens_metadata", rpc_params![token])
        .await
        .context("tokens_metadata")?;
    if info.is_null() {
        bail!("no token {token} on this chain (see `hypermesh token list`)");
    }
    Ok(info)
}

/// The decimals of `token`'s metadata (0 without metadata).
pub fn decimals_of(rpc: &RpcTarget, token: u32) -> anyhow::Result<u32> {
    let info = hm_wallet::block_on(token_info(rpc, token))?;
    Ok(info["decimals"].as_u64().unwrap_or(0) as u32)
}

/// `amount` in the smallest unit of `token`, from its metadata's decimals.
fn amount_of(rpc: &RpcTarget, token: u32, amount: &str) -> anyhow::Result<u128> {
    let decimals = decimals_of(rpc, token)?;
    parse_units(amount, decimals).map_err(|e| match e {
        hm_primitives::AmountError::TooManyDecimals => {
            anyhow!("--amount `{amount}`: token {token} has {decimals} decimals")
        }
        other => anyhow!("--amount `{amount}`: {other}"),
    })
}

fn submit(call: &str, args: Vec<(&str, String)>, signing: Signing) -> anyhow::Result<()> {
    super::call::run(CallArgs {
        pallet: "Tokens".into(),
        call: call.into(),
        args: args
            .into_iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect(),
        from: signing.from,
        root: false,
        tip: "0".into(),
        mortality: 64,
        no_dry_run: false,
        rpc: signing.rpc,
    })
}

/// A call on `token` that moves `amount` (in the token's units) for one account, named
/// by the call's argument `account.0`.
fn amount_call(
    call: &str,
    token: u32,
    account: (&str, String),
    amount: &str,
    signing: Signing,
) -> anyhow::Result<()> {
    let amount = amount_of(&signing.rpc, token, amount)?;
    let args = vec![
        ("token", token.to_string()),
        account,
        ("amount", amount.to_string()),
    ];
    submit(call, args, signing)
}

pub fn print_json(value: &Value) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

pub fn run(cmd: TokenCommand) -> anyhow::Result<()> {
    match cmd {
        TokenCommand::Create {
            min_balance,
            signing,
        } => submit(
            "create",
            vec![("min_balance", min_balance.to_string())],
            signing,
        ),
        TokenCommand::SetMetadata {
            token,
            name,
            symbol,
            decimals,
            signing,
        } => submit(
            "set_metadata",
            vec![
                ("token", token.to_string()),
                ("name", name),
                ("symbol", symbol),
                ("decimals", decimals.to_string()),
            ],
            signing,
        ),
        TokenCommand::Mint {
            token,
            to,
            amount,
            signing,
        } => amount_call("mint", token, ("beneficiary", to), &amount, signing),
        TokenCommand::Burn {
            token,
            who,
            amount,
            signing,
        } => amount_call("burn", token, ("who", who), &amount, signing),
        TokenCommand::Transfer {
            token,
            to,
            amount,
            keep_alive,
            signing,
        } => {
            let call = if keep_alive {
                "transfer_keep_alive"
            } else {
                "transfer"
            };
            amount_call(call, token, ("dest", to), &amount, signing)
        }
        TokenCommand::Approve {
            token,
            delegate,
            amount,
            signing,
        } => amount_call(
            "approve_transfer",
            token,
            ("delegate", delegate),
            &amount,
            signing,
        ),
        TokenCommand::Info { token, rpc } => {
            print_json(&hm_wallet::block_on(token_info(&rpc, token))?)
        }
        TokenCommand::Balance {
            token,
            account,
            rpc,
        } => {
            let who = hm_wallet::account(&account, "ACCOUNT")?;
            let balance: Value = hm_wallet::block_on(async {
                let wallet = RpcWallet::connect(&rpc.rpc_url).await?;
                Ok(wallet
                    .client()
                    .request("tokens_balance", rpc_params![token, who.to_address()])
                    .await?)
            })?;
            print_json(&balance)
        }
        TokenCommand::List { start, count, rpc } => {
            let page: Value = hm_wallet::block_on(async {
                let wallet = RpcWallet::connect(&rpc.rpc_url).await?;
                Ok(wallet
                    .client()
                    .request("tokens_list", rpc_params![start, count])
                    .await?)
            })?;
            print_json(&page)
        }
    }
}
