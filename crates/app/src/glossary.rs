//! Words for the report's jargon: Zeek's `conn_state` codes and `history`
//! letters, tampering signatures, stages, origins, causes and evidence
//! signals. The app shows them on hover and focus; docs/GLOSSARY.md says the
//! same (a test checks that every term here is there).

use rstscope_core::report::{Cause, IncidentKind, Origin, Stage};

/// Zeek's `conn_state` codes (conn.log), in Zeek's words, shortened.
pub const CONN_STATES: &[(&str, &str)] = &[
    ("S0", "Connection attempt seen, no reply."),
    ("S1", "Connection established, not closed."),
    ("SF", "Normal establishment and close."),
    ("REJ", "Connection attempt rejected (answered by a RST)."),
    (
        "S2",
        "Established; the client tried to close, the server never answered.",
    ),
    (
        "S3",
        "Established; the server tried to close, the client never answered.",
    ),
    (
        "RSTO",
        "Established, then the client (originator) aborted it with a RST.",
    ),
    (
        "RSTR",
        "Established, then the server (responder) sent a RST.",
    ),
    (
        "RSTOS0",
        "The client sent a SYN then a RST; no SYN-ACK was seen.",
    ),
    (
        "RSTRH",
        "The server sent a SYN-ACK then a RST; no SYN from the client was seen.",
    ),
    (
        "SH",
        "The client sent a SYN then a FIN; no SYN-ACK was seen (half open).",
    ),
    (
        "SHR",
        "The server sent a SYN-ACK then a FIN; no SYN from the client was seen.",
    ),
    (
        "OTH",
        "No SYN seen: traffic from the middle of a connection.",
    ),
];

/// Zeek's `history` letters: upper case is the client (originator), lower
/// case the server (responder).
pub const HISTORY_LETTERS: &[(char, &str)] = &[
    ('S', "SYN without ACK"),
    ('H', "SYN-ACK"),
    ('A', "pure ACK"),
    ('D', "packet with payload (data)"),
    ('F', "FIN"),
    ('R', "RST"),
    ('C', "bad checksum"),
    ('G', "content gap"),
    ('T', "retransmitted payload"),
    ('W', "zero window"),
    ('I', "inconsistent packet (e.g. SYN and RST together)"),
    ('Q', "multi-flag packet (SYN with FIN or RST)"),
    ('^', "Zeek flipped the connection's direction"),
];

/// The connection's `history` spelled out: "S client SYN, h server SYN-ACK, …".
pub fn history(letters: &str) -> String {
    let mut parts = Vec::new();
    for c in letters.chars() {
        let who = if c.is_ascii_lowercase() {
            "server"
        } else {
            "client"
        };
        let upper = c.to_ascii_uppercase();
        match HISTORY_LETTERS.iter().find(|(l, _)| *l == upper) {
            Some(('^', meaning)) => parts.push(format!("^ {meaning}")),
            Some((_, meaning)) => parts.push(format!("{c} {who} {meaning}")),
            None => parts.push(format!("{c} (unknown letter)")),
        }
    }
    format!(
        "Zeek history, upper case the client's packets, lower case the server's (repeats are logged at 1, 10, 100, …): {}",
        parts.join(", ")
    )
}

pub fn conn_state(code: &str) -> Option<&'static str> {
    CONN_STATES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, meaning)| *meaning)
}

pub fn stage(stage: Stage) -> &'static str {
    match stage {
        Stage::PostSyn => "After the client's SYN, before the handshake completed.",
        Stage::PostAck => "After the handshake, before any data.",
        Stage::PostPsh => "After the client's first data segment, before any more data.",
        Stage::LaterInFlow => "Later, after data flowed.",
        Stage::Unknown => "No handshake or data was seen to place it.",
    }
}

/// Tokens of the tampering signatures (SIGCOMM 2023, "Global, Passive
/// Detection of Connection Tampering"): what the client had sent → the
/// resets that came.
pub const SIGNATURE_TOKENS: &[(&str, &str)] = &[
    ("SYN;ACK", "the handshake completed"),
    ("PSH;Data", "data flowed after the first segment"),
    ("SYN", "the client's SYN"),
    ("PSH", "the client's first data segment"),
    ("RST;RST+ACK", "a RST, then a RST+ACK"),
    ("RST+ACK;RST+ACK", "two RST+ACKs"),
    ("RST;RST0", "two RSTs, one with acknowledgement number 0"),
    ("RST=RST", "two RSTs with the same acknowledgement number"),
    ("RST≠RST", "two RSTs with different acknowledgement numbers"),
    ("RST;RST", "two RSTs"),
    ("RST+ACK", "a RST with the ACK flag"),
    ("RST", "a RST without the ACK flag"),
];

/// "PSH → RST;RST+ACK" in words.
pub fn signature(signature: &str) -> String {
    let words = |part: &str| {
        SIGNATURE_TOKENS
            .iter()
            .find(|(token, _)| *token == part.trim())
            .map_or(part.trim().to_string(), |(_, words)| (*words).to_string())
    };
    match signature.split_once('→') {
        Some((before, after)) => format!(
            "Tampering signature (SIGCOMM 2023): after {}, {} came.",
            words(before),
            words(after)
        ),
        None => format!("Tampering signature: {signature}."),
    }
}

pub fn origin(origin: Origin) -> &'static str {
    match origin {
        Origin::Client => "Sent by the client, the side that opened the connection.",
        Origin::Server => "Sent by the server, the side that accepted the connection.",
        Origin::Middlebox => {
            "Made on the path (a firewall, NAT, load balancer or censor) in an endpoint's name."
        }
        Origin::Unknown => "Too little context to tell who sent it.",
    }
}

pub fn cause(cause: Cause) -> &'static str {
    match cause {
        Cause::Refused => "The connection was refused: nothing listened on the port, or a firewall rejected it.",
        Cause::AppAbort => "An application closed its socket abruptly (SO_LINGER 0, a crash, or unread data at close).",
        Cause::ClosedSocket => "A segment reached a socket that was already closed.",
        Cause::IdleTimeout => "A device or host forgot the connection after it stayed idle (NAT, firewall, load balancer).",
        Cause::OutOfWindow => "A segment fell outside the receiver's window, or state was lost on one side.",
        Cause::Injected => "Forged by a device on the path to tear the connection down (censorship, DPI, IPS).",
        Cause::Scan => "Part of a port scan: probes answered or torn down by resets.",
        Cause::GracefulClose => "A reset after a normal FIN close, common with some stacks and load balancers.",
        Cause::RetransmitTimeout => "A sender gave up after its retransmissions went unanswered.",
        Cause::Unknown => "The evidence does not single out one cause.",
    }
}

pub fn incident_kind(kind: IncidentKind) -> &'static str {
    match kind {
        IncidentKind::Connection => "Resets on one connection: a root reset and what followed from it.",
        IncidentKind::Injection => "A device on the path injecting resets (censorship, DPI, IPS).",
        IncidentKind::Scan => "A host probing another's ports, with the refusals.",
        IncidentKind::Refusals => "Connections refused between the same two hosts.",
        IncidentKind::StateExpiry => "A NAT or firewall forgetting idle connections.",
        IncidentKind::Device => "A device on the path resetting for another reason (rejecting segments, answering for closed sockets).",
    }
}

/// Evidence signal names.
pub const SIGNALS: &[(&str, &str)] = &[
    (
        "ttl",
        "IPv4 TTL or IPv6 hop limit compared with the sender's other packets.",
    ),
    (
        "ip-id",
        "IPv4 identification compared with the sender's counter.",
    ),
    (
        "seq",
        "The RST's sequence number against the receiver's window.",
    ),
    (
        "ack",
        "The RST's acknowledgement number against what was sent.",
    ),
    ("window", "The advertised window."),
    (
        "timing",
        "How soon the RST came, against the endpoints' usual response time.",
    ),
    ("idle", "How long the connection was silent before the RST."),
    (
        "race",
        "Data or ACKs from the real endpoint that crossed the RST.",
    ),
    (
        "repeat",
        "Several resets in a burst, as injectors send them.",
    ),
    ("payload", "Text or a reason code carried in the RST."),
    ("handshake", "How far the handshake got."),
    ("fin", "FINs before the RST."),
    ("flags", "An unusual flag combination."),
    ("retransmit", "Retransmissions before the RST."),
    (
        "scan",
        "The host's pattern of connections across many ports or addresses.",
    ),
    ("stage", "Where in the connection the RST fell."),
    ("vantage", "What the capture at the other end saw."),
    (
        "link",
        "What the link layer recorded: Wi-Fi retries, reordering and radio, the netfilter rule that logged a packet (NFLOG), the process that owned the connection (PKTAP).",
    ),
];

pub fn signal(name: &str) -> Option<&'static str> {
    SIGNALS.iter().find(|(s, _)| *s == name).map(|(_, m)| *m)
}

/// "TTL" for IPv4, "hop limit" for IPv6 (an IPv6 packet has no IP ID).
pub fn ttl_name(ip_id: Option<u16>) -> &'static str {
    if ip_id.is_some() {
        "TTL"
    } else {
        "hop limit"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_is_spelled_out_by_side() {
        let text = history("ShADadR");
        assert!(text.contains("S client SYN without ACK, h server SYN-ACK, A client pure ACK"));
        assert!(
            text.ends_with("a server pure ACK, d server packet with payload (data), R client RST")
        );
        assert!(history("x").contains("x (unknown letter)"));
    }

    #[test]
    fn signatures_are_read_token_by_token() {
        assert_eq!(
            signature("PSH → RST;RST+ACK"),
            "Tampering signature (SIGCOMM 2023): after the client's first data segment, a RST, then a RST+ACK came."
        );
        assert_eq!(
            signature("SYN;ACK → RST+ACK"),
            "Tampering signature (SIGCOMM 2023): after the handshake completed, a RST with the ACK flag came."
        );
    }

    #[test]
    fn every_signal_core_writes_is_explained() {
        for s in rstscope_core::report::Signal::ALL {
            assert!(signal(s.as_str()).is_some(), "{}", s.as_str());
        }
    }

    #[test]
    fn every_conn_state_core_writes_is_explained() {
        for code in [
            "S0", "S1", "SF", "REJ", "S2", "S3", "RSTO", "RSTR", "RSTOS0", "RSTRH", "SH", "SHR",
            "OTH",
        ] {
            assert!(conn_state(code).is_some(), "{code}");
        }
    }

    /// docs/GLOSSARY.md says the same as the app: every term is there.
    #[test]
    fn the_docs_list_every_term() {
        let docs = include_str!("../../../docs/GLOSSARY.md");
        let mut missing = Vec::new();
        for (code, _) in CONN_STATES {
            if !docs.contains(&format!("`{code}`")) {
                missing.push(code.to_string());
            }
        }
        for (letter, _) in HISTORY_LETTERS {
            if !docs.contains(&format!("`{letter}`")) {
                missing.push(letter.to_string());
            }
        }
        for (token, _) in SIGNATURE_TOKENS.iter().chain(SIGNALS) {
            if !docs.contains(&format!("`{token}`")) {
                missing.push(token.to_string());
            }
        }
        for stage in Stage::ALL {
            if !docs.contains(&format!("`{}`", stage.as_str())) {
                missing.push(stage.as_str().to_string());
            }
        }
        for kind in IncidentKind::ALL {
            if !docs.contains(&format!("`{}`", kind.as_str())) {
                missing.push(kind.as_str().to_string());
            }
        }
        for cause in Cause::ALL {
            if !docs.contains(&format!("`{}`", cause.as_str())) {
                missing.push(cause.as_str().to_string());
            }
        }
        assert!(missing.is_empty(), "docs/GLOSSARY.md lacks {missing:?}");
    }
}
