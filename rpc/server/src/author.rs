//! `author_*`: submitting, watching and (unsafe) removing extrinsics.
use crate::errors::{hash_param, hex_param, pool_error, too_many_items};
use crate::PoolAdmin;
use hm_client_api::{TransactionPoolApi, TxStatus};
use hm_primitives::{blake3_256, H256};
use hm_rpc_api::{
    AuthorApiServer, AuthorUnsafeApiServer, Bytes, ExtrinsicOrHash, ExtrinsicStatus, HexString,
};
use jsonrpsee::core::{RpcResult, SubscriptionResult};
use jsonrpsee::server::{PendingSubscriptionSink, SubscriptionMessage};
use jsonrpsee::types::error::CALL_EXECUTION_FAILED_CODE;
use jsonrpsee::types::ErrorObject;
use std::sync::Arc;

/// Methods that change the node: served only where `--rpc-methods` allows, and
/// then only to the clients it allows.
pub const UNSAFE_METHODS: [&str; 1] = ["author_removeExtrinsic"];
/// Most extrinsics `author_pendingExtrinsics` lists, best first: the pool holds up
/// to 8,192 (20 MiB), more than a response may carry and costly to copy on each call.
pub const MAX_PENDING_EXTRINSICS: usize = 1024;
/// Most bytes of extrinsics it lists (twice that as hex, inside the 15 MiB response cap).
pub const MAX_PENDING_EXTRINSICS_BYTES: usize = 4 * 1024 * 1024;
/// Most entries one `author_removeExtrinsic` call may name.
pub const MAX_REMOVE_EXTRINSICS: usize = 1024;

pub struct AuthorRpc {
    pub pool: Arc<dyn TransactionPoolApi>,
}

pub fn to_rpc_status(s: TxStatus) -> ExtrinsicStatus {
    match s {
        TxStatus::Future => ExtrinsicStatus::Future,
        TxStatus::Ready => ExtrinsicStatus::Ready,
        TxStatus::InBlock(h) => ExtrinsicStatus::InBlock(h),
        TxStatus::Finalized(h) => ExtrinsicStatus::Finalized(h),
        TxStatus::Usurped(h) => ExtrinsicStatus::Usurped(h),
        TxStatus::Dropped => ExtrinsicStatus::Dropped,
        TxStatus::Invalid => ExtrinsicStatus::Invalid,
    }
}

#[jsonrpsee::core::async_trait]
impl AuthorApiServer for AuthorRpc {
    fn submit_extrinsic(&self, extrinsic: HexString) -> RpcResult<H256> {
        let bytes = hex_param("extrinsic", &extrinsic)?;
        self.pool.submit(bytes).map_err(|e| pool_error(&e))
    }

    async fn watch_extrinsic(
        &self,
        pending: PendingSubscriptionSink,
        extrinsic: HexString,
    ) -> SubscriptionResult {
        let bytes = match hex_param("extrinsic", &extrinsic) {
            Ok(b) => b,
            Err(e) => {
                pending.reject(e).await;
                return Ok(());
            }
        };
        // Validation verifies a Falcon signature (~100 µs): keep it off the async workers.
        let pool = self.pool.clone();
        let (_hash, mut updates) = match tokio::task::spawn_blocking(move || {
            pool.submit_and_watch(bytes)
        })
        .await
        {
            Ok(Ok(watched)) => watched,
            Ok(Err(e)) => {
                pending.reject(pool_error(&e)).await;
                return Ok(());
            }
            Err(join) => {
                tracing::error!(target: "rpc", "transaction pool failed while submitting: {join}");
                pending
                    .reject(ErrorObject::owned(
                        CALL_EXECUTION_FAILED_CODE,
                        "transaction pool failed while submitting; see the node log",
                        None::<()>,
                    ))
                    .await;
                return Ok(());
            }
        };
        let sink = pending.accept().await?;
        loop {
            tokio::select! {
                _ = sink.closed() => return Ok(()),
                update = updates.recv() => {
                    // The pool dropping its sender ends the watch without a final status.
                    let Some(status) = update else { return Ok(()) };
                    let status = to_rpc_status(status);
                    let is_final = status.is_final();
                    let msg: SubscriptionMessage = serde_json::value::to_raw_value(&status)?.into();
                    sink.send(msg).await?;
                    if is_final {
                        return Ok(());
                    }
                }
            }
        }
    }

    fn pending_extrinsics(&self) -> RpcResult<Vec<Bytes>> {
        let pending = self
            .pool
            .pending_limited(MAX_PENDING_EXTRINSICS, MAX_PENDING_EXTRINSICS_BYTES);
        Ok(pending.into_iter().map(Bytes).collect())
    }
}

pub struct AuthorUnsafeRpc {
    pub admin: Arc<dyn PoolAdmin>,
}

impl AuthorUnsafeApiServer for AuthorUnsafeRpc {
    fn remove_extrinsic(&self, bytes_or_hash: Vec<ExtrinsicOrHash>) -> RpcResult<Vec<H256>> {
        if bytes_or_hash.len() > MAX_REMOVE_EXTRINSICS {
            return Err(too_many_items(
                "bytes_or_hash",
                bytes_or_hash.len(),
                MAX_REMOVE_EXTRINSICS,
            ));
        }
        let hashes = bytes_or_hash
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                ExtrinsicOrHash::Hash(h) => hash_param(&format!("bytes_or_hash[{i}].hash"), h),
                // The pool names a transaction by the BLAKE3 hash of its encoding.
                ExtrinsicOrHash::Extrinsic(x) => {
                    hex_param(&format!("bytes_or_hash[{i}].extrinsic"), x).map(|b| blake3_256(&b))
                }
            })
            .collect::<RpcResult<Vec<_>>>()?;
        Ok(self.admin.remove_extrinsics(&hashes))
    }
}
