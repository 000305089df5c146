//! An in-process stand-in for a node's RPC, for testing submission and
//! following without a chain: it seals whatever was submitted into a block every
//! few milliseconds, finalizes it at once, and announces only every other
//! finalized head (as a lagging node subscription may) so gap filling is exercised.
use hm_primitives::{AccountId, Header, H256};
use hm_rpc_api::{
    AuthorApiServer, Bytes, ChainApiServer, HexString, NumberOrHex, RpcBlock, RpcHeader,
    RpcSignedBlock,
};
use jsonrpsee::core::{async_trait, RpcResult, SubscriptionResult};
use jsonrpsee::server::{PendingSubscriptionSink, ServerHandle, SubscriptionMessage};
use jsonrpsee::types::ErrorObjectOwned;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::broadcast;

/// Extrinsics starting with this byte are refused, as a node refuses a stale nonce.
pub const REFUSED_MARK: u8 = 0xFF;

#[derive(Default)]
struct State {
    blocks: Vec<(Header, Vec<Vec<u8>>)>,
    pending: Vec<Vec<u8>>,
}

#[derive(Clone)]
struct MockChain {
    state: Arc<Mutex<State>>,
    finalized: broadcast::Sender<Header>,
}

fn header(number: u64, parent_hash: H256) -> Header {
    Header {
        parent_hash,
        number,
        state_root: H256::ZERO,
        extrinsics_root: H256::ZERO,
        timestamp_ms: number,
        proposer: AccountId([0; 32]),
        consensus: Vec::new(),
        seal: Vec::new(),
    }
}

fn err(code: i32, msg: &str, data: &str) -> ErrorObjectOwned {
    ErrorObjectOwned::owned(code, msg.to_owned(), Some(data.to_owned()))
}

impl MockChain {
    fn seal(&self) {
        let mut s = self.state.lock().unwrap();
        let (number, parent) = s
            .blocks
            .last()
            .map(|(h, _)| (h.number + 1, h.hash()))
            .unwrap_or((0, H256::ZERO));
        let body = std::mem::take(&mut s.pending);
        let h = header(number, parent);
        s.blocks.push((h.clone(), body));
        if number % 2 == 0 {
            let _ = self.finalized.send(h);
        }
    }

    fn by_hash(&self, hash: &H256) -> Option<(Header, Vec<Vec<u8>>)> {
        self.state
            .lock()
            .unwrap()
            .blocks
            .iter()
            .find(|(h, _)| h.hash() == *hash)
            .cloned()
    }
}

#[async_trait]
impl ChainApiServer for MockChain {
    fn header(&self, _hash: Option<HexString>) -> RpcResult<Option<RpcHeader>> {
        Ok(self
            .state
            .lock()
            .unwrap()
            .blocks
            .last()
            .map(|(h, _)| RpcHeader::from(h)))
    }

    fn block(&self, hash: Option<HexString>) -> RpcResult<Option<RpcSignedBlock>> {
        let hash = hash.ok_or_else(|| err(-32602, "hash required", ""))?;
        let hash = hash
            .decode_hash()
            .map_err(|e| err(-32602, "bad hash", &e.to_string()))?;
        Ok(self.by_hash(&hash).map(|(h, body)| RpcSignedBlock {
            block: RpcBlock {
                header: RpcHeader::from(&h),
                extrinsics: body.into_iter().map(Bytes).collect(),
            },
            justifications: None,
        }))
    }

    fn block_hash(&self, number: Option<NumberOrHex>) -> RpcResult<Option<H256>> {
        let s = self.state.lock().unwrap();
        let n = number
            .map(NumberOrHex::value)
            .unwrap_or(s.blocks.len().saturating_sub(1) as u64);
        Ok(s.blocks.get(n as usize).map(|(h, _)| h.hash()))
    }

    fn finalized_head(&self) -> RpcResult<H256> {
        Ok(self
            .state
            .lock()
            .unwrap()
            .blocks
            .last()
            .map(|(h, _)| h.hash())
            .unwrap_or(H256::ZERO))
    }

    async fn subscribe_new_heads(&self, pending: PendingSubscriptionSink) -> SubscriptionResult {
        pending.reject(err(-32601, "not in the mock", "")).await;
        Ok(())
    }

    async fn subscribe_finalized_heads(
        &self,
        pending: PendingSubscriptionSink,
    ) -> SubscriptionResult {
        let mut rx = self.finalized.subscribe();
        let current = self
            .state
            .lock()
            .unwrap()
            .blocks
            .last()
            .map(|(h, _)| h.clone());
        let sink = pending.accept().await?;
        if let Some(h) = current {
            sink.send(SubscriptionMessage::from(serde_json::value::to_raw_value(
                &RpcHeader::from(&h),
            )?))
            .await?;
        }
        while let Ok(h) = rx.recv().await {
            sink.send(SubscriptionMessage::from(serde_json::value::to_raw_value(
                &RpcHeader::from(&h),
            )?))
            .await?;
        }
        Ok(())
    }
}

#[async_trait]
impl AuthorApiServer for MockChain {
    fn submit_extrinsic(&self, extrinsic: HexString) -> RpcResult<H256> {
        let xt = extrinsic
            .decode()
            .map_err(|e| err(1001, "Extrinsic has invalid format", &e.to_string()))?;
        if xt.first() == Some(&REFUSED_MARK) {
            return Err(err(1010, "Invalid Transaction", "Stale"));
        }
        let hash = hm_primitives::blake3_256(&xt);
        self.state.lock().unwrap().pending.push(xt);
        Ok(hash)
    }

    async fn watch_extrinsic(
        &self,
        pending: PendingSubscriptionSink,
        _xt: HexString,
    ) -> SubscriptionResult {
        pending.reject(err(-32601, "not in the mock", "")).await;
        Ok(())
    }

    fn pending_extrinsics(&self) -> RpcResult<Vec<Bytes>> {
        Ok(self
            .state
            .lock()
            .unwrap()
            .pending
            .iter()
            .cloned()
            .map(Bytes)
            .collect())
    }
}

/// A running mock: its WebSocket URL, and the server and sealer to stop on drop.
pub struct MockNode {
    pub url: String,
    server: ServerHandle,
    sealer: tokio::task::JoinHandle<()>,
    chain: MockChain,
}

impl MockNode {
    pub async fn start() -> Self {
        let chain = MockChain {
            state: Arc::default(),
            finalized: broadcast::channel(1024).0,
        };
        chain.seal(); // genesis
        let mut module = ChainApiServer::into_rpc(chain.clone());
        module
            .merge(AuthorApiServer::into_rpc(chain.clone()))
            .unwrap();
        let server = jsonrpsee::server::Server::builder()
            .build("127.0.0.1:0")
            .await
            .unwrap();
        let url = format!("ws://{}", server.local_addr().unwrap());
        let server = server.start(module);
        let sealing = chain.clone();
        let sealer = tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(5));
            loop {
                tick.tick().await;
                sealing.seal();
            }
        });
        MockNode {
            url,
            server,
            sealer,
            chain,
        }
    }

    /// Every extrinsic in a block, in chain order.
    pub fn included(&self) -> Vec<Vec<u8>> {
        let s = self.chain.state.lock().unwrap();
        s.blocks
            .iter()
            .flat_map(|(_, body)| body.iter().cloned())
            .collect()
    }

    pub fn block_count(&self) -> usize {
        self.chain.state.lock().unwrap().blocks.len()
    }

    /// Shut the RPC server down, as a node that dies does.
    pub fn kill(&self) {
        let _ = self.server.stop();
    }

    /// Stop sealing: whatever is submitted from now on stays pending.
    pub fn pause_sealing(&self) {
        self.sealer.abort();
    }
}

impl Drop for MockNode {
    fn drop(&mut self) {
        self.sealer.abort();
        let _ = self.server.stop();
    }
}
