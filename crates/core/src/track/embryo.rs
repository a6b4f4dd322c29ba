//! A connection known by its opening only: a SYN or SYN-ACK without
//! payload or link-layer notes, and maybe the SYN-ACK answering a SYN,
//! what a SYN flood or a port scan sends by the hundred thousand, most
//! never answered further. It keeps those packets (~200 bytes) instead of
//! a ~1 KB [`Conn`], and becomes the full connection at its next packet by
//! replaying them through the very code a full connection's packets go
//! through ([`Conn::new`], then [`Conn::update`]): everything observable
//! (ids, streams, listing, Zeek state, eviction order) is the same either
//! way. Closed as an embryo (evicted, or at the end), it has no reset to
//! judge and is only listed: [`Embryo::listed`] reads the list's fields
//! from its packets without growing it.

use core::net::IpAddr;

use super::conn::{Conn, PacketSummary, RolesFrom, Seen, Side};
use super::host::HostSlot;
use super::link;
use super::listed::Listed;
use super::stream::Stream;
use super::zeek::{Segment, Zeek};
use crate::decode::{flags, Encapsulation, IpInfo, LinkMeta, TcpOptions, TcpPacket, TcpSegment};

/// The first packet of a connection, and what the analysis noted of it
/// besides the connection itself.
#[derive(Clone, Copy, Debug)]
pub struct Embryo {
    pub id: u32,
    /// The stream after its first packet, and after its latest.
    first_stream: Stream,
    pub stream: Stream,
    pub frame: u64,
    pub ts_ns: i64,
    /// The role of its sender, and how that was decided.
    side: Side,
    roles_from: RolesFrom,
    ip: IpInfo,
    src_port: u16,
    dst_port: u16,
    seq: u32,
    ack: u32,
    flags: u16,
    window: u16,
    options: TcpOptions,
    /// The sender opened another connection to the same port just before.
    pub parallel_open: bool,
    /// Where the sender's profile was in the host table.
    pub host: HostSlot,
    /// The SYN-ACK answering a SYN.
    reply: Option<Reply>,
}

/// The SYN-ACK answering an embryo's SYN: the fields of the packet that
/// its endpoints (the SYN's, swapped) leave out.
#[derive(Clone, Copy, Debug)]
struct Reply {
    frame: u64,
    ts_ns: i64,
    ttl: u8,
    ip_id: Option<u16>,
    dont_fragment: bool,
    tos: u8,
    seq: u32,
    ack: u32,
    flags: u16,
    window: u16,
    options: TcpOptions,
    /// Where its sender's profile was in the host table.
    host: HostSlot,
}

impl Embryo {
    /// Whether a connection starting with `packet` can wait as an embryo:
    /// a SYN (no RST, no FIN: it cannot have finished) carrying no data and
    /// nothing of the link layer, so the fields kept are all it told.
    pub fn fits(packet: &TcpPacket<'_>) -> bool {
        let tcp = &packet.tcp;
        tcp.has(flags::SYN)
            && !tcp.has(flags::RST | flags::FIN)
            && tcp.payload_len == 0
            && tcp.payload.is_empty()
            && !link::carries_any(&packet.link)
    }

    /// The connection `id` starting with `packet` (which [`Embryo::fits`]).
    pub fn new(
        id: u32,
        (side, roles_from): (Side, RolesFrom),
        frame: u64,
        ts_ns: i64,
        packet: &TcpPacket<'_>,
        stream: Stream,
    ) -> Self {
        let tcp = &packet.tcp;
        Self {
            id,
            first_stream: stream,
            stream,
            frame,
            ts_ns,
            side,
            roles_from,
            ip: packet.ip,
            src_port: tcp.src_port,
            dst_port: tcp.dst_port,
            seq: tcp.seq,
            ack: tcp.ack,
            flags: tcp.flags,
            window: tcp.window,
            options: tcp.options,
            parallel_open: false,
            host: HostSlot::NONE,
            reply: None,
        }
    }

    /// Whether `packet` is the SYN-ACK that answers this embryo's SYN, sent
    /// back from its receiver: it can join the embryo (neither starts a new
    /// connection nor repeats an earlier packet; see [`Embryo::answer`]).
    pub fn answered_by(&self, packet: &TcpPacket<'_>) -> bool {
        let tcp = &packet.tcp;
        self.reply.is_none()
            && self.flags & (flags::SYN | flags::ACK) == flags::SYN
            && Self::fits(packet)
            && tcp.has(flags::ACK)
            && (packet.ip.src, tcp.src_port) == (self.ip.dst, self.dst_port)
            && (packet.ip.dst, tcp.dst_port) == (self.ip.src, self.src_port)
            && (packet.ip.src, tcp.src_port) != (self.ip.src, self.src_port)
    }

    /// Adds the answering SYN-ACK `packet` (see [`Embryo::answered_by`]),
    /// frame `frame` at `ts_ns`, after which the stream is `stream`.
    pub fn answer(&mut self, frame: u64, ts_ns: i64, packet: &TcpPacket<'_>, stream: Stream) {
        let (ip, tcp) = (&packet.ip, &packet.tcp);
        self.stream = stream;
        self.reply = Some(Reply {
            frame,
            ts_ns,
            ttl: ip.ttl,
            ip_id: ip.id,
            dont_fragment: ip.dont_fragment,
            tos: ip.tos,
            seq: tcp.seq,
            ack: tcp.ack,
            flags: tcp.flags,
            window: tcp.window,
            options: tcp.options,
            host: HostSlot::NONE,
        });
    }

    /// The latest packet's sender's note of its place in the host table,
    /// and what the connection knew before that packet: the sender's
    /// previous IP ID, whether this is its first SYN, and whether the
    /// packet is the connection's first.
    pub fn sender(&mut self) -> (&mut HostSlot, (Option<u16>, bool, bool)) {
        match &mut self.reply {
            Some(reply) => (&mut reply.host, (None, true, false)),
            None => (&mut self.host, (None, true, true)),
        }
    }

    /// The connection's client and server (address, port), as the
    /// connection it grows into will have them.
    pub fn ends(&self) -> ((IpAddr, u16), (IpAddr, u16)) {
        let sender = (self.ip.src, self.src_port);
        let receiver = (self.ip.dst, self.dst_port);
        self.side.client_server(sender, receiver)
    }

    /// Whether the roles were seen, not guessed.
    pub fn roles_certain(&self) -> bool {
        self.roles_from.is_certain()
    }

    /// The side that sent its latest packet: the SYN's sender, or the
    /// receiver that answered it.
    pub fn latest_side(&self) -> Side {
        match self.reply {
            Some(_) => self.side.other(),
            None => self.side,
        }
    }

    /// When its latest packet was sent (time may go backwards in a capture).
    pub fn last_ns(&self) -> i64 {
        self.reply.map_or(self.ts_ns, |r| r.ts_ns.max(self.ts_ns))
    }

    /// Its first packet again, as decoded (without what it did not carry).
    pub fn packet(&self) -> TcpPacket<'static> {
        TcpPacket {
            ip: self.ip,
            tcp: TcpSegment {
                src_port: self.src_port,
                dst_port: self.dst_port,
                seq: self.seq,
                ack: self.ack,
                flags: self.flags,
                window: self.window,
                options: self.options,
                payload: &[],
                payload_len: 0,
            },
            encapsulation: Encapsulation::new(),
            link: LinkMeta::default(),
            fragmented: false,
            flow: None,
        }
    }

    /// The answering SYN-ACK again, as decoded.
    fn reply_packet(&self, reply: &Reply) -> TcpPacket<'static> {
        let first = self.packet();
        TcpPacket {
            ip: IpInfo {
                src: first.ip.dst,
                dst: first.ip.src,
                ttl: reply.ttl,
                id: reply.ip_id,
                dont_fragment: reply.dont_fragment,
                tos: reply.tos,
            },
            tcp: TcpSegment {
                src_port: self.dst_port,
                dst_port: self.src_port,
                seq: reply.seq,
                ack: reply.ack,
                flags: reply.flags,
                window: reply.window,
                options: reply.options,
                ..first.tcp
            },
            // Its endpoints are the first packet's turned round.
            flow: None,
            ..first
        }
    }

    /// The full connection: as if it had been tracked since its first
    /// packet.
    pub fn conn(&self) -> Conn {
        let packet = self.packet();
        let mut conn = Conn::new(
            self.id,
            self.side,
            self.roles_from,
            self.frame,
            self.ts_ns,
            &packet,
            self.first_stream,
        );
        conn.parallel_open = self.parallel_open;
        replay(&mut conn, self.frame, self.ts_ns, &packet, self.host);
        if let Some(reply) = &self.reply {
            let packet = self.reply_packet(reply);
            replay(&mut conn, reply.frame, reply.ts_ns, &packet, reply.host);
        }
        conn.stream = self.stream;
        conn
    }
}

impl Embryo {
    /// What the connection list shows of it: the same as of the connection
    /// it grows into ([`Embryo::conn`]), without growing it.
    pub fn listed(&self) -> Listed {
        let sender = (self.ip.src, self.src_port);
        let receiver = (self.ip.dst, self.dst_port);
        let (client, server) = self.side.client_server(sender, receiver);
        // As `Conn::side_of` tells them (both ends may be one endpoint).
        let side_of = |end| match end == client {
            true => Side::Client,
            false => Side::Server,
        };
        let first = self.packet();
        let zeek = Zeek::new(
            &Segment::of(self.side, &first.tcp),
            self.src_port,
            self.dst_port,
        );
        let mut listed = Listed {
            id: self.id,
            first_stream: self.first_stream.number,
            first_frame: self.frame,
            client,
            server,
            roles_from: self.roles_from,
            first_ns: self.ts_ns,
            last_ns: self.last_ns(),
            packets: (0, 0),
            // An embryo's packets carry no data (`Embryo::fits`).
            bytes: (0, 0),
            zeek,
        };
        // What `Conn::update` makes of each packet for the list.
        let seen = |listed: &mut Listed, side: Side, tcp: &TcpSegment<'_>| {
            listed.zeek.on_packet(&Segment::of(side, tcp));
            let syn_ack = tcp.flags & (flags::SYN | flags::ACK) == flags::SYN | flags::ACK;
            let own = match side {
                Side::Client => &mut listed.packets.0,
                Side::Server => &mut listed.packets.1,
            };
            *own = own.saturating_add(1);
            if syn_ack && side == Side::Server {
                listed.roles_from = listed.roles_from.answered();
            }
        };
        seen(&mut listed, side_of(sender), &first.tcp);
        if let Some(reply) = &self.reply {
            seen(
                &mut listed,
                side_of(receiver),
                &self.reply_packet(reply).tcp,
            );
        }
        listed
    }
}

/// Tracks `packet` (frame `frame` at `ts_ns`) into `conn`, its sender's
/// profile found at `host` in the host table.
fn replay(conn: &mut Conn, frame: u64, ts_ns: i64, packet: &TcpPacket<'_>, host: HostSlot) {
    let side = conn.side_of(packet.ip.src, packet.tcp.src_port);
    conn.dir_mut(side).host = host;
    conn.update(&Seen {
        frame,
        ts_ns,
        side,
        packet,
        summary: PacketSummary::of(frame, ts_ns, side, packet),
        air_retry: false,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::flags::{ACK, CWR, ECE, SYN};
    use alloc::format;
    use core::net::IpAddr;

    fn syn(src: &str, dst: &str, flags: u16, options: TcpOptions) -> TcpPacket<'static> {
        let (src, dst): (IpAddr, IpAddr) = (src.parse().unwrap(), dst.parse().unwrap());
        TcpPacket {
            ip: IpInfo {
                src,
                dst,
                ttl: 61,
                id: src.is_ipv4().then_some(4321),
                dont_fragment: true,
                tos: 0,
            },
            tcp: TcpSegment {
                src_port: 51000,
                dst_port: 443,
                seq: 0xffff_fff0,
                ack: if flags & ACK != 0 { 77 } else { 0 },
                flags,
                window: 64240,
                options,
                payload: &[],
                payload_len: 0,
            },
            encapsulation: Encapsulation::new(),
            link: LinkMeta::default(),
            fragmented: false,
            flow: None,
        }
    }

    /// What the analyzer does to a connection's first packet when it
    /// tracks it in full from the start.
    fn tracked_in_full(packet: &TcpPacket<'_>, side: Side, roles_from: RolesFrom) -> Conn {
        let stream = Stream::new(9);
        let mut conn = Conn::new(3, side, roles_from, 17, 1_000, packet, stream);
        let side = conn.side_of(packet.ip.src, packet.tcp.src_port);
        conn.parallel_open = true;
        conn.update(&Seen {
            frame: 17,
            ts_ns: 1_000,
            side,
            packet,
            summary: PacketSummary::of(17, 1_000, side, packet),
            air_retry: false,
        });
        conn
    }

    #[test]
    fn test_embryo_grown_equals_the_connection_tracked_from_its_first_packet() {
        let options = TcpOptions {
            mss: Some(1460),
            window_scale: Some(7),
            sack_permitted: true,
            timestamps: Some((5, 0)),
            ..TcpOptions::default()
        };
        let cases = [
            (
                syn("10.0.0.1", "10.0.0.2", SYN, options),
                Side::Client,
                RolesFrom::Syn,
            ),
            (
                syn(
                    "10.0.0.1",
                    "10.0.0.2",
                    SYN | ECE | CWR,
                    TcpOptions::default(),
                ),
                Side::Client,
                RolesFrom::Syn,
            ),
            (
                syn("2001:db8::2", "2001:db8::1", SYN | ACK, options),
                Side::Server,
                RolesFrom::SynAck,
            ),
        ];
        for (packet, side, roles_from) in cases {
            assert!(Embryo::fits(&packet));
            let mut embryo = Embryo::new(3, (side, roles_from), 17, 1_000, &packet, Stream::new(9));
            embryo.parallel_open = true;
            let grown = embryo.conn();
            assert_eq!(
                format!("{grown:?}"),
                format!("{:?}", tracked_in_full(&packet, side, roles_from))
            );
            assert_eq!(embryo.packet(), packet);
        }
    }

    #[test]
    fn test_embryo_listed_as_the_connection_it_grows_into() {
        let syn_packet = syn("10.0.0.1", "10.0.0.2", SYN, TcpOptions::default());
        let mut syn_ack = syn("10.0.0.2", "10.0.0.1", SYN | ACK, TcpOptions::default());
        (syn_ack.tcp.src_port, syn_ack.tcp.dst_port) = (443, 51000);
        // Both ends one endpoint (a LAND packet): the side is the client's.
        let mut land = syn("10.0.0.1", "10.0.0.1", SYN | ACK, TcpOptions::default());
        land.tcp.dst_port = land.tcp.src_port;
        let cases = [
            (syn_packet, (Side::Client, RolesFrom::Syn), None),
            (syn_packet, (Side::Client, RolesFrom::Syn), Some(syn_ack)),
            (syn_ack, (Side::Server, RolesFrom::SynAck), None),
            (land, (Side::Server, RolesFrom::SynAck), None),
        ];
        for (first, roles, reply) in cases {
            let mut embryo = Embryo::new(5, roles, 17, 1_000, &first, Stream::new(9));
            if let Some(reply) = reply {
                assert!(embryo.answered_by(&reply));
                embryo.answer(18, 900, &reply, Stream::new(9));
            }
            let grown = Listed::of(&embryo.conn());
            assert_eq!(format!("{:?}", embryo.listed()), format!("{grown:?}"));
        }
    }

    #[test]
    fn test_embryo_grown_keeps_the_senders_host_slot() {
        let packet = syn("10.0.0.1", "10.0.0.2", SYN, TcpOptions::default());
        let mut embryo = Embryo::new(
            0,
            (Side::Client, RolesFrom::Syn),
            1,
            1,
            &packet,
            Stream::new(0),
        );
        let mut hosts = crate::track::HostTable::new(16);
        hosts.sender_at(&mut embryo.host, &packet, 1);
        assert_ne!(embryo.host, HostSlot::NONE);
        let conn = embryo.conn();
        assert_eq!(conn.client.host, embryo.host);
        assert_eq!(conn.server.host, HostSlot::NONE);
    }

    #[test]
    fn test_embryo_fits_only_a_data_less_syn_without_link_notes() {
        let plain = syn("10.0.0.1", "10.0.0.2", SYN, TcpOptions::default());
        assert!(Embryo::fits(&plain));
        for flags in [
            ACK,
            SYN | crate::decode::flags::RST,
            SYN | crate::decode::flags::FIN,
        ] {
            let mut packet = plain;
            packet.tcp.flags = flags;
            assert!(!Embryo::fits(&packet), "flags {flags:#x}");
        }
        let mut data = plain;
        data.tcp.payload_len = 10;
        assert!(!Embryo::fits(&data));
        let mut cut = plain;
        cut.tcp.payload = b"x";
        assert!(!Embryo::fits(&cut));
        let mut wifi = plain;
        wifi.link.wifi = Some(crate::decode::WifiMeta::default());
        assert!(!Embryo::fits(&wifi));
    }
}
