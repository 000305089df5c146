//! `tokens_*`: the multi-token registry. Amounts are decimal strings (they overflow
//! JSON numbers); names and symbols are UTF-8 when they decode as such, else `0x`-hex.
use crate::hex::{u128_string, HexString};
use jsonrpsee::core::RpcResult;
use jsonrpsee::proc_macros::rpc;
use serde::{Deserialize, Serialize};

/// A token: roles, supply, status and metadata.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenInfo {
    pub id: u32,
    pub owner: String,
    pub issuer: String,
    pub admin: String,
    pub freezer: String,
    #[serde(with = "u128_string")]
    pub supply: u128,
    #[serde(with = "u128_string")]
    pub min_balance: u128,
    pub accounts: u32,
    pub approvals: u32,
    /// `"live"`, `"frozen"` or `"destroying"`.
    pub status: String,
    /// `null` until the owner sets metadata.
    pub name: Option<String>,
    pub symbol: Option<String>,
    pub decimals: Option<u8>,
}

/// One account's holding of a token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenBalance {
    pub token: u32,
    pub address: String,
    #[serde(with = "u128_string")]
    pub balance: u128,
    pub frozen: bool,
}

/// A page of `tokens_list`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenPage {
    pub tokens: Vec<TokenInfo>,
    /// Pass as `start` for the next page; `null` after the last.
    pub next: Option<u32>,
}

#[rpc(client, server)]
pub trait TokensApi {
    /// A token's details and metadata at block `at` (best when omitted); `null` when
    /// no token has this id.
    #[method(name = "tokens_metadata", blocking)]
    fn metadata(&self, token: u32, at: Option<HexString>) -> RpcResult<Option<TokenInfo>>;

    /// `address`'s balance of `token` (0 when it holds none).
    #[method(name = "tokens_balance", blocking)]
    fn balance(
        &self,
        token: u32,
        address: String,
        at: Option<HexString>,
    ) -> RpcResult<TokenBalance>;

    /// Tokens from id `start` (0 when omitted), at most `count` (at most 100).
    #[method(name = "tokens_list", blocking)]
    fn list(
        &self,
        start: Option<u32>,
        count: Option<u32>,
        at: Option<HexString>,
    ) -> RpcResult<TokenPage>;
}
