//! What the report's connection list shows of a connection, taken from a
//! connection tracked in full or straight from an embryo (most of a
//! flood's connections are only listed: growing each into a ~1 KB
//! [`Conn`] just to read these fields was a tenth of the analysis).

use core::net::IpAddr;

use super::conn::{Conn, RolesFrom};
use super::zeek::Zeek;

/// A connection's entry in the list, before its resets are named.
#[derive(Clone, Copy, Debug)]
pub struct Listed {
    pub id: u32,
    pub first_stream: u32,
    pub first_frame: u64,
    pub client: (IpAddr, u16),
    pub server: (IpAddr, u16),
    pub roles_from: RolesFrom,
    pub first_ns: i64,
    pub last_ns: i64,
    /// Packets and payload bytes per side: client, server.
    pub packets: (u64, u64),
    pub bytes: (u64, u64),
    pub zeek: Zeek,
}

impl Listed {
    pub fn of(conn: &Conn) -> Self {
        let (c, s) = (&conn.client, &conn.server);
        Self {
            id: conn.id,
            first_stream: conn.first_stream,
            first_frame: conn.first_frame,
            client: (c.addr, c.port),
            server: (s.addr, s.port),
            roles_from: conn.roles_from,
            first_ns: conn.first_ns,
            last_ns: conn.last_ns,
            packets: (c.packets, s.packets),
            bytes: (c.bytes, s.bytes),
            zeek: conn.zeek,
        }
    }
}
