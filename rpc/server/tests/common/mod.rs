//! In-crate mocks of the chain and the pool, a server launcher and a raw HTTP client.
#![allow(dead_code)]

pub mod contracts_mock;
pub mod raw;
pub mod tokens_mock;

use hm_client_api::{
    AccountSummary, BlockEvent, ChainApi, ChainInfo, ClientError, ContractCallRequest,
    ContractCode, ContractExecResult, ContractInstance, ContractInstantiateRequest,
    ContractUploadRequest, ContractUploadResult, PoolError, PoolStatus, ReadProof, RuntimeVersion,
    TransactionPoolApi, TxStatus,
};
use hm_metrics::Metrics;
use hm_primitives::{
    blake3_256, decode_untrusted, AccountId, Block, BlockId, BlockNumber, FalconSignature, Header,
    Justification, SignedBlock, SignedExtra, SignedPart, Signer, UncheckedExtrinsic, H256,
    MAX_EXTRINSIC_BYTES,
};
use hm_rpc::{Health, NodeInfo, PoolAdmin, RpcConfig, RpcDeps, RpcServer};
use parity_scale_codec::Encode;
use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{broadcast, mpsc};

pub const WAIT: Duration = Duration::from_secs(30);
pub const ALICE: AccountId = AccountId([0xa1; 32]);
pub const BOB: AccountId = AccountId([0xb0; 32]);

pub fn header(number: BlockNumber, parent: H256) -> Header {
    Header {
        parent_hash: parent,
        number,
        state_root: H256([number as u8; 32]),
        extrinsics_root: H256([0xee; 32]),
        timestamp_ms: 1_700_000_000_000 + number * 1000,
        proposer: ALICE,
        consensus: vec![],
        seal: vec![7; 4],
    }
}

pub fn signed_xt(who: AccountId, nonce: u64, call: &[u8]) -> Vec<u8> {
    UncheckedExtrinsic {
        signed: Some(SignedPart {
            signer: Signer::Id(who),
            extra: SignedExtra {
                nonce,
                tip: 0,
                valid_until: 1000,
            },
            signature: FalconSignature(vec![1; 16]),
        }),
        call: call.to_vec(),
    }
    .encode()
}

/// Three blocks: 0 (genesis), 1 (finalized, with a justification), 2 (best).
pub struct MockChain {
    pub blocks: Mutex<Vec<SignedBlock>>,
    pub storage: BTreeMap<Vec<u8>, Vec<u8>>,
    pub accounts: BTreeMap<AccountId, AccountSummary>,
    pub imports: broadcast::Sender<Header>,
    pub finality: broadcast::Sender<Header>,
    /// Holds `storage` reads and contract calls while closed.
    pub gate: Gate,
}

/// A door that blocking chain reads wait at, counting who is waiting inside.
pub struct Gate {
    closed: Mutex<bool>,
    opened: Condvar,
    /// Calls currently held at the gate.
    pub inside: AtomicUsize,
}

impl Gate {
    fn new() -> Self {
        Gate {
            closed: Mutex::new(false),
            opened: Condvar::new(),
            inside: AtomicUsize::new(0),
        }
    }

    pub fn close(&self) {
        *self.closed.lock().unwrap() = true;
    }

    pub fn open(&self) {
        *self.closed.lock().unwrap() = false;
        self.opened.notify_all();
    }

    /// Block the calling thread while the gate is closed.
    fn pass(&self) {
        let mut closed = self.closed.lock().unwrap();
        if *closed {
            self.inside.fetch_add(1, Ordering::SeqCst);
            while *closed {
                closed = self.opened.wait(closed).unwrap();
            }
            self.inside.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

impl MockChain {
    pub fn new(broadcast_capacity: usize) -> Self {
        let mut blocks = Vec::new();
        let mut parent = H256::ZERO;
        for n in 0..3u64 {
            let h = header(n, parent);
            parent = h.hash();
            let justification = (n == 1).then(|| Justification {
                engine_id: *b"dev0",
                data: vec![1, 2, 3],
            });
            blocks.push(SignedBlock {
                block: Block {
                    header: h,
                    extrinsics: vec![vec![n as u8; 3]],
                },
                justification,
            });
        }
        let storage = BTreeMap::from([(b"key".to_vec(), b"value".to_vec())]);
        let accounts = BTreeMap::from([(
            ALICE,
            AccountSummary {
                free: u128::MAX - 1,
                reserved: 7,
                locked: 5,
                nonce: 3,
            },
        )]);
        MockChain {
            blocks: Mutex::new(blocks),
            storage,
            accounts,
            imports: broadcast::channel(broadcast_capacity).0,
            finality: broadcast::channel(broadcast_capacity).0,
            gate: Gate::new(),
        }
    }

    pub fn hash_of(&self, n: usize) -> H256 {
        self.blocks.lock().unwrap()[n].block.header.hash()
    }

    fn find(&self, id: BlockId) -> Option<SignedBlock> {
        let blocks = self.blocks.lock().unwrap();
        match id {
            BlockId::Hash(h) => blocks.iter().find(|b| b.block.header.hash() == h).cloned(),
            BlockId::Number(n) => blocks.get(n as usize).cloned(),
        }
    }

    fn check_at(&self, at: Option<H256>) -> Result<H256, ClientError> {
        let at = at.unwrap_or_else(|| self.info().best_hash);
        if at == PRUNED_BLOCK {
            return Err(ClientError::StatePruned(
                "state of block #1 is pruned; this node keeps the last 2 states (--state-pruning)"
                    .into(),
            ));
        }
        match self.find(BlockId::Hash(at)) {
            Some(_) => Ok(at),
            None => Err(ClientError::UnknownBlock(at.to_hex())),
        }
    }
}

/// A block the mock knows but whose state it pruned, as a node with `--state-pruning`.
pub const PRUNED_BLOCK: H256 = H256([0x9e; 32]);

/// Metadata bytes the mock serves for any known block.
pub const MOCK_METADATA: &[u8] = b"meta\x0fmock";

impl hm_client_api::MetadataProvider for MockChain {
    fn metadata(&self, at: Option<H256>) -> Result<Vec<u8>, ClientError> {
        match at {
            Some(at) if self.header(BlockId::Hash(at))?.is_none() => {
                Err(ClientError::UnknownBlock(at.to_hex()))
            }
            _ => Ok(MOCK_METADATA.to_vec()),
        }
    }
}

impl hm_client_api::RuntimeApiProvider for MockChain {
    fn call(&self, method: &str, args: &[u8], at: Option<H256>) -> Result<Vec<u8>, ClientError> {
        self.check_at(at)?;
        tokens_mock::call(method, args)
    }
}

impl ChainApi for MockChain {
    fn info(&self) -> ChainInfo {
        let blocks = self.blocks.lock().unwrap();
        ChainInfo {
            genesis_hash: blocks[0].block.header.hash(),
            best_hash: blocks[2].block.header.hash(),
            best_number: 2,
            finalized_hash: blocks[1].block.header.hash(),
            finalized_number: 1,
        }
    }
    fn header(&self, id: BlockId) -> Result<Option<Header>, ClientError> {
        Ok(self.find(id).map(|b| b.block.header))
    }
    fn block(&self, id: BlockId) -> Result<Option<SignedBlock>, ClientError> {
        Ok(self.find(id))
    }
    fn block_hash(&self, number: BlockNumber) -> Result<Option<H256>, ClientError> {
        Ok(self
            .find(BlockId::Number(number))
            .map(|b| b.block.header.hash()))
    }
    fn storage(&self, key: &[u8], at: Option<H256>) -> Result<Option<Vec<u8>>, ClientError> {
        self.gate.pass();
        self.check_at(at)?;
        Ok(self.storage.get(key).cloned())
    }
    fn read_proof(&self, keys: &[Vec<u8>], at: Option<H256>) -> Result<ReadProof, ClientError> {
        let at = self.check_at(at)?;
        Ok(ReadProof {
            at,
            proof: keys
                .iter()
                .map(|k| [b"proof:".as_slice(), k].concat())
                .collect(),
        })
    }
    fn runtime_version(&self) -> RuntimeVersion {
        RuntimeVersion {
            spec_name: "hypermesh".into(),
            impl_name: "hypermesh-node".into(),
            authoring_version: 1,
            spec_version: 100,
            impl_version: 2,
            transaction_version: 1,
        }
    }
    fn account(&self, who: &AccountId) -> Result<AccountSummary, ClientError> {
        Ok(self.accounts.get(who).copied().unwrap_or_default())
    }
    fn import_notifications(&self) -> broadcast::Receiver<Header> {
        self.imports.subscribe()
    }
    fn finality_notifications(&self) -> broadcast::Receiver<Header> {
        self.finality.subscribe()
    }
    fn block_events(&self, at: Option<H256>) -> Result<Vec<BlockEvent>, ClientError> {
        self.check_at(at)?;
        Ok(Vec::new())
    }
    /// `0xdead` would not be included; anything else would succeed with weight = length.
    fn dry_run_extrinsic(&self, xt: &[u8]) -> Result<hm_client_api::DryRun, ClientError> {
        Ok(if xt == [0xde, 0xad] {
            hm_client_api::DryRun::Invalid("bad signature".into())
        } else {
            hm_client_api::DryRun::Applied {
                outcome: hm_client_api::ExtrinsicOutcome {
                    weight: xt.len() as u64,
                    fee: 2,
                    error: None,
                },
                events: Vec::new(),
            }
        })
    }
    fn contracts_call(
        &self,
        request: ContractCallRequest,
        at: Option<H256>,
    ) -> Result<ContractExecResult, ClientError> {
        self.gate.pass();
        self.check_at(at)?;
        contracts_mock::call(request)
    }
    fn contracts_instantiate(
        &self,
        request: ContractInstantiateRequest,
        at: Option<H256>,
    ) -> Result<ContractExecResult, ClientError> {
        self.check_at(at)?;
        contracts_mock::instantiate(request)
    }
    fn contracts_upload(
        &self,
        request: ContractUploadRequest,
        at: Option<H256>,
    ) -> Result<ContractUploadResult, ClientError> {
        self.check_at(at)?;
        contracts_mock::upload(request)
    }
    fn contract_instance(
        &self,
        address: &AccountId,
        at: Option<H256>,
    ) -> Result<Option<ContractInstance>, ClientError> {
        self.check_at(at)?;
        Ok(contracts_mock::instance(address))
    }
    fn contract_code(
        &self,
        code_hash: &H256,
        at: Option<H256>,
    ) -> Result<Option<ContractCode>, ClientError> {
        self.check_at(at)?;
        Ok(contracts_mock::code(code_hash))
    }
    fn contract_storage(
        &self,
        address: &AccountId,
        key: &[u8],
        at: Option<H256>,
    ) -> Result<Option<Vec<u8>>, ClientError> {
        self.check_at(at)?;
        Ok(contracts_mock::storage(address, key))
    }
}

/// Accepts what decodes, refuses with the scripted errors first; watchers get
/// `watch_script` statuses.
pub struct MockPool {
    pub pending: Mutex<Vec<Vec<u8>>>,
    pub scripted_errors: Mutex<VecDeque<PoolError>>,
    pub watch_script: Vec<TxStatus>,
    pub removed: Mutex<Vec<H256>>,
}

impl MockPool {
    pub fn new(watch_script: Vec<TxStatus>) -> Self {
        MockPool {
            pending: Mutex::new(vec![
                signed_xt(ALICE, 3, b"a"),
                signed_xt(ALICE, 4, b"b"),
                signed_xt(BOB, 0, b"c"),
            ]),
            scripted_errors: Mutex::new(VecDeque::new()),
            watch_script,
            removed: Mutex::new(Vec::new()),
        }
    }

    pub fn script_error(&self, e: PoolError) {
        self.scripted_errors.lock().unwrap().push_back(e);
    }

    fn import(&self, xt: Vec<u8>) -> Result<H256, PoolError> {
        if xt.len() > MAX_EXTRINSIC_BYTES {
            return Err(PoolError::TooLarge {
                len: xt.len(),
                max: MAX_EXTRINSIC_BYTES,
            });
        }
        if decode_untrusted::<UncheckedExtrinsic<Vec<u8>>>(&xt, MAX_EXTRINSIC_BYTES).is_err() {
            return Err(PoolError::Invalid(
                hm_primitives::InvalidTransaction::Malformed,
            ));
        }
        if let Some(e) = self.scripted_errors.lock().unwrap().pop_front() {
            return Err(e);
        }
        let hash = blake3_256(&xt);
        self.pending.lock().unwrap().push(xt);
        Ok(hash)
    }
}

impl TransactionPoolApi for MockPool {
    fn submit(&self, xt: Vec<u8>) -> Result<H256, PoolError> {
        self.import(xt)
    }
    fn submit_and_watch(
        &self,
        xt: Vec<u8>,
    ) -> Result<(H256, mpsc::UnboundedReceiver<TxStatus>), PoolError> {
        let hash = self.import(xt)?;
        let (tx, rx) = mpsc::unbounded_channel();
        for s in &self.watch_script {
            let _ = tx.send(s.clone());
        }
        Ok((hash, rx))
    }
    fn pending(&self) -> Vec<Vec<u8>> {
        self.pending.lock().unwrap().clone()
    }
    fn pending_limited(&self, max_count: usize, max_bytes: usize) -> Vec<Vec<u8>> {
        let mut used = 0usize;
        self.pending
            .lock()
            .unwrap()
            .iter()
            .take(max_count)
            .take_while(|xt| {
                used += xt.len();
                used <= max_bytes
            })
            .cloned()
            .collect()
    }
    fn next_nonce(&self, who: &AccountId, on_chain: u64) -> u64 {
        let pooled: std::collections::BTreeSet<u64> = self
            .pending
            .lock()
            .unwrap()
            .iter()
            .filter_map(|xt| {
                decode_untrusted::<UncheckedExtrinsic<Vec<u8>>>(xt, MAX_EXTRINSIC_BYTES).ok()
            })
            .filter_map(|xt| xt.signed)
            .filter(|s| s.signer.account_id() == *who)
            .map(|s| s.extra.nonce)
            .collect();
        let mut next = on_chain;
        while pooled.contains(&next) {
            next += 1;
        }
        next
    }
    fn status(&self) -> PoolStatus {
        PoolStatus {
            ready: self.pending.lock().unwrap().len(),
            future: 0,
            bytes: 0,
        }
    }
}

impl PoolAdmin for MockPool {
    fn remove_extrinsics(&self, hashes: &[H256]) -> Vec<H256> {
        let mut pending = self.pending.lock().unwrap();
        let before: Vec<H256> = pending.iter().map(|x| blake3_256(x)).collect();
        pending.retain(|x| !hashes.contains(&blake3_256(x)));
        self.removed.lock().unwrap().extend_from_slice(hashes);
        before.into_iter().filter(|h| hashes.contains(h)).collect()
    }
}

pub struct Node {
    pub addr: SocketAddr,
    pub server: RpcServer,
    pub chain: Arc<MockChain>,
    pub pool: Arc<MockPool>,
    pub metrics: Metrics,
}

impl Node {
    pub fn http(&self) -> jsonrpsee::http_client::HttpClient {
        jsonrpsee::http_client::HttpClientBuilder::default()
            .build(format!("http://{}", self.addr))
            .unwrap()
    }
    pub async fn ws(&self) -> jsonrpsee::ws_client::WsClient {
        jsonrpsee::ws_client::WsClientBuilder::default()
            .build(format!("ws://{}", self.addr))
            .await
            .unwrap()
    }
}

pub fn info() -> NodeInfo {
    NodeInfo {
        name: "hypermesh".into(),
        version: "0.1.0-test".into(),
        chain_name: "Development".into(),
        chain_type: "Development".into(),
        properties: serde_json::json!({"tokenSymbol": "CAES", "tokenDecimals": 12}),
        is_dev: true,
    }
}

pub fn deps(chain: Arc<MockChain>, pool: Arc<MockPool>, metrics: Metrics) -> RpcDeps {
    RpcDeps {
        chain: chain.clone(),
        metadata: chain.clone(),
        runtime_api: chain,
        pool: pool.clone(),
        pool_admin: pool,
        info: info(),
        metrics: Some(metrics),
        health: Arc::new(|| hm_rpc::NetworkStatus {
            health: Health {
                peers: 3,
                is_syncing: false,
                should_have_peers: true,
            },
            sync: hm_rpc::SyncState {
                starting_block: 0,
                current_block: 7,
                highest_block: 9,
            },
        }),
    }
}

pub fn test_config() -> RpcConfig {
    RpcConfig {
        addr: "127.0.0.1:0".parse().unwrap(),
        ..RpcConfig::default()
    }
}

pub async fn start_with(config: RpcConfig) -> Node {
    let chain = Arc::new(MockChain::new(16));
    let pool = Arc::new(MockPool::new(vec![
        TxStatus::Ready,
        TxStatus::InBlock(H256([5; 32])),
        TxStatus::Finalized(H256([5; 32])),
    ]));
    let metrics = Metrics::new();
    let server = hm_rpc::start(config, deps(chain.clone(), pool.clone(), metrics.clone()))
        .await
        .unwrap();
    Node {
        addr: server.local_addr(),
        server,
        chain,
        pool,
        metrics,
    }
}

pub async fn start() -> Node {
    start_with(test_config()).await
}

/// Minimal HTTP/1.1 POST; returns the status code and the body.
pub async fn http_post(addr: SocketAddr, body: &[u8]) -> (u16, String) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    // The server may answer and close before reading an oversized body; that is fine.
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(body).await;
    let mut raw = Vec::new();
    let _ = tokio::time::timeout(WAIT, stream.read_to_end(&mut raw))
        .await
        .expect("server hung");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(body)
    } else {
        body.to_owned()
    };
    (status, body)
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}

/// POST one JSON-RPC call and parse the JSON answer.
pub async fn rpc_raw(addr: SocketAddr, body: &str) -> serde_json::Value {
    let (status, body) = http_post(addr, body.as_bytes()).await;
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("status {status}, body {body:?}: {e}"))
}

pub async fn call(addr: SocketAddr, method: &str, params: serde_json::Value) -> serde_json::Value {
    let body = serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
    rpc_raw(addr, &body.to_string()).await
}

/// The server still answers a plain call.
pub async fn assert_alive(addr: SocketAddr) {
    let v = call(addr, "system_name", serde_json::json!([])).await;
    assert_eq!(v["result"], "hypermesh", "server stopped answering: {v}");
}

/// Returns (code, message, data-as-string) of an error answer.
pub fn error_of(v: &serde_json::Value) -> (i64, String, String) {
    let e = &v["error"];
    assert!(e.is_object(), "expected an error, got {v}");
    (
        e["code"].as_i64().unwrap(),
        e["message"].as_str().unwrap_or_default().to_owned(),
        match &e["data"] {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Null => String::new(),
            other => other.to_string(),
        },
    )
}
