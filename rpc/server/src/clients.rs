//! Clients by address: how many connections each has open, and the call budget
//! its HTTP requests share.
use crate::middleware::{BudgetScope, RateLimiter};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Put in every request's extensions by the server: who sent it, and the budget its
/// calls are charged to.
#[derive(Clone, Debug)]
pub struct ClientContext {
    /// The peer address of the TCP connection (never a forwarded header).
    pub addr: SocketAddr,
    /// The connection's own budget for a WebSocket; the address's for HTTP, so that
    /// reconnecting does not buy a fresh one. `None` without `--rpc-rate-limit`.
    pub limiter: Option<Arc<RateLimiter>>,
}

/// Fewest tracked addresses before the idle ones are swept.
const MIN_SWEEP_AT: usize = 64;

/// Connections from one address beyond its cap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooManyFromAddress {
    pub address: IpAddr,
    pub max: usize,
}

impl std::fmt::Display for TooManyFromAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "too many RPC connections from {}: at most {} at once per address \
             (--rpc-max-connections-per-ip); close one and retry",
            self.address, self.max
        )
    }
}

struct Client {
    connections: usize,
    http_limiter: Option<Arc<RateLimiter>>,
}

struct Clients {
    by_address: HashMap<IpAddr, Client>,
    sweep_at: usize,
}

/// Per-address connection counts and HTTP budgets. An address with no connection
/// is forgotten once its budget has refilled, so memory follows recent clients.
pub struct ClientRegistry {
    max_per_address: usize,
    rate_per_minute: Option<u32>,
    clients: Mutex<Clients>,
}

/// One admitted connection; dropping it frees the address's slot.
pub struct ConnectionSlot {
    registry: Arc<ClientRegistry>,
    address: IpAddr,
    http_limiter: Option<Arc<RateLimiter>>,
}

impl ConnectionSlot {
    /// The budget for HTTP requests on this connection (shared by the address).
    pub fn http_limiter(&self) -> Option<Arc<RateLimiter>> {
        self.http_limiter.clone()
    }
}

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        self.registry.release(self.address);
    }
}

/// The key an address is counted under. An IPv6 host usually holds a whole /64,
/// so one is counted per /64; IPv4-mapped addresses count as IPv4.
pub fn address_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) if !v6.is_loopback() => {
            let [a, b, c, d, ..] = v6.segments();
            IpAddr::V6(Ipv6Addr::new(a, b, c, d, 0, 0, 0, 0))
        }
        other => other,
    }
}

impl ClientRegistry {
    pub fn new(max_per_address: usize, rate_per_minute: Option<u32>) -> Arc<Self> {
        Arc::new(ClientRegistry {
            max_per_address: max_per_address.max(1),
            rate_per_minute,
            clients: Mutex::new(Clients {
                by_address: HashMap::new(),
                sweep_at: MIN_SWEEP_AT,
            }),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Clients> {
        // Nothing panics while holding the lock; a poisoned one still has valid counts.
        self.clients.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Admit one more connection from `ip` at `now`, or refuse it.
    pub fn admit(
        self: &Arc<Self>,
        ip: IpAddr,
        now: Instant,
    ) -> Result<ConnectionSlot, TooManyFromAddress> {
        let address = address_key(ip);
        let mut clients = self.lock();
        if clients.by_address.len() >= clients.sweep_at {
            clients.by_address.retain(|_, c| {
                c.connections > 0 || c.http_limiter.as_ref().is_some_and(|l| !l.is_refilled(now))
            });
            clients.sweep_at = clients.by_address.len().saturating_mul(2).max(MIN_SWEEP_AT);
        }
        let rate = self.rate_per_minute;
        let client = clients.by_address.entry(address).or_insert_with(|| Client {
            connections: 0,
            http_limiter: rate.map(|r| Arc::new(RateLimiter::per_minute(r, BudgetScope::Address))),
        });
        if client.connections >= self.max_per_address {
            return Err(TooManyFromAddress {
                address,
                max: self.max_per_address,
            });
        }
        client.connections = client.connections.saturating_add(1);
        let http_limiter = client.http_limiter.clone();
        Ok(ConnectionSlot {
            registry: self.clone(),
            address,
            http_limiter,
        })
    }

    fn release(&self, address: IpAddr) {
        let mut clients = self.lock();
        if let Some(client) = clients.by_address.get_mut(&address) {
            client.connections = client.connections.saturating_sub(1);
        }
    }

    /// Open connections from the address `ip` is counted under.
    pub fn connections_from(&self, ip: IpAddr) -> usize {
        self.lock()
            .by_address
            .get(&address_key(ip))
            .map_or(0, |c| c.connections)
    }

    /// Addresses currently remembered.
    pub fn tracked(&self) -> usize {
        self.lock().by_address.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn each_address_gets_its_own_cap() {
        let registry = ClientRegistry::new(2, None);
        let now = Instant::now();
        let a1 = registry.admit(ip("10.0.0.1"), now).unwrap();
        let _a2 = registry.admit(ip("10.0.0.1"), now).unwrap();
        let refused = registry.admit(ip("10.0.0.1"), now).err().unwrap();
        assert_eq!(refused.max, 2);
        assert!(refused.to_string().contains("--rpc-max-connections-per-ip"));
        let _b = registry.admit(ip("10.0.0.2"), now).unwrap();
        assert_eq!(registry.connections_from(ip("10.0.0.1")), 2);
        drop(a1);
        assert_eq!(registry.connections_from(ip("10.0.0.1")), 1);
        let _a3 = registry.admit(ip("10.0.0.1"), now).unwrap();
    }

    #[test]
    fn ipv6_counts_per_64_and_mapped_ipv4_as_ipv4() {
        let registry = ClientRegistry::new(1, None);
        let now = Instant::now();
        let _a = registry.admit(ip("2001:db8:1:2::1"), now).unwrap();
        assert!(registry.admit(ip("2001:db8:1:2::ffff"), now).is_err());
        let _other_prefix = registry.admit(ip("2001:db8:1:3::1"), now).unwrap();
        let _v4 = registry.admit(ip("192.0.2.1"), now).unwrap();
        assert!(registry.admit(ip("::ffff:192.0.2.1"), now).is_err());
    }

    #[test]
    fn http_budget_is_shared_by_an_addresss_connections() {
        let registry = ClientRegistry::new(4, Some(2));
        let now = Instant::now();
        let first = registry.admit(ip("10.0.0.1"), now).unwrap();
        assert!(first.http_limiter().unwrap().try_acquire(now));
        drop(first);
        // A new connection from the same address continues the same budget.
        let second = registry.admit(ip("10.0.0.1"), now).unwrap();
        let limiter = second.http_limiter().unwrap();
        assert!(limiter.try_acquire(now));
        assert!(
            !limiter.try_acquire(now),
            "two per minute across connections"
        );
        let elsewhere = registry.admit(ip("10.0.0.2"), now).unwrap();
        assert!(elsewhere.http_limiter().unwrap().try_acquire(now));
    }

    #[test]
    fn idle_addresses_are_forgotten_once_refilled() {
        let t0 = Instant::now();
        let fill = |registry: &Arc<ClientRegistry>| {
            for i in 0..MIN_SWEEP_AT {
                let slot = registry
                    .admit(IpAddr::from([10, 0, 0, i as u8]), t0)
                    .unwrap();
                assert!(slot.http_limiter().unwrap().try_acquire(t0));
            }
        };
        let busy = ClientRegistry::new(4, Some(60));
        fill(&busy);
        let _held = busy.admit(ip("10.1.0.1"), t0).unwrap();
        assert_eq!(
            busy.tracked(),
            MIN_SWEEP_AT + 1,
            "budgets still in use are kept"
        );
        // A second later every one-call budget of 60 per minute has refilled.
        let idle = ClientRegistry::new(4, Some(60));
        fill(&idle);
        let _next = idle
            .admit(ip("10.2.0.1"), t0 + Duration::from_secs(1))
            .unwrap();
        assert_eq!(idle.tracked(), 1, "only the connected address remains");
    }
}
