//! The verdict on one RST: origin, cause, confidence, evidence, stage,
//! signature and tips, written into its report entry.

use alloc::vec::Vec;

use super::cause;
use super::origin::{self, Context, Sibling};
use super::pattern::{self, BurstRst};
use super::record::ResetRecord;
use crate::render;
use crate::report::{Observed, Origin, Sender, Signal};
use crate::track::conn::{Conn, Side};
use crate::track::HostProfile;

/// RSTs of one side this close together form a burst (for signatures).
const BURST_NS: i64 = 3_000_000_000;

/// Judges `records[index]`, a RST of `conn`, with `host` the claimed
/// sender's profile; `scanner` when either host swept ports with SYNs.
pub fn judge(
    records: &mut [ResetRecord],
    index: usize,
    conn: &Conn,
    host: Option<&HostProfile>,
    scanner: bool,
) {
    let siblings: Vec<Sibling> = conn
        .resets
        .iter()
        .filter_map(|&i| records.get(i))
        .map(|r| Sibling {
            frame: r.report.frame,
            side: r.side,
            ts_ns: r.ts_ns,
            seq: r.report.seq,
            ack: r.report.ack,
        })
        .collect();
    let burst = burst_of(records, index, conn);
    let Some(record) = records.get_mut(index) else {
        return;
    };

    let ctx = Context {
        record,
        conn,
        host,
        siblings: &siblings,
    };
    let weighing = origin::weigh(&ctx);
    let origin = if weighing.sender == 0.0 && weighing.middlebox == 0.0 {
        Origin::Unknown
    } else if weighing.middlebox > weighing.sender {
        Origin::Middlebox
    } else {
        match record.side {
            Side::Client => Origin::Client,
            Side::Server => Origin::Server,
        }
    };
    let tampering = record.after.sender_packets > 0
        || weighing
            .items
            .iter()
            .any(|(_, e)| e.signal == Signal::Repeat);
    let origin_confidence = origin::confidence(&weighing);
    let stage = pattern::stage(record);
    let verdict = cause::decide(record, origin, stage, tampering, scanner);

    let mut evidence = weighing.into_evidence();
    evidence.extend(verdict.evidence);
    let observed = Observed {
        idle_ns: verdict.idle_ns,
        server_port: Some(conn.server.port),
        retransmissions: record.snapshot.sender.rexmit_run,
    };

    let ladder = record.ladder_packets(conn);
    let report = &mut record.report;
    report.ladder = ladder;
    report.connection = Some(conn.id);
    report.sender = if conn.roles_from.is_certain() || conn.roles_from.name() == "ports" {
        match record.side {
            Side::Client => Sender::Client,
            Side::Server => Sender::Server,
        }
    } else {
        Sender::Unknown
    };
    report.origin = origin;
    report.cause = verdict.cause;
    report.sub_cause = verdict.sub_cause;
    report.confidence = (origin_confidence * (0.5 + 0.5 * verdict.certainty)).clamp(0.0, 1.0);
    report.evidence = evidence;
    report.stage = stage;
    report.signature = pattern::signature(stage, &burst);
    report.tips = render::tips(verdict.cause, origin, verdict.sub_cause, &observed);
    report.observed = observed;
    record.judged = true;
}

/// The RSTs of `records[index]`'s burst: same side, no non-RST packet of
/// that side in between, within [`BURST_NS`] of each other.
fn burst_of(records: &[ResetRecord], index: usize, conn: &Conn) -> Vec<BurstRst> {
    let Some(me) = records.get(index) else {
        return Vec::new();
    };
    let packets_before = me.snapshot.sender.clean_packets();
    let mut burst: Vec<(i64, BurstRst)> = conn
        .resets
        .iter()
        .filter_map(|&i| records.get(i))
        .filter(|r| r.side == me.side && r.snapshot.sender.clean_packets() == packets_before)
        .filter(|r| r.ts_ns.abs_diff(me.ts_ns) <= BURST_NS as u64)
        .map(|r| {
            (
                r.ts_ns,
                BurstRst {
                    flags: r.flags,
                    ack: r.report.ack,
                },
            )
        })
        .collect();
    burst.sort_by_key(|(ts, _)| *ts);
    burst.into_iter().map(|(_, b)| b).collect()
}
