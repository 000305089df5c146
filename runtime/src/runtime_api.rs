//! Runtime APIs: read-only queries the node answers from a block's state through
//! the runtime, by name, with SCALE arguments and results (Substrate's `state_call`).
//! The RPC's typed methods (`tokens_*`) are built on them, so a pallet's queries
//! need no new method on the node's chain API, and the answers come from the same
//! code that executes blocks.
//!
//! Each query is bounded: list queries cap their page, and arguments are decoded
//! with a length and depth limit.
use alloc::vec::Vec;
use hm_pallet_dex as dex;
use hm_pallet_tokens as tokens;
use hm_primitives::{AccountId, Balance};
use hm_support::Externalities;
use parity_scale_codec::{Decode, DecodeLimit, Encode};

/// Why a runtime API call was refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RuntimeApiError {
    /// No API of that name; the names are [`RUNTIME_APIS`].
    UnknownMethod,
    /// The arguments do not decode as the method's; the text names what it takes.
    BadArguments(&'static str),
}

/// Longest argument encoding any API takes.
pub const MAX_API_ARGS_BYTES: usize = 4 * 1024;
/// Ids one tokens list page scans (destroyed tokens leave gaps).
const MAX_LIST_SCAN: u32 = 10 * tokens::runtime_api::MAX_PAGE;

/// Every API name (each pallet's `runtime_api` module documents its own), for
/// error messages and discovery.
pub const RUNTIME_APIS: &[&str] = &[
    tokens::runtime_api::TOKEN,
    tokens::runtime_api::ACCOUNT,
    tokens::runtime_api::LIST,
    dex::runtime_api::POOL,
    dex::runtime_api::POOLS,
    dex::runtime_api::QUOTE_EXACT_IN,
    dex::runtime_api::QUOTE_EXACT_OUT,
    dex::runtime_api::OBSERVE,
    dex::runtime_api::PROTOCOL_FEE,
];

fn args<T: Decode>(bytes: &[u8], takes: &'static str) -> Result<T, RuntimeApiError> {
    if bytes.len() > MAX_API_ARGS_BYTES {
        return Err(RuntimeApiError::BadArguments(takes));
    }
    T::decode_all_with_depth_limit(hm_primitives::DECODE_DEPTH_LIMIT, &mut &bytes[..])
        .map_err(|_| RuntimeApiError::BadArguments(takes))
}

/// Run API `method` with SCALE `arguments` over `ext`; the SCALE result.
pub fn call_runtime_api(
    ext: &dyn Externalities,
    method: &str,
    arguments: &[u8],
) -> Result<Vec<u8>, RuntimeApiError> {
    use tokens::runtime_api as tokens_api;
    match method {
        tokens_api::TOKEN => {
            let id: tokens::TokenId = args(arguments, "a token id (u32)")?;
            let token = tokens::details(ext, id).map(|d| (d, tokens::metadata(ext, id)));
            Ok(token.encode())
        }
        tokens_api::ACCOUNT => {
            let (id, who): (tokens::TokenId, AccountId) =
                args(arguments, "(token id: u32, account: [u8; 32])")?;
            Ok(tokens::token_account(ext, id, &who).encode())
        }
        tokens_api::LIST => {
            let (start, count): (tokens::TokenId, u32) =
                args(arguments, "(start: u32, count: u32)")?;
            Ok(tokens_page(ext, start, count).encode())
        }
        _ => dex_api(ext, method, arguments),
    }
}

/// An error as its message, for answers that carry one.
fn message(e: dex::Error) -> Vec<u8> {
    e.message().as_bytes().to_vec()
}

fn dex_api(
    ext: &dyn Externalities,
    method: &str,
    arguments: &[u8],
) -> Result<Vec<u8>, RuntimeApiError> {
    use dex::runtime_api as dex_api;
    const PAIR: &str = "(AssetKind, AssetKind)";
    const PATH: &str = "(path: Vec<AssetKind>, amount: u128)";
    match method {
        dex_api::POOL => {
            let (a, b): (dex::AssetKind, dex::AssetKind) = args(arguments, PAIR)?;
            let pool = dex::sort_assets(a, b)
                .ok()
                .and_then(|(a0, a1)| dex::pool(ext, a0, a1).map(|p| (a0, a1, p)));
            Ok(pool.encode())
        }
        dex_api::POOLS => {
            let (start, count): (u32, u32) = args(arguments, "(start: u32, count: u32)")?;
            let count = count.min(dex_api::MAX_PAGE);
            let page = dex::pools(ext, start, count);
            let after = start.saturating_add(page.len() as u32);
            let next = (after < dex::pool_count(ext)).then_some(after);
            Ok((page, next).encode())
        }
        dex_api::QUOTE_EXACT_IN | dex_api::QUOTE_EXACT_OUT => {
            let (path, amount): (Vec<dex::AssetKind>, Balance) = args(arguments, PATH)?;
            if path.len() > dex::MAX_PATH_LEN as usize {
                return Err(RuntimeApiError::BadArguments("a path of at most 5 assets"));
            }
            let quote = if method == dex_api::QUOTE_EXACT_IN {
                dex::quote_exact_in(ext, &path, amount)
            } else {
                dex::quote_exact_out(ext, &path, amount)
            };
            Ok(quote.map_err(message).encode())
        }
        dex_api::OBSERVE => {
            let (a, b): (dex::AssetKind, dex::AssetKind) = args(arguments, PAIR)?;
            let observation = dex::observe(ext, a, b)
                .map(|o| (o.block, o.price0_cumulative.0, o.price1_cumulative.0))
                .map_err(message);
            Ok(observation.encode())
        }
        dex_api::PROTOCOL_FEE => {
            let () = args(arguments, "nothing")?;
            Ok(dex::protocol_fee_bps(ext).encode())
        }
        _ => Err(RuntimeApiError::UnknownMethod),
    }
}

type TokenEntry = (
    tokens::TokenId,
    tokens::TokenDetails,
    Option<tokens::TokenMetadata>,
);

fn tokens_page(
    ext: &dyn Externalities,
    start: tokens::TokenId,
    count: u32,
) -> (Vec<TokenEntry>, Option<tokens::TokenId>) {
    let count = count.min(tokens::runtime_api::MAX_PAGE);
    let end = tokens::next_token_id(ext);
    let scan_end = start.saturating_add(MAX_LIST_SCAN).min(end);
    let mut page = Vec::new();
    let mut id = start;
    while id < scan_end && (page.len() as u32) < count {
        if let Some(details) = tokens::details(ext, id) {
            page.push((id, details, tokens::metadata(ext, id)));
        }
        id += 1;
    }
    (page, (id < end).then_some(id))
}
