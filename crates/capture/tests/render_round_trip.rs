//! Every sentence of a report is a pure function, in core, of typed data
//! the report carries: a report sent as JSON with its sentences blanked,
//! then re-rendered by `render::sentences`, reads exactly as it did. Over
//! every generated scenario, the app's sample and every shared real capture.
//! The JSON itself reads back to a report that writes the same bytes.

mod common;

use common::{captures_dir, read_tsv};
use rstscope_core::report::Report;
use rstscope_core::{render, Analyzer, Config};
use rstscope_scenarios::{catalogue, sample, variants, write};

fn analyze(bytes: &[u8]) -> Report {
    let mut analyzer = Analyzer::new(Config::default());
    rstscope_capture::read_all(bytes, &mut analyzer, |_| {}).unwrap();
    analyzer.finish().report
}

/// `report` through JSON with every sentence blanked, then re-rendered.
fn rerendered(report: &Report) -> Report {
    let json = serde_json::to_string(report).unwrap();
    let mut copy: Report = serde_json::from_str(&json).unwrap();
    // Read back, every fact writes the same bytes (core's own `Fact` reader).
    assert_eq!(serde_json::to_string(&copy).unwrap(), json);
    copy.summary.headline.clear();
    for reset in &mut copy.resets {
        reset.tips.clear();
        for e in &mut reset.evidence {
            e.finding.clear();
        }
    }
    render::sentences(&mut copy);
    copy
}

fn assert_rerenders(what: &str, report: &Report) {
    let copy = rerendered(report);
    assert_eq!(copy.summary.headline, report.summary.headline, "{what}");
    assert_eq!(copy.resets.len(), report.resets.len(), "{what}");
    for (a, b) in copy.resets.iter().zip(&report.resets) {
        assert!(
            !b.evidence.is_empty(),
            "{what} frame {}: no evidence",
            b.frame
        );
        assert_eq!(
            a.evidence.len(),
            b.evidence.len(),
            "{what} frame {}",
            b.frame
        );
        for (x, y) in a.evidence.iter().zip(&b.evidence) {
            assert!(!y.finding.is_empty(), "{what} frame {}", b.frame);
            assert_eq!(x, y, "{what} frame {}", b.frame);
        }
        assert_eq!(a.tips, b.tips, "{what} frame {}", b.frame);
    }
}

#[test]
fn every_scenario_and_the_sample_rerender_from_typed_data() {
    for options in variants() {
        for scenario in catalogue(&options) {
            let report = analyze(&write(&scenario, &options));
            assert_rerenders(scenario.name, &report);
        }
    }
    assert_rerenders("sample", &analyze(&sample().0));
}

#[test]
fn every_real_capture_rerenders_from_typed_data() {
    let Some(dir) = captures_dir() else { return };
    for sub in [dir.clone(), dir.join("linktypes")] {
        for row in read_tsv(&sub.join("facts.tsv")) {
            let path = sub.join(&row["file"]);
            let mut analyzer = Analyzer::new(Config::default());
            let input = std::fs::File::open(&path).unwrap();
            if rstscope_capture::read_all(input, &mut analyzer, |_| {}).is_err() {
                continue; // not a capture this reader takes: nothing rendered
            }
            assert_rerenders(&row["file"], &analyzer.finish().report);
        }
    }
}
