//! The catalogue: one module per scenario, each a short script of what
//! happens on the wire, with the verdict of every RST it contains.
//!
//! A scenario is written against a shared [`Net`] and a client host (the
//! capturing machine), starting `at` seconds into the capture, so the app's
//! sample can interleave several of them on one workstation.

mod censor_injection;
mod client_abort;
mod closed_socket;
mod conntrack_invalid;
mod firewall_reject;
mod graceful_then_reset;
mod health_check;
mod nat_idle_timeout;
mod refused;
mod retransmit_giveup;
mod rst_with_reason;
mod server_abort;
mod server_idle_timeout;
mod stealth_scan;
mod syn_scan;
pub(crate) mod traffic;

use crate::host::{Fingerprint, Host};
use crate::net::Net;
use crate::{Options, Scenario};

/// Builds a scenario's packets into `net` for `client`, starting at `at` seconds.
pub(crate) type Build = fn(&mut Net, &Host, f64);

pub(crate) struct Recipe {
    pub name: &'static str,
    pub description: &'static str,
    /// The capturing client's stack.
    pub client: Fingerprint,
    pub build: Build,
}

impl Recipe {
    pub fn build(&self, options: &Options) -> Scenario {
        // Each scenario gets its own stream, so adding one changes no other.
        let seed = self.name.bytes().fold(options.seed, |h, b| {
            h.wrapping_mul(0x100_0000_01b3) ^ u64::from(b)
        });
        let mut net = Net::new(options.ipv6, seed);
        let client = net.local_host(self.client);
        (self.build)(&mut net, &client, 0.0);
        let (packets, expected) = net.finish();
        Scenario {
            name: self.name,
            description: self.description,
            packets,
            expected,
        }
    }
}

pub(crate) const RECIPES: &[Recipe] = &[
    Recipe {
        name: "refused",
        description: "SYN to a closed port; the server host answers RST+ACK (seq 0) with its usual TTL.",
        client: Fingerprint::LINUX,
        build: refused::build,
    },
    Recipe {
        name: "firewall-reject",
        description: "SYN answered by a RST+ACK in the server's name from a firewall a few hops closer.",
        client: Fingerprint::LINUX,
        build: firewall_reject::build,
    },
    Recipe {
        name: "server-abort",
        description: "The server application aborts mid-request: in-window RST+ACK with the server's own fingerprint.",
        client: Fingerprint::LINUX,
        build: server_abort::build,
    },
    Recipe {
        name: "client-abort",
        description: "A Windows client closes with SO_LINGER 0 while the server's response is unread.",
        client: Fingerprint::WINDOWS,
        build: client_abort::build,
    },
    Recipe {
        name: "closed-socket",
        description: "The server closed its side (FIN); the client's next request is answered by RST.",
        client: Fingerprint::LINUX,
        build: closed_socket::build,
    },
    Recipe {
        name: "nat-idle-timeout",
        description: "After 400 s idle the NAT router has forgotten the flow and resets it in the server's name.",
        client: Fingerprint::LINUX,
        build: nat_idle_timeout::build,
    },
    Recipe {
        name: "server-idle-timeout",
        description: "After 300 s idle the server itself resets the connection, unprompted.",
        client: Fingerprint::LINUX,
        build: server_idle_timeout::build,
    },
    Recipe {
        name: "conntrack-invalid",
        description: "A spurious retransmission is marked INVALID by a stateful firewall that rejects it with a RST.",
        client: Fingerprint::LINUX,
        build: conntrack_invalid::build,
    },
    Recipe {
        name: "censor-injection",
        description: "A censor matches the TLS SNI and injects two RST+ACKs; the real server's answer still arrives.",
        client: Fingerprint::LINUX,
        build: censor_injection::build,
    },
    Recipe {
        name: "syn-scan",
        description: "A half-open SYN scan: the scanner resets open ports, closed ports answer RST+ACK.",
        client: Fingerprint::LINUX,
        build: syn_scan::build,
    },
    Recipe {
        name: "stealth-scan",
        description: "FIN, NULL and Xmas probes without a handshake: closed ports answer RST+ACK, open ports stay silent.",
        client: Fingerprint::LINUX,
        build: stealth_scan::build,
    },
    Recipe {
        name: "health-check",
        description: "A load balancer's TCP health checks, seen on the backend: connect, then RST+ACK at once, no data.",
        client: Fingerprint::LINUX,
        build: health_check::build,
    },
    Recipe {
        name: "graceful-then-reset",
        description: "Both FINs exchanged, then the Windows client sends a RST anyway (benign).",
        client: Fingerprint::WINDOWS,
        build: graceful_then_reset::build,
    },
    Recipe {
        name: "retransmit-giveup",
        description: "The path drops everything; the Windows client retransmits 5 times with backoff, then resets.",
        client: Fingerprint::WINDOWS,
        build: retransmit_giveup::build,
    },
    Recipe {
        name: "rst-with-reason",
        description: "An F5 BIG-IP ends an idle flow with a RST whose payload says why.",
        client: Fingerprint::LINUX,
        build: rst_with_reason::build,
    },
];

/// The recipe of a catalogue scenario by name (for the sample).
pub(crate) fn recipe(name: &str) -> Option<&'static Recipe> {
    RECIPES.iter().find(|r| r.name == name)
}
