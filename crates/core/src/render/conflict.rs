//! The sentence of a conflict between a reset's signals.

use alloc::string::String;

use crate::report::{Conflict, Origin, Signal};

/// "TTL and IP-ID say server, timing says path.": each side's signals and
/// the origin they name, the verdict's side first.
pub fn conflict(c: &Conflict) -> String {
    // Room for two sides of two signals each: one allocation.
    let mut out = String::with_capacity(64);
    side(&mut out, &c.for_concluded, c.concluded);
    out.push_str(", ");
    side(&mut out, &c.for_other, c.other);
    out.push('.');
    capitalise(out)
}

fn side(out: &mut String, signals: &[Signal], origin: Origin) {
    let count = signals.len();
    for (i, signal) in signals.iter().enumerate() {
        if i > 0 {
            out.push_str(if i + 1 == count { " and " } else { ", " });
        }
        out.push_str(signal_name(*signal));
    }
    out.push_str(if count == 1 { " says " } else { " say " });
    out.push_str(match origin {
        Origin::Client => "client",
        Origin::Server => "server",
        Origin::Middlebox => "path",
        Origin::Unknown => "unknown",
    });
}

/// A signal's name in a sentence.
pub fn signal_name(signal: Signal) -> &'static str {
    match signal {
        Signal::Ttl => "TTL",
        Signal::IpId => "IP-ID",
        Signal::Seq => "the sequence number",
        Signal::Ack => "the ACK number",
        Signal::Timing => "timing",
        Signal::Idle => "the idle gap",
        Signal::Race => "the race",
        Signal::Repeat => "the repeated RSTs",
        Signal::Payload => "the payload",
        Signal::Handshake => "the handshake",
        Signal::Fin => "the FINs",
        Signal::Retransmit => "the retransmissions",
        Signal::Stage => "the stage",
        Signal::Scan => "the scan",
        Signal::Flags => "the flags",
        Signal::Vantage => "the other capture",
        Signal::Link => "the link layer",
    }
}

/// `s` with its first letter upper-case: in place when it is ASCII (a
/// signal's name always is), not rebuilt a char at a time.
fn capitalise(mut s: String) -> String {
    if let Some(first) = s.get_mut(..1) {
        first.make_ascii_uppercase();
        return s;
    }
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => s,
    }
}

#[cfg(test)]
mod tests {

    use super::*;

    fn sentence(
        concluded: Origin,
        for_concluded: &[Signal],
        other: Origin,
        for_other: &[Signal],
    ) -> String {
        conflict(&Conflict {
            concluded,
            for_concluded: for_concluded.to_vec(),
            other,
            for_other: for_other.to_vec(),
            sentence: String::new(),
        })
    }

    #[test]
    fn test_conflict_names_each_side_and_its_origin() {
        let s = sentence(
            Origin::Server,
            &[Signal::Ttl],
            Origin::Middlebox,
            &[Signal::Timing],
        );
        assert_eq!(s, "TTL says server, timing says path.");
    }

    #[test]
    fn test_conflict_lists_several_signals_with_and() {
        let s = sentence(
            Origin::Middlebox,
            &[Signal::Timing, Signal::Race, Signal::Repeat],
            Origin::Client,
            &[Signal::Ttl, Signal::IpId],
        );
        assert_eq!(
            s,
            "Timing, the race and the repeated RSTs say path, TTL and IP-ID say client."
        );
    }

    #[test]
    fn test_capitalise_upper_cases_only_the_first_letter_ascii_or_not() {
        assert_eq!(capitalise("timing says path".into()), "Timing says path");
        assert_eq!(capitalise("étape".into()), "Étape");
        assert_eq!(capitalise("ß".into()), "SS");
        assert_eq!(capitalise(String::new()), "");
    }
}
