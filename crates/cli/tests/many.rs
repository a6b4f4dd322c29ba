//! `rstscope analyze` over several captures: order, the combined summary,
//! per-file errors and exit codes, and the row formats (NDJSON, Zeek TSV).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use rstscope_scenarios::{catalogue, write, Options};
use serde_json::{Map, Value};

fn rstscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rstscope"))
        .args(args)
        .output()
        .expect("run rstscope")
}

fn ok(args: &[&str]) -> Vec<u8> {
    let out = rstscope(args);
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// A directory of generated captures (a few catalogue scenarios, IPv4 and
/// IPv6) and a README that is not a capture; the captures in walk order.
fn capture_dir(tag: &str) -> (PathBuf, Vec<PathBuf>) {
    let dir = std::env::temp_dir().join(format!("rstscope-many-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("v6")).unwrap();
    let mut paths = Vec::new();
    for (sub, ipv6) in [("", false), ("v6", true)] {
        let options = Options {
            ipv6,
            ..Options::default()
        };
        for (i, scenario) in catalogue(&options).iter().take(4).enumerate() {
            let path = dir.join(sub).join(format!("{i}-{}.pcapng", scenario.name));
            std::fs::write(&path, write(scenario, &options)).unwrap();
            paths.push(path);
        }
    }
    std::fs::write(dir.join("README.md"), "captures of the night shift\n").unwrap();
    (dir, paths)
}

/// `rstscope analyze TARGET --format FORMAT --rows KIND`'s output.
fn rows_of(target: &Path, format: &str, kind: &str) -> Vec<u8> {
    ok(&["analyze", s(target), "--format", format, "--rows", kind])
}

fn single_report(path: &Path) -> Value {
    serde_json::from_slice(&ok(&["analyze", s(path), "--format", "json"])).unwrap()
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn ndjson(bytes: &[u8]) -> Vec<Map<String, Value>> {
    String::from_utf8(bytes.to_vec())
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object per line"))
        .collect()
}

#[test]
fn json_lists_every_capture_in_walk_order_with_its_own_report_and_a_summary() {
    let (dir, paths) = capture_dir("json");
    let doc: Value =
        serde_json::from_slice(&ok(&["analyze", s(&dir), "--format", "json"])).unwrap();
    let captures = doc["captures"].as_array().unwrap();
    let named: Vec<&str> = captures
        .iter()
        .map(|c| c["capture"].as_str().unwrap())
        .collect();
    let want: Vec<&str> = paths.iter().map(|p| s(p)).collect();
    assert_eq!(named, want);
    let mut resets = 0;
    for (entry, path) in captures.iter().zip(&paths) {
        assert_eq!(entry["report"], single_report(path), "{}", path.display());
        resets += entry["report"]["resets"].as_array().unwrap().len() as u64;
    }
    let summary = &doc["summary"];
    assert_eq!(summary["captures"], paths.len() as u64);
    assert_eq!(summary["analysed"], paths.len() as u64);
    assert_eq!(summary["failed"], 0);
    assert_eq!(summary["resets"], resets);
    assert_eq!(
        summary["skipped"],
        serde_json::json!([s(&dir.join("README.md"))])
    );
    let by_origin: u64 = summary["by_origin"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(by_origin, resets);
}

#[test]
fn output_is_the_same_on_one_thread_and_on_many() {
    let (dir, _) = capture_dir("jobs");
    for format in ["text", "ndjson"] {
        let one = ok(&["analyze", s(&dir), "--format", format, "--jobs", "1"]);
        let many = ok(&["analyze", s(&dir), "--format", format, "--jobs", "5"]);
        assert_eq!(one, many, "--format {format}");
    }
}

#[test]
fn a_bad_capture_gets_its_own_error_and_the_others_are_analysed() {
    let (dir, paths) = capture_dir("bad");
    let bad = dir.join("README.md");
    let out = rstscope(&[
        "analyze",
        s(&paths[0]),
        s(&bad),
        s(&paths[1]),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(3), "some analysed, some not");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("README.md") && stderr.contains("not a pcap"),
        "{stderr}"
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let captures = doc["captures"].as_array().unwrap();
    assert_eq!(captures.len(), 3);
    assert!(captures[1]["error"]
        .as_str()
        .unwrap()
        .contains("not a pcap"));
    assert!(captures[1].get("report").is_none());
    assert_eq!(captures[2]["report"], single_report(&paths[1]));
    assert_eq!(doc["summary"]["failed"], 1);
    assert!(doc["summary"]["headline"]
        .as_str()
        .unwrap()
        .ends_with("1 capture could not be read."));

    let all_bad = rstscope(&[
        "analyze",
        s(&bad),
        "/nonexistent/x.pcap",
        "--format",
        "ndjson",
    ]);
    assert_eq!(all_bad.status.code(), Some(1), "none analysed");
    assert!(all_bad.stdout.is_empty());
    assert_eq!(String::from_utf8_lossy(&all_bad.stderr).lines().count(), 2);
}

#[test]
fn a_directory_without_captures_is_an_error() {
    let dir = std::env::temp_dir().join(format!("rstscope-many-empty-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("notes.txt"), "nothing here").unwrap();
    let out = rstscope(&["analyze", s(&dir)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no captures found"));
}

#[test]
fn text_prints_each_capture_then_the_combined_summary() {
    let (dir, paths) = capture_dir("text");
    let text = String::from_utf8(ok(&["analyze", s(&paths[0]), s(&paths[5])])).unwrap();
    let first = text.find(&format!("== {} ==", s(&paths[0]))).unwrap();
    let second = text.find(&format!("== {} ==", s(&paths[5]))).unwrap();
    let all = text.find("== All 2 captures ==").unwrap();
    assert!(first < second && second < all, "{text}");
    assert!(
        text[all..].contains("Captures: 2 analysed, 0 failed"),
        "{text}"
    );
    drop(dir);
}

#[test]
fn ndjson_reset_rows_are_the_reports_resets_with_their_capture() {
    let (dir, paths) = capture_dir("ndjson");
    let out = ok(&["analyze", s(&dir), "--format", "ndjson"]);
    assert!(out.starts_with(b"{\"capture\":"), "capture comes first");
    let rows = ndjson(&out);
    let mut want = Vec::new();
    for path in &paths {
        let report = single_report(path);
        for reset in report["resets"].as_array().unwrap() {
            let mut row = Map::new();
            row.insert("capture".into(), s(path).into());
            row.extend(reset.as_object().unwrap().clone());
            let connection = &report["connections"][reset["connection"].as_u64().unwrap() as usize];
            assert_eq!(connection["id"], reset["connection"]);
            row.insert("client".into(), connection["client"].clone());
            row.insert("server".into(), connection["server"].clone());
            want.push(row);
        }
    }
    assert!(!want.is_empty());
    assert_eq!(rows, want);
}

#[test]
fn ndjson_connection_and_capture_rows() {
    let (dir, paths) = capture_dir("rows");
    let rows = ndjson(&rows_of(&dir, "ndjson", "connections"));
    let want: usize = paths
        .iter()
        .map(|p| single_report(p)["connections"].as_array().unwrap().len())
        .sum();
    assert_eq!(rows.len(), want);
    assert!(rows
        .iter()
        .all(|r| r["capture"].is_string() && r["conn_state"].is_string()));

    let bad = dir.join("README.md");
    let out = rstscope(&[
        "analyze",
        s(&paths[2]),
        s(&bad),
        "--format",
        "ndjson",
        "--rows",
        "captures",
    ]);
    assert_eq!(out.status.code(), Some(3));
    let rows = ndjson(&out.stdout);
    let report = single_report(&paths[2]);
    assert_eq!(rows[0]["capture"], s(&paths[2]));
    assert_eq!(rows[0]["error"], Value::Null);
    assert_eq!(rows[0]["packets"], report["capture"]["packets"]);
    assert_eq!(
        rows[0]["resets"],
        report["resets"].as_array().unwrap().len() as u64
    );
    assert_eq!(rows[0]["headline"], report["summary"]["headline"]);
    assert_eq!(rows[1]["capture"], s(&bad));
    assert!(rows[1]["error"].as_str().unwrap().contains("not a pcap"));
}

/// An incident row is the report's incident with its capture and the time
/// of its root reset, for every capture in the order given.
#[test]
fn ndjson_incident_rows_are_the_reports_incidents() {
    let (dir, paths) = capture_dir("incidents");
    let rows = ndjson(&rows_of(&dir, "ndjson", "incidents"));
    let mut want = Vec::new();
    for path in &paths {
        let report = single_report(path);
        for incident in report["incidents"].as_array().unwrap() {
            let root = report["resets"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["frame"] == incident["root_frame"])
                .unwrap();
            let mut row = serde_json::Map::new();
            row.insert("capture".into(), s(path).into());
            row.extend(incident.as_object().unwrap().clone());
            row.insert("time".into(), root["time"].clone());
            want.push(row);
        }
    }
    assert!(!want.is_empty());
    assert_eq!(rows, want);
}

/// Zeek's header, one line per row with as many fields as `#fields`, and
/// values that match the NDJSON rows.
#[test]
fn zeek_logs_have_the_header_and_one_field_per_column() {
    let (dir, _) = capture_dir("zeek");
    for (rows, path) in [
        ("resets", "rstscope_resets"),
        ("connections", "rstscope_conn"),
        ("incidents", "rstscope_incidents"),
        ("captures", "rstscope_captures"),
    ] {
        let log = String::from_utf8(rows_of(&dir, "zeek", rows)).unwrap();
        let lines: Vec<&str> = log.lines().collect();
        assert_eq!(lines[0], "#separator \\x09");
        assert_eq!(lines[1], "#set_separator\t,");
        assert_eq!(lines[2], "#empty_field\t(empty)");
        assert_eq!(lines[3], "#unset_field\t-");
        assert_eq!(lines[4], format!("#path\t{path}"));
        assert!(lines[5].starts_with("#open\t20"), "{}", lines[5]);
        let fields: Vec<&str> = lines[6]
            .strip_prefix("#fields\t")
            .unwrap()
            .split('\t')
            .collect();
        let types: Vec<&str> = lines[7]
            .strip_prefix("#types\t")
            .unwrap()
            .split('\t')
            .collect();
        assert_eq!(fields.len(), types.len());
        assert!(lines.last().unwrap().starts_with("#close\t20"));
        let data = &lines[8..lines.len() - 1];
        assert!(!data.is_empty(), "{rows}");
        for line in data {
            assert_eq!(line.split('\t').count(), fields.len(), "{line}");
        }
        let nd = ndjson(&rows_of(&dir, "ndjson", rows));
        assert_eq!(data.len(), nd.len(), "{rows}");
        let column = |name: &str| fields.iter().position(|f| *f == name).unwrap();
        for (line, row) in data.iter().zip(&nd) {
            let cells: Vec<&str> = line.split('\t').collect();
            assert_eq!(cells[column("capture")], row["capture"].as_str().unwrap());
            if rows == "resets" {
                assert_eq!(cells[column("frame")], row["frame"].to_string());
                assert_eq!(cells[column("cause")], row["cause"].as_str().unwrap());
                let ts: f64 = cells[column("ts")].parse().unwrap();
                assert!((ts - row["time"].as_f64().unwrap()).abs() < 1e-6);
            }
        }
    }
}

#[test]
fn rows_options_that_do_not_fit_are_usage_errors() {
    let (_, paths) = capture_dir("usage");
    let out = rstscope(&["analyze", s(&paths[0]), "--rows", "connections"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--rows goes with --format ndjson or zeek")
    );
    let out = rstscope(&[
        "analyze",
        s(&paths[0]),
        s(&paths[1]),
        "--peer",
        s(&paths[2]),
    ]);
    assert_eq!(out.status.code(), Some(2));
}
