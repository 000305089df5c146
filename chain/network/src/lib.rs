//! HyperMesh networking on libp2p.
//!
//! - Transports: TCP (noise + yamux) and QUIC v1.
//! - identify, ping, Kademlia discovery, mDNS on dev/local chains only.
//! - Separate inbound and outbound connection limits (outbound slots are ours to fill, so
//!   dialers cannot eclipse the node), a cap on inbound connections per IP address, and
//!   temporary bans by PeerId and, once several peers from one address were banned, by IP.
//! - Gossipsub on three topics scoped to the genesis hash (transactions, proposals, votes),
//!   with application validation (`report_validation`) feeding peer scoring, so peers that
//!   send invalid messages are graylisted.
//! - A request-response sync protocol (`/hm/<genesis>/sync/1`) serving chain status, blocks
//!   with justifications by range, and votes, answered by a [`SyncProvider`].
//!
//! [`start`] spawns one task that owns the swarm; the node talks to it through the
//! cloneable [`NetworkHandle`] and receives [`NetworkEvent`]s on a bounded channel.

mod behaviour;
mod config;
mod error;
mod handle;
mod ip_guard;
mod key;
mod loopback_only;
mod protocol;
mod service;
mod swarm_events;
mod sync;
mod sync_codec;

pub use behaviour::{GOSSIP_THRESHOLD, GRAYLIST_THRESHOLD, PUBLISH_THRESHOLD};
pub use config::{
    parse_bootnode, NetworkConfig, DEFAULT_IP_BAN_THRESHOLD, DEFAULT_MAX_GOSSIP_BYTES,
    DEFAULT_MAX_INBOUND, DEFAULT_MAX_INBOUND_PER_IP, DEFAULT_MAX_OUTBOUND, MAX_TX_GOSSIP_BYTES,
    MAX_VOTE_GOSSIP_BYTES,
};
pub use error::{NetworkError, RequestError};
pub use handle::{NetworkEvent, NetworkHandle, NetworkStats, PeerInfo, Verdict};
pub use key::load_or_create_node_key;
pub use protocol::{sync_protocol, GossipTopic};
pub use service::start;
pub use sync::{
    ChainStatus, SyncProvider, SyncRequest, SyncResponse, MAX_BLOCKS_PER_RESPONSE,
    MAX_REQUEST_BYTES, MAX_RESPONSE_BYTES, MAX_VOTES_PER_RESPONSE,
};
pub use sync_codec::{read_frame, write_frame, SyncCodec};

pub use libp2p::gossipsub::MessageId;
pub use libp2p::{Multiaddr, PeerId};
