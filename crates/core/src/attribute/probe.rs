//! Probes: packets no ordinary TCP stack sends to open a connection, and
//! connections opened only to be dropped at once. Port scanners (nmap's
//! -sF/-sN/-sX/-sT), OS fingerprinting and health checks make them; the
//! RSTs they draw are the expected answer of a closed port or of the prober
//! itself, not a fault (RFC 9293 §3.10.7.1: a closed port answers any
//! segment without RST by a RST).

use crate::decode::flags;
use crate::report::{Probe, SubCause};
use crate::track::conn::Direction;

use super::record::Snapshot;

/// A client's RST this soon after its handshake ACK, with no data either
/// way, closes a connection that was opened only to see if it would open.
pub const CONNECT_PROBE_NS: i64 = 100_000_000;

/// The six flags of RFC 793; ECE and CWR do not change what a probe is.
const CLASSIC: u16 = flags::FIN | flags::SYN | flags::RST | flags::PSH | flags::ACK | flags::URG;

/// The finer cause of a RST answering `probe`.
pub fn sub_cause(probe: Probe) -> SubCause {
    match probe {
        Probe::Fin => SubCause::FinProbe,
        Probe::Null => SubCause::NullProbe,
        Probe::Xmas => SubCause::XmasProbe,
    }
}

/// The stealth probe this RST answers: the peer's only packet, with no
/// handshake on either side, was a FIN, NULL or Xmas probe.
pub fn stealth(s: &Snapshot) -> Option<Probe> {
    let probe = s.peer.last?;
    let alone = s.peer.packets == 1 && s.sender.last.is_none();
    let no_handshake = s.peer.isn.is_none() && s.sender.isn.is_none();
    if !alone || !no_handshake || probe.payload_len > 0 {
        return None;
    }
    probe_of(probe.flags)
}

/// The probe a segment with these flags is, if it is one: no stack sends
/// a segment without SYN, ACK or RST, unless crafted.
pub fn probe_of(tcp_flags: u16) -> Option<Probe> {
    match tcp_flags & CLASSIC {
        0 => Some(Probe::Null),
        flags::FIN => Some(Probe::Fin),
        f if f == flags::FIN | flags::PSH | flags::URG => Some(Probe::Xmas),
        _ => None,
    }
}

/// Flag combinations no TCP stack puts on a RST: SYN with RST, or FIN
/// with RST and SYN. Crafted by scanners' OS fingerprinting or fuzzers.
pub fn crafted_rst(rst_flags: u16) -> bool {
    rst_flags & flags::SYN != 0
}

/// How long after completing the handshake the sender reset a connection
/// that carried no data and no FIN, if that was within
/// [`CONNECT_PROBE_NS`]: a connect() probe.
pub fn connect_probe(s: &Snapshot, rst_ns: i64) -> Option<i64> {
    let opened = s.ack_ns?;
    let idle = |d: &Direction| d.data_packets == 0 && d.fin_seq.is_none();
    let after = rst_ns.checked_sub(opened)?;
    (idle(&s.sender) && idle(&s.peer) && (0..=CONNECT_PROBE_NS).contains(&after)).then_some(after)
}
