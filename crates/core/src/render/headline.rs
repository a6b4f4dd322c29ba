//! The summary's one-sentence headline, from its [`Story`].

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::report::{Cause, CauseCount, Story};

/// The headline `story` tells.
pub fn headline(story: &Story) -> String {
    match story {
        Story::NoResets { packets: 0, .. } => "No packets in this capture.".to_string(),
        Story::NoResets {
            packets,
            tcp_packets: Some(0),
        } if *packets == 1 => {
            "No TCP packet: the capture holds 1 packet, so no resets.".to_string()
        }
        Story::NoResets {
            packets,
            tcp_packets: Some(0),
        } => format!("No TCP packets among {packets} packets, so no resets."),
        Story::NoResets { packets: 1, .. } => "No TCP resets in 1 packet.".to_string(),
        Story::NoResets { packets, .. } => format!("No TCP resets in {packets} packets."),
        Story::Forged {
            total,
            forged,
            strong,
            causes,
            other,
            strong_causes,
            strong_other,
            idle_ns,
        } => {
            let resets = resets_word(*total);
            let were = |n: u64| if n == 1 { "was" } else { "were" };
            let idle = seconds(*idle_ns);
            // Say how strong the case is: a headline must not be surer than its verdicts.
            if strong == forged {
                let how = how(causes, *other, idle);
                format!(
                    "{forged} of {total} {resets} {} forged on the path: {how}.",
                    were(*forged)
                )
            } else if *strong == 0 {
                // Weak verdicts do not name a culprit (a censor, a NAT): the
                // headline would claim more than any of them supports.
                format!("{forged} of {total} {resets} may have been forged on the path (weak evidence, too little to name a device or cause).")
            } else {
                // Only the strong verdicts name devices and causes; the weak
                // ones are counted apart and raise no claim.
                let how = how(strong_causes, *strong_other, idle);
                let weak = forged - strong;
                format!(
                    "{strong} of {total} {resets} {} forged on the path: {how}; {weak} more may have been (weak evidence).",
                    were(*strong)
                )
            }
        }
        Story::Incidents {
            total,
            incidents: 1,
            largest,
        } => {
            let resets = resets_word(*total);
            format!("{total} {resets}: {}.", super::incident(largest))
        }
        Story::Incidents {
            total,
            incidents,
            largest,
        } => format!(
            "{total} resets in {incidents} incidents; the largest: {}.",
            super::incident(largest)
        ),
        Story::FromEndpoints {
            total,
            top,
            all_unknown,
        } => {
            let resets = resets_word(*total);
            let (cause, count) = (plain(top.cause), top.resets);
            if *all_unknown {
                format!("{total} {resets}, too little context to tell who sent them; most common: {cause} ({count}).")
            } else {
                format!("No forged resets: {total} {resets} came from the endpoints; most common: {cause} ({count}).")
            }
        }
    }
}

/// What the path did to resets of `causes` (and `other` more).
fn how(causes: &[CauseCount], other: u64, idle: Option<f64>) -> String {
    if let ([one], 0) = (causes, other) {
        return whole(one.cause, idle);
    }
    // Several devices or reasons: say how many resets each made.
    let mut parts: Vec<String> = causes
        .iter()
        .map(|c| format!("{} {}", c.resets, part(c.cause, idle)))
        .collect();
    if other > 0 {
        parts.push(format!("{other} for other reasons"));
    }
    parts.join(", ")
}

/// Nanoseconds as seconds.
pub fn seconds(ns: Option<i64>) -> Option<f64> {
    ns.map(|ns| ns as f64 / 1e9)
}

fn resets_word(n: u64) -> &'static str {
    if n == 1 {
        "reset"
    } else {
        "resets"
    }
}

/// A cause in plain words, for headlines.
pub fn plain(cause: Cause) -> &'static str {
    match cause {
        Cause::Refused => "refused connections",
        Cause::AppAbort => "application aborts",
        Cause::ClosedSocket => "data sent to closed sockets",
        Cause::IdleTimeout => "idle timeouts",
        Cause::OutOfWindow => "out-of-window segments",
        Cause::Injected => "injected resets",
        Cause::Scan => "a port scan",
        Cause::GracefulClose => "resets after a normal close",
        Cause::RetransmitTimeout => "retransmission timeouts",
        Cause::Unknown => "unexplained resets",
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn test_one_packet_is_singular() {
        let none = |packets, tcp_packets| {
            headline(&Story::NoResets {
                packets,
                tcp_packets,
            })
        };
        assert_eq!(
            none(1, Some(0)),
            "No TCP packet: the capture holds 1 packet, so no resets."
        );
        assert_eq!(none(1, Some(1)), "No TCP resets in 1 packet.");
        assert_eq!(
            none(7, Some(0)),
            "No TCP packets among 7 packets, so no resets."
        );
    }

    #[test]
    fn test_weak_forged_names_no_culprit() {
        let forged = |strong| {
            headline(&Story::Forged {
                total: 2,
                forged: 1,
                strong,
                causes: vec![CauseCount {
                    cause: Cause::Injected,
                    resets: 1,
                }],
                other: 0,
                strong_causes: vec![CauseCount {
                    cause: Cause::Injected,
                    resets: strong,
                }],
                strong_other: 0,
                idle_ns: None,
            })
        };
        assert!(forged(1).contains("injected them (censorship or DPI)"));
        let weak = forged(0);
        assert!(
            weak.contains("weak evidence") && !weak.contains("censorship"),
            "{weak}"
        );
    }

    #[test]
    fn test_partly_strong_forged_names_the_strong_causes_only() {
        let count = |cause, resets| CauseCount { cause, resets };
        let text = headline(&Story::Forged {
            total: 5,
            forged: 4,
            strong: 1,
            causes: vec![count(Cause::Injected, 3), count(Cause::IdleTimeout, 1)],
            other: 0,
            strong_causes: vec![count(Cause::IdleTimeout, 1)],
            strong_other: 0,
            idle_ns: Some(300_000_000_000),
        });
        assert_eq!(
            text,
            "1 of 5 resets was forged on the path: a NAT or firewall forgot idle connections \
             after ~300 s; 3 more may have been (weak evidence)."
        );
    }
}
