//! The report's summary: counts by origin and cause, a one-sentence
//! headline in plain language, the hosts most involved in resets and the
//! activity over time.

mod activity;
pub mod incidents;
pub mod rebuild;
mod top_talkers;

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::render;
use crate::report::{
    CaptureInfo, Cause, CauseCount, Connection, Incident, Origin, Reset, Story, Summary,
};

/// Confidence from which a verdict counts as strong evidence in the
/// headline and the incidents' sentences.
const STRONG: f32 = 0.5;
/// Causes of forged resets the headline names one by one.
const NAMED_CAUSES: usize = 3;

pub fn summarize(
    resets: &[Reset],
    incidents: &[Incident],
    connections: &[Connection],
    info: &CaptureInfo,
) -> Summary {
    let mut summary = Summary {
        by_origin: by_name(tally(resets.iter().map(|r| r.origin)), Origin::as_str),
        by_cause: by_name(tally(resets.iter().map(|r| r.cause)), Cause::as_str),
        ..Summary::default()
    };
    summary.story = story(resets, info, incidents);
    summary.headline = render::headline(&summary.story);
    summary.top_talkers = top_talkers::rank(resets);
    summary.activity = activity::over_time(connections, resets, info);
    summary
}

/// What the headline says: the incidents when the resets fall into fewer
/// of them, else the forged resets by cause, else the most common cause.
fn story(resets: &[Reset], info: &CaptureInfo, incidents: &[Incident]) -> Story {
    let total = resets.len() as u64;
    if total == 0 {
        return Story::NoResets {
            packets: info.packets,
            tcp_packets: Some(info.tcp_packets),
        };
    }
    let largest = incidents.iter().rev().max_by_key(|i| i.frames.len());
    if let Some(largest) = largest.filter(|_| (incidents.len() as u64) < total) {
        return Story::Incidents {
            total,
            incidents: incidents.len() as u64,
            largest: largest.story(),
        };
    }
    let forged: Vec<&Reset> = resets
        .iter()
        .filter(|r| r.origin == Origin::Middlebox)
        .collect();
    if !forged.is_empty() {
        let (causes, other) = named(forged.iter().map(|r| r.cause));
        // The strong verdicts alone, for a headline that must not name a
        // device or cause from weak ones.
        let strong: Vec<Cause> = forged
            .iter()
            .filter(|r| is_strong(r))
            .map(|r| r.cause)
            .collect();
        let (strong_causes, strong_other) = named(strong.iter().copied());
        return Story::Forged {
            total,
            forged: forged.len() as u64,
            strong: strong.len() as u64,
            causes,
            other,
            strong_causes,
            strong_other,
            idle_ns: median_idle(&forged),
        };
    }
    Story::FromEndpoints {
        total,
        top: most_common(resets.iter().map(|r| r.cause)),
        all_unknown: resets.iter().all(|r| r.origin == Origin::Unknown),
    }
}

/// Whether `reset`'s verdict is strong enough for a headline or an
/// incident's sentence to name its origin and cause.
pub(crate) fn is_strong(reset: &Reset) -> bool {
    reset.confidence >= STRONG
}

/// The causes the headline names one by one, most first, and the number
/// of resets of the others.
fn named(causes: impl Iterator<Item = Cause>) -> (Vec<CauseCount>, u64) {
    let groups = by_count(causes);
    let other = groups.iter().skip(NAMED_CAUSES).map(|c| c.resets).sum();
    (groups.into_iter().take(NAMED_CAUSES).collect(), other)
}

/// The most frequent cause (of equally frequent ones, the last in catalogue order).
fn most_common(causes: impl Iterator<Item = Cause>) -> CauseCount {
    by_count(causes)
        .into_iter()
        .max_by_key(|c| c.resets)
        .unwrap_or(CauseCount {
            cause: Cause::Unknown,
            resets: 0,
        })
}

/// How many times each key occurs.
pub(crate) fn tally<K: Ord>(keys: impl Iterator<Item = K>) -> BTreeMap<K, u64> {
    let mut counts = BTreeMap::new();
    for key in keys {
        *counts.entry(key).or_default() += 1;
    }
    counts
}

/// `counts` keyed by each key's `name`: tallied by the enum first, a name
/// is allocated once per key, not once per reset.
pub(crate) fn by_name<K>(
    counts: BTreeMap<K, u64>,
    name: impl Fn(K) -> &'static str,
) -> BTreeMap<String, u64> {
    let mut named = BTreeMap::new();
    for (key, count) in counts {
        *named.entry(name(key).to_string()).or_default() += count;
    }
    named
}

/// Each cause with its number of resets, the most frequent first (ties in
/// catalogue order).
fn by_count(causes: impl Iterator<Item = Cause>) -> Vec<CauseCount> {
    let mut groups: Vec<CauseCount> = tally(causes)
        .into_iter()
        .map(|(cause, resets)| CauseCount { cause, resets })
        .collect();
    crate::sort::sort_by(&mut groups, |a, b| {
        b.resets.cmp(&a.resets).then(a.cause.cmp(&b.cause))
    });
    groups
}

/// The median idle gap of the forged idle-timeout resets.
fn median_idle(forged: &[&Reset]) -> Option<i64> {
    let mut idles: Vec<i64> = forged
        .iter()
        .filter(|r| r.cause == Cause::IdleTimeout)
        .filter_map(|r| r.observed.idle_ns)
        .collect();
    idles.sort_unstable();
    idles.get(idles.len() / 2).copied()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::report::{Sender, Stage};

    /// A judged reset with only what the summary reads filled in.
    pub fn reset(frame: u64, time: f64, src: &str, dst: &str, origin: Origin) -> Reset {
        Reset {
            frame,
            time,
            src: src.parse().unwrap(),
            dst: dst.parse().unwrap(),
            seq: 0,
            ack: 0,
            flags: "RST".to_string(),
            ttl: 64,
            ip_id: None,
            payload_len: 0,
            encapsulation: "ipv4".to_string(),
            connection: None,
            stream: None,
            sender: Sender::Unknown,
            origin,
            cause: Cause::Unknown,
            sub_cause: None,
            confidence: 0.9,
            evidence: Vec::new(),
            signature: None,
            stage: Stage::Unknown,
            payload_text: None,
            reason_code: None,
            tips: Vec::new(),
            observed: Default::default(),
            ladder: Vec::new(),
            consequence_of: None,
            incident: None,
            conflict: None,
        }
    }

    pub fn connection(id: u32, first_time: f64, last_time: f64) -> Connection {
        Connection {
            id,
            stream: Some(id),
            first_frame: Some(1),
            client: "10.0.0.2:5000".parse().unwrap(),
            server: "10.0.0.1:80".parse().unwrap(),
            roles_from: "handshake".into(),
            first_time,
            last_time,
            client_packets: 1,
            server_packets: 1,
            client_bytes: 0,
            server_bytes: 0,
            conn_state: "SF".into(),
            history: "ShADadFf".into(),
            resets: Vec::new(),
        }
    }

    #[test]
    fn the_summary_holds_counts_talkers_and_activity() {
        let resets = [
            reset(3, 10.0, "10.0.0.1:80", "10.0.0.2:5000", Origin::Middlebox),
            reset(7, 20.0, "10.0.0.1:80", "10.0.0.2:5001", Origin::Server),
        ];
        let info = CaptureInfo {
            packets: 12,
            first_time: Some(0.0),
            last_time: Some(30.0),
            ..CaptureInfo::default()
        };
        let summary = summarize(&resets, &[], &[connection(1, 0.0, 30.0)], &info);
        assert_eq!(summary.by_origin.get("middlebox"), Some(&1));
        let talkers: Vec<(&str, u64)> = summary
            .top_talkers
            .iter()
            .map(|t| (t.host.as_str(), t.resets))
            .collect();
        assert_eq!(talkers, [("10.0.0.1", 2), ("10.0.0.2", 2)]);
        let buckets = &summary.activity.buckets;
        assert_eq!(buckets.len(), 60);
        assert_eq!((buckets[20].resets, buckets[40].resets), (1, 1));
        assert!(buckets.iter().all(|b| b.active == 1));
    }

    fn forged(frame: u64, cause: Cause) -> Reset {
        let mut r = reset(
            frame,
            1.0,
            "10.0.0.1:80",
            "10.0.0.2:5000",
            Origin::Middlebox,
        );
        r.cause = cause;
        r
    }

    #[test]
    fn the_headline_names_one_cause_of_forged_resets() {
        let resets = [forged(1, Cause::Injected), forged(2, Cause::Injected)];
        let info = CaptureInfo::default();
        assert_eq!(
            render::headline(&story(&resets, &info, &[])),
            "2 of 2 resets were forged on the path: a device on the path injected them (censorship or DPI)."
        );
    }

    #[test]
    fn the_headline_counts_each_cause_of_forged_resets() {
        let mut idle = forged(2, Cause::IdleTimeout);
        idle.observed.idle_ns = Some(301_000_000_000);
        let mut resets = alloc::vec![
            forged(1, Cause::Injected),
            idle,
            forged(3, Cause::Injected),
            reset(4, 1.0, "10.0.0.1:80", "10.0.0.2:5001", Origin::Server),
        ];
        let info = CaptureInfo::default();
        assert_eq!(
            render::headline(&story(&resets, &info, &[])),
            "3 of 4 resets were forged on the path: 2 injected by a censor or DPI device, \
             1 from a NAT or firewall that forgot an idle connection (after ~301 s)."
        );
        // Past three causes, the rest is counted together.
        resets.extend([
            forged(5, Cause::Refused),
            forged(6, Cause::OutOfWindow),
            forged(7, Cause::Scan),
        ]);
        let text = render::headline(&story(&resets, &info, &[]));
        assert!(
            text.starts_with("6 of 7 resets were forged on the path: 2 injected"),
            "{text}"
        );
        assert!(text.ends_with(", 2 for other reasons."), "{text}");
    }

    #[test]
    fn test_forged_weak_injected_beside_strong_idle_names_no_censor() {
        let mut idle = forged(1, Cause::IdleTimeout);
        idle.observed.idle_ns = Some(301_000_000_000);
        let mut resets = alloc::vec![idle, forged(2, Cause::Injected), forged(3, Cause::Injected)];
        for weak in &mut resets[1..] {
            weak.confidence = 0.3;
        }
        let text = render::headline(&story(&resets, &CaptureInfo::default(), &[]));
        assert_eq!(
            text,
            "1 of 3 resets was forged on the path: a NAT or firewall forgot idle connections \
             after ~301 s; 2 more may have been (weak evidence)."
        );
    }
}
