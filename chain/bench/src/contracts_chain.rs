//! Chain access for `hypermesh-bench contracts`: token calls signed up front, the token
//! deployed and checked on chain, and what an extrinsic was charged (its outcome from
//! `chain_getEvents`), all over the node's generic RPC through `hm-contract-client`.
use crate::load::{Prepared, TxContext};
use anyhow::{Context, Result};
use hm_contract_client::calls;
use hm_crypto::Keypair;
use hm_primitives::{AccountId, Nonce};
use hm_rpc_api::HexString;
use hm_runtime::pallet_contracts as contracts;
use hm_runtime::Call;
use hm_wallet::{RpcWallet, TxOutcome, TxParams};
use parity_scale_codec::Encode;
use rayon::prelude::*;

pub(crate) fn token_transfer(token: AccountId, to: AccountId, value: u128, gas_limit: u64) -> Call {
    calls::call(
        token,
        gas_limit,
        calls::message("transfer", &(to, value).encode()),
    )
}

/// Sign `(sender, nonce, call)` triples on every core, keeping their order.
pub(crate) fn sign_calls(calls: Vec<(&Keypair, Nonce, Call)>, ctx: &TxContext) -> Vec<Prepared> {
    calls
        .into_par_iter()
        .map(|(kp, nonce, call)| {
            let params = TxParams {
                genesis_hash: ctx.genesis_hash,
                spec_version: ctx.spec_version,
                nonce,
                tip: 0,
                valid_until: ctx.valid_until,
            };
            let bytes = hm_wallet::sign(kp, call, &params);
            Prepared {
                hash: hm_primitives::blake3_256(&bytes),
                hex: HexString::from(bytes),
            }
        })
        .collect()
}

pub(crate) async fn context(wallet: &RpcWallet, mortality: u64) -> Result<TxContext> {
    let ctx = wallet.chain_context().await?;
    Ok(TxContext {
        genesis_hash: ctx.genesis_hash,
        spec_version: ctx.spec_version,
        valid_until: ctx.best_number.saturating_add(mortality.max(1)),
    })
}

pub(crate) async fn token_balance(
    wallet: &RpcWallet,
    token: &AccountId,
    who: &AccountId,
) -> Result<u128> {
    let key = [b"b".as_slice(), &who.0].concat();
    let held = wallet
        .decoded_storage(&hm_runtime::contracts_storage_key(token, &key), None)
        .await
        .context("a token balance")?;
    Ok(held.unwrap_or(0))
}

pub(crate) async fn nonces(wallet: &RpcWallet, keys: &[Keypair]) -> Result<Vec<Nonce>> {
    let mut out = Vec::with_capacity(keys.len());
    for kp in keys {
        out.push(wallet.next_nonce(&kp.account_id()).await?);
    }
    Ok(out)
}

/// Submit `call` as `who` and wait for finality; fails, naming the error, when the call
/// failed. The outcome carries the weight charged and the fee paid.
pub(crate) async fn submit_checked(
    wallet: &RpcWallet,
    who: &Keypair,
    call: Call,
    mortality: u64,
    what: &str,
) -> Result<TxOutcome> {
    let xt = wallet.sign_with_context(who, call, 0, mortality).await?;
    let outcome = wallet
        .submit_and_watch_outcome(&xt)
        .await
        .context(what.to_owned())?;
    outcome.ensure_success().context(what.to_owned())
}

/// Upload the token (unless that code is stored already) and instantiate it with a
/// fresh salt as `deployer`, minting `supply` to the deployer.
pub(crate) async fn deploy_token(
    wallet: &RpcWallet,
    deployer: &Keypair,
    code: &[u8],
    supply: u128,
    mortality: u64,
) -> Result<AccountId> {
    let code_hash = hm_primitives::blake3_256(code);
    let info_key = contracts::storage::code_info(&code_hash);
    if wallet.storage(&info_key, None).await?.is_none() {
        let upload = calls::upload(code.to_vec());
        submit_checked(wallet, deployer, upload, mortality, "uploading the token").await?;
    }
    // A salt of this run's start time: an attached node may hold earlier runs' tokens.
    let salt = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_nanos()
        .to_le_bytes()
        .to_vec();
    let instantiate = calls::instantiate(code_hash, 50_000_000, supply.encode(), salt.clone());
    submit_checked(
        wallet,
        deployer,
        instantiate,
        mortality,
        "instantiating the token",
    )
    .await?;
    Ok(hm_runtime::contract_address(
        &deployer.account_id(),
        &code_hash,
        &salt,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_transfer_is_the_sdk_encoding() {
        let to = AccountId([7; 32]);
        let Call::Contracts(contracts::Call::Call {
            input, gas_limit, ..
        }) = token_transfer(AccountId([1; 32]), to, 5, 9)
        else {
            panic!("not a contract call");
        };
        assert_eq!(gas_limit, 9);
        assert_eq!(&input[..4], &hm_primitives::blake3_256(b"transfer").0[..4]);
        assert_eq!(&input[4..36], &to.0);
        assert_eq!(input[36..], 5u128.to_le_bytes());
    }
}
