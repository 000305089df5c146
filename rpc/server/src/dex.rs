//! `dex_*`: pools, quotes and average prices, read through the runtime's `DexApi`.
use crate::errors::{invalid_param, state_error};
use crate::runtime_api::{at_param, RuntimeApiRpc};
use hm_client_api::ClientError;
use hm_pallet_dex::runtime_api as dex_api;
use hm_pallet_dex::{twap, AssetKind, Observation, Pool, U256};
use hm_primitives::{Balance, BlockNumber};
use hm_rpc_api::{error_codes, DexApiServer, HexString, PoolInfo, PoolPage, SwapQuote, Twap};
use jsonrpsee::core::RpcResult;
use jsonrpsee::types::ErrorObject;
use serde_json::{json, Value};

/// `"CAES"` (any case, or `"native"`), or a token id as a number or a string of digits.
fn asset_param(name: &str, v: &Value) -> RpcResult<AssetKind> {
    let bad = || invalid_param(name, format!("{v}: expected \"CAES\" or a token id"));
    match v {
        Value::String(s) if s.eq_ignore_ascii_case("caes") || s.eq_ignore_ascii_case("native") => {
            Ok(AssetKind::Native)
        }
        Value::String(s) => s.parse().map(AssetKind::Token).map_err(|_| bad()),
        Value::Number(n) => n
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .map(AssetKind::Token)
            .ok_or_else(bad),
        _ => Err(bad()),
    }
}

fn asset_json(asset: AssetKind) -> Value {
    match asset {
        AssetKind::Native => json!("CAES"),
        AssetKind::Token(id) => json!(id),
    }
}

/// An amount as a decimal string or a JSON number.
fn amount_param(name: &str, v: &Value) -> RpcResult<Balance> {
    let parsed = match v {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_u64().map(Balance::from),
        _ => None,
    };
    parsed.ok_or_else(|| invalid_param(name, format!("{v}: expected a decimal amount")))
}

fn path_param(path: &[Value]) -> RpcResult<Vec<AssetKind>> {
    if path.len() > hm_pallet_dex::MAX_PATH_LEN as usize {
        return Err(invalid_param(
            "path",
            format!(
                "{} assets; at most {}",
                path.len(),
                hm_pallet_dex::MAX_PATH_LEN
            ),
        ));
    }
    path.iter()
        .enumerate()
        .map(|(i, v)| asset_param(&format!("path[{i}]"), v))
        .collect()
}

fn refused(message: Vec<u8>) -> jsonrpsee::types::ErrorObjectOwned {
    ErrorObject::owned(
        error_codes::QUERY_REFUSED,
        String::from_utf8_lossy(&message).into_owned(),
        None::<()>,
    )
}

fn pool_info(asset0: AssetKind, asset1: AssetKind, pool: Pool) -> PoolInfo {
    PoolInfo {
        asset0: asset_json(asset0),
        asset1: asset_json(asset1),
        account: hm_pallet_dex::pool_account(&asset0, &asset1).to_address(),
        lp_token: pool.lp_token,
        reserve0: pool.reserve0,
        reserve1: pool.reserve1,
        lp_supply: pool.lp_supply,
        last_block: pool.last_block,
    }
}

/// A UQ112x112 price as a decimal with 18 digits after the point.
fn decimal(price: U256) -> String {
    let one = U256::one() << 112;
    let whole = price >> 112;
    let frac = ((price % one) * U256::exp10(18)) >> 112;
    format!("{whole}.{:018}", frac.low_u128())
}

type Observed = Result<(BlockNumber, [u64; 4], [u64; 4]), Vec<u8>>;

impl RuntimeApiRpc {
    fn quote(
        &self,
        method: &str,
        path: Vec<Value>,
        amount: (&str, Value),
        at: Option<HexString>,
    ) -> RpcResult<(Vec<AssetKind>, Balance, Balance)> {
        let assets = path_param(&path)?;
        let amount = amount_param(amount.0, &amount.1)?;
        let quote: Result<Balance, Vec<u8>> =
            self.call(method, (assets.clone(), amount), at_param(at)?)?;
        Ok((assets, amount, quote.map_err(refused)?))
    }

    fn observe(
        &self,
        pair: (AssetKind, AssetKind),
        at: Option<hm_primitives::H256>,
    ) -> RpcResult<Observation> {
        let observed: Observed = self.call(dex_api::OBSERVE, pair, at)?;
        let (block, p0, p1) = observed.map_err(refused)?;
        Ok(Observation {
            block,
            price0_cumulative: U256(p0),
            price1_cumulative: U256(p1),
        })
    }
}

impl DexApiServer for RuntimeApiRpc {
    fn get_pool(
        &self,
        asset0: Value,
        asset1: Value,
        at: Option<HexString>,
    ) -> RpcResult<Option<PoolInfo>> {
        let pair = (
            asset_param("asset0", &asset0)?,
            asset_param("asset1", &asset1)?,
        );
        let found: Option<(AssetKind, AssetKind, Pool)> =
            self.call(dex_api::POOL, pair, at_param(at)?)?;
        Ok(found.map(|(a0, a1, pool)| pool_info(a0, a1, pool)))
    }

    fn list_pools(
        &self,
        start: Option<u32>,
        count: Option<u32>,
        at: Option<HexString>,
    ) -> RpcResult<PoolPage> {
        let count = count.unwrap_or(dex_api::MAX_PAGE);
        if count == 0 || count > dex_api::MAX_PAGE {
            return Err(invalid_param(
                "count",
                format!("{count}: between 1 and {}", dex_api::MAX_PAGE),
            ));
        }
        let (pools, next): (Vec<(AssetKind, AssetKind, Pool)>, Option<u32>) =
            self.call(dex_api::POOLS, (start.unwrap_or(0), count), at_param(at)?)?;
        Ok(PoolPage {
            pools: pools
                .into_iter()
                .map(|(a0, a1, p)| pool_info(a0, a1, p))
                .collect(),
            next,
        })
    }

    fn quote_exact_in(
        &self,
        path: Vec<Value>,
        amount_in: Value,
        at: Option<HexString>,
    ) -> RpcResult<SwapQuote> {
        let (assets, amount_in, amount_out) =
            self.quote(dex_api::QUOTE_EXACT_IN, path, ("amount_in", amount_in), at)?;
        Ok(SwapQuote {
            path: assets.into_iter().map(asset_json).collect(),
            amount_in,
            amount_out,
        })
    }

    fn quote_exact_out(
        &self,
        path: Vec<Value>,
        amount_out: Value,
        at: Option<HexString>,
    ) -> RpcResult<SwapQuote> {
        let (assets, amount_out, amount_in) = self.quote(
            dex_api::QUOTE_EXACT_OUT,
            path,
            ("amount_out", amount_out),
            at,
        )?;
        Ok(SwapQuote {
            path: assets.into_iter().map(asset_json).collect(),
            amount_in,
            amount_out,
        })
    }

    fn twap(
        &self,
        asset0: Value,
        asset1: Value,
        from_block: u64,
        at: Option<HexString>,
    ) -> RpcResult<Twap> {
        let a = asset_param("asset0", &asset0)?;
        let b = asset_param("asset1", &asset1)?;
        let (a0, a1) =
            hm_pallet_dex::sort_assets(a, b).map_err(|e| invalid_param("asset1", e.message()))?;
        let from_hash = self
            .chain
            .block_hash(from_block)
            .map_err(|e| state_error(&e))?
            .ok_or_else(|| state_error(&ClientError::UnknownBlock(format!("#{from_block}"))))?;
        let older = self.observe((a0, a1), Some(from_hash))?;
        let newer = self.observe((a0, a1), at_param(at)?)?;
        let (price0, price1) = twap(&older, &newer).ok_or_else(|| {
            invalid_param(
                "from_block",
                format!(
                    "#{from_block}: the pool has no price history between it and block #{}",
                    newer.block
                ),
            )
        })?;
        Ok(Twap {
            asset0: asset_json(a0),
            asset1: asset_json(a1),
            from_block: older.block,
            to_block: newer.block,
            price0: decimal(price0),
            price1: decimal(price1),
            price0_uq112x112: format!("{price0:#x}"),
            price1_uq112x112: format!("{price1:#x}"),
        })
    }
}
