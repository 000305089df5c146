//! Names on the wire: gossip topics and stream protocols, all scoped to the genesis hash so
//! that nodes of different chains never exchange messages.

use hm_primitives::H256;
use libp2p::gossipsub::{IdentTopic, TopicHash};
use libp2p::StreamProtocol;

/// The three gossip topics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GossipTopic {
    Transactions,
    Proposals,
    Votes,
}

impl GossipTopic {
    pub const ALL: [GossipTopic; 3] = [
        GossipTopic::Transactions,
        GossipTopic::Proposals,
        GossipTopic::Votes,
    ];

    fn short_name(self) -> &'static str {
        match self {
            GossipTopic::Transactions => "tx",
            GossipTopic::Proposals => "proposal",
            GossipTopic::Votes => "vote",
        }
    }

    /// `/hm/<genesis hex>/<tx|proposal|vote>/1`.
    pub fn topic_name(self, genesis: &H256) -> String {
        format!("/hm/{}/{}/1", hex::encode(genesis.0), self.short_name())
    }
}

/// The topics of one chain, with their hashes for mapping incoming messages back.
#[derive(Debug, Clone)]
pub(crate) struct Topics {
    topics: [(GossipTopic, IdentTopic); 3],
}

impl Topics {
    pub(crate) fn new(genesis: &H256) -> Self {
        let make = |t: GossipTopic| (t, IdentTopic::new(t.topic_name(genesis)));
        Topics {
            topics: GossipTopic::ALL.map(make),
        }
    }

    pub(crate) fn ident(&self, topic: GossipTopic) -> &IdentTopic {
        // ALL lists every variant, so the search always succeeds; fall back to the first
        // entry rather than panic to keep this total.
        self.topics
            .iter()
            .find(|(t, _)| *t == topic)
            .map(|(_, ident)| ident)
            .unwrap_or(&self.topics[0].1)
    }

    pub(crate) fn hash(&self, topic: GossipTopic) -> TopicHash {
        self.ident(topic).hash()
    }

    pub(crate) fn lookup(&self, hash: &TopicHash) -> Option<GossipTopic> {
        self.topics
            .iter()
            .find(|(_, ident)| ident.hash() == *hash)
            .map(|(t, _)| *t)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &(GossipTopic, IdentTopic)> {
        self.topics.iter()
    }
}

/// `/hm/<genesis hex>/sync/1`.
pub fn sync_protocol(genesis: &H256) -> StreamProtocol {
    scoped_protocol(genesis, "sync")
}

/// `/hm/<genesis hex>/kad/1`.
pub(crate) fn kad_protocol(genesis: &H256) -> StreamProtocol {
    scoped_protocol(genesis, "kad")
}

fn scoped_protocol(genesis: &H256, name: &str) -> StreamProtocol {
    // The string always starts with '/', the only requirement of try_from_owned.
    StreamProtocol::try_from_owned(format!("/hm/{}/{name}/1", hex::encode(genesis.0)))
        .unwrap_or_else(|_| StreamProtocol::new("/hm/invalid/1"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_scoped_to_the_genesis_hash() {
        let g = H256([0xab; 32]);
        let hex = "ab".repeat(32);
        assert_eq!(
            GossipTopic::Transactions.topic_name(&g),
            format!("/hm/{hex}/tx/1")
        );
        assert_eq!(
            GossipTopic::Proposals.topic_name(&g),
            format!("/hm/{hex}/proposal/1")
        );
        assert_eq!(
            GossipTopic::Votes.topic_name(&g),
            format!("/hm/{hex}/vote/1")
        );
        assert_eq!(sync_protocol(&g).as_ref(), format!("/hm/{hex}/sync/1"));
        assert_ne!(sync_protocol(&g), sync_protocol(&H256::ZERO));
    }

    #[test]
    fn topic_hashes_map_back() {
        let topics = Topics::new(&H256([1; 32]));
        for t in GossipTopic::ALL {
            assert_eq!(topics.lookup(&topics.hash(t)), Some(t));
        }
        let other = Topics::new(&H256([2; 32]));
        assert_eq!(topics.lookup(&other.hash(GossipTopic::Votes)), None);
    }
}
