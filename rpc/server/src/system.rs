//! `system_*` and `rpc_methods`.
use crate::errors::{address_param, state_error};
use crate::{HealthSource, NodeInfo};
use hm_client_api::{ChainApi, TransactionPoolApi};
use hm_rpc_api::{Health, RpcMethods, RpcMethodsApiServer, SyncState, SystemApiServer};
use jsonrpsee::core::RpcResult;
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
        // The pool's per-sender index answers without copying the pool.
        Ok(self.pool.next_nonce(&who, on_chain))
    }
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
