//! `state_*` and `caesar_*`: reads of the state at a block.
use crate::errors::{address_param, hash_param, hex_param, invalid_param, state_error};
use hm_client_api::{ChainApi, ClientError, RuntimeApiProvider};
use hm_primitives::{BlockId, H256};
use hm_rpc_api::{
    error_codes, AccountBalance, Bytes, CaesarApiServer, HexString, ReadProof, RuntimeVersion,
    StateApiServer,
};
use jsonrpsee::core::RpcResult;
use jsonrpsee::types::ErrorObject;
use std::sync::Arc;

/// Keys one `state_getReadProof` call may ask for. Each costs a tree walk, and the
/// request body limit alone would allow hundreds of thousands.
pub const MAX_READ_PROOF_KEYS: usize = 1024;

pub struct StateRpc {
    pub chain: Arc<dyn ChainApi>,
    pub runtime_api: Arc<dyn RuntimeApiProvider>,
}

fn at_param(at: Option<HexString>) -> RpcResult<Option<H256>> {
    at.map(|h| hash_param("at", &h)).transpose()
}

impl StateApiServer for StateRpc {
    fn storage(&self, key: HexString, at: Option<HexString>) -> RpcResult<Option<Bytes>> {
        let key = hex_param("key", &key)?;
        let at = at_param(at)?;
        let value = self.chain.storage(&key, at).map_err(|e| state_error(&e))?;
        Ok(value.map(Bytes))
    }

    fn read_proof(&self, keys: Vec<HexString>, at: Option<HexString>) -> RpcResult<ReadProof> {
        if keys.len() > MAX_READ_PROOF_KEYS {
            return Err(invalid_param(
                "keys",
                format!(
                    "{} keys requested; at most {MAX_READ_PROOF_KEYS} per call",
                    keys.len()
                ),
            ));
        }
        let keys = keys
            .iter()
            .enumerate()
            .map(|(i, k)| hex_param(&format!("keys[{i}]"), k))
            .collect::<RpcResult<Vec<_>>>()?;
        let at = at_param(at)?;
        let proof = self
            .chain
            .read_proof(&keys, at)
            .map_err(|e| state_error(&e))?;
        Ok(ReadProof {
            at: proof.at,
            proof: proof.proof.into_iter().map(Bytes).collect(),
        })
    }

    fn runtime_version(&self, at: Option<HexString>) -> RpcResult<RuntimeVersion> {
        if let Some(at) = at_param(at)? {
            let best = self.chain.info().best_hash;
            if at != best {
                // The chain API knows the current runtime only; answering with it for an
                // older block would be wrong after an upgrade, so say so instead.
                return match self.chain.header(BlockId::Hash(at)) {
                    Ok(Some(_)) => Err(ErrorObject::owned(
                        error_codes::STATE_UNAVAILABLE,
                        format!(
                            "runtime version is served for the best block only ({}); omit `at` or pass the best hash",
                            best.to_hex()
                        ),
                        None::<()>,
                    )),
                    Ok(None) => Err(state_error(&ClientError::UnknownBlock(at.to_hex()))),
                    Err(e) => Err(state_error(&e)),
                };
            }
        }
        let v = self.chain.runtime_version();
        Ok(RuntimeVersion {
            spec_name: v.spec_name,
            impl_name: v.impl_name,
            authoring_version: v.authoring_version,
            spec_version: v.spec_version,
            impl_version: v.impl_version,
            transaction_version: v.transaction_version,
            apis: Vec::new(),
        })
    }

    fn call(&self, method: String, data: HexString, at: Option<HexString>) -> RpcResult<Bytes> {
        crate::runtime_api::state_call(&*self.runtime_api, &method, &data, at).map(Bytes)
    }
}

pub struct CaesarRpc {
    pub chain: Arc<dyn ChainApi>,
}

impl CaesarApiServer for CaesarRpc {
    fn balance(&self, address: String) -> RpcResult<AccountBalance> {
        let who = address_param("address", &address)?;
        let summary = self.chain.account(&who).map_err(|e| state_error(&e))?;
        Ok(AccountBalance {
            free: summary.free,
            reserved: summary.reserved,
            locked: summary.locked,
            nonce: summary.nonce,
            address: who.to_address(),
        })
    }
}
