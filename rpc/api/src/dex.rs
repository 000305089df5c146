//! `dex_*`: constant-product pools. An asset is `"CAES"` or a token id (a number, or a
//! string of digits); amounts are decimal strings in the asset's smallest unit.
use crate::hex::{u128_string, HexString};
use jsonrpsee::core::RpcResult;
use jsonrpsee::proc_macros::rpc;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A pool of `asset0 < asset1`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PoolInfo {
    pub asset0: Value,
    pub asset1: Value,
    /// The pool's account (holds the reserves; nobody can sign for it).
    pub account: String,
    /// Token id of the pool's liquidity shares.
    pub lp_token: u32,
    #[serde(with = "u128_string")]
    pub reserve0: u128,
    #[serde(with = "u128_string")]
    pub reserve1: u128,
    #[serde(with = "u128_string")]
    pub lp_supply: u128,
    /// Block of the pool's last change.
    pub last_block: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PoolPage {
    pub pools: Vec<PoolInfo>,
    /// Pass as `start` for the next page; `null` after the last.
    pub next: Option<u32>,
}

/// What a swap along `path` would take and pay at the queried state (protocol fee
/// included): `swap_exact_in` pays exactly `amountOut` for `amountIn`, and
/// `swap_exact_out` charges exactly `amountIn` for `amountOut`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SwapQuote {
    pub path: Vec<Value>,
    #[serde(with = "u128_string")]
    pub amount_in: u128,
    #[serde(with = "u128_string")]
    pub amount_out: u128,
}

/// The time-weighted average prices of a pool between two blocks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Twap {
    pub asset0: Value,
    pub asset1: Value,
    pub from_block: u64,
    pub to_block: u64,
    /// Average units of `asset1` per unit of `asset0`, as a decimal with 18 digits after
    /// the point.
    pub price0: String,
    /// Average units of `asset0` per unit of `asset1`, likewise.
    pub price1: String,
    /// The same averages as UQ112x112 (Uniswap v2's fixed point), `0x`-hex.
    pub price0_uq112x112: String,
    pub price1_uq112x112: String,
}

#[rpc(client, server)]
pub trait DexApi {
    /// The pool of two assets (either order) at block `at` (best when omitted); `null`
    /// when there is none.
    #[method(name = "dex_getPool", blocking)]
    fn get_pool(
        &self,
        asset0: Value,
        asset1: Value,
        at: Option<HexString>,
    ) -> RpcResult<Option<PoolInfo>>;

    /// Pools in creation order from `start` (0 when omitted), at most `count` (at most 100).
    #[method(name = "dex_listPools", blocking)]
    fn list_pools(
        &self,
        start: Option<u32>,
        count: Option<u32>,
        at: Option<HexString>,
    ) -> RpcResult<PoolPage>;

    /// What `swap_exact_in` of `amount_in` along `path` (2 to 5 assets) would pay.
    #[method(name = "dex_quoteExactIn", blocking)]
    fn quote_exact_in(
        &self,
        path: Vec<Value>,
        amount_in: Value,
        at: Option<HexString>,
    ) -> RpcResult<SwapQuote>;

    /// What `swap_exact_out` of `amount_out` along `path` would charge.
    #[method(name = "dex_quoteExactOut", blocking)]
    fn quote_exact_out(
        &self,
        path: Vec<Value>,
        amount_out: Value,
        at: Option<HexString>,
    ) -> RpcResult<SwapQuote>;

    /// The average prices of a pool from block `from_block` to `at` (best when
    /// omitted), from its cumulative price accumulators; `from_block` must still be
    /// held (see `--state-pruning`).
    #[method(name = "dex_twap", blocking)]
    fn twap(
        &self,
        asset0: Value,
        asset1: Value,
        from_block: u64,
        at: Option<HexString>,
    ) -> RpcResult<Twap>;
}
