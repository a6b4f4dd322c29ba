//! The verdict on every RST of every shared real capture, snapshotted so any
//! change to the engine shows up in review (one snapshot per capture under
//! `tests/snapshots/`).
//!
//! On a change this test fails and insta writes `*.snap.new` files next to
//! the snapshots (in CI, `CI=true`, it writes nothing and just fails). After
//! reading the diff, accept the new verdicts with
//! `INSTA_UPDATE=always cargo test -p rstscope-capture --test verdict_snapshots`
//! (or `cargo insta review` where cargo-insta is installed), then commit the
//! `.snap` files.
//!
//! One line per RST: frame, sender, origin, cause, sub_cause, confidence
//! (2 places), signature, stage.

mod common;

use common::{capture_folders, read_tsv};
use rstscope_core::{Analyzer, Config};

fn verdicts(path: &std::path::Path) -> String {
    let mut analyzer = Analyzer::new(Config::default());
    let input = std::fs::File::open(path).unwrap();
    rstscope_capture::read_all(input, &mut analyzer, |_| {}).unwrap();
    let report = analyzer.finish().report;
    let mut out = format!(
        "{} resets; {}\n",
        report.resets.len(),
        report.summary.headline
    );
    for r in &report.resets {
        out.push_str(&format!(
            "#{} {} origin={} cause={} sub={} conf={:.2} sig={} stage={}{}\n",
            r.frame,
            r.sender.as_str(),
            r.origin.as_str(),
            r.cause.as_str(),
            r.sub_cause.map_or("-", |s| s.as_str()),
            r.confidence,
            r.signature.as_deref().unwrap_or("-"),
            r.stage.as_str(),
            r.consequence_of
                .map_or(String::new(), |root| format!(" after=#{root}")),
        ));
    }
    out
}

/// Snapshots of the `linktypes/` folder are named with that prefix.
#[test]
fn verdicts_on_every_shared_capture() {
    for (index, dir) in capture_folders().into_iter().enumerate() {
        let prefix = if index == 0 { "" } else { "linktypes__" };
        snapshot_folder(&dir, prefix);
    }
}

fn snapshot_folder(dir: &std::path::Path, prefix: &str) {
    let facts = read_tsv(&dir.join("facts.tsv"));
    assert!(facts.len() > 20, "facts.tsv lists {} files", facts.len());
    for row in &facts {
        let file = &row["file"];
        let name: String = format!("{prefix}{file}")
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let text = verdicts(&dir.join(file));
        insta::with_settings!({ description => file.as_str(), omit_expression => true }, {
            insta::assert_snapshot!(name, text);
        });
    }
}
