//! `hypermesh contract build|upload|instantiate|call|query`: contracts over RPC.
//!
//! Every submission is dry-run first (`contracts_upload_code`, `contracts_instantiate`,
//! `contracts_call`): a failing one is refused before it costs a fee, with the reason.
//! The gas limit comes from `contracts_estimateGas` unless `--gas-limit` is given. Then
//! the extrinsic is signed, submitted, and followed to finalization, and its outcome and
//! events are read back with `chain_getEvents`; a call that failed on chain (and so
//! still paid its fee) makes the command fail, naming the error.
use crate::cli_run;
use anyhow::{anyhow, bail};
use clap::{Args, Subcommand};
use hm_primitives::{Balance, H256};
use std::path::PathBuf;

/// Where the node's RPC is.
#[derive(Debug, Args, Clone)]
pub struct RpcTarget {
    /// Node RPC endpoint.
    #[arg(long, default_value = "ws://127.0.0.1:9944")]
    pub rpc_url: String,
}

#[derive(Debug, Subcommand)]
pub enum ContractCommand {
    /// Build contracts to wasm32: every example (scripts/build-contracts.sh), or one
    /// contract crate.
    Build {
        /// A contract crate inside the contracts workspace (default: all examples).
        dir: Option<PathBuf>,
        /// Copy the built .wasm here (with `dir`).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Upload wasm code and wait for finalization; prints the code hash.
    Upload {
        #[arg(long)]
        wasm: PathBuf,
        #[command(flatten)]
        limits: Limits,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Create a contract from code (uploading it first when `--wasm` names new code).
    Instantiate {
        /// Hash of uploaded code.
        #[arg(long, required_unless_present = "wasm", conflicts_with = "wasm")]
        code_hash: Option<String>,
        /// A .wasm file: uploaded unless already stored.
        #[arg(long)]
        wasm: Option<PathBuf>,
        /// Deploy arguments, in order: TYPE=VALUE (see `call --help`).
        #[arg(long = "arg", value_name = "TYPE=VALUE")]
        args: Vec<String>,
        /// Raw deploy input (hex), instead of --arg.
        #[arg(long, conflicts_with = "args")]
        input: Option<String>,
        /// Salt: 0x-hex, or text used as its UTF-8 bytes. The address is
        /// blake3("hm/contract" ‖ deployer ‖ code hash ‖ salt).
        #[arg(long, default_value = "")]
        salt: String,
        /// CAES endowment sent to the new contract.
        #[arg(long, default_value = "0")]
        value: String,
        #[command(flatten)]
        limits: Limits,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Call a contract and wait for finalization.
    Call {
        #[command(flatten)]
        message: MessageArgs,
        /// CAES sent with the call.
        #[arg(long, default_value = "0")]
        value: String,
        /// Decode the dry run's output as this type (e.g. u128, option<(account,u32)>).
        #[arg(long)]
        output: Option<String>,
        #[command(flatten)]
        limits: Limits,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Dry-run a call and print its decoded output; nothing is submitted.
    Query {
        #[command(flatten)]
        message: MessageArgs,
        /// The caller: key file, dev key name (//Alice) or address (default: the zero
        /// account).
        #[arg(long)]
        from: Option<String>,
        #[arg(long, default_value = "0")]
        value: String,
        /// Decode the output as this type (e.g. u128, vec<u64>, option<u8>).
        #[arg(long)]
        output: Option<String>,
        /// Block hash to query at (default: best).
        #[arg(long)]
        at: Option<String>,
        #[arg(long)]
        gas_limit: Option<u64>,
        #[command(flatten)]
        rpc: RpcTarget,
    },
}

/// Which message to call and with what.
#[derive(Debug, Args)]
pub struct MessageArgs {
    /// The contract's address (hm1…).
    #[arg(long)]
    pub(crate) contract: String,
    /// Message name; its selector is the first 4 bytes of blake3(name).
    #[arg(long, required_unless_present_any = ["selector", "input"], conflicts_with_all = ["selector", "input"])]
    pub(crate) message: Option<String>,
    /// Selector as 0x + 8 hex digits, instead of --message.
    #[arg(long, conflicts_with = "input")]
    pub(crate) selector: Option<String>,
    /// Arguments, in order, SCALE-encoded from TYPE=VALUE: bool, u8..u128, i8..i128,
    /// account (hm1…), hash, bytes (0x…), text, vec<T> [a,b], option<T> none|some(v),
    /// result<T,E> ok(v)|err(v), tuples (T1,T2) (a,b).
    #[arg(long = "arg", value_name = "TYPE=VALUE")]
    pub(crate) args: Vec<String>,
    /// Raw input (selector and arguments, hex), instead of --message and --arg.
    #[arg(long, conflicts_with = "args")]
    pub(crate) input: Option<String>,
}

#[derive(Debug, Args)]
pub struct Limits {
    /// Gas limit (default: contracts_estimateGas's estimate).
    #[arg(long)]
    pub(crate) gas_limit: Option<u64>,
    /// Most CAES the storage deposit may take (default: no limit).
    #[arg(long)]
    pub(crate) storage_deposit_limit: Option<String>,
}

#[derive(Debug, Args)]
pub struct TxArgs {
    /// Signer: key file path or dev key name (//Alice); a path that exists is a key file.
    #[arg(long)]
    pub(crate) from: String,
    /// Tip in CAES, raising priority.
    #[arg(long, default_value = "0")]
    pub(crate) tip: String,
    /// Blocks the transaction stays valid for.
    #[arg(long, default_value_t = 64)]
    pub(crate) mortality: u64,
    #[command(flatten)]
    pub(crate) rpc: RpcTarget,
}

/// Parse a CAES amount given as `flag`.
pub(crate) fn caes(s: &str, flag: &str) -> anyhow::Result<Balance> {
    hm_wallet::parse_amount(s, flag)
}

pub(crate) fn hex_arg(s: &str, flag: &str) -> anyhow::Result<Vec<u8>> {
    let digits = s
        .strip_prefix("0x")
        .ok_or_else(|| anyhow!("{flag} `{s}` must be 0x-prefixed hex"))?;
    hex::decode(digits).map_err(|e| anyhow!("{flag} `{s}`: {e}"))
}

impl MessageArgs {
    pub(crate) fn input(&self) -> anyhow::Result<Vec<u8>> {
        if let Some(input) = &self.input {
            return hex_arg(input, "--input");
        }
        let prefix = match (&self.message, &self.selector) {
            (Some(name), _) => crate::calls::selector(name),
            (None, Some(s)) => {
                let bytes = hex_arg(s, "--selector")?;
                anyhow::ensure!(bytes.len() == 4, "--selector `{s}` must be 4 bytes");
                bytes
            }
            (None, None) => bail!("give --message, --selector or --input"),
        };
        crate::codec::encode_args(&prefix, &self.args).map_err(|e| anyhow!(e))
    }
}

impl Limits {
    pub(crate) fn deposit_limit(&self) -> anyhow::Result<Option<Balance>> {
        self.storage_deposit_limit
            .as_deref()
            .map(|s| caes(s, "--storage-deposit-limit"))
            .transpose()
    }
}

/// Run one `hypermesh contract` command.
pub fn run(cmd: ContractCommand) -> anyhow::Result<()> {
    match cmd {
        ContractCommand::Build { dir, out } => crate::build::build(dir, out),
        ContractCommand::Upload { wasm, limits, tx } => {
            hm_wallet::block_on(cli_run::upload(wasm, limits, tx))
        }
        ContractCommand::Instantiate {
            code_hash,
            wasm,
            args,
            input,
            salt,
            value,
            limits,
            tx,
        } => {
            let input = match input {
                Some(hex) => hex_arg(&hex, "--input")?,
                None => crate::codec::encode_args(&[], &args).map_err(|e| anyhow!(e))?,
            };
            let salt = match salt.strip_prefix("0x") {
                Some(_) => hex_arg(&salt, "--salt")?,
                None => salt.into_bytes(),
            };
            let deploy = cli_run::Deploy {
                code_hash: code_hash
                    .map(|h| H256::from_hex(&h).map_err(|e| anyhow!("--code-hash `{h}`: {e}")))
                    .transpose()?,
                wasm,
                input,
                salt,
                value: caes(&value, "--value")?,
            };
            hm_wallet::block_on(cli_run::instantiate(deploy, limits, tx))
        }
        ContractCommand::Call {
            message,
            value,
            output,
            limits,
            tx,
        } => {
            let value = caes(&value, "--value")?;
            hm_wallet::block_on(cli_run::call(message, value, output, limits, tx))
        }
        ContractCommand::Query {
            message,
            from,
            value,
            output,
            at,
            gas_limit,
            rpc,
        } => {
            let origin = match from.as_deref() {
                None => hm_primitives::AccountId([0; 32]),
                Some(spec) => hm_wallet::account(spec, "--from")?,
            };
            let query = cli_run::Query {
                origin,
                value: caes(&value, "--value")?,
                output,
                at: at
                    .map(|h| H256::from_hex(&h).map_err(|e| anyhow!("--at `{h}`: {e}")))
                    .transpose()?,
                gas_limit,
            };
            hm_wallet::block_on(cli_run::query(message, query, rpc))
        }
    }
}
