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

mod assemble;
mod script;

use std::net::{IpAddr, Ipv4Addr};

use rstscope_core::report::{Cause, MatchMethod, Origin, Sender};

use crate::conversation::Conversation;
use crate::host::{Fingerprint, Host};
use crate::net::{Draft, Net};
use crate::packet::Packet;
use crate::{write, Options};

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
        clock_offset_s(self.reference_us, t_us)
    }
}

/// The server-side clock minus the client-side clock (s) at client time
/// `t_us`, the first client-side packet being at `reference_us`: the one
/// definition the captures are written with and the tests check against.
fn clock_offset_s(reference_us: i64, t_us: i64) -> f64 {
    CLOCK_OFFSET_S + DRIFT_PPM * 1e-6 * (t_us - reference_us) as f64 / 1e6
}

/// The pair's hosts: the capturing workstation and a server on its LAN,
/// two servers across the internet, the NAT router next to the
/// workstation, a censor on the path and another client of the server.
struct Cast {
    client: Host,
    lan_server: Host,
    server: Host,
    server_b: Host,
    router: Host,
    censor: Host,
    stranger: Host,
}

impl Cast {
    fn new(net: &mut Net) -> Self {
        Self {
            client: net.local_host(Fingerprint::LINUX),
            lan_server: net.local_host(Fingerprint::LINUX),
            server: net.remote_host(Fingerprint::LINUX, PATH_HOPS),
            server_b: net.remote_host(Fingerprint::LINUX, PATH_HOPS),
            router: net.remote_host(Fingerprint::LINUX_MIDDLEBOX, 1),
            censor: net.remote_host(Fingerprint::CENSOR, 7),
            stranger: net.remote_host(Fingerprint::LINUX, 9),
        }
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

/// A finished conversation on its way to being `Built`.
struct Taking {
    name: &'static str,
    conversation: Conversation,
    client: Host,
    server: Host,
    ours: bool,
}

/// Takes the workstation's conversation `c` (see `Taking::not_ours`).
fn take(name: &'static str, c: Conversation, client: &Host, server: &Host) -> Taking {
    Taking {
        name,
        conversation: c,
        client: *client,
        server: *server,
        ours: true,
    }
}

impl Taking {
    /// The client is another host on the internet: no NAT on its way.
    fn not_ours(self) -> Self {
        Self {
            ours: false,
            ..self
        }
    }

    /// Which capture saw packet `i` of `n`, and how a comparison matches
    /// the connection (`None`: one capture only).
    fn seen_by(
        self,
        how: Option<MatchMethod>,
        seen: impl Fn(usize, usize, &Draft) -> Seen,
    ) -> Built {
        let drafts = self.conversation.into_drafts();
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
            name: self.name,
            drafts,
            client: self.client,
            server: self.server,
            ours: self.ours,
            how,
        }
    }
}

/// The pair of captures, over IPv4 (with NAT) or IPv6 as `options` says.
pub fn pair(options: &Options) -> Pair {
    let seed = options.seed ^ 0x7061_6972_7300_0000;
    let mut net = Net::new(options.ipv6, seed);
    let cast = Cast::new(&mut net);
    let built = script::conversations(&mut net, &cast);
    assemble::assemble(built, options.ipv6)
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
