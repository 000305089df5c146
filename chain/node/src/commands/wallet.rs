//! `hypermesh tx ...` and `hypermesh query ...`: wallet commands over RPC.
use crate::cli::{QueryCommand, TxCommand};
use anyhow::Context;
use hm_crypto::{KeyFile, Keypair};
use hm_primitives::{format_caes, parse_caes, AccountId};
use hm_wallet::RpcWallet;
use std::path::Path;

fn load_key(spec: &str) -> anyhow::Result<Keypair> {
    if let Some(kp) = hm_crypto::dev_keypair(spec) {
        return Ok(kp);
    }
    if Path::new(spec).exists() {
        return Ok(KeyFile::load(Path::new(spec))?);
    }
    anyhow::bail!("--from `{spec}` is neither a key file nor a dev key name (//Alice, //Bob, ...)")
}

fn address(s: &str, what: &str) -> anyhow::Result<AccountId> {
    AccountId::from_address(s).map_err(|e| anyhow::anyhow!("{what} `{s}`: {e}"))
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

pub fn tx(cmd: TxCommand) -> anyhow::Result<()> {
    match cmd {
        TxCommand::Transfer {
            from,
            to,
            amount,
            tip,
            keep_alive,
            mortality,
            rpc,
        } => {
            let kp = load_key(&from)?;
            let dest = address(&to, "--to")?;
            let value =
                parse_caes(&amount).map_err(|e| anyhow::anyhow!("--amount `{amount}`: {e}"))?;
            let tip = parse_caes(&tip).map_err(|e| anyhow::anyhow!("--tip `{tip}`: {e}"))?;
            runtime()?.block_on(async {
                let wallet = RpcWallet::connect(&rpc.rpc_url).await?;
                let call = hm_wallet::transfer_call(dest, value, keep_alive);
                let xt = wallet.sign_with_context(&kp, call, tip, mortality).await?;
                println!(
                    "Sending {} CAES from {} to {}",
                    format_caes(value),
                    kp.account_id(),
                    dest
                );
                let done = wallet
                    .submit_and_wait(&xt)
                    .await
                    .context("transfer failed")?;
                println!("Extrinsic {:?}", done.extrinsic_hash);
                println!(
                    "Finalized in block #{} ({:?})",
                    done.block_number, done.block_hash
                );
                Ok(())
            })
        }
    }
}

pub fn query(cmd: QueryCommand) -> anyhow::Result<()> {
    match cmd {
        QueryCommand::Balance { address: a, rpc } => {
            let who = address(&a, "address")?;
            runtime()?.block_on(async {
                let wallet = RpcWallet::connect(&rpc.rpc_url).await?;
                let b = wallet.balance(&who).await?;
                println!("Address:  {who}");
                println!("Free:     {} CAES", format_caes(b.free));
                println!("Reserved: {} CAES", format_caes(b.reserved));
                println!("Nonce:    {}", b.nonce);
                Ok(())
            })
        }
    }
}
