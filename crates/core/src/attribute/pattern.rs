//! Where a RST fell in its connection (Cloudflare Radar's stages) and its
//! tampering signature in the SIGCOMM 2023 notation.

use alloc::string::String;

use super::record::ResetRecord;
use crate::decode::flags;
use crate::report::Stage;

/// The stage from the connection's progress before the RST.
pub fn stage(r: &ResetRecord) -> Stage {
    let s = &r.snapshot;
    let (client, server) = match r.side {
        crate::track::Side::Client => (&s.sender, &s.peer),
        crate::track::Side::Server => (&s.peer, &s.sender),
    };
    let (client_data, server_data) = (client.data_packets, server.data_packets);
    if s.syn_ns.is_some() {
        if s.ack_ns.is_none() && client_data == 0 {
            Stage::PostSyn
        } else if client_data == 0 && server_data == 0 {
            Stage::PostAck
        } else if client_data == 1 && server_data == 0 {
            Stage::PostPsh
        } else {
            Stage::LaterInFlow
        }
    } else if client_data > 0 || server_data > 0 {
        Stage::LaterInFlow
    } else {
        Stage::Unknown
    }
}

/// One RST of a burst: flags and ack.
#[derive(Clone, Copy, Debug)]
pub struct BurstRst {
    pub flags: u16,
    pub ack: u32,
}

fn token(r: BurstRst) -> &'static str {
    if r.flags & flags::ACK != 0 {
        "RST+ACK"
    } else {
        "RST"
    }
}

/// The signature of a burst of one or two RSTs at `stage`, when it is one
/// of the patterns the paper lists.
pub fn signature(stage: Stage, burst: &[BurstRst]) -> Option<String> {
    let (before, after): (&str, String) = match (stage, burst) {
        (Stage::PostSyn, [a]) => ("SYN", token(*a).into()),
        (Stage::PostSyn, [a, b]) if token(*a) == "RST" && token(*b) == "RST+ACK" => {
            ("SYN", "RST;RST+ACK".into())
        }
        (Stage::PostAck, [a]) => ("SYN;ACK", token(*a).into()),
        (Stage::PostAck, [a, b]) if token(*a) == token(*b) => {
            ("SYN;ACK", alloc::format!("{0};{0}", token(*a)))
        }
        (Stage::PostPsh, [a]) => ("PSH", token(*a).into()),
        (Stage::PostPsh, [a, b]) => ("PSH", post_psh_pair(*a, *b)?),
        (Stage::LaterInFlow, [a]) => ("PSH;Data", token(*a).into()),
        _ => return None,
    };
    Some(alloc::format!("{before} → {after}"))
}

fn post_psh_pair(a: BurstRst, b: BurstRst) -> Option<String> {
    let s = match (token(a), token(b)) {
        ("RST", "RST") if (a.ack == 0) != (b.ack == 0) => "RST;RST0",
        ("RST", "RST") if a.ack == b.ack => "RST=RST",
        ("RST", "RST") => "RST≠RST",
        ("RST", "RST+ACK") => "RST;RST+ACK",
        ("RST+ACK", "RST+ACK") => "RST+ACK;RST+ACK",
        _ => return None,
    };
    Some(s.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_signatures() {
        let rst = |ack| BurstRst {
            flags: flags::RST,
            ack,
        };
        let rst_ack = |ack| BurstRst {
            flags: flags::RST | flags::ACK,
            ack,
        };
        assert_eq!(
            signature(Stage::PostSyn, &[rst_ack(5)]).as_deref(),
            Some("SYN → RST+ACK")
        );
        assert_eq!(
            signature(Stage::PostPsh, &[rst(5), rst(9)]).as_deref(),
            Some("PSH → RST≠RST")
        );
        assert_eq!(
            signature(Stage::PostPsh, &[rst(5), rst(0)]).as_deref(),
            Some("PSH → RST;RST0")
        );
        assert_eq!(
            signature(Stage::PostPsh, &[rst_ack(5), rst_ack(9)]).as_deref(),
            Some("PSH → RST+ACK;RST+ACK")
        );
        assert_eq!(signature(Stage::LaterInFlow, &[rst(1), rst(1)]), None);
        assert_eq!(signature(Stage::Unknown, &[rst(1)]), None);
    }
}
