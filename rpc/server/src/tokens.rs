//! `tokens_*`: the multi-token registry, read through the runtime's `TokensApi`.
use crate::errors::{address_param, invalid_param};
use crate::runtime_api::{at_param, RuntimeApiRpc};
use hm_pallet_tokens::runtime_api as tokens_api;
use hm_pallet_tokens::{TokenAccount, TokenDetails, TokenId, TokenMetadata, TokenStatus};
use hm_primitives::AccountId;
use hm_rpc_api::{HexString, TokenBalance, TokenInfo, TokenPage, TokensApiServer};
use jsonrpsee::core::RpcResult;

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
        let (tokens, next): Page =
            self.call(tokens_api::LIST, (start.unwrap_or(0), count), at_param(at)?)?;
        Ok(TokenPage {
            tokens: tokens
                .into_iter()
                .map(|(id, details, metadata)| token_info(id, details, metadata))
                .collect(),
            next,
        })
    }
}
