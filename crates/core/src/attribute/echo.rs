//! The same RST sent again and again: a host that lost a connection (a
//! reboot, a teardown long before the capture) answers each segment its
//! peer still sends for it — keepalives, retransmissions — with the same
//! bare RST, from the same port with the same seq and TTL. Each answer is
//! a connection of its own to the tracker (they are seconds or minutes
//! apart), so they are counted here, per 4-tuple, across connections.

use alloc::collections::BTreeMap;
use core::net::IpAddr;

use crate::decode::TcpPacket;
use crate::track::conn::{Conn, Side};

/// 4-tuples remembered at most: a RST flood stops adding new ones.
const MAX_TUPLES: usize = 16_384;

/// (source address and port, destination address and port).
type Tuple = (IpAddr, u16, IpAddr, u16);

/// One 4-tuple's RSTs so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Echo {
    pub seq: u32,
    pub ttl: u8,
    /// RSTs with that seq and TTL.
    pub times: u32,
    /// A RST with another seq or TTL came too: not one answer repeated.
    pub varied: bool,
}

#[derive(Default)]
pub struct Echoes {
    tuples: BTreeMap<Tuple, Echo>,
}

impl Echoes {
    /// Notes a RST.
    pub fn note(&mut self, packet: &TcpPacket<'_>) {
        let (ip, tcp) = (&packet.ip, &packet.tcp);
        let tuple = (ip.src, tcp.src_port, ip.dst, tcp.dst_port);
        if let Some(echo) = self.tuples.get_mut(&tuple) {
            if echo.seq == tcp.seq && echo.ttl == ip.ttl {
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
