//! Helpers: in-process nodes on 127.0.0.1 with OS-chosen ports, a scripted sync provider,
//! and bounded polling.

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Duration;

use hm_network::{
    ChainStatus, GossipTopic, MessageId, Multiaddr, NetworkConfig, NetworkEvent, NetworkHandle,
    PeerId, SyncProvider,
};
use hm_primitives::H256;
use libp2p::multiaddr::Protocol;
use tokio::sync::mpsc;

/// Generous upper bound for anything the tests wait for; never a timing assertion.
pub const PATIENCE: Duration = Duration::from_secs(90);

pub const GENESIS: H256 = H256([0x11; 32]);
pub const OTHER_GENESIS: H256 = H256([0x22; 32]);

/// Serves `blocks[i]` as the block at height `i`, and echoes vote queries.
pub struct TestProvider {
    pub genesis: H256,
    pub blocks: Vec<Vec<u8>>,
}

impl TestProvider {
    pub fn new(genesis: H256, blocks: Vec<Vec<u8>>) -> Arc<Self> {
        Arc::new(TestProvider { genesis, blocks })
    }
}

impl SyncProvider for TestProvider {
    fn status(&self) -> ChainStatus {
        let best = self.blocks.len().saturating_sub(1) as u64;
        ChainStatus {
            genesis_hash: self.genesis,
            best_number: best,
            best_hash: H256([best as u8; 32]),
            finalized_number: best.saturating_sub(1),
            finalized_hash: H256([best.saturating_sub(1) as u8; 32]),
        }
    }

    fn blocks(&self, from: u64, max: u32) -> Vec<Vec<u8>> {
        let start = usize::try_from(from)
            .unwrap_or(usize::MAX)
            .min(self.blocks.len());
        self.blocks[start..]
            .iter()
            .take(max as usize)
            .cloned()
            .collect()
    }

    fn votes(&self, height: u64, round: u32, step: u8, block_hash: Option<H256>) -> Vec<Vec<u8>> {
        let mut vote = height.to_le_bytes().to_vec();
        vote.extend(round.to_le_bytes());
        vote.push(step);
        vote.extend(block_hash.map(|h| h.0.to_vec()).unwrap_or_default());
        vec![vote.clone(), vote]
    }
}

pub struct Node {
    pub handle: NetworkHandle,
    pub events: mpsc::Receiver<NetworkEvent>,
    /// Holds the node key; removed when the node is dropped.
    pub _dir: tempfile::TempDir,
}

pub fn test_config(dir: &tempfile::TempDir, genesis: H256) -> NetworkConfig {
    let mut config = NetworkConfig::new(dir.path().join("network").join("secret_ed25519"), genesis);
    config.listen_ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
    config.listen_port = 0;
    config.enable_mdns = false;
    // Every test node shares 127.0.0.1; the tests of the cap set it themselves.
    config.max_inbound_per_ip = None;
    config.gossip_heartbeat = Duration::from_millis(200);
    config.status_interval = Duration::from_secs(1);
    config.discovery_interval = Duration::from_secs(1);
    config
}

/// Start a node on 127.0.0.1 after letting `tweak` adjust its config.
pub fn spawn_with(
    genesis: H256,
    bootnodes: Vec<Multiaddr>,
    provider: Arc<dyn SyncProvider>,
    tweak: impl FnOnce(&mut NetworkConfig),
) -> Node {
    init_logs();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = test_config(&dir, genesis);
    config.bootnodes = bootnodes;
    tweak(&mut config);
    let (handle, events) = hm_network::start(config, provider).expect("network starts");
    Node {
        handle,
        events,
        _dir: dir,
    }
}

pub fn spawn(genesis: H256, bootnodes: Vec<Multiaddr>) -> Node {
    spawn_with(
        genesis,
        bootnodes,
        TestProvider::new(genesis, vec![]),
        |_| {},
    )
}

impl Node {
    pub fn peer_id(&self) -> PeerId {
        self.handle.local_peer_id()
    }

    /// The node's listen address for a transport (`"tcp"` or `"quic"`), with `/p2p/<id>`.
    pub async fn addr(&self, transport: &str) -> Multiaddr {
        let peer = self.peer_id();
        let addrs = eventually("listen address", || async {
            let addrs = self.handle.listen_addrs().await;
            let wanted = addrs.into_iter().find(|a| {
                a.iter().any(|p| match transport {
                    "quic" => matches!(p, Protocol::QuicV1),
                    _ => matches!(p, Protocol::Tcp(_)),
                })
            });
            wanted
        })
        .await;
        addrs.with(Protocol::P2p(peer))
    }

    pub async fn connected_to(&self, other: &PeerId) -> bool {
        self.handle
            .peers()
            .await
            .iter()
            .any(|p| p.peer_id == *other)
    }

    /// Next gossip message, skipping other events; `None` when `wait` passes without one.
    pub async fn next_gossip(
        &mut self,
        wait: Duration,
    ) -> Option<(GossipTopic, Vec<u8>, MessageId, PeerId)> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.events.recv()).await {
                Ok(Some(NetworkEvent::Gossip {
                    topic,
                    data,
                    id,
                    source,
                })) => return Some((topic, data, id, source)),
                Ok(Some(_)) => continue,
                Ok(None) | Err(_) => return None,
            }
        }
    }
}

/// Logs from `RUST_LOG`, captured per test.
pub fn init_logs() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
}

/// Poll `check` until it yields `Some`, panicking after `PATIENCE`.
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("gave up waiting for: {what}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Wait until `node` lists every peer in `others` as connected.
pub async fn wait_connected(node: &Node, others: &[PeerId]) {
    eventually("peers connected", || async {
        let peers = node.handle.peers().await;
        others
            .iter()
            .all(|o| peers.iter().any(|p| p.peer_id == *o))
            .then_some(())
    })
    .await;
}
