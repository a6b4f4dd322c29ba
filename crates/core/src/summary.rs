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
        let cause = most_common(forged.iter().map(|r| r.cause));
        let how = match cause {
            Cause::IdleTimeout => match median_idle(resets, idle_s) {
                Some(idle) => {
                    format!("a NAT or firewall forgot idle connections after ~{idle:.0} s")
                }
                None => "a NAT or firewall forgot idle connections".to_string(),
            },
            Cause::OutOfWindow => "a stateful firewall rejected out-of-window segments".to_string(),
            Cause::Injected => "a device on the path injected them (censorship or DPI)".to_string(),
            Cause::Refused => "a firewall refused connections in the server's name".to_string(),
            _ => "a device on the path sent them in an endpoint's name".to_string(),
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

fn most_common(causes: impl Iterator<Item = Cause>) -> Cause {
    let mut counts: BTreeMap<Cause, usize> = BTreeMap::new();
    for c in causes {
        *counts.entry(c).or_default() += 1;
    }
    counts
        .into_iter()
        .max_by_key(|(_, n)| *n)
        .map_or(Cause::Unknown, |(c, _)| c)
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
}
