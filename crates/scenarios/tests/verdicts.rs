//! The engine's acceptance tests: for every scenario over IPv4 and IPv6 and
//! every link type and file format, the real pipeline's verdict on each RST
//! must equal the scenario's label. All mismatches are reported together.

mod common;

use common::{analyze, describe, matrix};
use rstscope_core::report::{Report, Reset};
use rstscope_scenarios::{catalogue, sample, write, ExpectedReset};

#[test]
fn every_reset_gets_the_labelled_sender_origin_and_cause() {
    let mut mismatches = Vec::new();
    let mut checked = 0;
    for options in matrix() {
        for scenario in catalogue(&options) {
            let report = analyze(&write(&scenario, &options));
            let place = format!("{} [{}]", scenario.name, describe(&options));
            checked += scenario.expected.len();
            compare(&place, &scenario.expected, &report, &mut mismatches);
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {checked} labelled resets wrong:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

/// The app's built-in sample mixes scenarios among background traffic of the
/// same hosts: its verdicts must hold there too, not only in isolation.
#[test]
fn the_sample_gets_its_labelled_verdicts() {
    let (bytes, expected) = sample();
    let mut mismatches = Vec::new();
    compare("sample", &expected, &analyze(&bytes), &mut mismatches);
    assert!(
        mismatches.is_empty(),
        "{} of {} labelled resets in the sample wrong:\n{}",
        mismatches.len(),
        expected.len(),
        mismatches.join("\n")
    );
}

/// Every labelled RST must carry its label; no unlabelled RST may appear.
fn compare(place: &str, expected: &[ExpectedReset], report: &Report, mismatches: &mut Vec<String>) {
    for label in expected {
        match report.resets.iter().find(|r| r.frame == label.frame) {
            None => mismatches.push(format!(
                "{place} frame {}: no reset in the report",
                label.frame
            )),
            Some(got) if !matches(label, got) => mismatches.push(mismatch(place, label, got)),
            Some(_) => {}
        }
    }
    for extra in report
        .resets
        .iter()
        .filter(|r| !expected.iter().any(|e| e.frame == r.frame))
    {
        mismatches.push(format!(
            "{place} frame {}: reported a reset that is not labelled",
            extra.frame
        ));
    }
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

/// Probes are told apart by kind: the sub-cause names the probe a closed
/// port answered, and a health check is not mistaken for a crash.
#[test]
fn probes_get_their_sub_cause() {
    let expected = [
        (
            "stealth-scan",
            vec!["fin-probe", "null-probe", "xmas-probe"],
        ),
        ("health-check", vec!["connect-probe"; 3]),
    ];
    for options in matrix() {
        for (name, subs) in &expected {
            let Some(scenario) = catalogue(&options).into_iter().find(|s| s.name == *name) else {
                panic!("no scenario {name}");
            };
            let report = analyze(&write(&scenario, &options));
            let got: Vec<&str> = report
                .resets
                .iter()
                .filter_map(|r| r.sub_cause.map(|s| s.as_str()))
                .filter(|s| s.ends_with("probe"))
                .collect();
            assert_eq!(&got, subs, "{name} [{}]", describe(&options));
        }
    }
}
