//! Discovery, connection limits, bans, transports and the persistent node key.

use hm_network::{NetworkError, RequestError, SyncRequest, SyncResponse};
use libp2p::multiaddr::Protocol;

use crate::common::*;

#[tokio::test(flavor = "multi_thread")]
async fn kademlia_finds_peers_beyond_the_bootnode() {
    let a = spawn(GENESIS, vec![]);
    let a_addr = a.addr("tcp").await;
    let b = spawn(GENESIS, vec![a_addr.clone()]);
    wait_connected(&a, &[b.peer_id()]).await;
    // c knows only a, and meets b through a's routing table.
    let c = spawn(GENESIS, vec![a_addr]);
    wait_connected(&c, &[a.peer_id(), b.peer_id()]).await;
    wait_connected(&b, &[c.peer_id()]).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn max_inbound_refuses_further_inbound_connections() {
    let provider = TestProvider::new(GENESIS, vec![]);
    let a = spawn_with(GENESIS, vec![], provider, |c| c.max_inbound = 1);
    let a_addr = a.addr("tcp").await;
    let b = spawn(GENESIS, vec![a_addr.clone()]);
    wait_connected(&a, &[b.peer_id()]).await;

    let c = spawn(GENESIS, vec![a_addr]);
    eventually("second inbound connection refused", || async {
        (a.handle.stats().connections_denied >= 1).then_some(())
    })
    .await;
    let peers = a.handle.peers().await;
    assert_eq!(peers.len(), 1, "{peers:?}");
    assert_eq!(peers[0].peer_id, b.peer_id());
    assert!(!c.connected_to(&a.peer_id()).await);
    assert_eq!(a.handle.peer_count(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn reported_peers_are_disconnected_and_kept_out() {
    let a = spawn(GENESIS, vec![]);
    let b = spawn(GENESIS, vec![a.addr("tcp").await]);
    wait_connected(&a, &[b.peer_id()]).await;

    a.handle
        .report_peer(b.peer_id(), "served a block with a bad justification");
    eventually("both sides disconnected", || async {
        (a.handle.peer_count() == 0 && b.handle.peer_count() == 0).then_some(())
    })
    .await;
    assert_eq!(a.handle.stats().peers_banned, 1);
    assert_eq!(
        a.handle.request(b.peer_id(), SyncRequest::Status).await,
        Err(RequestError::NotConnected)
    );
    // b keeps redialing its bootnode; a refuses while the ban lasts.
    eventually("redial refused", || async {
        (a.handle.stats().connections_denied >= 1).then_some(())
    })
    .await;
    assert!(!a.connected_to(&b.peer_id()).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn tcp_and_quic_both_carry_connections() {
    let a = spawn(GENESIS, vec![]);
    let over_tcp = spawn(GENESIS, vec![a.addr("tcp").await]);
    let over_quic = spawn(GENESIS, vec![a.addr("quic").await]);
    wait_connected(&a, &[over_tcp.peer_id(), over_quic.peer_id()]).await;

    assert_eq!(transport_of(&a, &over_tcp.peer_id()).await, "tcp");
    assert_eq!(transport_of(&a, &over_quic.peer_id()).await, "quic");

    for node in [&over_tcp, &over_quic] {
        let response = node
            .handle
            .request(a.peer_id(), SyncRequest::Status)
            .await
            .unwrap();
        assert!(matches!(response, SyncResponse::Status(s) if s.genesis_hash == GENESIS));
    }
}

/// The transport of `node`'s connection to `peer`.
async fn transport_of(node: &Node, peer: &libp2p::PeerId) -> &'static str {
    let peers = node.handle.peers().await;
    let info = peers
        .iter()
        .find(|p| p.peer_id == *peer)
        .expect("connected");
    if info.address.iter().any(|p| matches!(p, Protocol::QuicV1)) {
        "quic"
    } else if info.address.iter().any(|p| matches!(p, Protocol::Tcp(_))) {
        "tcp"
    } else {
        "other"
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn node_key_persists_across_restarts_and_corruption_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let start = || {
        let config = test_config(&dir, GENESIS);
        hm_network::start(config, TestProvider::new(GENESIS, vec![]))
    };
    let first = {
        let (handle, _events) = start().unwrap();
        handle.local_peer_id()
        // Dropping the handle stops the swarm and frees its ports.
    };
    let (handle, _events) = start().unwrap();
    assert_eq!(handle.local_peer_id(), first);
    drop(handle);

    let key_path = dir.path().join("network").join("secret_ed25519");
    std::fs::write(&key_path, b"definitely not a key").unwrap();
    match start() {
        Err(NetworkError::NodeKey { path, reason }) => {
            assert_eq!(path, key_path);
            assert!(!reason.is_empty());
        }
        Err(other) => panic!("wrong error: {other}"),
        Ok(_) => panic!("a corrupt key must not start the network"),
    }
    assert_eq!(std::fs::read(&key_path).unwrap(), b"definitely not a key");
}
