//! `chain_*`: headers, blocks and head subscriptions.
use crate::errors::{chain_error, hash_param};
use hm_client_api::{ChainApi, ClientError};
use hm_primitives::{BlockId, Header, H256};
use hm_rpc_api::{ChainApiServer, HexString, NumberOrHex, RpcHeader, RpcSignedBlock};
use jsonrpsee::core::{RpcResult, SubscriptionResult};
use jsonrpsee::server::{PendingSubscriptionSink, SubscriptionMessage, SubscriptionSink};
use std::sync::Arc;
use tokio::sync::broadcast::{self, error::RecvError};

pub struct ChainRpc {
    pub chain: Arc<dyn ChainApi>,
}

impl ChainRpc {
    /// The block named by an optional `hash` parameter; the best block when omitted.
    fn target(&self, hash: Option<HexString>) -> RpcResult<H256> {
        match hash {
            Some(h) => hash_param("hash", &h),
            None => Ok(self.chain.info().best_hash),
        }
    }
}

/// Substrate answers `null` for a block it does not have; other failures are the node's.
fn unknown_as_none<T>(r: Result<Option<T>, ClientError>) -> RpcResult<Option<T>> {
    match r {
        Ok(v) => Ok(v),
        Err(ClientError::UnknownBlock(_)) => Ok(None),
        Err(e) => Err(chain_error(&e)),
    }
}

#[jsonrpsee::core::async_trait]
impl ChainApiServer for ChainRpc {
    fn header(&self, hash: Option<HexString>) -> RpcResult<Option<RpcHeader>> {
        let at = self.target(hash)?;
        Ok(unknown_as_none(self.chain.header(BlockId::Hash(at)))?
            .as_ref()
            .map(RpcHeader::from))
    }

    fn block(&self, hash: Option<HexString>) -> RpcResult<Option<RpcSignedBlock>> {
        let at = self.target(hash)?;
        Ok(unknown_as_none(self.chain.block(BlockId::Hash(at)))?
            .as_ref()
            .map(RpcSignedBlock::from))
    }

    fn block_hash(&self, number: Option<NumberOrHex>) -> RpcResult<Option<H256>> {
        match number {
            None => Ok(Some(self.chain.info().best_hash)),
            Some(n) => unknown_as_none(self.chain.block_hash(n.value())),
        }
    }

    fn finalized_head(&self) -> RpcResult<H256> {
        Ok(self.chain.info().finalized_hash)
    }

    async fn subscribe_new_heads(&self, pending: PendingSubscriptionSink) -> SubscriptionResult {
        // Subscribe before reading the current head so no import falls between the two.
        let rx = self.chain.import_notifications();
        let current = self
            .chain
            .header(BlockId::Hash(self.chain.info().best_hash))
            .ok()
            .flatten();
        forward_heads(pending, current, rx, HeadKind::Best).await
    }

    async fn subscribe_finalized_heads(
        &self,
        pending: PendingSubscriptionSink,
    ) -> SubscriptionResult {
        let rx = self.chain.finality_notifications();
        let current = self
            .chain
            .header(BlockId::Hash(self.chain.info().finalized_hash))
            .ok()
            .flatten();
        forward_heads(pending, current, rx, HeadKind::Finalized).await
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum HeadKind {
    Best,
    /// Finalized heights only grow, so anything not above the last one sent is a repeat.
    Finalized,
}

/// Send `current`, then every header from `rx`, until the client leaves or the
/// node stops. A slow client that lags behind the broadcast skips the headers it
/// missed rather than stalling the node or ending the subscription.
async fn forward_heads(
    pending: PendingSubscriptionSink,
    current: Option<Header>,
    mut rx: broadcast::Receiver<Header>,
    kind: HeadKind,
) -> SubscriptionResult {
    let sink = pending.accept().await?;
    let mut last_sent: Option<(H256, u64)> = None;
    if let Some(h) = current {
        send_header(&sink, &h).await?;
        last_sent = Some((h.hash(), h.number));
    }
    loop {
        tokio::select! {
            _ = sink.closed() => return Ok(()),
            next = rx.recv() => match next {
                Ok(h) => {
                    let hash = h.hash();
                    let repeat = match (kind, last_sent) {
                        (HeadKind::Best, Some((sent, _))) => sent == hash,
                        (HeadKind::Finalized, Some((_, sent_number))) => h.number <= sent_number,
                        (_, None) => false,
                    };
                    if !repeat {
                        send_header(&sink, &h).await?;
                        last_sent = Some((hash, h.number));
                    }
                }
                Err(RecvError::Lagged(missed)) => {
                    tracing::debug!(target: "rpc", "head subscription lagged; skipped {missed} headers");
                }
                Err(RecvError::Closed) => return Ok(()),
            },
        }
    }
}

async fn send_header(sink: &SubscriptionSink, h: &Header) -> SubscriptionResult {
    let msg: SubscriptionMessage = serde_json::value::to_raw_value(&RpcHeader::from(h))?.into();
    sink.send(msg).await?;
    Ok(())
}
