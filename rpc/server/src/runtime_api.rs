//! Runtime API queries over RPC: `state_call` raw, and the typed `tokens_*` and `dex_*`
//! methods (in `tokens.rs` and `dex.rs`), all answered by the runtime over a block's
//! state (`RuntimeApiProvider`).
use crate::errors::{hash_param, hex_param, state_error};
use hm_client_api::{ChainApi, ClientError, RuntimeApiProvider};
use hm_primitives::H256;
use hm_rpc_api::HexString;
use jsonrpsee::core::RpcResult;
use jsonrpsee::types::{ErrorObject, ErrorObjectOwned};
use parity_scale_codec::{Decode, Encode};
use std::sync::Arc;

#[derive(Clone)]
pub struct RuntimeApiRpc {
    pub runtime_api: Arc<dyn RuntimeApiProvider>,
    /// Block numbers to hashes (`dex_twap`'s starting block).
    pub chain: Arc<dyn ChainApi>,
}

pub(crate) fn at_param(at: Option<HexString>) -> RpcResult<Option<H256>> {
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
    pub(crate) fn call<R: Decode>(
        &self,
        method: &str,
        args: impl Encode,
        at: Option<H256>,
    ) -> RpcResult<R> {
        let bytes = raw_call(&*self.runtime_api, method, &args.encode(), at)?;
        R::decode(&mut &bytes[..]).map_err(|e| {
            state_error(&ClientError::Execution(format!(
                "the runtime's answer to {method} does not decode: {e}"
            )))
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
