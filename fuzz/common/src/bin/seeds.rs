//! Builds the seed corpora for the fuzz targets.
//!
//! `seeds <captures-dir | --generated> <corpus-dir>` takes the shared real
//! captures (unless `--generated`: none on this machine) and every scenario
//! of the generator (each in one of its framings), each cut to
//! [`MAX_SEED`] bytes (small inputs run fast and mutate well; the start of
//! a capture reaches every layer), and writes
//! * `<corpus>/capture/`: every capture as is, gzipped, and "gzip me" inputs;
//! * `<corpus>/decode/`: single frames of every capture (selector byte + frame);
//! * `<corpus>/analyze/`: every capture's frames (`FrameRecord`s);
//! * `<corpus>/share/`: the report JSON (old links) and the link payload
//!   (v2 links) of every capture.
//!
//! Existing files are overwritten, so running it again is cheap and keeps
//! what the fuzzer added.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use rstscope_capture::{CaptureReader, Sink};
use rstscope_core::report::Warning;
use rstscope_core::{Analyzer, Config, Frame};
use rstscope_fuzz_common::{link_selector, CaptureInput, FrameRecord};
use rstscope_scenarios::Options;

/// Frames taken from one capture for the decode corpus (evenly spread).
const FRAMES_PER_CAPTURE: usize = 48;
/// Longest seed: captures are cut here (mid-record: the reader's
/// truncation path is seeded too).
const MAX_SEED: usize = 16 << 10;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [source, corpus] = args.as_slice() else {
        eprintln!("usage: seeds <captures-dir | --generated> <corpus-dir>");
        return ExitCode::from(2);
    };
    let mut captures = if source == "--generated" {
        Vec::new()
    } else {
        match read_dir(Path::new(source)) {
            Ok(captures) => captures,
            Err(err) => {
                eprintln!("seeds: cannot read {source}: {err}");
                return ExitCode::FAILURE;
            }
        }
    };
    captures.extend(scenarios());
    captures.extend(link_layer_variants());
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
    let analyze_dir = corpus.join("analyze");
    fs::create_dir_all(&share_dir)?;
    fs::create_dir_all(&analyze_dir)?;
    fs::create_dir_all(&capture_dir)?;
    fs::create_dir_all(&decode_dir)?;
    let mut capture_seeds = 0;
    let mut seen_frames = HashSet::new();
    for (index, (name, whole)) in captures.iter().enumerate() {
        let bytes = &whole[..whole.len().min(MAX_SEED)];
        // Alternate between one push and small chunks (chunking byte).
        let chunking = if index % 2 == 0 { 0 } else { 9 };
        let variants = [
            ("raw", CaptureInput::encode(false, chunking, bytes)),
            (
                "gz",
                CaptureInput::encode(false, chunking, &compressed_gzip(bytes)),
            ),
            ("gzip-in-target", CaptureInput::encode(true, 5, bytes)),
        ];
        for (kind, seed) in variants {
            fs::write(capture_dir.join(format!("seed-{name}.{kind}")), seed)?;
            capture_seeds += 1;
        }
        // The capture's report as `share` inputs: its JSON (mode 0, an old
        // link) and its link payload (mode 2, a v2 link).
        let mut analyzer = Analyzer::new(Config::default());
        if rstscope_capture::read_all(bytes, &mut analyzer, |_| {}).is_ok() {
            let report = analyzer.finish().report;
            let json = serde_json::to_vec(&report).unwrap_or_default();
            // A report of many connections is long: the target's max_len.
            if json.len() < 2 * MAX_SEED {
                let mut seed = vec![0];
                seed.extend(json);
                fs::write(share_dir.join(format!("seed-{name}.json")), seed)?;
            }
            let mut seed = vec![2];
            seed.extend(rstscope_app::share::payload(&report));
            fs::write(share_dir.join(format!("seed-{name}.v2")), seed)?;
        }
        let mut frames = Frames::default();
        let mut reader = CaptureReader::new();
        if reader.push(whole, &mut frames).is_ok() {
            let _ = reader.finish(&mut frames);
        }
        fs::write(analyze_dir.join(format!("seed-{name}")), frames.records())?;
        let step = frames.0.len().div_ceil(FRAMES_PER_CAPTURE).max(1);
        for (_, frame) in frames.0.into_iter().step_by(step) {
            if seen_frames.insert(frame.clone()) {
                let file = decode_dir.join(format!("seed-{name}.{}", seen_frames.len()));
                fs::write(file, frame)?;
            }
        }
    }
    Ok((capture_seeds, seen_frames.len()))
}

/// gzip of `data`, really compressed (the targets' own `gzip` stores).
fn compressed_gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing into a Vec cannot fail.
    let _ = encoder.write_all(data);
    encoder.finish().unwrap_or_default()
}

/// Frames as `decode` inputs (selector byte, then the frame bytes), with
/// their times.
#[derive(Default)]
struct Frames(Vec<(i64, Vec<u8>)>);

impl Frames {
    /// The first frames, up to [`MAX_SEED`] bytes, as an `analyze` input
    /// (frames format, default limits).
    fn records(&self) -> Vec<u8> {
        let mut out = vec![1];
        let mut previous = self.0.first().map_or(0, |(ts, _)| *ts);
        for (ts_ns, input) in &self.0 {
            let Some((&selector, data)) = input.split_first() else {
                continue;
            };
            if out.len() + data.len() > MAX_SEED {
                break;
            }
            let gap_us =
                u32::try_from(ts_ns.saturating_sub(previous).max(0) / 1000).unwrap_or(u32::MAX);
            previous = *ts_ns;
            FrameRecord {
                selector,
                gap_us,
                data,
            }
            .write(&mut out);
        }
        out
    }
}

impl Sink for Frames {
    fn frame(&mut self, frame: &Frame<'_>) {
        if let Some(selector) = link_selector(frame.link_type) {
            let mut input = vec![selector];
            input.extend_from_slice(frame.data);
            self.0.push((frame.ts_ns, input));
        }
    }
    fn warning(&mut self, _: Warning) {}
}

/// The generator's captures whose link layer carries evidence: monitor-mode
/// 802.11 with radiotap (retries, sequence numbers, signal and rate) and
/// NFLOG (rule prefixes and hooks), two variants each.
fn link_layer_variants() -> Vec<(String, Vec<u8>)> {
    use rstscope_scenarios::families::{self, Split};
    ["wifi-reorder", "conntrack-invalid-nflog"]
        .into_iter()
        .filter_map(families::find)
        .flat_map(|family| (1..=2).map(move |i| families::variant(family, Split::Train, i)))
        .map(|variant| (variant.file_name(), variant.bytes()))
        .collect()
}

/// Every scenario of the generator's catalogue, each in one of its
/// framings (IPv4/IPv6, link types, pcap/pcapng) in turn.
fn scenarios() -> Vec<(String, Vec<u8>)> {
    let variants = rstscope_scenarios::variants();
    let catalogue = rstscope_scenarios::catalogue(&Options::default());
    (0..catalogue.len())
        .filter_map(|index| {
            let options = variants.get(index % variants.len().max(1))?;
            let scenario = rstscope_scenarios::catalogue(options)
                .into_iter()
                .nth(index)?;
            let name = format!("scenario-{index:03}-{}", scenario.name);
            Some((name, rstscope_scenarios::write(&scenario, options)))
        })
        .collect()
}
