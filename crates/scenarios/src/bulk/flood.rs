//! The `flood` mix's episodes: a SYN flood from spoofed sources (every SYN
//! from a random address and port, `hping3 --flood --rand-source` style)
//! against the office's public web server. In half the episodes the server
//! answers each SYN with a SYN-ACK (SYN cookies keep no state, so no
//! retransmissions); in the other half its uplink drops them. The spoofed
//! addresses are unrouted, so nothing answers the SYN-ACKs: a flood adds
//! connections by the hundred thousand but no resets.

use std::net::{IpAddr, Ipv4Addr};

use super::{Generator, Wire, SLICE_US};
use crate::conversation::Conversation;
use crate::host::{Fingerprint, Host};
use crate::rng::Rng;

/// Mean floods started per second of capture time.
pub(super) const PER_S: f64 = 1.0 / 60.0;

/// hping3's SYNs: TTL 64, window 512, random IP-ID.
const SPOOFED: Fingerprint = Fingerprint {
    name: "spoofed",
    initial_ttl: 64,
    syn_window: 512,
    ..Fingerprint::NMAP
};

pub(super) struct Flood {
    victim: Host,
    port: u16,
    /// SYN cookies: every SYN gets a SYN-ACK.
    answered: bool,
    rate: f64,
    ends_us: i64,
    pub(super) next_us: i64,
}

impl Flood {
    pub(super) fn new(generator: &mut Generator, at: i64) -> Self {
        let last = generator.rng.range(10, 20) as u8;
        let addr = IpAddr::V4(Ipv4Addr::new(203, 0, 113, last));
        let victim = generator.host(addr, Fingerprint::LINUX, 1);
        let port = if generator.rng.range(0, 1) == 0 {
            80
        } else {
            443
        };
        let rate = generator.log_uniform(2_000, 20_000) as f64;
        let seconds = generator.seconds(5.0, 30.0);
        Self {
            victim,
            port,
            answered: generator.rng.range(0, 1) == 0,
            rate,
            ends_us: at + (seconds * 1e6) as i64,
            next_us: at,
        }
    }

    /// The SYNs (and SYN-ACKs) of the next slice of capture time, and
    /// whether the flood goes on.
    pub(super) fn slice(&mut self, generator: &mut Generator) -> (Vec<Wire>, bool) {
        let end = (self.next_us + SLICE_US).min(self.ends_us);
        let mut wires = Vec::new();
        while self.next_us < end {
            let c = self.syn(generator);
            wires.extend(generator.compact(c));
            self.next_us += generator.interarrival(self.rate);
        }
        (wires, self.next_us < self.ends_us)
    }

    fn syn(&self, generator: &mut Generator) -> Conversation {
        let rng = &mut generator.rng;
        // Any unicast address outside 10/8 and 127/8.
        let first = match rng.range(1, 221) as u8 {
            n @ (10 | 127) => n + 1,
            n => n,
        };
        let [_, b, c, d] = rng.u32().to_be_bytes();
        let source = Host {
            id: 0,
            addr: IpAddr::V4(Ipv4Addr::new(first, b, c, d)),
            fingerprint: SPOOFED,
            hops: rng.range(5, 25) as u8,
        };
        let port = rng.range(1024, 65535) as u16;
        let answer_us = rng.range(50, 400) as i64;
        let rng = Rng::new(rng.next_u64());
        let mut c = Conversation::new(
            0,
            rng,
            (source, port),
            (self.victim, self.port),
            self.next_us,
            answer_us,
        );
        c.syn();
        if self.answered {
            c.syn_ack();
        }
        c
    }
}
