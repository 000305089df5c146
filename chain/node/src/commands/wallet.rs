//! `hypermesh tx ...` and `hypermesh query ...`: wallet commands over RPC.
//!
//! A transfer is checked against the sender's balance and the fee before it is signed,
//! and after finality its outcome is read from the block's events: the command exits
//! non-zero when the call failed, naming the error and the fee that was still paid.
use crate::cli::{QueryCommand, TxCommand};
use hm_primitives::format_caes;
use hm_wallet::parse_amount;
use hm_wallet::RpcWallet;

pub fn tx(cmd: TxCommand) -> anyhow::Result<()> {
    match cmd {
        TxCommand::Call(args) => super::call::run(args),
        TxCommand::Transfer {
            from,
            to,
            amount,
            tip,
            keep_alive,
            mortality,
            rpc,
        } => {
            let kp = hm_wallet::signer(&from, "--from")?;
            let dest = hm_wallet::account(&to, "--to")?;
            let value = parse_amount(&amount, "--amount")?;
            let tip = parse_amount(&tip, "--tip")?;
            hm_wallet::block_on(async {
                let wallet = RpcWallet::connect(&rpc.rpc_url).await?;
                let call = hm_wallet::transfer_call(dest, value, keep_alive);
                let xt = wallet
                    .sign_with_context(&kp, call.clone(), tip, mortality)
                    .await?;
                let check = wallet
                    .check_transfer(&kp.account_id(), &dest, &call, xt.len(), tip)
                    .await?;
                hm_wallet::ensure_transfer_possible(&check, value, keep_alive)?;
                println!(
                    "Sending {} CAES from {} to {} (fee about {} CAES)",
                    format_caes(value),
                    kp.account_id(),
                    dest,
                    format_caes(check.fee)
                );
                let outcome = wallet.submit_and_watch_outcome(&xt).await?;
                println!("{}", outcome.report());
                outcome.ensure_success()?;
                Ok(())
            })
        }
    }
}

pub fn query(cmd: QueryCommand) -> anyhow::Result<()> {
    match cmd {
        QueryCommand::Balance { account, rpc } => {
            let who = hm_wallet::account(&account, "account")?;
            hm_wallet::block_on(async {
                let wallet = RpcWallet::connect(&rpc.rpc_url).await?;
                let b = wallet.balance(&who).await?;
                println!("Address:  {who}");
                println!("Free:     {} CAES", format_caes(b.free));
                println!("Reserved: {} CAES", format_caes(b.reserved));
                println!(
                    "Locked:   {} CAES (of the free balance)",
                    format_caes(b.locked)
                );
                println!("Nonce:    {}", b.nonce);
                Ok(())
            })
        }
    }
}
