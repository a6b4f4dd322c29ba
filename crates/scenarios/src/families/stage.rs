//! One variant's world: the client and server with their stacks, the path
//! between them with the capture somewhere on it, and the network the
//! family's story is written into.

use rstscope_core::decode::flags::FIN;
use rstscope_core::report::Cause;

use super::own;
use crate::conversation::{other, rst_for, Conversation, Side};
use crate::families::path::{Path, Vantage};
use crate::families::stacks::Stack;
use crate::host::{Fingerprint, Host};
use crate::net::{Net, ResetId, Verdict};
use crate::payload;
use crate::rng::Rng;
use crate::scenarios::traffic;

/// Segments one side sent toward a socket that has just died.
#[derive(Clone, Copy, Debug)]
pub struct InFlight {
    pub from: Side,
    pub count: u64,
    /// When the other side's socket died, on the capture clock at that host.
    pub dead_at_us: i64,
    /// A device that answers in the dead side's name instead of its kernel
    /// (a stateful firewall that saw the reset go by).
    pub answerer: Option<Device>,
    /// Whether the capture records the segments (a capture whose buffer
    /// overflowed drops them and keeps only the answers).
    pub recorded: bool,
}

impl InFlight {
    pub fn new(from: Side, count: u64, dead_at_us: i64) -> InFlight {
        InFlight {
            from,
            count,
            dead_at_us,
            answerer: None,
            recorded: true,
        }
    }
}

/// A middlebox on the path: its host (for its TTL and IP-ID) and position.
#[derive(Clone, Copy, Debug)]
pub struct Device {
    pub host: Host,
    pub position: u8,
}

pub struct Stage {
    pub net: Net,
    /// The variant's own choices (timings, sizes), apart from the packets' randomness.
    pub rng: Rng,
    pub path: Path,
    pub client: Host,
    pub server: Host,
    pub client_stack: Stack,
    pub server_stack: Stack,
    /// Kernel turnaround of each side, µs (client, server).
    turnaround_us: [i64; 2],
    /// The link type the story needs (monitor-mode Wi-Fi, NFLOG), instead
    /// of the variant's random one.
    pub link: Option<crate::Link>,
}

impl Stage {
    pub fn new(mut rng: Rng, ipv6: bool, path: Path, stacks: (Stack, Stack)) -> Stage {
        let mut net = Net::new(ipv6, rng.next_u64());
        let place = |net: &mut Net, fingerprint: Fingerprint, side: Side| {
            let hops = path.decrements(path.end(side));
            let local = matches!(
                (path.vantage, side),
                (Vantage::Client, Side::Client) | (Vantage::Server, Side::Server)
            );
            if local {
                net.local_host(fingerprint)
            } else {
                net.remote_host(fingerprint, hops)
            }
        };
        let client = place(&mut net, stacks.0.fingerprint(), Side::Client);
        let server = place(&mut net, stacks.1.fingerprint(), Side::Server);
        let turnaround_us = [rng.range(40, 250) as i64, rng.range(30, 200) as i64];
        Stage {
            net,
            rng,
            path,
            client,
            server,
            client_stack: stacks.0,
            server_stack: stacks.1,
            turnaround_us,
            link: None,
        }
    }

    /// A connection from the client to the server's `port`, `at` seconds in.
    pub fn connect(&mut self, port: u16, at: f64) -> Conversation {
        let (client, server) = (self.client, self.server);
        self.connect_hosts(&client, &server, port, at)
    }

    /// The client's and the server's addresses in the other IP version
    /// (both dual-stack), placed as they are.
    pub fn twins(&mut self) -> (Host, Host) {
        let (client, server) = (self.client, self.server);
        let client_local = self.path.vantage == Vantage::Client;
        let server_local = self.path.vantage == Vantage::Server;
        (
            self.net.twin(&client, client_local),
            self.net.twin(&server, server_local),
        )
    }

    /// A connection between two hosts standing at the client's and the
    /// server's ends of the path (a second client behind the same NAT, a
    /// load balancer's health checker).
    pub fn connect_hosts(
        &mut self,
        client: &Host,
        server: &Host,
        port: u16,
        at: f64,
    ) -> Conversation {
        let rtt_ms = self.path.rtt_us() as f64 / 1000.0;
        let mut c = self.net.connect(client, server, port, at, rtt_ms);
        self.place(&mut c);
        c
    }

    /// Like [`Stage::connect`] from a fixed client port.
    pub fn connect_from(
        &mut self,
        client: &Host,
        port_from: u16,
        port: u16,
        at: f64,
    ) -> Conversation {
        let rtt_ms = self.path.rtt_us() as f64 / 1000.0;
        let server = self.server;
        let mut c = self
            .net
            .connect_from(client, port_from, &server, port, at, rtt_ms);
        self.place(&mut c);
        c
    }

    fn place(&self, c: &mut Conversation) {
        let answer = |side: Side, i: usize| self.path.answer_us(side) + self.turnaround_us[i];
        let capturing = match self.path.vantage {
            Vantage::Client => Some(Side::Client),
            Vantage::Server => Some(Side::Server),
            Vantage::Middle => None,
        };
        c.set_timing(
            [answer(Side::Client, 0), answer(Side::Server, 1)],
            self.path.jitter_us,
            capturing,
        );
    }

    /// A device at `position` (strictly between the ends) with this fingerprint.
    pub fn device(&mut self, fingerprint: Fingerprint, position: u8) -> Device {
        let position = position.clamp(1, self.path.hops.saturating_sub(1).max(1));
        let host = self
            .net
            .remote_host(fingerprint, self.path.decrements(position));
        Device { host, position }
    }

    /// A random router position on the path, `near` the client or the server
    /// (within `within` hops), or anywhere when `near` is `None`.
    pub fn position(&mut self, near: Option<Side>, within: u8) -> u8 {
        let last = self.path.hops.saturating_sub(1).max(1);
        let within = u64::from(within.max(1));
        match near {
            Some(Side::Client) => self.rng.range(1, within.min(u64::from(last))) as u8,
            Some(Side::Server) => {
                let low = u64::from(last).saturating_sub(within - 1).max(1);
                self.rng.range(low, u64::from(last)) as u8
            }
            None => self.rng.range(1, u64::from(last)) as u8,
        }
    }

    /// Seconds from seeing a packet of `from` to seeing a device's answer
    /// sent back toward `from` (`None`: the capture does not see it), with
    /// the device's processing time.
    pub fn reply_after(&mut self, from: Side, device: &Device) -> Option<f64> {
        let end = self.path.end(from);
        self.path
            .sees(device.position, end)
            .then(|| self.relay_s(from, device))
    }

    /// Like [`Stage::reply_after`] for what the device sends on toward the
    /// other end (in `from`'s name).
    pub fn forward_after(&mut self, from: Side, device: &Device) -> Option<f64> {
        let end = self.path.end(crate::conversation::other(from));
        self.path
            .sees(device.position, end)
            .then(|| self.relay_s(from, device))
    }

    fn relay_s(&mut self, from: Side, device: &Device) -> f64 {
        let processing = self.rng.range(15, 250) as i64;
        (self.path.relay_us(from, device.position) + processing) as f64 / 1e6
    }

    /// Whether the capture sees what `side` sends toward the other end
    /// when it is dropped at `device`.
    pub fn sees_before(&self, side: Side, device: &Device) -> bool {
        self.path.sees(self.path.end(side), device.position)
    }

    /// Everyday connections between the same hosts (0-4 of them) in
    /// `[from, to]` seconds: the baseline the engine compares a reset to.
    pub fn background(&mut self, from: f64, to: f64) {
        let count = self.rng.range(0, 4);
        for _ in 0..count {
            let at = from + (to - from) * self.rng.range(0, 1000) as f64 / 1000.0;
            let mut c = self.connect(443, at);
            traffic::https_start(&mut self.net, &mut c, "www.example.com");
            c.wait(self.rng.range(100, 3000) as f64 / 1000.0);
            traffic::https_exchange(&mut self.net, &mut c, 380, 9_000);
            c.close(Side::Client);
            self.net.add(c);
        }
    }

    /// Segments sent just before the other side's socket died that arrive
    /// after it: that host's kernel (or a device that saw the reset go by)
    /// answers each with a bare RST (RFC 9293 §3.10.7.1), labelled by
    /// `label` given the root so far. Each is a consequence of `root`;
    /// without one, the first answer is the root.
    pub fn in_flight(
        &mut self,
        c: &mut Conversation,
        flight: InFlight,
        mut root: Option<ResetId>,
        label: impl Fn(Option<ResetId>) -> Verdict,
    ) {
        let InFlight {
            from,
            count,
            dead_at_us,
            answerer,
            recorded,
        } = flight;
        let dead = other(from);
        let one_way = self.path.delay_at(self.path.hops);
        let spacing = (2 * one_way / (count as i64 + 1)).clamp(20, 2_000);
        // What `from` acknowledges before the dead side's last segment (a
        // FIN takes a sequence number) reaches it, and after.
        let ack_after = c.next_seq(dead);
        let fin = c.trigger(dead).flags & FIN != 0;
        let ack_before = ack_after.wrapping_sub(u32::from(fin));
        let segment_seen = recorded
            && match answerer {
                Some(d) => self.path.sees(self.path.end(from), d.position),
                None => true,
            };
        let mut latest = c.now_us();
        for j in 1..=count as i64 {
            let sent = dead_at_us - one_way + j * spacing;
            c.set_now_us(sent + self.path.leg_us(self.path.end(from)));
            let len = self.rng.range(900, 1400) as usize;
            let data = payload::tls_application_data(len, &mut self.rng);
            let ack = if sent < dead_at_us + one_way {
                ack_before
            } else {
                ack_after
            };
            c.set_visible(from, segment_seen);
            c.send_now_acking(from, &data, ack);
            c.set_visible(from, true);
            let Some((host, seen_at)) = self.answer_at(c, from, sent, answerer) else {
                continue;
            };
            c.set_now_us(seen_at);
            let ack_field = host.fingerprint.rst_ack_field && answerer.is_none();
            let (seq, ack, flags) = rst_for(c.trigger(from), ack_field);
            let id = c.reset_from(&host, dead, seq, ack, flags, label(root));
            root = root.or(Some(id));
            latest = latest.max(c.now_us());
        }
        c.set_now_us(latest);
    }

    /// Who answers a segment `from` sent at `sent_us`, and when the capture
    /// sees the answer (`None`: it does not).
    fn answer_at(
        &mut self,
        c: &Conversation,
        from: Side,
        sent_us: i64,
        answerer: Option<Device>,
    ) -> Option<(Host, i64)> {
        let (start, dead) = (self.path.end(from), self.path.end(other(from)));
        match answerer {
            None => {
                let turnaround = self.turnaround_us[usize::from(from == Side::Client)];
                let reach = (self.path.delay_at(dead) - self.path.delay_at(start)).abs();
                Some((
                    c.host(other(from)),
                    sent_us + reach + turnaround + self.path.leg_us(dead),
                ))
            }
            Some(d) => {
                let processing = self.rng.range(15, 250) as i64;
                let reach = (self.path.delay_at(d.position) - self.path.delay_at(start)).abs();
                let seen = sent_us + reach + processing + self.path.leg_us(d.position);
                self.path.sees(d.position, start).then_some((d.host, seen))
            }
        }
    }

    /// `dead`'s socket died with `root`, the RST the capture saw just now
    /// from it: 1 to `most` segments the other side had in flight meet its
    /// kernel, which resets each (consequences).
    pub fn kernel_answers_in_flight(
        &mut self,
        c: &mut Conversation,
        dead: Side,
        root: ResetId,
        most: u64,
    ) {
        let dead_at = self.sent_at(dead, c.now_us());
        let count = self.rng.range(1, most);
        let flight = InFlight::new(other(dead), count, dead_at);
        self.in_flight(c, flight, Some(root), Stage::consequence(dead));
    }

    /// A consequence reset `side`'s kernel sends after `root` tore the connection down.
    pub fn consequence(side: Side) -> impl Fn(Option<ResetId>) -> Verdict {
        move |root| own(side, Cause::ClosedSocket).after(root)
    }

    /// When the host at `side` sent the packet the capture saw at `seen_us`.
    pub fn sent_at(&self, side: Side, seen_us: i64) -> i64 {
        seen_us - self.path.leg_us(self.path.end(side))
    }

    /// A number of seconds drawn uniformly from `[low, high]`, ms precision.
    pub fn seconds(&mut self, low: f64, high: f64) -> f64 {
        let ms = self
            .rng
            .range((low * 1000.0) as u64, (high * 1000.0) as u64);
        ms as f64 / 1000.0
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.rng.range(0, 99) < percent
    }

    /// The client with `percent` chance, else the server (one draw, as
    /// [`Stage::chance`]).
    pub fn side(&mut self, client_percent: u64) -> Side {
        if self.chance(client_percent) {
            Side::Client
        } else {
            Side::Server
        }
    }

    pub fn describe(&self) -> String {
        format!(
            "client {}, server {}, {}",
            self.client.fingerprint.name,
            self.server.fingerprint.name,
            self.path.describe()
        )
    }
}
