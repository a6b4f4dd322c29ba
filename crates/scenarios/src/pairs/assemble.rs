//! Both captures from the conversations: the client side as generated
//! (times, TTLs as seen at the client), the server side through the NAT,
//! the path delay and the other clock.

use std::collections::BTreeMap;
use std::net::IpAddr;

use rstscope_core::decode::flags::SYN;

use super::{
    clock_offset_s, endpoint, Built, Pair, PairConnection, PairReset, Seen, CLAMPED_MSS,
    FIRST_PUBLIC_PORT, PATH_HOPS, PUBLIC_V4, RTT_MS, SERVER_CAPTURE_START_S,
};
use crate::net::{IpId, Verdict};
use crate::packet::Packet;

pub(super) fn assemble(built: Vec<Built>, ipv6: bool) -> Pair {
    let mut copier = Copier::new(Path::of(&built));
    let connections = built
        .iter()
        .enumerate()
        .map(|(conv, b)| copier.conversation(conv, b, ipv6))
        .collect();
    let all = copier.out;
    let (c_order, c_frame) = frames(&all, |o| o.c.as_ref());
    let (s_order, s_frame) = frames(&all, |o| o.s.as_ref());
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
        reference_us: copier.path.reference_us,
        connections,
        resets,
    }
}

/// One packet at each capture point that saw it.
struct Out {
    c: Option<Packet>,
    s: Option<Packet>,
    label: Option<Verdict>,
    /// Index of its conversation.
    conv: usize,
}

/// One capture's order of the packets that it has (by time, stable) and
/// each packet's 1-based frame number there.
fn frames(all: &[Out], side: impl Fn(&Out) -> Option<&Packet>) -> (Vec<usize>, Vec<Option<u64>>) {
    let mut order: Vec<usize> = (0..all.len())
        .filter(|&i| side(&all[i]).is_some())
        .collect();
    order.sort_by_key(|&i| side(&all[i]).map(|p| p.ts_us));
    let mut frame = vec![None; all.len()];
    for (n, &i) in order.iter().enumerate() {
        frame[i] = Some(n as u64 + 1);
    }
    (order, frame)
}

/// The path and clocks between the two capture points.
struct Path {
    /// The first client-side packet's time: the clocks' offset is
    /// `CLOCK_OFFSET_S` then.
    reference_us: i64,
    server_start_us: i64,
    /// One way, client to server side.
    delay_us: i64,
}

impl Path {
    fn of(built: &[Built]) -> Self {
        let reference_us = built
            .iter()
            .flat_map(|b| &b.drafts)
            .filter(|(_, s)| *s != Seen::ServerOnly)
            .map(|(d, _)| d.packet.ts_us)
            .min()
            .unwrap_or_default();
        Self {
            reference_us,
            server_start_us: reference_us + (SERVER_CAPTURE_START_S * 1e6) as i64,
            delay_us: (RTT_MS * 1e3 / 2.0) as i64,
        }
    }

    /// The server-side clock's reading at true time `t_us`.
    fn server_clock(&self, t_us: i64) -> i64 {
        let offset_us = clock_offset_s(self.reference_us, t_us) * 1e6;
        t_us + offset_us.round() as i64
    }
}

/// Copies every packet to the capture points that saw it, conversation by
/// conversation, with the state that runs across conversations.
struct Copier {
    path: Path,
    /// The NAT's public port for each private one, in order of first use.
    nat: BTreeMap<u16, u16>,
    next_public: u16,
    /// Each host's IP-ID counter, for packets that take the next of it.
    host_ids: BTreeMap<usize, u16>,
    out: Vec<Out>,
}

impl Copier {
    fn new(path: Path) -> Self {
        Self {
            path,
            nat: BTreeMap::new(),
            next_public: FIRST_PUBLIC_PORT,
            host_ids: BTreeMap::new(),
            out: Vec::new(),
        }
    }

    /// Copies conversation `conv`'s packets; returns its endpoints in each capture.
    fn conversation(&mut self, conv: usize, b: &Built, ipv6: bool) -> PairConnection {
        let translate = b.ours && !ipv6;
        let (mut c_endpoints, mut s_endpoints) = (None, None);
        for (draft, seen) in &b.drafts {
            let mut p = draft.packet.clone();
            p.ip_id = self.ip_id(draft.ip_id);
            let from_client = p.src == b.client.addr;
            let (c_copy, s_copy, t) = self.copies(&p, from_client, b, translate);
            let at_client = *seen != Seen::ServerOnly;
            let at_server = *seen != Seen::ClientOnly && t >= self.path.server_start_us;
            // "ip:port" of client and server, whichever way the packet goes.
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
            self.out.push(Out {
                c: at_client.then_some(c_copy),
                s: at_server.then_some(s_copy),
                label: draft.label.map(|(_, v)| v),
                conv,
            });
        }
        PairConnection {
            name: b.name,
            client_side: c_endpoints,
            server_side: s_endpoints,
            how: b.how,
        }
    }

    fn ip_id(&mut self, id: IpId) -> u16 {
        match id {
            IpId::Fixed(id) => id,
            IpId::HostCounter(h) => {
                let id = self.host_ids.entry(h).or_insert(0x4000);
                *id = id.wrapping_add(1);
                *id
            }
        }
    }

    /// The packet as each capture point sees it, and the true time it
    /// passes the server side's.
    fn copies(
        &mut self,
        p: &Packet,
        from_client: bool,
        b: &Built,
        translate: bool,
    ) -> (Packet, Packet, i64) {
        let mut c_copy = p.clone();
        let mut s_copy = p.clone();
        // The router clamps the MSS of SYNs crossing it.
        if translate && p.flags & SYN != 0 && p.options.mss.is_some() {
            if from_client {
                s_copy.options.mss = Some(CLAMPED_MSS);
            } else {
                c_copy.options.mss = Some(CLAMPED_MSS);
            }
        }
        let t = if from_client {
            p.ts_us + self.path.delay_us
        } else {
            p.ts_us - self.path.delay_us
        };
        s_copy.ts_us = self.path.server_clock(t);
        if from_client {
            if b.ours {
                s_copy.ttl = p.ttl.saturating_sub(PATH_HOPS);
            }
        } else {
            s_copy.ttl = b.server.fingerprint.initial_ttl;
        }
        s_copy.outgoing = !from_client;
        if translate {
            self.translate(&mut s_copy, from_client);
        }
        (c_copy, s_copy, t)
    }

    /// The NAT: the workstation's address and port become the public ones.
    fn translate(&mut self, s_copy: &mut Packet, from_client: bool) {
        let port = if from_client {
            s_copy.src_port
        } else {
            s_copy.dst_port
        };
        let next = &mut self.next_public;
        let public = *self.nat.entry(port).or_insert_with(|| {
            let p = *next;
            *next += 1;
            p
        });
        if from_client {
            s_copy.src = IpAddr::V4(PUBLIC_V4);
            s_copy.src_port = public;
        } else {
            s_copy.dst = IpAddr::V4(PUBLIC_V4);
            s_copy.dst_port = public;
        }
    }
}
