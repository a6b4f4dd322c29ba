//! The path between client and server, and where on it the capture sits.
//!
//! Positions count hops: 0 is the client, `hops` the server, the routers
//! (and any middlebox) are in between. The capture is a tap on the link
//! just after position `tap` (toward the server): at the client `tap` is 0,
//! at the server `hops - 1`, on a router anything between. A packet is seen
//! when it crosses the tap; its TTL has lost one per router it crossed
//! before (the emitting device does not decrement its own packets); its
//! capture time follows the one-way delays of the links it crossed.

use crate::conversation::Side;
use crate::rng::Rng;

/// Where the capture was taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Vantage {
    /// On the client machine (or its LAN port).
    Client,
    /// On the server machine.
    Server,
    /// On a router or tap somewhere between them.
    Middle,
}

impl Vantage {
    pub fn name(self) -> &'static str {
        match self {
            Vantage::Client => "client",
            Vantage::Server => "server",
            Vantage::Middle => "middle",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Path {
    pub vantage: Vantage,
    pub hops: u8,
    pub tap: u8,
    /// One-way delay from the client to each position, µs (index = position).
    delay_us: Vec<i64>,
    /// Up to this much extra delay on any answer (queueing).
    pub jitter_us: i64,
}

/// Round-trip classes, from a LAN to another continent.
const RTT_CLASSES_MS: [(f64, f64); 4] = [(0.15, 2.0), (2.0, 40.0), (40.0, 120.0), (120.0, 320.0)];

impl Path {
    /// A path of realistic length and delay for this vantage.
    /// A path of realistic length and delay for this vantage, at least
    /// `min_hops` long.
    pub fn random(rng: &mut Rng, vantage: Vantage, min_hops: u8) -> Path {
        // Paths with a device or more between the ends cross the Internet.
        let first_class = u64::from(min_hops > 3);
        let class = rng.range(first_class, RTT_CLASSES_MS.len() as u64 - 1) as usize;
        let (low, high) = RTT_CLASSES_MS[class];
        let rtt_ms = log_uniform(rng, low, high);
        // A LAN has 1-3 hops, the Internet 6-24.
        let min_hops = if vantage == Vantage::Middle {
            min_hops.max(3)
        } else {
            min_hops.max(1)
        };
        let (low, high) = if class == 0 { (1, 3) } else { (6, 24) };
        let hops = rng.range(u64::from(min_hops).max(low), u64::from(min_hops).max(high)) as u8;
        let tap = match vantage {
            Vantage::Client => 0,
            Vantage::Server => hops - 1,
            Vantage::Middle => rng.range(1, u64::from(hops) - 2) as u8,
        };
        let delay_us = delays(rng, hops, rtt_ms * 500.0);
        // Queueing: up to 2-10 % of the round trip, at least 20 µs.
        let jitter_us = ((rtt_ms * 1000.0) * rng.range(2, 10) as f64 / 100.0).max(20.0) as i64;
        Path {
            vantage,
            hops,
            tap,
            delay_us,
            jitter_us,
        }
    }

    pub fn rtt_us(&self) -> i64 {
        2 * self.delay_at(self.hops)
    }

    /// Position of an endpoint.
    pub fn end(&self, side: Side) -> u8 {
        match side {
            Side::Client => 0,
            Side::Server => self.hops,
        }
    }

    /// Routers a packet from `position` crosses before the capture: what
    /// its TTL has lost when seen.
    pub fn decrements(&self, position: u8) -> u8 {
        if position <= self.tap {
            self.tap - position
        } else {
            position - self.tap - 1
        }
    }

    /// Whether a packet from position `from` to position `to` crosses the tap.
    pub fn sees(&self, from: u8, to: u8) -> bool {
        from.min(to) <= self.tap && self.tap < from.max(to)
    }

    /// Capture time from a packet of `other(side)` to `side`'s answer:
    /// there and back between the capture and `side`, without turnaround.
    pub fn answer_us(&self, side: Side) -> i64 {
        2 * self.leg_us(self.end(side))
    }

    /// Capture time from seeing a packet `from` an endpoint to seeing what a
    /// device at `device` sends when that packet reaches it (toward either
    /// end), without the device's own processing time.
    pub fn relay_us(&self, from: Side, device: u8) -> i64 {
        let e = self.end(from);
        (self.delay_at(e) - self.delay_at(device)).abs() + self.leg_us(device) - self.leg_us(e)
    }

    /// One-way delay between the capture point and `position`.
    pub fn leg_us(&self, position: u8) -> i64 {
        (self.delay_at(position) - self.capture_delay()).abs()
    }

    /// Where the capture sits on the delay scale: on the client or the
    /// server machine exactly, else just after router `tap`.
    fn capture_delay(&self) -> i64 {
        match self.vantage {
            Vantage::Client => 0,
            Vantage::Server => self.delay_at(self.hops),
            Vantage::Middle => self.delay_at(self.tap),
        }
    }

    /// One-way delay from the client to `position`.
    pub fn delay_at(&self, position: u8) -> i64 {
        self.delay_us
            .get(usize::from(position))
            .copied()
            .unwrap_or(0)
    }

    pub fn describe(&self) -> String {
        format!(
            "{} hops, rtt {:.1} ms, capture at the {} (after hop {})",
            self.hops,
            self.rtt_us() as f64 / 1000.0,
            self.vantage.name(),
            self.tap
        )
    }
}

/// Cumulative one-way delays: an access link of up to a third of the way,
/// a data-centre last hop of 20-300 µs, the long haul shared between the
/// routers in the middle.
fn delays(rng: &mut Rng, hops: u8, one_way_us: f64) -> Vec<i64> {
    let n = usize::from(hops);
    if n == 1 {
        return vec![0, one_way_us as i64];
    }
    let access = one_way_us * rng.range(3, 33) as f64 / 100.0;
    let last = (rng.range(20, 300) as f64).min(one_way_us / 10.0);
    let middle = (one_way_us - access - last).max(0.0);
    let mut out = vec![0.0];
    out.push(access);
    for i in 1..n - 1 {
        out.push(access + middle * i as f64 / (n - 1) as f64);
    }
    out.push(one_way_us);
    out.into_iter().map(|d| d.round() as i64).collect()
}

fn log_uniform(rng: &mut Rng, low: f64, high: f64) -> f64 {
    let t = rng.range(0, 1_000_000) as f64 / 1e6;
    (low.ln() + t * (high.ln() - low.ln())).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(vantage: Vantage, seed: u64) -> Path {
        Path::random(&mut Rng::new(seed), vantage, 1)
    }

    #[test]
    fn client_capture_sees_its_own_packets_unaged_and_the_server_one_rtt_away() {
        for seed in 0..50 {
            let p = path(Vantage::Client, seed);
            assert_eq!(p.decrements(0), 0);
            assert_eq!(p.decrements(p.hops), p.hops - 1);
            assert_eq!(p.answer_us(Side::Client), 0);
            assert_eq!(p.answer_us(Side::Server), 2 * p.delay_at(p.hops));
            assert!(p.sees(0, p.hops) && p.sees(p.hops, 0));
        }
    }

    #[test]
    fn server_capture_mirrors_it() {
        for seed in 0..50 {
            let p = path(Vantage::Server, seed);
            assert_eq!(p.decrements(p.hops), 0);
            assert_eq!(p.decrements(0), p.hops - 1);
            assert_eq!(p.answer_us(Side::Server), 0);
            assert_eq!(p.answer_us(Side::Client), p.rtt_us());
        }
    }

    #[test]
    fn a_device_between_capture_and_trigger_answers_at_once_one_beyond_after_a_round_trip() {
        for seed in 0..50 {
            let p = path(Vantage::Middle, seed);
            assert!(p.tap >= 1 && p.tap + 1 < p.hops, "{p:?}");
            let near_client = p.tap; // the client's packets pass it first
            assert_eq!(p.relay_us(Side::Client, near_client), 0);
            let beyond = p.tap + 1;
            assert_eq!(
                p.relay_us(Side::Client, beyond),
                2 * (p.delay_at(beyond) - p.delay_at(p.tap))
            );
            // A reset from beyond the tap back to the client is seen; one
            // sent on to the server is not.
            assert!(p.sees(beyond, 0) && !p.sees(beyond, p.hops));
        }
    }
}
