//! What the swarm task does with each swarm and behaviour event.

use libp2p::core::ConnectedPoint;
use libp2p::request_response::{self, OutboundFailure, OutboundRequestId};
use libp2p::swarm::{ListenError, SwarmEvent};
use libp2p::{gossipsub, identify, kad, mdns, ping, Multiaddr, PeerId};

use crate::behaviour::BehaviourEvent;
use crate::error::RequestError;
use crate::handle::{Counters, NetworkEvent};
use crate::ip_guard::ip_of;
use crate::service::{PeerEntry, PendingRequest, Service};
use crate::sync::{ChainStatus, SyncResponse};

impl Service {
    pub(crate) fn on_swarm_event(&mut self, event: SwarmEvent<BehaviourEvent>) {
        match event {
            SwarmEvent::Behaviour(event) => self.on_behaviour_event(event),
            SwarmEvent::NewListenAddr { address, .. } => {
                let peer = self.swarm.local_peer_id();
                tracing::info!("Listening on {address}/p2p/{peer}");
            }
            SwarmEvent::ConnectionEstablished {
                peer_id,
                endpoint,
                num_established,
                ..
            } if num_established.get() == 1 => {
                let inbound = matches!(endpoint, ConnectedPoint::Listener { .. });
                tracing::debug!(peer = %peer_id, addr = %endpoint.get_remote_address(), inbound, "Connected");
                self.peers.insert(
                    peer_id,
                    PeerEntry {
                        address: endpoint.get_remote_address().clone(),
                        inbound,
                        status: None,
                        announced: false,
                        status_probe_pending: false,
                    },
                );
                // The chain check: a peer of another chain fails this request because
                // the protocol name carries the genesis hash.
                self.probe_status(peer_id);
            }
            SwarmEvent::ConnectionClosed {
                peer_id,
                num_established: 0,
                cause,
                ..
            } => {
                tracing::debug!(peer = %peer_id, ?cause, "Disconnected");
                if let Some(entry) = self.peers.remove(&peer_id) {
                    if entry.announced {
                        self.counters
                            .peer_count
                            .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
                        self.emit(NetworkEvent::PeerDisconnected(peer_id));
                    }
                }
            }
            SwarmEvent::IncomingConnectionError {
                error,
                send_back_addr,
                ..
            } => {
                if let ListenError::Denied { cause } = &error {
                    Counters::bump(&self.counters.connections_denied);
                    tracing::debug!(addr = %send_back_addr, "Inbound connection refused: {cause}");
                } else {
                    tracing::debug!(addr = %send_back_addr, "Inbound connection failed: {error}");
                }
            }
            SwarmEvent::OutgoingConnectionError { peer_id, error, .. } => {
                tracing::debug!(peer = ?peer_id, "Dial failed: {error}");
            }
            SwarmEvent::ListenerError { error, .. } => {
                tracing::warn!("Listener error: {error}");
            }
            SwarmEvent::ExpiredListenAddr { address, .. } => {
                tracing::info!(%address, "No longer listening on address");
            }
            _ => {}
        }
    }

    fn on_behaviour_event(&mut self, event: BehaviourEvent) {
        match event {
            BehaviourEvent::Blocked(never) => match never {},
            BehaviourEvent::IpGuard(never) => match never {},
            BehaviourEvent::Limits(never) => match never {},
            BehaviourEvent::Gossipsub(event) => self.on_gossip_event(event),
            BehaviourEvent::Sync(event) => self.on_sync_event(event),
            BehaviourEvent::Identify(event) => self.on_identify_event(event),
            BehaviourEvent::Kad(event) => self.on_kad_event(event),
            BehaviourEvent::Mdns(event) => self.on_mdns_event(event),
            // A peer that does not speak ping is not dead; the idle timeout covers it.
            BehaviourEvent::Ping(ping::Event {
                result: Err(ping::Failure::Unsupported),
                ..
            }) => {}
            BehaviourEvent::Ping(ping::Event {
                peer,
                connection,
                result: Err(failure),
            }) => {
                tracing::debug!(%peer, "Ping failed, closing connection: {failure}");
                self.swarm.close_connection(connection);
            }
            BehaviourEvent::Ping(_) => {}
        }
    }

    fn on_gossip_event(&mut self, event: gossipsub::Event) {
        let gossipsub::Event::Message {
            propagation_source,
            message_id,
            message,
        } = event
        else {
            return;
        };
        match self.topics.lookup(&message.topic) {
            Some(topic) => {
                let event = NetworkEvent::Gossip {
                    topic,
                    data: message.data,
                    id: message_id.clone(),
                    source: propagation_source,
                };
                self.deliver_gossip(event, message_id, propagation_source);
            }
            // We subscribe to our own topics only, so this is unexpected; forget it.
            None => {
                self.swarm
                    .behaviour_mut()
                    .gossipsub
                    .report_message_validation_result(
                        &message_id,
                        &propagation_source,
                        gossipsub::MessageAcceptance::Ignore,
                    );
            }
        }
    }

    fn on_sync_event(
        &mut self,
        event: request_response::Event<crate::sync::SyncRequest, SyncResponse>,
    ) {
        match event {
            request_response::Event::Message { peer, message, .. } => match message {
                request_response::Message::Request {
                    request, channel, ..
                } => self.serve_request(peer, request, channel),
                request_response::Message::Response {
                    request_id,
                    response,
                } => self.on_response(peer, request_id, response),
            },
            request_response::Event::OutboundFailure {
                peer,
                request_id,
                error,
                ..
            } => self.on_request_failure(peer, request_id, error),
            request_response::Event::InboundFailure { peer, error, .. } => {
                if !matches!(
                    error,
                    request_response::InboundFailure::ResponseOmission
                        | request_response::InboundFailure::ConnectionClosed
                ) {
                    Counters::bump(&self.counters.bad_sync_requests);
                }
                tracing::debug!(%peer, "Inbound sync request failed: {error}");
            }
            request_response::Event::ResponseSent { .. } => {}
        }
    }

    fn on_response(&mut self, peer: PeerId, id: OutboundRequestId, response: SyncResponse) {
        let Some(pending) = self.pending_requests.remove(&id) else {
            return;
        };
        match pending {
            PendingRequest::Caller { request, reply } => {
                if let SyncResponse::Status(status) = &response {
                    self.on_status(peer, status.clone());
                }
                let result = if response.answers(&request) {
                    Ok(response)
                } else {
                    Err(RequestError::InvalidResponse(
                        "response kind does not match the request".to_string(),
                    ))
                };
                let _ = reply.send(result);
            }
            PendingRequest::StatusProbe => {
                if let Some(entry) = self.peers.get_mut(&peer) {
                    entry.status_probe_pending = false;
                }
                match response {
                    SyncResponse::Status(status) => self.on_status(peer, status),
                    _ => self.ban(peer, "answered a status request with another response kind"),
                }
            }
        }
    }

    fn on_request_failure(&mut self, peer: PeerId, id: OutboundRequestId, error: OutboundFailure) {
        let unsupported = matches!(error, OutboundFailure::UnsupportedProtocols);
        match self.pending_requests.remove(&id) {
            Some(PendingRequest::Caller { reply, .. }) => {
                let _ = reply.send(Err(match &error {
                    OutboundFailure::DialFailure => RequestError::NotConnected,
                    OutboundFailure::Timeout => RequestError::Timeout,
                    OutboundFailure::ConnectionClosed => RequestError::ConnectionClosed,
                    OutboundFailure::UnsupportedProtocols => RequestError::UnsupportedProtocol,
                    OutboundFailure::Io(e) => RequestError::Io(e.to_string()),
                }));
            }
            Some(PendingRequest::StatusProbe) => {
                tracing::debug!(%peer, "Status request failed: {error}");
                if let Some(entry) = self.peers.get_mut(&peer) {
                    entry.status_probe_pending = false;
                }
                if matches!(error, OutboundFailure::Timeout) {
                    // Connected and speaking our protocol but slow to answer: announce it
                    // without a status; a later probe fills it in.
                    self.announce(peer);
                }
            }
            None => {}
        }
        if unsupported {
            self.genesis_mismatch(peer, "does not speak this chain's sync protocol");
        }
    }

    fn on_status(&mut self, peer: PeerId, status: ChainStatus) {
        if status.genesis_hash != self.config.genesis_hash {
            let reason = format!("reports genesis {}", status.genesis_hash.to_hex());
            self.genesis_mismatch(peer, &reason);
            return;
        }
        let Some(entry) = self.peers.get_mut(&peer) else {
            return;
        };
        let changed = entry.status.as_ref() != Some(&status);
        entry.status = Some(status.clone());
        if !entry.announced {
            self.announce(peer);
        } else if changed {
            self.emit(NetworkEvent::PeerStatus { peer, status });
        }
    }

    fn announce(&mut self, peer: PeerId) {
        let Some(entry) = self.peers.get_mut(&peer) else {
            return;
        };
        if entry.announced {
            return;
        }
        entry.announced = true;
        let status = entry.status.clone();
        self.counters
            .peer_count
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        tracing::info!(%peer, best = ?status.as_ref().map(|s| s.best_number), "Peer connected");
        self.emit(NetworkEvent::PeerConnected { peer, status });
    }

    fn genesis_mismatch(&mut self, peer: PeerId, reason: &str) {
        if self.is_banned(&peer) {
            return;
        }
        Counters::bump(&self.counters.genesis_mismatches);
        self.ban(peer, &format!("on another chain: {reason}"));
    }

    fn on_identify_event(&mut self, event: identify::Event) {
        let identify::Event::Received { peer_id, info, .. } = event else {
            return;
        };
        if !info.protocols.contains(&self.sync_protocol) {
            self.genesis_mismatch(
                peer_id,
                "its protocol list lacks this chain's sync protocol",
            );
            return;
        }
        let Some(entry) = self.peers.get(&peer_id) else {
            return;
        };
        let remote_is_loopback = is_loopback(&entry.address);
        let speaks_kad = info
            .protocols
            .iter()
            .any(|p| *p == crate::protocol::kad_protocol(&self.config.genesis_hash));
        if !speaks_kad || !self.config.enable_discovery {
            return;
        }
        for addr in info.listen_addrs {
            if is_dialable(&addr, remote_is_loopback) {
                self.swarm.behaviour_mut().kad.add_address(&peer_id, addr);
            }
        }
    }

    fn on_kad_event(&mut self, event: kad::Event) {
        if !self.config.enable_discovery {
            return;
        }
        match event {
            kad::Event::RoutingUpdated {
                peer, is_new_peer, ..
            } if is_new_peer => self.dial_peer(peer, Vec::new()),
            kad::Event::OutboundQueryProgressed {
                result: kad::QueryResult::GetClosestPeers(Ok(ok)),
                ..
            } => {
                for found in ok.peers {
                    self.dial_peer(found.peer_id, found.addrs);
                }
            }
            _ => {}
        }
    }

    fn on_mdns_event(&mut self, event: mdns::Event) {
        let mdns::Event::Discovered(found) = event else {
            return;
        };
        for (peer, addr) in found {
            self.swarm
                .behaviour_mut()
                .kad
                .add_address(&peer, addr.clone());
            self.dial_peer(peer, vec![addr]);
        }
    }
}

fn is_loopback(addr: &Multiaddr) -> bool {
    ip_of(addr).is_some_and(|ip| ip.is_loopback())
}

/// Whether a listen address a peer advertises is worth dialing: a concrete IP (never the
/// unspecified address), and loopback only when the peer itself reached us over loopback
/// (otherwise it names the dialer's own machine, not the peer's).
pub(crate) fn is_dialable(addr: &Multiaddr, remote_is_loopback: bool) -> bool {
    match ip_of(addr) {
        Some(ip) if ip.is_unspecified() => false,
        Some(ip) if ip.is_loopback() => remote_is_loopback,
        Some(_) => true,
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advertised_addresses_are_filtered() {
        let addr = |s: &str| s.parse::<Multiaddr>().unwrap();
        assert!(is_dialable(&addr("/ip4/10.0.0.5/tcp/30333"), false));
        assert!(!is_dialable(&addr("/ip4/0.0.0.0/tcp/30333"), true));
        assert!(!is_dialable(&addr("/ip6/::/tcp/30333"), true));
        assert!(!is_dialable(&addr("/ip4/127.0.0.1/tcp/30333"), false));
        assert!(is_dialable(&addr("/ip4/127.0.0.1/udp/30333/quic-v1"), true));
        assert!(!is_dialable(&addr("/dns4/example.com/tcp/30333"), false));
    }
}
