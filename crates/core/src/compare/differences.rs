//! What the path changed in each matched connection: address and port
//! translation, TTL hops, rewritten IP-IDs, clamped MSS, windows, and
//! packets seen at one end only.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::matching::Match;
use super::trace::Pkt;
use super::verdict::{views, Context, View};
use crate::decode::flags;
use crate::report::{Difference, Endpoint, VantagePoint};

/// Frame numbers listed in a difference's finding.
const LISTED_FRAMES: usize = 5;

/// What differs between the two copies of a matched connection.
pub fn differences(ctx: &Context<'_>, m: &Match) -> Vec<Difference> {
    let mut out = Vec::new();
    let (main, peer) = (ctx.main, ctx.peer);
    let (Some(mc), Some(pc)) = (main.conn(m.main), peer.conn(m.peer)) else {
        return out;
    };
    // The peer's ends in main's roles.
    let (peer_client, peer_server) = if m.flipped {
        (pc.server, pc.client)
    } else {
        (pc.client, pc.server)
    };
    translation("client", mc.client, peer_client, &mut out);
    translation("server", mc.server, peer_server, &mut out);

    let mp = main.packets.get(m.main).map(Vec::as_slice).unwrap_or(&[]);
    let pp = peer.packets.get(m.peer).map(Vec::as_slice).unwrap_or(&[]);
    let pairs: Vec<(&Pkt, &Pkt)> = m
        .pairs
        .iter()
        .filter_map(|&(i, j)| Some((mp.get(i)?, pp.get(j)?)))
        .collect();
    for from_client in [true, false] {
        let who = if from_client { "client" } else { "server" };
        let dir: Vec<(&Pkt, &Pkt)> = pairs
            .iter()
            .copied()
            .filter(|(a, _)| a.from_client == from_client)
            .collect();
        if !dir.is_empty() {
            rewrites(who, &dir, &mut out);
        }
    }
    for view in views(ctx) {
        one_side_only(&view, m, &mut out);
    }
    out
}

/// Address and port translation of one end.
fn translation(role: &str, mine: Endpoint, theirs: Endpoint, out: &mut Vec<Difference>) {
    if mine.ip != theirs.ip {
        out.push(Difference {
            kind: "nat".into(),
            finding: format!(
                "the {role} is {} in main and {} in peer: address{} translated (NAT)",
                mine,
                theirs,
                if mine.port != theirs.port {
                    " and port"
                } else {
                    ""
                }
            ),
        });
    } else if mine.port != theirs.port {
        out.push(Difference {
            kind: "port".into(),
            finding: format!(
                "the {role}'s port is {} in main and {} in peer: port translated",
                mine.port, theirs.port
            ),
        });
    }
}

/// What the path rewrote in `who`'s packets seen at both ends (main, peer).
fn rewrites(who: &str, dir: &[(&Pkt, &Pkt)], out: &mut Vec<Difference>) {
    // TTL: the hops between the captures, or a rewrite.
    let mut ttls: BTreeMap<(u8, u8), u64> = BTreeMap::new();
    for (a, b) in dir {
        *ttls.entry((a.ttl, b.ttl)).or_default() += 1;
    }
    if let Some((&(ta, tb), _)) = ttls.iter().max_by_key(|(_, n)| **n) {
        if ta != tb {
            out.push(Difference {
                kind: "ttl".into(),
                finding: format!(
                    "the {who}'s packets carry TTL {ta} in main and {tb} in peer ({} hops between the captures{})",
                    ta.abs_diff(tb),
                    if ttls.len() > 1 { ", not on every packet" } else { "" }
                ),
            });
        }
    }
    let ids: Vec<(u16, u16)> = dir
        .iter()
        .filter_map(|(a, b)| Some((a.ip_id?, b.ip_id?)))
        .collect();
    let changed = ids.iter().filter(|(a, b)| a != b).count();
    if changed > 0 {
        out.push(Difference {
            kind: "ip-id".into(),
            finding: format!(
                "IP-ID rewritten on {changed} of {} {who} packets (a device on the path sets its own)",
                ids.len()
            ),
        });
    }
    for (a, b) in dir.iter().filter(|(a, _)| a.has(flags::SYN)) {
        if a.mss != b.mss {
            let show = |x: Option<u16>| x.map_or("none".into(), |v| format!("{v}"));
            out.push(Difference {
                kind: "mss".into(),
                finding: format!(
                    "MSS on the {who}'s {}: {} in main, {} in peer (clamped on the path)",
                    if a.has(flags::ACK) { "SYN-ACK" } else { "SYN" },
                    show(a.mss),
                    show(b.mss)
                ),
            });
        }
    }
    let windows: Vec<(u16, u16)> = dir
        .iter()
        .filter(|(a, _)| !a.has(flags::SYN) && !a.has(flags::RST))
        .map(|(a, b)| (a.window, b.window))
        .collect();
    let changed: Vec<&(u16, u16)> = windows.iter().filter(|(a, b)| a != b).collect();
    if let Some((a, b)) = changed.first() {
        out.push(Difference {
            kind: "window".into(),
            finding: format!(
                "window changed on {} of {} {who} packets (e.g. {a} in main, {b} in peer)",
                changed.len(),
                windows.len()
            ),
        });
    }
}

/// Packets of `view.this` seen at its end only, while the other was watching.
fn one_side_only(view: &View<'_>, m: &Match, out: &mut Vec<Difference>) {
    let (ti, oi, pairs) = view.oriented(m);
    let packets = view.this.packets.get(ti).map(Vec::as_slice).unwrap_or(&[]);
    let other_conn = view.other.conn(oi);
    let mut paired = alloc::vec![false; packets.len()];
    for &(k, _) in &pairs {
        if let Some(p) = paired.get_mut(k) {
            *p = true;
        }
    }
    for from_client in [true, false] {
        let lonely: Vec<u64> = packets
            .iter()
            .zip(&paired)
            .filter(|&(p, &paired)| {
                p.from_client == from_client && !paired && {
                    let t = view.other_time(p.ts_ns, from_client);
                    view.other.covers(t)
                        && other_conn.is_some_and(|c| {
                            c.complete_at(t as i64) && t >= c.first_ns as f64 - 1e9
                        })
                }
            })
            .map(|(p, _)| p.frame)
            .collect();
        if lonely.is_empty() {
            continue;
        }
        let who = if from_client { "client" } else { "server" };
        let near = match view.vantage {
            VantagePoint::ClientSide => Some(from_client),
            VantagePoint::ServerSide => Some(!from_client),
            VantagePoint::Unknown => None,
        };
        let (name, other) = (view.this.name.as_str(), view.other.name.as_str());
        let (n, frames) = (lonely.len(), list_frames(&lonely));
        let word = packets_word(n);
        let (kind, finding) = match near {
            Some(true) => (
                "loss",
                format!("{n} {who} {word} in {name} ({frames}) never reached {other}: lost on the path"),
            ),
            Some(false) => (
                "made-on-path",
                format!("{n} {word} in the {who}'s name in {name} ({frames}) never left the {who}'s side ({other}): made on the path"),
            ),
            None => (
                "one-side-only",
                format!("{n} {who} {word} seen in {name} only ({frames})"),
            ),
        };
        out.push(Difference {
            kind: kind.into(),
            finding,
        });
    }
}

fn packets_word(n: usize) -> &'static str {
    if n == 1 {
        "packet"
    } else {
        "packets"
    }
}

fn list_frames(frames: &[u64]) -> String {
    let mut s: Vec<String> = frames
        .iter()
        .take(LISTED_FRAMES)
        .map(|f| format!("{f}"))
        .collect();
    if frames.len() > LISTED_FRAMES {
        s.push("…".into());
    }
    let word = if frames.len() == 1 { "frame" } else { "frames" };
    format!("{word} {}", s.join(", "))
}
