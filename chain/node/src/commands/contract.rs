//! `hypermesh contract build|upload|instantiate|call|query`: contracts over RPC.
//!
//! Every submission is dry-run first (`contracts_upload_code`, `contracts_instantiate`,
//! `contracts_call`): a failing one is refused before it costs a fee, with the reason.
//! The gas limit comes from `contracts_estimateGas` unless `--gas-limit` is given. Then
//! the extrinsic is signed, submitted, and followed to finalization, and its events are
//! read back from the block.
use super::contract_codec::{decode_value, describe_revert, encode_args, parse_type, selector};
use super::contract_events::{extrinsic_events, instantiated, report, ExtrinsicEvents};
use crate::cli::RpcTarget;
use anyhow::{anyhow, bail, Context};
use clap::{Args, Subcommand};
use hm_crypto::{KeyFile, Keypair};
use hm_primitives::{blake3_256, format_caes, parse_caes, AccountId, Balance, H256};
use hm_rpc_api::{
    ContractCallRequest, ContractError, ContractExecResult, ContractInstantiateRequest,
    ContractUploadRequest, ContractsApiClient, GasEstimateRequest, HexString, StorageDeposit,
};
use hm_runtime::pallet_contracts::Call as ContractsCall;
use hm_wallet::RpcWallet;
use std::path::{Path, PathBuf};

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
    contract: String,
    /// Message name; its selector is the first 4 bytes of blake3(name).
    #[arg(long, required_unless_present_any = ["selector", "input"], conflicts_with_all = ["selector", "input"])]
    message: Option<String>,
    /// Selector as 0x + 8 hex digits, instead of --message.
    #[arg(long, conflicts_with = "input")]
    selector: Option<String>,
    /// Arguments, in order, SCALE-encoded from TYPE=VALUE: bool, u8..u128, i8..i128,
    /// account (hm1…), hash, bytes (0x…), text, vec<T> [a,b], option<T> none|some(v),
    /// result<T,E> ok(v)|err(v), tuples (T1,T2) (a,b).
    #[arg(long = "arg", value_name = "TYPE=VALUE")]
    args: Vec<String>,
    /// Raw input (selector and arguments, hex), instead of --message and --arg.
    #[arg(long, conflicts_with = "args")]
    input: Option<String>,
}

#[derive(Debug, Args)]
pub struct Limits {
    /// Gas limit (default: contracts_estimateGas's estimate).
    #[arg(long)]
    gas_limit: Option<u64>,
    /// Most CAES the storage deposit may take (default: no limit).
    #[arg(long)]
    storage_deposit_limit: Option<String>,
}

#[derive(Debug, Args)]
pub struct TxArgs {
    /// Signer: key file path or dev key name (//Alice).
    #[arg(long)]
    from: String,
    /// Tip in CAES, raising priority.
    #[arg(long, default_value = "0")]
    tip: String,
    /// Blocks the transaction stays valid for.
    #[arg(long, default_value_t = 64)]
    mortality: u64,
    #[command(flatten)]
    rpc: RpcTarget,
}

fn load_key(spec: &str) -> anyhow::Result<Keypair> {
    if let Some(kp) = hm_crypto::dev_keypair(spec) {
        return Ok(kp);
    }
    if Path::new(spec).exists() {
        return Ok(KeyFile::load(Path::new(spec))?);
    }
    bail!("--from `{spec}` is neither a key file nor a dev key name (//Alice, //Bob, ...)")
}

fn caes(s: &str, flag: &str) -> anyhow::Result<Balance> {
    parse_caes(s).map_err(|e| anyhow!("{flag} `{s}`: {e}"))
}

fn hex_arg(s: &str, flag: &str) -> anyhow::Result<Vec<u8>> {
    let digits = s
        .strip_prefix("0x")
        .ok_or_else(|| anyhow!("{flag} `{s}` must be 0x-prefixed hex"))?;
    hex::decode(digits).map_err(|e| anyhow!("{flag} `{s}`: {e}"))
}

fn address(s: &str, flag: &str) -> anyhow::Result<AccountId> {
    AccountId::from_address(s).map_err(|e| anyhow!("{flag} `{s}`: {e}"))
}

impl MessageArgs {
    fn input(&self) -> anyhow::Result<Vec<u8>> {
        if let Some(input) = &self.input {
            return hex_arg(input, "--input");
        }
        let prefix = match (&self.message, &self.selector) {
            (Some(name), _) => selector(name).to_vec(),
            (None, Some(s)) => {
                let bytes = hex_arg(s, "--selector")?;
                anyhow::ensure!(bytes.len() == 4, "--selector `{s}` must be 4 bytes");
                bytes
            }
            (None, None) => bail!("give --message, --selector or --input"),
        };
        encode_args(&prefix, &self.args).map_err(|e| anyhow!(e))
    }
}

impl Limits {
    fn deposit_limit(&self) -> anyhow::Result<Option<Balance>> {
        self.storage_deposit_limit
            .as_deref()
            .map(|s| caes(s, "--storage-deposit-limit"))
            .transpose()
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

pub fn run(cmd: ContractCommand) -> anyhow::Result<()> {
    match cmd {
        ContractCommand::Build { dir, out } => super::contract_build::build(dir, out),
        ContractCommand::Upload { wasm, limits, tx } => {
            runtime()?.block_on(upload(wasm, limits, tx))
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
                None => encode_args(&[], &args).map_err(|e| anyhow!(e))?,
            };
            let salt = match salt.strip_prefix("0x") {
                Some(_) => hex_arg(&salt, "--salt")?,
                None => salt.into_bytes(),
            };
            let value = caes(&value, "--value")?;
            let code_hash = code_hash
                .map(|h| H256::from_hex(&h).map_err(|e| anyhow!("--code-hash `{h}`: {e}")));
            runtime()?.block_on(instantiate(
                code_hash.transpose()?,
                wasm,
                input,
                salt,
                value,
                limits,
                tx,
            ))
        }
        ContractCommand::Call {
            message,
            value,
            output,
            limits,
            tx,
        } => {
            let value = caes(&value, "--value")?;
            runtime()?.block_on(call(message, value, output, limits, tx))
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
                None => AccountId([0; 32]),
                Some(spec) => match load_key(spec) {
                    Ok(kp) => kp.account_id(),
                    Err(_) => address(spec, "--from")?,
                },
            };
            let value = caes(&value, "--value")?;
            runtime()?.block_on(query(message, origin, value, output, at, gas_limit, rpc))
        }
    }
}

fn error_line(e: &ContractError) -> String {
    let detail = if e.detail.is_empty() {
        String::new()
    } else {
        format!(": {}", e.detail)
    };
    format!("{} ({}){detail}", e.name, e.message)
}

fn deposit_line(d: &StorageDeposit) -> String {
    match d {
        StorageDeposit::Charge(n) => format!("charge {} CAES", format_caes(*n)),
        StorageDeposit::Refund(n) => format!("refund {} CAES", format_caes(*n)),
    }
}

/// Print a dry run's result; `Err` with the reason when it failed.
fn report_dry_run(r: &ContractExecResult, output: Option<&str>) -> anyhow::Result<()> {
    println!("Output: 0x{}", hex::encode(&r.output.0));
    if let (Some(ty), false) = (output, r.reverted) {
        let ty = parse_type(ty).map_err(|e| anyhow!("--output: {e}"))?;
        match decode_value(&ty, &r.output.0) {
            Ok(text) => println!("Decoded: {text}"),
            Err(e) => println!("Decoded: (does not decode as the --output type: {e})"),
        }
    }
    println!("Gas required: {}", r.gas_required);
    println!("Storage deposit: {}", deposit_line(&r.storage_deposit));
    for message in &r.debug_messages {
        println!("Debug: {message}");
    }
    if r.reverted {
        println!("Reverted: {}", describe_revert(&r.output.0));
    }
    match &r.error {
        Some(e) if r.reverted => bail!(
            "the contract reverted with {} ({})",
            describe_revert(&r.output.0),
            e.name
        ),
        Some(e) => bail!("the dry run failed: {}", error_line(e)),
        None => Ok(()),
    }
}

/// Sign `call`, submit it, wait for finalization and read its events back.
async fn submit(
    wallet: &RpcWallet,
    kp: &Keypair,
    call: ContractsCall,
    tx: &TxArgs,
) -> anyhow::Result<ExtrinsicEvents> {
    let tip = caes(&tx.tip, "--tip")?;
    let call = hm_runtime::Call::Contracts(call);
    let xt = wallet
        .sign_with_context(kp, call, tip, tx.mortality)
        .await?;
    let done = wallet.submit_and_wait(&xt).await?;
    println!("Extrinsic: {:?}", done.extrinsic_hash);
    println!(
        "Finalized in block #{} ({:?})",
        done.block_number, done.block_hash
    );
    let events = extrinsic_events(wallet.client(), done.block_hash, done.extrinsic_hash).await?;
    report(&events)?;
    Ok(events)
}

/// Upload `code` unless it is stored; returns its hash.
async fn ensure_uploaded(
    wallet: &RpcWallet,
    kp: &Keypair,
    code: Vec<u8>,
    limits: &Limits,
    tx: &TxArgs,
) -> anyhow::Result<H256> {
    let code_hash = blake3_256(&code);
    let storage_deposit_limit = limits.deposit_limit()?;
    let request = ContractUploadRequest {
        origin: kp.account_id().to_address(),
        code: HexString::from(code.as_slice()),
        storage_deposit_limit,
    };
    let dry = wallet.client().upload_code(request, None).await?;
    match &dry.error {
        Some(e) if e.name == "CodeAlreadyExists" => {
            println!("Code hash: {} (already stored)", code_hash.to_hex());
            return Ok(code_hash);
        }
        Some(e) => bail!("the upload would fail: {}", error_line(e)),
        None => {}
    }
    println!(
        "Uploading {} bytes, deposit {} CAES, upload gas {}",
        code.len(),
        format_caes(dry.deposit),
        dry.gas_consumed
    );
    let call = ContractsCall::UploadCode {
        code,
        storage_deposit_limit,
    };
    submit(wallet, kp, call, tx).await?;
    println!("Code hash: {}", code_hash.to_hex());
    Ok(code_hash)
}

fn read_wasm(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read --wasm {}", path.display()))
}

async fn upload(wasm: PathBuf, limits: Limits, tx: TxArgs) -> anyhow::Result<()> {
    let code = read_wasm(&wasm)?;
    let kp = load_key(&tx.from)?;
    let wallet = RpcWallet::connect(&tx.rpc.rpc_url).await?;
    ensure_uploaded(&wallet, &kp, code, &limits, &tx).await?;
    Ok(())
}

/// `--gas-limit`, or the node's estimate for `request`.
async fn gas_limit(
    wallet: &RpcWallet,
    given: Option<u64>,
    request: GasEstimateRequest,
) -> anyhow::Result<u64> {
    if let Some(gas) = given {
        return Ok(gas);
    }
    let estimate = wallet.client().estimate_gas(request, None).await?;
    println!(
        "Gas limit: {} (estimated: {} required plus margin)",
        estimate.gas_limit, estimate.gas_required
    );
    Ok(estimate.gas_limit)
}

async fn instantiate(
    code_hash: Option<H256>,
    wasm: Option<PathBuf>,
    input: Vec<u8>,
    salt: Vec<u8>,
    value: Balance,
    limits: Limits,
    tx: TxArgs,
) -> anyhow::Result<()> {
    let kp = load_key(&tx.from)?;
    let wallet = RpcWallet::connect(&tx.rpc.rpc_url).await?;
    let code_hash = match (code_hash, wasm) {
        (Some(hash), _) => hash,
        (None, Some(path)) => {
            ensure_uploaded(&wallet, &kp, read_wasm(&path)?, &limits, &tx).await?
        }
        (None, None) => bail!("give --code-hash or --wasm"),
    };
    let storage_deposit_limit = limits.deposit_limit()?;
    let mut request = ContractInstantiateRequest {
        origin: kp.account_id().to_address(),
        value,
        gas_limit: limits.gas_limit,
        storage_deposit_limit,
        code_hash: code_hash.into(),
        data: HexString::from(input.as_slice()),
        salt: Some(HexString::from(salt.as_slice())),
    };
    let dry = wallet.client().instantiate(request.clone(), None).await?;
    if let Some(contract) = dry.contract {
        println!("Address: {contract}");
    }
    report_dry_run(&dry, None)?;
    request.gas_limit = None;
    let gas = gas_limit(
        &wallet,
        limits.gas_limit,
        GasEstimateRequest::Instantiate(request),
    )
    .await?;
    let call = ContractsCall::Instantiate {
        code_hash,
        value,
        gas_limit: gas,
        storage_deposit_limit,
        input,
        salt,
    };
    let events = submit(&wallet, &kp, call, &tx).await?;
    let contract = instantiated(&events, &kp.account_id())
        .ok_or_else(|| anyhow!("the extrinsic succeeded but reported no Instantiated event"))?;
    println!("Contract: {contract}");
    Ok(())
}

async fn call(
    message: MessageArgs,
    value: Balance,
    output: Option<String>,
    limits: Limits,
    tx: TxArgs,
) -> anyhow::Result<()> {
    let dest = address(&message.contract, "--contract")?;
    let input = message.input()?;
    let kp = load_key(&tx.from)?;
    let wallet = RpcWallet::connect(&tx.rpc.rpc_url).await?;
    let storage_deposit_limit = limits.deposit_limit()?;
    let mut request = ContractCallRequest {
        origin: kp.account_id().to_address(),
        dest: dest.to_address(),
        value,
        gas_limit: limits.gas_limit,
        storage_deposit_limit,
        input_data: HexString::from(input.as_slice()),
    };
    let dry = wallet.client().call(request.clone(), None).await?;
    report_dry_run(&dry, output.as_deref())?;
    request.gas_limit = None;
    let gas = gas_limit(&wallet, limits.gas_limit, GasEstimateRequest::Call(request)).await?;
    let call = ContractsCall::Call {
        dest,
        value,
        gas_limit: gas,
        storage_deposit_limit,
        input,
    };
    submit(&wallet, &kp, call, &tx).await?;
    println!("Result: success");
    Ok(())
}

async fn query(
    message: MessageArgs,
    origin: AccountId,
    value: Balance,
    output: Option<String>,
    at: Option<String>,
    gas_limit: Option<u64>,
    rpc: RpcTarget,
) -> anyhow::Result<()> {
    let dest = address(&message.contract, "--contract")?;
    let input = message.input()?;
    let at = at
        .map(|h| H256::from_hex(&h).map_err(|e| anyhow!("--at `{h}`: {e}")))
        .transpose()?;
    let wallet = RpcWallet::connect(&rpc.rpc_url).await?;
    let request = ContractCallRequest {
        origin: origin.to_address(),
        dest: dest.to_address(),
        value,
        gas_limit,
        storage_deposit_limit: None,
        input_data: HexString::from(input.as_slice()),
    };
    let dry = wallet
        .client()
        .call(request, at.map(HexString::from))
        .await?;
    for event in &dry.events {
        println!("Dry-run event: {}", serde_json::to_string(event)?);
    }
    report_dry_run(&dry, output.as_deref())
}
