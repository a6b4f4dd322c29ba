//! The summary of several captures analysed together: counts added up over
//! the captures, and a headline written from those counts.
//!
//! Hosts are not added up across captures: the same private address on two
//! sensors is usually two machines. Each capture's own report keeps its top
//! talkers.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::rows::{forged, Outcome};

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Combined {
    /// Captures named or found (analysed + failed).
    pub captures: u64,
    pub analysed: u64,
    /// Captures that could not be analysed (each has its error).
    pub failed: u64,
    /// Files found in directories that do not start like a capture, left out.
    pub skipped: Vec<String>,
    pub packets: u64,
    pub tcp_packets: u64,
    pub connections: u64,
    pub resets: u64,
    /// Resets concluded to come from a device on the path, and the number
    /// of captures they are in.
    pub forged: u64,
    pub captures_with_forged: u64,
    pub by_origin: BTreeMap<String, u64>,
    pub by_cause: BTreeMap<String, u64>,
    /// Earliest and latest frame over all captures (seconds since the Unix epoch).
    pub first_time: Option<f64>,
    pub last_time: Option<f64>,
    /// One sentence from the counts above.
    pub headline: String,
}

impl Combined {
    pub fn new(skipped: Vec<String>) -> Self {
        Self {
            skipped,
            ..Self::default()
        }
    }

    /// Adds one capture's outcome and rewrites the headline.
    pub fn add(&mut self, outcome: &Outcome) {
        self.captures += 1;
        match outcome {
            Ok(report) => {
                self.analysed += 1;
                let info = &report.capture;
                self.packets += info.packets;
                self.tcp_packets += info.tcp_packets;
                self.connections += report.connections.len() as u64 + info.unlisted_connections;
                self.resets += report.resets.len() as u64;
                let forged = forged(report);
                self.forged += forged;
                self.captures_with_forged += u64::from(forged > 0);
                add_counts(&mut self.by_origin, &report.summary.by_origin);
                add_counts(&mut self.by_cause, &report.summary.by_cause);
                self.first_time = merge_time(self.first_time, info.first_time, f64::min);
                self.last_time = merge_time(self.last_time, info.last_time, f64::max);
            }
            Err(_) => self.failed += 1,
        }
        self.headline = self.headline();
    }

    fn headline(&self) -> String {
        let failed = match self.failed {
            0 => String::new(),
            1 => " 1 capture could not be read.".to_string(),
            n => format!(" {n} captures could not be read."),
        };
        let captures = plural(self.analysed, "capture", "captures");
        if self.resets == 0 {
            return format!(
                "No TCP resets in {captures} ({} packets).{failed}",
                self.packets
            );
        }
        let resets = plural(self.resets, "reset", "resets");
        let forged = match self.forged {
            0 => "none forged on the path".to_string(),
            n => format!(
                "{n} forged on the path (in {})",
                plural(self.captures_with_forged, "capture", "captures")
            ),
        };
        let common = self
            .by_cause
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map(|(cause, n)| format!("; most common cause: {cause} ({n})"))
            .unwrap_or_default();
        format!("{resets} in {captures}: {forged}{common}.{failed}")
    }
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn add_counts(total: &mut BTreeMap<String, u64>, counts: &BTreeMap<String, u64>) {
    for (key, n) in counts {
        *total.entry(key.clone()).or_default() += n;
    }
}

/// `pick` of two times, either of which may be unknown.
fn merge_time(a: Option<f64>, b: Option<f64>, pick: fn(f64, f64) -> f64) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(pick(a, b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstscope_core::Report;

    fn report(packets: u64, origins: &[(&str, u64)], causes: &[(&str, u64)]) -> Report {
        let mut report = Report::default();
        report.capture.packets = packets;
        report.capture.first_time = Some(packets as f64);
        report.capture.last_time = Some(packets as f64 + 1.0);
        for (origin, n) in origins {
            report.summary.by_origin.insert(origin.to_string(), *n);
        }
        for (cause, n) in causes {
            report.summary.by_cause.insert(cause.to_string(), *n);
        }
        report
    }

    #[test]
    fn counts_add_up_and_the_headline_says_them() {
        let mut all = Combined::new(vec!["dir/README".into()]);
        all.add(&Ok(report(
            10,
            &[("middlebox", 2), ("server", 1)],
            &[("injected", 2), ("refused", 1)],
        )));
        all.add(&Err("not a capture".into()));
        all.add(&Ok(report(5, &[("client", 1)], &[("app-abort", 1)])));
        assert_eq!((all.captures, all.analysed, all.failed), (3, 2, 1));
        assert_eq!(
            (all.packets, all.forged, all.captures_with_forged),
            (15, 2, 1)
        );
        assert_eq!(all.by_origin.get("middlebox"), Some(&2));
        assert_eq!((all.first_time, all.last_time), (Some(5.0), Some(11.0)));
        // `resets` counts report.resets, empty in these hand-made reports.
        assert_eq!(
            all.headline,
            "No TCP resets in 2 captures (15 packets). 1 capture could not be read."
        );
        all.resets = 4;
        assert_eq!(
            all.headline(),
            "4 resets in 2 captures: 2 forged on the path (in 1 capture); most common cause: injected (2). 1 capture could not be read."
        );
    }

    #[test]
    fn the_most_common_cause_breaks_ties_by_name() {
        let mut all = Combined::default();
        all.add(&Ok(report(
            1,
            &[("client", 2)],
            &[("refused", 1), ("app-abort", 1)],
        )));
        all.resets = 2;
        assert!(all
            .headline()
            .ends_with("none forged on the path; most common cause: app-abort (1)."));
    }
}
