//! The verdict on each RST of a connection: who sent it (the origin
//! signals), why (the cause rules), how sure we are, the evidence, where
//! in the connection it fell and the numbers its tips quote.

use alloc::vec::Vec;

use super::copy;
use super::echo::Echoes;
use super::facts::{Earlier, Facts};
use super::link;
use super::origin::{self, Context, Sibling, Weighing};
use super::pattern::{self, BurstRst};
use super::record::ResetRecord;
use super::rules::{self, Rule};
use crate::decode::flags;
use crate::report::{
    Cause, Evidence, Fact, LadderPacket, Observed, Origin, Sender, Stage, SubCause,
};
use crate::track::conn::{Conn, Side};
use crate::track::{HostProfile, HostTable, RolesFrom};

/// RSTs of one side this close together form a burst (for signatures).
const BURST_NS: i64 = 3_000_000_000;

/// What was concluded about one RST.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    pub sender: Sender,
    pub origin: Origin,
    pub cause: Cause,
    pub sub_cause: Option<SubCause>,
    /// Strongest first.
    pub evidence: Vec<Evidence>,
    pub signature: Option<alloc::string::String>,
    pub stage: Stage,
    pub observed: Observed,
    pub ladder: Vec<LadderPacket>,
    /// The rule that decided the cause.
    pub rule: Rule,
    /// The frame of the earlier reset whose teardown this one followed from.
    pub consequence_of: Option<u64>,
}

/// Judges every RST of `conn` (`records`, its resets in frame order): a
/// later RST sees the verdicts of the earlier ones.
pub fn judge_connection(
    records: &mut [ResetRecord],
    conn: &Conn,
    hosts: &HostTable,
    echoes: &Echoes,
) {
    let mut earlier: Vec<Earlier> = Vec::new();
    let originals = copy::originals(records, conn);
    for i in 0..records.len() {
        let Some(record) = records.get(i) else {
            continue;
        };
        let copy = || {
            let original = records.get(originals.get(i).copied().flatten()?)?;
            copy::verdict_of_copy(original, record, conn)
        };
        let verdict = match record.verdict.clone().or_else(copy) {
            Some(v) => v,
            None => {
                let side = record.side;
                let host = hosts.get(&conn.dir(side).addr);
                let peer = hosts.get(&conn.dir(side.other()).addr);
                let scanner =
                    host.is_some_and(|h| h.is_scanner()) || peer.is_some_and(|h| h.is_scanner());
                let seen = Seen {
                    host,
                    scanner,
                    echoes,
                    earlier: &earlier,
                };
                judge(records, i, conn, &seen)
            }
        };
        if let Some(record) = records.get_mut(i) {
            earlier.push(Earlier {
                frame: record.packet.frame,
                side: record.side,
                origin: verdict.origin,
                cause: verdict.cause,
                sub_cause: verdict.sub_cause,
                consequence_of: verdict.consequence_of,
                survived: record.answers_syn() && conn.ack_ns.is_some_and(|at| at > record.ts_ns),
            });
            record.verdict = Some(verdict);
        }
    }
}

/// What is known beside the connection when one of its RSTs is judged.
struct Seen<'a> {
    /// The claimed sender's profile.
    host: Option<&'a HostProfile>,
    /// Either host swept ports.
    scanner: bool,
    echoes: &'a Echoes,
    /// The connection's resets before this one, as judged.
    earlier: &'a [Earlier],
}

/// The verdict on `records[index]`, a RST of `conn` (whose resets
/// `records` are).
fn judge(records: &[ResetRecord], index: usize, conn: &Conn, seen: &Seen<'_>) -> Verdict {
    let Seen {
        host,
        scanner,
        echoes,
        earlier,
    } = *seen;
    let siblings: Vec<Sibling> = records
        .iter()
        .map(|r| Sibling {
            frame: r.packet.frame,
            side: r.side,
            ts_ns: r.ts_ns,
            seq: r.packet.seq,
            ack: (r.flags & flags::ACK != 0).then_some(r.packet.ack),
        })
        .collect();
    let burst = burst_of(records, index);
    let Some(record) = records.get(index) else {
        return unjudged();
    };
    let ctx = Context {
        record,
        conn,
        host,
        siblings: &siblings,
        socket_gone: rules::consequence::root(earlier, record).is_some()
            || origin::after_own_fin(record),
        echo: echoes.repeated(conn, record.side, record.packet.seq),
    };
    let weighing = origin::weigh(&ctx);
    // Where netfilter logged the packets, when it did, outweighs the signals.
    let logged = link::logged_origin(record);
    let shared = logged.is_none() && origin::shared_address(&weighing, &ctx);
    let origin = match logged {
        Some(logged) => logged,
        None if shared || origin::sent_by_capturing_host(&weighing) => Origin::from(record.side),
        None => origin_of(&weighing, record.side, record.trigger().is_some()),
    };
    let stage = pattern::stage(record);
    let facts = Facts {
        record,
        conn,
        host,
        scanner,
        origin,
        stage,
        earlier,
        echo: ctx.echo,
    };
    let rules::Decided {
        rule,
        decision,
        rival,
    } = rules::decide(&facts);
    let origin = match logged {
        Some(logged) => logged,
        None => decision.origin.unwrap_or(origin),
    };
    let mut evidence = weighing.into_evidence();
    if shared {
        let fact = Fact::SharedAddress {
            role: super::role(record.side),
        };
        evidence.push(Evidence::of(fact, Origin::from(record.side)));
    }
    evidence.extend(decision.evidence);
    if let Some(rival) = rival {
        let items = rules::rival_evidence(rival, &evidence);
        evidence.extend(items);
    }
    evidence.extend(link::evidence(record, origin));
    // Kept to the end of the capture, tens of thousands on a scan: without
    // the slack that growing the list left.
    evidence.shrink_to_fit();
    Verdict {
        sender: sender_of(conn.roles_from, record.side),
        origin,
        cause: decision.cause,
        sub_cause: decision.sub_cause,
        evidence,
        signature: pattern::signature(stage, &burst),
        stage,
        observed: Observed {
            idle_ns: decision.idle_ns,
            server_port: Some(conn.server.port),
            retransmissions: decision
                .retransmissions
                .unwrap_or(record.snapshot.sender.rexmit_run),
        },
        ladder: record.ladder_packets(conn),
        rule,
        consequence_of: decision.consequence_of,
    }
}

/// The origin the signals point to. With no signal either way, a RST that
/// answers the peer's packet (a closed port answering a probe, the
/// sender's first packet in the capture) is taken as the claimed sender's
/// own answer, as stacks answer; one that answers nothing stays unknown.
fn origin_of(weighing: &Weighing, side: Side, answers: bool) -> Origin {
    if weighing.sender == 0.0 && weighing.middlebox == 0.0 && !answers {
        Origin::Unknown
    } else if weighing.middlebox > weighing.sender {
        Origin::Middlebox
    } else {
        Origin::from(side)
    }
}

/// Whose address the RST carries, when the roles are known.
fn sender_of(roles_from: RolesFrom, side: Side) -> Sender {
    if roles_from.is_told() {
        match side {
            Side::Client => Sender::Client,
            Side::Server => Sender::Server,
        }
    } else {
        Sender::Unknown
    }
}

/// A RST whose record is missing: nothing concluded.
pub fn unjudged() -> Verdict {
    Verdict {
        sender: Sender::Unknown,
        origin: Origin::Unknown,
        cause: Cause::Unknown,
        sub_cause: None,
        evidence: Vec::new(),
        signature: None,
        stage: Stage::Unknown,
        observed: Observed::default(),
        ladder: Vec::new(),
        rule: Rule::NoContext,
        consequence_of: None,
    }
}

/// The RSTs of `records[index]`'s burst: same side, no non-RST packet of
/// that side in between, within [`BURST_NS`] of each other.
fn burst_of(records: &[ResetRecord], index: usize) -> Vec<BurstRst> {
    let Some(me) = records.get(index) else {
        return Vec::new();
    };
    let packets_before = me.snapshot.sender.clean_packets();
    let mut burst: Vec<(i64, BurstRst)> = records
        .iter()
        .filter(|r| r.side == me.side && r.snapshot.sender.clean_packets() == packets_before)
        .filter(|r| r.ts_ns.abs_diff(me.ts_ns) <= BURST_NS as u64)
        .map(|r| {
            (
                r.ts_ns,
                BurstRst {
                    flags: r.flags,
                    ack: r.packet.ack,
                },
            )
        })
        .collect();
    crate::sort::sort_by_key(&mut burst, |(ts, _)| *ts);
    burst.into_iter().map(|(_, b)| b).collect()
}
