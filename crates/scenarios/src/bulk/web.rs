//! The `web` mix: an office browsing the web. Each page visit looks its
//! site up in DNS and opens one to six TLS connections (the site's own,
//! then its CDN and API hosts); each connection fetches a few resources,
//! may be reused for the next page a few seconds later (keep-alive), and is
//! closed by the server's keep-alive timeout or by the browser, or left
//! open. API calls and health checks make one request per connection.
//! Most connections carry tens of packets, not thousands.

use super::{full_segment, Generator, Kind, Wire, SITES};
use crate::conversation::{Conversation, Side};
use crate::host::Host;
use crate::payload;
use crate::rng::Rng;

/// Mean visits (and other flows) started per second.
pub(super) const VISITS_PER_S: f64 = 25.0;

/// What starts, weights out of 1000: mostly page visits and API calls, a
/// few long keep-alive sessions, QUIC streams and downloads, and DNS
/// lookups on their own (the visits make their own too).
pub(super) const KINDS: [(Kind, u64); 6] = [
    (Kind::Page, 420),
    (Kind::Api, 400),
    (Kind::Web, 20),
    (Kind::Dns, 140),
    (Kind::Download, 3),
    (Kind::Quic, 17),
];

/// Most extra requests on one connection per page.
const MAX_MORE: u64 = 12;

impl Generator {
    /// A page visit: a DNS lookup, then the page's connections.
    pub(super) fn page(&mut self, at: i64) -> Vec<Wire> {
        let (client, site) = self.endpoints();
        self.page_from(&client, &site, at)
    }

    /// A visit by `client` to `site`.
    pub(super) fn page_from(&mut self, client: &Host, site: &Host, at: i64) -> Vec<Wire> {
        let (client, site) = (*client, *site);
        let mut wires = self.dns_from(&client, at);
        let start = wires.last().map_or(at, |wire| wire.ts_us) + 500;
        let site_rtt_us = self.rtt_us();
        for i in 0..self.rng.range(1, 6) {
            // The document first; the other connections once it has come
            // back, to the same site or to another host of the page.
            let c = if i == 0 {
                self.page_connection(&client, &site, start, site_rtt_us)
            } else {
                let begin = start + 4 * site_rtt_us + self.rng.range(0, 50_000) as i64;
                if self.rng.range(0, 1) == 0 {
                    self.page_connection(&client, &site, begin, site_rtt_us)
                } else {
                    let (host, rtt_us) = (self.server_for(&client), self.rtt_us());
                    self.page_connection(&client, &host, begin, rtt_us)
                }
            };
            wires.extend(self.compact(c));
        }
        wires
    }

    /// One TLS connection of a page: resources one after another, maybe the
    /// next page on the same connection, then the keep-alive close.
    fn page_connection(
        &mut self,
        client: &Host,
        server: &Host,
        at: i64,
        rtt_us: i64,
    ) -> Conversation {
        let mut c = self.tls_connection(client, server, at, rtt_us);
        let segment = full_segment(client, server);
        let requests = 1 + self.more();
        self.exchanges(&mut c, segment, requests);
        if self.rng.range(1, 100) <= 20 {
            // The user reads, then opens another page of the site.
            let read = self.seconds(2.0, 30.0);
            c.wait(read);
            let requests = 1 + self.more();
            self.exchanges(&mut c, segment, requests);
        }
        match self.rng.range(1, 10) {
            // The server's keep-alive timeout (nginx's default is 75 s).
            1..=5 => {
                let idle = self.seconds(5.0, 75.0);
                c.wait(idle);
                c.close(Side::Server);
            }
            // The browser trims its socket pool, or the tab closes.
            6..=9 => {
                let idle = self.seconds(0.5, 120.0);
                c.wait(idle);
                c.close(Side::Client);
            }
            _ => {}
        }
        c
    }

    /// An API call or health check: one request, one short answer, and the
    /// connection closed at once (`Connection: close`).
    pub(super) fn api(&mut self, at: i64) -> Vec<Wire> {
        let (client, server) = self.endpoints();
        let rtt_us = self.rtt_us();
        let segment = full_segment(&client, &server);
        let mut c = if self.rng.range(1, 10) <= 8 {
            self.tls_connection(&client, &server, at, rtt_us)
        } else {
            let port = self.ephemeral_port(&client);
            let rng = Rng::new(self.rng.next_u64());
            let mut c = Conversation::new(0, rng, (client, port), (server, 80), at, rtt_us);
            c.handshake();
            c
        };
        let request = self.log_uniform(150, 2_000);
        c.send(Side::Client, &self.filler[..request]);
        let response = self.log_uniform(100, 8_000);
        self.transfer(&mut c, Side::Server, response, segment);
        let closer = if self.rng.range(1, 10) <= 7 {
            Side::Client
        } else {
            Side::Server
        };
        c.close(closer);
        self.compact(c)
    }

    /// Handshake, ClientHello and the server's first flight.
    fn tls_connection(
        &mut self,
        client: &Host,
        server: &Host,
        at: i64,
        rtt_us: i64,
    ) -> Conversation {
        let port = self.ephemeral_port(client);
        let rng = Rng::new(self.rng.next_u64());
        let mut c = Conversation::new(0, rng, (*client, port), (*server, 443), at, rtt_us);
        let sni = SITES[self.rng.range(0, SITES.len() as u64 - 1) as usize];
        c.handshake();
        c.send(Side::Client, &payload::tls_client_hello(sni, &mut self.rng));
        let flight = self.log_uniform(2_500, 5_000);
        self.transfer(&mut c, Side::Server, flight, full_segment(client, server));
        c
    }

    /// `count` requests, each answered in full before the next, a few
    /// milliseconds apart (a page's resources).
    fn exchanges(&mut self, c: &mut Conversation, segment: usize, count: u64) {
        for _ in 0..count {
            let think = self.seconds(0.001, 0.2);
            c.wait(think);
            let request = self.log_uniform(200, 1_500);
            c.send(Side::Client, &self.filler[..request]);
            let response = self.log_uniform(150, 20_000);
            self.transfer(c, Side::Server, response, segment);
        }
    }

    /// 0, 1, 2, ...: one more with probability 1/2 each time, up to
    /// [`MAX_MORE`] (mean about 1).
    fn more(&mut self) -> u64 {
        let mut n = 0;
        while n < MAX_MORE && self.rng.range(0, 1) == 1 {
            n += 1;
        }
        n
    }
}
