//! `tokens_*` and `state_call`: typed and raw runtime API queries, answered by the
//! runtime over a block's state (`RuntimeApiProvider`).
use crate::errors::{address_param, hash_param, hex_param, invalid_param, state_error};
use hm_client_api::{ClientError, RuntimeApiProvider};
use hm_pallet_tokens::runtime_api as tokens_api;
use hm_pallet_tokens::{TokenAccount, TokenDetails, TokenId, TokenMetadata, TokenStatus};
use hm_primitives::{AccountId, H256};
use hm_rpc_api::{HexString, TokenBalance, TokenInfo, TokenPage, TokensApiServer};
use jsonrpsee::core::RpcResult;
use jsonrpsee::types::{ErrorObject, ErrorObjectOwned};
use parity_scale_codec::{Decode, Encode};
use std::sync::Arc;

pub struct RuntimeApiRpc {
    pub runtime_api: Arc<dyn RuntimeApiProvider>,
}

fn at_param(at: Option<HexString>) -> RpcResult<Option<H256>> {
    at.map(|h| hash_param("at", &h)).transpose()
}

fn query_error(e: &ClientError) -> ErrorObjectOwned {
    match e {
        ClientError::BadQuery(why) => ErrorObject::owned(
            hm_rpc_api::error_codes::INVALID_PARAMS,
            why.clone(),
            None::<()>,
        ),
        other => state_error(other),
    }
}

/// The raw call, as `state_call` makes it.
fn raw_call(
    runtime_api: &dyn RuntimeApiProvider,
    method: &str,
    data: &[u8],
    at: Option<H256>,
) -> RpcResult<Vec<u8>> {
    runtime_api
        .call(method, data, at)
        .map_err(|e| query_error(&e))
}

impl RuntimeApiRpc {
    /// A typed call: encode `args`, decode the answer as `R`.
    fn call<R: Decode>(&self, method: &str, args: impl Encode, at: Option<H256>) -> RpcResult<R> {
        let bytes = raw_call(&*self.runtime_api, method, &args.encode(), at)?;
        R::decode(&mut &bytes[..]).map_err(|e| {
            state_error(&ClientError::Execution(format!(
                "the runtime's answer to {method} does not decode: {e}"
            )))
        })
    }
}

/// Bytes as text when they are UTF-8, else `0x`-hex.
fn text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => format!("0x{}", hex::encode(bytes)),
    }
}

fn token_info(id: TokenId, d: TokenDetails, metadata: Option<TokenMetadata>) -> TokenInfo {
    TokenInfo {
        id,
        owner: d.owner.to_address(),
        issuer: d.issuer.to_address(),
        admin: d.admin.to_address(),
        freezer: d.freezer.to_address(),
        supply: d.supply,
        min_balance: d.min_balance,
        accounts: d.accounts,
        approvals: d.approvals,
        status: match d.status {
            TokenStatus::Live => "live",
            TokenStatus::Frozen => "frozen",
            TokenStatus::Destroying => "destroying",
        }
        .to_owned(),
        name: metadata.as_ref().map(|m| text(&m.name)),
        symbol: metadata.as_ref().map(|m| text(&m.symbol)),
        decimals: metadata.map(|m| m.decimals),
    }
}

impl TokensApiServer for RuntimeApiRpc {
    fn metadata(&self, token: u32, at: Option<HexString>) -> RpcResult<Option<TokenInfo>> {
        let found: Option<(TokenDetails, Option<TokenMetadata>)> =
            self.call(tokens_api::TOKEN, token, at_param(at)?)?;
        Ok(found.map(|(details, metadata)| token_info(token, details, metadata)))
    }

    fn balance(
        &self,
        token: u32,
        address: String,
        at: Option<HexString>,
    ) -> RpcResult<TokenBalance> {
        let who: AccountId = address_param("address", &address)?;
        let account: Option<TokenAccount> =
            self.call(tokens_api::ACCOUNT, (token, who), at_param(at)?)?;
        Ok(TokenBalance {
            token,
            address: who.to_address(),
            balance: account.map_or(0, |a| a.balance),
            frozen: account.is_some_and(|a| a.frozen),
        })
    }

    fn list(
        &self,
        start: Option<u32>,
        count: Option<u32>,
        at: Option<HexString>,
    ) -> RpcResult<TokenPage> {
        let count = count.unwrap_or(tokens_api::MAX_PAGE);
        if count == 0 || count > tokens_api::MAX_PAGE {
            return Err(invalid_param(
                "count",
                format!("{count}: between 1 and {}", tokens_api::MAX_PAGE),
            ));
        }
        type Page = (
            Vec<(TokenId, TokenDetails, Option<TokenMetadata>)>,
            Option<TokenId>,
        );
        let (tokens, next): Page = self.call(
            tokens_api::LIST,
            (start.unwrap_or(0), count),
            at_param(at)?,
        )?;
        Ok(TokenPage {
            tokens: tokens
                .into_iter()
                .map(|(id, details, metadata)| token_info(id, details, metadata))
                .collect(),
            next,
        })
    }
}

/// `state_call`: hex arguments in, SCALE result out.
pub fn state_call(
    runtime_api: &dyn RuntimeApiProvider,
    method: &str,
    data: &HexString,
    at: Option<HexString>,
) -> RpcResult<Vec<u8>> {
    let data = hex_param("data", data)?;
    raw_call(runtime_api, method, &data, at_param(at)?)
}
