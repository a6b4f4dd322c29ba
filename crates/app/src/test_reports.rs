//! Reports for the unit tests: a hand-built one with every kind of string
//! that can hold an address (so tests do not depend on the analysis), and
//! the app's built-in sample run through the real reader and analyzer.

use rstscope_core::report::{
    CaptureInfo, Cause, Connection, Evidence, Fact, Observed, Origin, Reset, Role, Sender, Signal,
    Stage, SubCause, Summary, Tip, TopTalker, Warning, WarningKind,
};
use rstscope_core::{Analyzer, Config, Report};

/// Two connections (IPv4 and IPv6) and three resets with evidence and tips.
pub fn fixture_report() -> Report {
    let reset = |frame: u64, src: &str, dst: &str, origin: Origin, cause: Cause| Reset {
        frame,
        time: 1_700_000_000.0 + frame as f64,
        src: src.parse().unwrap(),
        dst: dst.parse().unwrap(),
        seq: 1000 + frame as u32,
        ack: 0,
        flags: "RST+ACK".into(),
        ttl: 57,
        ip_id: Some(0x1c2d),
        payload_len: 0,
        encapsulation: "eth:ipv4".into(),
        connection: Some(if src.starts_with('[') { 2 } else { 1 }),
        stream: Some(if src.starts_with('[') { 1 } else { 0 }),
        sender: Sender::Server,
        origin,
        cause,
        sub_cause: Some(SubCause::RstAfterFin),
        confidence: 0.82,
        evidence: vec![Evidence {
            signal: Signal::Ttl,
            finding: format!("TTL 57 from {src}, other packets of 203.0.113.7 had TTL 52."),
            points_to: origin,
            fact: Fact::TtlDiffersHost {
                role: Role::Server,
                ttl: 57,
                packets: 9,
                usual: Some(52),
            },
        }],
        signature: Some("PSH → RST;RST+ACK".into()),
        stage: Stage::LaterInFlow,
        payload_text: Some("blocked by 192.0.2.254".into()),
        reason_code: None,
        tips: vec![Tip {
            text: format!("Check the firewall between {dst} and 203.0.113.7 | or not."),
            commands: vec!["sudo tcpdump -ni any host 203.0.113.7 and port 443".into()],
        }],
        observed: Observed::default(),
        ladder: Vec::new(),
        consequence_of: None,
        incident: None,
        conflict: None,
    };
    let connection = |id: u32, client: &str, server: &str, resets: Vec<u64>| Connection {
        id,
        stream: Some(id - 1),
        first_frame: Some(u64::from(id) * 3),
        client: client.parse().unwrap(),
        server: server.parse().unwrap(),
        roles_from: "handshake".into(),
        first_time: 1_700_000_000.0,
        last_time: 1_700_000_009.5,
        client_packets: 12,
        server_packets: 10,
        client_bytes: 517,
        server_bytes: 4_096,
        conn_state: "RSTR".into(),
        history: "ShADadR".into(),
        resets,
    };
    Report {
        capture: CaptureInfo {
            packets: 40,
            tcp_packets: 38,
            warnings: vec![Warning {
                kind: WarningKind::Decode,
                frame: Some(7),
                offset: None,
                message: "odd frame from 10.0.0.9".into(),
            }],
            first_time: Some(1_700_000_000.0),
            last_time: Some(1_700_000_010.0),
            ..CaptureInfo::default()
        },
        summary: Summary {
            headline: "203.0.113.7 was reset by a middlebox 2 times.".into(),
            by_origin: [("middlebox".to_string(), 2), ("server".to_string(), 1)].into(),
            by_cause: [("injected".to_string(), 2), ("app-abort".to_string(), 1)].into(),
            top_talkers: vec![
                talker("203.0.113.7", 2, 0, "middlebox"),
                talker("2001:db8:1::2", 0, 1, "server"),
            ],
            ..Summary::default()
        },
        resets: vec![
            reset(
                5,
                "203.0.113.7:443",
                "192.168.1.10:50000",
                Origin::Middlebox,
                Cause::Injected,
            ),
            reset(
                6,
                "203.0.113.7:443",
                "192.168.1.10:50000",
                Origin::Middlebox,
                Cause::Injected,
            ),
            reset(
                9,
                "[2001:db8:1::7]:80",
                "[2001:db8:1::2]:40000",
                Origin::Server,
                Cause::AppAbort,
            ),
        ],
        connections: vec![
            connection(1, "192.168.1.10:50000", "203.0.113.7:443", vec![5, 6]),
            connection(2, "[2001:db8:1::2]:40000", "[2001:db8:1::7]:80", vec![9]),
        ],
        incidents: Vec::new(),
        comparison: None,
        generator: Some("rstscope 0.1.0+0123456789ab".into()),
    }
}

fn talker(host: &str, sent: u64, received: u64, origin: &str) -> TopTalker {
    TopTalker {
        host: host.into(),
        resets: sent + received,
        sent,
        received,
        by_origin: [(origin.to_string(), sent + received)].into(),
    }
}

/// The app's built-in sample (the scenario generator's), analysed.
pub fn sample_report() -> Report {
    let mut analyzer = Analyzer::new(Config::default());
    let capture = rstscope_scenarios::sample().0;
    rstscope_capture::read_all(capture.as_slice(), &mut analyzer, |_| {}).expect("a capture");
    analyzer.finish().report
}
