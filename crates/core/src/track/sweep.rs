//! A host sweep: one sender's SYNs to many hosts of one network on the
//! same few ports (`nmap -sT -p80,443 192.168.1.0/24`), told apart from a
//! load balancer's health checks, which come back to the same backends,
//! and from a browser's connections, which go to servers all over.

use core::net::IpAddr;

/// How many recent destinations a host remembers: a health checker going
/// round up to this many backends keeps finding them here.
const RECENT: usize = 16;

/// SYNs to a host not among the recent ones, in the network of the SYN
/// before, that make a sweep (seven hosts of one network).
const SWEEP_HOSTS: u32 = 6;

/// The SYNs a sender sent, by destination host.
#[derive(Clone, Copy, Debug, Default)]
pub struct HostSweep {
    /// The low 16 bits of the latest distinct destinations (`filled` of
    /// them, then a ring written at `next`): hosts of one network differ
    /// there.
    recent: [u16; RECENT],
    filled: u8,
    next: u8,
    /// The network (/24, /64) of the previous SYN's destination.
    last_net: u64,
    /// SYNs to a host not among the recent ones, in the previous SYN's
    /// network.
    new_hosts: u32,
}

impl HostSweep {
    /// Counts a connection-opening SYN to `dst`; `first` when it is the
    /// sender's first.
    pub fn note(&mut self, dst: IpAddr, first: bool) {
        let (net, host) = split(dst);
        let filled = usize::from(self.filled);
        let known = self.recent.get(..filled).is_some_and(|r| r.contains(&host));
        if !known {
            if !first && net == self.last_net {
                self.new_hosts = self.new_hosts.saturating_add(1);
            }
            self.remember(host);
        }
        self.last_net = net;
    }

    fn remember(&mut self, host: u16) {
        let slot = if usize::from(self.filled) < RECENT {
            self.filled = self.filled.saturating_add(1);
            usize::from(self.filled) - 1
        } else {
            let slot = usize::from(self.next);
            self.next = u8::try_from((slot + 1) % RECENT).unwrap_or(0);
            slot
        };
        if let Some(s) = self.recent.get_mut(slot) {
            *s = host;
        }
    }

    /// Whether the sender, with `syns` SYNs in all, swept a network: new
    /// hosts of one network for at least a quarter of its SYNs (a scanner
    /// comes back to the hosts it found for their ports and services; a
    /// health checker's every later round finds its backends again).
    pub fn is_sweep(&self, syns: u32) -> bool {
        self.new_hosts >= SWEEP_HOSTS && self.new_hosts.saturating_mul(4) >= syns
    }
}

/// The network part of `addr` (an IPv4 /24, an IPv6 /64) and the low 16
/// bits of its host part.
fn split(addr: IpAddr) -> (u64, u16) {
    match addr {
        IpAddr::V4(a) => {
            let bits = a.to_bits();
            (u64::from(bits >> 8), bits as u16)
        }
        IpAddr::V6(a) => {
            let bits = a.to_bits();
            ((bits >> 64) as u64, bits as u16)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::net::{Ipv4Addr, Ipv6Addr};

    fn v4(a: u8, b: u8, c: u8, d: u8) -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(a, b, c, d))
    }

    /// The sweep after SYNs to `dsts`, and how many SYNs that was.
    fn swept(dsts: &[IpAddr]) -> (HostSweep, u32) {
        let mut sweep = HostSweep::default();
        for (i, dst) in dsts.iter().enumerate() {
            sweep.note(*dst, i == 0);
        }
        (sweep, dsts.len() as u32)
    }

    #[test]
    fn test_nmap_across_a_lan_is_a_sweep() {
        // zeek's nmap-vsn.pcap: discovery of seven hosts on port 80, then
        // ports 80 and 443 again on three of them, then one version probe.
        let order = [
            1, 50, 61, 63, 65, 68, 69, 63, 65, 68, 63, 65, 68, 63, 65, 68, 61,
        ];
        let dsts: alloc::vec::Vec<IpAddr> = order.iter().map(|&d| v4(192, 168, 1, d)).collect();
        let (sweep, syns) = swept(&dsts);
        assert_eq!(sweep.new_hosts, 6);
        assert!(sweep.is_sweep(syns));
        // Six hosts are not yet a sweep.
        let (sweep, syns) = swept(&dsts[..6]);
        assert!(!sweep.is_sweep(syns));
    }

    #[test]
    fn test_health_checks_of_a_backend_pool_are_no_sweep() {
        // Eight backends of one network, checked round after round.
        let pool: alloc::vec::Vec<IpAddr> = (0..4 * 8).map(|i| v4(10, 0, 2, 10 + i % 8)).collect();
        let (sweep, syns) = swept(&pool);
        assert_eq!(sweep.new_hosts, 7);
        assert!(!sweep.is_sweep(syns));
    }

    #[test]
    fn test_servers_in_different_networks_are_no_sweep() {
        // A browser's connections to servers all over.
        let servers: alloc::vec::Vec<IpAddr> = (0..20).map(|i| v4(151, 101, i, 1)).collect();
        let (sweep, syns) = swept(&servers);
        assert_eq!(sweep.new_hosts, 0);
        assert!(!sweep.is_sweep(syns));
    }

    #[test]
    fn test_a_long_sweep_past_the_memory_keeps_counting() {
        let hosts: alloc::vec::Vec<IpAddr> = (1..=200).map(|d| v4(192, 168, 7, d)).collect();
        let (sweep, syns) = swept(&hosts);
        assert_eq!(sweep.new_hosts, 199);
        assert!(sweep.is_sweep(syns));
        let v6: alloc::vec::Vec<IpAddr> = (1..=8)
            .map(|d| IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 1, 0, 0, 0, 0, d)))
            .collect();
        let (sweep, syns) = swept(&v6);
        assert!(sweep.is_sweep(syns));
    }
}
