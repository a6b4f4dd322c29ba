//! The engine's acceptance tests: for every scenario over IPv4 and IPv6 and
//! every link type and file format, the real pipeline's verdict on each RST
//! must equal the scenario's label. All mismatches are reported together.

mod common;

use common::{analyze, describe, matrix};
use rstscope_core::report::Reset;
use rstscope_scenarios::{catalogue, write, ExpectedReset};

#[test]
fn every_reset_gets_the_labelled_sender_origin_and_cause() {
    let mut mismatches = Vec::new();
    let mut checked = 0;
    for options in matrix() {
        for scenario in catalogue(&options) {
            let report = analyze(&write(&scenario, &options));
            let place = format!("{} [{}]", scenario.name, describe(&options));
            for expected in &scenario.expected {
                checked += 1;
                match report.resets.iter().find(|r| r.frame == expected.frame) {
                    None => mismatches.push(format!(
                        "{place} frame {}: no reset in the report",
                        expected.frame
                    )),
                    Some(got) if !matches(expected, got) => {
                        mismatches.push(mismatch(&place, expected, got))
                    }
                    Some(_) => {}
                }
            }
            for extra in report
                .resets
                .iter()
                .filter(|r| !scenario.expected.iter().any(|e| e.frame == r.frame))
            {
                mismatches.push(format!(
                    "{place} frame {}: reported a reset that is not labelled",
                    extra.frame
                ));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {checked} labelled resets wrong:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

fn matches(expected: &ExpectedReset, got: &Reset) -> bool {
    (expected.sender, expected.origin, expected.cause) == (got.sender, got.origin, got.cause)
}

fn mismatch(place: &str, expected: &ExpectedReset, got: &Reset) -> String {
    let evidence: Vec<String> = got
        .evidence
        .iter()
        .map(|e| format!("{} → {}: {}", e.signal, e.points_to.as_str(), e.finding))
        .collect();
    format!(
        "{place} frame {} ({} {} → {}): expected {}/{}/{}, got {}/{}/{} (confidence {:.2}); evidence: [{}]",
        expected.frame,
        got.flags,
        got.src,
        got.dst,
        expected.sender.as_str(),
        expected.origin.as_str(),
        expected.cause.as_str(),
        got.sender.as_str(),
        got.origin.as_str(),
        got.cause.as_str(),
        got.confidence,
        evidence.join("; ")
    )
}
