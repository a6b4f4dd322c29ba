//! The same RST sent again and again: a host that lost a connection (a
//! reboot, a teardown long before the capture) answers each segment its
//! peer still sends for it — keepalives, retransmissions — with the same
//! bare RST, from the same port with the same seq and TTL. Each answer is
//! a connection of its own to the tracker (they are seconds or minutes
//! apart), so they are counted here, per 4-tuple, across connections.
//! Over hours the route may change by a hop or two: the TTL may drift
//! that much without making the answers another sender's.

use alloc::collections::BTreeMap;
use core::net::IpAddr;

use super::copy;
use crate::decode::TcpPacket;
use crate::track::baseline::initial_ttl;
use crate::track::conn::{Conn, Side};

/// Hops a route may gain or lose between answers minutes or hours apart;
/// another emitter sits at another distance or starts from another
/// initial TTL.
const ROUTE_CHANGE_HOPS: u8 = 3;

/// 4-tuples remembered at most: a RST flood stops adding new ones.
const MAX_TUPLES: usize = 16_384;

/// (source address and port, destination address and port).
type Tuple = (IpAddr, u16, IpAddr, u16);

/// One 4-tuple's RSTs so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Echo {
    pub seq: u32,
    /// The first RST's TTL.
    pub ttl: u8,
    /// RSTs with that seq and a TTL at most a route change away.
    pub times: u32,
    /// A RST with another seq, or a TTL further away, came too: not one
    /// answer repeated.
    pub varied: bool,
    /// The last RST's time and IP-ID, to tell a capture's second copy of
    /// it (see [`super::copy`]) from an answer sent again.
    pub last_ns: i64,
    pub last_ip_id: Option<u16>,
}

#[derive(Default)]
pub struct Echoes {
    tuples: BTreeMap<Tuple, Echo>,
}

impl Echoes {
    /// Notes a RST seen at `ts_ns`; `doubled` when its connection showed
    /// segments the capture recorded twice (see [`super::copy`]).
    pub fn note(&mut self, packet: &TcpPacket<'_>, ts_ns: i64, doubled: bool) {
        let (ip, tcp) = (&packet.ip, &packet.tcp);
        let tuple = (ip.src, tcp.src_port, ip.dst, tcp.dst_port);
        if let Some(echo) = self.tuples.get_mut(&tuple) {
            let copy = echo.seq == tcp.seq
                && echo.last_ip_id == ip.id
                && (doubled || copy::telling_ip_id(ip.id))
                && copy::soon_enough(echo.last_ns, ts_ns);
            echo.last_ns = ts_ns;
            echo.last_ip_id = ip.id;
            // The capture recorded the same RST twice: one answer.
            if copy {
                return;
            }
            if echo.seq == tcp.seq && same_sender(echo.ttl, ip.ttl) {
                echo.times = echo.times.saturating_add(1);
            } else {
                echo.varied = true;
            }
        } else if self.tuples.len() < MAX_TUPLES {
            let echo = Echo {
                seq: tcp.seq,
                ttl: ip.ttl,
                times: 1,
                varied: false,
                last_ns: ts_ns,
                last_ip_id: ip.id,
            };
            self.tuples.insert(tuple, echo);
        }
    }

    /// How often `side` of `conn` sent the RST with `seq` on this 4-tuple,
    /// when it sent that one RST again and again (at least twice) and no
    /// other.
    pub fn repeated(&self, conn: &Conn, side: Side, seq: u32) -> Option<u32> {
        let (from, to) = (conn.dir(side), conn.dir(side.other()));
        let echo = self.tuples.get(&(from.addr, from.port, to.addr, to.port))?;
        (echo.seq == seq && echo.times >= 2 && !echo.varied).then_some(echo.times)
    }
}

/// Whether a RST with `ttl` may come from the sender whose first repeated
/// RST had `first`: the same initial TTL, at most a route change away.
fn same_sender(first: u8, ttl: u8) -> bool {
    initial_ttl(first) == initial_ttl(ttl) && first.abs_diff(ttl) <= ROUTE_CHANGE_HOPS
}
