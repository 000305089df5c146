//! `hypermesh tx call <Pallet> <call> --arg NAME=VALUE …`: any call of the
//! runtime, built from the node's metadata, signed, dry-run (a call that would fail is
//! refused before it costs a fee), submitted, and reported with its outcome and the
//! events it caused. [`submit`] is the same flow for a call built another way (the
//! `token` and `dex` commands).
use crate::cli::CallArgs;
use anyhow::bail;
use hm_primitives::{parse_caes, Balance};
use hm_wallet::{EncodedCall, RpcWallet};

/// The runtime's root wrapper: `Call::Root(Box<Call>)` is variant 255 of the outer call.
const ROOT_CALL_INDEX: u8 = 255;

fn split_args(args: &[String]) -> anyhow::Result<Vec<(String, String)>> {
    args.iter()
        .map(|a| match a.split_once('=') {
            Some((name, value)) if !name.is_empty() => Ok((name.to_owned(), value.to_owned())),
            _ => bail!("--arg `{a}`: expected NAME=VALUE"),
        })
        .collect()
}

/// How a built call is signed and sent.
pub struct Submission<'a> {
    /// Key file path or dev key name.
    pub from: &'a str,
    /// What is being done, for the first line printed (`Tokens::create`).
    pub label: String,
    pub tip: Balance,
    pub mortality: u64,
    pub no_dry_run: bool,
    pub rpc_url: &'a str,
}

/// Sign `call` (built by `build` from the node's metadata), dry-run it, submit it and
/// report its outcome and events; an error when it failed.
pub fn submit(
    req: Submission<'_>,
    build: impl FnOnce(&hm_wallet::Metadata) -> anyhow::Result<EncodedCall>,
) -> anyhow::Result<()> {
    let kp = hm_wallet::signer(req.from, "--from")?;
    hm_wallet::block_on(async {
        let wallet = RpcWallet::connect(req.rpc_url).await?;
        let metadata = wallet.metadata().await?;
        let call = build(&metadata)?;
        println!("Submitting {} from {}", req.label, kp.account_id());
        let xt = wallet
            .sign_with_context(&kp, call, req.tip, req.mortality)
            .await?;
        if !req.no_dry_run {
            wallet.ensure_dry_run_succeeds(&xt).await?;
        }
        let outcome = wallet.submit_and_watch_outcome(&xt).await?;
        println!("{}", outcome.report());
        for record in &outcome.events {
            match metadata.decode_event(&mut &record.data.0[..]) {
                Ok(event) => println!("  {event}"),
                Err(_) => println!("  {}::{}", record.pallet, record.event),
            }
        }
        outcome.ensure_success().map(drop)
    })
}

pub fn run(req: CallArgs) -> anyhow::Result<()> {
    let args = split_args(&req.args)?;
    let tip = parse_caes(&req.tip).map_err(|e| anyhow::anyhow!("--tip `{}`: {e}", req.tip))?;
    let submission = Submission {
        from: &req.from,
        label: format!(
            "{}::{}{}",
            req.pallet,
            req.call,
            if req.root { " as root" } else { "" }
        ),
        tip,
        mortality: req.mortality,
        no_dry_run: req.no_dry_run,
        rpc_url: &req.rpc.rpc_url,
    };
    submit(submission, |metadata| {
        let account = |spec: &str| hm_wallet::account(spec, "--arg");
        let call = metadata.encode_call(&req.pallet, &req.call, &args, &account)?;
        Ok(if req.root {
            let mut wrapped = vec![ROOT_CALL_INDEX];
            wrapped.extend_from_slice(&call.0);
            EncodedCall(wrapped)
        } else {
            call
        })
    })
}
