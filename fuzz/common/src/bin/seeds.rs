//! Builds the seed corpora for the fuzz targets.
//!
//! `seeds <captures-dir | --generated> <corpus-dir>` writes
//! * `<corpus>/capture/`: every capture as is, gzipped, and "gzip me" inputs;
//! * `<corpus>/decode/`: single frames of every capture (selector byte + frame);
//! * `<corpus>/share/`: the report JSON (old links) and the link payload
//!   (v2 links) of every capture.
//!
//! With `--generated` (no shared captures on this machine) small synthetic
//! captures are used instead. Existing files are overwritten, so running it
//! again is cheap and keeps what the fuzzer added.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use rstscope_capture::{CaptureReader, Sink};
use rstscope_core::report::Warning;
use rstscope_core::{Analyzer, Config, Frame};
use rstscope_fuzz_common::{gzip, link_selector, CaptureInput, TcpFrame};
use rstscope_scenarios::write::CaptureWriter;
use rstscope_scenarios::Format;

/// Frames taken from one capture for the decode corpus (evenly spread).
const FRAMES_PER_CAPTURE: usize = 48;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [source, corpus] = args.as_slice() else {
        eprintln!("usage: seeds <captures-dir | --generated> <corpus-dir>");
        return ExitCode::from(2);
    };
    let captures = if source == "--generated" {
        generated()
    } else {
        match read_dir(Path::new(source)) {
            Ok(captures) => captures,
            Err(err) => {
                eprintln!("seeds: cannot read {source}: {err}");
                return ExitCode::FAILURE;
            }
        }
    };
    match write_corpora(&captures, Path::new(corpus)) {
        Ok((capture_seeds, decode_seeds)) => {
            println!(
                "seeds: {} captures -> {capture_seeds} capture seeds, {decode_seeds} decode seeds",
                captures.len()
            );
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("seeds: writing {corpus} failed: {err}");
            ExitCode::FAILURE
        }
    }
}

/// (file name, bytes) of every capture directly in `dir` and in its
/// `linktypes/` folder (pcap, pcapng and ERF files, gzipped or not).
fn read_dir(dir: &Path) -> std::io::Result<Vec<(String, Vec<u8>)>> {
    const EXTENSIONS: [&str; 8] = [
        ".pcap",
        ".pcapng",
        ".cap",
        ".erf",
        ".pcap.gz",
        ".pcapng.gz",
        ".cap.gz",
        ".erf.gz",
    ];
    let mut paths: Vec<PathBuf> = Vec::new();
    for folder in [dir.to_path_buf(), dir.join("linktypes")] {
        let Ok(entries) = fs::read_dir(&folder) else {
            continue;
        };
        paths.extend(
            entries
                .filter_map(|entry| Some(entry.ok()?.path()))
                .filter(|path| {
                    let name = path.to_string_lossy();
                    path.is_file() && EXTENSIONS.iter().any(|ext| name.ends_with(ext))
                }),
        );
    }
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into();
            Ok((name, fs::read(&path)?))
        })
        .collect()
}

fn write_corpora(captures: &[(String, Vec<u8>)], corpus: &Path) -> std::io::Result<(usize, usize)> {
    let capture_dir = corpus.join("capture");
    let decode_dir = corpus.join("decode");
    let share_dir = corpus.join("share");
    fs::create_dir_all(&share_dir)?;
    fs::create_dir_all(&capture_dir)?;
    fs::create_dir_all(&decode_dir)?;
    let mut capture_seeds = 0;
    let mut seen_frames = HashSet::new();
    for (index, (name, bytes)) in captures.iter().enumerate() {
        // Alternate between one push and small chunks (chunking byte).
        let chunking = if index % 2 == 0 { 0 } else { 9 };
        let variants = [
            ("raw", CaptureInput::encode(false, chunking, bytes)),
            ("gz", CaptureInput::encode(false, chunking, &gzip(bytes))),
            ("gzip-in-target", CaptureInput::encode(true, 5, bytes)),
        ];
        for (kind, seed) in variants {
            fs::write(capture_dir.join(format!("seed-{name}.{kind}")), seed)?;
            capture_seeds += 1;
        }
        // The capture's report as `share` inputs: its JSON (mode 0, an old
        // link) and its link payload (mode 2, a v2 link).
        let mut analyzer = Analyzer::new(Config::default());
        if rstscope_capture::read_all(bytes.as_slice(), &mut analyzer, |_| {}).is_ok() {
            let report = analyzer.finish().report;
            let mut seed = vec![0];
            seed.extend(serde_json::to_vec(&report).unwrap_or_default());
            fs::write(share_dir.join(format!("seed-{name}.json")), seed)?;
            let mut seed = vec![2];
            seed.extend(rstscope_app::share::payload(&report));
            fs::write(share_dir.join(format!("seed-{name}.v2")), seed)?;
        }
        let mut frames = Frames::default();
        let mut reader = CaptureReader::new();
        if reader.push(bytes, &mut frames).is_ok() {
            let _ = reader.finish(&mut frames);
        }
        let step = frames.0.len().div_ceil(FRAMES_PER_CAPTURE).max(1);
        for frame in frames.0.into_iter().step_by(step) {
            if seen_frames.insert(frame.clone()) {
                let file = decode_dir.join(format!("seed-{name}.{}", seen_frames.len()));
                fs::write(file, frame)?;
            }
        }
    }
    Ok((capture_seeds, seen_frames.len()))
}

/// Frames as `decode` inputs: selector byte, then the frame bytes.
#[derive(Default)]
struct Frames(Vec<Vec<u8>>);

impl Sink for Frames {
    fn frame(&mut self, frame: &Frame<'_>) {
        if let Some(selector) = link_selector(frame.link_type) {
            let mut input = vec![selector];
            input.extend_from_slice(frame.data);
            self.0.push(input);
        }
    }
    fn warning(&mut self, _: Warning) {}
}

/// Small synthetic captures: a refused connection and a reset mid-transfer,
/// over IPv4 and IPv6, as pcap and pcapng.
fn generated() -> Vec<(String, Vec<u8>)> {
    let client: std::net::IpAddr = [192, 0, 2, 10].into();
    let server: std::net::IpAddr = [198, 51, 100, 20].into();
    let client6: std::net::IpAddr = "2001:db8::10".parse().unwrap_or(client);
    let server6: std::net::IpAddr = "2001:db8::20".parse().unwrap_or(server);
    let mut frames = Vec::new();
    for (c, s) in [(client, server), (client6, server6)] {
        let segment = |forward: bool, flags: u16, seq: u32, ack: u32, payload: &[u8]| {
            let (src, dst, src_port, dst_port) = if forward {
                (c, s, 40000, 443)
            } else {
                (s, c, 443, 40000)
            };
            TcpFrame {
                src,
                dst,
                src_port,
                dst_port,
                seq,
                ack,
                flags,
                window: 65535,
                ttl: if forward { 64 } else { 57 },
                ip_id: 1,
                options: &[2, 4, 5, 0xb4, 1, 3, 3, 7],
                payload,
            }
            .to_ethernet()
        };
        const SYN: u16 = 0x002;
        const RST: u16 = 0x004;
        const PSH_ACK: u16 = 0x018;
        const ACK: u16 = 0x010;
        frames.push(segment(true, SYN, 100, 0, b""));
        frames.push(segment(false, RST | ACK, 0, 101, b""));
        frames.push(segment(true, SYN, 500, 0, b""));
        frames.push(segment(false, SYN | ACK, 900, 501, b""));
        frames.push(segment(true, ACK, 501, 901, b""));
        frames.push(segment(true, PSH_ACK, 501, 901, b"GET / HTTP/1.1\r\n\r\n"));
        frames.push(segment(false, RST, 901, 0, b""));
    }
    vec![
        ("generated.pcap".into(), capture(&frames, Format::Pcap)),
        ("generated.pcapng".into(), capture(&frames, Format::PcapNg)),
    ]
}

/// The frames as a capture file, one per millisecond.
fn capture(frames: &[Vec<u8>], format: Format) -> Vec<u8> {
    let written = CaptureWriter::new(Vec::new(), format, 1).and_then(|mut writer| {
        for (i, frame) in frames.iter().enumerate() {
            writer.frame(1_700_000_000_000_000 + i as i64 * 1000, frame)?;
        }
        Ok(writer.into_inner())
    });
    written.unwrap_or_default()
}
