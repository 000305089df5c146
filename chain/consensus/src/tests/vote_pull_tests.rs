//! Replies to vote requests: only what was asked is used, a reply is capped near the
//! validator count, and the first bad vote ends the reply and gets its sender reported.
//! Signature checks are counted, never timed.
use super::fixture;
use super::gossip_tests::Node;
use crate::messages::{decode_vote, encode_vote};
use crate::network::{PeerRef, VoteReply};
use crate::vote_pull::{at_most_per_validator, ReplyOutcome, VoteQuery};
use hm_consensus_bft::VoteStep;
use hm_crypto::Keypair;
use hm_primitives::H256;

/// Height 1, round 0: where a follower with long rounds stays for the whole test.
const PREVOTES: VoteQuery = VoteQuery {
    height: 1,
    round: 0,
    step: VoteStep::Prevote,
    block: None,
};

fn peer(n: u8) -> PeerRef {
    PeerRef(vec![n])
}

fn prevote(node: &Node, key: &Keypair, round: u32, block: Option<H256>) -> Vec<u8> {
    encode_vote(&node.signed(key, 1, round, VoteStep::Prevote, block))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn votes_not_asked_for_make_the_reply_ignored_unchecked() {
    let node = Node::new();
    let (handle, _task) = node.start(None, 600_000).await;
    let [alice, bob, ..] = &fixture::validator_keys()[..] else {
        unreachable!("four validators")
    };
    let asked = prevote(&node, alice, 0, None);
    let not_asked = [
        prevote(&node, bob, 1, None),
        encode_vote(&node.signed(bob, 1, 0, VoteStep::Precommit, None)),
        encode_vote(&node.signed(bob, 2, 0, VoteStep::Prevote, None)),
    ];
    for other in &not_asked {
        let reply = VoteReply {
            peer: peer(1),
            votes: vec![asked.clone(), other.clone()],
        };
        let outcome = handle.core.take_vote_reply(PREVOTES, reply).await;
        let ignored = ReplyOutcome {
            off_query: true,
            ..ReplyOutcome::default()
        };
        assert_eq!(outcome, ignored, "{:?}", decode_vote(other).unwrap().vote);
    }
    // Asked for the votes for one block: a nil vote is not one of them.
    let for_block = VoteQuery {
        block: Some(H256([7; 32])),
        ..PREVOTES
    };
    let reply = VoteReply {
        peer: peer(1),
        votes: vec![prevote(&node, alice, 0, Some(H256([7; 32]))), asked.clone()],
    };
    assert!(
        handle
            .core
            .take_vote_reply(for_block, reply)
            .await
            .off_query
    );
    let stats = handle.vote_pull_stats();
    assert_eq!(stats.signatures_checked, 0);
    assert_eq!(stats.replies_off_query, 4);
    assert!(node.network.reports.lock().is_empty());

    // The same vote in a reply of only what was asked is checked and used.
    let reply = VoteReply {
        peer: peer(1),
        votes: vec![asked],
    };
    let outcome = handle.core.take_vote_reply(PREVOTES, reply).await;
    assert_eq!((outcome.verified, outcome.delivered), (1, 1));
    assert_eq!(handle.vote_pull_stats().signatures_checked, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replies_are_capped_near_the_validator_count_on_both_sides() {
    let node = Node::new();
    let (handle, _task) = node.start(None, 600_000).await;
    let bob = fixture::key("bob");
    let eve = fixture::key("eve");
    // Four validators: at most 8 entries are read. The 4 past them (votes of a
    // non-validator, which would get the sender reported) are never looked at.
    let mut votes = vec![prevote(&node, &bob, 0, None); 8];
    votes.extend(vec![prevote(&node, &eve, 0, None); 4]);
    let outcome = handle
        .core
        .take_vote_reply(
            PREVOTES,
            VoteReply {
                peer: peer(2),
                votes,
            },
        )
        .await;
    assert_eq!(
        outcome,
        ReplyOutcome {
            over_cap: 4,
            // Eight copies of one vote cost one signature check.
            verified: 1,
            delivered: 1,
            ..ReplyOutcome::default()
        }
    );
    let stats = handle.vote_pull_stats();
    assert_eq!((stats.replies_over_cap, stats.signatures_checked), (1, 1));
    assert!(node.network.reports.lock().is_empty());

    // Serving: bob equivocated three ways. A reply carries two of his votes, enough to
    // prove it, and never more than a vote and a conflicting one per validator.
    let alice = fixture::key("alice");
    let held: Vec<_> = [None, Some(H256([1; 32])), Some(H256([2; 32]))]
        .into_iter()
        .map(|block| node.signed(&bob, 1, 0, VoteStep::Prevote, block))
        .chain([node.signed(&alice, 1, 0, VoteStep::Prevote, None)])
        .collect();
    let served = at_most_per_validator(held.clone());
    assert_eq!(
        served,
        vec![held[0].clone(), held[1].clone(), held[3].clone()]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_bad_vote_ends_the_reply_and_reports_its_sender() {
    let node = Node::new();
    let (handle, _task) = node.start(None, 600_000).await;
    let [alice, bob, charlie, dave] = &fixture::validator_keys()[..] else {
        unreachable!("four validators")
    };
    // Bob's vote carries the signature of another of his votes.
    let mut forged = node.signed(bob, 1, 0, VoteStep::Prevote, None);
    forged.signature = node.signed(bob, 1, 1, VoteStep::Prevote, None).signature;
    let reply = VoteReply {
        peer: peer(3),
        votes: vec![
            prevote(&node, alice, 0, None),
            encode_vote(&forged),
            prevote(&node, charlie, 0, None),
            prevote(&node, dave, 0, None),
        ],
    };
    let outcome = handle.core.take_vote_reply(PREVOTES, reply).await;
    // Alice's vote passed and is used; checking stopped at bob's, so charlie's and
    // dave's signatures were never checked.
    assert_eq!((outcome.verified, outcome.delivered), (2, 1));
    assert_eq!(handle.vote_pull_stats().signatures_checked, 2);
    let reason = outcome.reported.expect("the sender is reported");
    assert!(reason.contains(&bob.account_id().to_string()), "{reason}");
    assert!(reason.contains("signature does not verify"), "{reason}");
    assert_eq!(*node.network.reports.lock(), vec![(peer(3), reason)]);

    // A vote that does not decode, or is not from a validator, costs no check at all.
    let eve = fixture::key("eve");
    for bad in [vec![0xff; 40], prevote(&node, &eve, 0, None)] {
        let reply = VoteReply {
            peer: peer(4),
            votes: vec![bad, prevote(&node, charlie, 0, None)],
        };
        let outcome = handle.core.take_vote_reply(PREVOTES, reply).await;
        assert_eq!(outcome.verified, 0);
        assert!(outcome.reported.is_some());
    }
    assert_eq!(handle.vote_pull_stats().signatures_checked, 2);
    assert_eq!(handle.vote_pull_stats().peers_reported, 3);
    assert_eq!(node.network.reports.lock().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_past_its_time_budget_is_dropped_unchecked_and_its_sender_kept() {
    let node = Node::new();
    let (handle, _task) = node.start(None, 600_000).await;
    let [alice, bob, ..] = &fixture::validator_keys()[..] else {
        unreachable!("four validators")
    };
    let votes = vec![prevote(&node, alice, 0, None), prevote(&node, bob, 0, None)];
    // No time at all: the budget has run out before the first check.
    handle.core.pulls.set_budget(std::time::Duration::ZERO);
    let reply = VoteReply {
        peer: peer(4),
        votes: votes.clone(),
    };
    let outcome = handle.core.take_vote_reply(PREVOTES, reply).await;
    assert_eq!(
        outcome,
        ReplyOutcome {
            out_of_time: 2,
            ..ReplyOutcome::default()
        }
    );
    let stats = handle.vote_pull_stats();
    assert_eq!(
        (stats.signatures_checked, stats.replies_out_of_time),
        (0, 1)
    );
    assert!(node.network.reports.lock().is_empty(), "nobody reported");

    // With the normal budget the same reply is checked and used.
    handle
        .core
        .pulls
        .set_budget(crate::vote_pull::VERIFY_BUDGET);
    let reply = VoteReply {
        peer: peer(4),
        votes,
    };
    let outcome = handle.core.take_vote_reply(PREVOTES, reply).await;
    assert_eq!(
        (outcome.verified, outcome.delivered, outcome.out_of_time),
        (2, 2, 0)
    );
}
