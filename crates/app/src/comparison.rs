//! Two captures compared, in words: where each capture was taken, the
//! clocks, and what happened to the resets on the path between them
//! ("2 resets were made on the path: seen at the client, never sent by the
//! server"). Shared by the comparison view and the Markdown export.

use rstscope_core::report::{
    AlignedPacket, CaptureName, ClockOffset, ComparedReset, Comparison, Drift, Role, SeenAt,
    Sender, VantagePoint,
};

/// "client side", "server side" or "unknown vantage".
pub fn vantage_label(vantage: VantagePoint) -> &'static str {
    match vantage {
        VantagePoint::ClientSide => "client side",
        VantagePoint::ServerSide => "server side",
        VantagePoint::Unknown => "vantage unknown",
    }
}

/// The clock offset as a sentence: "The other capture's clock is 2.345 s
/// ahead (from 412 matched packets; path delay 23.0 ms taken out)."
pub fn offset_text(offset: Option<&ClockOffset>) -> String {
    let Some(offset) = offset else {
        return "Clock offset unknown: no packet was found in both captures.".into();
    };
    let direction = if offset.seconds >= 0.0 {
        "ahead of"
    } else {
        "behind"
    };
    let delay = match (offset.corrected, offset.path_delay) {
        (true, Some(d)) => format!("; one-way path delay {} taken out", seconds(d)),
        (true, None) => "; path delay taken out".into(),
        (false, _) => "; includes the path delay".into(),
    };
    format!(
        "The other capture's clock is {} {direction} this one's ({} matched packets{delay}).",
        seconds(offset.seconds.abs()),
        offset.samples
    )
}

/// The drift as a sentence, or why it is unknown.
pub fn drift_text(drift: Option<&Drift>) -> String {
    match drift {
        Some(d) => format!(
            "Clock drift {:+.1} ppm (measured over {}).",
            d.ppm,
            seconds(d.span)
        ),
        None => "Clock drift unknown: the matched packets span too little time.".into(),
    }
}

/// A time of the peer capture (its clock) on the main capture's clock,
/// using the measured offset and drift (unchanged when no offset is known).
pub fn to_main_clock(cmp: &Comparison, peer_time: f64) -> f64 {
    let Some(offset) = &cmp.clock_offset else {
        return peer_time;
    };
    let ppm = cmp.drift.as_ref().map_or(0.0, |d| d.ppm);
    // peer = main + seconds + ppm·1e-6·(main − at), solved for main.
    (peer_time - offset.seconds + ppm * 1e-6 * offset.at) / (1.0 + ppm * 1e-6)
}

/// A duration in s or ms, to a sensible precision.
pub fn seconds(s: f64) -> String {
    if s.abs() >= 1.0 {
        format!("{s:.3} s")
    } else {
        format!("{:.1} ms", s * 1e3)
    }
}

/// Which end a capture is nearest: "the client", "the server", or the
/// capture's own name when its vantage is unknown.
fn end(cmp: &Comparison, capture: CaptureName) -> &'static str {
    let vantage = match capture {
        CaptureName::Main => cmp.main.vantage,
        CaptureName::Peer => cmp.peer.vantage,
    };
    match (vantage, capture) {
        (VantagePoint::ClientSide, _) => "the client",
        (VantagePoint::ServerSide, _) => "the server",
        (VantagePoint::Unknown, CaptureName::Main) => "this capture",
        (VantagePoint::Unknown, CaptureName::Peer) => "the other capture",
    }
}

fn other(capture: CaptureName) -> CaptureName {
    match capture {
        CaptureName::Main => CaptureName::Peer,
        CaptureName::Peer => CaptureName::Main,
    }
}

/// What the path did to one RST: (what happened, how we know).
pub fn fate(cmp: &Comparison, reset: &ComparedReset) -> (&'static str, String) {
    if reset.seen_at == SeenAt::Both {
        return ("crossed the path", "seen at both ends".into());
    }
    let here = end(cmp, reset.capture);
    let there = end(cmp, other(reset.capture));
    // The end whose address the RST carries, when it is the far one.
    let claimed = match reset.sender {
        Sender::Client => Some("the client"),
        Sender::Server => Some("the server"),
        Sender::Unknown => None,
    };
    match claimed {
        Some(claimed) if claimed == there => (
            "were made on the path",
            format!("seen at {here}, never sent by {there}"),
        ),
        Some(claimed) if claimed == here => (
            "were lost on the path",
            format!("sent by {here}, never reached {there}"),
        ),
        _ => (
            "were seen on one side only",
            format!("seen at {here}, not at {there}"),
        ),
    }
}

/// One sentence per kind of fate, most frequent first, e.g. "2 resets were
/// made on the path: seen at the client, never sent by the server." A RST
/// seen at both ends is listed in both captures; it is counted once.
pub fn reset_sentences(cmp: &Comparison) -> Vec<String> {
    let mut groups: Vec<((&'static str, String), usize)> = Vec::new();
    for reset in &cmp.resets {
        if reset.seen_at == SeenAt::Both && reset.capture == CaptureName::Peer {
            continue;
        }
        let key = fate(cmp, reset);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, n)) => *n += 1,
            None => groups.push((key, 1)),
        }
    }
    groups.sort_by_key(|g| std::cmp::Reverse(g.1));
    groups
        .into_iter()
        .map(|((what, how), n)| {
            let what = if n == 1 {
                what.replacen("were", "was", 1)
            } else {
                what.to_string()
            };
            let noun = if n == 1 { "reset" } else { "resets" };
            format!("{n} {noun} {what}: {how}.")
        })
        .collect()
}

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

/// The packet of a reset's ladder that is the reset itself.
pub fn ladder_rst(reset: &ComparedReset) -> Option<&AlignedPacket> {
    reset
        .ladder
        .iter()
        .find(|p| p.capture == reset.capture && p.frame == reset.frame)
}

/// The two-capture ladder of a reset as text, one packet a line, times in
/// ms from the reset on this capture's clock:
/// "   -23.0 ms  main #7     server→client PSH+ACK seq 1 ack 38 len 64  = peer #5".
pub fn ladder_lines(reset: &ComparedReset) -> Vec<String> {
    let zero = ladder_rst(reset).map_or(0.0, |p| p.time);
    reset
        .ladder
        .iter()
        .map(|p| {
            let to = match p.from {
                Role::Client => "server",
                Role::Server => "client",
            };
            let twin = match p.peer_frame {
                Some(f) => format!("= {} #{f}", other(p.capture).as_str()),
                None => "seen here only".into(),
            };
            format!(
                "{:>+9.1} ms  {:<4} #{:<5} {}→{to} {} seq {} ack {} len {}  {twin}",
                (p.time - zero) * 1e3,
                p.capture.as_str(),
                p.frame,
                p.from.as_str(),
                p.flags,
                p.seq,
                p.ack,
                p.payload_len,
            )
        })
        .collect()
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
    use rstscope_capture::Sink;
    use rstscope_core::report::Warning;
    use rstscope_core::{Analyzer, Config, Frame, Report, Vantage};
    use rstscope_scenarios::pairs::{pair, write_pair};
    use rstscope_scenarios::Options;

    struct Tee {
        analyzer: Analyzer,
        vantage: Vantage,
    }

    impl Sink for Tee {
        fn frame(&mut self, frame: &Frame<'_>) {
            self.analyzer.push(frame);
            self.vantage.push(frame);
        }
        fn warning(&mut self, warning: Warning) {
            self.analyzer.warn(warning);
        }
    }

    fn analyze(bytes: &[u8]) -> (Report, Vantage) {
        let mut tee = Tee {
            analyzer: Analyzer::new(Config::default()),
            vantage: Vantage::default(),
        };
        rstscope_capture::read_all(bytes, &mut tee, |_| {}).expect("generated capture");
        (tee.analyzer.finish(), tee.vantage)
    }

    /// The generated pair's client-side report, compared with its server side.
    pub(crate) fn pair_report() -> Report {
        let options = Options::default();
        let (client, server) = write_pair(&pair(&options), &options);
        let (mut main, main_vantage) = analyze(&client);
        let (peer, peer_vantage) = analyze(&server);
        main.comparison = Some(rstscope_core::compare(
            (&main, &main_vantage),
            (&peer, &peer_vantage),
        ));
        main
    }

    #[test]
    fn the_generated_pair_reads_as_expected() {
        let report = pair_report();
        let cmp = report.comparison.as_ref().expect("a comparison");
        assert_eq!(cmp.main.vantage, VantagePoint::ClientSide);
        assert_eq!(cmp.peer.vantage, VantagePoint::ServerSide);
        let sentences = reset_sentences(cmp);
        assert!(
            sentences
                .iter()
                .any(|s| s
                    .ends_with("made on the path: seen at the client, never sent by the server.")),
            "{sentences:?}"
        );
        assert!(
            sentences.iter().any(|s| s.contains("crossed the path")),
            "{sentences:?}"
        );
        assert!(
            sentences
                .iter()
                .any(|s| s
                    .contains("lost on the path: sent by the server, never reached the client")),
            "{sentences:?}"
        );
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
    fn peer_times_move_onto_the_main_clock() {
        let mut cmp = Comparison::default();
        assert_eq!(to_main_clock(&cmp, 100.0), 100.0);
        cmp.clock_offset = Some(ClockOffset {
            seconds: 2.0,
            at: 1000.0,
            samples: 10,
            corrected: true,
            path_delay: Some(0.02),
        });
        assert_eq!(to_main_clock(&cmp, 1002.0), 1000.0);
        cmp.drift = Some(Drift {
            ppm: 100.0,
            span: 60.0,
        });
        // 100 s after `at` the peer clock is a further 10 ms ahead.
        assert!((to_main_clock(&cmp, 1102.01) - 1100.0).abs() < 1e-9);
        // The generated pair: every RST seen at both ends lands at nearly
        // the same time (within the path delay) on the main clock.
        let report = pair_report();
        let cmp = report.comparison.as_ref().expect("a comparison");
        for r in cmp.resets.iter().filter(|r| r.capture == CaptureName::Peer) {
            let Some(main_frame) = r.peer_frame else {
                continue;
            };
            let main = cmp
                .resets
                .iter()
                .find(|m| m.capture == CaptureName::Main && m.frame == main_frame)
                .expect("its main entry");
            assert!((to_main_clock(cmp, r.time) - main.time).abs() < 0.1);
        }
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
            .find(|r| r.seen_at == SeenAt::MainOnly && r.sender == Sender::Server)
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

    #[test]
    fn singular_and_plural() {
        let mut cmp = Comparison::default();
        cmp.main.vantage = VantagePoint::ClientSide;
        cmp.peer.vantage = VantagePoint::ServerSide;
        let reset = ComparedReset {
            capture: CaptureName::Main,
            frame: 4,
            time: 0.0,
            sender: Sender::Server,
            seen_at: SeenAt::MainOnly,
            peer_frame: None,
            origin: rstscope_core::report::Origin::Middlebox,
            cause: rstscope_core::report::Cause::Injected,
            confidence: 0.9,
            evidence: Vec::new(),
            ladder: Vec::new(),
        };
        cmp.resets = vec![reset.clone()];
        assert_eq!(
            reset_sentences(&cmp),
            ["1 reset was made on the path: seen at the client, never sent by the server."]
        );
        cmp.resets.push(ComparedReset { frame: 5, ..reset });
        assert_eq!(
            reset_sentences(&cmp),
            ["2 resets were made on the path: seen at the client, never sent by the server."]
        );
    }

    #[test]
    fn unknown_vantages_name_the_captures() {
        let cmp = Comparison::default();
        let reset = ComparedReset {
            capture: CaptureName::Peer,
            frame: 1,
            time: 0.0,
            sender: Sender::Client,
            seen_at: SeenAt::PeerOnly,
            peer_frame: None,
            origin: rstscope_core::report::Origin::Unknown,
            cause: rstscope_core::report::Cause::Unknown,
            confidence: 0.1,
            evidence: Vec::new(),
            ladder: Vec::new(),
        };
        assert_eq!(
            fate(&cmp, &reset).1,
            "seen at the other capture, not at this capture"
        );
        assert!(offset_text(None).contains("unknown"));
        assert_eq!(seconds(0.0123), "12.3 ms");
        assert_eq!(seconds(-2.5), "-2.500 s");
    }
}
