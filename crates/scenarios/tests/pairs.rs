//! Two captures of the same traffic (client side behind a NAT, server
//! side), compared: matches, clock, vantages and every RST's verdict.

use rstscope_capture::Sink;
use rstscope_core::compare::{compare, story, Limits};
use rstscope_core::report::{
    CaptureName, ComparedReset, Comparison, MatchMethod, PathFate, Relation, Report, SeenAt,
    Sender, VantagePoint, Warning,
};
use rstscope_core::{Analysis, Analyzer, Config, Frame};
use rstscope_scenarios::pairs::{pair, write_pair, Pair, PairReset, CLOCK_OFFSET_S, DRIFT_PPM};
use rstscope_scenarios::{Format, Link, Options};

fn analyze(bytes: &[u8]) -> Analysis {
    analyze_with(bytes, Limits::default())
}

fn analyze_with(bytes: &[u8], limits: Limits) -> Analysis {
    let mut analyzer = Analyzer::new(Config {
        trace: Some(limits),
        ..Config::default()
    });
    rstscope_capture::read_all(bytes, &mut analyzer, |_| {}).expect("generated capture");
    analyzer.finish()
}

fn run(options: &Options) -> (Pair, Analysis, Analysis) {
    let pair = pair(options);
    let (c, s) = write_pair(&pair, options);
    (pair, analyze(&c), analyze(&s))
}

fn variants() -> Vec<Options> {
    vec![
        Options::default(),
        Options {
            ipv6: true,
            link: Link::RawIp,
            format: Format::Pcap,
            ..Options::default()
        },
        Options {
            link: Link::LinuxSll,
            format: Format::Pcap,
            seed: 7,
            ..Options::default()
        },
    ]
}

/// The report id of the connection with these endpoints.
fn conn_id(report: &Report, ends: &(String, String)) -> u32 {
    report
        .connections
        .iter()
        .find(|c| (c.client.to_string(), c.server.to_string()) == *ends)
        .unwrap_or_else(|| panic!("no connection {ends:?}"))
        .id
}

/// (main id, peer id, method) of a connection matched across the captures.
type Matched = (Option<u32>, Option<u32>, MatchMethod);
/// (capture, id, "client -> server") of a connection seen in one capture only.
type SeenOnce = (CaptureName, Option<u32>, String);

/// One comparison and the generator's truth; `client_main`: the
/// client-side capture is main.
struct Case<'a> {
    pair: &'a Pair,
    client: &'a Report,
    server: &'a Report,
    cmp: &'a Comparison,
    client_main: bool,
    ctx: String,
}

/// Checks one comparison against the generator's truth.
fn check(pair: &Pair, client: &Report, server: &Report, cmp: &Comparison, client_main: bool) {
    let case = Case {
        pair,
        client,
        server,
        cmp,
        client_main,
        ctx: format!("{} (client side is main: {client_main})", pair.name),
    };
    case.vantages();
    case.matches();
    case.differences();
    case.clock();
    case.resets();
    assert_eq!(cmp.relation, Relation::TwoVantages, "{}", case.ctx);
}

impl Case<'_> {
    /// (main, peer) of (client-side thing, server-side thing).
    fn main_peer<T>(&self, client: T, server: T) -> (T, T) {
        if self.client_main {
            (client, server)
        } else {
            (server, client)
        }
    }

    /// Each capture's vantage point, with its reasons.
    fn vantages(&self) {
        let (cmp, ctx) = (self.cmp, &self.ctx);
        let (mv, pv) = self.main_peer(VantagePoint::ClientSide, VantagePoint::ServerSide);
        assert_eq!((cmp.main.vantage, cmp.peer.vantage), (mv, pv), "{ctx}");
        assert!(cmp.main.why.len() >= 5, "{ctx}: {:?}", cmp.main.why);
    }

    /// Exactly the expected matches, each by the expected method, and the connections seen once.
    fn matches(&self) {
        let (cmp, ctx) = (self.cmp, &self.ctx);
        let (mut expected, mut unmatched) = self.expected_matches();
        let mut got: Vec<_> = cmp
            .matched
            .iter()
            .map(|m| (m.main, m.peer, m.how))
            .collect();
        got.sort();
        expected.sort();
        assert_eq!(got, expected, "{ctx}: matches");
        assert!(
            cmp.matched
                .iter()
                .all(|m| m.confidence >= 0.8 && m.packets_matched >= 5),
            "{ctx}"
        );
        let mut got: Vec<_> = cmp
            .unmatched
            .iter()
            .map(|u| {
                (
                    u.capture,
                    u.connection,
                    format!("{} -> {}", u.client, u.server),
                )
            })
            .collect();
        got.sort();
        unmatched.sort();
        assert_eq!(got, unmatched, "{ctx}: unmatched");
    }

    /// By the generator: (main id, peer id, method) of each match, and
    /// (capture, id) of each connection seen once.
    fn expected_matches(&self) -> (Vec<Matched>, Vec<SeenOnce>) {
        let (client, server) = (self.client, self.server);
        let (mut expected, mut unmatched) = (Vec::new(), Vec::new());
        for c in &self.pair.connections {
            let ends = |side: &Option<(String, String)>| side.clone().unwrap();
            match c.how {
                Some(how) => {
                    let (m, p) = self.main_peer(
                        conn_id(client, &ends(&c.client_side)),
                        conn_id(server, &ends(&c.server_side)),
                    );
                    expected.push((Some(m), Some(p), how));
                }
                None => {
                    let (client_seen, e, id) = match (&c.client_side, &c.server_side) {
                        (Some(e), None) => (true, e, conn_id(client, e)),
                        (None, Some(e)) => (false, e, conn_id(server, e)),
                        _ => panic!("{}: one side only", c.name),
                    };
                    let name = if client_seen == self.client_main {
                        CaptureName::Main
                    } else {
                        CaptureName::Peer
                    };
                    unmatched.push((name, Some(id), format!("{} -> {}", e.0, e.1)));
                }
            }
        }
        (expected, unmatched)
    }

    /// NAT and MSS clamping show up as differences (IPv4 only).
    fn differences(&self) {
        let ctx = &self.ctx;
        let kinds: Vec<&str> = self
            .cmp
            .matched
            .iter()
            .flat_map(|m| m.differences.iter().map(|d| d.kind.as_str()))
            .collect();
        let ipv6 = self.pair.name.contains("ipv6");
        assert_eq!(kinds.contains(&"nat"), !ipv6, "{ctx}: {kinds:?}");
        assert_eq!(kinds.contains(&"mss"), !ipv6, "{ctx}: {kinds:?}");
        assert!(kinds.contains(&"ttl") && kinds.contains(&"loss"), "{ctx}");
        assert!(kinds.contains(&"made-on-path"), "{ctx}");
    }

    /// Clock: offset within 1 ms at the reported time, drift within 0.5 ppm.
    fn clock(&self) {
        let (cmp, ctx) = (self.cmp, &self.ctx);
        let offset = cmp.clock_offset.as_ref().expect("clock offset");
        let at_us = (offset.at * 1e6).round() as i64;
        let truth = if self.client_main {
            self.pair.offset_at(at_us)
        } else {
            -self.pair.offset_at(at_us - (CLOCK_OFFSET_S * 1e6) as i64)
        };
        assert!(
            (offset.seconds - truth).abs() < 1e-3,
            "{ctx}: offset {} vs {truth}",
            offset.seconds
        );
        assert!(offset.corrected, "{ctx}");
        let delay = offset.path_delay.unwrap();
        assert!((delay - 0.023).abs() < 1e-4, "{ctx}: path delay {delay}");
        let drift = cmp.drift.as_ref().expect("drift over a 400 s capture");
        let (sign, _) = self.main_peer(1.0, -1.0);
        assert!(
            (drift.ppm - sign * DRIFT_PPM).abs() < 0.5,
            "{ctx}: drift {}",
            drift.ppm
        );
    }

    /// Every RST of either capture, with its final verdict.
    fn resets(&self) {
        let (main, peer) = self.main_peer(self.client, self.server);
        let frames = main.resets.len() + peer.resets.len();
        let ctx = &self.ctx;
        assert_eq!(
            self.cmp.resets.len(),
            frames,
            "{ctx}: one entry per RST frame"
        );
        let (client_name, server_name) = self.main_peer(CaptureName::Main, CaptureName::Peer);
        let only = |name: CaptureName| match name {
            CaptureName::Main => SeenAt::MainOnly,
            CaptureName::Peer => SeenAt::PeerOnly,
        };
        let mut checked = 0;
        for truth in &self.pair.resets {
            let seen_at = match (truth.client_frame, truth.server_frame) {
                (Some(_), Some(_)) => SeenAt::Both,
                (Some(_), None) => only(client_name),
                (None, Some(_)) => only(server_name),
                (None, None) => unreachable!(),
            };
            for (name, frame, other) in [
                (client_name, truth.client_frame, truth.server_frame),
                (server_name, truth.server_frame, truth.client_frame),
            ] {
                let Some(frame) = frame else { continue };
                self.reset(truth, seen_at, (name, frame), other);
                checked += 1;
            }
        }
        assert_eq!(checked, frames, "{ctx}: every RST is in the truth");
    }

    /// The entry of the RST `truth` in capture `name` at `frame` (at frame
    /// `other` in the other capture, if there).
    fn reset(
        &self,
        truth: &PairReset,
        seen_at: SeenAt,
        (name, frame): (CaptureName, u64),
        other: Option<u64>,
    ) {
        let r = self.find(name, frame);
        let what = format!("{}: {} RST {name:?} frame {frame}", self.ctx, truth.name);
        assert_eq!(r.seen_at, seen_at, "{what}");
        assert_eq!(r.fate, fate(truth), "{what}");
        assert_eq!(r.peer_frame, other, "{what}");
        assert_eq!((r.origin, r.cause), (truth.origin, truth.cause), "{what}");
        assert_eq!(r.sender, truth.sender, "{what}");
        assert_eq!(
            r.evidence[0].signal,
            rstscope_core::report::Signal::Vantage,
            "{what}"
        );
        assert!(r.confidence >= 0.5, "{what}");
        // Its connection, and the same connection in the other capture.
        let m = self
            .cmp
            .matched
            .iter()
            .find(|m| if name == CaptureName::Main { m.main } else { m.peer } == r.connection)
            .unwrap_or_else(|| panic!("{what}: on a matched connection"));
        let there = if name == CaptureName::Main {
            m.peer
        } else {
            m.main
        };
        assert_eq!(r.other_connection, there, "{what}");
        // On the main clock, both sightings within the path delay.
        if name == CaptureName::Main {
            assert_eq!(r.main_time, r.time, "{what}");
        }
        if let Some(twin) = other.map(|f| self.find(server_or_client(name), f)) {
            assert!((r.main_time - twin.main_time).abs() < 0.03, "{what}");
        }
    }

    fn find(&self, capture: CaptureName, frame: u64) -> &ComparedReset {
        self.cmp
            .resets
            .iter()
            .find(|r| r.capture == capture && r.frame == frame)
            .unwrap_or_else(|| panic!("{}: no entry for {capture:?} frame {frame}", self.ctx))
    }
}

/// The other capture of the two.
fn server_or_client(name: CaptureName) -> CaptureName {
    match name {
        CaptureName::Main => CaptureName::Peer,
        CaptureName::Peer => CaptureName::Main,
    }
}

/// What the path did to a RST, by the generator's truth: seen at both ends,
/// else lost (its sender's end saw it) or made on the path (it did not).
fn fate(truth: &PairReset) -> PathFate {
    let sender_saw = match truth.sender {
        Sender::Client => truth.client_frame.is_some(),
        Sender::Server => truth.server_frame.is_some(),
        Sender::Unknown => panic!("{}: the generator knows every sender", truth.name),
    };
    match (
        truth.client_frame.is_some() && truth.server_frame.is_some(),
        sender_saw,
    ) {
        (true, _) => PathFate::Crossed,
        (false, true) => PathFate::LostOnPath,
        (false, false) => PathFate::MadeOnPath,
    }
}

#[test]
fn pairs_compare_in_both_orders() {
    for options in variants() {
        let (pair, c, s) = run(&options);
        let forward = compare(&c, &s);
        check(&pair, &c.report, &s.report, &forward, true);
        let backward = compare(&s, &c);
        check(&pair, &c.report, &s.report, &backward, false);
    }
}

/// Swapping main and peer mirrors the comparison exactly.
#[test]
fn swapping_mirrors() {
    let (_, c, s) = run(&Options::default());
    let a = compare(&c, &s);
    let b = compare(&s, &c);
    let flip = |n: CaptureName| match n {
        CaptureName::Main => CaptureName::Peer,
        CaptureName::Peer => CaptureName::Main,
    };
    let mut am: Vec<_> = a.matched.iter().map(|m| (m.main, m.peer, m.how)).collect();
    let mut bm: Vec<_> = b.matched.iter().map(|m| (m.peer, m.main, m.how)).collect();
    am.sort();
    bm.sort();
    assert_eq!(am, bm);
    let key = |r: &ComparedReset, swap: bool| {
        let capture = if swap { flip(r.capture) } else { r.capture };
        let seen = match (r.seen_at, swap) {
            (SeenAt::MainOnly, true) => SeenAt::PeerOnly,
            (SeenAt::PeerOnly, true) => SeenAt::MainOnly,
            (s, _) => s,
        };
        (
            capture,
            r.frame,
            seen,
            r.fate,
            r.peer_frame,
            r.origin,
            r.cause,
        )
    };
    let mut ar: Vec<_> = a.resets.iter().map(|r| key(r, false)).collect();
    let mut br: Vec<_> = b.resets.iter().map(|r| key(r, true)).collect();
    ar.sort();
    br.sort();
    assert_eq!(ar, br);
    let (x, y) = (a.clock_offset.unwrap(), b.clock_offset.unwrap());
    // b's offset is given at the server capture's start, a's at the client's.
    let drift = DRIFT_PPM * 1e-6 * (y.at - CLOCK_OFFSET_S - x.at);
    assert!(
        (x.seconds + y.seconds + drift).abs() < 1e-4,
        "{} {}",
        x.seconds,
        y.seconds
    );
}

/// Tiny limits: memory stays bounded, the losses are counted, and the
/// RSTs (always kept) still get their two-capture verdicts.
#[test]
fn bounded_record_keeps_resets() {
    let options = Options::default();
    let pair = pair(&options);
    let (cb, sb) = write_pair(&pair, &options);
    let limits = Limits {
        max_connections: 50,
        head: 4,
        tail: 4,
        max_packets: 200,
    };
    let c = analyze_with(&cb, limits);
    let s = analyze_with(&sb, limits);
    assert!(c.trace.packets() <= 200 && s.trace.packets() <= 200);
    let cmp = compare(&c, &s);
    assert!(cmp.main.dropped_packets > 0 && cmp.peer.dropped_packets > 0);
    assert_eq!(
        cmp.main.packets + cmp.main.dropped_packets,
        pair.client_side.len() as u64
    );
    for truth in &pair.resets {
        if let Some(frame) = truth.client_frame {
            let r = cmp
                .resets
                .iter()
                .find(|r| r.capture == CaptureName::Main && r.frame == frame)
                .unwrap();
            assert_eq!(
                (r.origin, r.cause),
                (truth.origin, truth.cause),
                "{}",
                truth.name
            );
            assert_eq!(r.peer_frame, truth.server_frame, "{}", truth.name);
        }
    }
    // Too few packets per connection to match the NAT-idle one by payload
    // is fine; the handshakes still match by ISN.
    assert!(
        cmp.matched
            .iter()
            .filter(|m| m.how == MatchMethod::Isn)
            .count()
            >= 7
    );
    assert_eq!(cmp.main.vantage, VantagePoint::ClientSide);

    // A connection limit: later connections are counted, not recorded.
    let small = Limits {
        max_connections: 3,
        ..Limits::default()
    };
    let c = analyze_with(&cb, small);
    assert_eq!(c.trace.connections(), 3);
    let cmp = compare(&c, &s);
    assert_eq!(cmp.main.dropped_connections, 6);
}

/// The same capture given twice is recognised as such: every RST seen at
/// "both ends", and nothing claimed about a path.
#[test]
fn the_same_capture_twice_claims_nothing_about_the_path() {
    let options = Options::default();
    let (cb, _) = write_pair(&pair(&options), &options);
    let c = analyze(&cb);
    let same = compare(&c, &c);
    assert_eq!(same.relation, Relation::SameCapture);
    assert_eq!(same.matched.len(), c.trace.connections());
    assert!(same.matched.iter().all(|m| m.differences.is_empty()));
    assert!(same.clock_offset.as_ref().unwrap().seconds.abs() < 1e-9);
    assert_eq!(same.main.vantage, VantagePoint::Unknown);
    assert!(same.main.why.is_empty());
    for r in &same.resets {
        assert_eq!((r.seen_at, r.fate), (SeenAt::Both, PathFate::NotCompared));
        let single = c.report.resets.iter().find(|s| s.frame == r.frame).unwrap();
        assert_eq!((r.origin, r.cause), (single.origin, single.cause));
        assert_eq!(r.confidence, single.confidence, "no confidence from itself");
    }
    assert!(story::headline(&same).contains("this capture again"));
}

/// A copy cut to a small snap length (as `editcap -s 80` makes) is the
/// same capture too: its payloads are cut, not different.
#[test]
fn a_snaplen_cut_copy_is_recognised() {
    let options = Options::default();
    let (cb, _) = write_pair(&pair(&options), &options);
    let whole = analyze(&cb);
    let mut cut = Cut {
        analyzer: Analyzer::new(Config::traced()),
        snaplen: 80,
    };
    rstscope_capture::read_all(&cb[..], &mut cut, |_| {}).expect("generated capture");
    let cut = cut.analyzer.finish();
    assert!(cut.report.capture.truncated_frames > 0, "the copy is cut");
    for (a, b) in [(&whole, &cut), (&cut, &whole)] {
        let cmp = compare(a, b);
        assert_eq!(cmp.relation, Relation::CutCopy);
        assert!(cmp.matched.iter().all(|m| m.differences.is_empty()));
        assert!(cmp.resets.iter().all(|r| r.fate == PathFate::NotCompared));
        assert!(story::headline(&cmp).contains("smaller snap length"));
    }
}

/// Frames cut to `snaplen` bytes, as a capture with that snap length keeps them.
struct Cut {
    analyzer: Analyzer,
    snaplen: usize,
}

impl Sink for Cut {
    fn frame(&mut self, frame: &Frame<'_>) {
        let data = frame.data.get(..self.snaplen).unwrap_or(frame.data);
        self.analyzer.push(&Frame { data, ..*frame });
    }
    fn warning(&mut self, warning: Warning) {
        self.analyzer.warn(warning);
    }
}

/// Unrelated captures (no connection in common) say so and claim nothing
/// "made on the path"; neither does a capture against an empty one.
#[test]
fn unrelated_captures_claim_nothing() {
    let options = Options::default();
    let scenarios = rstscope_scenarios::catalogue(&options);
    let a = analyze(&rstscope_scenarios::write(&scenarios[0], &options));
    let b = analyze(&rstscope_scenarios::write(&scenarios[2], &options));
    let unrelated = compare(&a, &b);
    assert!(unrelated.matched.is_empty(), "{:?}", unrelated.matched);
    assert!(unrelated.clock_offset.is_none());
    assert_eq!(
        unrelated.resets.len(),
        a.report.resets.len() + b.report.resets.len()
    );
    assert!(matches!(
        unrelated.relation,
        Relation::NoCommonConnection | Relation::NoTimeOverlap
    ));
    for r in &unrelated.resets {
        assert_eq!(
            (r.seen_at, r.fate),
            (SeenAt::NotCompared, PathFate::NotCompared)
        );
        assert_ne!(r.origin, rstscope_core::report::Origin::Middlebox, "{r:?}");
    }
    let headline = story::headline(&unrelated);
    assert!(
        headline.contains("nothing is claimed about the path"),
        "{headline}"
    );
    assert!(!headline.contains("made on the path"), "{headline}");

    let (cb, _) = write_pair(&pair(&options), &options);
    let c = analyze(&cb);
    let empty = compare(&Analysis::default(), &c);
    assert!(empty.matched.is_empty() && empty.resets.len() == c.report.resets.len());
    assert_eq!(empty.relation, Relation::NoCommonConnection);
    assert!(empty
        .resets
        .iter()
        .all(|r| r.seen_at == SeenAt::NotCompared));
}
