//! `state_getMetadata`.
use crate::errors::{hash_param, state_error};
use hm_client_api::MetadataProvider;
use hm_rpc_api::{Bytes, HexString, MetadataApiServer};
use jsonrpsee::core::RpcResult;
use std::sync::Arc;

pub struct MetadataRpc {
    pub provider: Arc<dyn MetadataProvider>,
}

impl MetadataApiServer for MetadataRpc {
    fn metadata(&self, at: Option<HexString>) -> RpcResult<Bytes> {
        let at = at.map(|h| hash_param("at", &h)).transpose()?;
        self.provider
            .metadata(at)
            .map(Bytes)
            .map_err(|e| state_error(&e))
    }
}
