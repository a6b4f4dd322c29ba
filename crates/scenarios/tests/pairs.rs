//! Two captures of the same traffic (client side behind a NAT, server
//! side), compared: matches, clock, vantages and every RST's verdict.

use rstscope_capture::Sink;
use rstscope_core::compare::compare;
use rstscope_core::compare::Limits;
use rstscope_core::report::{
    CaptureName, ComparedReset, Comparison, MatchMethod, Report, SeenAt, VantagePoint, Warning,
};
use rstscope_core::{Analyzer, Config, Frame, Vantage};
use rstscope_scenarios::pairs::{pair, write_pair, Pair, CLOCK_OFFSET_S, DRIFT_PPM};
use rstscope_scenarios::{Format, Link, Options};

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
    analyze_with(bytes, Limits::default())
}

fn analyze_with(bytes: &[u8], limits: Limits) -> (Report, Vantage) {
    let mut tee = Tee {
        analyzer: Analyzer::new(Config::default()),
        vantage: Vantage::new(limits),
    };
    rstscope_capture::read_all(bytes, &mut tee, |_| {}).expect("generated capture");
    (tee.analyzer.finish(), tee.vantage)
}

fn run(options: &Options) -> (Pair, (Report, Vantage), (Report, Vantage)) {
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
        .find(|c| (&c.client, &c.server) == (&ends.0, &ends.1))
        .unwrap_or_else(|| panic!("no connection {ends:?}"))
        .id
}

/// Checks one comparison against the generator's truth; `client_main`:
/// the client-side capture is main.
fn check(pair: &Pair, client: &Report, server: &Report, cmp: &Comparison, client_main: bool) {
    let (main, peer) = if client_main {
        (client, server)
    } else {
        (server, client)
    };
    let ctx = format!("{} (client side is main: {client_main})", pair.name);

    // Vantages.
    let (mv, pv) = if client_main {
        (VantagePoint::ClientSide, VantagePoint::ServerSide)
    } else {
        (VantagePoint::ServerSide, VantagePoint::ClientSide)
    };
    assert_eq!((cmp.main.vantage, cmp.peer.vantage), (mv, pv), "{ctx}");
    assert!(cmp.main.why.len() >= 5, "{ctx}: {:?}", cmp.main.why);

    // Exactly the expected matches, each by the expected method.
    let mut expected = Vec::new();
    let mut unmatched = Vec::new();
    for c in &pair.connections {
        let ends = |side: &Option<(String, String)>| side.clone().unwrap();
        match c.how {
            Some(how) => {
                let (ci, si) = (
                    conn_id(client, &ends(&c.client_side)),
                    conn_id(server, &ends(&c.server_side)),
                );
                let (m, p) = if client_main { (ci, si) } else { (si, ci) };
                expected.push((Some(m), Some(p), how));
            }
            None => {
                let (capture, id) = match (&c.client_side, &c.server_side) {
                    (Some(e), None) => (client_main, conn_id(client, e)),
                    (None, Some(e)) => (!client_main, conn_id(server, e)),
                    _ => panic!("{}: one side only", c.name),
                };
                let name = if capture {
                    CaptureName::Main
                } else {
                    CaptureName::Peer
                };
                unmatched.push((name, Some(id)));
            }
        }
    }
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
        .map(|u| (u.capture, u.connection))
        .collect();
    got.sort();
    unmatched.sort();
    assert_eq!(got, unmatched, "{ctx}: unmatched");

    // NAT and MSS clamping show up as differences (IPv4 only).
    let kinds: Vec<&str> = cmp
        .matched
        .iter()
        .flat_map(|m| m.differences.iter().map(|d| d.kind.as_str()))
        .collect();
    let ipv6 = pair.name.contains("ipv6");
    assert_eq!(kinds.contains(&"nat"), !ipv6, "{ctx}: {kinds:?}");
    assert_eq!(kinds.contains(&"mss"), !ipv6, "{ctx}: {kinds:?}");
    assert!(kinds.contains(&"ttl") && kinds.contains(&"loss"), "{ctx}");
    assert!(kinds.contains(&"made-on-path"), "{ctx}");

    // Clock: offset within 1 ms at the reported time, drift within 0.5 ppm.
    let offset = cmp.clock_offset.as_ref().expect("clock offset");
    let at_us = (offset.at * 1e6).round() as i64;
    let truth = if client_main {
        pair.offset_at(at_us)
    } else {
        -pair.offset_at(at_us - (CLOCK_OFFSET_S * 1e6) as i64)
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
    let sign = if client_main { 1.0 } else { -1.0 };
    assert!(
        (drift.ppm - sign * DRIFT_PPM).abs() < 0.5,
        "{ctx}: drift {}",
        drift.ppm
    );

    // Every RST of either capture, with its final verdict.
    let frames = main.resets.len() + peer.resets.len();
    assert_eq!(cmp.resets.len(), frames, "{ctx}: one entry per RST frame");
    let find = |capture: CaptureName, frame: u64| -> &ComparedReset {
        cmp.resets
            .iter()
            .find(|r| r.capture == capture && r.frame == frame)
            .unwrap_or_else(|| panic!("{ctx}: no entry for {capture:?} frame {frame}"))
    };
    let (client_name, server_name) = if client_main {
        (CaptureName::Main, CaptureName::Peer)
    } else {
        (CaptureName::Peer, CaptureName::Main)
    };
    let only = |name: CaptureName| match name {
        CaptureName::Main => SeenAt::MainOnly,
        CaptureName::Peer => SeenAt::PeerOnly,
    };
    let mut checked = 0;
    for truth in &pair.resets {
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
            let r = find(name, frame);
            let what = format!("{ctx}: {} RST {name:?} frame {frame}", truth.name);
            assert_eq!(r.seen_at, seen_at, "{what}");
            assert_eq!(r.peer_frame, other, "{what}");
            assert_eq!((r.origin, r.cause), (truth.origin, truth.cause), "{what}");
            assert_eq!(r.sender, truth.sender, "{what}");
            assert_eq!(
                r.evidence[0].signal,
                rstscope_core::report::Signal::Vantage,
                "{what}"
            );
            assert!(r.confidence >= 0.5, "{what}");
            checked += 1;
        }
    }
    assert_eq!(checked, frames, "{ctx}: every RST is in the truth");
}

#[test]
fn pairs_compare_in_both_orders() {
    for options in variants() {
        let (pair, c, s) = run(&options);
        let forward = compare((&c.0, &c.1), (&s.0, &s.1));
        check(&pair, &c.0, &s.0, &forward, true);
        let backward = compare((&s.0, &s.1), (&c.0, &c.1));
        check(&pair, &c.0, &s.0, &backward, false);
    }
}

/// Swapping main and peer mirrors the comparison exactly.
#[test]
fn swapping_mirrors() {
    let (_, c, s) = run(&Options::default());
    let a = compare((&c.0, &c.1), (&s.0, &s.1));
    let b = compare((&s.0, &s.1), (&c.0, &c.1));
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
        (capture, r.frame, seen, r.peer_frame, r.origin, r.cause)
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
    assert!(c.1.packets() <= 200 && s.1.packets() <= 200);
    let cmp = compare((&c.0, &c.1), (&s.0, &s.1));
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
    assert_eq!(c.1.connections(), 3);
    let cmp = compare((&c.0, &c.1), (&s.0, &s.1));
    assert_eq!(cmp.main.dropped_connections, 6);
}

/// Odd inputs: a capture against itself, unrelated captures, nothing.
#[test]
fn odd_pairs_do_not_confuse_it() {
    let options = Options::default();
    let (cb, _) = write_pair(&pair(&options), &options);
    let c = analyze(&cb);
    let same = compare((&c.0, &c.1), (&c.0, &c.1));
    assert_eq!(same.matched.len(), c.1.connections());
    assert!(same.matched.iter().all(|m| m.differences.is_empty()));
    assert!(same.clock_offset.unwrap().seconds.abs() < 1e-9);
    assert_eq!(same.main.vantage, VantagePoint::Unknown);
    assert!(same.resets.iter().all(|r| r.seen_at == SeenAt::Both));

    let scenarios = rstscope_scenarios::catalogue(&options);
    let a = analyze(&rstscope_scenarios::write(&scenarios[0], &options));
    let b = analyze(&rstscope_scenarios::write(&scenarios[2], &options));
    let unrelated = compare((&a.0, &a.1), (&b.0, &b.1));
    assert!(unrelated.matched.is_empty(), "{:?}", unrelated.matched);
    assert!(unrelated.clock_offset.is_none());
    assert_eq!(unrelated.resets.len(), a.0.resets.len() + b.0.resets.len());

    let empty = compare((&Report::default(), &Vantage::default()), (&c.0, &c.1));
    assert!(empty.matched.is_empty() && empty.resets.len() == c.0.resets.len());
}
