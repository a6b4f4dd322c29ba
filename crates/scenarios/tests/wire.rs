//! The generated captures are valid on the wire: tshark decodes every frame
//! without errors and with good checksums, its RST frames are exactly the
//! labelled ones, and the project's own reader and decoder agree.

mod common;

use common::{analyze, describe, matrix, scratch, tshark_frames, tshark_installed};
use rstscope_scenarios::{catalogue, variants, write, Format, Link, Options};

#[test]
fn tshark_decodes_every_capture_cleanly_and_finds_the_labelled_resets() {
    if !tshark_installed() {
        println!("SKIPPED: tshark not installed");
        return;
    }
    let mut problems = Vec::new();
    // tshark is slow to start: each framing variant once per scenario.
    for options in variants() {
        for scenario in catalogue(&options) {
            let name = format!("{}-{}", scenario.name, describe(&options).replace('/', "-"));
            let path = scratch(&format!("{name}.{}", options.format.extension()));
            std::fs::write(&path, write(&scenario, &options)).expect("write capture");
            let frames = tshark_frames(&path);
            if frames.len() != scenario.packets.len() {
                problems.push(format!(
                    "{name}: tshark read {} frames of {}",
                    frames.len(),
                    scenario.packets.len()
                ));
            }
            for f in frames.iter().filter(|f| !f.is_clean()) {
                problems.push(format!("{name} frame {}: {f:?}", f.number));
            }
            let resets: Vec<u64> = frames
                .iter()
                .filter(|f| f.reset)
                .map(|f| f.number)
                .collect();
            let labelled: Vec<u64> = scenario.expected.iter().map(|e| e.frame).collect();
            if resets != labelled {
                problems.push(format!(
                    "{name}: tshark RST frames {resets:?}, labels {labelled:?}"
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// The check above would notice a broken packet: flip one payload byte of
/// a frame and tshark must report its TCP checksum as bad.
#[test]
fn tshark_check_notices_a_corrupted_checksum() {
    if !tshark_installed() {
        println!("SKIPPED: tshark not installed");
        return;
    }
    let options = Options {
        link: Link::RawIp,
        format: Format::Pcap,
        ..Options::default()
    };
    let scenario = catalogue(&options)
        .into_iter()
        .find(|s| s.name == "server-abort")
        .expect("scenario");
    let mut bytes = write(&scenario, &options);
    // The last frame is the HTTP teardown's final ACK: raw IPv4, 20-byte IP
    // header; its last byte is inside the TCP header (a timestamp option).
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    let path = scratch("corrupted.pcap");
    std::fs::write(&path, bytes).expect("write capture");
    let frames = tshark_frames(&path);
    let last = frames.last().expect("frames");
    assert_eq!(
        last.tcp_checksum, "0",
        "a flipped byte must show as a bad TCP checksum: {last:?}"
    );
    assert!(frames[..frames.len() - 1]
        .iter()
        .all(|f| f.tcp_checksum == "1"));
}

#[test]
fn own_pipeline_reads_every_frame_and_finds_exactly_the_labelled_resets() {
    let mut problems = Vec::new();
    for options in matrix() {
        for scenario in catalogue(&options) {
            let name = format!("{} {}", scenario.name, describe(&options));
            let report = analyze(&write(&scenario, &options));
            let packets = scenario.packets.len() as u64;
            if report.capture.packets != packets || report.capture.tcp_packets != packets {
                let warnings = &report.capture.warnings;
                problems.push(format!(
                    "{name}: {} frames, {} TCP, expected {packets} of each; {} warnings, first {:?}",
                    report.capture.packets,
                    report.capture.tcp_packets,
                    warnings.len(),
                    warnings.first()
                ));
            }
            let resets: Vec<u64> = report.resets.iter().map(|r| r.frame).collect();
            let labelled: Vec<u64> = scenario.expected.iter().map(|e| e.frame).collect();
            if resets != labelled {
                problems.push(format!(
                    "{name}: report's RST frames {resets:?}, labels {labelled:?}"
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
