//! "Anonymise addresses" for sharing: every IP address anywhere in the
//! report (endpoints, evidence, tips, headline, warnings, RST payload text)
//! becomes a pseudonym, the same one everywhere, so the report still reads
//! consistently ("198.18.0.1 reset 198.18.0.2 twice").
//!
//! Pseudonyms come from ranges that never appear on the Internet:
//! 198.18.0.0/15 (benchmarking, RFC 2544), then 240.0.0.0/4 (reserved) for
//! IPv4, and 2001:db8::/32 (documentation, RFC 3849) for IPv6.

use crate::protocol::from_json;
use rstscope_core::Report;
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A copy of `report` with every IP address replaced by its pseudonym.
///
/// Works on the report's JSON form, so every string field is covered,
/// including fields added to the model later.
pub fn anonymize(report: &Report) -> Result<Report, String> {
    // Through JSON text, with the writer ("Export JSON") and the reader
    // (the worker's reports) the page has anyway: `to_value`/`from_value`
    // would add a serde_json::Value writer and reader of every report type.
    let text = serde_json::to_vec_pretty(report).map_err(|err| err.to_string())?;
    let mut json: Value = from_json(&text).map_err(|err| err.to_string())?;
    // No pseudonym may be an address the report already holds, or two hosts
    // would read as one.
    let mut real = HashSet::new();
    for_each_string(&mut json, &mut |text| {
        for_each_address(text, |ip| {
            real.insert(ip);
        })
    });
    let mut names = Pseudonyms {
        real,
        ..Pseudonyms::default()
    };
    for_each_string(&mut json, &mut |text| names.rewrite(text));
    let text = serde_json::to_vec(&json).map_err(|err| err.to_string())?;
    from_json(&text).map_err(|err| err.to_string())
}

/// Calls `f` on every string in `json`, object keys included.
fn for_each_string(json: &mut Value, f: &mut impl FnMut(&mut String)) {
    match json {
        Value::String(text) => f(text),
        Value::Array(items) => items.iter_mut().for_each(|item| for_each_string(item, f)),
        Value::Object(fields) => {
            let renamed: Map<String, Value> = std::mem::take(fields)
                .into_iter()
                .map(|(mut key, mut value)| {
                    f(&mut key);
                    for_each_string(&mut value, f);
                    (key, value)
                })
                .collect();
            *fields = renamed;
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// Calls `f` with every address written in `text`.
fn for_each_address(text: &str, mut f: impl FnMut(IpAddr)) {
    for token in text.split(|c| !is_address_char(c)) {
        if let Some((ip, _)) = parse_token(token) {
            f(ip);
        }
    }
}

/// `token` is a run of hex digits, dots and colons: an address, an
/// "ipv4:port", or anything else (a number, a word like "face"). Returns the
/// address and the rest of the token after it (a port, punctuation).
fn parse_token(token: &str) -> Option<(IpAddr, &str)> {
    // Sentence punctuation after an address is not part of it.
    let core = token.trim_end_matches(['.', ':']);
    let tail = &token[core.len()..];
    if let Ok(ip) = core.parse::<IpAddr>() {
        return Some((ip, tail));
    }
    let (host, port) = core.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    let ip = host.parse::<Ipv4Addr>().ok()?;
    Some((IpAddr::V4(ip), &token[host.len()..]))
}

/// The address-to-pseudonym table, filled in order of first appearance.
#[derive(Default)]
struct Pseudonyms {
    table: HashMap<IpAddr, IpAddr>,
    /// Addresses of the original report, never handed out as pseudonyms.
    real: HashSet<IpAddr>,
    v4_used: u32,
    v6_used: u128,
}

impl Pseudonyms {
    fn pseudonym(&mut self, ip: IpAddr) -> IpAddr {
        if let Some(&name) = self.table.get(&ip) {
            return name;
        }
        let name = loop {
            let candidate = match ip {
                IpAddr::V4(_) => {
                    self.v4_used += 1;
                    IpAddr::V4(v4_pseudonym(self.v4_used))
                }
                IpAddr::V6(_) => {
                    self.v6_used += 1;
                    let base = u128::from(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0));
                    IpAddr::V6(Ipv6Addr::from(base + self.v6_used))
                }
            };
            if !self.real.contains(&candidate) {
                break candidate;
            }
        };
        self.table.insert(ip, name);
        name
    }

    /// Replaces every address in `text`, leaving all other characters alone.
    fn rewrite(&mut self, text: &mut String) {
        let mut out = String::with_capacity(text.len());
        let mut rest = text.as_str();
        while let Some(start) = rest.find(is_address_char) {
            out.push_str(&rest[..start]);
            let run = &rest[start..];
            let len = run.find(|c| !is_address_char(c)).unwrap_or(run.len());
            let token = &run[..len];
            match parse_token(token) {
                Some((ip, tail)) => {
                    out.push_str(&self.pseudonym(ip).to_string());
                    out.push_str(tail);
                }
                None => out.push_str(token),
            }
            rest = &run[len..];
        }
        out.push_str(rest);
        *text = out;
    }
}

fn is_address_char(c: char) -> bool {
    c.is_ascii_hexdigit() || c == '.' || c == ':'
}

/// The `n`th IPv4 pseudonym (from 1): 198.18.0.1 up, then 240.0.0.0 up.
fn v4_pseudonym(n: u32) -> Ipv4Addr {
    const BENCHMARK: u32 = 0xc612_0000; // 198.18.0.0/15
    const BENCHMARK_SIZE: u32 = 1 << 17;
    const RESERVED: u32 = 0xf000_0000; // 240.0.0.0/4
    if n < BENCHMARK_SIZE {
        Ipv4Addr::from(BENCHMARK + n)
    } else {
        Ipv4Addr::from(RESERVED.wrapping_add(n - BENCHMARK_SIZE))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_reports::{fixture_report, sample_report};
    use rstscope_core::report::{Endpoint, Evidence, Fact, Role, Signal};
    use std::collections::BTreeSet;

    /// Every IP address in the report's JSON.
    fn addresses(report: &Report) -> BTreeSet<IpAddr> {
        let json = serde_json::to_string(report).expect("serialises");
        let mut found = BTreeSet::new();
        for_each_address(&json, |ip| {
            found.insert(ip);
        });
        found
    }

    #[test]
    fn no_original_address_survives() {
        for report in [fixture_report(), sample_report()] {
            let before = addresses(&report);
            let after = addresses(&anonymize(&report).expect("anonymises"));
            assert!(
                before.is_disjoint(&after),
                "{:?}",
                before.intersection(&after)
            );
            // Distinct addresses stay distinct.
            assert_eq!(before.len(), after.len());
        }
    }

    #[test]
    fn the_comparison_is_anonymised_too() {
        let report = crate::comparison::tests::pair_report();
        let cmp = report.comparison.as_ref().expect("a comparison");
        let mut inside = BTreeSet::new();
        let json = serde_json::to_string(cmp).expect("serialises");
        for_each_address(&json, |ip| {
            inside.insert(ip);
        });
        assert!(!inside.is_empty(), "the comparison names addresses");
        let shared = anonymize(&report).expect("anonymises");
        let after = addresses(&shared);
        assert!(
            inside.is_disjoint(&after),
            "{:?}",
            inside.intersection(&after)
        );
        let shared_cmp = shared.comparison.as_ref().expect("still compared");
        // The same pseudonym in the comparison as in the connections.
        let first = &shared_cmp.matched[0];
        let id = first.main.expect("listed");
        let conn = shared
            .connections
            .iter()
            .find(|c| c.id == id)
            .expect("conn");
        assert_eq!(
            (&first.main_client, &first.main_server),
            (&conn.client, &conn.server)
        );
        assert_eq!(shared_cmp.resets.len(), cmp.resets.len());
    }

    #[test]
    fn pseudonyms_are_consistent_across_fields() {
        let report = fixture_report();
        let shared = anonymize(&report).expect("anonymises");
        assert_eq!(shared.resets.len(), report.resets.len());
        for (reset, original) in shared.resets.iter().zip(&report.resets) {
            let Some(id) = reset.connection else { continue };
            let conn = shared
                .connections
                .iter()
                .find(|c| c.id == id)
                .expect("listed");
            let original_conn = report
                .connections
                .iter()
                .find(|c| c.id == id)
                .expect("listed");
            // The reset's endpoints are the connection's, both before and after.
            let pair = |a: &Endpoint, b: &Endpoint| [*a, *b];
            let sides = [
                pair(&conn.client, &conn.server),
                pair(&conn.server, &conn.client),
            ];
            let original_sides = [
                pair(&original_conn.client, &original_conn.server),
                pair(&original_conn.server, &original_conn.client),
            ];
            let which = original_sides
                .iter()
                .position(|s| *s == pair(&original.src, &original.dst))
                .expect("a reset's endpoints are its connection's");
            assert_eq!(pair(&reset.src, &reset.dst), sides[which]);
            // Only addresses change: the rest of the reset is untouched.
            assert_eq!(reset.frame, original.frame);
            assert_eq!(reset.cause, original.cause);
            assert_eq!(reset.evidence.len(), original.evidence.len());
        }
    }

    #[test]
    fn addresses_inside_sentences_are_replaced() {
        let mut report = fixture_report();
        let reset = report.resets.first_mut().expect("the fixture has resets");
        reset.src = "10.1.2.3:443".parse().expect("an endpoint");
        reset.evidence.push(Evidence {
            signal: Signal::Ttl,
            finding: "TTL 63 from 10.1.2.3, not 52 as from [2001:db8:aa::1]:80 or fe80::1.".into(),
            points_to: reset.origin,
            fact: Fact::TtlAlone {
                role: Role::Server,
                ttl: 63,
            },
        });
        let shared = anonymize(&report).expect("anonymises");
        let reset = &shared.resets[0];
        let host = reset.src.ip.to_string();
        let finding = &reset.evidence.last().expect("pushed").finding;
        let mut found = Vec::new();
        for_each_address(finding, |ip| found.push(ip));
        let [IpAddr::V4(v4), IpAddr::V6(a), IpAddr::V6(b)] = found[..] else {
            panic!("three addresses, IPv4 first: {finding}");
        };
        assert_eq!(v4.to_string(), host);
        assert_ne!(a, b);
        for v6 in [a, b] {
            assert_eq!(
                v6.segments()[..2],
                [0x2001, 0xdb8],
                "{v6} is a documentation address"
            );
        }
        assert_eq!(
            *finding,
            format!("TTL 63 from {host}, not 52 as from [{a}]:80 or {b}.")
        );
        // Numbers that are not addresses stay.
        assert!(finding.starts_with("TTL 63"));
    }

    #[test]
    fn top_talkers_get_the_pseudonyms_of_their_resets() {
        let report = sample_report();
        assert!(
            !report.summary.top_talkers.is_empty(),
            "the sample has resets"
        );
        let shared = anonymize(&report).expect("anonymises");
        let endpoints: BTreeSet<IpAddr> = shared
            .resets
            .iter()
            .flat_map(|r| [r.src.ip, r.dst.ip])
            .collect();
        for (talker, original) in shared
            .summary
            .top_talkers
            .iter()
            .zip(&report.summary.top_talkers)
        {
            let ip: IpAddr = talker.host.parse().expect("still an address");
            assert!(endpoints.contains(&ip), "{ip} is in no anonymised reset");
            assert_ne!(talker.host, original.host);
            assert_eq!(
                (talker.resets, &talker.by_origin),
                (original.resets, &original.by_origin)
            );
        }
    }

    #[test]
    fn pseudonyms_come_from_unrouted_ranges() {
        assert_eq!(v4_pseudonym(1), Ipv4Addr::new(198, 18, 0, 1));
        assert_eq!(
            v4_pseudonym((1 << 17) - 1),
            Ipv4Addr::new(198, 19, 255, 255)
        );
        assert_eq!(v4_pseudonym(1 << 17), Ipv4Addr::new(240, 0, 0, 0));
    }
}
