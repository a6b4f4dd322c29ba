//! A report made again from its typed parts (a share link's, an exported
//! JSON's): what the analyzer derives from its verdicts is derived here
//! the same way, so a front end never does, and nothing derived can be
//! carried in disagreeing with the verdicts.

use alloc::string::String;
use alloc::vec::Vec;

use crate::report::{Activity, CaptureInfo, Comparison, Connection, Reset};
use crate::{confidence, render, Report};

/// What a report is made from: the capture's counts, the resets with
/// their verdicts and evidence, their connections, the activity chart (it
/// counts connections the parts may leave out), a comparison.
pub struct ReportParts {
    pub capture: CaptureInfo,
    pub resets: Vec<Reset>,
    pub connections: Vec<Connection>,
    pub activity: Activity,
    pub comparison: Option<Comparison>,
    pub generator: Option<String>,
}

/// The report of `parts`, as the analyzer writes it: each reset's
/// conflict, the incidents, counts, story and headline, every sentence.
/// Confidence is taken as given (it was calibrated on the whole capture).
pub fn rebuild_report(parts: ReportParts) -> Report {
    let mut resets = parts.resets;
    for reset in &mut resets {
        reset.conflict = confidence::conflict(reset);
    }
    let incidents = super::incidents::group(&mut resets, &parts.connections);
    let mut summary = super::summarize(&resets, &incidents, &[], &parts.capture);
    summary.activity = parts.activity;
    let mut report = Report {
        capture: parts.capture,
        summary,
        resets,
        connections: parts.connections,
        incidents,
        comparison: parts.comparison,
        generator: parts.generator,
    };
    render::sentences(&mut report);
    report
}
