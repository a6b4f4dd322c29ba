//! Pairs of captures of the same traffic: one at the client, one at the
//! server, with a NAT router next to the client (IPv4; IPv6 pairs have no
//! NAT), a clock offset and drift between the two capture machines, and
//! every kind of reset the two-capture comparison must tell apart:
//!
//! - a censor injects RSTs in the server's name: only the client sees them;
//! - the NAT forgets an idle flow, swallows the client's next packet and
//!   forges a RST to the client: the server sees neither;
//! - the server aborts a request: both ends see the RST;
//! - the server aborts, and a firewall drops its RST: only the server sees it;
//!
//! plus background connections seen at both ends, one seen only at the
//! client (to its LAN) and one only at the server (from another client).
//! The server-side capture starts a second late, so one connection's
//! handshake is missing there and must be matched by its payload.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};

use rstscope_core::decode::flags::{ACK, SYN};
use rstscope_core::report::{Cause, MatchMethod, Origin, Sender};

use crate::conversation::{Conversation, Side};
use crate::host::{Fingerprint, Host};
use crate::net::{Draft, IpId, Net, Verdict};
use crate::packet::Packet;
use crate::scenarios::traffic;
use crate::{payload, write, Options};

/// Server-side clock minus client-side clock at the first client-side packet.
pub const CLOCK_OFFSET_S: f64 = 2.345;
/// The server-side clock runs this much fast.
pub const DRIFT_PPM: f64 = 25.0;
/// Routers between the two capture points (the NAT router is one of them).
pub const PATH_HOPS: u8 = 13;
/// Round trip between the capture points for every connection.
const RTT_MS: f64 = 46.0;
/// The NAT's public address and first public port.
pub const PUBLIC_V4: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 7);
const FIRST_PUBLIC_PORT: u16 = 61001;
/// The NAT router clamps the MSS of SYNs crossing it to this.
pub const CLAMPED_MSS: u16 = 1400;
/// The server-side capture starts this long after the client-side one.
const SERVER_CAPTURE_START_S: f64 = 1.0;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Seen {
    Both,
    ClientOnly,
    ServerOnly,
}

/// Two captures of the same traffic and what a comparison must find.
#[derive(Clone, Debug)]
pub struct Pair {
    pub name: &'static str,
    /// In capture order.
    pub client_side: Vec<Packet>,
    pub server_side: Vec<Packet>,
    /// Time of the first client-side packet (µs since the epoch): the
    /// server-side clock is `CLOCK_OFFSET_S` ahead then, and drifts from there.
    pub reference_us: i64,
    pub connections: Vec<PairConnection>,
    /// Every RST of either capture, in order of creation.
    pub resets: Vec<PairReset>,
}

/// One connection: its endpoints ("ip:port", client first) in each capture
/// that saw it, and how a comparison should match it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PairConnection {
    pub name: &'static str,
    pub client_side: Option<(String, String)>,
    pub server_side: Option<(String, String)>,
    /// `None`: seen by one capture only.
    pub how: Option<MatchMethod>,
}

/// One RST and the verdict a two-capture comparison must reach.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PairReset {
    pub name: &'static str,
    /// 1-based frame numbers in each capture that has it.
    pub client_frame: Option<u64>,
    pub server_frame: Option<u64>,
    pub sender: Sender,
    pub origin: Origin,
    pub cause: Cause,
}

impl Pair {
    /// The server-side clock minus the client-side clock at client time `t_us`.
    pub fn offset_at(&self, t_us: i64) -> f64 {
        CLOCK_OFFSET_S + DRIFT_PPM * 1e-6 * (t_us - self.reference_us) as f64 / 1e6
    }
}

/// A conversation's packets with where each one was seen.
struct Built {
    name: &'static str,
    drafts: Vec<(Draft, Seen)>,
    client: Host,
    server: Host,
    /// The client is the capturing workstation behind the NAT (not another
    /// host on the internet).
    ours: bool,
    how: Option<MatchMethod>,
}

fn take(
    name: &'static str,
    c: Conversation,
    client: &Host,
    server: &Host,
    ours: bool,
    how: Option<MatchMethod>,
    seen: impl Fn(usize, usize, &Draft) -> Seen,
) -> Built {
    let drafts = c.into_drafts();
    let n = drafts.len();
    let drafts = drafts
        .into_iter()
        .enumerate()
        .map(|(i, d)| {
            let s = seen(i, n, &d);
            (d, s)
        })
        .collect();
    Built {
        name,
        drafts,
        client: *client,
        server: *server,
        ours,
        how,
    }
}

/// The pair of captures, over IPv4 (with NAT) or IPv6 as `options` says.
pub fn pair(options: &Options) -> Pair {
    let seed = options.seed ^ 0x7061_6972_7300_0000;
    let mut net = Net::new(options.ipv6, seed);
    let client = net.local_host(Fingerprint::LINUX);
    let lan_server = net.local_host(Fingerprint::LINUX);
    let server = net.remote_host(Fingerprint::LINUX, PATH_HOPS);
    let server_b = net.remote_host(Fingerprint::LINUX, PATH_HOPS);
    let router = net.remote_host(Fingerprint::LINUX_MIDDLEBOX, 1);
    let censor = net.remote_host(Fingerprint::CENSOR, 7);
    let stranger = net.remote_host(Fingerprint::LINUX, 9);
    let mut built = Vec::new();
    let both = |_: usize, _: usize, _: &Draft| Seen::Both;

    // A long-lived HTTPS connection the NAT later forgets.
    let mut c = net.connect(&client, &server, 443, 0.0, RTT_MS);
    c.handshake();
    c.send(
        Side::Client,
        &payload::tls_client_hello("chat.example.com", net.rng()),
    );
    c.send(Side::Server, &payload::tls_server_flight(2_900, net.rng()));
    c.ack(Side::Client);
    c.wait(2.0);
    traffic::https_exchange(&mut net, &mut c, 420, 5_200);
    c.wait(400.0);
    c.send(Side::Client, &payload::tls_application_data(96, net.rng()));
    let seq = c.next_seq(Side::Server);
    c.wait(0.0004);
    c.reset_from(
        &router,
        Side::Server,
        seq,
        0,
        0,
        Verdict::new(Sender::Server, Origin::Middlebox, Cause::IdleTimeout),
    );
    // The client's last data and the forged RST never cross the router.
    built.push(take(
        "nat-idle",
        c,
        &client,
        &server,
        true,
        Some(MatchMethod::Payload),
        |i, n, _| {
            if i + 2 >= n {
                Seen::ClientOnly
            } else {
                Seen::Both
            }
        },
    ));

    // Background: a clean HTTPS visit.
    let mut c = traffic::https_open(&mut net, &client, &server, "chat.example.com", 1.5, RTT_MS);
    c.wait(0.8);
    c.close(Side::Client);
    built.push(take(
        "browse",
        c,
        &client,
        &server,
        true,
        Some(MatchMethod::Isn),
        both,
    ));

    // A censor injects two RST+ACKs after the ClientHello.
    let mut c = net.connect(&client, &server_b, 443, 3.0, RTT_MS);
    c.handshake();
    c.send(
        Side::Client,
        &payload::tls_client_hello("blocked.example.org", net.rng()),
    );
    let (seq, ack) = (c.next_seq(Side::Server), c.next_seq(Side::Client));
    let label = Verdict::new(Sender::Server, Origin::Middlebox, Cause::Injected);
    c.wait(0.008);
    c.reset_from(&censor, Side::Server, seq, ack, ACK, label);
    c.wait(0.000_06);
    c.reset_from(
        &censor,
        Side::Server,
        seq,
        ack.wrapping_add(1460),
        ACK,
        label,
    );
    c.send(Side::Server, &payload::tls_server_flight(2_600, net.rng()));
    built.push(take(
        "censor",
        c,
        &client,
        &server_b,
        true,
        Some(MatchMethod::Isn),
        |_, _, d| match d.label {
            Some(_) => Seen::ClientOnly,
            None => Seen::Both,
        },
    ));

    // The server aborts a request: the RST crosses the whole path.
    let mut c = net.connect(&client, &server, 8080, 6.0, RTT_MS);
    c.handshake();
    c.send(
        Side::Client,
        &payload::http_request("POST", "api.example.net", "/v1/upload", 900),
    );
    c.ack(Side::Server);
    c.wait(1.8);
    c.reset(
        Side::Server,
        ACK,
        Verdict::new(Sender::Server, Origin::Server, Cause::AppAbort),
    );
    built.push(take(
        "server-abort",
        c,
        &client,
        &server,
        true,
        Some(MatchMethod::Isn),
        both,
    ));

    // The server aborts again, but a firewall drops its RST.
    let mut c = net.connect(&client, &server, 8080, 10.0, RTT_MS);
    c.handshake();
    c.send(
        Side::Client,
        &payload::http_request("POST", "api.example.net", "/v1/upload", 700),
    );
    c.ack(Side::Server);
    c.wait(1.2);
    c.reset(
        Side::Server,
        ACK,
        Verdict::new(Sender::Server, Origin::Server, Cause::AppAbort),
    );
    built.push(take(
        "dropped-reset",
        c,
        &client,
        &server,
        true,
        Some(MatchMethod::Isn),
        |_, _, d| match d.label {
            Some(_) => Seen::ServerOnly,
            None => Seen::Both,
        },
    ));

    // Background: a plain HTTP fetch.
    let c = fetch(&mut net, &client, &server, 80, 20.0);
    built.push(take(
        "fetch",
        c,
        &client,
        &server,
        true,
        Some(MatchMethod::Isn),
        both,
    ));

    // Only the client side sees this one: it stays on the LAN.
    let c = fetch(&mut net, &client, &lan_server, 80, 25.0);
    built.push(take(
        "lan",
        c,
        &client,
        &lan_server,
        true,
        None,
        |_, _, _| Seen::ClientOnly,
    ));

    // Only the server side sees this one: another client on the internet.
    let c = fetch(&mut net, &stranger, &server, 80, 30.0);
    built.push(take(
        "stranger",
        c,
        &stranger,
        &server,
        false,
        None,
        |_, _, _| Seen::ServerOnly,
    ));

    // Background near the end, so both captures run past the NAT's RST.
    let mut c = traffic::https_open(
        &mut net,
        &client,
        &server,
        "chat.example.com",
        380.0,
        RTT_MS,
    );
    c.wait(0.5);
    c.close(Side::Client);
    built.push(take(
        "browse-late",
        c,
        &client,
        &server,
        true,
        Some(MatchMethod::Isn),
        both,
    ));
    let c = fetch(&mut net, &client, &server, 80, 405.0);
    built.push(take(
        "fetch-late",
        c,
        &client,
        &server,
        true,
        Some(MatchMethod::Isn),
        both,
    ));

    assemble(built, options.ipv6)
}

fn fetch(net: &mut Net, client: &Host, server: &Host, port: u16, at: f64) -> Conversation {
    let mut c = net.connect(client, server, port, at, RTT_MS);
    c.handshake();
    c.send(
        Side::Client,
        &payload::http_request("GET", "www.example.com", "/index.html", 0),
    );
    c.send(Side::Server, &payload::http_response("200 OK", 3_100));
    c.ack(Side::Client);
    c.close(Side::Client);
    c
}

/// Both captures from the conversations: the client side as generated
/// (times, TTLs as seen at the client), the server side through the NAT,
/// the path delay and the other clock.
fn assemble(built: Vec<Built>, ipv6: bool) -> Pair {
    let reference_us = built
        .iter()
        .flat_map(|b| &b.drafts)
        .filter(|(_, s)| *s != Seen::ServerOnly)
        .map(|(d, _)| d.packet.ts_us)
        .min()
        .unwrap_or_default();
    let server_start_us = reference_us + (SERVER_CAPTURE_START_S * 1e6) as i64;
    let delay_us = (RTT_MS * 1e3 / 2.0) as i64;
    let mut next_public = FIRST_PUBLIC_PORT;
    let mut nat: BTreeMap<u16, u16> = BTreeMap::new();
    let mut host_ids: BTreeMap<usize, u16> = BTreeMap::new();

    // (client-side packet, server-side packet, label, conversation index)
    struct Out {
        c: Option<Packet>,
        s: Option<Packet>,
        label: Option<Verdict>,
        conv: usize,
    }
    let mut all = Vec::new();
    let mut connections = Vec::new();
    for (conv, b) in built.iter().enumerate() {
        let translate = b.ours && !ipv6;
        let public_port = |nat: &mut BTreeMap<u16, u16>, next: &mut u16, port: u16| {
            *nat.entry(port).or_insert_with(|| {
                let p = *next;
                *next += 1;
                p
            })
        };
        let mut c_endpoints = None;
        let mut s_endpoints = None;
        for (draft, seen) in &b.drafts {
            let mut p = draft.packet.clone();
            p.ip_id = match draft.ip_id {
                IpId::Fixed(id) => id,
                IpId::HostCounter(h) => {
                    let id = host_ids.entry(h).or_insert(0x4000);
                    *id = id.wrapping_add(1);
                    *id
                }
            };
            let from_client = p.src == b.client.addr;
            // The router clamps the MSS of SYNs crossing it.
            let mut c_copy = p.clone();
            let mut s_copy = p.clone();
            if translate && p.flags & SYN != 0 && p.options.mss.is_some() {
                if from_client {
                    s_copy.options.mss = Some(CLAMPED_MSS);
                } else {
                    c_copy.options.mss = Some(CLAMPED_MSS);
                }
            }
            // Server side: time, TTL, NAT, direction.
            let t = if from_client {
                p.ts_us + delay_us
            } else {
                p.ts_us - delay_us
            };
            let offset = CLOCK_OFFSET_S * 1e6 + DRIFT_PPM * 1e-6 * (t - reference_us) as f64;
            s_copy.ts_us = t + offset.round() as i64;
            if from_client {
                if b.ours {
                    s_copy.ttl = p.ttl.saturating_sub(PATH_HOPS);
                }
            } else {
                s_copy.ttl = b.server.fingerprint.initial_ttl;
            }
            s_copy.outgoing = !from_client;
            if translate {
                let port = if from_client { p.src_port } else { p.dst_port };
                let public = public_port(&mut nat, &mut next_public, port);
                if from_client {
                    s_copy.src = IpAddr::V4(PUBLIC_V4);
                    s_copy.src_port = public;
                } else {
                    s_copy.dst = IpAddr::V4(PUBLIC_V4);
                    s_copy.dst_port = public;
                }
            }
            let at_client = *seen != Seen::ServerOnly;
            let at_server = *seen != Seen::ClientOnly && t >= server_start_us;
            let ends = |q: &Packet| {
                let (a, z) = (endpoint(q.src, q.src_port), endpoint(q.dst, q.dst_port));
                if from_client {
                    (a, z)
                } else {
                    (z, a)
                }
            };
            if at_client && c_endpoints.is_none() {
                c_endpoints = Some(ends(&c_copy));
            }
            if at_server && s_endpoints.is_none() {
                s_endpoints = Some(ends(&s_copy));
            }
            all.push(Out {
                c: at_client.then_some(c_copy),
                s: at_server.then_some(s_copy),
                label: draft.label.map(|(_, v)| v),
                conv,
            });
        }
        connections.push(PairConnection {
            name: b.name,
            client_side: c_endpoints,
            server_side: s_endpoints,
            how: b.how,
        });
    }

    // Frame numbers: each capture in its own time order (stable).
    let mut c_order: Vec<usize> = (0..all.len()).filter(|&i| all[i].c.is_some()).collect();
    c_order.sort_by_key(|&i| all[i].c.as_ref().map(|p| p.ts_us));
    let mut s_order: Vec<usize> = (0..all.len()).filter(|&i| all[i].s.is_some()).collect();
    s_order.sort_by_key(|&i| all[i].s.as_ref().map(|p| p.ts_us));
    let mut c_frame = vec![None; all.len()];
    let mut s_frame = vec![None; all.len()];
    for (n, &i) in c_order.iter().enumerate() {
        c_frame[i] = Some(n as u64 + 1);
    }
    for (n, &i) in s_order.iter().enumerate() {
        s_frame[i] = Some(n as u64 + 1);
    }
    let resets = all
        .iter()
        .enumerate()
        .filter_map(|(i, o)| {
            let v = o.label?;
            Some(PairReset {
                name: built[o.conv].name,
                client_frame: c_frame[i],
                server_frame: s_frame[i],
                sender: v.sender,
                origin: v.origin,
                cause: v.cause,
            })
        })
        .collect();
    let client_side = c_order.iter().filter_map(|&i| all[i].c.clone()).collect();
    let server_side = s_order.iter().filter_map(|&i| all[i].s.clone()).collect();
    Pair {
        name: if ipv6 {
            "two-vantage-ipv6"
        } else {
            "two-vantage-nat"
        },
        client_side,
        server_side,
        reference_us,
        connections,
        resets,
    }
}

/// "ip:port", "[v6]:port": as the reports write endpoints.
pub fn endpoint(ip: IpAddr, port: u16) -> String {
    match ip {
        IpAddr::V4(v4) => format!("{v4}:{port}"),
        IpAddr::V6(v6) => format!("[{v6}]:{port}"),
    }
}

/// The two capture files (client side, server side), framed per `options`.
pub fn write_pair(pair: &Pair, options: &Options) -> (Vec<u8>, Vec<u8>) {
    (
        write::capture(&pair.client_side, options.link, options.format),
        write::capture(&pair.server_side, options.link, options.format),
    )
}
