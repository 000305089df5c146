//! The `hypermesh contract` operations: dry run, gas estimate, submit, outcome.
use crate::cli::{caes, Limits, MessageArgs, RpcTarget, TxArgs};
use crate::codec::{decode_value, describe_revert, parse_type};
use crate::events::{decode_events, describe, instantiated};
use anyhow::{anyhow, bail, Context};
use hm_crypto::Keypair;
use hm_primitives::{blake3_256, format_caes, AccountId, Balance, H256};
use hm_rpc_api::{
    ContractCallRequest, ContractError, ContractExecResult, ContractInstantiateRequest,
    ContractUploadRequest, ContractsApiClient, GasEstimateRequest, HexString, StorageDeposit,
};
use hm_runtime::pallet_contracts::Call as ContractsCall;
use hm_runtime::RuntimeEvent;
use hm_wallet::RpcWallet;
use std::path::{Path, PathBuf};

/// What `contract instantiate` deploys.
pub(crate) struct Deploy {
    pub code_hash: Option<H256>,
    pub wasm: Option<PathBuf>,
    pub input: Vec<u8>,
    pub salt: Vec<u8>,
    pub value: Balance,
}

/// What `contract query` asks.
pub(crate) struct Query {
    pub origin: AccountId,
    pub value: Balance,
    pub output: Option<String>,
    pub at: Option<H256>,
    pub gas_limit: Option<u64>,
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

/// Sign `call`, submit it, wait for finalization and print its outcome and events; fails
/// when the call failed on chain.
async fn submit(
    wallet: &RpcWallet,
    kp: &Keypair,
    call: ContractsCall,
    tx: &TxArgs,
) -> anyhow::Result<Vec<RuntimeEvent>> {
    let tip = caes(&tx.tip, "--tip")?;
    let call = hm_runtime::Call::Contracts(call);
    let xt = wallet
        .sign_with_context(kp, call, tip, tx.mortality)
        .await?;
    let outcome = wallet.submit_and_watch_outcome(&xt).await?;
    let events = decode_events(&outcome.events)?;
    println!("{}", outcome.report());
    for event in &events {
        println!("Event: {}", describe(event));
    }
    outcome.ensure_success()?;
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
        Some(e) => bail!(
            "the upload would fail: {}; nothing was submitted",
            error_line(e)
        ),
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

pub(crate) async fn upload(wasm: PathBuf, limits: Limits, tx: TxArgs) -> anyhow::Result<()> {
    let code = read_wasm(&wasm)?;
    let kp = hm_wallet::signer(&tx.from, "--from")?;
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

pub(crate) async fn instantiate(deploy: Deploy, limits: Limits, tx: TxArgs) -> anyhow::Result<()> {
    let kp = hm_wallet::signer(&tx.from, "--from")?;
    let wallet = RpcWallet::connect(&tx.rpc.rpc_url).await?;
    let code_hash = match (deploy.code_hash, &deploy.wasm) {
        (Some(hash), _) => hash,
        (None, Some(path)) => ensure_uploaded(&wallet, &kp, read_wasm(path)?, &limits, &tx).await?,
        (None, None) => bail!("give --code-hash or --wasm"),
    };
    let storage_deposit_limit = limits.deposit_limit()?;
    let mut request = ContractInstantiateRequest {
        origin: kp.account_id().to_address(),
        value: deploy.value,
        gas_limit: limits.gas_limit,
        storage_deposit_limit,
        code_hash: code_hash.into(),
        data: HexString::from(deploy.input.as_slice()),
        salt: Some(HexString::from(deploy.salt.as_slice())),
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
        value: deploy.value,
        gas_limit: gas,
        storage_deposit_limit,
        input: deploy.input,
        salt: deploy.salt,
    };
    let events = submit(&wallet, &kp, call, &tx).await?;
    let contract = instantiated(&events, &kp.account_id())
        .ok_or_else(|| anyhow!("the extrinsic succeeded but reported no Instantiated event"))?;
    println!("Contract: {contract}");
    Ok(())
}

pub(crate) async fn call(
    message: MessageArgs,
    value: Balance,
    output: Option<String>,
    limits: Limits,
    tx: TxArgs,
) -> anyhow::Result<()> {
    let dest = hm_wallet::account(&message.contract, "--contract")?;
    let input = message.input()?;
    let kp = hm_wallet::signer(&tx.from, "--from")?;
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
    Ok(())
}

pub(crate) async fn query(message: MessageArgs, q: Query, rpc: RpcTarget) -> anyhow::Result<()> {
    let dest = hm_wallet::account(&message.contract, "--contract")?;
    let input = message.input()?;
    let wallet = RpcWallet::connect(&rpc.rpc_url).await?;
    let request = ContractCallRequest {
        origin: q.origin.to_address(),
        dest: dest.to_address(),
        value: q.value,
        gas_limit: q.gas_limit,
        storage_deposit_limit: None,
        input_data: HexString::from(input.as_slice()),
    };
    let dry = wallet
        .client()
        .call(request, q.at.map(HexString::from))
        .await?;
    for event in &dry.events {
        println!("Dry-run event: {}", serde_json::to_string(event)?);
    }
    report_dry_run(&dry, q.output.as_deref())
}
