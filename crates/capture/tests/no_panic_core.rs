//! A deterministic no-panic harness for the whole pipeline (reader,
//! `Analyzer`, `finish`): every shared capture, mutated a few dozen times
//! with a fixed seed (bit flips, truncations, duplicated and removed ranges,
//! byte-swapped and absurd length fields, splices, gzip before or after the
//! damage), pushed in varying chunk sizes; and the two-capture comparison of
//! each capture with mutants of itself. Also replays the inputs kept under
//! `fuzz/regressions/`. A failure names the capture and mutant to reproduce.

mod common;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::Instant;

use rstscope_capture::CaptureReader;
use rstscope_core::{compare, Analysis, Analyzer, Config, LinkType};

/// Mutants per capture: 94 shared captures give about 4 500.
const MUTANTS_PER_CAPTURE: u64 = 48;
/// Mutants per capture compared with their original (each costs two analyses).
const COMPARED_PER_CAPTURE: u64 = 6;
const SEED: u64 = 0x5EED_F00D_2E5E;

/// splitmix64: small, fast, and the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Offsets of the u32 length fields of a pcap or pcapng file: record
/// captured/original lengths, block total lengths (leading and trailing),
/// and EPB captured lengths.
fn length_fields(bytes: &[u8]) -> Vec<usize> {
    let u32_at = |at: usize, big: bool| -> Option<u32> {
        let raw: [u8; 4] = bytes.get(at..at + 4)?.try_into().ok()?;
        Some(if big {
            u32::from_be_bytes(raw)
        } else {
            u32::from_le_bytes(raw)
        })
    };
    let mut fields = Vec::new();
    match bytes.get(..4) {
        Some([0xd4, 0xc3, 0xb2, 0xa1] | [0x4d, 0x3c, 0xb2, 0xa1]) => {
            pcap_fields(bytes, false, &mut fields, u32_at)
        }
        Some([0xa1, 0xb2, 0xc3, 0xd4] | [0xa1, 0xb2, 0x3c, 0x4d]) => {
            pcap_fields(bytes, true, &mut fields, u32_at)
        }
        Some([0x0a, 0x0d, 0x0d, 0x0a]) => {
            let big = u32_at(8, true) == Some(0x1A2B_3C4D);
            let mut at = 0;
            while let Some(len) = u32_at(at + 4, big) {
                let len = len as usize;
                if len < 12 || at + len > bytes.len() {
                    break;
                }
                fields.extend([at + 4, at + len - 4]);
                if u32_at(at, big) == Some(6) {
                    fields.push(at + 20);
                }
                at += len;
            }
        }
        _ => {}
    }
    fields.retain(|&at| at + 4 <= bytes.len());
    fields
}

fn pcap_fields(
    bytes: &[u8],
    big: bool,
    fields: &mut Vec<usize>,
    u32_at: impl Fn(usize, bool) -> Option<u32>,
) {
    let mut at = 24;
    while let Some(captured) = u32_at(at + 8, big) {
        fields.extend([at + 8, at + 12]);
        at += 16 + captured as usize;
        if at > bytes.len() {
            break;
        }
    }
}

/// Applies one random mutation; returns what it did.
fn mutate(bytes: &mut Vec<u8>, donor: &[u8], rng: &mut Rng) -> String {
    let len = bytes.len();
    match rng.below(8) {
        0 => {
            let flips = 1 + rng.below(8);
            for _ in 0..flips {
                let at = rng.below(len);
                if let Some(byte) = bytes.get_mut(at) {
                    *byte ^= 1 << rng.below(8);
                }
            }
            format!("{flips} bit flips")
        }
        1 => {
            let at = rng.below(len);
            bytes.truncate(at);
            format!("truncated at {at}")
        }
        2 => {
            let start = rng.below(len);
            let end = (start + 1 + rng.below(4096)).min(len);
            let to = rng.below(len);
            let copy = bytes[start..end].to_vec();
            bytes.splice(to..to, copy);
            format!("{start}..{end} duplicated at {to}")
        }
        3 => {
            let start = rng.below(len);
            let end = (start + 1 + rng.below(4096)).min(len);
            bytes.drain(start..end);
            format!("{start}..{end} removed")
        }
        4 | 5 => {
            let fields = length_fields(bytes);
            if fields.is_empty() {
                return mutate(bytes, donor, rng);
            }
            let at = fields[rng.below(fields.len())];
            let field: &mut [u8] = &mut bytes[at..at + 4];
            if rng.below(2) == 0 {
                field.reverse();
                format!("length field at {at} byte-swapped")
            } else {
                const ABSURD: [u32; 6] = [0, 1, 0x7fff_ffff, 0x8000_0000, 0xffff_fff0, 0xffff_ffff];
                let value = ABSURD[rng.below(ABSURD.len())];
                field.copy_from_slice(&value.to_le_bytes());
                format!("length field at {at} set to {value:#x}")
            }
        }
        6 => {
            let start = rng.below(donor.len());
            let end = (start + 1 + rng.below(2048)).min(donor.len());
            let to = rng.below(len);
            bytes.splice(to..to, donor[start..end].iter().copied());
            format!("donor bytes {start}..{end} spliced in at {to}")
        }
        _ => {
            let at = rng.below(len);
            let value = [0x00, 0xff, 0x7f, 0x80][rng.below(4)];
            let run = 1 + rng.below(64);
            for byte in bytes.iter_mut().skip(at).take(run) {
                *byte = value;
            }
            format!("{run} bytes at {at} set to {value:#04x}")
        }
    }
}

fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

/// The whole pipeline; panics on a broken promise as well as on a bug.
fn run_pipeline(stream: &[u8], chunk: usize) {
    let mut analyzer = Analyzer::new(Config::default());
    let mut reader = CaptureReader::new();
    for piece in stream.chunks(chunk.max(1)) {
        if reader.push(piece, &mut analyzer).is_err() {
            // Not a capture: the app shows the error; the analyzer must
            // still finish cleanly.
            analyzer.finish();
            return;
        }
    }
    match reader.finish(&mut analyzer) {
        Ok(summary) => {
            let report = analyzer.finish().report;
            assert_eq!(
                report.capture.packets, summary.frames,
                "every frame is counted"
            );
        }
        Err(_) => {
            analyzer.finish();
        }
    }
}

/// Runs `f`, turning a panic into an error message.
fn no_panic(f: impl FnOnce()) -> Result<(), String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "non-string panic".into())
    })
}

fn captures() -> Vec<(String, Vec<u8>)> {
    let Some(dir) = common::captures_dir() else {
        println!("no_panic_core: using generated captures instead");
        let mut pcap = common::PcapFile::new(1);
        for i in 0..50u8 {
            pcap.frame(1_700_000_000, u32::from(i), &[i; 60]);
        }
        let pcap = pcap.bytes();
        let mut ng = common::NgFile::new(true);
        ng.interface(1, 0, Some(9), Some(-5));
        for i in 0..50u8 {
            ng.packet(0, std::time::Duration::from_nanos(u64::from(i)), &[i; 61]);
        }
        let ng = ng.bytes();
        return vec![
            ("generated.pcap".into(), pcap),
            ("generated.pcapng".into(), ng),
        ];
    };
    // Every capture the facts list, in the main folder and in linktypes/.
    let mut out = Vec::new();
    for folder in common::capture_folders() {
        let prefix = if folder == dir { "" } else { "linktypes/" };
        for row in common::read_tsv(&folder.join("facts.tsv")) {
            let bytes = std::fs::read(folder.join(&row["file"])).unwrap();
            out.push((format!("{prefix}{}", row["file"]), bytes));
        }
    }
    out.sort();
    out
}

#[test]
fn mutated_captures_never_panic_the_pipeline() {
    let captures = captures();
    assert!(!captures.is_empty());
    let started = Instant::now();
    let mut failures = Vec::new();
    let mut mutants = 0;
    for (index, (name, original)) in captures.iter().enumerate() {
        let donor = &captures[(index + 1) % captures.len()].1;
        for mutant in 0..MUTANTS_PER_CAPTURE {
            let mut rng = Rng(SEED ^ (index as u64) << 32 ^ mutant);
            let mut bytes = original.clone();
            // Mutate the plain capture, or a gzipped one (damaging the
            // compressed stream), or mutate first and gzip after.
            let wrap = rng.below(6);
            if wrap == 0 {
                bytes = gzip(&bytes);
            }
            let mut what = Vec::new();
            for _ in 0..1 + rng.below(3) {
                if bytes.is_empty() {
                    break;
                }
                what.push(mutate(&mut bytes, donor, &mut rng));
            }
            if wrap == 1 {
                bytes = gzip(&bytes);
            }
            let chunk = [1, 7, 512, 65_536, usize::MAX][rng.below(5)];
            mutants += 1;
            if let Err(message) = no_panic(|| run_pipeline(&bytes, chunk)) {
                failures.push(format!(
                    "{name} mutant {mutant} (gzip {}, chunks of {chunk}, {}): {message}",
                    match wrap {
                        0 => "before",
                        1 => "after",
                        _ => "no",
                    },
                    what.join(", ")
                ));
            }
        }
    }
    println!(
        "no_panic_core: {mutants} mutants of {} captures in {:.1} s, {} failures",
        captures.len(),
        started.elapsed().as_secs_f64(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} mutants broke the pipeline:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// A capture analysed with its comparison trace, whatever its damage.
fn traced(bytes: &[u8]) -> Analysis {
    let mut analyzer = Analyzer::new(Config::traced());
    let mut reader = CaptureReader::new();
    if reader.push(bytes, &mut analyzer).is_ok() {
        let _ = reader.finish(&mut analyzer);
    }
    analyzer.finish()
}

/// A capture and a mutant of it share connections and packets yet disagree
/// (cut, shifted, corrupted): the comparison's matching, clock and ladders
/// meet them at their oddest, and must not panic either way round.
#[test]
fn mutants_compared_with_their_original_never_panic() {
    let captures = captures();
    let mut failures = Vec::new();
    for (index, (name, original)) in captures.iter().enumerate() {
        let whole = traced(original);
        let donor = &captures[(index + 1) % captures.len()].1;
        for mutant in 0..COMPARED_PER_CAPTURE {
            let mut rng = Rng(SEED ^ 0xC0 ^ (index as u64) << 32 ^ mutant);
            let mut bytes = original.clone();
            let what = if bytes.is_empty() {
                String::new()
            } else {
                mutate(&mut bytes, donor, &mut rng)
            };
            let compared = no_panic(|| {
                let other = traced(&bytes);
                for cmp in [compare(&whole, &other), compare(&other, &whole)] {
                    assert_eq!(
                        cmp.resets.len(),
                        whole.report.resets.len() + other.report.resets.len()
                    );
                }
            });
            if let Err(message) = compared {
                failures.push(format!("{name} mutant {mutant} ({what}): {message}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} comparisons panicked:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The link types the `decode` fuzz target's first byte selects, in the
/// order of `fuzz/common/src/lib.rs` (`LINK_TYPES`).
const LINK_TYPES: [LinkType; 10] = [
    LinkType::NULL,
    LinkType::ETHERNET,
    LinkType::FDDI,
    LinkType::RAW,
    LinkType::LOOP,
    LinkType::LINUX_SLL,
    LinkType::IPV4,
    LinkType::IPV6,
    LinkType::IPOIB,
    LinkType::LINUX_SLL2,
];

fn regression_inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/regressions")
        .join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut inputs: Vec<(PathBuf, Vec<u8>)> = entries
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            path.is_file() && !name.starts_with('.') && !name.ends_with(".md")
        })
        .map(|path| {
            let bytes = std::fs::read(&path).unwrap();
            (path, bytes)
        })
        .collect();
    inputs.sort();
    inputs
}

/// Inputs that once crashed a fuzz target, kept as regressions. Capture
/// inputs are a 3-byte header (mode, chunking, position) then the payload;
/// they are replayed plain and gzipped, whole and byte by byte. Decode
/// inputs are a link-type selector byte then the frame.
#[test]
fn fuzz_regressions_replay_cleanly() {
    let mut failures = Vec::new();
    let mut replayed = 0;
    for (path, input) in regression_inputs("capture") {
        let payload = input.get(3..).unwrap_or_default();
        for stream in [payload.to_vec(), gzip(payload)] {
            for chunk in [1, usize::MAX] {
                replayed += 1;
                if let Err(message) = no_panic(|| run_pipeline(&stream, chunk)) {
                    failures.push(format!("{}: {message}", path.display()));
                }
            }
        }
    }
    for (path, input) in regression_inputs("decode") {
        let Some((&selector, frame)) = input.split_first() else {
            continue;
        };
        let link_type = LINK_TYPES
            .get(usize::from(selector))
            .copied()
            .unwrap_or(LinkType(u32::from(selector)));
        replayed += 1;
        if let Err(message) = no_panic(|| {
            let _ = rstscope_core::decode::decode(link_type, frame);
        }) {
            failures.push(format!("{}: {message}", path.display()));
        }
    }
    println!("fuzz regressions: {replayed} replays");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
