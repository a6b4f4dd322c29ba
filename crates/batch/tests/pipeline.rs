//! A regular file is framed and decoded on a reading thread and tracked on
//! the calling one; bytes in memory go through `Analyzer::push` on one
//! thread. Both must give the same report, warning for warning, and fail
//! alike: these tests hold them equal on captures of several chunks (frames
//! straddling chunk boundaries), damaged, cut short, gzipped and not
//! captures at all.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;

use flate2::write::GzEncoder;
use rstscope_batch::{analyze, analyze_in_pool, Error, Source};
use rstscope_scenarios::bulk::{bulk_mix, Mix};
use rstscope_scenarios::Format;

/// Larger than three of the reading thread's 1 MiB chunks.
const SIZE: u64 = 3 << 20 | 12_345;

fn capture(mix: Mix, format: Format) -> Vec<u8> {
    let mut bytes = Vec::new();
    bulk_mix(&mut bytes, SIZE, format, 7, mix).unwrap();
    bytes
}

fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rstscope-pipeline-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// The report (as JSON) or the error (as text) of `bytes` read from a file
/// and read from memory, and the progress the file reported.
fn both(name: &str, bytes: &[u8]) -> (String, String, Vec<u64>) {
    // One capture read at a time: `analyze` frames and decodes on the
    // reading thread only while it has a core to spare (two or more cores).
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    let _alone = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let path = temp_file(name, bytes);
    let mut progress = Vec::new();
    let from_file = analyze(Source::Path(&path), |done| progress.push(done));
    let from_memory = analyze(Source::Bytes(bytes), |_| {});
    // In a pool the reading thread only reads: the same report again.
    let in_pool = analyze_in_pool(Source::Path(&path));
    std::fs::remove_file(&path).unwrap();
    // Empty now: one capture at a time is written in it.
    std::fs::remove_dir(path.parent().unwrap()).unwrap();
    let text = |result: Result<rstscope_core::Report, Error>| match result {
        Ok(report) => serde_json::to_string(&report).unwrap(),
        Err(err) => format!("error: {err}"),
    };
    let from_memory = text(from_memory);
    assert!(
        text(in_pool) == from_memory,
        "{name}: the pool's report differs"
    );
    (text(from_file), from_memory, progress)
}

#[test]
fn test_pipeline_mixes_equal_one_thread() {
    for (mix, format) in [
        (Mix::Web, Format::Pcap),
        (Mix::Scan, Format::PcapNg),
        (Mix::Flood, Format::Pcap),
    ] {
        let bytes = capture(mix, format);
        let (file, memory, progress) = both(mix.name(), &bytes);
        assert!(file.contains("\"resets\""), "{mix:?}: {}", &file[..200]);
        assert!(file == memory, "{mix:?} {format:?}: reports differ");
        assert_eq!(progress.last(), Some(&(bytes.len() as u64)));
        assert!(progress.len() >= 4, "one call per chunk: {progress:?}");
    }
}

#[test]
fn test_pipeline_damaged_record_warns_alike() {
    let mut bytes = capture(Mix::Web, Format::Pcap);
    // The first record header past 2.5 MiB declares an absurd length: a
    // warning, and everything before it analysed.
    let mut at = 24;
    while at < 5 << 19 {
        let captured = u32::from_le_bytes(bytes[at + 8..at + 12].try_into().unwrap());
        at += 16 + captured as usize;
    }
    bytes[at + 8..at + 16].fill(0xff);
    let (file, memory, _) = both("damaged.pcap", &bytes);
    let warnings = &file[file.find("\"warnings\"").unwrap()..];
    assert!(warnings.contains("corrupt"), "{}", &warnings[..600]);
    assert!(file == memory, "reports differ");
}

#[test]
fn test_pipeline_cut_mid_record_alike() {
    let bytes = capture(Mix::Long, Format::PcapNg);
    let cut = &bytes[..(2 << 20) + 777];
    let (file, memory, _) = both("cut.pcapng", cut);
    assert!(file.contains("\"resets\""));
    assert!(file == memory, "reports differ");
}

#[test]
fn test_pipeline_gzipped_alike() {
    let bytes = capture(Mix::Web, Format::PcapNg);
    let mut gz = GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&bytes).unwrap();
    let gz = gz.finish().unwrap();
    let (file, memory, _) = both("web.pcapng.gz", &gz);
    assert!(file.contains("\"resets\""));
    assert!(file == memory, "reports differ");
    let (plain, _, _) = both("web.pcapng", &bytes);
    assert!(file == plain, "gzip changes the report");
}

#[test]
fn test_pipeline_not_a_capture_fails_alike() {
    let mut bytes = b"PK\x03\x04".to_vec();
    bytes.resize(3 << 20, 0);
    let (file, memory, _) = both("archive.zip", &bytes);
    assert!(file.starts_with("error: "), "{file}");
    assert_eq!(file, memory);
}

#[test]
fn test_pipeline_empty_file_fails_alike() {
    let (file, memory, _) = both("empty.pcap", b"");
    assert!(file.starts_with("error: "), "{file}");
    assert_eq!(file, memory);
}

/// Real captures of every link type the decoder knows (NFLOG prefixes,
/// PKTAP and pcapng process names, radio headers, ERF, gzip): the slices a
/// decoded packet borrows outside the chunk go through the side buffer.
#[test]
fn test_pipeline_real_link_types_equal_one_thread() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/captures");
    let Ok(entries) = std::fs::read_dir(dir.join("linktypes")) else {
        println!("SKIPPED: ../shared/captures/linktypes not found");
        return;
    };
    let mut compared = 0;
    for entry in entries {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".md") || name.ends_with(".tsv") || path.is_dir() {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let (file, memory, _) = both(&name, &bytes);
        assert!(file == memory, "{name}: reports differ");
        compared += 1;
    }
    assert!(compared >= 20, "{compared} captures");
}
