//! The hosts most involved in resets: who keeps resetting, or being reset.

use alloc::collections::BTreeMap;
use alloc::string::ToString;
use alloc::vec::Vec;
use core::cmp::Reverse;
use core::net::IpAddr;

use crate::report::{Origin, Reset, TopTalker};

/// Hosts listed in the summary.
const TOP_TALKERS: usize = 10;

/// One host's counts while the resets are tallied: its origins by enum,
/// named only for the hosts listed.
#[derive(Default)]
struct Tally {
    resets: u64,
    sent: u64,
    received: u64,
    by_origin: BTreeMap<Origin, u64>,
}

impl Tally {
    fn involve(&mut self, origin: Origin) {
        self.resets += 1;
        *self.by_origin.entry(origin).or_default() += 1;
    }

    fn listed(self, host: IpAddr) -> TopTalker {
        TopTalker {
            host: host.to_string(),
            resets: self.resets,
            sent: self.sent,
            received: self.received,
            by_origin: super::by_name(self.by_origin, Origin::as_str),
        }
    }
}

/// Every host of `resets` tallied, ranked by resets taken part in, then
/// resets sent, then address (numerically, so equal counts list in a stable
/// and readable order).
pub fn rank(resets: &[Reset]) -> Vec<TopTalker> {
    let mut hosts: BTreeMap<IpAddr, Tally> = BTreeMap::new();
    for reset in resets {
        let (src, dst) = (reset.src.ip, reset.dst.ip);
        let sender = hosts.entry(src).or_default();
        sender.sent += 1;
        sender.involve(reset.origin);
        let receiver = hosts.entry(dst).or_default();
        receiver.received += 1;
        if dst != src {
            receiver.involve(reset.origin);
        }
    }
    let mut ranked: Vec<(IpAddr, Tally)> = hosts.into_iter().collect();
    // Stable: the map listed them in address order.
    ranked.sort_by_key(|(_, t)| (Reverse(t.resets), Reverse(t.sent)));
    ranked.truncate(TOP_TALKERS);
    ranked
        .into_iter()
        .map(|(host, tally)| tally.listed(host))
        .collect()
}

#[cfg(test)]
mod tests {
    use alloc::string::String;

    use super::*;
    use crate::summary::tests::reset;

    fn counts(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    #[test]
    fn hosts_are_ranked_with_their_sent_received_and_origins() {
        let resets = [
            reset(1, 1.0, "10.0.0.1:443", "10.0.0.9:5000", Origin::Middlebox),
            reset(2, 2.0, "10.0.0.1:443", "10.0.0.9:5001", Origin::Middlebox),
            reset(3, 3.0, "10.0.0.1:443", "10.0.0.8:5002", Origin::Server),
            reset(4, 4.0, "10.0.0.9:5003", "10.0.0.2:80", Origin::Client),
            reset(
                5,
                5.0,
                "[2001:db8::1]:80",
                "[2001:db8::2]:6000",
                Origin::Unknown,
            ),
        ];
        let ranked = rank(&resets);
        let rows: Vec<_> = ranked
            .iter()
            .map(|t| (t.host.as_str(), t.resets, t.sent, t.received))
            .collect();
        assert_eq!(
            rows,
            [
                ("10.0.0.1", 3, 3, 0),
                ("10.0.0.9", 3, 1, 2),
                // Equal involvement: the sender first.
                ("2001:db8::1", 1, 1, 0),
                ("10.0.0.2", 1, 0, 1),
                ("10.0.0.8", 1, 0, 1),
                ("2001:db8::2", 1, 0, 1),
            ]
        );
        assert_eq!(
            ranked[0].by_origin,
            counts(&[("middlebox", 2), ("server", 1)])
        );
        assert_eq!(
            ranked[1].by_origin,
            counts(&[("middlebox", 2), ("client", 1)])
        );
    }

    #[test]
    fn a_host_resetting_itself_counts_once() {
        let ranked = rank(&[reset(1, 1.0, "127.0.0.1:80", "127.0.0.1:9", Origin::Server)]);
        assert_eq!(ranked.len(), 1);
        assert_eq!(
            (ranked[0].resets, ranked[0].sent, ranked[0].received),
            (1, 1, 1)
        );
        assert_eq!(ranked[0].by_origin, counts(&[("server", 1)]));
    }

    #[test]
    fn only_the_top_ten_are_kept() {
        let resets: Vec<Reset> = (0..15u8)
            .map(|i| {
                let src = alloc::format!("10.0.1.{i}:80");
                reset(u64::from(i), 0.0, &src, "10.0.0.1:9", Origin::Server)
            })
            .collect();
        let ranked = rank(&resets);
        assert_eq!(ranked.len(), 10);
        assert_eq!(
            (ranked[0].host.as_str(), ranked[0].resets),
            ("10.0.0.1", 15)
        );
        // Ties with one reset each fall back to address order.
        let tied: Vec<&str> = ranked[1..].iter().map(|t| t.host.as_str()).collect();
        assert_eq!(
            tied,
            [
                "10.0.1.0", "10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.1.4", "10.0.1.5", "10.0.1.6",
                "10.0.1.7", "10.0.1.8"
            ]
        );
    }
}
