//! What the cause rules see about one RST: its record (the packet, the
//! connection just before it, what followed), the connection at its end,
//! the claimed sender's host, the origin the signals point to, and the
//! connection's earlier resets with their verdicts.

use super::record::ResetRecord;
use super::role;
use crate::decode::flags;
use crate::report::{Cause, Origin, Role, Stage, SubCause};
use crate::track::conn::{Conn, PacketNote, Side};
use crate::track::HostProfile;

/// Silence this long before a RST (or before the packet it answers) makes
/// an idle timeout the explanation: NAT and firewall timeouts are minutes.
pub const IDLE_NS: i64 = 30_000_000_000;

/// A stack answers a segment within its round trip from the capture: a
/// RST more than this many times the sender's handshake answer time after
/// the packet before it is not an answer to that packet.
const ANSWER_SLACK: i64 = 3;

/// Below this, lateness says nothing (a busy host, a slow scheduler).
const ANSWER_FLOOR_NS: i64 = 200_000_000;

/// An earlier reset of the same connection, as judged.
#[derive(Clone, Copy, Debug)]
pub struct Earlier {
    pub frame: u64,
    pub side: Side,
    pub origin: Origin,
    pub cause: Cause,
    pub sub_cause: Option<SubCause>,
    /// The root it followed from, when it was a consequence itself.
    pub consequence_of: Option<u64>,
    /// It answered a SYN, and the handshake completed after it: the socket
    /// it reached lived on, so it tore nothing down.
    pub survived: bool,
}

pub struct Facts<'a> {
    pub record: &'a ResetRecord,
    /// The connection at its end (baselines include packets after the RST).
    pub conn: &'a Conn,
    pub host: Option<&'a HostProfile>,
    /// Either host swept ports with SYNs or sent stealth probes.
    pub scanner: bool,
    /// Who the signals say emitted it.
    pub origin: Origin,
    pub stage: Stage,
    /// The connection's resets before this one, in frame order.
    pub earlier: &'a [Earlier],
    /// How often the sender sent this same RST on these ports, when it
    /// repeated it (across connections) and sent no other.
    pub echo: Option<u32>,
}

/// The origin of a side's own host.
impl From<Side> for Origin {
    fn from(side: Side) -> Origin {
        match side {
            Side::Client => Origin::Client,
            Side::Server => Origin::Server,
        }
    }
}

impl Facts<'_> {
    /// The claimed sender's own host, as an origin.
    pub fn sender(&self) -> Origin {
        Origin::from(self.record.side)
    }

    /// Neither side sent a clean packet before this RST: it is all there is.
    pub fn alone(&self) -> bool {
        let s = &self.record.snapshot;
        s.sender.clean_packets() == 0 && s.peer.clean_packets() == 0
    }

    /// The claimed sender's role.
    pub fn who(&self) -> Role {
        role(self.record.side)
    }

    pub fn side(&self) -> Side {
        self.record.side
    }

    /// The peer packet this RST answers, if it answers one.
    pub fn trigger(&self) -> Option<PacketNote> {
        self.record.trigger()
    }

    /// The peer packet this RST answers, when it came within the sender's
    /// answer time (its handshake's, seen from the capture): a stack
    /// without the connection answers at once, so a RST long after the
    /// peer's last packet is the sender's own doing. With no handshake
    /// timed, the trigger as is.
    pub fn answered(&self) -> Option<PacketNote> {
        let t = self.trigger()?;
        let expected = match self.side() {
            Side::Client => self.conn.client_delay_ns(),
            Side::Server => self.conn.server_delay_ns(),
        };
        let Some(expected) = expected else {
            return Some(t);
        };
        let bound = expected.saturating_mul(ANSWER_SLACK).max(ANSWER_FLOOR_NS);
        (self.record.ts_ns.saturating_sub(t.ts_ns) <= bound).then_some(t)
    }

    /// The RST carries the ACK flag.
    pub fn has_ack(&self) -> bool {
        self.record.flags & flags::ACK != 0
    }

    /// The RST answers the peer's SYN: the sender had sent nothing, the
    /// peer nothing but its SYN.
    pub fn answers_syn(&self) -> bool {
        self.record.answers_syn()
    }

    /// The silence before the packet this RST answers, when long enough
    /// for an idle timeout.
    pub fn idle_before_trigger(&self) -> Option<i64> {
        self.trigger()
            .map(|t| t.gap_before_ns)
            .filter(|g| *g >= IDLE_NS)
    }
}
