//! Gossip delivery, validation verdicts, peer scoring, size limits and chain separation.

use std::time::Duration;

use hm_network::{GossipTopic, NetworkEvent, Verdict, GRAYLIST_THRESHOLD};

use crate::common::*;

const POLL: Duration = Duration::from_millis(300);

/// Publish fresh payloads from `from` until every receiver got one on `topic`; receivers
/// report `verdict`. Returns what each receiver got. Retrying covers the moments before
/// subscriptions are exchanged, when a publish has nobody to go to.
async fn publish_until_all_receive(
    from: &Node,
    receivers: &mut [&mut Node],
    topic: GossipTopic,
    prefix: &str,
    verdict: Verdict,
) -> Vec<Vec<u8>> {
    let mut got: Vec<Option<Vec<u8>>> = vec![None; receivers.len()];
    let deadline = tokio::time::Instant::now() + PATIENCE;
    let mut attempt = 0u32;
    while got.iter().any(Option::is_none) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{prefix}: not delivered"
        );
        from.handle
            .publish(topic, format!("{prefix}-{attempt}").into_bytes());
        attempt += 1;
        for (i, node) in receivers.iter_mut().enumerate() {
            while let Some((t, data, id, source)) = node.next_gossip(POLL).await {
                node.handle.report_validation(id, source, verdict);
                if t == topic && data.starts_with(prefix.as_bytes()) && got[i].is_none() {
                    got[i] = Some(data);
                    break;
                }
            }
        }
    }
    got.into_iter().flatten().collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_topic_reaches_all_peers_and_never_another_chain() {
    let a = spawn(GENESIS, vec![]);
    let a_addr = a.addr("tcp").await;
    let mut b = spawn(GENESIS, vec![a_addr.clone()]);
    let mut c = spawn(GENESIS, vec![a_addr.clone()]);
    let mut stranger = spawn(OTHER_GENESIS, vec![a_addr]);
    wait_connected(&a, &[b.peer_id(), c.peer_id()]).await;

    for topic in GossipTopic::ALL {
        let prefix = format!("{topic:?}");
        let got =
            publish_until_all_receive(&a, &mut [&mut b, &mut c], topic, &prefix, Verdict::Accept)
                .await;
        assert_eq!(got.len(), 2);
    }

    // The node on another chain was refused on both sides and saw no gossip.
    // Whichever side notices first disconnects; the other may only see the connection close.
    eventually("genesis mismatch detected", || async {
        (a.handle.stats().genesis_mismatches + stranger.handle.stats().genesis_mismatches >= 1)
            .then_some(())
    })
    .await;
    eventually("stranger disconnected", || async {
        (!a.connected_to(&stranger.peer_id()).await && stranger.handle.peer_count() == 0)
            .then_some(())
    })
    .await;
    while let Ok(event) = stranger.events.try_recv() {
        assert!(!matches!(event, NetworkEvent::Gossip { .. }), "{event:?}");
        assert!(
            !matches!(event, NetworkEvent::PeerConnected { .. }),
            "{event:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn rejected_messages_graylist_their_sender() {
    let mut a = spawn(GENESIS, vec![]);
    let b = spawn(GENESIS, vec![a.addr("tcp").await]);
    wait_connected(&a, &[b.peer_id()]).await;

    // `a` rejects everything `b` sends until `b`'s score falls below the graylist line.
    let mut rejected = 0;
    let deadline = tokio::time::Instant::now() + PATIENCE;
    let score = loop {
        assert!(tokio::time::Instant::now() < deadline, "never graylisted");
        b.handle.publish(
            GossipTopic::Votes,
            format!("bad-vote-{rejected}-{:?}", tokio::time::Instant::now()).into_bytes(),
        );
        if let Some((_, _, id, source)) = a.next_gossip(POLL).await {
            assert_eq!(source, b.peer_id());
            a.handle.report_validation(id, source, Verdict::Reject);
            rejected += 1;
        }
        let peers = a.handle.peers().await;
        let score = peers
            .iter()
            .find(|p| p.peer_id == b.peer_id())
            .and_then(|p| p.gossip_score);
        if let Some(score) = score.filter(|s| *s < GRAYLIST_THRESHOLD) {
            break score;
        }
    };
    assert!(
        rejected >= 2,
        "graylisted after {rejected} rejections (score {score})"
    );

    // Nothing more from `b` gets through while graylisted.
    for i in 0..5 {
        b.handle.publish(
            GossipTopic::Votes,
            format!("after-graylist-{i}").into_bytes(),
        );
    }
    let leaked = a.next_gossip(Duration::from_secs(3)).await;
    assert!(
        leaked.is_none(),
        "graylisted peer's message delivered: {leaked:?}"
    );
    assert!(
        a.connected_to(&b.peer_id()).await,
        "graylisting keeps the connection"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn accepted_messages_propagate_and_ignored_ones_stop() {
    // A line a - b - c: discovery is off so a and c never meet.
    let line = |c: &mut hm_network::NetworkConfig| c.enable_discovery = false;
    let provider = || TestProvider::new(GENESIS, vec![]);
    let a = spawn_with(GENESIS, vec![], provider(), line);
    let mut b = spawn_with(GENESIS, vec![a.addr("tcp").await], provider(), line);
    let mut c = spawn_with(GENESIS, vec![b.addr("tcp").await], provider(), line);
    wait_connected(&b, &[a.peer_id(), c.peer_id()]).await;
    assert!(!a.connected_to(&c.peer_id()).await);

    // b ignores the first message it sees and accepts the next ones: only accepted ones
    // reach c, and they come from b.
    let mut ignored = None;
    let deadline = tokio::time::Instant::now() + PATIENCE;
    let mut attempt = 0;
    let received_by_c = loop {
        assert!(tokio::time::Instant::now() < deadline, "nothing reached c");
        a.handle.publish(
            GossipTopic::Proposals,
            format!("proposal-{attempt}").into_bytes(),
        );
        attempt += 1;
        while let Some((_, data, id, source)) = b.next_gossip(POLL).await {
            let verdict = if ignored.is_none() {
                ignored = Some(data);
                Verdict::Ignore
            } else {
                Verdict::Accept
            };
            b.handle.report_validation(id, source, verdict);
        }
        if let Some((topic, data, id, source)) = c.next_gossip(POLL).await {
            assert_eq!(topic, GossipTopic::Proposals);
            assert_eq!(source, b.peer_id(), "c only hears b");
            c.handle.report_validation(id, source, Verdict::Accept);
            break data;
        }
    };
    assert_ne!(
        Some(&received_by_c),
        ignored.as_ref(),
        "an ignored message was forwarded"
    );
    while let Some((_, data, id, source)) = c.next_gossip(Duration::from_millis(500)).await {
        c.handle.report_validation(id, source, Verdict::Accept);
        assert_ne!(
            Some(&data),
            ignored.as_ref(),
            "an ignored message was forwarded"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn oversized_gossip_is_not_delivered() {
    const SMALL_LIMIT: usize = 64 * 1024;
    let provider = || TestProvider::new(GENESIS, vec![]);
    let mut a = spawn_with(GENESIS, vec![], provider(), |c| {
        c.max_gossip_bytes = SMALL_LIMIT
    });
    let b = spawn_with(GENESIS, vec![a.addr("tcp").await], provider(), |c| {
        c.max_gossip_bytes = 1024 * 1024
    });
    wait_connected(&a, &[b.peer_id()]).await;
    // Gossip between them works.
    publish_until_all_receive(
        &b,
        &mut [&mut a],
        GossipTopic::Proposals,
        "warmup",
        Verdict::Accept,
    )
    .await;

    // b's own limit allows this proposal; a's does not.
    let oversized = vec![0x5a; SMALL_LIMIT + 1024];
    b.handle.publish(GossipTopic::Proposals, oversized.clone());
    // a refuses to send one over its own limit, too.
    a.handle
        .publish(GossipTopic::Proposals, vec![0x5b; SMALL_LIMIT + 1]);

    let got = a.next_gossip(Duration::from_secs(3)).await;
    assert!(
        got.is_none(),
        "oversized message delivered ({} bytes)",
        got.map_or(0, |g| g.1.len())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_slow_consumer_loses_gossip_instead_of_stalling_the_swarm() {
    let provider = || TestProvider::new(GENESIS, vec![]);
    let a = spawn_with(GENESIS, vec![], provider(), |c| {
        c.event_channel_capacity = 2
    });
    let b = spawn(GENESIS, vec![a.addr("tcp").await]);
    wait_connected(&b, &[a.peer_id()]).await;
    // Nobody reads a's events.
    let mut i = 0u32;
    eventually("gossip dropped", || {
        i += 1;
        b.handle
            .publish(GossipTopic::Transactions, format!("tx-{i}").into_bytes());
        let dropped = a.handle.stats().gossip_events_dropped;
        async move { (dropped > 0).then_some(()) }
    })
    .await;
    // The swarm still answers.
    assert!(a
        .handle
        .peers()
        .await
        .iter()
        .any(|p| p.peer_id == b.peer_id()));
}
