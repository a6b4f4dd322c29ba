//! Where the tracker's tables file a packet, worked out with its decoding:
//! its connection's key (the two endpoints, lower first) and the hashes the
//! flow table and the host table find it by. They depend on the packet
//! alone, so decoding computes them: on the CLI that is the reading thread,
//! beside the decoding, not the analysing thread that looks them up.

use core::hash::{BuildHasher, Hasher};
use core::net::IpAddr;

use foldhash::fast::SeedableRandomState;
use foldhash::SharedSeed;

use super::{IpInfo, TcpPacket};

/// Direction-independent connection key: the lower endpoint first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    lo: (IpAddr, u16),
    hi: (IpAddr, u16),
}

impl Key {
    /// Whether `packet` was sent from the pair's lower endpoint.
    pub fn sent_from_lo(&self, packet: &TcpPacket<'_>) -> bool {
        self.lo == (packet.ip.src, packet.tcp.src_port)
    }

    pub fn of(packet: &TcpPacket<'_>) -> Self {
        let (ip, tcp) = (&packet.ip, &packet.tcp);
        Self::new((ip.src, tcp.src_port), (ip.dst, tcp.dst_port))
    }

    /// The pair of `a` and `b`, in either order.
    pub fn new(a: (IpAddr, u16), b: (IpAddr, u16)) -> Self {
        if endpoint_le(a, b) {
            Self { lo: a, hi: b }
        } else {
            Self { lo: b, hi: a }
        }
    }

    /// Its hash in the flow table (see [`pair_hash`]).
    #[inline]
    pub fn hashed(&self) -> u64 {
        pair_hash(&hasher(), self.lo, self.hi)
    }
}

/// `a <= b` in the derived order of `(IpAddr, u16)` (IPv4 first, then the
/// address bytes, then the port), comparing each address as one integer:
/// the derived comparison goes byte by byte through an out-of-line call,
/// once per packet.
fn endpoint_le(a: (IpAddr, u16), b: (IpAddr, u16)) -> bool {
    let addr = match (a.0, b.0) {
        (IpAddr::V4(x), IpAddr::V4(y)) => x.to_bits().cmp(&y.to_bits()),
        (IpAddr::V6(x), IpAddr::V6(y)) => x.to_bits().cmp(&y.to_bits()),
        (IpAddr::V4(_), IpAddr::V6(_)) => core::cmp::Ordering::Less,
        (IpAddr::V6(_), IpAddr::V4(_)) => core::cmp::Ordering::Greater,
    };
    addr.then(a.1.cmp(&b.1)).is_le()
}

/// The hash of `addr` in the host table.
#[inline]
pub fn addr_hash(addr: IpAddr) -> u64 {
    addr_hash_by(&hasher(), addr)
}

/// [`addr_hash`] with the tables' `hasher` at hand: one definition for the
/// host table's lookups and the hash decoding carries ([`Flow::sender`]).
#[inline]
fn addr_hash_by(hasher: &SeedableRandomState, addr: IpAddr) -> u64 {
    hasher.hash_one(bits(addr))
}

/// The hash of the endpoint pair `a`, `b`, in either order: each endpoint
/// is one number (address and port), the pair the smaller then the larger,
/// so neither the key's order nor the address's kind and bytes are walked
/// apart as the derived `Hash` would (two IPv4 endpoints: one 128-bit word,
/// one multiplication).
#[inline]
fn pair_hash(hasher: &SeedableRandomState, a: (IpAddr, u16), b: (IpAddr, u16)) -> u64 {
    match (a.0, b.0) {
        (IpAddr::V4(x), IpAddr::V4(y)) => {
            let x = u64::from(x.to_bits()) << 16 | u64::from(a.1);
            let y = u64::from(y.to_bits()) << 16 | u64::from(b.1);
            hasher.hash_one(u128::from(x.min(y)) << 64 | u128::from(x.max(y)))
        }
        _ => {
            let (x, y) = ((bits(a.0), a.1), (bits(b.0), b.1));
            let (lo, hi) = if x <= y { (x, y) } else { (y, x) };
            let mut h = hasher.build_hasher();
            h.write_u128(lo.0);
            h.write_u128(hi.0);
            h.write_u32(u32::from(lo.1) << 16 | u32::from(hi.1));
            h.finish()
        }
    }
}

/// An address as one number (an IPv4 address and the IPv6 address of the
/// same bits share a hash, not a key).
fn bits(addr: IpAddr) -> u128 {
    match addr {
        IpAddr::V4(a) => u128::from(a.to_bits()),
        IpAddr::V6(a) => a.to_bits(),
    }
}

/// The tables' one hash function, the same on every thread (a hash made
/// while decoding finds the packet in the tables) and random per process,
/// so a crafted capture cannot aim at it: foldhash's process-wide random
/// seed, and a secret starting value drawn from it (a known one would let
/// chosen endpoints cancel it out and all hash alike).
#[inline]
fn hasher() -> SeedableRandomState {
    let seed = SharedSeed::global_random();
    let secret = SeedableRandomState::with_seed(0, seed).hash_one(SALT);
    SeedableRandomState::with_seed(secret, seed)
}

/// Any fixed number: what the secret starting value is drawn from.
const SALT: u64 = 0x5253_5453_434f_5045;

/// A packet's hashes in the tracker's tables (see [`Flow::of`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flow {
    /// Its connection's [`Key`] in the flow table.
    pub(crate) conn: u64,
    /// Its sender's address in the host table.
    pub(crate) sender: u64,
}

impl Flow {
    /// The hashes of the packet from `ip`'s source port `src_port` to its
    /// destination port `dst_port`.
    pub fn of(ip: &IpInfo, src_port: u16, dst_port: u16) -> Self {
        let hasher = hasher();
        Self {
            conn: pair_hash(&hasher, (ip.src, src_port), (ip.dst, dst_port)),
            sender: addr_hash_by(&hasher, ip.src),
        }
    }

    /// `packet`'s connection hash: as decoded, or computed here for a
    /// packet built otherwise.
    pub(crate) fn conn_of(packet: &TcpPacket<'_>, key: &Key) -> u64 {
        packet.flow.map_or_else(|| key.hashed(), |flow| flow.conn)
    }

    /// `packet`'s sender's hash, as decoded or computed here.
    pub(crate) fn sender_of(packet: &TcpPacket<'_>) -> u64 {
        (packet.flow).map_or_else(|| addr_hash(packet.ip.src), |flow| flow.sender)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(src: &str, dst: &str) -> IpInfo {
        IpInfo {
            src: src.parse().unwrap(),
            dst: dst.parse().unwrap(),
            ttl: 64,
            id: None,
            dont_fragment: false,
            tos: 0,
        }
    }

    /// Both directions of a connection hash alike, and as its key does;
    /// another port, another address or the other family does not (with
    /// these endpoints: a collision would be a 2^-64 chance).
    #[test]
    fn test_flow_hashes_are_the_keys_either_way() {
        for (a, b) in [("10.0.0.1", "10.0.0.2"), ("2001:db8::1", "2001:db8::2")] {
            let there = Flow::of(&ip(a, b), 40000, 443);
            let back = Flow::of(&ip(b, a), 443, 40000);
            assert_eq!(there.conn, back.conn);
            let key = Key::new((a.parse().unwrap(), 40000), (b.parse().unwrap(), 443));
            assert_eq!(there.conn, key.hashed());
            assert_eq!(there.sender, addr_hash(a.parse().unwrap()));
            assert_ne!(there.sender, back.sender);
            assert_ne!(there.conn, Flow::of(&ip(a, b), 40001, 443).conn);
            assert_ne!(there.conn, Flow::of(&ip(a, b), 40000, 444).conn);
            assert_ne!(there.conn, Flow::of(&ip(b, b), 40000, 443).conn);
        }
        let v4 = Flow::of(&ip("0.0.0.1", "0.0.0.2"), 1, 2);
        let v6 = Flow::of(&ip("::1", "::2"), 1, 2);
        assert_ne!(v4.conn, v6.conn);
    }

    #[test]
    fn endpoint_order_matches_the_derived_one() {
        let addrs: [IpAddr; 5] = [
            "10.0.0.1".parse().unwrap(),
            "10.0.1.0".parse().unwrap(),
            "192.168.0.1".parse().unwrap(),
            "::1".parse().unwrap(),
            "2001:db8::1".parse().unwrap(),
        ];
        for &x in &addrs {
            for &y in &addrs {
                for (p, q) in [(80, 80), (80, 443), (443, 80)] {
                    assert_eq!(endpoint_le((x, p), (y, q)), (x, p) <= (y, q));
                }
            }
        }
    }
}
