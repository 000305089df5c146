//! Connections counted and refused by IP address: a cap on inbound connections per
//! address, and bans of an address for a while. A PeerId costs nothing to replace, so a
//! ban by PeerId alone is escaped by generating a new key; reth keeps banned IPs next to
//! banned peers for the same reason.

use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::net::IpAddr;
use std::task::{Context, Poll, Waker};
use std::time::Instant;

use libp2p::core::transport::PortUse;
use libp2p::core::{ConnectedPoint, Endpoint};
use libp2p::multiaddr::Protocol;
use libp2p::swarm::behaviour::{ConnectionClosed, ConnectionEstablished};
use libp2p::swarm::{
    dummy, CloseConnection, ConnectionDenied, ConnectionId, FromSwarm, NetworkBehaviour, THandler,
    THandlerInEvent, THandlerOutEvent, ToSwarm,
};
use libp2p::{Multiaddr, PeerId};

/// Why a connection from an address was refused.
#[derive(Debug, thiserror::Error)]
pub(crate) enum IpRefusal {
    #[error("{0} is banned")]
    Banned(IpAddr),
    #[error("{ip} already has {held} inbound connections, the most one address may have")]
    TooManyFromIp { ip: IpAddr, held: u32 },
}

/// The IP address of a multiaddr (`/ip4/...` or `/ip6/...`), if it names one.
pub(crate) fn ip_of(addr: &Multiaddr) -> Option<IpAddr> {
    addr.iter().find_map(|p| match p {
        Protocol::Ip4(ip) => Some(ip.into()),
        Protocol::Ip6(ip) => Some(ip.into()),
        _ => None,
    })
}

pub(crate) struct IpGuard {
    /// Inbound connections allowed from one address; `None` for no cap.
    max_inbound_per_ip: Option<u32>,
    inbound_per_ip: HashMap<IpAddr, u32>,
    /// Every established connection, so a ban can close those from its address.
    connections: HashMap<ConnectionId, Connection>,
    /// Banned addresses and when each ban ends.
    banned: HashMap<IpAddr, Instant>,
    to_close: VecDeque<(PeerId, ConnectionId)>,
    waker: Option<Waker>,
}

struct Connection {
    peer: PeerId,
    ip: IpAddr,
    inbound: bool,
}

impl IpGuard {
    pub(crate) fn new(max_inbound_per_ip: Option<u32>) -> Self {
        IpGuard {
            max_inbound_per_ip,
            inbound_per_ip: HashMap::new(),
            connections: HashMap::new(),
            banned: HashMap::new(),
            to_close: VecDeque::new(),
            waker: None,
        }
    }

    /// Refuse connections from `ip` until `until`, and close those it has now.
    pub(crate) fn ban(&mut self, ip: IpAddr, until: Instant) {
        self.banned.insert(ip, until);
        let from_ip = self
            .connections
            .iter()
            .filter(|(_, c)| c.ip == ip)
            .map(|(id, c)| (c.peer, *id));
        self.to_close.extend(from_ip);
        if let Some(waker) = self.waker.take() {
            waker.wake();
        }
    }

    pub(crate) fn is_banned(&self, ip: &IpAddr) -> bool {
        self.banned
            .get(ip)
            .is_some_and(|until| *until > Instant::now())
    }

    /// Forget bans that ended by `now`; returns the addresses let back in.
    pub(crate) fn expire_bans(&mut self, now: Instant) -> Vec<IpAddr> {
        let ended: Vec<IpAddr> = self
            .banned
            .iter()
            .filter(|(_, until)| **until <= now)
            .map(|(ip, _)| *ip)
            .collect();
        for ip in &ended {
            self.banned.remove(ip);
        }
        ended
    }

    fn check_inbound(&self, remote: &Multiaddr) -> Result<(), ConnectionDenied> {
        let Some(ip) = ip_of(remote) else {
            return Ok(());
        };
        if self.is_banned(&ip) {
            return Err(ConnectionDenied::new(IpRefusal::Banned(ip)));
        }
        let held = self.inbound_per_ip.get(&ip).copied().unwrap_or(0);
        match self.max_inbound_per_ip {
            Some(max) if held >= max => {
                Err(ConnectionDenied::new(IpRefusal::TooManyFromIp { ip, held }))
            }
            _ => Ok(()),
        }
    }

    fn on_established(&mut self, id: ConnectionId, peer: PeerId, endpoint: &ConnectedPoint) {
        let inbound = endpoint.is_listener();
        let Some(ip) = ip_of(endpoint.get_remote_address()) else {
            return;
        };
        if inbound {
            let held = self.inbound_per_ip.entry(ip).or_insert(0);
            *held = held.saturating_add(1);
        }
        self.connections
            .insert(id, Connection { peer, ip, inbound });
    }

    fn on_closed(&mut self, id: ConnectionId) {
        let Some(closed) = self.connections.remove(&id) else {
            return;
        };
        if !closed.inbound {
            return;
        }
        if let Some(held) = self.inbound_per_ip.get_mut(&closed.ip) {
            *held = held.saturating_sub(1);
            if *held == 0 {
                self.inbound_per_ip.remove(&closed.ip);
            }
        }
    }
}

impl NetworkBehaviour for IpGuard {
    type ConnectionHandler = dummy::ConnectionHandler;
    type ToSwarm = Infallible;

    // Refused before the handshake too, so a banned address costs no noise handshake.
    fn handle_pending_inbound_connection(
        &mut self,
        _: ConnectionId,
        _: &Multiaddr,
        remote: &Multiaddr,
    ) -> Result<(), ConnectionDenied> {
        self.check_inbound(remote)
    }

    fn handle_established_inbound_connection(
        &mut self,
        _: ConnectionId,
        _: PeerId,
        _: &Multiaddr,
        remote: &Multiaddr,
    ) -> Result<THandler<Self>, ConnectionDenied> {
        self.check_inbound(remote)?;
        Ok(dummy::ConnectionHandler)
    }

    // Nor do we keep a connection we dialed to a banned address (found by discovery).
    fn handle_established_outbound_connection(
        &mut self,
        _: ConnectionId,
        _: PeerId,
        remote: &Multiaddr,
        _: Endpoint,
        _: PortUse,
    ) -> Result<THandler<Self>, ConnectionDenied> {
        match ip_of(remote) {
            Some(ip) if self.is_banned(&ip) => Err(ConnectionDenied::new(IpRefusal::Banned(ip))),
            _ => Ok(dummy::ConnectionHandler),
        }
    }

    fn on_swarm_event(&mut self, event: FromSwarm) {
        match event {
            FromSwarm::ConnectionEstablished(ConnectionEstablished {
                peer_id,
                connection_id,
                endpoint,
                ..
            }) => self.on_established(connection_id, peer_id, endpoint),
            FromSwarm::ConnectionClosed(ConnectionClosed { connection_id, .. }) => {
                self.on_closed(connection_id)
            }
            _ => {}
        }
    }

    fn on_connection_handler_event(
        &mut self,
        _: PeerId,
        _: ConnectionId,
        event: THandlerOutEvent<Self>,
    ) {
        match event {}
    }

    fn poll(&mut self, cx: &mut Context<'_>) -> Poll<ToSwarm<Infallible, THandlerInEvent<Self>>> {
        if let Some((peer_id, id)) = self.to_close.pop_front() {
            return Poll::Ready(ToSwarm::CloseConnection {
                peer_id,
                connection: CloseConnection::One(id),
            });
        }
        self.waker = Some(cx.waker().clone());
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn addr(s: &str) -> Multiaddr {
        s.parse().unwrap()
    }

    fn inbound_from(remote: &str) -> ConnectedPoint {
        ConnectedPoint::Listener {
            local_addr: addr("/ip4/127.0.0.1/tcp/1"),
            send_back_addr: addr(remote),
        }
    }

    #[test]
    fn the_cap_counts_inbound_connections_per_address() {
        let mut guard = IpGuard::new(Some(2));
        let a = "/ip4/10.0.0.1/tcp/5000";
        for id in 1..=2 {
            guard.check_inbound(&addr(a)).unwrap();
            guard.on_established(
                ConnectionId::new_unchecked(id),
                PeerId::random(),
                &inbound_from(a),
            );
        }
        let refused = guard.check_inbound(&addr(a)).unwrap_err();
        assert!(matches!(
            refused.downcast::<IpRefusal>(),
            Ok(IpRefusal::TooManyFromIp { held: 2, .. })
        ));
        // Another address, and outbound connections, are not counted against it.
        guard
            .check_inbound(&addr("/ip4/10.0.0.2/tcp/5000"))
            .unwrap();
        let dialed = ConnectedPoint::Dialer {
            address: addr("/ip4/10.0.0.1/tcp/30333"),
            role_override: Endpoint::Dialer,
            port_use: PortUse::Reuse,
        };
        guard.on_established(ConnectionId::new_unchecked(9), PeerId::random(), &dialed);
        guard.on_closed(ConnectionId::new_unchecked(1));
        guard.check_inbound(&addr(a)).unwrap();
        assert_eq!(
            guard.inbound_per_ip.get(&ip_of(&addr(a)).unwrap()),
            Some(&1)
        );
    }

    #[test]
    fn a_ban_refuses_the_address_closes_its_connections_and_ends() {
        let mut guard = IpGuard::new(None);
        let a = "/ip4/10.0.0.1/udp/5000/quic-v1";
        let peer = PeerId::random();
        guard.on_established(ConnectionId::new_unchecked(1), peer, &inbound_from(a));
        guard.on_established(
            ConnectionId::new_unchecked(2),
            PeerId::random(),
            &inbound_from("/ip4/10.0.0.2/tcp/1"),
        );
        let now = Instant::now();
        let ip = ip_of(&addr(a)).unwrap();
        guard.ban(ip, now + Duration::from_secs(60));
        assert!(matches!(
            guard.check_inbound(&addr(a)).unwrap_err().downcast::<IpRefusal>(),
            Ok(IpRefusal::Banned(banned)) if banned == ip
        ));
        assert_eq!(
            guard.to_close.iter().copied().collect::<Vec<_>>(),
            vec![(peer, ConnectionId::new_unchecked(1))]
        );
        assert!(guard.expire_bans(now).is_empty());
        assert_eq!(guard.expire_bans(now + Duration::from_secs(61)), vec![ip]);
        guard.check_inbound(&addr(a)).unwrap();
    }
}
