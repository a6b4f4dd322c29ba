//! The correctness oracle: for every real capture in ../shared/captures, the
//! pipeline must see what tshark 4.0 saw (facts.tsv and rst/<file>.tsv):
//! the same frame count, TCP packet count, RST frames, and per RST the same
//! addresses, ports, seq, ack, flags, payload length, TTL / hop limit and
//! IP ID, and Wireshark's `tcp.stream` number (per RST, and how many
//! streams the capture holds).

mod common;

use std::collections::HashMap;
use std::fs::File;

use rstscope_capture::Sink;
use rstscope_core::decode::flags::names as flag_names;
use rstscope_core::decode::{self, DecodeErrorKind, Layer};
use rstscope_core::report::{Report, Reset, Warning};
use rstscope_core::{Analyzer, Config, Frame};

/// The real pipeline, plus a count of frames tshark counts as TCP packets
/// and the analyzer does not: frames whose fixed TCP header was read but
/// whose data offset is impossible (its dissector got that far; the
/// analyzer counts them as undecodable), and ICMP errors that quote a whole
/// TCP header (tshark gives the quote a TCP stream; it is not a segment of
/// the connection).
struct Pipeline {
    analyzer: Analyzer,
    broken_tcp: u64,
    /// The first frame tshark numbers a TCP stream for that we do not
    /// track (a TCP header we cannot read, a TCP header quoted by ICMP):
    /// Wireshark's later stream numbers may be one ahead of ours.
    first_unnumbered: Option<u64>,
}

impl Sink for Pipeline {
    fn frame(&mut self, frame: &Frame<'_>) {
        match decode::decode(frame.link_type, frame.data) {
            Err(err) if err.layer == Layer::Tcp => {
                if err.kind == DecodeErrorKind::Malformed {
                    self.broken_tcp += 1;
                }
                self.first_unnumbered.get_or_insert(frame.number);
            }
            Ok(decode::Decoded::NotTcp(_))
                if decode::quoted_tcp(frame.link_type, frame.data).is_some() =>
            {
                self.broken_tcp += 1;
                self.first_unnumbered.get_or_insert(frame.number);
            }
            _ => {}
        }
        self.analyzer.push(frame);
    }
    fn warning(&mut self, warning: Warning) {
        self.analyzer.warn(warning);
    }
}

/// The report, the broken TCP headers, and the first frame from which
/// stream numbers may differ.
fn analyze(path: &std::path::Path) -> (Report, u64, Option<u64>) {
    let mut pipeline = Pipeline {
        analyzer: Analyzer::new(Config::default()),
        broken_tcp: 0,
        first_unnumbered: None,
    };
    rstscope_capture::read_all(File::open(path).unwrap(), &mut pipeline, |_| {}).unwrap();
    let Pipeline {
        analyzer,
        broken_tcp,
        first_unnumbered,
    } = pipeline;
    (analyzer.finish().report, broken_tcp, first_unnumbered)
}

/// tshark prints IPv6 endpoints without brackets; ours are "[v6]:port".
fn endpoint(ip4: &str, ip6: &str, port: &str) -> String {
    if ip4.is_empty() {
        format!("[{ip6}]:{port}")
    } else {
        format!("{ip4}:{port}")
    }
}

fn compare_reset(
    row: &HashMap<String, String>,
    ours: &Reset,
    numbered_alike: bool,
    problems: &mut Vec<String>,
) {
    let field = |name: &str| row.get(name).map(String::as_str).unwrap_or("");
    let src = endpoint(field("ip.src"), field("ipv6.src"), field("tcp.srcport"));
    let dst = endpoint(field("ip.dst"), field("ipv6.dst"), field("tcp.dstport"));
    let ttl = if field("ip.ttl").is_empty() {
        field("ipv6.hlim")
    } else {
        field("ip.ttl")
    };
    let ip_id = field("ip.id");
    let expected_id = if ip_id.is_empty() {
        None
    } else {
        Some(u16::from_str_radix(ip_id.trim_start_matches("0x"), 16).unwrap())
    };
    // tshark's 12-bit flags field includes the 3 reserved bits we ignore.
    let tshark_flags =
        u16::from_str_radix(field("tcp.flags").trim_start_matches("0x"), 16).unwrap();
    let checks = [
        ("src", src, ours.src.to_string()),
        (
            "flags",
            flag_names(tshark_flags & 0x1FF),
            ours.flags.clone(),
        ),
        (
            "payload_len",
            field("tcp.len").to_string(),
            ours.payload_len.to_string(),
        ),
        ("dst", dst, ours.dst.to_string()),
        (
            "seq",
            field("tcp.seq_raw").to_string(),
            ours.seq.to_string(),
        ),
        (
            "ack",
            field("tcp.ack_raw").to_string(),
            ours.ack.to_string(),
        ),
        ("ttl", ttl.to_string(), ours.ttl.to_string()),
        (
            "ip_id",
            format!("{expected_id:?}"),
            format!("{:?}", ours.ip_id),
        ),
        (
            "stream",
            field("tcp.stream").to_string(),
            if numbered_alike {
                ours.stream.map_or("-".into(), |s| s.to_string())
            } else {
                field("tcp.stream").to_string()
            },
        ),
    ];
    for (name, want, got) in checks {
        // tshark shows the shortest IPv6 form, as Rust's Display does.
        if want != got {
            problems.push(format!(
                "frame {}: {name} tshark {want} ours {got}",
                ours.frame
            ));
        }
    }
}

#[test]
fn every_real_capture_agrees_with_tshark() {
    let mut disagreements = Vec::new();
    let mut resets_compared = 0;
    let mut files = 0;
    for dir in common::capture_folders() {
        let facts = common::read_tsv(&dir.join("facts.tsv"));
        assert!(
            facts.len() > 20,
            "{dir:?}: facts.tsv lists {} files",
            facts.len()
        );
        files += facts.len();
        for fact in &facts {
            compare_capture(&dir, fact, &mut disagreements, &mut resets_compared);
        }
    }
    if files == 0 {
        return;
    }
    assert!(
        disagreements.is_empty(),
        "{} of {files} captures disagree with tshark:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
    println!("{files} captures agree with tshark ({resets_compared} RSTs compared field by field)");
}

/// One capture against its facts row and RST listing.
fn compare_capture(
    dir: &std::path::Path,
    fact: &HashMap<String, String>,
    disagreements: &mut Vec<String>,
    resets_compared: &mut usize,
) {
    let file = &fact["file"];
    let (report, broken_tcp, first_unnumbered) = analyze(&dir.join(file));
    // Stream numbers agree up to the first TCP header we do not track.
    let numbered_alike = |frame: u64| first_unnumbered.is_none_or(|bad| frame < bad);
    let mut problems = Vec::new();
    let packets: u64 = fact["packets"].parse().unwrap();
    let tcp_packets: u64 = fact["tcp_packets"].parse().unwrap();
    if report.capture.packets != packets {
        problems.push(format!(
            "packets: tshark {packets} ours {}",
            report.capture.packets
        ));
    }
    let ours_tcp = report.capture.tcp_packets + broken_tcp;
    if ours_tcp != tcp_packets {
        problems.push(format!(
            "tcp_packets: tshark {tcp_packets} ours {} (+{broken_tcp} broken TCP headers)",
            report.capture.tcp_packets
        ));
    }
    let streams = (report.connections.iter())
        .filter_map(|c| c.stream)
        .max()
        .map_or(0, |s| s + 1);
    match first_unnumbered {
        None if streams.to_string() != fact["tcp_streams"] => problems.push(format!(
            "tcp_streams: tshark {} ours {streams}",
            fact["tcp_streams"]
        )),
        None => {}
        Some(bad) => println!(
            "{file}: stream numbers compared up to frame {bad}, a TCP header we do not track"
        ),
    }
    let rows = common::read_tsv(&dir.join("rst").join(format!("{file}.tsv")));
    let ours: HashMap<u64, &Reset> = report.resets.iter().map(|r| (r.frame, r)).collect();
    let theirs: Vec<u64> = rows
        .iter()
        .map(|r| r["frame.number"].parse().unwrap())
        .collect();
    *resets_compared += rows.len();
    for (row, frame) in rows.iter().zip(&theirs) {
        match ours.get(frame) {
            Some(reset) => compare_reset(row, reset, numbered_alike(*frame), &mut problems),
            None => problems.push(format!("frame {frame}: tshark sees a RST, we do not")),
        }
    }
    for frame in ours.keys().filter(|f| !theirs.contains(f)) {
        problems.push(format!("frame {frame}: we see a RST, tshark does not"));
    }
    if !problems.is_empty() {
        let count = problems.len();
        problems.truncate(5);
        disagreements.push(format!(
            "{file} ({count} problems):\n    {}",
            problems.join("\n    ")
        ));
    }
}

/// tshark shows MP_TCPRST reasons 0 (unspecified) and 1 (MPTCP-specific
/// error) on the two resets of this capture.
#[test]
fn mptcp_reset_reasons_match_tshark() {
    struct Reasons(Vec<Option<u8>>);
    impl Sink for Reasons {
        fn frame(&mut self, frame: &Frame<'_>) {
            if let Ok(decode::Decoded::Tcp(packet)) = decode::decode(frame.link_type, frame.data) {
                self.0.push(packet.tcp.options.mptcp_rst_reason);
            }
        }
        fn warning(&mut self, _: Warning) {}
    }
    let Some(dir) = common::captures_dir() else {
        return;
    };
    let mut reasons = Reasons(Vec::new());
    let file = File::open(dir.join("tcpdump__mptcp-tcprst.pcap")).unwrap();
    rstscope_capture::read_all(file, &mut reasons, |_| {}).unwrap();
    assert_eq!(reasons.0, [Some(0), Some(1)]);
}
