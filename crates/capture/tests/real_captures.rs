//! Every shared real capture reads completely and agrees with tshark's facts.

mod common;

use std::collections::BTreeSet;

use common::{capture_folders, read_tsv, Recorder};

#[test]
fn every_shared_capture_matches_tshark() {
    let mut failures = Vec::new();
    let mut files = 0;
    for dir in capture_folders() {
        let facts = read_tsv(&dir.join("facts.tsv"));
        assert!(
            facts.len() > 20,
            "{dir:?}: facts.tsv lists {} files",
            facts.len()
        );
        files += facts.len();
        for row in &facts {
            check_capture(&dir, row, &mut failures);
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {files} files differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// One capture: read without warnings, and tshark's frame count, snaplen
/// cuts, link types and RST times.
fn check_capture(
    dir: &std::path::Path,
    row: &std::collections::HashMap<String, String>,
    failures: &mut Vec<String>,
) {
    let file = &row["file"];
    let mut sink = Recorder::default();
    let input = std::fs::File::open(dir.join(file)).unwrap();
    let summary = rstscope_capture::read_all(input, &mut sink, |_| {});
    if let Err(err) = summary {
        failures.push(format!("{file}: {err}"));
        return;
    }
    if !sink.warnings.is_empty() {
        failures.push(format!("{file}: warnings {:?}", sink.warnings));
    }
    let packets: usize = row["packets"].parse().unwrap();
    if sink.frames.len() != packets {
        failures.push(format!(
            "{file}: {} frames, tshark says {packets}",
            sink.frames.len()
        ));
    }
    let numbers_ok = sink
        .frames
        .iter()
        .enumerate()
        .all(|(i, f)| f.number == i as u64 + 1);
    if !numbers_ok {
        failures.push(format!("{file}: frame numbers are not 1..n"));
    }
    let truncated: usize = row["truncated_frames"].parse().unwrap();
    let cut = sink
        .frames
        .iter()
        .filter(|f| (f.captured as u64) < u64::from(f.orig_len))
        .count();
    if cut != truncated {
        failures.push(format!(
            "{file}: {cut} frames cut by the snaplen, tshark says {truncated}"
        ));
    }
    // "1", "1,113" or, per interface, "1x105,113x5,274x16".
    let listed: BTreeSet<u32> = row["linktype_ids"]
        .split(',')
        .map(|id| id.split('x').next().unwrap().parse().unwrap())
        .collect();
    let seen: BTreeSet<u32> = sink.frames.iter().map(|f| f.link_type).collect();
    let single_interface = row["interfaces"] == "1";
    if !seen.is_subset(&listed) || (single_interface && packets > 0 && seen != listed) {
        failures.push(format!(
            "{file}: link types {seen:?}, tshark lists {listed:?}"
        ));
    }
    check_reset_times(dir, file, &sink, failures);
}

/// The time of every RST frame equals tshark's to the nanosecond digits it
/// prints (parsed exactly, not through f64).
fn check_reset_times(
    dir: &std::path::Path,
    file: &str,
    sink: &Recorder,
    failures: &mut Vec<String>,
) {
    let path = dir.join("rst").join(format!("{file}.tsv"));
    if !path.is_file() {
        return;
    }
    for row in read_tsv(&path) {
        let number: usize = row["frame.number"].parse().unwrap();
        let expected = parse_epoch_ns(&row["frame.time_epoch"]);
        match sink.frames.get(number - 1) {
            Some(frame) if frame.ts_ns == expected => {}
            Some(frame) => failures.push(format!(
                "{file} frame {number}: ts {} ns, tshark {expected} ns",
                frame.ts_ns
            )),
            None => failures.push(format!("{file}: RST frame {number} missing")),
        }
    }
}

/// "1763505643.196787000" -> nanoseconds. Times past i64 nanoseconds (one
/// pcapng has 64-bit timestamps near 2^64 µs) saturate, as the reader does.
fn parse_epoch_ns(text: &str) -> i64 {
    let (seconds, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = format!("{fraction:0<9}");
    let ns =
        seconds.parse::<i128>().unwrap() * 1_000_000_000 + digits[..9].parse::<i128>().unwrap();
    i64::try_from(ns).unwrap_or(i64::MAX)
}

/// macOS `tcpdump -k` pcapng: Darwin process blocks, and Apple options on
/// each packet naming its process (or the effective one it acted for).
#[test]
fn macos_pcapng_ties_frames_to_their_process() {
    let Some(dir) = capture_folders().pop().filter(|d| d.ends_with("linktypes")) else {
        return;
    };
    let read = |file: &str| {
        let mut sink = Recorder::default();
        let input = std::fs::File::open(dir.join(file)).unwrap();
        rstscope_capture::read_all(input, &mut sink, |_| {}).unwrap();
        sink.frames
    };
    let packetdrill = Some((Some(554), "packetdrill".to_string()));
    let processes: Vec<_> = read("apple-tcpdump__radar-88502733.pcapng")
        .into_iter()
        .map(|f| f.process)
        .collect();
    // The kernel's own RST (frame 4) names no process.
    assert_eq!(
        processes,
        [packetdrill.clone(), packetdrill.clone(), packetdrill, None]
    );
    let frames = read("apple-tcpdump__radar-74957353.pcapng");
    // 185 of the 197 packets carry a process option (counted by walking the
    // file's blocks and options by hand).
    let named = frames.iter().filter(|f| f.process.is_some()).count();
    assert_eq!(named, 185);
    assert!(frames
        .iter()
        .filter_map(|f| f.process.as_ref())
        .all(|(pid, name)| pid.is_some() && (name == "network_test" || name == "kernel_task")));
}
