//! A node that listens only on loopback (dev and local chains by default) dials only
//! loopback addresses, plus the hosts of its own `--bootnodes`. Peers advertise addresses
//! through identify and Kademlia, and Kademlia queries dial what they learn; filtering at
//! the transport catches every dial, whichever behaviour asked for it, before a packet
//! leaves the machine.
use std::collections::HashSet;
use std::net::IpAddr;
use std::pin::Pin;
use std::task::{Context, Poll};

use libp2p::core::transport::{DialOpts, ListenerId, TransportError, TransportEvent};
use libp2p::core::Transport;
use libp2p::multiaddr::Protocol;
use libp2p::Multiaddr;

use crate::config::NetworkConfig;

/// Which hosts a node may dial.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum DialPolicy {
    Anywhere,
    /// Loopback, and these hosts (the bootnodes').
    LoopbackAnd(HashSet<IpAddr>),
}

impl DialPolicy {
    /// Loopback-only when the node listens on a loopback address.
    pub(crate) fn for_config(config: &NetworkConfig) -> Self {
        if !config.listen_ip.is_loopback() {
            return DialPolicy::Anywhere;
        }
        DialPolicy::LoopbackAnd(config.bootnodes.iter().filter_map(ip_of).collect())
    }

    pub(crate) fn allows(&self, addr: &Multiaddr) -> bool {
        match self {
            DialPolicy::Anywhere => true,
            DialPolicy::LoopbackAnd(extra) => {
                ip_of(addr).is_some_and(|ip| ip.is_loopback() || extra.contains(&ip))
            }
        }
    }

    /// `inner`, refusing to dial what this policy does not allow.
    pub(crate) fn wrap<T>(&self, inner: T) -> PolicedTransport<T> {
        PolicedTransport {
            inner,
            policy: self.clone(),
        }
    }
}

fn ip_of(addr: &Multiaddr) -> Option<IpAddr> {
    addr.iter().find_map(|p| match p {
        Protocol::Ip4(ip) => Some(ip.into()),
        Protocol::Ip6(ip) => Some(ip.into()),
        _ => None,
    })
}

/// A transport that answers a refused dial as an address it does not support, so the
/// swarm moves on to the peer's next address.
pub(crate) struct PolicedTransport<T> {
    inner: T,
    policy: DialPolicy,
}

impl<T: Transport + Unpin> Transport for PolicedTransport<T> {
    type Output = T::Output;
    type Error = T::Error;
    type ListenerUpgrade = T::ListenerUpgrade;
    type Dial = T::Dial;

    fn listen_on(
        &mut self,
        id: ListenerId,
        addr: Multiaddr,
    ) -> Result<(), TransportError<Self::Error>> {
        self.inner.listen_on(id, addr)
    }

    fn remove_listener(&mut self, id: ListenerId) -> bool {
        self.inner.remove_listener(id)
    }

    fn dial(
        &mut self,
        addr: Multiaddr,
        opts: DialOpts,
    ) -> Result<Self::Dial, TransportError<Self::Error>> {
        if !self.policy.allows(&addr) {
            tracing::debug!(%addr, "Not dialing off this machine: the node listens on loopback only");
            return Err(TransportError::MultiaddrNotSupported(addr));
        }
        self.inner.dial(addr, opts)
    }

    fn poll(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<TransportEvent<Self::ListenerUpgrade, Self::Error>> {
        Pin::new(&mut self.inner).poll(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use libp2p::core::transport::PortUse;
    use libp2p::core::Endpoint;
    use std::path::PathBuf;

    /// Counts the dials that reach it.
    #[derive(Default)]
    struct Counting {
        dials: usize,
    }

    impl Transport for Counting {
        type Output = ();
        type Error = std::io::Error;
        type ListenerUpgrade = futures::future::Pending<Result<(), std::io::Error>>;
        type Dial = futures::future::Pending<Result<(), std::io::Error>>;

        fn listen_on(
            &mut self,
            _: ListenerId,
            a: Multiaddr,
        ) -> Result<(), TransportError<Self::Error>> {
            Err(TransportError::MultiaddrNotSupported(a))
        }
        fn remove_listener(&mut self, _: ListenerId) -> bool {
            false
        }
        fn dial(
            &mut self,
            _: Multiaddr,
            _: DialOpts,
        ) -> Result<Self::Dial, TransportError<Self::Error>> {
            self.dials += 1;
            Ok(futures::future::pending())
        }
        fn poll(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<TransportEvent<Self::ListenerUpgrade, Self::Error>> {
            Poll::Pending
        }
    }

    fn opts() -> DialOpts {
        DialOpts {
            role: Endpoint::Dialer,
            port_use: PortUse::Reuse,
        }
    }

    fn config(listen: [u8; 4], bootnodes: &[&str]) -> NetworkConfig {
        let mut c = NetworkConfig::new(PathBuf::from("/nonexistent"), hm_primitives::H256::ZERO);
        c.listen_ip = IpAddr::from(listen);
        c.bootnodes = bootnodes.iter().map(|b| b.parse().unwrap()).collect();
        c
    }

    const PEER: &str = "12D3KooWGSRk6U7y8QrrHFr5uWB3ga7CVkXNLKjuhB8R1R5DRm9y";

    #[test]
    fn a_loopback_node_dials_only_loopback_and_its_bootnodes() {
        let boot = format!("/ip4/10.1.2.3/tcp/30333/p2p/{PEER}");
        let policy = DialPolicy::for_config(&config([127, 0, 0, 1], &[&boot]));
        let mut transport = policy.wrap(Counting::default());
        let learned = [
            "/ip4/192.168.1.20/tcp/30333",
            "/ip4/8.8.8.8/udp/30333/quic-v1",
            "/ip6/fe80::1/tcp/30333",
            "/dns4/example.com/tcp/30333",
        ];
        for addr in learned {
            let refused = transport.dial(addr.parse().unwrap(), opts());
            assert!(
                matches!(refused, Err(TransportError::MultiaddrNotSupported(_))),
                "{addr}"
            );
        }
        assert_eq!(transport.inner.dials, 0, "nothing left the machine");
        for addr in [
            "/ip4/127.0.0.1/tcp/1",
            "/ip6/::1/tcp/1",
            "/ip4/10.1.2.3/tcp/30333",
        ] {
            assert!(
                transport.dial(addr.parse().unwrap(), opts()).is_ok(),
                "{addr}"
            );
        }
        assert_eq!(transport.inner.dials, 3);
    }

    #[test]
    fn a_node_listening_on_all_interfaces_dials_anywhere() {
        let policy = DialPolicy::for_config(&config([0, 0, 0, 0], &[]));
        assert_eq!(policy, DialPolicy::Anywhere);
        let mut transport = policy.wrap(Counting::default());
        assert!(transport
            .dial("/ip4/192.168.1.20/tcp/30333".parse().unwrap(), opts())
            .is_ok());
        assert_eq!(transport.inner.dials, 1);
    }
}
