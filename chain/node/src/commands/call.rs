//! `hypermesh tx call <Pallet> <call> --arg NAME=VALUE …`: any call of the
//! runtime, built from the node's metadata, signed, dry-run (a call that would fail is
//! refused before it costs a fee), submitted, and reported with its outcome and the
//! events it caused.
use crate::cli::CallArgs;
use anyhow::bail;
use hm_primitives::parse_caes;
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

pub fn run(req: CallArgs) -> anyhow::Result<()> {
    let kp = hm_wallet::signer(&req.from, "--from")?;
    let args = split_args(&req.args)?;
    let tip = parse_caes(&req.tip).map_err(|e| anyhow::anyhow!("--tip `{}`: {e}", req.tip))?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let wallet = RpcWallet::connect(&req.rpc.rpc_url).await?;
        let metadata = wallet.metadata().await?;
        let account = |spec: &str| hm_wallet::account(spec, "--arg");
        let mut call = metadata.encode_call(&req.pallet, &req.call, &args, &account)?;
        if req.root {
            let mut wrapped = vec![ROOT_CALL_INDEX];
            wrapped.extend_from_slice(&call.0);
            call = EncodedCall(wrapped);
        }
        println!(
            "Submitting {}::{}{} from {}",
            req.pallet,
            req.call,
            if req.root { " as root" } else { "" },
            kp.account_id()
        );
        let xt = wallet
            .sign_with_context(&kp, call, tip, req.mortality)
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
