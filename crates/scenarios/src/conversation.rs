//! One TCP connection, built packet by packet with consistent sequence and
//! acknowledgement numbers, windows, timestamps and IP-IDs.
//!
//! Timing follows a capture taken at the client: the server's answer to a
//! client packet shows up one round trip later, the client's answer to a
//! server packet a fraction of a millisecond later.

use rstscope_core::decode::flags::{ACK, FIN, PSH, RST, SYN};

use crate::host::{Host, IpIdStyle};
use crate::net::{Draft, IpId, ResetId, Verdict};
use crate::packet::{LinkNote, Packet, TcpOptions};
use crate::rng::Rng;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Client,
    Server,
}

/// How long the client's stack takes to answer (kernel ACKs are quick).
const CLIENT_TURNAROUND_US: i64 = 150;
/// Gap between back-to-back segments of one burst.
const BURST_GAP_US: i64 = 90;

struct Peer {
    host: Host,
    port: u16,
    isn: u32,
    /// Next sequence number to send (SND.NXT).
    nxt: u32,
    /// Per-connection IP-ID counter (Linux style).
    ip_id: u16,
    /// This peer's TSval clock offset (1 ms ticks).
    ts_offset: u32,
    /// Last TSval received from the other side (echoed as TSecr).
    ts_recent: u32,
    /// IP-ID of the last packet it sent, for a peer that copies it.
    sent_ip_id: Option<IpId>,
}

/// What a side last put on the wire in its own name: what a stack without
/// the connection answers (RFC 9293 §3.10.7.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SegmentSeen {
    pub seq: u32,
    pub ack: u32,
    pub flags: u16,
    /// Sequence space it takes: payload bytes, plus one for SYN and for FIN.
    pub len: u32,
}

/// The IP fields of a packet forged to look like the endpoint's own.
#[derive(Clone, Copy, Debug)]
pub struct Disguise {
    /// The TTL the capture sees.
    pub ttl: u8,
    /// Continue the claimed sender's IP-ID series (else this fixed value).
    pub ip_id: Option<u16>,
    pub dont_fragment: bool,
    /// Carry a timestamps option copied from the claimed sender's clock.
    pub timestamps: bool,
}

/// The TCP fields of one packet, before addresses and IP fields are added.
struct Segment {
    seq: u32,
    ack: u32,
    flags: u16,
    window: u16,
    options: TcpOptions,
    payload: Vec<u8>,
}

pub struct Conversation {
    /// Unique in its `Net`: names this conversation's labelled resets.
    id: u32,
    resets: u32,
    rng: Rng,
    client: Peer,
    server: Peer,
    now_us: i64,
    /// Options both SYNs offered (a SYN-ACK only answers what was offered).
    timestamps: bool,
    sack_permitted: bool,
    window_scaling: bool,
    mss: u16,
    /// Capture time from a packet to the answer of each side (client,
    /// server): twice that side's one-way delay from the capture point,
    /// plus its stack's turnaround.
    answer_us: [i64; 2],
    /// Up to this much more, at random, on every answer (0: none).
    jitter_us: i64,
    /// The side whose own packets the capturing machine sends (`None` for a
    /// capture on a router or tap).
    capturing: Option<Side>,
    /// Whether the capture sees each side's packets (a side's packets
    /// dropped before the capture point still change its state).
    visible: [bool; 2],
    /// Raw window a side advertises instead of its stack's (zero-window stalls).
    window_override: [Option<u16>; 2],
    last: [Option<SegmentSeen>; 2],
    /// A SACK block for the next segment only.
    sack_next: Option<(u32, u32)>,
    /// An MPTCP reset option (flags, reason) for the next segment only.
    mptcp_rst_next: Option<(u8, u8)>,
    drafts: Vec<Draft>,
}

impl Conversation {
    pub(crate) fn new(
        id: u32,
        mut rng: Rng,
        client: (Host, u16),
        server: (Host, u16),
        start_us: i64,
        rtt_us: i64,
    ) -> Self {
        let ipv6 = client.0.addr.is_ipv6();
        let mut peer = |(host, port): (Host, u16)| {
            let isn = rng.u32();
            Peer {
                host,
                port,
                isn,
                nxt: isn,
                ip_id: rng.u16(),
                ts_offset: rng.u32(),
                ts_recent: 0,
                sent_ip_id: None,
            }
        };
        let (client, server) = (peer(client), peer(server));
        let (c, s) = (client.host.fingerprint, server.host.fingerprint);
        Self {
            id,
            resets: 0,
            rng,
            client,
            server,
            now_us: start_us,
            timestamps: c.timestamps && s.timestamps,
            sack_permitted: c.sack_permitted && s.sack_permitted,
            window_scaling: c.window_scale.is_some() && s.window_scale.is_some(),
            mss: if ipv6 { 1440 } else { 1460 },
            answer_us: [CLIENT_TURNAROUND_US, rtt_us],
            jitter_us: 0,
            capturing: Some(Side::Client),
            visible: [true, true],
            window_override: [None, None],
            last: [None, None],
            sack_next: None,
            mptcp_rst_next: None,
            drafts: Vec::new(),
        }
    }

    /// Places the capture on the path: how long each side takes to answer
    /// as the capture sees it, with up to `jitter_us` more at random, and
    /// which side (if any) is the capturing machine.
    pub fn set_timing(&mut self, answer_us: [i64; 2], jitter_us: i64, capturing: Option<Side>) {
        self.answer_us = answer_us;
        self.jitter_us = jitter_us;
        self.capturing = capturing;
    }

    /// Whether `side`'s packets from now on reach the capture.
    pub fn set_visible(&mut self, side: Side, visible: bool) {
        self.visible[index(side)] = visible;
    }

    /// Makes `side` advertise this raw window (`None`: its stack's own).
    pub fn set_window(&mut self, side: Side, window: Option<u16>) {
        self.window_override[index(side)] = window;
    }

    /// `side`'s TCP port.
    pub fn port(&self, side: Side) -> u16 {
        self.peer(side).port
    }

    /// A pure ACK from `side` acknowledging only up to `ack` (the other
    /// side's later bytes never arrived, or a crafted or stale ACK), with a
    /// SACK block for what did arrive beyond the hole when SACK was
    /// negotiated.
    pub fn ack_upto(&mut self, side: Side, ack: u32, sack: Option<(u32, u32)>) {
        self.answer(side);
        let other_nxt = self.peer(other(side)).nxt;
        self.peer_mut(other(side)).nxt = ack;
        self.sack_next = sack.filter(|_| self.sack_permitted);
        self.segment(side, ACK, Vec::new(), None);
        self.sack_next = None;
        self.peer_mut(other(side)).nxt = other_nxt;
    }

    /// The host at `side`'s end.
    pub fn host(&self, side: Side) -> Host {
        self.peer(side).host
    }

    /// The last segment `side` sent in its own name.
    pub fn last_from(&self, side: Side) -> Option<SegmentSeen> {
        self.last[index(side)]
    }

    /// Capture time of the latest packet, in µs since the Unix epoch.
    pub fn now_us(&self) -> i64 {
        self.now_us
    }

    /// The last value of `side`'s IP-ID series (for its per-connection counter).
    pub fn ip_id_of(&self, side: Side) -> u16 {
        self.peer(side).ip_id
    }

    /// What the link layer records about the last packet the capture saw.
    pub fn note_last(&mut self, note: LinkNote) {
        if let Some(draft) = self.drafts.last_mut() {
            draft.packet.link_note = note;
        }
    }

    pub(crate) fn into_drafts(self) -> Vec<Draft> {
        self.drafts
    }

    /// Lets time pass with nothing on the wire.
    pub fn wait(&mut self, seconds: f64) {
        self.now_us += (seconds * 1e6).round() as i64;
    }

    /// Largest segment payload on this connection.
    pub fn mss(&self) -> u16 {
        self.mss
    }

    /// Whether both SYNs offered SACK (RFC 2018).
    pub fn sack_permitted(&self) -> bool {
        self.sack_permitted
    }

    pub fn client_isn(&self) -> u32 {
        self.client.isn
    }

    /// SND.NXT of a side: where its next segment starts.
    pub fn next_seq(&self, side: Side) -> u32 {
        self.peer(side).nxt
    }

    /// SYN, SYN-ACK, ACK.
    pub fn handshake(&mut self) {
        self.syn();
        self.syn_ack();
        self.ack(Side::Client);
    }

    pub fn syn(&mut self) {
        self.answer(Side::Client);
        self.handshake_segment(Side::Client, SYN);
    }

    pub fn syn_ack(&mut self) {
        self.answer(Side::Server);
        self.handshake_segment(Side::Server, SYN | ACK);
    }

    /// A pure ACK of everything the other side sent.
    pub fn ack(&mut self, side: Side) {
        self.answer(side);
        self.segment(side, ACK, Vec::new(), None);
    }

    /// Application data, cut into MSS-sized segments sent back to back; PSH
    /// on the last one.
    pub fn send(&mut self, side: Side, data: &[u8]) {
        self.answer(side);
        self.send_now(side, data);
    }

    /// One segment of `data` from `side` now, acknowledging only up to
    /// `ack` (what it had received when it sent it).
    pub fn send_now_acking(&mut self, side: Side, data: &[u8], ack: u32) {
        let other_nxt = self.peer(other(side)).nxt;
        self.peer_mut(other(side)).nxt = ack;
        self.segment(side, ACK | PSH, data.to_vec(), None);
        self.peer_mut(other(side)).nxt = other_nxt;
    }

    /// Like [`Conversation::send`], at the current time (no turnaround).
    pub fn send_now(&mut self, side: Side, data: &[u8]) {
        let chunks: Vec<&[u8]> = data.chunks(usize::from(self.mss)).collect();
        for (i, chunk) in chunks.iter().enumerate() {
            if i > 0 {
                self.now_us += BURST_GAP_US;
            }
            let flags = if i + 1 == chunks.len() {
                ACK | PSH
            } else {
                ACK
            };
            self.segment(side, flags, chunk.to_vec(), None);
        }
    }

    /// Sends `data` again from sequence number `seq`, `after_s` seconds after
    /// the previous packet (a retransmission: SND.NXT does not move).
    pub fn retransmit(&mut self, side: Side, seq: u32, data: &[u8], after_s: f64) {
        self.wait(after_s);
        let nxt = self.peer(side).nxt;
        self.peer_mut(side).nxt = seq;
        self.segment(side, ACK | PSH, data.to_vec(), None);
        self.peer_mut(side).nxt = nxt;
    }

    /// Sends `side`'s FIN again, `after_s` seconds after the previous packet.
    pub fn retransmit_fin(&mut self, side: Side, after_s: f64) {
        self.wait(after_s);
        let nxt = self.peer(side).nxt;
        self.peer_mut(side).nxt = nxt.wrapping_sub(1);
        self.segment(side, FIN | ACK, Vec::new(), None);
        self.peer_mut(side).nxt = nxt;
    }

    /// A bare segment with any `flags` (none at all for a NULL probe) and no
    /// handshake before it: what a stealth scanner sends.
    pub fn probe(&mut self, side: Side, flags: u16) {
        self.answer(side);
        self.segment(side, flags, Vec::new(), None);
    }

    /// FIN+ACK from `side`.
    pub fn fin(&mut self, side: Side) {
        self.answer(side);
        self.segment(side, FIN | ACK, Vec::new(), None);
        let peer = self.peer_mut(side);
        peer.nxt = peer.nxt.wrapping_add(1);
    }

    /// The usual orderly close started by `side`: FIN, FIN, last ACK.
    pub fn close(&mut self, side: Side) {
        self.fin(side);
        self.fin(other(side));
        self.ack(side);
    }

    /// A RST from the endpoint itself, at its current sequence number
    /// (what `close()` with `SO_LINGER` 0 or a crashing process produces).
    pub fn reset(&mut self, side: Side, flags: u16, label: Verdict) -> ResetId {
        self.answer(side);
        self.segment(side, RST | flags, Vec::new(), Some(label))
            .unwrap_or_else(|| self.next_reset_id())
    }

    /// The RST+ACK an MPTCP stack sends to close one subflow: its socket's
    /// numbers with an MP_TCPRST option (RFC 8684 §3.6) carrying `flags`
    /// (the T bit: the error is transient) and the `reason` code.
    pub fn reset_mptcp(&mut self, side: Side, flags: u8, reason: u8, label: Verdict) -> ResetId {
        self.mptcp_rst_next = Some((flags, reason));
        self.reset(side, ACK, label)
    }

    /// Like [`Conversation::reset`], right after the endpoint's own previous
    /// packet (the application closes just after writing).
    pub fn reset_now(&mut self, side: Side, flags: u16, label: Verdict) -> ResetId {
        self.now_us += BURST_GAP_US;
        self.segment(side, RST | flags, Vec::new(), Some(label))
            .unwrap_or_else(|| self.next_reset_id())
    }

    /// A bare RST from the endpoint's socket (its IP-ID series, its TTL) at
    /// `seq` rather than its SND.NXT, right after its previous packet: a
    /// stack that numbers the RST by the ack of the segment it answers even
    /// while it holds the connection (a router's telnet server after its
    /// FIN, Arkime's `mpls-basic.pcap`).
    pub fn reset_now_at(&mut self, side: Side, seq: u32, label: Verdict) -> ResetId {
        let nxt = self.peer(side).nxt;
        self.peer_mut(side).nxt = seq;
        let id = self.reset_now(side, 0, label);
        self.peer_mut(side).nxt = nxt;
        id
    }

    /// A RST+ACK from the endpoint carrying a text payload (RFC 1122 §4.2.2.12).
    pub fn reset_with_text(&mut self, side: Side, text: &str, label: Verdict) -> ResetId {
        self.answer(side);
        self.segment(side, RST | ACK, text.as_bytes().to_vec(), Some(label))
            .unwrap_or_else(|| self.next_reset_id())
    }

    /// A RST the endpoint's kernel sends without a socket (closed port,
    /// forgotten connection), in answer to the last packet.
    pub fn reset_stateless(
        &mut self,
        side: Side,
        seq: u32,
        ack: u32,
        flags: u16,
        label: Verdict,
    ) -> ResetId {
        self.answer(side);
        let host = self.peer(side).host;
        self.reset_from(&host, side, seq, ack, flags, label)
    }

    /// The RST `side`'s kernel sends, with no socket for the connection, in
    /// answer to the other side's last segment. RFC 9293 §3.10.7.1 (and
    /// Linux' `tcp_v4_send_reset`): a segment with ACK gets `<SEQ=SEG.ACK>
    /// <CTL=RST>`; one without gets `<SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>`.
    /// Windows sets the ack field without the ACK flag (p0f's "invalid-A").
    pub fn reset_no_socket(&mut self, side: Side, label: Verdict) -> ResetId {
        let (seq, ack, flags) = self.no_socket_answer(side);
        self.reset_stateless(side, seq, ack, flags, label)
    }

    /// seq, ack and flags of `side`'s socket-less answer to the other
    /// side's last segment (see [`Conversation::reset_no_socket`]).
    pub fn no_socket_answer(&self, side: Side) -> (u32, u32, u16) {
        let host = self.peer(side).host;
        rst_for(self.trigger(other(side)), host.fingerprint.rst_ack_field)
    }

    /// The last segment `side` sent in its own name (a pure ACK at its
    /// SND.NXT if it sent none yet).
    pub fn trigger(&self, side: Side) -> SegmentSeen {
        self.last[index(side)].unwrap_or(SegmentSeen {
            seq: self.peer(side).nxt,
            ack: self.peer(other(side)).nxt,
            flags: ACK,
            len: 0,
        })
    }

    /// Places the clock at `ts_us` (capture time): for stories whose
    /// packets are seen in an order that depends on the capture point.
    pub fn set_now_us(&mut self, ts_us: i64) {
        self.now_us = ts_us;
    }

    /// A RST sent now in `side`'s name by `sender`, built outside any
    /// socket: no options, window 0, explicit seq/ack and the sender's
    /// connection-less IP-ID. The sender is a middlebox forging it (its own
    /// TTL and IP-ID) or a host's kernel answering a raw-socket probe; call
    /// [`Conversation::wait`] first for its delay.
    pub fn reset_from(
        &mut self,
        sender: &Host,
        side: Side,
        seq: u32,
        ack: u32,
        flags: u16,
        label: Verdict,
    ) -> ResetId {
        let ip_id = match sender.fingerprint.ip_id {
            // Linux sends socket-less replies with IP-ID 0 and DF.
            IpIdStyle::PerConnection | IpIdStyle::Zero => IpId::Fixed(0),
            IpIdStyle::Global => IpId::HostCounter(sender.id),
            IpIdStyle::Random => IpId::Fixed(self.rng.u16()),
            IpIdStyle::CopyPeer => self.copied_ip_id(other(side)),
        };
        let segment = Segment {
            seq,
            ack,
            flags: RST | flags,
            window: 0,
            options: TcpOptions::default(),
            payload: Vec::new(),
        };
        self.record(side, sender, ip_id, segment, Some(label))
            .unwrap_or_else(|| self.next_reset_id())
    }

    /// A RST in `side`'s name made to pass for the endpoint's own: the TTL
    /// the endpoint's packets show, its IP-ID series continued and its
    /// timestamps copied, as careful injectors do (net4people/bbs#98).
    pub fn reset_disguised(
        &mut self,
        sender: &Host,
        side: Side,
        (seq, ack, flags): (u32, u32, u16),
        disguise: Disguise,
        label: Verdict,
    ) -> ResetId {
        let ip_id = match disguise.ip_id {
            Some(id) => IpId::Fixed(id),
            None => self.next_ip_id(side),
        };
        let options = TcpOptions {
            timestamps: (disguise.timestamps && self.timestamps)
                .then(|| (self.ts_val(side), self.peer(side).ts_recent)),
            ..TcpOptions::default()
        };
        let forger = Host {
            fingerprint: crate::host::Fingerprint {
                dont_fragment: disguise.dont_fragment,
                ..sender.fingerprint
            },
            ..*sender
        };
        let segment = Segment {
            seq,
            ack,
            flags: RST | flags,
            window: 0,
            options,
            payload: Vec::new(),
        };
        self.record_with_ttl(side, &forger, disguise.ttl, ip_id, segment, Some(label))
            .unwrap_or_else(|| self.next_reset_id())
    }

    /// An old-sequence segment (SEG.SEQ = SND.NXT - 1) carrying `garbage`
    /// bytes: a keepalive probe (Linux sends none, Windows and BSD one byte,
    /// RFC 1122 §4.2.3.6) or a zero-window probe. SND.NXT does not move.
    pub fn probe_old(&mut self, side: Side, garbage: usize, after_s: f64) {
        self.wait(after_s);
        let nxt = self.peer(side).nxt;
        self.peer_mut(side).nxt = nxt.wrapping_sub(1);
        let payload = vec![0; garbage];
        self.segment(side, ACK, payload, None);
        self.peer_mut(side).nxt = nxt;
    }

    /// A pure ACK from `side` carrying one SACK block (RFC 2018).
    pub fn ack_with_sack(&mut self, side: Side, block: (u32, u32)) {
        self.answer(side);
        self.sack_next = Some(block);
        self.segment(side, ACK, Vec::new(), None);
        self.sack_next = None;
    }

    /// Sends `data` from `side` at an explicit sequence number without
    /// moving SND.NXT: segments out of order, duplicated or outside the
    /// window, after `after_s` seconds.
    pub fn send_at(&mut self, side: Side, seq: u32, data: &[u8], after_s: f64) {
        self.wait(after_s);
        let nxt = self.peer(side).nxt;
        self.peer_mut(side).nxt = seq;
        self.segment(side, ACK | PSH, data.to_vec(), None);
        self.peer_mut(side).nxt = nxt;
    }

    /// Moves the clock to when `side`'s answer to the last packet is seen:
    /// server answers cross the path, client answers are immediate.
    fn answer(&mut self, side: Side) {
        self.now_us += self.answer_us[index(side)];
        if self.jitter_us > 0 {
            self.now_us += self.rng.range(0, self.jitter_us as u64) as i64;
        }
    }

    /// SYN or SYN-ACK: the stack's SYN window and options.
    fn handshake_segment(&mut self, side: Side, flags: u16) {
        let fp = self.peer(side).host.fingerprint;
        let ts_echo = self.peer(side).ts_recent;
        let offer = |negotiated: bool| side == Side::Client || negotiated;
        let options = TcpOptions {
            mss: Some(self.mss),
            sack_permitted: fp.sack_permitted && offer(self.sack_permitted),
            timestamps: (fp.timestamps && offer(self.timestamps))
                .then(|| (self.ts_val(side), ts_echo)),
            window_scale: fp.window_scale.filter(|_| offer(self.window_scaling)),
            sack: None,
            mptcp_rst: None,
        };
        let seq = self.peer(side).isn;
        let ack = if flags & ACK != 0 {
            self.peer(other(side)).nxt
        } else {
            0
        };
        let ip_id = if fp.syn_ack_zero_id && flags & ACK != 0 {
            IpId::Fixed(0)
        } else {
            self.next_ip_id(side)
        };
        let host = self.peer(side).host;
        let segment = Segment {
            seq,
            ack,
            flags,
            window: fp.syn_window,
            options,
            payload: Vec::new(),
        };
        self.record(side, &host, ip_id, segment, None);
        self.peer_mut(side).nxt = seq.wrapping_add(1);
    }

    /// A segment after the handshake from SND.NXT, acknowledging all the
    /// other side sent; RSTs advertise window 0 as stacks do.
    fn segment(
        &mut self,
        side: Side,
        flags: u16,
        payload: Vec<u8>,
        label: Option<Verdict>,
    ) -> Option<ResetId> {
        let options = TcpOptions {
            timestamps: self
                .timestamps
                .then(|| (self.ts_val(side), self.peer(side).ts_recent)),
            sack: self.sack_next,
            mptcp_rst: self.mptcp_rst_next.take(),
            ..TcpOptions::default()
        };
        let host = self.peer(side).host;
        let window = if flags & RST != 0 {
            0
        } else {
            self.window_override[index(side)].unwrap_or(host.fingerprint.window)
        };
        let seq = self.peer(side).nxt;
        let ack = if flags & ACK != 0 {
            self.peer(other(side)).nxt
        } else {
            0
        };
        let ip_id = self.next_ip_id(side);
        let len = payload.len() as u32;
        let id = self.record(
            side,
            &host,
            ip_id,
            Segment {
                seq,
                ack,
                flags,
                window,
                options,
                payload,
            },
            label,
        );
        let peer = self.peer_mut(side);
        peer.nxt = peer.nxt.wrapping_add(len);
        id
    }

    /// TSval on a 1 ms clock.
    fn ts_val(&self, side: Side) -> u32 {
        self.peer(side)
            .ts_offset
            .wrapping_add((self.now_us / 1000) as u32)
    }

    fn next_ip_id(&mut self, side: Side) -> IpId {
        let peer = self.peer_mut(side);
        match peer.host.fingerprint.ip_id {
            IpIdStyle::PerConnection => {
                let id = peer.ip_id;
                peer.ip_id = id.wrapping_add(1);
                IpId::Fixed(id)
            }
            IpIdStyle::Global => IpId::HostCounter(peer.host.id),
            IpIdStyle::Zero => IpId::Fixed(0),
            IpIdStyle::Random => IpId::Fixed(self.rng.u16()),
            IpIdStyle::CopyPeer => self.copied_ip_id(other(side)),
        }
    }

    /// The IP-ID of `from`'s last packet, for a stack that copies it. Only a
    /// value fixed now can be copied (a global counter's is known in
    /// capture order only): families pair such a stack with peers that
    /// number their packets otherwise; before any packet, 0.
    fn copied_ip_id(&self, from: Side) -> IpId {
        match self.peer(from).sent_ip_id {
            Some(IpId::Fixed(id)) => IpId::Fixed(id),
            _ => IpId::Fixed(0),
        }
    }

    /// Records, at the current time, one packet with `side`'s addresses and
    /// ports, sent by `sender` (the endpoint itself or a device forging in
    /// its name). Returns the id of a labelled reset.
    fn record(
        &mut self,
        side: Side,
        sender: &Host,
        ip_id: IpId,
        segment: Segment,
        label: Option<Verdict>,
    ) -> Option<ResetId> {
        self.record_with_ttl(side, sender, sender.ttl_seen(), ip_id, segment, label)
    }

    fn record_with_ttl(
        &mut self,
        side: Side,
        sender: &Host,
        ttl: u8,
        ip_id: IpId,
        segment: Segment,
        label: Option<Verdict>,
    ) -> Option<ResetId> {
        if let Some((ts_val, _)) = segment.options.timestamps {
            self.peer_mut(other(side)).ts_recent = ts_val;
        }
        let own = sender.id == self.peer(side).host.id;
        if own {
            self.peer_mut(side).sent_ip_id = Some(ip_id);
            let control = u32::from(segment.flags & SYN != 0) + u32::from(segment.flags & FIN != 0);
            self.last[index(side)] = Some(SegmentSeen {
                seq: segment.seq,
                ack: segment.ack,
                flags: segment.flags,
                len: segment.payload.len() as u32 + control,
            });
        }
        let id = label.map(|_| self.next_reset_id());
        if own && !self.visible[index(side)] {
            return id;
        }
        let (from, to) = (self.peer(side), self.peer(other(side)));
        let packet = Packet {
            ts_us: self.now_us,
            outgoing: self.capturing == Some(side) && own,
            src: from.host.addr,
            dst: to.host.addr,
            ttl,
            ip_id: 0,
            dont_fragment: sender.fingerprint.dont_fragment,
            src_port: from.port,
            dst_port: to.port,
            seq: segment.seq,
            ack: segment.ack,
            flags: segment.flags,
            window: segment.window,
            options: segment.options,
            payload: segment.payload,
            link_note: LinkNote::Plain,
        };
        self.drafts.push(Draft {
            packet,
            ip_id,
            label: id.zip(label),
        });
        id
    }

    fn next_reset_id(&mut self) -> ResetId {
        self.resets += 1;
        ResetId {
            conversation: self.id,
            index: self.resets,
        }
    }

    fn peer(&self, side: Side) -> &Peer {
        match side {
            Side::Client => &self.client,
            Side::Server => &self.server,
        }
    }

    fn peer_mut(&mut self, side: Side) -> &mut Peer {
        match side {
            Side::Client => &mut self.client,
            Side::Server => &mut self.server,
        }
    }
}

/// A stack's answer to `trigger` for a connection it does not have, RFC
/// 9293 §3.10.7.1 (Linux `tcp_v4_send_reset`, netfilter's REJECT alike): a
/// segment with ACK gets `<SEQ=SEG.ACK><CTL=RST>`; one without gets
/// `<SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>`. With `ack_field` (Windows)
/// the ack field is filled without the ACK flag.
pub fn rst_for(trigger: SegmentSeen, ack_field: bool) -> (u32, u32, u16) {
    let end = trigger.seq.wrapping_add(trigger.len);
    match (trigger.flags & ACK != 0, ack_field) {
        (true, false) => (trigger.ack, 0, 0),
        (true, true) => (trigger.ack, end, 0),
        (false, _) => (0, end, ACK),
    }
}

fn index(side: Side) -> usize {
    match side {
        Side::Client => 0,
        Side::Server => 1,
    }
}

pub fn other(side: Side) -> Side {
    match side {
        Side::Client => Side::Server,
        Side::Server => Side::Client,
    }
}
