//! The report's summary: counts by origin and cause, a one-sentence
//! headline in plain language, the hosts most involved in resets and the
//! activity over time.

mod activity;
mod top_talkers;

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::causes;
use crate::report::{CaptureInfo, Cause, Connection, Origin, Reset, Summary};

/// Confidence from which a verdict counts as strong evidence in the headline.
const STRONG: f32 = 0.5;

/// `idle_s[i]` is the idle gap behind `resets[i]`, when it was an idle timeout.
pub fn summarize(
    resets: &[Reset],
    idle_s: &[Option<f64>],
    connections: &[Connection],
    info: &CaptureInfo,
) -> Summary {
    let mut summary = Summary::default();
    for reset in resets {
        *summary
            .by_origin
            .entry(reset.origin.as_str().to_string())
            .or_default() += 1;
        *summary
            .by_cause
            .entry(reset.cause.as_str().to_string())
            .or_default() += 1;
    }
    summary.headline = headline(resets, idle_s, info);
    summary.top_talkers = top_talkers::rank(resets);
    summary.activity = activity::over_time(connections, resets, info);
    summary
}

fn headline(resets: &[Reset], idle_s: &[Option<f64>], info: &CaptureInfo) -> String {
    let total = resets.len();
    if total == 0 {
        return format!("No TCP resets in {} packets.", info.packets);
    }
    let is_forged = |r: &&Reset| r.origin == Origin::Middlebox;
    let forged: Vec<&Reset> = resets.iter().filter(is_forged).collect();
    let resets_word = if total == 1 { "reset" } else { "resets" };
    if !forged.is_empty() {
        let idle = median_idle(resets, idle_s);
        let groups = by_count(forged.iter().map(|r| r.cause));
        let how = match groups.as_slice() {
            [(cause, _)] => whole(*cause, idle),
            // Several devices or reasons: say how many resets each made.
            _ => {
                let mut parts: Vec<String> = groups
                    .iter()
                    .take(3)
                    .map(|(cause, k)| format!("{k} {}", part(*cause, idle)))
                    .collect();
                let rest: usize = groups.iter().skip(3).map(|(_, k)| k).sum();
                if rest > 0 {
                    parts.push(format!("{rest} for other reasons"));
                }
                parts.join(", ")
            }
        };
        // Say how strong the case is: a headline must not be surer than its verdicts.
        let strong = forged.iter().filter(|r| r.confidence >= STRONG).count();
        let n = forged.len();
        let were = if n == 1 { "was" } else { "were" };
        return if strong == n {
            format!("{n} of {total} {resets_word} {were} forged on the path: {how}.")
        } else if strong == 0 {
            format!("{n} of {total} {resets_word} may have been forged on the path (weak evidence): {how}.")
        } else {
            format!("{n} of {total} {resets_word} {were} forged on the path ({strong} with strong evidence): {how}.")
        };
    }
    let cause = most_common(resets.iter().map(|r| r.cause));
    let count = resets.iter().filter(|r| r.cause == cause).count();
    let unknown = resets
        .iter()
        .filter(|r| r.origin == Origin::Unknown)
        .count();
    if unknown == total {
        return format!("{total} {resets_word}, too little context to tell who sent them; most common: {} ({count}).", causes::plain(cause));
    }
    format!("No forged resets: {total} {resets_word} came from the endpoints; most common: {} ({count}).", causes::plain(cause))
}

/// The most frequent cause (of equally frequent ones, the last in catalogue order).
fn most_common(causes: impl Iterator<Item = Cause>) -> Cause {
    by_count(causes)
        .into_iter()
        .max_by_key(|(_, n)| *n)
        .map_or(Cause::Unknown, |(c, _)| c)
}

/// Each cause with its number of resets, the most frequent first (ties in
/// catalogue order).
fn by_count(causes: impl Iterator<Item = Cause>) -> Vec<(Cause, usize)> {
    let mut counts: BTreeMap<Cause, usize> = BTreeMap::new();
    for c in causes {
        *counts.entry(c).or_default() += 1;
    }
    let mut groups: Vec<(Cause, usize)> = counts.into_iter().collect();
    groups.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    groups
}

/// What the path did, when all forged resets share one cause.
fn whole(cause: Cause, idle: Option<f64>) -> String {
    match cause {
        Cause::IdleTimeout => match idle {
            Some(idle) => format!("a NAT or firewall forgot idle connections after ~{idle:.0} s"),
            None => "a NAT or firewall forgot idle connections".to_string(),
        },
        Cause::OutOfWindow => "a stateful firewall rejected out-of-window segments".to_string(),
        Cause::Injected => "a device on the path injected them (censorship or DPI)".to_string(),
        Cause::Refused => "a firewall refused connections in the server's name".to_string(),
        _ => "a device on the path sent them in an endpoint's name".to_string(),
    }
}

/// The same, for a share of the forged resets: follows their number.
fn part(cause: Cause, idle: Option<f64>) -> String {
    match cause {
        Cause::IdleTimeout => match idle {
            Some(idle) => format!(
                "from a NAT or firewall that forgot an idle connection (after ~{idle:.0} s)"
            ),
            None => "from a NAT or firewall that forgot an idle connection".to_string(),
        },
        Cause::OutOfWindow => {
            "from a stateful firewall rejecting out-of-window segments".to_string()
        }
        Cause::Injected => "injected by a censor or DPI device".to_string(),
        Cause::Refused => "from a firewall refusing a connection in the server's name".to_string(),
        _ => "sent by a device in an endpoint's name".to_string(),
    }
}

/// The median idle gap of the forged idle-timeout resets.
fn median_idle(resets: &[Reset], idle_s: &[Option<f64>]) -> Option<f64> {
    let mut idles: Vec<f64> = resets
        .iter()
        .zip(idle_s)
        .filter(|(r, _)| r.origin == Origin::Middlebox && r.cause == Cause::IdleTimeout)
        .filter_map(|(_, idle)| *idle)
        .collect();
    idles.sort_by(f64::total_cmp);
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
            src: src.to_string(),
            dst: dst.to_string(),
            seq: 0,
            ack: 0,
            flags: "RST".to_string(),
            ttl: 64,
            ip_id: None,
            payload_len: 0,
            encapsulation: "ipv4".to_string(),
            connection: None,
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
            ladder: Vec::new(),
        }
    }

    pub fn connection(id: u32, first_time: f64, last_time: f64) -> Connection {
        Connection {
            id,
            client: "10.0.0.2:5000".to_string(),
            server: "10.0.0.1:80".to_string(),
            roles_from: "handshake".to_string(),
            first_time,
            last_time,
            client_packets: 1,
            server_packets: 1,
            client_bytes: 0,
            server_bytes: 0,
            conn_state: "SF".to_string(),
            history: "ShADadFf".to_string(),
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
        let summary = summarize(&resets, &[None, None], &[connection(1, 0.0, 30.0)], &info);
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
            headline(&resets, &[None, None], &info),
            "2 of 2 resets were forged on the path: a device on the path injected them (censorship or DPI)."
        );
    }

    #[test]
    fn the_headline_counts_each_cause_of_forged_resets() {
        let mut resets = alloc::vec![
            forged(1, Cause::Injected),
            forged(2, Cause::IdleTimeout),
            forged(3, Cause::Injected),
            reset(4, 1.0, "10.0.0.1:80", "10.0.0.2:5001", Origin::Server),
        ];
        let idle = [None, Some(301.0), None, None];
        assert_eq!(
            headline(&resets, &idle, &CaptureInfo::default()),
            "3 of 4 resets were forged on the path: 2 injected by a censor or DPI device, \
             1 from a NAT or firewall that forgot an idle connection (after ~301 s)."
        );
        // Past three causes, the rest is counted together.
        resets.extend([
            forged(5, Cause::Refused),
            forged(6, Cause::OutOfWindow),
            forged(7, Cause::Scan),
        ]);
        let idle = [None, Some(301.0), None, None, None, None, None];
        let text = headline(&resets, &idle, &CaptureInfo::default());
        assert!(
            text.starts_with("6 of 7 resets were forged on the path: 2 injected"),
            "{text}"
        );
        assert!(text.ends_with(", 2 for other reasons."), "{text}");
    }
}
