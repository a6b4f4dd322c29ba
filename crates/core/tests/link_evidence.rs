//! Link-layer evidence on hand-built packets: what monitor-mode Wi-Fi,
//! NFLOG and PKTAP recorded about a RST and the packet it answers reaches
//! its verdict, its sentences and its tips.

use core::net::{IpAddr, Ipv4Addr};

use rstscope_core::decode::flags::{ACK, PSH, RST, SYN};
use rstscope_core::decode::{
    Encapsulation, Hook, IpInfo, LinkMeta, NflogMeta, ProcessMeta, Radio, TcpOptions, TcpPacket,
    TcpSegment, WifiMeta,
};
use rstscope_core::report::{Cause, Fact, Origin, Report, Reset, Signal};
use rstscope_core::{Analyzer, Config};

const CLIENT: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 168, 1, 10));
const SERVER: IpAddr = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 5));
const MS: i64 = 1_000_000;
const DATA: &[u8] = &[0x17; 1000];

/// One connection, client port 40000 to server port 443, fed packet by
/// packet with the link metadata each test gives.
struct Wire {
    analyzer: Analyzer,
    frame: u64,
    now: i64,
    ip_id: u16,
}

impl Wire {
    fn new() -> Self {
        Self {
            analyzer: Analyzer::new(Config::default()),
            frame: 0,
            now: 1_700_000_000 * 1_000_000_000,
            ip_id: 100,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn send(
        &mut self,
        from_client: bool,
        seq: u32,
        ack: u32,
        flags: u16,
        payload: &'static [u8],
        link: LinkMeta<'static>,
        ttl: u8,
    ) -> u64 {
        self.frame += 1;
        self.now += MS;
        self.ip_id = self.ip_id.wrapping_add(1);
        let (src, dst, sport, dport) = if from_client {
            (CLIENT, SERVER, 40000, 443)
        } else {
            (SERVER, CLIENT, 443, 40000)
        };
        let packet = TcpPacket {
            ip: IpInfo {
                src,
                dst,
                ttl,
                id: Some(if flags & RST != 0 { 0 } else { self.ip_id }),
                dont_fragment: true,
                tos: 0,
            },
            tcp: TcpSegment {
                src_port: sport,
                dst_port: dport,
                seq,
                ack,
                flags,
                window: 502,
                options: TcpOptions::default(),
                payload,
                payload_len: payload.len() as u32,
            },
            encapsulation: Encapsulation::new(),
            link,
            fragmented: false,
            flow: None,
        };
        self.analyzer.push_packet(self.frame, self.now, &packet);
        self.frame
    }

    /// Handshake and `segments` client data segments, each acknowledged,
    /// with `link(from_client)` on every packet; the next client and
    /// server sequence numbers.
    fn upload(&mut self, segments: u32, link: impl Fn(bool) -> LinkMeta<'static>) -> (u32, u32) {
        let (mut c, s) = (1000u32, 5000u32);
        self.send(true, c, 0, SYN, &[], link(true), 64);
        self.send(false, s, c + 1, SYN | ACK, &[], link(false), 64);
        c += 1;
        let s = s + 1;
        self.send(true, c, s, ACK, &[], link(true), 64);
        for _ in 0..segments {
            self.send(true, c, s, ACK | PSH, DATA, link(true), 64);
            c += DATA.len() as u32;
            self.send(false, s, c, ACK, &[], link(false), 64);
        }
        (c, s)
    }

    fn finish(self) -> Report {
        self.analyzer.finish().report
    }
}

fn logged(prefix: &'static str, hook: Hook) -> LinkMeta<'static> {
    LinkMeta {
        nflog: Some(NflogMeta {
            prefix,
            hook: Some(hook),
            group: 5,
        }),
        ..LinkMeta::default()
    }
}

/// The host's audit rules: what comes in is logged in INPUT, what goes out in OUTPUT.
fn audit(from_client: bool) -> LinkMeta<'static> {
    if from_client {
        logged("LOG-IN", Hook::Input)
    } else {
        logged("LOG-OUT", Hook::Output)
    }
}

fn the_reset(report: &Report) -> &Reset {
    report.resets.first().expect("one reset")
}

fn facts(reset: &Reset) -> Vec<&Fact> {
    reset
        .evidence
        .iter()
        .filter(|e| e.signal == Signal::Link)
        .map(|e| &e.fact)
        .collect()
}

/// An NFLOG capture on the server: a late retransmission of data the
/// server had acknowledged is logged by its own rule in INPUT, and the
/// server host sends the RST (logged in OUTPUT): its firewall rejected it.
#[test]
fn test_nflog_singled_out_packet_rejected_by_the_host_firewall() {
    let mut wire = Wire::new();
    let (c, s) = wire.upload(20, audit);
    let stale = c - 20 * DATA.len() as u32;
    let trigger = wire.send(
        true,
        stale,
        s,
        ACK | PSH,
        DATA,
        logged("INVALID-REJECT", Hook::Input),
        64,
    );
    let rst = wire.send(false, s, 0, RST, &[], audit(false), 64);
    let report = wire.finish();
    let r = the_reset(&report);
    assert_eq!(r.frame, rst);
    assert_eq!((r.origin, r.cause), (Origin::Server, Cause::OutOfWindow));
    assert!(r.confidence >= 0.8, "confidence {}", r.confidence);
    let rule = facts(r)
        .into_iter()
        .find(|f| matches!(f, Fact::NflogRule { frame, .. } if *frame == trigger))
        .expect("the trigger's rule is evidence");
    let Fact::NflogRule {
        prefix,
        hook,
        usual,
        group,
        ..
    } = rule
    else {
        unreachable!()
    };
    assert_eq!(
        (prefix.as_str(), *hook, usual.as_deref(), *group),
        ("INVALID-REJECT", Some(Hook::Input), Some("LOG-IN"), 5)
    );
    let finding = &r.evidence.iter().find(|e| &e.fact == rule).unwrap().finding;
    assert!(
        finding.contains("\"INVALID-REJECT\" in the INPUT chain"),
        "{finding}"
    );
    assert!(r.tips.iter().any(|t| t
        .commands
        .iter()
        .any(|c| c.contains("--nflog-prefix INVALID-REJECT"))));
    let rule_tips = r
        .tips
        .iter()
        .filter(|t| t.text.contains("netfilter logged"))
        .count();
    assert_eq!(
        rule_tips, 1,
        "only the singled-out packet's rule gets a tip"
    );
}

/// The same on a router: the rejected packet was forwarded (FORWARD) and
/// the router sent the RST: a device on the path.
#[test]
fn test_nflog_forwarded_packet_rejected_by_a_router() {
    let mut wire = Wire::new();
    let forward = |_| logged("FWD", Hook::Forward);
    let (c, s) = wire.upload(20, forward);
    let stale = c - 20 * DATA.len() as u32;
    wire.send(
        true,
        stale,
        s,
        ACK | PSH,
        DATA,
        logged("INVALID-REJECT", Hook::Forward),
        64,
    );
    wire.send(false, s, 0, RST, &[], logged("OUT", Hook::Output), 64);
    let report = wire.finish();
    let r = the_reset(&report);
    assert_eq!((r.origin, r.cause), (Origin::Middlebox, Cause::OutOfWindow));
}

/// Every packet logged by the same rule tells nothing about which rule
/// rejected: no link rule decides, and the origin still follows the hooks.
#[test]
fn test_nflog_without_a_rule_of_its_own_decides_nothing_more() {
    let mut wire = Wire::new();
    let all = |_| logged("ALL", Hook::Input);
    let (c, s) = wire.upload(3, all);
    wire.send(true, c, s, ACK | PSH, DATA, all(true), 64);
    wire.send(false, s, c, RST | ACK, &[], logged("ALL", Hook::Output), 64);
    let r = the_reset(&wire.finish()).clone();
    assert_eq!(r.origin, Origin::Server);
    assert_ne!(r.cause, Cause::OutOfWindow);
    assert!(facts(&r)
        .iter()
        .all(|f| matches!(f, Fact::NflogRule { usual: None, .. })));
}

fn wifi(transmitter: u8, sequence: u16, retry: bool) -> LinkMeta<'static> {
    LinkMeta {
        wifi: Some(WifiMeta {
            retry,
            sequence,
            transmitter: [2, 0, 0, 0, 0, transmitter],
            tid: Some(0),
            radio: Radio {
                signal_dbm: Some(-82),
                rate_kbps: Some(6_000),
                ..Radio::default()
            },
        }),
        ..LinkMeta::default()
    }
}

/// A monitor-mode capture: the client's MAC frame is overtaken by newer
/// ones and retried; the RST in the server's name answers its last
/// copy. The verdict quotes the retries, the lateness and the weak link.
#[test]
fn test_wifi_retried_overtaken_segment_is_evidence_of_the_reset() {
    let mut wire = Wire::new();
    let mut sequence = 0u16;
    let (mut c, s) = (1000u32, 5000u32);
    wire.send(true, c, 0, SYN, &[], wifi(1, 0, false), 64);
    wire.send(false, s, c + 1, SYN | ACK, &[], wifi(9, 0, false), 52);
    c += 1;
    let s = s + 1;
    let hole = c;
    let first = wire.send(true, c, s, ACK | PSH, DATA, wifi(1, 1, false), 64);
    for _ in 0..4 {
        c += DATA.len() as u32;
        sequence += 1;
        wire.send(
            true,
            c,
            s,
            ACK | PSH,
            DATA,
            wifi(1, 1 + sequence, false),
            64,
        );
    }
    wire.now += 150 * MS;
    wire.send(true, hole, s, ACK | PSH, DATA, wifi(1, 1, true), 64);
    let last = wire.send(true, hole, s, ACK | PSH, DATA, wifi(1, 1, true), 64);
    let rst = wire.send(false, s, 0, RST, &[], wifi(9, 1, false), 62);
    let report = wire.finish();
    let r = report
        .resets
        .iter()
        .find(|r| r.frame == rst)
        .expect("the RST");
    let fact = facts(r)
        .into_iter()
        .find(|f| matches!(f, Fact::WifiLink { .. }))
        .expect("Wi-Fi evidence");
    let Fact::WifiLink {
        role,
        frame,
        attempts,
        overtaken,
        late_ns,
        span_ns,
        signal_dbm,
        ..
    } = fact
    else {
        unreachable!()
    };
    assert_eq!(
        (*frame, *attempts, *overtaken, *signal_dbm),
        (last, 3, 4, Some(-82))
    );
    assert_eq!(*role, rstscope_core::report::Role::Client);
    assert!(
        *span_ns >= 150 * MS && *late_ns >= 150 * MS && *late_ns < *span_ns,
        "{span_ns} {late_ns}"
    );
    assert!(first < last);
    let finding = &r.evidence.iter().find(|e| &e.fact == fact).unwrap().finding;
    assert!(
        finding.contains("retried 2 times on the Wi-Fi link"),
        "{finding}"
    );
    assert!(finding.contains("after 4 newer frames"), "{finding}");
    assert!(finding.contains("signal -82 dBm"), "{finding}");
    assert!(r.tips.iter().any(|t| t.text.contains("Wi-Fi link")));
}

/// An upload on a live connection, seen in monitor mode: the server
/// acknowledges all five segments, then three more copies of the first
/// arrive, and the server's bare RST at their ACK answers the last
/// (REJECT's numbers). `air`: the copies are the link retrying the first
/// MAC frame (one TCP transmission); else TCP's own retransmissions (new
/// MAC frames, backing off).
fn late_copies(air: bool) -> Reset {
    let mut wire = Wire::new();
    let (mut c, mut s) = (1000u32, 5000u32);
    let mut mac = [0u16; 2];
    let mut next = |from_client: bool| {
        let m = &mut mac[usize::from(from_client)];
        *m += 1;
        wifi(if from_client { 1 } else { 9 }, *m, false)
    };
    wire.send(true, c, 0, SYN, &[], next(true), 64);
    wire.send(false, s, c + 1, SYN | ACK, &[], next(false), 52);
    (c, s) = (c + 1, s + 1);
    wire.send(true, c, s, ACK, &[], next(true), 64);
    let (hole, hole_link) = (c, next(true));
    wire.send(true, c, s, ACK | PSH, DATA, hole_link, 64);
    for _ in 0..4 {
        c += DATA.len() as u32;
        wire.send(true, c, s, ACK | PSH, DATA, next(true), 64);
    }
    c += DATA.len() as u32;
    wire.send(false, s, c, ACK, &[], next(false), 52);
    for backoff in [20, 40, 80] {
        wire.now += backoff * MS;
        let link = if air {
            let mut retry = hole_link;
            if let Some(w) = &mut retry.wifi {
                w.retry = true;
            }
            retry
        } else {
            next(true)
        };
        wire.send(true, hole, s, ACK | PSH, DATA, link, 64);
    }
    let rst = wire.send(false, s, 0, RST, &[], next(false), 52);
    let report = wire.finish();
    let r = report
        .resets
        .iter()
        .find(|r| r.frame == rst)
        .expect("the RST");
    r.clone()
}

/// The link's retries of one old MAC frame are one TCP transmission, not a
/// peer backing off into a host that lost the connection: the connection
/// was live, and a bare RST at the stale segment's ACK is netfilter's
/// REJECT of a segment conntrack calls INVALID.
#[test]
fn test_wifi_air_retries_of_an_old_frame_rejected_as_invalid() {
    let r = late_copies(true);
    assert_eq!((r.origin, r.cause), (Origin::Server, Cause::OutOfWindow));
    assert!(r
        .evidence
        .iter()
        .any(|e| matches!(e.fact, Fact::RejectNumbers { .. })));
}

/// The same copies as TCP retransmissions backing off: the peer talks to a
/// host that lost the connection, not one late segment.
#[test]
fn test_wifi_tcp_retransmissions_are_not_one_late_segment() {
    let r = late_copies(false);
    assert_eq!(r.origin, Origin::Server);
    assert_ne!(r.cause, Cause::OutOfWindow);
}

/// In-order Wi-Fi frames on a good link are no evidence.
#[test]
fn test_wifi_clean_link_adds_nothing() {
    let mut wire = Wire::new();
    let sequence = core::cell::Cell::new(0u16);
    let good = |from_client: bool| LinkMeta {
        wifi: Some(WifiMeta {
            sequence: {
                sequence.set(sequence.get() + 1);
                sequence.get()
            },
            transmitter: [2, 0, 0, 0, 0, u8::from(from_client)],
            radio: Radio {
                signal_dbm: Some(-50),
                rate_kbps: Some(54_000),
                ..Radio::default()
            },
            ..WifiMeta::default()
        }),
        ..LinkMeta::default()
    };
    let (c, s) = wire.upload(0, good);
    wire.send(false, s, c, RST | ACK, &[], good(false), 52);
    assert!(facts(the_reset(&wire.finish())).is_empty());
}

/// PKTAP named the process: the client's RST belonged to it.
#[test]
fn test_process_of_a_client_reset_is_evidence() {
    let mut wire = Wire::new();
    let curl = |from_client: bool| LinkMeta {
        process: from_client.then_some(ProcessMeta {
            pid: Some(5123),
            name: "curl",
        }),
        ..LinkMeta::default()
    };
    let (c, s) = wire.upload(2, curl);
    wire.send(true, c, s, RST | ACK, &[], curl(true), 64);
    let report = wire.finish();
    let r = the_reset(&report);
    let process = Fact::Process {
        role: rstscope_core::report::Role::Client,
        name: "curl".into(),
        pid: Some(5123),
    };
    let e = r
        .evidence
        .iter()
        .find(|e| e.fact == process)
        .expect("the process is evidence");
    assert_eq!(
        e.finding,
        "the client's packets belonged to the process \"curl\" (pid 5123)"
    );
    assert_eq!(e.points_to, Origin::Client);
}
