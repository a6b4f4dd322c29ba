//! Two captures compared, for the comparison view and the Markdown export.
//! The words about the path come from rstscope-core's `compare::story`
//! (the CLI prints the same); what is here only lays them out.

use rstscope_core::report::{CaptureName, Comparison, VantagePoint};

pub use rstscope_core::compare::story::{
    drift_text, fate_text, headline, ladder_lines, ladder_rst, offset_text, reset_sentences,
    vantage_label,
};

/// The two captures, left to right, for the two-capture ladder: the one
/// nearer the client on the left, so a packet travels the way it reads.
pub fn ladder_order(cmp: &Comparison) -> [CaptureName; 2] {
    if cmp.main.vantage == VantagePoint::ServerSide || cmp.peer.vantage == VantagePoint::ClientSide
    {
        [CaptureName::Peer, CaptureName::Main]
    } else {
        [CaptureName::Main, CaptureName::Peer]
    }
}

/// "this capture · client side", "other end" (vantage unknown).
pub fn capture_label(cmp: &Comparison, capture: CaptureName) -> String {
    let (which, vantage) = match capture {
        CaptureName::Main => ("this capture", cmp.main.vantage),
        CaptureName::Peer => ("other end", cmp.peer.vantage),
    };
    match vantage {
        VantagePoint::Unknown => which.to_string(),
        known => format!("{which} · {}", vantage_label(known)),
    }
}

/// "3 matched, 2 only in one capture".
pub fn counts_text(cmp: &Comparison) -> String {
    let only = |c: CaptureName| cmp.unmatched.iter().filter(|u| u.capture == c).count();
    format!(
        "{} connections matched; {} only in this capture, {} only in the other.",
        cmp.matched.len(),
        only(CaptureName::Main),
        only(CaptureName::Peer)
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use rstscope_core::report::{PathFate, Report, SeenAt};
    use rstscope_core::{Analysis, Analyzer, Config};
    use rstscope_scenarios::pairs::{pair, write_pair};
    use rstscope_scenarios::Options;

    fn analyze(bytes: &[u8]) -> Analysis {
        let mut analyzer = Analyzer::new(Config::traced());
        rstscope_capture::read_all(bytes, &mut analyzer, |_| {}).expect("generated capture");
        analyzer.finish()
    }

    /// The generated pair's client-side report, compared with its server side.
    pub(crate) fn pair_report() -> Report {
        let options = Options::default();
        let (client, server) = write_pair(&pair(&options), &options);
        analyze(&client).compared_with(&analyze(&server))
    }

    #[test]
    fn the_generated_pair_reads_as_expected() {
        let report = pair_report();
        let cmp = report.comparison.as_ref().expect("a comparison");
        assert_eq!(cmp.main.vantage, VantagePoint::ClientSide);
        assert_eq!(cmp.peer.vantage, VantagePoint::ServerSide);
        let sentences = reset_sentences(cmp);
        for expected in [
            "made on the path: seen at the client, never sent by the server.",
            "crossed the path: seen at both ends.",
            "lost on the path: sent by the server, never reached the client.",
        ] {
            assert!(
                sentences.iter().any(|s| s.ends_with(expected)),
                "{sentences:?}"
            );
        }
        // Every RST of either capture is counted once.
        let total: usize = sentences
            .iter()
            .map(|s| s.split(' ').next().unwrap().parse::<usize>().unwrap())
            .sum();
        let both_twice = cmp
            .resets
            .iter()
            .filter(|r| r.seen_at == SeenAt::Both && r.capture == CaptureName::Peer)
            .count();
        assert_eq!(total, cmp.resets.len() - both_twice);
        assert!(offset_text(cmp.clock_offset.as_ref()).contains("ahead of"));
        assert!(drift_text(cmp.drift.as_ref()).contains("ppm"));
    }

    #[test]
    fn the_ladder_of_a_reset_made_on_the_path_reads_as_text() {
        let report = pair_report();
        let cmp = report.comparison.as_ref().expect("a comparison");
        assert_eq!(ladder_order(cmp), [CaptureName::Main, CaptureName::Peer]);
        assert_eq!(
            capture_label(cmp, CaptureName::Peer),
            "other end · server side"
        );
        let injected = cmp
            .resets
            .iter()
            .find(|r| r.fate == PathFate::MadeOnPath)
            .expect("a RST made on the path");
        let rst = ladder_rst(injected).expect("the RST is on its ladder");
        assert_eq!(rst.peer_frame, None);
        let lines = ladder_lines(injected);
        assert_eq!(lines.len(), injected.ladder.len());
        let own = format!("main #{:<5} server→client", injected.frame);
        let line = lines
            .iter()
            .find(|l| l.contains(&own))
            .expect("the RST's line");
        assert!(line.trim_start().starts_with("+0.0 ms"), "{line}");
        assert!(line.ends_with("seen here only"), "{line}");
        assert!(
            lines
                .iter()
                .any(|l| l.contains(" peer #") && l.contains("= main #")),
            "{lines:#?}"
        );
    }

    #[test]
    fn the_client_side_capture_goes_left() {
        let mut cmp = Comparison::default();
        assert_eq!(ladder_order(&cmp), [CaptureName::Main, CaptureName::Peer]);
        cmp.main.vantage = VantagePoint::ServerSide;
        assert_eq!(ladder_order(&cmp), [CaptureName::Peer, CaptureName::Main]);
        assert_eq!(
            capture_label(&cmp, CaptureName::Main),
            "this capture · server side"
        );
        assert_eq!(capture_label(&cmp, CaptureName::Peer), "other end");
    }
}
