//! Rules for probes and scans (see `attribute::probe` for the patterns).

use super::Decision;
use crate::attribute::facts::Facts;
use crate::attribute::probe;
use crate::decode::flags;
use crate::report::{Cause, Fact, Origin, Stage, SubCause};
use crate::track::Side;

/// Flags no stack puts on a RST: crafted by a scanner or fuzzer.
pub fn crafted_flags(f: &Facts<'_>) -> Option<Decision> {
    if !probe::crafted_rst(f.record.flags) {
        return None;
    }
    let fact = Fact::CraftedFlags {
        flags: f.record.packet.flags.clone(),
    };
    Some(
        Decision::new(Cause::Scan)
            .sub(SubCause::CraftedFlags)
            .because(fact, Origin::Unknown),
    )
}

/// A host sweeping ports with hand-made SYNs (nmap -sS, masscan): its
/// kernel, which never opened those connections, resets the SYN-ACKs they
/// draw with its own TTL and IP-ID, not the probes'; a masscan banner grab
/// may even speak after it. The scanner sent it, whatever the mismatch.
pub fn scanner_kernel(f: &Facts<'_>) -> Option<Decision> {
    let sweeper = f.host.is_some_and(|h| h.is_scanner());
    if !sweeper || !super::handshake::is_half_open(f) {
        return None;
    }
    let role = f.who();
    let sender = f.sender();
    Some(
        Decision::new(Cause::Scan)
            .sub(SubCause::HalfOpen)
            .because(Fact::ScannerKernel { role }, sender)
            .emitted_by(sender),
    )
}

/// A closed port answering a FIN, NULL or Xmas probe.
pub fn stealth(f: &Facts<'_>) -> Option<Decision> {
    if f.side() != Side::Server {
        return None;
    }
    let kind = probe::stealth(&f.record.snapshot)?;
    let fact = Fact::StealthProbe {
        role: f.who(),
        probe: kind,
    };
    Some(
        Decision::new(Cause::Scan)
            .sub(probe::sub_cause(kind))
            .because(fact, f.origin),
    )
}

/// A connection opened and reset at once without data: a health check,
/// or a connect() scan when the client sweeps ports.
pub fn connect(f: &Facts<'_>) -> Option<Decision> {
    if f.side() != Side::Client {
        return None;
    }
    let after = probe::connect_probe(&f.record.snapshot, f.record.ts_ns)?;
    let fact = Fact::ConnectProbe {
        role: f.who(),
        after_ns: after,
        scanner: f.scanner,
    };
    Some(if f.scanner {
        Decision::new(Cause::Scan)
            .sub(SubCause::ConnectScan)
            .because(fact, f.origin)
    } else {
        Decision::new(Cause::AppAbort)
            .sub(SubCause::ConnectProbe)
            .because(fact, f.origin)
    })
}

/// A closed port answering a scanner's SYN is still a refusal (that is
/// what the server did); the scan is the context, kept in the sub-cause.
pub fn scan_refused(f: &Facts<'_>) -> Option<Decision> {
    if !(f.answers_syn() && f.scanner && f.side() == Side::Server) {
        return None;
    }
    let fact = Fact::PortSweep { role: f.who() };
    Some(
        Decision::new(Cause::Refused)
            .sub(SubCause::ScanProbe)
            .because(fact, f.origin),
    )
}

/// A port scanner dropping a connection it probed.
pub fn scanner_abort(f: &Facts<'_>) -> Option<Decision> {
    let s = &f.record.snapshot;
    let early = matches!(f.stage, Stage::PostSyn | Stage::PostAck);
    if !(f.scanner && f.side() == Side::Client && s.sender.data_packets == 0 && early) {
        return None;
    }
    let fact = Fact::ScannerAbort { role: f.who() };
    Some(
        Decision::new(Cause::Scan)
            .sub(SubCause::ScannerAbort)
            .because(fact, f.origin),
    )
}

/// The sender's last packet was its SYN.
pub fn last_was_syn(d: &crate::track::conn::Direction) -> bool {
    d.last.is_some_and(|l| l.flags & flags::SYN != 0)
}
