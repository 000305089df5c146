//! Eclipse resistance: a cap on inbound connections per IP address, bans that follow an
//! address rather than a replaceable PeerId, and outbound slots that inbound connections
//! cannot take. Every node here is on 127.0.0.1, each with its own identity.

use crate::common::*;

#[tokio::test(flavor = "multi_thread")]
async fn the_inbound_connection_past_the_per_ip_cap_is_refused() {
    let provider = TestProvider::new(GENESIS, vec![]);
    let a = spawn_with(GENESIS, vec![], provider, |c| {
        c.max_inbound_per_ip = Some(2);
        c.enable_discovery = false;
    });
    let a_addr = a.addr("tcp").await;
    let b = spawn(GENESIS, vec![a_addr.clone()]);
    let c = spawn(GENESIS, vec![a_addr.clone()]);
    wait_connected(&a, &[b.peer_id(), c.peer_id()]).await;

    let d = spawn(GENESIS, vec![a_addr]);
    eventually(
        "third inbound connection from 127.0.0.1 refused",
        || async { (a.handle.stats().connections_denied >= 1).then_some(()) },
    )
    .await;
    assert_eq!(a.handle.peer_count(), 2);
    assert!(!a.connected_to(&d.peer_id()).await);
    assert!(!d.connected_to(&a.peer_id()).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_banned_address_refuses_fresh_peer_ids() {
    let provider = TestProvider::new(GENESIS, vec![]);
    // The address is banned once two peers from it were.
    let a = spawn_with(GENESIS, vec![], provider, |c| {
        c.ip_ban_threshold = Some(2);
        c.enable_discovery = false;
    });
    let a_addr = a.addr("tcp").await;

    let first = spawn(GENESIS, vec![a_addr.clone()]);
    wait_connected(&a, &[first.peer_id()]).await;
    a.handle
        .report_peer(first.peer_id(), "served a forged vote");
    eventually("first offender gone", || async {
        (a.handle.peer_count() == 0).then_some(())
    })
    .await;
    // One offender does not cost its address: others behind it still connect.
    assert_eq!(a.handle.stats().ips_banned, 0);
    let second = spawn(GENESIS, vec![a_addr.clone()]);
    wait_connected(&a, &[second.peer_id()]).await;

    a.handle
        .report_peer(second.peer_id(), "served a forged vote");
    eventually("address banned", || async {
        (a.handle.stats().ips_banned == 1 && a.handle.peer_count() == 0).then_some(())
    })
    .await;
    // Only the fresh identity dials from here on.
    drop((first, second));
    let denied_before = a.handle.stats().connections_denied;

    // A new identity from the same address is refused while the ban lasts.
    let fresh = spawn(GENESIS, vec![a_addr]);
    eventually("fresh identity refused", || async {
        (a.handle.stats().connections_denied > denied_before).then_some(())
    })
    .await;
    assert!(!a.connected_to(&fresh.peer_id()).await);
    assert!(!fresh.connected_to(&a.peer_id()).await);
    assert_eq!(a.handle.stats().peers_banned, 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn outbound_to_a_bootnode_succeeds_while_inbound_slots_are_full() {
    let bootnode = spawn(GENESIS, vec![]);
    let bootnode_addr = bootnode.addr("tcp").await;
    let provider = TestProvider::new(GENESIS, vec![]);
    let a = spawn_with(GENESIS, vec![], provider, |c| {
        c.max_inbound = 1;
        c.enable_discovery = false;
    });
    let a_addr = a.addr("tcp").await;
    let inbound = spawn(GENESIS, vec![a_addr.clone()]);
    wait_connected(&a, &[inbound.peer_id()]).await;
    let refused = spawn(GENESIS, vec![a_addr]);
    eventually("inbound slots full", || async {
        (a.handle.stats().connections_denied >= 1).then_some(())
    })
    .await;

    a.handle.dial(bootnode_addr);
    wait_connected(&a, &[inbound.peer_id(), bootnode.peer_id()]).await;
    let peers = a.handle.peers().await;
    let outbound: Vec<_> = peers.iter().filter(|p| !p.inbound).collect();
    assert_eq!(outbound.len(), 1, "{peers:?}");
    assert_eq!(outbound[0].peer_id, bootnode.peer_id());
    assert!(!a.connected_to(&refused.peer_id()).await);
}
