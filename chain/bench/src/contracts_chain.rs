//! Chain access for `hypermesh-bench contracts`: token calls signed up front, the token
//! deployed and checked on chain, and what an extrinsic was charged (read back from the
//! events of its block), all over the node's generic RPC.
use crate::load::{Prepared, TxContext};
use anyhow::{bail, Context};
use hm_crypto::Keypair;
use hm_pallet_system::{storage as system_storage, Event as SystemEvent};
use hm_primitives::{AccountId, Balance, Nonce, H256};
use hm_rpc_api::{ChainApiClient, HexString, StateApiClient};
use hm_runtime::pallet_contracts::{self as contracts, Call as ContractsCall};
use hm_runtime::{Call, RuntimeEvent};
use hm_wallet::{RpcWallet, TxParams};
use jsonrpsee::ws_client::WsClient;
use parity_scale_codec::{Decode, Encode};
use rayon::prelude::*;

pub(crate) fn selector(name: &str) -> Vec<u8> {
    hm_primitives::blake3_256(name.as_bytes()).0[..4].to_vec()
}

pub(crate) fn token_transfer(token: AccountId, to: AccountId, value: u128, gas_limit: u64) -> Call {
    let mut input = selector("transfer");
    input.extend_from_slice(&(to, value).encode());
    Call::Contracts(ContractsCall::Call {
        dest: token,
        value: 0,
        gas_limit,
        storage_deposit_limit: None,
        input,
    })
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

pub(crate) async fn context(wallet: &RpcWallet, mortality: u64) -> anyhow::Result<TxContext> {
    let ctx = wallet.chain_context().await?;
    Ok(TxContext {
        genesis_hash: ctx.genesis_hash,
        spec_version: ctx.spec_version,
        valid_until: ctx.best_number.saturating_add(mortality.max(1)),
    })
}

pub(crate) async fn storage(
    client: &WsClient,
    key: &[u8],
    at: Option<H256>,
) -> anyhow::Result<Option<Vec<u8>>> {
    let at = at.map(HexString::from);
    Ok(StateApiClient::storage(client, HexString::from(key), at)
        .await?
        .map(|b| b.0))
}

pub(crate) async fn token_balance(
    client: &WsClient,
    token: &AccountId,
    who: &AccountId,
) -> anyhow::Result<u128> {
    let mut key = b"b".to_vec();
    key.extend_from_slice(&who.0);
    let raw = storage(
        client,
        &hm_runtime::contracts_storage_key(token, &key),
        None,
    )
    .await?;
    match raw {
        None => Ok(0),
        Some(v) => u128::decode(&mut &v[..]).context("a token balance"),
    }
}

pub(crate) async fn nonces(wallet: &RpcWallet, keys: &[Keypair]) -> anyhow::Result<Vec<Nonce>> {
    let mut out = Vec::with_capacity(keys.len());
    for kp in keys {
        out.push(wallet.next_nonce(&kp.account_id()).await?);
    }
    Ok(out)
}

/// The weight charged for `xt`, finalized in `block`, and whether its call failed.
pub(crate) async fn applied_weight(
    client: &WsClient,
    block: H256,
    xt: &[u8],
) -> anyhow::Result<(u64, bool)> {
    let signed = ChainApiClient::block(client, Some(HexString::from(block)))
        .await?
        .context("the finalized block is unknown")?;
    let index = signed
        .block
        .extrinsics
        .iter()
        .position(|b| b.0 == xt)
        .context("the extrinsic is not in its block")? as u32;
    let count_key = system_storage::event_count();
    let count: u32 = match storage(client, &count_key, Some(block)).await? {
        Some(raw) => u32::decode(&mut &raw[..])?,
        None => 0,
    };
    for i in 0..count {
        let Some(raw) = storage(client, &system_storage::event(i), Some(block)).await? else {
            continue;
        };
        let record = hm_runtime::EventRecord::decode(&mut &raw[..])?;
        if record.phase != hm_runtime::Phase::ApplyExtrinsic(index) {
            continue;
        }
        match record.event {
            RuntimeEvent::System(SystemEvent::ExtrinsicSuccess { weight }) => {
                return Ok((weight, false))
            }
            RuntimeEvent::System(SystemEvent::ExtrinsicFailed { weight, .. }) => {
                return Ok((weight, true))
            }
            _ => {}
        }
    }
    bail!("no outcome event for the extrinsic in its block")
}

/// Submit `call` as `who` and wait for finality; fails when the call failed.
pub(crate) async fn submit_checked(
    wallet: &RpcWallet,
    who: &Keypair,
    call: Call,
    mortality: u64,
    what: &str,
) -> anyhow::Result<(u64, usize)> {
    let xt = wallet.sign_with_context(who, call, 0, mortality).await?;
    let finalized = wallet.submit_and_wait(&xt).await.context(what.to_owned())?;
    let (weight, failed) = applied_weight(wallet.client(), finalized.block_hash, &xt).await?;
    if failed {
        bail!("{what} failed on chain (ExtrinsicFailed); see the node's log");
    }
    Ok((weight, xt.len()))
}

/// Upload the token (unless that code is stored already) and instantiate it with a
/// fresh salt as `deployer`, minting `supply` to the deployer.
pub(crate) async fn deploy_token(
    wallet: &RpcWallet,
    deployer: &Keypair,
    code: &[u8],
    supply: u128,
    mortality: u64,
) -> anyhow::Result<AccountId> {
    let code_hash = hm_primitives::blake3_256(code);
    let info_key = contracts::storage::code_info(&code_hash);
    if storage(wallet.client(), &info_key, None).await?.is_none() {
        let upload = Call::Contracts(ContractsCall::UploadCode {
            code: code.to_vec(),
            storage_deposit_limit: None,
        });
        submit_checked(wallet, deployer, upload, mortality, "uploading the token").await?;
    }
    // A salt of this run's start time: an attached node may hold earlier runs' tokens.
    let salt = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_nanos()
        .to_le_bytes()
        .to_vec();
    let instantiate = Call::Contracts(ContractsCall::Instantiate {
        code_hash,
        value: 0,
        gas_limit: 50_000_000,
        storage_deposit_limit: None,
        input: supply.encode(),
        salt: salt.clone(),
    });
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

/// Fees of one transaction at the chain's current parameters.
pub(crate) async fn fee_of(client: &WsClient, len: usize, weight: u64) -> anyhow::Result<Balance> {
    let params: hm_runtime::Parameters =
        match storage(client, &system_storage::parameters(), None).await? {
            Some(raw) => Decode::decode(&mut &raw[..])?,
            None => Default::default(),
        };
    params.fees.fee(len, weight, 0).context("fee overflow")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_transfer_is_the_sdk_encoding() {
        let to = AccountId([7; 32]);
        let Call::Contracts(ContractsCall::Call {
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
