//! A RST recorded twice. Some captures hold every packet two times: a
//! doubled capture (two taps merged, `any` on bonded interfaces) or a
//! mirror's second copy (ERSPAN of the ports before and after a router,
//! one hop apart). A copy of a segment is not tracked again (it is no
//! retransmission, no second probe); a copy of a RST is not a second
//! reset: it gets its original's verdict, never a consequence of it.

use alloc::vec::Vec;

use super::judge::Verdict;
use super::record::ResetRecord;
use crate::decode::{flags, TcpPacket};
use crate::report::{Evidence, Fact};
use crate::track::conn::{Conn, Side};

/// A copy follows its original within this: a tap or a mirror, never a
/// stack sending again.
const COPY_NS: i64 = 2_000_000;

/// A packet at `ts_ns` comes soon enough after one at `earlier_ns` to be
/// the capture's second copy of it.
pub fn soon_enough(earlier_ns: i64, ts_ns: i64) -> bool {
    (0..=COPY_NS).contains(&ts_ns.saturating_sub(earlier_ns))
}

/// An IP-ID that tells a stack's packets apart: equal ones are one packet.
/// (None for IPv6; 0 from stacks that do not count.)
pub fn telling_ip_id(id: Option<u16>) -> bool {
    id.is_some_and(|id| id != 0)
}

/// RSTs looked back over for a copy's original.
const LOOK_BACK: usize = 8;

/// For each of a connection's RSTs (`records`, in frame order), the index
/// of the earlier one it copies. A copy is no original, and an original
/// has one copy: with packets recorded twice, two answers a stack sent to
/// two segments in flight (equal numbers, IP-ID 0) are two originals.
pub fn originals(records: &[ResetRecord], conn: &Conn) -> Vec<Option<usize>> {
    let mut of: Vec<Option<usize>> = Vec::with_capacity(records.len());
    let mut paired: Vec<bool> = alloc::vec![false; records.len()];
    for (k, copy) in records.iter().enumerate() {
        let trusted = telling_ip_id(copy.packet.ip_id) || recorded_twice(conn);
        let original = (k.saturating_sub(LOOK_BACK)..k).rev().find(|&j| {
            let free = of.get(j) == Some(&None) && paired.get(j) == Some(&false);
            free && records.get(j).is_some_and(|r| same_packet(r, copy))
        });
        let original = original.filter(|_| trusted);
        if let Some(slot) = original.and_then(|j| paired.get_mut(j)) {
            *slot = true;
        }
        of.push(original);
    }
    of
}

/// The verdict of `copy`, a copy of `original` (judged already).
pub fn verdict_of_copy(original: &ResetRecord, copy: &ResetRecord, conn: &Conn) -> Option<Verdict> {
    let mut verdict = original.verdict.clone()?;
    let fact = Fact::CaptureCopy {
        frame: original.packet.frame,
        apart_ns: copy.ts_ns.saturating_sub(original.ts_ns),
    };
    verdict
        .evidence
        .insert(0, Evidence::of(fact, verdict.origin));
    verdict.ladder = copy.ladder_packets(conn);
    Some(verdict)
}

/// The capture recorded the connection's segments twice, not a stray
/// one: with an IP-ID of 0 (or none) two equal RSTs could also be one
/// stack answering two segments in flight. Pure ACKs without an IP-ID stay
/// tracked twice (see [`repeats`]), so a third of the tracked packets is
/// the mark.
fn recorded_twice(conn: &Conn) -> bool {
    let tracked = conn.client.packets.saturating_add(conn.server.packets);
    conn.copies > 0 && u64::from(conn.copies).saturating_mul(3) >= tracked
}

/// `copy` repeats `original` field for field (one hop further at most),
/// at once, with nothing of the connection between them.
fn same_packet(original: &ResetRecord, copy: &ResetRecord) -> bool {
    let (a, b) = (&original.packet, &copy.packet);
    let quiet = |r: &ResetRecord| {
        (
            r.snapshot.sender.clean_packets(),
            r.snapshot.peer.clean_packets(),
        )
    };
    original.side == copy.side
        && original.flags == copy.flags
        && (a.seq, a.ack, a.payload_len, a.ip_id) == (b.seq, b.ack, b.payload_len, b.ip_id)
        && a.ttl.abs_diff(b.ttl) <= 1
        && soon_enough(original.ts_ns, copy.ts_ns)
        && quiet(original) == quiet(copy)
}

/// `packet`, seen at `ts_ns`, is a copy of its `side`'s last segment on
/// `conn`. A pure ACK with no IP-ID to tell it by (IPv6, stacks sending 0)
/// may be a duplicate ACK the stack really sent again, so it stays a
/// packet unless the connection showed copies already.
pub fn repeats(conn: &Conn, side: Side, ts_ns: i64, packet: &TcpPacket<'_>) -> bool {
    // Borrowed: a copy of the note is ~60 bytes per packet.
    let Some(last) = &conn.dir(side).last else {
        return false;
    };
    let (ip, tcp) = (&packet.ip, &packet.tcp);
    let told_apart = conn.copies > 0
        || telling_ip_id(ip.id)
        || tcp.payload_len > 0
        || tcp.flags & (flags::SYN | flags::FIN) != 0
        || tcp.flags & flags::ACK == 0;
    told_apart
        && (last.seq, last.ack, last.flags, last.payload_len, last.ip_id)
            == (tcp.seq, tcp.ack, tcp.flags, tcp.payload_len, ip.id)
        && last.ttl.abs_diff(ip.ttl) <= 1
        && soon_enough(last.ts_ns, ts_ns)
}
