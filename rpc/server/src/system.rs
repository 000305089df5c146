//! `system_*` and `rpc_methods`.
use crate::errors::{address_param, state_error};
use crate::{HealthSource, NodeInfo};
use hm_client_api::{ChainApi, TransactionPoolApi};
use hm_primitives::{AccountId, Nonce, SignedPart, DECODE_DEPTH_LIMIT};
use hm_rpc_api::{Health, RpcMethods, RpcMethodsApiServer, SyncState, SystemApiServer};
use jsonrpsee::core::RpcResult;
use parity_scale_codec::DecodeLimit;
use std::collections::BTreeSet;
use std::sync::Arc;

pub struct SystemRpc {
    pub chain: Arc<dyn ChainApi>,
    pub pool: Arc<dyn TransactionPoolApi>,
    pub info: NodeInfo,
    pub health: HealthSource,
}

impl SystemApiServer for SystemRpc {
    fn system_name(&self) -> RpcResult<String> {
        Ok(self.info.name.clone())
    }

    fn system_version(&self) -> RpcResult<String> {
        Ok(self.info.version.clone())
    }

    fn system_chain(&self) -> RpcResult<String> {
        Ok(self.info.chain_name.clone())
    }

    fn system_chain_type(&self) -> RpcResult<String> {
        Ok(self.info.chain_type.clone())
    }

    fn system_properties(&self) -> RpcResult<serde_json::Value> {
        Ok(self.info.properties.clone())
    }

    fn system_health(&self) -> RpcResult<Health> {
        Ok((self.health)().health)
    }

    fn system_sync_state(&self) -> RpcResult<SyncState> {
        Ok((self.health)().sync)
    }

    fn system_account_next_index(&self, address: String) -> RpcResult<u64> {
        let who = address_param("address", &address)?;
        let on_chain = self.chain.account(&who).map_err(|e| state_error(&e))?.nonce;
        Ok(next_index(on_chain, &who, &self.pool.pending()))
    }
}

/// The account's on-chain nonce advanced past every consecutive nonce it already
/// has in the pool. A gap stops the walk: the nonce in the gap is the one to sign next.
pub fn next_index(on_chain: Nonce, who: &AccountId, pending: &[Vec<u8>]) -> Nonce {
    let pooled: BTreeSet<Nonce> = pending
        .iter()
        .filter_map(|xt| signed_part(xt))
        .filter(|s| s.signer.account_id() == *who)
        .map(|s| s.extra.nonce)
        .collect();
    let mut next = on_chain;
    while pooled.contains(&next) {
        match next.checked_add(1) {
            Some(n) => next = n,
            None => break,
        }
    }
    next
}

/// The signature envelope at the front of an encoded extrinsic. The call that
/// follows is the runtime's business and is not decoded here.
fn signed_part(xt: &[u8]) -> Option<SignedPart> {
    Option::<SignedPart>::decode_with_depth_limit(DECODE_DEPTH_LIMIT, &mut &xt[..])
        .ok()
        .flatten()
}

pub struct MethodsRpc {
    pub names: Vec<String>,
}

impl RpcMethodsApiServer for MethodsRpc {
    fn rpc_methods(&self) -> RpcResult<RpcMethods> {
        Ok(RpcMethods {
            methods: self.names.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hm_primitives::{FalconSignature, SignedExtra, Signer, UncheckedExtrinsic};
    use parity_scale_codec::Encode;

    fn xt(who: AccountId, nonce: Nonce) -> Vec<u8> {
        UncheckedExtrinsic {
            signed: Some(SignedPart {
                signer: Signer::Id(who),
                extra: SignedExtra {
                    nonce,
                    tip: 0,
                    valid_until: 100,
                },
                signature: FalconSignature(vec![1; 8]),
            }),
            call: vec![0u8, 1, 2],
        }
        .encode()
    }

    #[test]
    fn next_index_walks_consecutive_pooled_nonces() {
        let alice = AccountId([1; 32]);
        let bob = AccountId([2; 32]);
        let pending = vec![
            xt(alice, 5),
            xt(alice, 6),
            xt(alice, 8),
            xt(bob, 7),
            vec![0xff; 3],
            vec![],
        ];
        assert_eq!(
            next_index(5, &alice, &pending),
            7,
            "stops at the gap before 8"
        );
        assert_eq!(
            next_index(4, &alice, &pending),
            4,
            "nothing pooled at the on-chain nonce"
        );
        assert_eq!(next_index(7, &bob, &pending), 8);
        assert_eq!(next_index(3, &AccountId([9; 32]), &pending), 3);
        let unsigned = UncheckedExtrinsic::<Vec<u8>> {
            signed: None,
            call: vec![1],
        }
        .encode();
        assert_eq!(next_index(0, &alice, &[unsigned]), 0);
        assert_eq!(
            next_index(u64::MAX, &alice, &[xt(alice, u64::MAX)]),
            u64::MAX,
            "no overflow"
        );
    }
}
