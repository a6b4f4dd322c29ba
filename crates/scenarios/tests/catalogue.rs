//! The catalogue's own promises, independent of any decoder: every
//! scenario exists over both IP versions, every RST it contains is labelled,
//! and the output is a pure function of the seed.

use rstscope_core::decode::flags::{RST, SYN};
use rstscope_scenarios::{catalogue, write, Options};

const NAMES: [&str; 15] = [
    "refused",
    "firewall-reject",
    "server-abort",
    "client-abort",
    "closed-socket",
    "nat-idle-timeout",
    "server-idle-timeout",
    "conntrack-invalid",
    "censor-injection",
    "syn-scan",
    "stealth-scan",
    "health-check",
    "graceful-then-reset",
    "retransmit-giveup",
    "rst-with-reason",
];

#[test]
fn every_scenario_exists_over_ipv4_and_ipv6() {
    for ipv6 in [false, true] {
        let scenarios = catalogue(&Options {
            ipv6,
            ..Options::default()
        });
        let names: Vec<&str> = scenarios.iter().map(|s| s.name).collect();
        assert_eq!(names, NAMES);
        for s in &scenarios {
            assert!(
                s.packets
                    .iter()
                    .all(|p| p.src.is_ipv6() == ipv6 && p.dst.is_ipv6() == ipv6),
                "{}",
                s.name
            );
        }
    }
}

#[test]
fn labels_are_exactly_the_rst_frames() {
    for s in catalogue(&Options::default()) {
        let rst_frames: Vec<u64> = s
            .packets
            .iter()
            .zip(1..)
            .filter(|(p, _)| p.flags & RST != 0)
            .map(|(_, n)| n)
            .collect();
        let labelled: Vec<u64> = s.expected.iter().map(|e| e.frame).collect();
        assert!(!labelled.is_empty(), "{} has no reset", s.name);
        assert_eq!(rst_frames, labelled, "{}", s.name);
    }
}

#[test]
fn packets_are_in_time_order_and_have_background_connections() {
    for s in catalogue(&Options::default()) {
        assert!(
            s.packets.windows(2).all(|w| w[0].ts_us <= w[1].ts_us),
            "{} out of order",
            s.name
        );
        // Background traffic gives per-host baselines: more than one handshake.
        let syns = s.packets.iter().filter(|p| p.flags & SYN != 0).count();
        assert!(syns >= 3, "{} has {syns} SYN/SYN-ACKs", s.name);
    }
}

#[test]
fn output_depends_only_on_the_seed() {
    let options = Options::default();
    let bytes = |options: &Options| -> Vec<Vec<u8>> {
        catalogue(options)
            .iter()
            .map(|s| write(s, options))
            .collect()
    };
    assert_eq!(bytes(&options), bytes(&options));
    let other = bytes(&Options { seed: 2, ..options });
    assert!(
        bytes(&options).iter().zip(&other).all(|(a, b)| a != b),
        "a new seed changes every capture"
    );
}
