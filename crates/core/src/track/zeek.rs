//! Zeek's view of a TCP connection: its endpoint state machine, `history`
//! letters and `conn_state`, replayed packet by packet so our connection
//! list can be compared line by line with a Zeek conn.log.
//!
//! Follows Zeek's `TCPSessionAdapter` (`update_history`, `init_endpoint`,
//! `update_last_seq`, the `Update*State` functions) and `conn_state()` in
//! `base/protocols/conn/main.zeek`. Not replayed: checksum validation ('c'),
//! the mid-connection SYN/SYN-ACK role reversal, and Zeek's timers (we do
//! not split a connection after 5 minutes of inactivity, so idle-timeout
//! resets keep their context).

use alloc::borrow::Cow;

use super::conn::Side;
use super::seq;
use crate::decode::{flags, TcpSegment};

/// Zeek's `TCP_ENDPOINT_*` states.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndpointState {
    Inactive,
    SynSent,
    SynAckSent,
    Partial,
    Established,
    Closed,
    Reset,
}

/// Zeek ignores SYN/RST sequence numbers this far from the last one.
const TOO_LARGE_SEQ_DELTA: i64 = 1_048_576;

/// Histories frequent in any capture: an unanswered SYN (scans, floods), a
/// refused or half-open one, a handshake reset, data with and without the
/// close, and the tails of connections that began before the capture.
const COMMON_HISTORIES: [&str; 13] = [
    "S", "Sr", "Sh", "ShR", "ShAR", "ShADd", "ShADdFf", "ShADadFf", "ShADadfF", "ShADdfFa", "FfA",
    "^fFa", "DdA",
];

/// History letters that are recorded once per direction (bit per kind).
#[derive(Clone, Copy)]
enum Once {
    Syn = 1,
    Fin = 2,
    Rst = 4,
    Ack = 8,
    Data = 16,
    Multi = 32,
    FinRst = 64,
}

/// A letter repeated at 1, 10, 100, ... occurrences (Zeek's scaled history).
#[derive(Clone, Copy, Debug, Default)]
struct Scaled {
    count: u32,
    threshold: u32,
}

impl Scaled {
    /// Counts one occurrence; true when the letter is to be written.
    fn hit(&mut self) -> bool {
        self.count = self.count.saturating_add(1);
        let threshold = self.threshold.max(1);
        if self.count == threshold {
            self.threshold = threshold.saturating_mul(10);
            true
        } else {
            false
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Endpoint {
    state: EndpointState,
    prev_state: EndpointState,
    seen: u8,
    last_syn: Option<u32>,
    last_fin: Option<u32>,
    last_rst: Option<u32>,
    start_seq: u32,
    last_seq: u32,
    /// End of the contiguous data seen (for content gaps), once known.
    contiguous: Option<u32>,
    retransmits: Scaled,
    zero_windows: Scaled,
    gaps: Scaled,
    /// Payload bytes sent (Zeek's endpoint size, for REJ).
    size: u64,
}

impl Endpoint {
    const fn new() -> Self {
        Self {
            state: EndpointState::Inactive,
            prev_state: EndpointState::Inactive,
            seen: 0,
            last_syn: None,
            last_fin: None,
            last_rst: None,
            start_seq: 0,
            last_seq: 0,
            contiguous: None,
            retransmits: Scaled {
                count: 0,
                threshold: 1,
            },
            zero_windows: Scaled {
                count: 0,
                threshold: 1,
            },
            gaps: Scaled {
                count: 0,
                threshold: 1,
            },
            size: 0,
        }
    }

    fn set_state(&mut self, state: EndpointState) {
        self.prev_state = self.state;
        self.state = state;
    }

    fn init_seq(&mut self, start: u32, last: u32) {
        self.start_seq = start;
        self.last_seq = last;
        self.contiguous = Some(start.wrapping_add(1));
    }

    fn inactive(&self) -> bool {
        matches!(self.state, EndpointState::Inactive | EndpointState::Partial)
    }
}

/// Longest history kept; letters past it are dropped (repeats are rare).
const HISTORY_CAPACITY: usize = 48;

/// Zeek's record of one connection.
#[derive(Clone, Copy, Debug)]
pub struct Zeek {
    /// Which of our sides Zeek calls the originator.
    orig_side: Side,
    orig: Endpoint,
    resp: Endpoint,
    history: [u8; HISTORY_CAPACITY],
    len: u8,
    /// [`Zeek::finished`], worked out once per packet: the tracker asks
    /// it two or three times per packet, the states change only here.
    ended: bool,
}

/// One packet, as the state machine needs it.
#[derive(Clone, Copy, Debug)]
pub struct Segment {
    pub side: Side,
    pub seq: u32,
    pub ack: u32,
    pub flags: u16,
    pub payload_len: u32,
    /// Payload bytes actually captured (less than `payload_len` when the
    /// snaplen cut the frame): Zeek's reassembler skips cut segments.
    pub captured: u32,
    pub window: u16,
}

impl Segment {
    /// `tcp`, sent by `side`, as the state machine needs it.
    pub fn of(side: Side, tcp: &TcpSegment<'_>) -> Self {
        Self {
            side,
            seq: tcp.seq,
            ack: tcp.ack,
            flags: tcp.flags,
            payload_len: tcp.payload_len,
            captured: u32::try_from(tcp.payload.len()).unwrap_or(u32::MAX),
            window: tcp.window,
        }
    }
}

impl Zeek {
    /// Starts a record at the connection's first packet. Zeek makes the
    /// first packet's sender the originator, except that a first packet
    /// without a lone SYN is flipped when its source port is a likely
    /// server port (and its destination port is not, or is higher) — and a
    /// first SYN-ACK always is ('^' in the history).
    pub fn new(first: &Segment, src_port: u16, dst_port: u16) -> Self {
        let syn = first.flags & flags::SYN != 0;
        let ack = first.flags & flags::ACK != 0;
        let flip = if syn && ack {
            true
        } else if !syn {
            likely_server_port(src_port) && (!likely_server_port(dst_port) || src_port < dst_port)
        } else {
            false
        };
        let orig_side = if flip { first.side.other() } else { first.side };
        let mut zeek = Self {
            orig_side,
            orig: Endpoint::new(),
            resp: Endpoint::new(),
            history: [0; HISTORY_CAPACITY],
            len: 0,
            ended: false,
        };
        if flip {
            zeek.push_letter(b'^');
        }
        zeek
    }

    /// The side Zeek calls the originator.
    pub fn orig_side(&self) -> Side {
        self.orig_side
    }

    /// Zeek's `conn_state`.
    pub fn conn_state(&self) -> &'static str {
        use EndpointState::*;
        let (os, rs) = (self.orig.state, self.resp.state);
        let (o_inactive, r_inactive) = (self.orig.inactive(), self.resp.inactive());
        if rs == Reset {
            if os == SynSent
                || os == SynAckSent
                || (os == Reset && self.orig.size == 0 && self.resp.size == 0)
            {
                "REJ"
            } else if o_inactive {
                "RSTRH"
            } else {
                "RSTR"
            }
        } else if os == Reset {
            if !r_inactive {
                "RSTO"
            } else if self.history_is_rstos0() {
                "RSTOS0"
            } else {
                "OTH"
            }
        } else if rs == Closed && os == Closed {
            "SF"
        } else if os == Closed {
            if r_inactive {
                "SH"
            } else {
                "S2"
            }
        } else if rs == Closed {
            if o_inactive {
                "SHR"
            } else {
                "S3"
            }
        } else if os == SynSent && rs == Inactive {
            "S0"
        } else if os == Established && rs == Established {
            "S1"
        } else {
            "OTH"
        }
    }

    /// Zeek's `/^\^?S[^HAFGIQ]*R.*/` test.
    fn history_is_rstos0(&self) -> bool {
        let letters = self.letters();
        let rest = letters.strip_prefix(b"^").unwrap_or(letters);
        let Some(rest) = rest.strip_prefix(b"S") else {
            return false;
        };
        for &c in rest {
            if c == b'R' {
                return true;
            }
            if b"HAFGIQ".contains(&c) {
                return false;
            }
        }
        false
    }

    fn letters(&self) -> &[u8] {
        self.history.get(..usize::from(self.len)).unwrap_or(&[])
    }

    /// The history letters; a common history (a lone SYN, a refusal, the
    /// usual handshakes and closes) is a static string, so listing most
    /// connections allocates nothing for it.
    pub fn history(&self) -> Cow<'static, str> {
        let letters = self.letters();
        match COMMON_HISTORIES.iter().find(|h| h.as_bytes() == letters) {
            Some(&common) => Cow::Borrowed(common),
            None => Cow::Owned(letters.iter().map(|&b| char::from(b)).collect()),
        }
    }

    /// Zeek's `IsClosed()`: an endpoint closed or reset. A new SYN on such
    /// a connection starts a new one, even with the same ISN
    /// (`TCPSessionAdapter::IsReuse`).
    pub fn closed(&self) -> bool {
        use EndpointState::*;
        matches!(self.orig.state, Closed | Reset) || matches!(self.resp.state, Closed | Reset)
    }

    /// True once the connection ended for Zeek (reset, or both sides
    /// closed, or one closed while the other never spoke): packets after
    /// Zeek's close delay belong to a new connection.
    pub fn finished(&self) -> bool {
        self.ended
    }

    /// What [`Zeek::finished`] answers, from the endpoints' states.
    fn ends(&self) -> bool {
        use EndpointState::*;
        let (o, r) = (&self.orig, &self.resp);
        o.state == Reset
            || r.state == Reset
            || (o.state == Closed && (r.state == Closed || r.inactive()))
            || (r.state == Closed && o.inactive())
    }

    fn push_letter(&mut self, letter: u8) {
        if let Some(slot) = self.history.get_mut(usize::from(self.len)) {
            *slot = letter;
            self.len = self.len.saturating_add(1);
        }
    }

    /// Writes `letter` (upper case; lower-cased for the responder).
    fn add(&mut self, is_orig: bool, letter: u8) {
        self.push_letter(if is_orig {
            letter
        } else {
            letter.to_ascii_lowercase()
        });
    }

    /// Writes `letter` the first time this kind is seen in this direction;
    /// returns true when it had been seen before (Zeek's `CheckHistory`).
    fn check(&mut self, is_orig: bool, kind: Once, letter: u8) -> bool {
        let endpoint = if is_orig {
            &mut self.orig
        } else {
            &mut self.resp
        };
        if endpoint.seen & kind as u8 != 0 {
            return true;
        }
        endpoint.seen |= kind as u8;
        self.add(is_orig, letter);
        false
    }

    /// One packet of the connection. Inlined, with `replay` and its two
    /// steps: `Conn::update` (every packet's path) and an embryo's listing
    /// both call it, and out of line the calls cost long and web traffic
    /// 1.1-1.5 % of their instructions (the two steps out of line: 0.6-1.2 %).
    #[inline(always)]
    pub fn on_packet(&mut self, s: &Segment) {
        let is_orig = s.side == self.orig_side;
        if !self.steady(is_orig, s) {
            self.replay(is_orig, s);
        }
    }

    /// Zeek's handling of a packet from the originator (`is_orig`) or
    /// the responder, step by step.
    #[inline(always)] // See `on_packet`.
    fn replay(&mut self, is_orig: bool, s: &Segment) {
        let has = |f: u16| s.flags & f != 0;
        let (syn, fin, rst, ack) = (
            has(flags::SYN),
            has(flags::FIN),
            has(flags::RST),
            has(flags::ACK),
        );
        // RST payload is not part of the stream.
        let seg_len = if rst {
            u32::from(syn) + u32::from(fin)
        } else {
            seq::segment_len(s.payload_len, syn, fin)
        };
        let end = s.seq.wrapping_add(seg_len);

        self.init_endpoint(is_orig, syn, s.seq, end);
        self.update_history(is_orig, s, syn, fin, rst);

        let (endpoint, peer) = self.pair_mut(is_orig);
        let zero_window = s.window == 0
            && !rst
            && peer.state != EndpointState::Closed
            && endpoint.state != EndpointState::Reset;
        if zero_window && endpoint.zero_windows.hit() {
            self.add(is_orig, b'W');
        }
        if ack {
            let (_, peer) = self.pair_mut(is_orig);
            if peer.state == EndpointState::Inactive {
                let base = s.ack.wrapping_sub(1);
                peer.init_seq(base, base);
            }
        }
        if !rst {
            let (endpoint, _) = self.pair_mut(is_orig);
            endpoint.size = endpoint.size.saturating_add(u64::from(s.payload_len));
        }
        let delta_last = self.update_last_seq(is_orig, s.seq, end, syn, fin, rst, s.payload_len);
        if s.captured >= s.payload_len {
            self.track_contiguous(is_orig, s.seq, end, s.payload_len);
        }
        self.update_state(is_orig, s, syn, fin, rst, ack, delta_last);
        if ack {
            self.ack_received(!is_orig, s.ack);
        }
        self.ended = self.ends();
    }

    /// The usual packet of a connection under way, done in short: data or
    /// a pure ACK (no SYN, FIN or RST) with an open window, between two
    /// ends that are established (or partial: met mid-connection), whose
    /// sender has written its letter for it already, that is no
    /// retransmission and acknowledges nothing past the peer's contiguous
    /// data. Such a packet changes no state and writes no letter: only the
    /// size and the sequence marks move, as on the full path. False (and
    /// nothing changed): the full path decides.
    fn steady(&mut self, is_orig: bool, s: &Segment) -> bool {
        use EndpointState::{Established, Partial};
        let plain = s.flags & (flags::SYN | flags::FIN | flags::RST | flags::ACK) == flags::ACK;
        if !plain || s.window == 0 {
            return false;
        }
        let letter = if s.payload_len > 0 {
            Once::Data
        } else {
            Once::Ack
        };
        let (endpoint, peer) = self.pair_mut(is_orig);
        let under_way = |e: &Endpoint| matches!(e.state, Established | Partial);
        if !under_way(endpoint) || !under_way(peer) || endpoint.seen & letter as u8 == 0 {
            return false;
        }
        let end = s.seq.wrapping_add(s.payload_len);
        let advances = seq::diff(end, endpoint.last_seq) > 0;
        let past_contiguous = peer.contiguous.is_some_and(|c| seq::after(s.ack, c));
        if (!advances && s.payload_len > 0) || past_contiguous {
            return false;
        }
        if advances {
            endpoint.last_seq = end;
        }
        endpoint.size = endpoint.size.saturating_add(u64::from(s.payload_len));
        if s.captured >= s.payload_len {
            self.track_contiguous(is_orig, s.seq, end, s.payload_len);
        }
        true
    }

    fn pair(&self, is_orig: bool) -> (&Endpoint, &Endpoint) {
        if is_orig {
            (&self.orig, &self.resp)
        } else {
            (&self.resp, &self.orig)
        }
    }

    fn pair_mut(&mut self, is_orig: bool) -> (&mut Endpoint, &mut Endpoint) {
        if is_orig {
            (&mut self.orig, &mut self.resp)
        } else {
            (&mut self.resp, &mut self.orig)
        }
    }

    fn init_endpoint(&mut self, is_orig: bool, syn: bool, seq: u32, end: u32) {
        use EndpointState::*;
        let (endpoint, _) = self.pair_mut(is_orig);
        match endpoint.state {
            Inactive if syn => endpoint.init_seq(seq, end),
            // A partial connection: number as though a SYN came just before.
            Inactive => endpoint.init_seq(seq.wrapping_sub(1), seq),
            SynSent | SynAckSent if syn && seq != endpoint.start_seq => endpoint.init_seq(seq, end),
            Established | Partial if syn => endpoint.init_seq(seq, end),
            Reset if syn && endpoint.prev_state == Inactive => endpoint.init_seq(seq, end),
            _ => {}
        }
    }

    #[inline(always)] // See `on_packet`.
    fn update_history(&mut self, is_orig: bool, s: &Segment, syn: bool, fin: bool, rst: bool) {
        let bits = u8::from(syn) + u8::from(fin) + u8::from(rst);
        if bits > 1 {
            if fin && rst {
                self.check(is_orig, Once::FinRst, b'I');
            } else {
                self.check(is_orig, Once::Multi, b'Q');
            }
        } else if syn {
            let code = if s.flags & flags::ACK != 0 {
                b'H'
            } else {
                b'S'
            };
            let (endpoint, _) = self.pair(is_orig);
            let repeated = endpoint.last_syn.is_some_and(|last| last != s.seq);
            if self.check(is_orig, Once::Syn, code) && repeated {
                self.add(is_orig, code);
            }
            self.pair_mut(is_orig).0.last_syn = Some(s.seq);
        } else if fin {
            // A FIN's sequence number is taken at the end of its data.
            let at = s.seq.wrapping_add(s.payload_len);
            let repeated = self.pair(is_orig).0.last_fin.is_some_and(|last| last != at);
            if self.check(is_orig, Once::Fin, b'F') && repeated {
                self.add(is_orig, b'F');
            }
            self.pair_mut(is_orig).0.last_fin = Some(at);
        } else if rst {
            let repeated = self
                .pair(is_orig)
                .0
                .last_rst
                .is_some_and(|last| last != s.seq);
            if self.check(is_orig, Once::Rst, b'R') && repeated {
                self.add(is_orig, b'R');
            }
            self.pair_mut(is_orig).0.last_rst = Some(s.seq);
        } else if s.payload_len > 0 {
            self.check(is_orig, Once::Data, b'D');
        } else if s.flags & flags::ACK != 0 {
            self.check(is_orig, Once::Ack, b'A');
        }
    }

    /// Zeek's `update_last_seq`: moves the highest sequence seen, and counts
    /// a retransmission ('T') for data at or below it.
    #[allow(clippy::too_many_arguments)]
    fn update_last_seq(
        &mut self,
        is_orig: bool,
        _seq: u32,
        end: u32,
        syn: bool,
        fin: bool,
        rst: bool,
        len: u32,
    ) -> i64 {
        let (endpoint, _) = self.pair_mut(is_orig);
        let delta = seq::diff(end, endpoint.last_seq);
        let mut retransmit = false;
        let wild = (syn || rst) && !(-TOO_LARGE_SEQ_DELTA..=TOO_LARGE_SEQ_DELTA).contains(&delta);
        // Wild SYN/RST numbers, and anything after our own RST, are not trusted.
        if !wild {
            if fin && endpoint.last_seq == endpoint.start_seq.wrapping_add(1) {
                endpoint.last_seq = end;
            } else if endpoint.state == EndpointState::Reset {
            } else if delta > 0 {
                endpoint.last_seq = end;
            } else if len > 0 {
                retransmit = endpoint.retransmits.hit();
            }
        }
        if retransmit {
            self.add(is_orig, b'T');
        }
        delta
    }

    /// Follows the contiguous part of a direction's data, to see acks that
    /// skip over bytes never captured (content gaps).
    fn track_contiguous(&mut self, is_orig: bool, seq: u32, end: u32, len: u32) {
        let (endpoint, _) = self.pair_mut(is_orig);
        if let Some(contiguous) = endpoint.contiguous {
            if len > 0 && seq::diff(seq, contiguous) <= 0 && seq::after(end, contiguous) {
                endpoint.contiguous = Some(end);
            }
        }
    }

    /// The peer acknowledged `ack` of `data_side`'s stream: a content gap if
    /// it covers bytes we never saw ('G'), unless the connection is ending.
    fn ack_received(&mut self, data_is_orig: bool, ack: u32) {
        use EndpointState::*;
        let (data, acker) = self.pair_mut(data_is_orig);
        let ending = matches!(data.state, Closed | Reset) || matches!(acker.state, Closed | Reset);
        let Some(contiguous) = data.contiguous else {
            return;
        };
        if !seq::after(ack, contiguous) {
            return;
        }
        data.contiguous = Some(ack);
        // An ack of the FIN (one past the data) is no gap.
        let fin_ack = data.last_fin.is_some_and(|fin| ack == fin.wrapping_add(1));
        if !ending
            && !fin_ack
            && seq::diff(ack, contiguous) < TOO_LARGE_SEQ_DELTA
            && data.gaps.hit()
        {
            self.add(data_is_orig, b'G');
        }
    }

    #[allow(clippy::too_many_arguments)]
    #[inline(always)] // See `on_packet`.
    fn update_state(
        &mut self,
        is_orig: bool,
        s: &Segment,
        syn: bool,
        fin: bool,
        rst: bool,
        ack: bool,
        delta_last: i64,
    ) {
        use EndpointState::*;
        let (endpoint, peer) = self.pair_mut(is_orig);
        match endpoint.state {
            Inactive => {
                if syn {
                    if is_orig {
                        endpoint.set_state(if ack { SynAckSent } else { SynSent });
                    } else {
                        if peer.state == SynSent {
                            peer.set_state(Established);
                        }
                        endpoint.set_state(Established);
                    }
                }
                if fin {
                    endpoint.set_state(Closed);
                }
                if rst {
                    endpoint.set_state(Reset);
                }
                if endpoint.state == Inactive {
                    if !is_orig && s.payload_len == 0 && peer.state == SynSent {
                        // Some stacks ack a SYN before answering it: not partial.
                    } else if ack && peer.state == Established {
                        endpoint.set_state(Established);
                    } else {
                        endpoint.set_state(Partial);
                    }
                }
            }
            SynSent | SynAckSent => {
                if fin {
                    endpoint.set_state(Closed);
                }
                if rst {
                    endpoint.set_state(Reset);
                }
            }
            Established | Partial => {
                if syn && endpoint.state == Partial && peer.state == Inactive && !ack {
                    endpoint.set_state(SynSent);
                }
                if fin && !rst {
                    endpoint.set_state(Closed);
                    if peer.state == Reset && peer.prev_state == Closed {
                        // FIN then RST from the peer was a normal close.
                        peer.set_state(Closed);
                    }
                }
                if rst {
                    endpoint.set_state(Reset);
                }
            }
            Closed => {
                let _ = delta_last;
                if rst && peer.state != Closed {
                    endpoint.set_state(Reset);
                }
            }
            Reset => {}
        }
    }
}

/// Ports Zeek's default scripts register analyzers on (its
/// `likely_server_ports`), approximated: well-known ports plus common
/// registered services.
pub fn likely_server_port(port: u16) -> bool {
    const REGISTERED: [u16; 24] = [
        1080, 1433, 1521, 1723, 1883, 2049, 3128, 3306, 3389, 5060, 5222, 5432, 5672, 5900, 6379,
        6666, 6667, 6668, 6669, 8000, 8080, 8443, 8888, 9200,
    ];
    (1..1024).contains(&port) || REGISTERED.contains(&port)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use proptest::prelude::*;

    /// A segment near the numbers both ends start from (ISNs 1000 and
    /// 5000), so that sequence and ack numbers meet, fall behind (old
    /// data, stale acks) and skip ahead (gaps).
    fn segment() -> impl Strategy<Value = Segment> {
        let flags = prop::sample::select(alloc::vec![
            flags::ACK,
            flags::ACK,
            flags::ACK | flags::PSH,
            flags::SYN,
            flags::SYN | flags::ACK,
            flags::FIN | flags::ACK,
            flags::RST,
            flags::RST | flags::ACK,
            0,
        ]);
        (
            any::<bool>(),
            0u32..40,
            0u32..40,
            flags,
            0u32..3,
            any::<bool>(),
            0u16..3,
        )
            .prop_map(|(client, seq, ack, flags, len, cut, window)| {
                let (base, peer) = if client { (1000, 5000) } else { (5000, 1000) };
                let payload_len = len * 10;
                Segment {
                    side: if client { Side::Client } else { Side::Server },
                    seq: base + seq * 5,
                    ack: peer + ack * 5,
                    flags,
                    payload_len,
                    captured: if cut { 0 } else { payload_len },
                    window,
                }
            })
    }

    proptest! {
        /// The short way for a steady packet leaves the record exactly as
        /// Zeek's full handling does, packet after packet.
        #[test]
        fn steady_packets_end_as_the_full_replay_does(
            packets in prop::collection::vec(segment(), 1..60)
        ) {
            let first = packets.first().copied().unwrap();
            let mut short = Zeek::new(&first, 40000, 443);
            let mut full = short;
            for s in &packets {
                short.on_packet(s);
                let is_orig = s.side == full.orig_side;
                full.replay(is_orig, s);
                prop_assert_eq!(format!("{short:?}"), format!("{full:?}"));
            }
        }
    }
}
