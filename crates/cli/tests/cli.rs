//! The `rstscope` binary end to end: arguments, output formats, exit codes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn rstscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rstscope"))
        .args(args)
        .output()
        .expect("run rstscope")
}

fn shared(name: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/captures")
        .join(name);
    if path.exists() {
        Some(path)
    } else {
        println!("SKIPPED: ../shared/captures not found");
        None
    }
}

fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rstscope-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// The JSON fields named in the contract (issue 2 and 3) are all there.
#[test]
fn json_carries_the_contract_fields() {
    let Some(path) = shared("chrissanders__tcp_refuseconnection.pcapng") else {
        return;
    };
    let out = rstscope(&["analyze", path.to_str().unwrap(), "--format", "json"]);
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).expect("one JSON document on stdout");
    let capture = &json["capture"];
    assert_eq!(capture["packets"], 2);
    assert_eq!(capture["tcp_packets"], 2);
    assert_eq!(capture["link_types"][0]["id"], 1);
    assert!(capture["warnings"].as_array().unwrap().is_empty());
    let resets = json["resets"].as_array().unwrap();
    assert_eq!(resets.len(), 1);
    let reset = &resets[0];
    assert_eq!(reset["frame"], 2);
    assert_eq!(reset["flags"], "RST+ACK");
    for field in [
        "time",
        "src",
        "dst",
        "seq",
        "ack",
        "ttl",
        "sender",
        "origin",
        "cause",
        "confidence",
        "evidence",
        "signature",
        "stage",
        "payload_text",
        "tips",
    ] {
        assert!(reset.get(field).is_some(), "reset lacks {field}: {reset}");
    }
    assert_eq!(reset["stream"], 0);
    assert_eq!(json["connections"][0]["stream"], 0);
    assert_eq!(json["connections"][0]["first_frame"], 1);
    assert!(json["summary"]["headline"]
        .as_str()
        .is_some_and(|h| !h.is_empty()));
}

#[test]
fn text_is_the_default_and_lists_each_reset() {
    let Some(path) = shared("zeek__tcp__rst-inject-rae.pcap") else {
        return;
    };
    let out = rstscope(&["analyze", path.to_str().unwrap()]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Capture: 9 packets, 9 TCP"), "{text}");
    assert_eq!(text.matches("\nFrame ").count(), 3, "{text}");
    // tshark puts all three in stream 0 (rst/zeek__tcp__rst-inject-rae.pcap.tsv).
    assert!(
        text.contains("Wireshark: tcp.stream eq 0  (this packet: frame.number == 7)"),
        "{text}"
    );
}

#[test]
fn ladder_draws_each_resets_packets_in_text() {
    let Some(path) = shared("zeek__tcp__rst-inject-rae.pcap") else {
        return;
    };
    let path = path.to_str().unwrap();
    let json: Value =
        serde_json::from_slice(&rstscope(&["analyze", path, "--format", "json"]).stdout).unwrap();
    let ladder_rows: usize = json["resets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ladder"].as_array().unwrap().len())
        .sum();
    assert!(ladder_rows > 0);
    let plain = String::from_utf8(rstscope(&["analyze", path]).stdout).unwrap();
    assert!(!plain.contains("ladder"), "{plain}");
    let out = rstscope(&["analyze", path, "--ladder"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.matches("  ladder (").count(), 3, "{text}");
    let rows = text
        .lines()
        .filter(|l| l.starts_with("     frame ") || l.starts_with("  >> frame "))
        .count();
    assert_eq!(rows, ladder_rows, "{text}");
    // Each reset marks its own frame in its ladder.
    assert_eq!(text.matches("  >> frame ").count(), 3, "{text}");
}

#[test]
fn stdin_is_read_when_the_path_is_a_dash() {
    let Some(path) = shared("zeek__tcp__single-rst.pcap") else {
        return;
    };
    let child = Command::new(env!("CARGO_BIN_EXE_rstscope"))
        .args(["analyze", "-", "--format", "json"])
        .stdin(std::fs::File::open(path).unwrap())
        .stdout(Stdio::piped())
        .output()
        .unwrap();
    assert!(child.status.success());
    let json: Value = serde_json::from_slice(&child.stdout).unwrap();
    assert_eq!(json["resets"][0]["frame"], 1);
}

/// `rstscope analyze ... | head`: a reader that leaves early is not an
/// error, in either format.
#[test]
fn a_closed_output_pipe_is_not_an_error() {
    let Some(path) = shared("zeek__tcp__rst-inject-rae.pcap") else {
        return;
    };
    let capture = std::fs::read(path).unwrap();
    for format in ["json", "text"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_rstscope"))
            .args(["analyze", "-", "--format", format])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Close the output before the capture arrives: the report's first
        // write finds no reader.
        drop(child.stdout.take());
        let mut stdin = child.stdin.take().unwrap();
        std::io::Write::write_all(&mut stdin, &capture).unwrap();
        drop(stdin);
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(out.status.success(), "{format}: {stderr}");
        assert!(stderr.is_empty(), "{format}: {stderr}");
    }
}

#[test]
fn a_file_that_is_not_a_capture_fails_with_one_line() {
    let path = temp_file("notes.txt", b"just some notes, not packets\n");
    let out = rstscope(&["analyze", path.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("rstscope: "), "{stderr}");
    assert!(stderr.contains("notes.txt"), "{stderr}");
}

#[test]
fn a_missing_file_fails_with_one_line() {
    let out = rstscope(&["analyze", "/nonexistent/capture.pcap"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}
