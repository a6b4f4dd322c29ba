//! `--export-pcap`: the exported pcapng, re-read by tshark, holds exactly
//! the chosen connections' packets (original times and lengths), and each
//! exported RST carries its verdict as a comment.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn rstscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rstscope"))
        .args(args)
        .output()
        .expect("run rstscope")
}

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web/sample.pcapng")
}

fn out_path(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rstscope-export-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// tshark's fields for the frames a display filter picks, one row each;
/// None when tshark is not installed.
fn tshark(path: &Path, filter: &str, fields: &[&str]) -> Option<Vec<Vec<String>>> {
    let mut command = Command::new("tshark");
    command
        .arg("-r")
        .arg(path)
        .args(["-Y", filter, "-T", "fields"]);
    command.args(["-E", "occurrence=f"]);
    for field in fields {
        command.args(["-e", field]);
    }
    let out = command.output().ok()?;
    assert!(
        out.status.success(),
        "tshark: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    Some(
        text.lines()
            .map(|l| l.split('\t').map(String::from).collect())
            .collect(),
    )
}

/// Exports with `options`; the report and the export's path.
fn export(name: &str, options: &[&str]) -> (Value, PathBuf) {
    let path = out_path(name);
    let sample = sample();
    let mut args = vec!["analyze", sample.to_str().unwrap(), "--format", "json"];
    args.extend(["--export-pcap", path.to_str().unwrap()]);
    args.extend(options);
    let out = rstscope(&args);
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (serde_json::from_slice(&out.stdout).unwrap(), path)
}

fn streams(report: &Value, pick: impl Fn(&Value) -> bool) -> Vec<u64> {
    let mut streams: Vec<u64> = report["resets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| pick(r))
        .filter_map(|r| r["stream"].as_u64())
        .collect();
    streams.sort_unstable();
    streams.dedup();
    streams
}

/// The export holds the packets of `streams` in the sample, in order,
/// with their times and lengths; its RSTs carry the verdict comment.
fn assert_export_holds(export: &Path, streams: &[u64]) -> Option<()> {
    let list: Vec<String> = streams.iter().map(u64::to_string).collect();
    let filter = format!("tcp.stream in {{{}}}", list.join(","));
    let fields = ["frame.time_epoch", "frame.len", "frame.cap_len"];
    let expected = tshark(&sample(), &filter, &fields)?;
    let got = tshark(export, "frame", &fields)?;
    assert!(!expected.is_empty());
    assert_eq!(
        got, expected,
        "the export's frames (time, length, captured)"
    );
    let comments = tshark(export, "tcp.flags.reset == 1", &["frame.comment"])?;
    assert!(!comments.is_empty());
    assert!(
        comments
            .iter()
            .all(|c| c[0].starts_with("rstscope: origin ")),
        "{comments:?}"
    );
    Some(())
}

#[test]
fn every_reset_connection_is_exported_with_verdict_comments() {
    let (report, path) = export("all.pcapng", &[]);
    let all = streams(&report, |_| true);
    if assert_export_holds(&path, &all).is_none() {
        println!("SKIPPED: tshark not found");
    }
}

#[test]
fn the_export_narrows_to_a_frame_an_origin_or_a_cause() {
    let (report, _) = export("probe.pcapng", &[]);
    let resets = report["resets"].as_array().unwrap();
    let first = &resets[0];
    let frame = first["frame"].as_u64().unwrap().to_string();
    let (_, path) = export("frame.pcapng", &["--export-frame", &frame]);
    let stream = first["stream"].as_u64().unwrap();
    if assert_export_holds(&path, &[stream]).is_none() {
        println!("SKIPPED: tshark not found");
        return;
    }
    let origin = first["origin"].as_str().unwrap();
    let (_, path) = export("origin.pcapng", &["--export-origin", origin]);
    assert_export_holds(&path, &streams(&report, |r| r["origin"] == origin));
    let cause = first["cause"].as_str().unwrap();
    let (_, path) = export("cause.pcapng", &["--export-cause", cause]);
    assert_export_holds(&path, &streams(&report, |r| r["cause"] == cause));
}

#[test]
fn an_unknown_origin_or_stdin_is_refused_with_a_reason() {
    let sample = sample();
    let out = rstscope(&[
        "analyze",
        sample.to_str().unwrap(),
        "--export-pcap",
        "x.pcapng",
        "--export-origin",
        "martian",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("one of: "));
    let out = rstscope(&["analyze", "-", "--export-pcap", "x.pcapng"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not stdin"));
}
