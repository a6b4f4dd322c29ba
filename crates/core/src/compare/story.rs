//! The comparison in words, the same in every front end: what the two
//! captures are to each other, what the path did to the resets, and the
//! clocks. Written from the comparison's typed facts only (relation,
//! vantages, each reset's fate), never from other prose.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::report::{
    AlignedPacket, CaptureName, ClockOffset, ComparedReset, Comparison, Drift, PathFate, Relation,
    Role, SeenAt, VantagePoint,
};

/// "client side", "server side" or "vantage unknown".
pub fn vantage_label(vantage: VantagePoint) -> &'static str {
    match vantage {
        VantagePoint::ClientSide => "client side",
        VantagePoint::ServerSide => "server side",
        VantagePoint::Unknown => "vantage unknown",
    }
}

/// The comparison in one paragraph: what the captures are to each other
/// and, for two points of a path, what happened to the resets.
pub fn headline(cmp: &Comparison) -> String {
    let nothing = "no reset can be compared and nothing is claimed about the path";
    match cmp.relation {
        Relation::TwoVantages => format!(
            "Compared with the other end ({} here, {} there): {}",
            vantage_label(cmp.main.vantage),
            vantage_label(cmp.peer.vantage),
            reset_sentences(cmp).join(" ")
        ),
        Relation::SameCapture => "The other capture holds the same packets at the same moments: it is this capture again (or a copy or part of it), not a second point of the path, so nothing is claimed about the path.".into(),
        Relation::CutCopy => "The other capture holds the same packets at the same moments, one of the two cut shorter: a copy of this capture with a smaller snap length, not a second point of the path, so nothing is claimed about the path.".into(),
        Relation::NoCommonConnection => format!(
            "The two captures share no connection: they are not two points of the same traffic, so {nothing}."
        ),
        Relation::NoTimeOverlap => format!(
            "The two captures were not running at the same time: {nothing}."
        ),
    }
}

/// What the path did to one RST, and how we know: "made on the path: seen
/// at the client, never sent by the server".
pub fn fate_text(cmp: &Comparison, reset: &ComparedReset) -> String {
    format!("{}: {}", phrase(reset.fate), how(cmp, reset))
}

/// The fate as a verb phrase ("made on the path"; "crossed the path").
fn phrase(fate: PathFate) -> &'static str {
    match fate {
        PathFate::Crossed => "crossed the path",
        PathFate::MadeOnPath => "made on the path",
        PathFate::LostOnPath => "lost on the path",
        PathFate::OneSideOnly => "seen on one side only",
        PathFate::NotCompared => "not compared",
    }
}

/// How the comparison knows a RST's fate.
fn how(cmp: &Comparison, reset: &ComparedReset) -> String {
    let here = end(cmp, reset.capture);
    let there = end(cmp, other(reset.capture));
    match reset.fate {
        PathFate::Crossed => "seen at both ends".into(),
        PathFate::MadeOnPath => format!("seen at {here}, never sent by {there}"),
        PathFate::LostOnPath => format!("sent by {here}, never reached {there}"),
        PathFate::OneSideOnly => format!("seen at {here}, not at {there}"),
        PathFate::NotCompared => match cmp.relation {
            Relation::SameCapture | Relation::CutCopy => {
                "the other capture is this one again".into()
            }
            Relation::NoCommonConnection => "the captures share no connection".into(),
            Relation::NoTimeOverlap => "the captures did not run at the same time".into(),
            Relation::TwoVantages => {
                format!("not recorded at {there} (no such connection there, or not at that time)")
            }
        },
    }
}

/// One sentence per kind of fate, most frequent first, e.g. "2 resets were
/// made on the path: seen at the client, never sent by the server." A RST
/// seen at both ends is listed in both captures; it is counted once.
pub fn reset_sentences(cmp: &Comparison) -> Vec<String> {
    let mut groups: Vec<((PathFate, String), usize)> = Vec::new();
    for reset in &cmp.resets {
        if reset.seen_at == SeenAt::Both && reset.capture == CaptureName::Peer {
            continue;
        }
        let key = (reset.fate, how(cmp, reset));
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, n)) => *n += 1,
            None => groups.push((key, 1)),
        }
    }
    crate::sort::sort_by_key(&mut groups, |g| core::cmp::Reverse(g.1));
    groups
        .into_iter()
        .map(|((fate, how), n)| {
            let noun = if n == 1 { "reset" } else { "resets" };
            let verb = match (fate, n) {
                (PathFate::Crossed, _) => "",
                (_, 1) => "was ",
                _ => "were ",
            };
            format!("{n} {noun} {verb}{}: {how}.", phrase(fate))
        })
        .collect()
}

/// The clock offset as a sentence: "The other capture's clock is 2.345 s
/// ahead of this one's (412 matched packets; one-way path delay 23.0 ms
/// taken out)."
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

/// The other capture of the two.
pub fn other(capture: CaptureName) -> CaptureName {
    match capture {
        CaptureName::Main => CaptureName::Peer,
        CaptureName::Peer => CaptureName::Main,
    }
}

#[cfg(test)]
mod tests {
    use alloc::vec;

    use super::*;
    use crate::report::{Cause, Origin, Sender};

    fn reset(capture: CaptureName, frame: u64, fate: PathFate, seen_at: SeenAt) -> ComparedReset {
        ComparedReset {
            capture,
            frame,
            time: 0.0,
            sender: Sender::Server,
            seen_at,
            peer_frame: None,
            origin: Origin::Middlebox,
            cause: Cause::Injected,
            confidence: 0.9,
            evidence: Vec::new(),
            fate,
            main_time: 0.0,
            connection: Some(0),
            other_connection: None,
            ladder: Vec::new(),
        }
    }

    fn two_ends() -> Comparison {
        let mut cmp = Comparison::default();
        cmp.main.vantage = VantagePoint::ClientSide;
        cmp.peer.vantage = VantagePoint::ServerSide;
        cmp
    }

    #[test]
    fn one_sentence_per_fate_singular_and_plural() {
        let mut cmp = two_ends();
        let made = reset(CaptureName::Main, 4, PathFate::MadeOnPath, SeenAt::MainOnly);
        cmp.resets = vec![made.clone()];
        assert_eq!(
            reset_sentences(&cmp),
            ["1 reset was made on the path: seen at the client, never sent by the server."]
        );
        assert_eq!(
            fate_text(&cmp, &made),
            "made on the path: seen at the client, never sent by the server"
        );
        cmp.resets.push(ComparedReset { frame: 5, ..made });
        // Seen at both ends: listed in both captures, counted once.
        for capture in [CaptureName::Main, CaptureName::Peer] {
            cmp.resets
                .push(reset(capture, 9, PathFate::Crossed, SeenAt::Both));
        }
        assert_eq!(
            reset_sentences(&cmp),
            [
                "2 resets were made on the path: seen at the client, never sent by the server.",
                "1 reset crossed the path: seen at both ends."
            ]
        );
        assert!(headline(&cmp).starts_with(
            "Compared with the other end (client side here, server side there): 2 resets"
        ));
    }

    #[test]
    fn unknown_vantages_name_the_captures() {
        let mut cmp = Comparison::default();
        let lone = reset(
            CaptureName::Peer,
            1,
            PathFate::OneSideOnly,
            SeenAt::PeerOnly,
        );
        cmp.resets = vec![lone.clone()];
        assert_eq!(
            fate_text(&cmp, &lone),
            "seen on one side only: seen at the other capture, not at this capture"
        );
        assert!(offset_text(None).contains("unknown"));
        assert_eq!(seconds(0.0123), "12.3 ms");
        assert_eq!(seconds(-2.5), "-2.500 s");
    }

    #[test]
    fn captures_that_are_not_two_ends_claim_nothing_about_the_path() {
        for (relation, says) in [
            (Relation::SameCapture, "this capture again"),
            (Relation::CutCopy, "smaller snap length"),
            (Relation::NoCommonConnection, "share no connection"),
            (Relation::NoTimeOverlap, "not running at the same time"),
        ] {
            let mut cmp = two_ends();
            cmp.relation = relation;
            cmp.resets = vec![reset(
                CaptureName::Main,
                3,
                PathFate::NotCompared,
                SeenAt::NotCompared,
            )];
            let text = headline(&cmp);
            assert!(text.contains(says), "{text}");
            assert!(text.contains("nothing is claimed about the path"), "{text}");
            let sentences = reset_sentences(&cmp).join(" ");
            assert!(
                sentences.starts_with("1 reset was not compared: "),
                "{sentences}"
            );
            assert!(!sentences.contains("made on the path"), "{sentences}");
        }
    }
}
