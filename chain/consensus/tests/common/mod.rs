//! A test network of real engines: clients on RocksDB, pools, signer guards,
//! connected by an in-memory `ConsensusNetwork`, plus a stand-in for block
//! sync that lets a node that fell behind copy finalized blocks.
#![allow(dead_code)]

#[path = "../../src/tests/fixture.rs"]
pub mod fixture;

use futures::future::BoxFuture;
use hm_client::Client;
use hm_client_api::{ChainApi, TransactionPoolApi};
use hm_consensus::{
    BftConfig, BftEngine, BftVerifier, ConsensusNetwork, EngineDeps, EngineError, EngineHandle,
    PeerRef, ProposerSchedules, VoteReply,
};
use hm_consensus_bft::TimeoutConfig;
use hm_crypto::Keypair;
use hm_primitives::{BlockId, SignedBlock, H256};
use hm_txpool::TransactionPool;
use parking_lot::Mutex;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tempfile::TempDir;
use tokio::task::JoinHandle;

/// Connected engines, by node index.
#[derive(Default)]
pub struct Hub {
    handles: Mutex<BTreeMap<usize, EngineHandle>>,
    pools: Mutex<BTreeMap<usize, Arc<TransactionPool>>>,
    /// Peers reported for their vote replies, with the reason: none among honest engines.
    reports: Mutex<Vec<String>>,
}

impl Hub {
    pub fn reports(&self) -> Vec<String> {
        self.reports.lock().clone()
    }

    fn others(&self, me: usize) -> Vec<EngineHandle> {
        self.handles
            .lock()
            .iter()
            .filter(|(i, _)| **i != me)
            .map(|(_, h)| h.clone())
            .collect()
    }
}

/// One node's view of the hub.
pub struct Link {
    hub: Arc<Hub>,
    me: usize,
}

impl ConsensusNetwork for Link {
    fn broadcast_proposal(&self, encoded: Vec<u8>) {
        for peer in self.hub.others(self.me) {
            let bytes = encoded.clone();
            tokio::spawn(async move {
                peer.on_proposal(bytes).await;
            });
        }
    }

    fn broadcast_vote(&self, encoded: Vec<u8>) {
        for peer in self.hub.others(self.me) {
            let bytes = encoded.clone();
            tokio::spawn(async move {
                peer.on_vote(bytes).await;
            });
        }
    }

    fn broadcast_transaction(&self, encoded: Vec<u8>) {
        let pools: Vec<_> = self
            .hub
            .pools
            .lock()
            .iter()
            .filter(|(i, _)| **i != self.me)
            .map(|(_, p)| p.clone())
            .collect();
        for pool in pools {
            let _ = pool.submit(encoded.clone());
        }
    }

    fn request_votes(
        &self,
        height: u64,
        round: u32,
        step: u8,
        block: Option<H256>,
    ) -> BoxFuture<'static, Vec<VoteReply>> {
        let answers: Vec<VoteReply> = self
            .hub
            .others(self.me)
            .iter()
            .enumerate()
            .map(|(i, peer)| VoteReply {
                peer: PeerRef(i.to_le_bytes().to_vec()),
                votes: peer.votes_for(height, round, step, block),
            })
            .collect();
        Box::pin(async move { answers })
    }

    fn report_peer(&self, peer: &PeerRef, reason: &str) {
        self.hub.reports.lock().push(format!("{peer:?}: {reason}"));
    }
}

pub struct Node {
    pub client: Arc<Client>,
    pub pool: Arc<TransactionPool>,
    pub key: Option<Keypair>,
    pub config: BftConfig,
    schedules: Arc<ProposerSchedules>,
    task: Option<JoinHandle<()>>,
}

pub struct TestNet {
    pub dir: TempDir,
    pub hub: Arc<Hub>,
    pub nodes: Vec<Node>,
    sync: Option<JoinHandle<()>>,
}

pub fn timeouts() -> TimeoutConfig {
    TimeoutConfig {
        propose_ms: 600,
        propose_delta_ms: 200,
        prevote_ms: 300,
        prevote_delta_ms: 150,
        precommit_ms: 300,
        precommit_delta_ms: 150,
    }
}

impl TestNet {
    /// The four validators plus `followers` nodes without a key.
    pub fn new(epoch_length: u64, followers: usize) -> TestNet {
        let dir = tempfile::tempdir().unwrap();
        let plot_dir = dir.path().join("plots");
        let plots = fixture::create_plots(&plot_dir);
        let genesis = fixture::genesis(&plots, epoch_length);
        let hub = Arc::new(Hub::default());
        let keys = fixture::validator_keys()
            .into_iter()
            .map(Some)
            .chain((0..followers).map(|_| None));
        let nodes = keys
            .enumerate()
            .map(|(i, key)| {
                let node_dir = dir.path().join(format!("node{i}"));
                let schedules = Arc::new(ProposerSchedules::new());
                let verifier = Arc::new(BftVerifier::new(2_000, schedules.clone()));
                let client = fixture::open_client(&node_dir, &genesis, verifier.clone());
                verifier
                    .set_genesis_hash(client.chain_info().genesis_hash)
                    .unwrap();
                let pool = fixture::pool(&client);
                hub.pools.lock().insert(i, pool.clone());
                let mut config = BftConfig::under(&node_dir);
                config.plot_dir = plot_dir.clone();
                config.timeouts = timeouts();
                config.block_time = Duration::from_millis(100);
                Node {
                    client,
                    pool,
                    key,
                    config,
                    schedules,
                    task: None,
                }
            })
            .collect();
        TestNet {
            dir,
            hub,
            nodes,
            sync: None,
        }
    }

    /// Start (or restart) node `i`'s engine with its persisted state and guard.
    pub async fn start(&mut self, i: usize) {
        let node = &mut self.nodes[i];
        let mut attempts = 0;
        let (engine, handle) = loop {
            let deps = EngineDeps {
                client: node.client.clone(),
                pool: node.pool.clone(),
                network: Arc::new(Link {
                    hub: self.hub.clone(),
                    me: i,
                }),
                schedules: node.schedules.clone(),
            };
            match BftEngine::new(deps, node.key.clone(), node.config.clone()) {
                Ok(pair) => break pair,
                // A signing thread of the stopped engine may still hold the guard's lock.
                Err(EngineError::Guard(e)) if attempts < 100 => {
                    attempts += 1;
                    tracing::debug!("guard busy ({e}); retrying");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Err(e) => panic!("engine {i} failed to start: {e}"),
            }
        };
        self.hub.handles.lock().insert(i, handle);
        node.task = Some(tokio::spawn(engine.run()));
    }

    /// Stop node `i`'s engine: it neither sends nor receives any more.
    pub async fn stop(&mut self, i: usize) {
        self.hub.handles.lock().remove(&i);
        if let Some(task) = self.nodes[i].task.take() {
            task.abort();
            let _ = task.await;
        }
    }

    /// Copy finalized blocks to any node two or more blocks behind the best one.
    pub fn start_sync(&mut self) {
        let clients: Vec<Arc<Client>> = self.nodes.iter().map(|n| n.client.clone()).collect();
        self.sync = Some(tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(100)).await;
                let clients = clients.clone();
                let _ = tokio::task::spawn_blocking(move || sync_once(&clients)).await;
            }
        }));
    }

    pub fn finalized(&self, i: usize) -> u64 {
        self.nodes[i].client.chain_info().finalized_number
    }

    pub fn block(&self, i: usize, number: u64) -> SignedBlock {
        self.nodes[i]
            .client
            .block(BlockId::Number(number))
            .unwrap()
            .unwrap()
    }

    pub fn data_dir(&self, i: usize) -> PathBuf {
        self.dir.path().join(format!("node{i}"))
    }
}

impl Drop for TestNet {
    fn drop(&mut self) {
        if let Some(sync) = self.sync.take() {
            sync.abort();
        }
        for node in &mut self.nodes {
            if let Some(task) = node.task.take() {
                task.abort();
            }
        }
    }
}

fn sync_once(clients: &[Arc<Client>]) {
    let Some(source) = clients
        .iter()
        .max_by_key(|c| c.chain_info().finalized_number)
    else {
        return;
    };
    let top = source.chain_info().finalized_number;
    for target in clients {
        while target.chain_info().best_number + 2 <= top {
            let next = target.chain_info().best_number + 1;
            let Ok(Some(block)) = source.block(BlockId::Number(next)) else {
                return;
            };
            if let Err(e) = target.import_block(block, true) {
                tracing::debug!("sync import of #{next} failed: {e}");
                break;
            }
        }
    }
}

/// Poll `condition` until it holds; fail the test with `what` after `limit`.
pub async fn wait_for(what: &str, limit: Duration, mut condition: impl FnMut() -> bool) {
    let started = Instant::now();
    while !condition() {
        assert!(started.elapsed() < limit, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
