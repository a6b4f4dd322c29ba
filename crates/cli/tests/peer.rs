//! `rstscope analyze <capture> --peer <other>`: two captures of the same
//! traffic (client side behind a NAT, server side) compared end to end.

use std::path::PathBuf;
use std::process::{Command, Output};

use rstscope_scenarios::pairs::{pair, write_pair, Pair, CLOCK_OFFSET_S};
use rstscope_scenarios::Options;
use serde_json::Value;

fn rstscope(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_rstscope"))
        .args(args)
        .output()
        .expect("run rstscope");
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn json(args: &[&str]) -> Value {
    serde_json::from_slice(&rstscope(args).stdout).expect("one JSON document")
}

/// The pair written to a temp dir: (truth, client-side file, server-side file).
fn files(tag: &str) -> (Pair, PathBuf, PathBuf) {
    let options = Options::default();
    let pair = pair(&options);
    let (c, s) = write_pair(&pair, &options);
    let dir = std::env::temp_dir().join(format!("rstscope-peer-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (cp, sp) = (
        dir.join(format!("{tag}-client.pcapng")),
        dir.join(format!("{tag}-server.pcapng")),
    );
    std::fs::write(&cp, c).unwrap();
    std::fs::write(&sp, s).unwrap();
    (pair, cp, sp)
}

fn reset<'a>(cmp: &'a Value, capture: &str, frame: u64) -> &'a Value {
    cmp["resets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["capture"] == capture && r["frame"] == frame)
        .unwrap_or_else(|| panic!("no reset {capture} {frame}"))
}

#[test]
fn json_comparison_in_either_order() {
    let (pair, client, server) = files("json");
    let (client, server) = (client.to_str().unwrap(), server.to_str().unwrap());
    for (main, peer, client_main) in [(client, server, true), (server, client, false)] {
        let alone = json(&["analyze", main, "--format", "json"]);
        assert!(
            alone.get("comparison").is_none(),
            "no comparison without --peer"
        );
        let mut both = json(&["analyze", main, "--peer", peer, "--format", "json"]);
        let cmp = both.as_object_mut().unwrap().remove("comparison").unwrap();
        assert_eq!(both, alone, "the main report stays as it is");

        let (mv, pv) = if client_main {
            ("client-side", "server-side")
        } else {
            ("server-side", "client-side")
        };
        assert_eq!(cmp["main"]["vantage"], mv);
        assert_eq!(cmp["peer"]["vantage"], pv);
        assert_eq!(cmp["matched"].as_array().unwrap().len(), 8);
        assert_eq!(cmp["unmatched"].as_array().unwrap().len(), 2);
        let how: Vec<&str> = cmp["matched"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["how"].as_str().unwrap())
            .collect();
        assert_eq!(how.iter().filter(|h| **h == "isn").count(), 7, "{how:?}");
        assert_eq!(
            how.iter().filter(|h| **h == "payload").count(),
            1,
            "{how:?}"
        );

        let offset = &cmp["clock_offset"];
        let at = offset["at"].as_f64().unwrap();
        let at_us = (at * 1e6).round() as i64;
        let truth = if client_main {
            pair.offset_at(at_us)
        } else {
            -pair.offset_at(at_us - (CLOCK_OFFSET_S * 1e6) as i64)
        };
        let seconds = offset["seconds"].as_f64().unwrap();
        assert!((seconds - truth).abs() < 1e-3, "{seconds} vs {truth}");
        assert!(cmp["drift"]["ppm"].as_f64().unwrap().abs() > 24.5);

        let (cn, sn) = if client_main {
            ("main", "peer")
        } else {
            ("peer", "main")
        };
        let only = |name: &str| format!("{name}-only");
        let mut entries = 0;
        for t in &pair.resets {
            let seen_at = match (t.client_frame, t.server_frame) {
                (Some(_), Some(_)) => "both".to_string(),
                (Some(_), None) => only(cn),
                (None, Some(_)) => only(sn),
                (None, None) => unreachable!(),
            };
            for (name, frame, other) in [
                (cn, t.client_frame, t.server_frame),
                (sn, t.server_frame, t.client_frame),
            ] {
                let Some(frame) = frame else { continue };
                let r = reset(&cmp, name, frame);
                assert_eq!(r["seen_at"], seen_at.as_str(), "{}: {r}", t.name);
                assert!(r["fate"].is_string() && r["main_time"].is_f64(), "{r}");
                assert_eq!(r["peer_frame"], other.map_or(Value::Null, Value::from));
                assert_eq!(r["origin"], t.origin.as_str(), "{}: {r}", t.name);
                assert_eq!(r["cause"], t.cause.as_str(), "{}: {r}", t.name);
                assert_eq!(r["evidence"][0]["signal"], "vantage");
                entries += 1;
            }
        }
        assert_eq!(cmp["resets"].as_array().unwrap().len(), entries);
        assert_eq!(entries, 6);
    }
}

#[test]
fn text_prints_the_comparison() {
    let (_, client, server) = files("text");
    let out = rstscope(&[
        "analyze",
        client.to_str().unwrap(),
        "--peer",
        server.to_str().unwrap(),
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("== Compared with the peer capture =="),
        "{text}"
    );
    assert!(text.contains("Vantage: this capture is client-side, the peer capture server-side"));
    assert!(text.contains("Clock: peer = this +2.345"), "{text}");
    assert!(text.contains("drifting +25.00 ppm"), "{text}");
    assert!(text.contains("Connections: 8 matched, 2 unmatched"));
    // The app's story, in the same words.
    assert!(
        text.contains("Compared with the other end (client side here, server side there): "),
        "{text}"
    );
    assert!(text.contains("made on the path: seen at the client, never sent by the server."));
    assert!(text.contains("): made on the path: seen at the client, never sent by the server"));
    assert!(text.contains("): lost on the path: sent by the server, never reached the client"));
    assert!(text.contains("): crossed the path: seen at both ends; frame "));
    assert!(text.contains("made on the path between the captures"));
    assert!(text.contains("dropped on the path"));
}

#[test]
fn ladder_draws_both_ends() {
    let (_, client, server) = files("ladder");
    let (client, server) = (client.to_str().unwrap(), server.to_str().unwrap());
    let text =
        String::from_utf8(rstscope(&["analyze", client, "--peer", server, "--ladder"]).stdout)
            .unwrap();
    let compared = text
        .split("== Compared with the peer capture ==")
        .nth(1)
        .unwrap();
    assert!(compared.contains("seen here only"), "{compared}");
    assert!(compared.contains(" = peer #"), "{compared}");
    assert!(compared.contains(" = main #"), "{compared}");
}

#[test]
fn unrelated_captures_say_so_and_claim_nothing() {
    let (_, client, _) = files("unrelated");
    let options = Options::default();
    let other = rstscope_scenarios::write(&rstscope_scenarios::catalogue(&options)[0], &options);
    let other_path = client.with_file_name("unrelated-other.pcapng");
    std::fs::write(&other_path, other).unwrap();
    let args = [
        "analyze",
        client.to_str().unwrap(),
        "--peer",
        other_path.to_str().unwrap(),
    ];
    let text = String::from_utf8(rstscope(&args).stdout).unwrap();
    assert!(text.contains("nothing is claimed about the path"), "{text}");
    assert!(!text.contains("made on the path"), "{text}");
    let cmp = &json(&[&args[..], &["--format", "json"]].concat())["comparison"];
    assert!(cmp["relation"] == "no-common-connection" || cmp["relation"] == "no-time-overlap");
    for r in cmp["resets"].as_array().unwrap() {
        assert_eq!(
            (&r["seen_at"], &r["fate"]),
            (&"not-compared".into(), &"not-compared".into())
        );
    }
}

#[test]
fn the_same_file_twice_is_recognised() {
    let (_, client, _) = files("same");
    let client = client.to_str().unwrap();
    let text = String::from_utf8(rstscope(&["analyze", client, "--peer", client]).stdout).unwrap();
    assert!(text.contains("it is this capture again"), "{text}");
    assert!(!text.contains("made on the path"), "{text}");
    let cmp = &json(&["analyze", client, "--peer", client, "--format", "json"])["comparison"];
    assert_eq!(cmp["relation"], "same-capture");
}

#[test]
fn unreadable_peer_is_an_error_naming_it() {
    let (_, client, _) = files("error");
    let out = Command::new(env!("CARGO_BIN_EXE_rstscope"))
        .args([
            "analyze",
            client.to_str().unwrap(),
            "--peer",
            "/nonexistent/peer.pcap",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/peer.pcap"));
}
