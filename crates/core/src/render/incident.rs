//! An incident's one-sentence summary, from its [`IncidentStory`]:
//! "a censor or DPI device injected 2 resets into 1 connection; the
//! client's 3 later resets followed from them".

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::report::{Cause, IncidentKind, IncidentStory, Origin};

/// What happened in an incident, lower-case, without a full stop. Only
/// its roots with strong evidence name a device or cause.
pub fn incident(story: &IncidentStory) -> String {
    let weak = story.roots.saturating_sub(story.strong);
    let mut text = if story.strong == 0 {
        unnamed(story)
    } else {
        what(&IncidentStory {
            roots: story.strong,
            connections: story.strong_connections,
            ..story.clone()
        })
    };
    if story.strong > 0 && weak > 0 {
        let more = if weak == 1 {
            "reset has"
        } else {
            "resets have"
        };
        text.push_str(&format!("; {weak} more {more} weak evidence"));
    }
    let followers: Vec<String> = story
        .followers
        .iter()
        .map(|f| {
            let later = if f.resets == 1 {
                "later reset"
            } else {
                "later resets"
            };
            format!("{} {} {later}", whose(f.origin), f.resets)
        })
        .collect();
    if !followers.is_empty() {
        let from = if story.roots == 1 { "it" } else { "them" };
        text.push_str(&format!(
            "; {} followed from {from}",
            followers.join(" and ")
        ));
    }
    text
}

/// Roots whose evidence is all weak: how many, and that they name no one.
fn unnamed(s: &IncidentStory) -> String {
    let them = if s.roots == 1 { "it" } else { "them" };
    format!(
        "{} on {} with weak evidence, too little to tell who sent {them} or why",
        count(s.roots, "reset", "resets"),
        count(s.connections, "connection", "connections")
    )
}

/// The roots: who did what to how many connections.
fn what(s: &IncidentStory) -> String {
    let conns = count(s.connections, "connection", "connections");
    let resets = count(s.roots, "reset", "resets");
    match s.kind {
        IncidentKind::Injection => {
            format!("a censor or DPI device injected {resets} into {conns}")
        }
        IncidentKind::Scan => format!("a port scan: {resets} on {conns}"),
        IncidentKind::Refusals if s.origin == Origin::Middlebox => {
            format!("a firewall refused {conns} in the server's name")
        }
        IncidentKind::Refusals => format!("{} refused {conns}", who(s.origin)),
        IncidentKind::StateExpiry => {
            format!(
                "a NAT or firewall forgot {} and reset them",
                count(s.connections, "idle connection", "idle connections")
            )
        }
        IncidentKind::Device => format!(
            "a device on the path sent {resets} on {conns} ({})",
            super::plain(s.cause)
        ),
        IncidentKind::Connection if s.roots > 1 => {
            format!("{} {} ({resets})", who(s.origin), did(s.cause))
        }
        IncidentKind::Connection => format!("{} {}", who(s.origin), did(s.cause)),
    }
}

/// What an endpoint's root reset did to its connection.
fn did(cause: Cause) -> &'static str {
    match cause {
        Cause::Refused => "refused a connection",
        Cause::AppAbort => "aborted a connection",
        Cause::ClosedSocket => "reset data sent to a closed socket",
        Cause::IdleTimeout => "reset a connection after it idled",
        Cause::OutOfWindow => "rejected an out-of-window segment",
        Cause::Injected => "injected a reset",
        Cause::Scan => "dropped a probed connection",
        Cause::GracefulClose => "reset a connection after a normal close",
        Cause::RetransmitTimeout => "gave up retransmitting and reset",
        Cause::Unknown => "reset a connection without a known cause",
    }
}

fn who(origin: Origin) -> &'static str {
    match origin {
        Origin::Client => "the client",
        Origin::Server => "the server",
        Origin::Middlebox => "a device on the path",
        Origin::Unknown => "an unknown sender",
    }
}

fn whose(origin: Origin) -> &'static str {
    match origin {
        Origin::Client => "the client's",
        Origin::Server => "the server's",
        Origin::Middlebox => "a device's",
        Origin::Unknown => "an unknown sender's",
    }
}

fn count(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::OriginCount;

    fn story(kind: IncidentKind, origin: Origin, cause: Cause, roots: u64) -> IncidentStory {
        IncidentStory {
            kind,
            origin,
            cause,
            roots,
            connections: 1,
            strong: roots,
            strong_connections: 1,
            followers: Vec::new(),
        }
    }

    #[test]
    fn test_censor_with_consequences_names_both() {
        let mut s = story(
            IncidentKind::Injection,
            Origin::Middlebox,
            Cause::Injected,
            1,
        );
        s.followers.push(OriginCount {
            origin: Origin::Client,
            resets: 3,
        });
        assert_eq!(
            incident(&s),
            "a censor or DPI device injected 1 reset into 1 connection; the client's 3 later resets followed from it"
        );
    }

    #[test]
    fn test_abort_alone_is_one_clause() {
        let s = story(IncidentKind::Connection, Origin::Server, Cause::AppAbort, 1);
        assert_eq!(incident(&s), "the server aborted a connection");
    }

    #[test]
    fn test_weak_censor_with_consequences_names_no_one() {
        let mut s = story(
            IncidentKind::Injection,
            Origin::Middlebox,
            Cause::Injected,
            1,
        );
        s.strong = 0;
        s.followers.push(OriginCount {
            origin: Origin::Client,
            resets: 2,
        });
        assert_eq!(
            incident(&s),
            "1 reset on 1 connection with weak evidence, too little to tell who sent it or why; \
             the client's 2 later resets followed from it"
        );
    }
}
