//! Every sentence of a report, written from the typed data the report
//! carries: an evidence item's `finding` from its [`Fact`](crate::report::Fact),
//! a reset's tips from its cause, origin, sub-cause and
//! [`Observed`](crate::report::Observed) numbers, the headline from the
//! summary's [`Story`](crate::report::Story). A report re-rendered from its
//! typed data reads exactly as it did (a share link can carry the data
//! alone, and the receiving app writes the sentences).

mod conflict;
mod finding;
mod headline;
mod incident;
mod link;
mod tips;

use alloc::format;
use alloc::string::String;

use crate::report::{Evidence, Report};

pub use conflict::{conflict, signal_name};
pub use finding::{finding, pattern};
pub use headline::{headline, plain};
pub use incident::incident;
pub use link::tips as link_tips;
pub use tips::tips;

/// Writes every sentence of `report` from its typed data: each evidence
/// item's `signal` and `finding`, each reset's tips, the headline. A report
/// that arrived as typed data alone (a share link) reads as it did.
pub fn sentences(report: &mut Report) {
    report.summary.headline = headline(&report.summary.story);
    for incident in &mut report.incidents {
        incident.summary = self::incident(&incident.story());
    }
    for reset in &mut report.resets {
        reset.evidence.iter_mut().for_each(evidence);
        reset.tips = tips(reset.cause, reset.origin, reset.sub_cause, &reset.observed);
        if let Some(c) = &mut reset.conflict {
            c.sentence = conflict(c);
        }
        reset.tips.extend(link_tips(&reset.evidence));
    }
    if let Some(comparison) = &mut report.comparison {
        for reset in &mut comparison.resets {
            reset.evidence.iter_mut().for_each(evidence);
        }
    }
}

fn evidence(e: &mut Evidence) {
    e.signal = e.fact.signal();
    e.finding = finding(&e.fact);
}

/// A duration in nanoseconds as the findings write it: "0.4 ms",
/// "38 ms", "301 s".
pub fn duration(ns: i64) -> String {
    let ms = ns as f64 / 1e6;
    if ms < 10.0 {
        format!("{ms:.1} ms")
    } else if ms < 10_000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.0} s", ms / 1000.0)
    }
}

/// What a draft-ietf-tcpm-rst-diagnostic-payload reason code means.
pub fn reason_name(code: u32) -> &'static str {
    match code {
        1 => "unspecified error",
        2 => "out of memory",
        3 => "new data received after CLOSE",
        4 => "unacknowledged data present at CLOSE",
        5 => "SO_LINGER timeout",
        6 => "user timeout",
        7 => "invalid ACK",
        8 => "missing timestamp",
        9 => "invalid timestamp",
        10 => "invalid SYN",
        11 => "invalid flags",
        12 => "no listener",
        13 => "administratively prohibited",
        14 => "connection timeout",
        15 => "unspecified resource exhaustion",
        16 => "policy violation",
        17 => "middlebox interference",
        _ => "unknown reason",
    }
}
