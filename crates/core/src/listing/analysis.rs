//! Wireshark's TCP sequence analysis (`tcp_analyze_sequence_number` in
//! its `packet-tcp.c`), check by check and in its order, so that a note
//! here means what the same `tcp.analysis.*` flag means in Wireshark.

use crate::decode::flags::{ACK, FIN, RST, SYN};

use super::{Note, Notes};

/// Out-of-order threshold without a handshake RTT (Wireshark's 3 ms).
const OOO_DEFAULT_NS: i64 = 3_000_000;
/// A fast retransmission follows the duplicate ACKs within this.
const FAST_RETRANSMIT_NS: i64 = 20_000_000;

/// One direction's window scaling, as Wireshark learns it from the SYNs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) enum Scale {
    /// No SYN seen yet: windows are shown as sent.
    #[default]
    Unknown,
    /// A SYN without the option: the connection does not scale.
    Off,
    Shift(u8),
}

/// What one direction has shown so far (Wireshark's `tcp_flow_t`).
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Flow {
    /// Base of the relative sequence numbers, once known.
    pub base: Option<u32>,
    pub scale: Scale,
    /// Highest sequence number expected next (0 until a segment is seen).
    nextseq: u32,
    nextseq_ns: i64,
    maxseqtobeacked: u32,
    lastack: u32,
    lastack_ns: i64,
    /// The last (scaled) window advertised.
    window: u32,
    /// Duplicate ACKs in the current run.
    dupacks: u32,
    /// The notes of the direction's last segment.
    last: Notes,
}

/// The header fields the analysis looks at; `window` already scaled.
#[derive(Clone, Copy, Debug)]
pub(super) struct Segment {
    pub seq: u32,
    pub ack: u32,
    pub len: u32,
    pub flags: u16,
    pub window: u32,
    pub ts_ns: i64,
}

impl Segment {
    fn has(&self, flag: u16) -> bool {
        self.flags & flag != 0
    }

    /// Neither SYN, FIN nor RST.
    fn plain(&self) -> bool {
        self.flags & (SYN | FIN | RST) == 0
    }

    /// Sequence space it takes: its payload, and one for a SYN or FIN.
    fn end(&self) -> u32 {
        let ghost = u32::from(self.flags & (SYN | FIN) != 0);
        self.seq.wrapping_add(self.len).wrapping_add(ghost)
    }

    /// Nanoseconds since `then`, when not before it (Wireshark's unsigned
    /// difference makes an earlier time never "recent").
    fn since(&self, then: i64) -> Option<i64> {
        Some(self.ts_ns.checked_sub(then)?).filter(|t| *t >= 0)
    }
}

fn seq_lt(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) < 0
}

fn seq_gt(a: u32, b: u32) -> bool {
    seq_lt(b, a)
}

/// The relative-number bases: a SYN's own number, else one below the
/// first segment's; the other side's from the first ACK when unknown.
pub(super) fn set_bases(f: &mut Flow, r: &mut Flow, seq: u32, ack: u32, flags: u16) {
    if flags & SYN != 0 {
        f.base = Some(seq);
    } else if f.base.is_none() {
        f.base = Some(seq.wrapping_sub(1));
    }
    if r.base.is_none() && flags & ACK != 0 {
        r.base = Some(ack.wrapping_sub(1));
    }
}

/// What a SYN says about window scaling (its option, or its lack).
pub(super) fn learn_scale(f: &mut Flow, r: &mut Flow, flags: u16, option: Option<u8>) {
    if flags & SYN == 0 {
        return;
    }
    if let Some(shift) = option {
        f.scale = Scale::Shift(shift.min(14));
    }
    if f.scale == Scale::Unknown {
        f.scale = Scale::Off;
        r.scale = Scale::Off;
    } else if flags & ACK != 0 && r.scale == Scale::Off {
        f.scale = Scale::Off;
    }
}

/// The window as Wireshark shows it: scaled except in a SYN.
pub(super) fn scaled(f: &Flow, flags: u16, window: u16) -> u32 {
    match f.scale {
        Scale::Shift(shift) if flags & SYN == 0 => u32::from(window) << shift,
        _ => u32::from(window),
    }
}

/// Wireshark's findings for one segment from `f` to `r`, updating both;
/// with the duplicate ACK's number in its run.
pub(super) fn analyse(
    f: &mut Flow,
    r: &mut Flow,
    s: &Segment,
    rtt_ns: Option<i64>,
) -> (Notes, Option<u32>) {
    let mut notes = Notes::default();
    let mut dup_ack = None;
    if s.len == 1 && s.seq == f.nextseq && r.window == 0 {
        notes.add(Note::ZeroWindowProbe);
    } else {
        dup_ack = header_notes(f, r, s, &mut notes);
    }
    if s.ack != f.lastack {
        f.dupacks = 0;
    }
    acked_unseen(r, s, &mut notes);
    if s.len > 0 || s.flags & (SYN | FIN) != 0 {
        let ooo_ns = rtt_ns.filter(|&rtt| rtt > 0).unwrap_or(OOO_DEFAULT_NS);
        if let Some(kind) = retransmission(f, r, s, notes, ooo_ns) {
            notes.add(kind);
        }
    }
    advance(f, s, notes);
    (notes, dup_ack)
}

/// Zero window, lost segment, keep-alive, window update, the ACKs of a
/// keep-alive or window probe, duplicate ACK.
fn header_notes(f: &mut Flow, r: &Flow, s: &Segment, notes: &mut Notes) -> Option<u32> {
    if s.window == 0 && s.plain() {
        notes.add(Note::ZeroWindow);
    }
    if f.nextseq != 0 && seq_gt(s.seq, f.nextseq) && !s.has(RST) {
        notes.add(Note::LostSegment);
    }
    if s.len <= 1 && s.seq == f.nextseq.wrapping_sub(1) && s.plain() {
        notes.add(Note::KeepAlive);
    }
    let same_place = s.len == 0 && s.seq == f.nextseq && s.ack == f.lastack && s.plain();
    if !same_place {
        return None;
    }
    if s.window != 0 && s.window != f.window {
        notes.add(Note::WindowUpdate);
    }
    if s.window == f.window && s.window != 0 && r.last.has(Note::KeepAlive) {
        notes.add(Note::KeepAliveAck);
        return None;
    }
    if s.window == f.window && s.window == 0 && r.last.has(Note::ZeroWindowProbe) {
        notes.add(Note::ZeroWindowProbeAck);
        return None;
    }
    if s.window == f.window && s.window != 0 {
        f.dupacks = f.dupacks.saturating_add(1);
        notes.add(Note::DupAck);
        return Some(f.dupacks);
    }
    None
}

/// An ACK beyond what the other side was seen sending (tshark 4.0's rule,
/// the oracle's: said again at each such ACK once the other side moved).
fn acked_unseen(r: &mut Flow, s: &Segment, notes: &mut Notes) {
    if !s.has(ACK) || r.maxseqtobeacked == 0 || !seq_gt(s.ack, r.maxseqtobeacked) {
        return;
    }
    notes.add(Note::AckedUnseen);
    r.maxseqtobeacked = r.nextseq;
}

/// Which kind of retransmission a segment that does not advance is.
fn retransmission(f: &Flow, r: &Flow, s: &Segment, notes: Notes, ooo_ns: i64) -> Option<Note> {
    if notes.has(Note::KeepAlive) {
        return None;
    }
    let mut not_advanced = f.nextseq != 0 && seq_lt(s.seq, f.nextseq);
    // More than a byte at one below the next: a window probe's data.
    if s.len > 1 && f.nextseq.wrapping_sub(1) == s.seq {
        not_advanced = false;
    }
    let payload_end = s.seq.wrapping_add(s.len);
    if s.len > 0 && r.lastack != 0 && !seq_gt(payload_end, r.lastack) {
        return Some(Note::SpuriousRetransmission);
    }
    let recent = |then: i64, limit: i64| s.since(then).is_some_and(|t| t < limit);
    if not_advanced
        && r.dupacks >= 2
        && r.lastack == s.seq
        && recent(r.lastack_ns, FAST_RETRANSMIT_NS)
    {
        return Some(Note::FastRetransmission);
    }
    if not_advanced && recent(f.nextseq_ns, ooo_ns) && f.nextseq != s.end() {
        return Some(Note::OutOfOrder);
    }
    not_advanced.then_some(Note::Retransmission)
}

/// The direction's highest sequence number, what it acknowledged, its window.
fn advance(f: &mut Flow, s: &Segment, notes: Notes) {
    let probe = notes.has(Note::ZeroWindowProbe);
    let next = s.end();
    if (seq_gt(next, f.nextseq) || f.nextseq == 0) && !probe {
        f.nextseq = next;
        f.nextseq_ns = s.ts_ns;
    }
    if (s.seq == f.maxseqtobeacked || f.maxseqtobeacked == 0) && !probe {
        f.maxseqtobeacked = f.nextseq;
    }
    f.window = s.window;
    f.lastack = s.ack;
    f.lastack_ns = s.ts_ns;
    f.last = notes;
}
