//! Helpers shared by the integration tests: the option matrix, the
//! project's own pipeline, and tshark.

#![allow(dead_code)] // each test file uses a different subset

use std::path::{Path, PathBuf};
use std::process::Command;

use rstscope_core::{Analyzer, Config, Report};
use rstscope_scenarios::{Format, Link, Options};

/// Every IP version × link type × file format.
pub fn matrix() -> Vec<Options> {
    let mut out = Vec::new();
    for ipv6 in [false, true] {
        for link in Link::ALL {
            for format in [Format::Pcap, Format::PcapNg] {
                out.push(Options {
                    ipv6,
                    link,
                    format,
                    ..Options::default()
                });
            }
        }
    }
    out
}

pub fn describe(options: &Options) -> String {
    let ip = if options.ipv6 { "ipv6" } else { "ipv4" };
    format!(
        "{ip}/{}/{}",
        options.link.name(),
        options.format.extension()
    )
}

/// Reads the capture with rstscope-capture and analyses it with rstscope-core.
pub fn analyze(bytes: &[u8]) -> Report {
    let mut analyzer = Analyzer::new(Config::default());
    rstscope_capture::read_all(bytes, &mut analyzer, |_| {})
        .expect("generated capture must be readable");
    analyzer.finish().report
}

pub fn tshark_installed() -> bool {
    Command::new("tshark")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// One frame as tshark sees it, with checksum verification switched on.
#[derive(Debug)]
pub struct TsharkFrame {
    pub number: u64,
    pub reset: bool,
    pub malformed: bool,
    /// "1" is Good; "0" Bad; empty when there is no such checksum (IPv6).
    pub ip_checksum: String,
    pub tcp_checksum: String,
    pub expert: String,
}

impl TsharkFrame {
    /// Decoded without a malformed-packet note and with good checksums.
    pub fn is_clean(&self) -> bool {
        let bad_checksum = self
            .ip_checksum
            .split(',')
            .chain(self.tcp_checksum.split(','))
            .any(|s| !s.is_empty() && s != "1");
        !(self.malformed || bad_checksum || self.expert.to_lowercase().contains("malformed"))
    }
}

pub fn tshark_frames(file: &Path) -> Vec<TsharkFrame> {
    let output = Command::new("tshark")
        .arg("-r")
        .arg(file)
        .args([
            "-o",
            "tcp.check_checksum:TRUE",
            "-o",
            "ip.check_checksum:TRUE",
            "-T",
            "fields",
            "-E",
            "separator=/t",
        ])
        .args([
            "-e",
            "frame.number",
            "-e",
            "tcp.flags.reset",
            "-e",
            "_ws.malformed",
        ])
        .args([
            "-e",
            "ip.checksum.status",
            "-e",
            "tcp.checksum.status",
            "-e",
            "_ws.expert.message",
        ])
        .output()
        .expect("tshark runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let complaints: Vec<&str> = stderr
        .lines()
        .filter(|l| !l.contains("Running as user"))
        .collect();
    assert!(
        output.status.success() && complaints.is_empty(),
        "tshark on {}: {stderr}",
        file.display()
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            let field = |i: usize| f.get(i).copied().unwrap_or("").to_string();
            TsharkFrame {
                number: field(0).parse().expect("frame number"),
                reset: matches!(field(1).as_str(), "1" | "True"),
                malformed: !field(2).is_empty(),
                ip_checksum: field(3),
                tcp_checksum: field(4),
                expert: field(5),
            }
        })
        .collect()
}

/// A scratch file under cargo's per-target temporary directory.
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("scenarios");
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(name)
}
