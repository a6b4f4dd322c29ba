//! The web app's built-in example: about seven minutes of one Linux
//! workstation's traffic, everyday HTTPS and HTTP around six kinds of reset.

use crate::host::Fingerprint;
use crate::net::Net;
use crate::scenarios::{recipe, traffic};
use crate::{write, ExpectedReset, Format, Link};

const SEED: u64 = 0x5eed_2024;

/// Scenario and start second of each reset story in the sample.
const STORIES: [(&str, f64); 6] = [
    ("nat-idle-timeout", 4.0),
    ("refused", 21.0),
    ("censor-injection", 47.0),
    ("server-abort", 96.0),
    ("graceful-then-reset", 158.0),
    ("syn-scan", 231.0),
];

/// Everyday sites the workstation visits between the stories: name, stack
/// (a mix of Linux IP-ID styles, as on the real Internet), hops, RTT in ms.
const SITES: [(&str, Fingerprint, u8, f64); 4] = [
    ("www.example.com", Fingerprint::LINUX, 11, 24.0),
    ("mail.example.org", Fingerprint::LINUX_ZERO_ID, 14, 61.0),
    ("docs.example.net", Fingerprint::LINUX, 9, 17.0),
    ("cdn.example.com", Fingerprint::LINUX_ZERO_ID, 6, 8.0),
];

/// The sample capture (pcapng, Ethernet) and the labels of its RSTs.
pub fn sample() -> (Vec<u8>, Vec<ExpectedReset>) {
    let mut net = Net::new(false, SEED);
    let workstation = net.local_host(Fingerprint::LINUX);
    let sites: Vec<_> = SITES
        .iter()
        .map(|&(name, stack, hops, rtt)| (name, net.remote_host(stack, hops), rtt))
        .collect();
    for i in 0..28 {
        let (name, server, rtt) = &sites[i % sites.len()];
        let at = 1.0 + 15.5 * i as f64;
        if i % 3 == 2 {
            traffic::fetch(&mut net, &workstation, server, name, 80, at, *rtt);
        } else {
            traffic::browse(&mut net, &workstation, server, name, at, *rtt);
        }
    }
    for (name, at) in STORIES {
        let recipe = recipe(name).expect("the sample's stories are catalogue scenarios");
        (recipe.build)(&mut net, &workstation, at);
    }
    let (packets, expected) = net.finish();
    (
        write::capture(&packets, Link::Ethernet, Format::PcapNg),
        expected,
    )
}
