//! One TCP connection, built packet by packet with consistent sequence and
//! acknowledgement numbers, windows, timestamps and IP-IDs.
//!
//! Timing follows a capture taken at the client: the server's answer to a
//! client packet shows up one round trip later, the client's answer to a
//! server packet a fraction of a millisecond later.

use rstscope_core::decode::flags::{ACK, FIN, PSH, RST, SYN};

use crate::host::{Host, IpIdStyle};
use crate::net::{Draft, IpId, Verdict};
use crate::packet::{Packet, TcpOptions};
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
    rng: Rng,
    client: Peer,
    server: Peer,
    rtt_us: i64,
    now_us: i64,
    /// Options both SYNs offered (a SYN-ACK only answers what was offered).
    timestamps: bool,
    sack_permitted: bool,
    window_scaling: bool,
    mss: u16,
    drafts: Vec<Draft>,
}

impl Conversation {
    pub(crate) fn new(
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
            }
        };
        let (client, server) = (peer(client), peer(server));
        let (c, s) = (client.host.fingerprint, server.host.fingerprint);
        Self {
            rng,
            client,
            server,
            rtt_us,
            now_us: start_us,
            timestamps: c.timestamps && s.timestamps,
            sack_permitted: c.sack_permitted && s.sack_permitted,
            window_scaling: c.window_scale.is_some() && s.window_scale.is_some(),
            mss: if ipv6 { 1440 } else { 1460 },
            drafts: Vec::new(),
        }
    }

    pub(crate) fn into_drafts(self) -> Vec<Draft> {
        self.drafts
    }

    /// Lets time pass with nothing on the wire.
    pub fn wait(&mut self, seconds: f64) {
        self.now_us += (seconds * 1e6).round() as i64;
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
    pub fn reset(&mut self, side: Side, flags: u16, label: Verdict) {
        self.answer(side);
        self.segment(side, RST | flags, Vec::new(), Some(label));
    }

    /// A RST+ACK from the endpoint carrying a text payload (RFC 1122 §4.2.2.12).
    pub fn reset_with_text(&mut self, side: Side, text: &str, label: Verdict) {
        self.answer(side);
        self.segment(side, RST | ACK, text.as_bytes().to_vec(), Some(label));
    }

    /// A RST the endpoint's kernel sends without a socket (closed port,
    /// forgotten connection), in answer to the last packet.
    pub fn reset_stateless(&mut self, side: Side, seq: u32, ack: u32, flags: u16, label: Verdict) {
        self.answer(side);
        let host = self.peer(side).host;
        self.reset_from(&host, side, seq, ack, flags, label);
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
    ) {
        let ip_id = match sender.fingerprint.ip_id {
            // Linux sends socket-less replies with IP-ID 0 and DF.
            IpIdStyle::PerConnection | IpIdStyle::Zero => IpId::Fixed(0),
            IpIdStyle::Global => IpId::HostCounter(sender.id),
            IpIdStyle::Random => IpId::Fixed(self.rng.u16()),
        };
        let segment = Segment {
            seq,
            ack,
            flags: RST | flags,
            window: 0,
            options: TcpOptions::default(),
            payload: Vec::new(),
        };
        self.record(side, sender, ip_id, segment, Some(label));
    }

    /// Moves the clock to when `side`'s answer to the last packet is seen:
    /// server answers cross the path, client answers are immediate.
    fn answer(&mut self, side: Side) {
        self.now_us += match side {
            Side::Client => CLIENT_TURNAROUND_US,
            Side::Server => self.rtt_us,
        };
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
        };
        let seq = self.peer(side).isn;
        let ack = if flags & ACK != 0 {
            self.peer(other(side)).nxt
        } else {
            0
        };
        let ip_id = self.next_ip_id(side);
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
    fn segment(&mut self, side: Side, flags: u16, payload: Vec<u8>, label: Option<Verdict>) {
        let options = TcpOptions {
            timestamps: self
                .timestamps
                .then(|| (self.ts_val(side), self.peer(side).ts_recent)),
            ..TcpOptions::default()
        };
        let host = self.peer(side).host;
        let window = if flags & RST != 0 {
            0
        } else {
            host.fingerprint.window
        };
        let seq = self.peer(side).nxt;
        let ack = if flags & ACK != 0 {
            self.peer(other(side)).nxt
        } else {
            0
        };
        let ip_id = self.next_ip_id(side);
        let len = payload.len() as u32;
        self.record(
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
        }
    }

    /// Records, at the current time, one packet with `side`'s addresses and
    /// ports, sent by `sender` (the endpoint itself or a device forging in
    /// its name).
    fn record(
        &mut self,
        side: Side,
        sender: &Host,
        ip_id: IpId,
        segment: Segment,
        label: Option<Verdict>,
    ) {
        if let Some((ts_val, _)) = segment.options.timestamps {
            self.peer_mut(other(side)).ts_recent = ts_val;
        }
        let (from, to) = (self.peer(side), self.peer(other(side)));
        let packet = Packet {
            ts_us: self.now_us,
            outgoing: side == Side::Client && sender.id == from.host.id,
            src: from.host.addr,
            dst: to.host.addr,
            ttl: sender.ttl_seen(),
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
        };
        self.drafts.push(Draft {
            packet,
            ip_id,
            label,
        });
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

pub fn other(side: Side) -> Side {
    match side {
        Side::Client => Side::Server,
        Side::Server => Side::Client,
    }
}
