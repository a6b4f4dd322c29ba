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

/// A duration in nanoseconds in the largest unit that keeps it readable:
/// "60 µs", "0.4 ms" is "400 µs", "2.5 ms", "38 ms", "1.83 s", "6 min 40 s",
/// "2 h 05 min". The findings and the app (its ladder, packet list and
/// timeline) all write durations with it, so one drawer never shows one gap
/// as "0.1 ms" in a finding and "60 µs" beside its arrow.
pub fn duration(ns: i64) -> String {
    if ns < 0 {
        return format!("-{}", duration(ns.saturating_neg()));
    }
    // Each unit up to where its rounding would print the next unit's one.
    let value = ns as f64;
    if ns < 999_500 {
        format!("{:.0} µs", value / 1e3)
    } else if ns < 9_950_000 {
        format!("{:.1} ms", value / 1e6)
    } else if ns < 999_500_000 {
        format!("{:.0} ms", value / 1e6)
    } else if ns < 59_995_000_000 {
        format!("{:.2} s", value / 1e9)
    } else {
        let secs = ns.saturating_add(500_000_000) / 1_000_000_000;
        if secs < 3600 {
            format!("{} min {:02} s", secs / 60, secs % 60)
        } else {
            format!("{} h {:02} min", secs / 3600, secs / 60 % 60)
        }
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

#[cfg(test)]
mod tests {
    use super::duration;

    #[test]
    fn test_duration_each_unit_up_to_where_it_rounds_into_the_next() {
        let cases = [
            (60_000, "60 µs"),
            (400_000, "400 µs"),
            (999_499, "999 µs"),
            (999_500, "1.0 ms"),
            (2_500_000, "2.5 ms"),
            (9_950_000, "10 ms"),
            (38_000_000, "38 ms"),
            (999_500_000, "1.00 s"),
            (1_831_000_000, "1.83 s"),
            (59_995_000_000, "1 min 00 s"),
            (400_000_150_000, "6 min 40 s"),
            (7_500_000_000_000, "2 h 05 min"),
            (-3_000_000, "-3.0 ms"),
        ];
        for (ns, text) in cases {
            assert_eq!(duration(ns), text, "{ns} ns");
        }
    }
}
