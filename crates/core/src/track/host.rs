//! Per-address baselines across all of a host's connections, so a reset
//! can be judged even on a connection with few packets of its own.

use alloc::vec::Vec;
use core::net::IpAddr;

use hashbrown::HashTable;
use slab::Slab;

use super::baseline::{is_counter_step, IpIdStats, IpIdStyle, TtlBaseline};
use super::evict;
use super::grow;
use super::sweep::HostSweep;
use crate::decode::flow::addr_hash;
use crate::decode::{Flow, TcpPacket};
use crate::report::IpIdPattern;

/// How many server ports a host remembers (for guessing roles without a
/// handshake).
const SERVER_PORTS: usize = 8;

#[derive(Clone, Copy, Debug, Default)]
pub struct HostProfile {
    /// Non-RST packets sent.
    pub packets: u64,
    pub ttl: TtlBaseline,
    pub df_set: u32,
    pub df_clear: u32,
    /// IP-ID steps between consecutive packets of the same connection...
    pub ip_id_per_conn: IpIdStats,
    /// ...and across all its packets, whatever the connection.
    pub ip_id_global: IpIdStats,
    /// Steps between consecutive packets of *different* connections: small
    /// ones mean one global counter (Windows), big ones a counter per
    /// connection (Linux starts each at a random value).
    pub cross_small: u32,
    pub cross_big: u32,
    pub last_ip_id: Option<u16>,
    last_conn: Option<u32>,
    /// Fastest SYN → SYN-ACK seen with this host as server, and SYN-ACK →
    /// ACK with it as client: how soon it can answer, seen from the capture.
    pub server_delay_ns: Option<i64>,
    pub client_delay_ns: Option<i64>,
    server_ports: [u16; SERVER_PORTS],
    /// Its port and the peer's on the last connection it was first seen
    /// sending on mid-flow (no handshake captured): see
    /// [`HostProfile::note_pickup`].
    last_pickup: (u16, u16),
    /// Connection-opening SYNs sent, and how many went to another
    /// destination port than the SYN before (a port sweep changes nearly
    /// every time; a browser's repeated connections do not).
    pub syns: u32,
    pub syn_port_changes: u32,
    last_syn_port: u16,
    last_syn_ns: i64,
    /// The sequence number of that SYN: the same SYN seen again under
    /// another address (a mirror of both sides of a NAT) opens nothing
    /// beside it.
    last_syn_isn: u32,
    /// The first [`SCAN_PORTS`] different destination ports of its SYNs
    /// (`syn_ports_seen` of them filled).
    syn_ports: [u16; SCAN_PORTS],
    syn_ports_seen: u8,
    /// Its SYNs by destination host: a sweep across one network.
    sweep: HostSweep,
    /// FIN, NULL or Xmas probes sent (segments without SYN, ACK or RST):
    /// only scanners send them.
    pub stealth_probes: u32,
}

/// SYNs to the same port this close together open connections in parallel.
pub const PARALLEL_NS: i64 = 1_000_000_000;

/// SYNs to this many different ports, changing port on most of them, make
/// a host a scanner (a scan of four ports). A browser or a health checker
/// alternating between two services changes port often, but on few ports.
const SCAN_PORTS: usize = 4;

impl HostProfile {
    /// Counts a connection-opening SYN (no ACK) with sequence number `isn`
    /// to `dst`:`port` at `ts_ns`; true when the SYN before it went to the
    /// same port at most [`PARALLEL_NS`] earlier with another ISN
    /// (connections opened in parallel, not one SYN recorded twice).
    pub fn note_syn(&mut self, dst: IpAddr, port: u16, isn: u32, ts_ns: i64) -> bool {
        self.sweep.note(dst, self.syns == 0);
        let parallel = self.syns > 0
            && port == self.last_syn_port
            && isn != self.last_syn_isn
            && (0..=PARALLEL_NS).contains(&ts_ns.saturating_sub(self.last_syn_ns));
        self.last_syn_ns = ts_ns;
        self.last_syn_isn = isn;
        if self.syns > 0 && port != self.last_syn_port {
            self.syn_port_changes = self.syn_port_changes.saturating_add(1);
        }
        self.syns = self.syns.saturating_add(1);
        self.last_syn_port = port;
        let seen = usize::from(self.syn_ports_seen);
        let known = self
            .syn_ports
            .get(..seen)
            .is_some_and(|p| p.contains(&port));
        if !known {
            if let Some(slot) = self.syn_ports.get_mut(seen) {
                *slot = port;
                self.syn_ports_seen = self.syn_ports_seen.saturating_add(1);
            }
        }
        parallel
    }

    /// Counts a FIN, NULL or Xmas probe.
    pub fn note_stealth_probe(&mut self) {
        self.stealth_probes = self.stealth_probes.saturating_add(1);
    }

    /// Swept many ports with SYNs, changing port on most of them, or many
    /// hosts of one network, or sent any stealth probe.
    pub fn is_scanner(&self) -> bool {
        let ports = usize::from(self.syn_ports_seen) >= SCAN_PORTS
            && self.syn_port_changes.saturating_mul(2) >= self.syns;
        ports || self.sweep.is_sweep(self.syns) || self.stealth_probes > 0
    }
}

impl HostProfile {
    /// Records a non-RST packet of connection `conn`; `prev_conn_id` is the
    /// previous IP-ID of the same connection and direction. (Its time is
    /// the table's: [`HostTable::sender`].)
    pub fn add_packet(
        &mut self,
        conn: u32,
        ttl: u8,
        df: bool,
        id: Option<u16>,
        prev_conn_id: Option<u16>,
    ) {
        self.packets = self.packets.saturating_add(1);
        self.ttl.add(ttl);
        if df {
            self.df_set = self.df_set.saturating_add(1);
        } else {
            self.df_clear = self.df_clear.saturating_add(1);
        }
        if let Some(id) = id {
            self.ip_id_per_conn.add(prev_conn_id, id);
            self.ip_id_global.add(self.last_ip_id, id);
            if let Some(last) = self.last_ip_id.filter(|l| *l != 0 && id != 0) {
                if self.last_conn.is_some_and(|c| c != conn) {
                    if is_counter_step(last, id) {
                        self.cross_small = self.cross_small.saturating_add(1);
                    } else {
                        self.cross_big = self.cross_big.saturating_add(1);
                    }
                }
            }
            self.last_ip_id = Some(id);
            self.last_conn = Some(conn);
        }
    }

    pub fn ip_id_style(&self) -> IpIdPattern {
        match (self.ip_id_global.style(), self.ip_id_per_conn.style()) {
            (IpIdStyle::Zero, _) => IpIdPattern::Zero,
            (_, IpIdStyle::Counter) if self.cross_small > self.cross_big => IpIdPattern::Global,
            (_, IpIdStyle::Counter) => IpIdPattern::PerConnection,
            (IpIdStyle::Random, _) | (_, IpIdStyle::Random) => IpIdPattern::Random,
            _ => IpIdPattern::Unknown,
        }
    }

    /// True when the host sets DF on (nearly) all its packets.
    pub fn always_df(&self) -> bool {
        self.df_set >= 3 && self.df_clear == 0
    }

    pub fn note_server_port(&mut self, port: u16) {
        if self.server_ports.contains(&port) {
            return;
        }
        if let Some(slot) = self.server_ports.iter_mut().find(|p| **p == 0) {
            *slot = port;
        } else {
            self.server_ports.rotate_left(1);
            if let Some(last) = self.server_ports.last_mut() {
                *last = port;
            }
        }
    }

    /// Counts a connection first seen mid-flow with this host sending from
    /// `port` to `peer_port`. A client's ephemeral port serves one
    /// connection, so a second such connection from the same port to
    /// another peer is a listening socket's: a server on a port the port
    /// numbers alone would not tell (peer-to-peer, a database). The same
    /// peer port again may be the same connection picked up anew.
    pub fn note_pickup(&mut self, port: u16, peer_port: u16) {
        let (last, last_peer) = self.last_pickup;
        if port == last && peer_port != last_peer {
            self.note_server_port(port);
        }
        self.last_pickup = (port, peer_port);
    }

    pub fn is_server_port(&self, port: u16) -> bool {
        port != 0 && self.server_ports.contains(&port)
    }

    pub fn note_delays(&mut self, server: Option<i64>, client: Option<i64>) {
        fn min(old: Option<i64>, new: Option<i64>) -> Option<i64> {
            match (old, new.filter(|d| *d >= 0)) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            }
        }
        self.server_delay_ns = min(self.server_delay_ns, server);
        self.client_delay_ns = min(self.client_delay_ns, client);
    }
}

/// Where a host's profile was in a [`HostTable`], remembered by a
/// connection for its sides: a hint, checked at each use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HostSlot(u32);

impl HostSlot {
    /// Not looked up yet.
    pub const NONE: HostSlot = HostSlot(u32::MAX);
}

/// All hosts seen, bounded: past the limit the least recently seen are
/// dropped (counted in `evicted`).
pub struct HostTable {
    /// (address, key of its profile in `profiles`), found by the address's
    /// hash ([`addr_hash`]; a decoded packet carries its sender's: [`Flow`]):
    /// a new host hashes once for the lookup that misses and the insertion.
    index: HashTable<(IpAddr, u32)>,
    /// The profiles, side by side and reused once evicted: a new host
    /// allocates nothing once the table is full.
    profiles: Slab<(IpAddr, HostProfile)>,
    /// Per key of `profiles`, when its host last sent a packet ([`VACANT`]
    /// for a free key), kept apart so that choosing victims reads 8 bytes
    /// per host in one array, not a ~250-byte profile each.
    ages: Vec<i64>,
    /// The eviction's (age, key) list, kept with its memory between
    /// evictions (a flood evicts every 3 125 new hosts).
    candidates: Vec<(i64, usize)>,
    /// Never handed out while the index and the slab agree, which they
    /// always do (see [`HostTable::key_at`]).
    spare: HostProfile,
    max: usize,
    pub evicted: u64,
}

/// The age of a free key: the heaviest, so eviction never weighs it
/// against a host (see [`evict::first_unordered`]).
const VACANT: i64 = i64::MAX;

impl HostTable {
    pub fn new(max: usize) -> Self {
        // Keys fit the index's u32 (and a connection's [`HostSlot`]).
        let most = usize::try_from(u32::MAX).unwrap_or(usize::MAX);
        Self {
            index: HashTable::new(),
            profiles: Slab::new(),
            ages: Vec::new(),
            candidates: Vec::new(),
            spare: HostProfile::default(),
            max: max.clamp(16, most),
            evicted: 0,
        }
    }

    pub fn get(&self, addr: &IpAddr) -> Option<&HostProfile> {
        let hash = addr_hash(*addr);
        let &(_, key) = self.index.find(hash, |(a, _)| a == addr)?;
        self.profiles.get(key as usize).map(|(_, host)| host)
    }

    /// The profile of `addr`, created if new, found through `slot`: the
    /// caller's note of where it was last time (a connection keeps one per
    /// side). A hit costs no hash lookup. The note is checked against the
    /// address kept beside the profile, so an evicted or reused slot just
    /// misses; the index and the slab agree, so a slot holding `addr` is
    /// the one the index names.
    pub fn entry_at(&mut self, slot: &mut HostSlot, addr: IpAddr) -> &mut HostProfile {
        let key = self.key_at(slot, addr, || addr_hash(addr));
        self.profile(key)
    }

    /// [`HostTable::entry_at`] for the sender of `packet`, sent at `ts_ns`
    /// (what eviction weighs).
    pub fn sender_at(
        &mut self,
        slot: &mut HostSlot,
        packet: &TcpPacket<'_>,
        ts_ns: i64,
    ) -> &mut HostProfile {
        let key = self.key_at(slot, packet.ip.src, || Flow::sender_of(packet));
        if let Some(age) = self.ages.get_mut(key) {
            *age = ts_ns;
        }
        self.profile(key)
    }

    /// The key of `addr`'s profile through `slot`; `hash` (the address's)
    /// is only needed when the slot misses.
    #[inline]
    fn key_at(&mut self, slot: &mut HostSlot, addr: IpAddr, hash: impl FnOnce() -> u64) -> usize {
        let hit = usize::try_from(slot.0)
            .ok()
            .filter(|&key| self.profiles.get(key).is_some_and(|(a, _)| *a == addr));
        match hit {
            Some(key) => key,
            None => {
                let key = self.key_of(addr, hash());
                *slot = HostSlot(key);
                key as usize
            }
        }
    }

    fn profile(&mut self, key: usize) -> &mut HostProfile {
        let Self {
            profiles, spare, ..
        } = self;
        profiles.get_mut(key).map_or(spare, |(_, host)| host)
    }

    /// The key of `addr`'s profile (`hash` is the address's): one lookup
    /// for a known host; a new one (evicting first at the limit) starts as
    /// never having sent. Out of line: a connection's packets after its
    /// first find their hosts through its slots.
    #[cold]
    #[inline(never)]
    fn key_of(&mut self, addr: IpAddr, hash: u64) -> u32 {
        if let Some(&(_, key)) = self.index.find(hash, |(a, _)| *a == addr) {
            return key;
        }
        if self.index.len() >= self.max {
            self.evict();
        }
        let at = self.profiles.insert((addr, HostProfile::default()));
        // Below `max` (at most u32::MAX) keys are in use, so `at` fits.
        let key = u32::try_from(at).unwrap_or(u32::MAX);
        let rehash = |&(a, _): &(IpAddr, u32)| addr_hash(a);
        grow::room_for_one(&mut self.index, self.max, rehash);
        self.index.insert_unique(hash, (addr, key), rehash);
        if self.ages.len() <= at {
            self.ages.resize(at.saturating_add(1), VACANT);
        }
        if let Some(age) = self.ages.get_mut(at) {
            *age = 0;
        }
        key
    }

    /// Drops the least recently seen sixteenth in one go (by address among
    /// equals), so eviction costs O(1) per new host on average.
    fn evict(&mut self) {
        let count = (self.max / 16).max(1);
        let profiles = &self.profiles;
        let victims = evict::first_unordered(&self.ages, &mut self.candidates, count, |key| {
            profiles.get(key).map(|&(addr, _)| addr)
        });
        for key in victims {
            let Some((addr, _)) = self.profiles.try_remove(key) else {
                continue;
            };
            if let Ok(entry) = self.index.find_entry(addr_hash(addr), |(a, _)| *a == addr) {
                entry.remove();
            }
            if let Some(age) = self.ages.get_mut(key) {
                *age = VACANT;
            }
            self.evicted = self.evicted.saturating_add(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::net::Ipv4Addr;

    fn addr(i: u8) -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(10, 0, 0, i))
    }

    /// A packet sent by `addr`, with the hashes decoding gives it.
    fn from(addr: IpAddr) -> TcpPacket<'static> {
        let mut packet = crate::decode::test_segment(true, 40000, 0, 0, 0, 0, 0);
        packet.ip.src = addr;
        packet.flow = Some(Flow::of(&packet.ip, 40000, 443));
        packet
    }

    /// A host's profile found without a slot kept from before.
    fn sender(table: &mut HostTable, addr: IpAddr, ts_ns: i64) -> &mut HostProfile {
        let mut slot = HostSlot::NONE;
        table.sender_at(&mut slot, &from(addr), ts_ns)
    }

    fn entry(table: &mut HostTable, addr: IpAddr) -> &mut HostProfile {
        let mut slot = HostSlot::NONE;
        table.entry_at(&mut slot, addr)
    }

    /// A full table of 32 (batches of 2): host `i` last sent at 1000 - i,
    /// except 5 and 6, which sent at 0, and 7, which never sent.
    fn full_table() -> HostTable {
        let mut table = HostTable::new(32);
        for i in 0..32 {
            let ts = match i {
                5 | 6 => Some(0),
                7 => None,
                _ => Some(1000 - i64::from(i)),
            };
            match ts {
                Some(ts) => sender(&mut table, addr(i), ts).packets = 1,
                None => entry(&mut table, addr(i)).packets = 2,
            }
        }
        table
    }

    #[test]
    fn test_full_known_host_evicts_nothing() {
        let mut table = full_table();
        sender(&mut table, addr(3), 2000);
        entry(&mut table, addr(7));
        assert_eq!(table.evicted, 0);
        assert!((0..32).all(|i| table.get(&addr(i)).is_some()));
    }

    #[test]
    fn test_full_new_host_evicts_least_recently_seen_by_address() {
        let mut table = full_table();
        sender(&mut table, addr(100), 2000);
        // 5, 6 and 7 share the oldest time (7's creation counts as 0):
        // the lower addresses go first.
        assert_eq!(table.evicted, 2);
        assert!(table.get(&addr(5)).is_none() && table.get(&addr(6)).is_none());
        assert_eq!(table.get(&addr(7)).map(|h| h.packets), Some(2));
        // Seen again, 7 is no longer the oldest: 31 (at 969) and 30 go.
        sender(&mut table, addr(7), 3000);
        sender(&mut table, addr(101), 3000);
        sender(&mut table, addr(102), 3000);
        assert_eq!(table.evicted, 4);
        assert!(table.get(&addr(31)).is_none() && table.get(&addr(30)).is_none());
        assert!([7, 29, 100, 101, 102]
            .iter()
            .all(|&i| table.get(&addr(i)).is_some()));
        // A new host's profile starts empty in an evicted one's place.
        assert_eq!(table.get(&addr(102)).map(|h| h.packets), Some(0));
    }

    #[test]
    fn test_entry_at_slot_finds_the_same_profile_again() {
        let mut hosts = HostTable::new(16);
        let mut slot = HostSlot::NONE;
        hosts.sender_at(&mut slot, &from(addr(1)), 0).packets += 1;
        assert_ne!(slot, HostSlot::NONE);
        let kept = slot;
        hosts.sender_at(&mut slot, &from(addr(1)), 1).packets += 1;
        assert_eq!(slot, kept);
        assert_eq!(hosts.get(&addr(1)).map(|h| h.packets), Some(2));
    }

    #[test]
    fn test_entry_at_evicted_slot_reused_by_another_host_misses() {
        let mut hosts = HostTable::new(16);
        let mut first = HostSlot::NONE;
        hosts.sender_at(&mut first, &from(addr(1)), 0).packets = 1;
        for n in 2..=17 {
            sender(&mut hosts, addr(n), i64::from(n)).packets = 1;
        }
        // The 17th host evicted the first and took its place in the slab.
        assert_eq!(hosts.evicted, 1);
        assert!(hosts.get(&addr(1)).is_none());
        let reused = hosts.profiles.get(first.0 as usize).map(|(a, _)| *a);
        assert_eq!(reused, Some(addr(17)));
        let mut stale = first;
        assert_eq!(hosts.entry_at(&mut stale, addr(1)).packets, 0);
        assert_ne!(stale, first);
        assert_eq!(hosts.get(&addr(17)).map(|h| h.packets), Some(1));
    }
}
