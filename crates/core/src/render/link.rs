//! Sentences and tips of link-layer evidence: a packet's Wi-Fi
//! transmission, the netfilter rule that logged it, the process that owned
//! it. Texts from the capture (rule prefixes, process names) are quoted as
//! data, and go into a command only when they are plain words.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::duration;
use crate::report::{Evidence, Fact, Tip};
use crate::track::link::weak_radio;

/// The sentence of a link-layer fact.
pub fn finding(fact: &Fact) -> String {
    match fact {
        Fact::WifiLink {
            role,
            frame,
            attempts,
            span_ns,
            overtaken,
            late_ns,
            signal_dbm,
            rate_kbps,
        } => {
            let mut parts = Vec::new();
            if *attempts > 1 {
                parts.push(format!(
                    "was retried {} times on the Wi-Fi link over {}",
                    attempts - 1,
                    duration(*span_ns)
                ));
            }
            if *overtaken > 0 {
                parts.push(format!(
                    "arrived {} late, after {overtaken} newer frames of the same station",
                    duration(*late_ns)
                ));
            }
            if weak_radio(*signal_dbm, *rate_kbps) {
                parts.push(format!(
                    "on a weak link ({})",
                    radio(*signal_dbm, *rate_kbps)
                ));
            }
            if parts.is_empty() {
                parts.push("crossed a Wi-Fi link".to_string());
            }
            format!("the {role}'s packet (frame {frame}) {}", parts.join(", "))
        }
        Fact::NflogRule {
            role,
            frame,
            prefix,
            hook,
            group,
            usual,
        } => {
            let chain = hook.map_or(String::new(), |h| format!(" in the {} chain", h.chain()));
            let rule = if prefix.is_empty() {
                "a netfilter rule without a log prefix".to_string()
            } else {
                format!("netfilter rule \"{prefix}\"")
            };
            let other = usual.as_ref().map_or(String::new(), |u| {
                format!(", not by \"{u}\" that logged the {role}'s other packets")
            });
            format!("the {role}'s packet (frame {frame}) was logged by {rule}{chain} (NFLOG group {group}){other}")
        }
        Fact::Process { role, name, pid } => {
            let pid = pid.map_or(String::new(), |p| format!(" (pid {p})"));
            format!("the {role}'s packets belonged to the process \"{name}\"{pid}")
        }
        _ => String::new(),
    }
}

fn radio(signal_dbm: Option<i8>, rate_kbps: Option<u32>) -> String {
    let signal = signal_dbm.map(|s| format!("signal {s} dBm"));
    let rate = rate_kbps.map(|r| format!("{} Mbit/s", f64::from(r) / 1000.0));
    signal
        .into_iter()
        .chain(rate)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Tips for the link-layer evidence of a reset, beside those of its cause.
pub fn tips(evidence: &[Evidence]) -> Vec<Tip> {
    evidence.iter().filter_map(|e| tip(&e.fact)).collect()
}

fn tip(fact: &Fact) -> Option<Tip> {
    match fact {
        Fact::WifiLink {
            attempts,
            overtaken,
            signal_dbm,
            rate_kbps,
            ..
        } if *attempts > 1 || *overtaken > 0 => {
            let weak = if weak_radio(*signal_dbm, *rate_kbps) {
                format!(" The link is weak ({}): move the station closer to its access point, or onto 5 GHz.", radio(*signal_dbm, *rate_kbps))
            } else {
                String::new()
            };
            Some(Tip {
                text: format!("The packet the reset answers was delayed on the Wi-Fi link (retried, overtaken by newer frames); a stateful firewall behind it saw a late segment and rejected it.{weak} Let the firewall drop such packets instead of rejecting them, or be liberal about windows."),
                commands: [
                    "iw dev wlan0 station dump",
                    "sysctl -w net.netfilter.nf_conntrack_tcp_be_liberal=1",
                ]
                .map(String::from)
                .to_vec(),
            })
        }
        // Only a packet a rule of its own singled out: the RST's own log
        // entry, or a rule that logs everything, names no culprit.
        Fact::NflogRule {
            prefix, hook, usual, ..
        } if usual.is_some() => {
            let chain = hook.map_or("INPUT", |h| h.chain());
            let mut commands = Vec::new();
            if plain_word(prefix) {
                commands.push(format!("iptables -S {chain} | grep -n -A1 -- '--nflog-prefix {prefix}'"));
                commands.push(format!("nft list ruleset | grep -n 'prefix \"{prefix}\"'"));
            } else {
                commands.push(format!("iptables -S {chain} | grep -n -A1 -- '--nflog-prefix'"));
            }
            Some(Tip {
                text: format!("The capturing host's netfilter logged this packet by a rule of its {chain} chain: the rule after that log (a REJECT --reject-with tcp-reset) is what reset the connection. If it matches conntrack INVALID, drop those packets instead of rejecting them."),
                commands,
            })
        }
        Fact::Process { name, .. } => Some(Tip {
            text: format!("The connection belonged to \"{name}\" on the capturing Mac: its log around this time says why it reset the connection."),
            commands: if plain_word(name) {
                alloc::vec![format!("log show --last 10m --predicate 'process == \"{name}\"'")]
            } else {
                Vec::new()
            },
        }),
        _ => None,
    }
}

/// Safe to paste into a shell command inside quotes.
fn plain_word(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'))
}
