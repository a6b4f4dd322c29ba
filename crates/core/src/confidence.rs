//! Calibrated confidence: the probability that a verdict's origin and
//! cause are both right.
//!
//! A verdict is described by its [`Basis`]: what it concluded (cause,
//! origin, sub-cause, stage, whether the roles were known, whether another
//! cause fits the same packets) and how its evidence stands (how many signals
//! agree with the origin and how many point elsewhere, whether an earlier
//! reset of the connection came first, the RST's flags, whether the
//! capture's clock ran backwards). The [`table`] holds, for bases seen in
//! the generator's **train** split, the share of such verdicts that were
//! right, at four levels from coarse (cause and origin) to fine (all of the
//! basis), each smoothed towards the level above it. A verdict gets the
//! value of the finest level that knows its basis.
//!
//! The table is generated: `scripts/calibrate.sh` scores the train split
//! (never the held-out one) and rewrites `confidence/table.rs`; ACCURACY.md
//! shows how well the result is calibrated on held-out and real captures.

mod conflict;
pub mod table;

use alloc::vec::Vec;

use crate::report::{
    CaptureInfo, Cause, Endpoint, Fact, Origin, Reset, Sender, Stage, SubCause, WarningKind,
};

pub use conflict::conflict;

/// How many signals: none, one, two, three or more.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Count {
    Zero,
    One,
    Two,
    Many,
}

impl Count {
    fn of(n: usize) -> Self {
        match n {
            0 => Count::Zero,
            1 => Count::One,
            2 => Count::Two,
            _ => Count::Many,
        }
    }
}

/// Whether an earlier RST of the same connection came before this one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Earlier {
    /// The connection's first RST.
    None,
    /// The same address sent one before.
    SameSender,
    /// Only the other side sent one before.
    OtherSide,
}

/// What a verdict rests on, as the calibration table looks it up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Basis {
    pub cause: Cause,
    pub origin: Origin,
    pub sub_cause: Option<SubCause>,
    pub stage: Stage,
    /// The connection's roles were seen (handshake) or told by the ports,
    /// not guessed from its first packet: a guess can make the origin,
    /// and with it the cause, wrong.
    pub roles_known: bool,
    /// The same packets also fit another cause (`Fact::AlsoFits`): a
    /// rival rule decides too, so the cause may be the rival's.
    pub contested: bool,
    pub earlier: Earlier,
    /// The RST carries an ACK.
    pub with_ack: bool,
    /// Evidence items pointing to the verdict's origin.
    pub agreeing: Count,
    /// Evidence items pointing to another (known) origin.
    pub conflicting: Count,
    /// The capture has frames timestamped before earlier ones.
    pub clock_backwards: bool,
}

/// The bases of `resets` (in frame order, as the report lists them), with
/// `info` the capture they are in.
pub fn bases(resets: &[Reset], info: &CaptureInfo) -> Vec<Basis> {
    let clock_backwards = info
        .warnings
        .iter()
        .any(|w| w.kind == WarningKind::TimeBackwards);
    let earlier = earlier_resets(resets);
    (resets.iter().zip(earlier))
        .map(|(r, earlier)| basis(r, earlier, clock_backwards))
        .collect()
}

/// For each of `resets` (in frame order), whether a RST of its connection
/// came before it, and from which address. The resets are walked
/// connection by connection (their indexes sorted by connection, then
/// frame order), not looked up in a map of every connection.
fn earlier_resets(resets: &[Reset]) -> Vec<Earlier> {
    let mut by_connection: Vec<(u32, usize)> = (resets.iter().enumerate())
        .filter_map(|(i, r)| Some((r.connection?, i)))
        .collect();
    by_connection.sort_unstable();
    let mut earlier = alloc::vec![Earlier::None; resets.len()];
    // The senders of the connection's RSTs listed so far.
    let mut seen: Vec<Endpoint> = Vec::new();
    let mut connection = None;
    for (id, i) in by_connection {
        if connection.replace(id) != Some(id) {
            seen.clear();
        }
        let Some(src) = resets.get(i).map(|r| r.src) else {
            continue;
        };
        if let Some(slot) = earlier.get_mut(i) {
            *slot = self::earlier(&seen, src);
        }
        if !seen.contains(&src) {
            seen.push(src);
        }
    }
    earlier
}

/// Whether `src` or another address of the connection sent a RST before.
fn earlier(seen: &[Endpoint], src: Endpoint) -> Earlier {
    if seen.contains(&src) {
        Earlier::SameSender
    } else if seen.is_empty() {
        Earlier::None
    } else {
        Earlier::OtherSide
    }
}

fn basis(reset: &Reset, earlier: Earlier, clock_backwards: bool) -> Basis {
    let points = |agree: bool| {
        reset
            .evidence
            .iter()
            .filter(|e| e.points_to != Origin::Unknown && (e.points_to == reset.origin) == agree)
            .count()
    };
    Basis {
        cause: reset.cause,
        origin: reset.origin,
        sub_cause: reset.sub_cause,
        stage: reset.stage,
        roles_known: reset.sender != Sender::Unknown,
        contested: reset
            .evidence
            .iter()
            .any(|e| matches!(e.fact, Fact::AlsoFits { .. })),
        earlier,
        with_ack: reset.flags.split('+').any(|f| f == "ACK"),
        agreeing: Count::of(points(true)),
        conflicting: Count::of(points(false)),
        clock_backwards,
    }
}

/// Sets every reset's calibrated `confidence` (its `conflict` is its
/// own evidence's: [`conflict`]).
pub fn calibrate(resets: &mut [Reset], info: &CaptureInfo) {
    let bases = bases(resets, info);
    for (reset, basis) in resets.iter_mut().zip(bases) {
        reset.confidence = table::probability(&basis);
    }
}

#[cfg(test)]
mod tests {
    use alloc::string::ToString;
    use alloc::vec;

    use super::*;
    use crate::report::{Evidence, Fact, Role, Warning};
    use crate::summary::tests::reset;

    fn ttl_as_server() -> Evidence {
        let fact = Fact::TtlAsConnection {
            role: Role::Server,
            ttl: 52,
            packets: 9,
        };
        Evidence::of(fact, Origin::Server)
    }

    fn timing_early() -> Evidence {
        let fact = Fact::TimingEarly {
            role: Role::Server,
            delay_ns: 1_000_000,
            answer_ns: 40_000_000,
        };
        Evidence::of(fact, Origin::Middlebox)
    }

    fn server_reset(frame: u64, connection: u32, src: &str) -> Reset {
        let mut r = reset(frame, 1.0, src, "10.0.0.1:5000", Origin::Server);
        r.connection = Some(connection);
        r.cause = Cause::AppAbort;
        r.evidence = vec![ttl_as_server(), timing_early()];
        r
    }

    #[test]
    fn test_basis_counts_agreeing_and_conflicting_signals() {
        let r = server_reset(5, 1, "10.0.0.2:80");
        let b = bases(&[r], &CaptureInfo::default());
        let b = b.first().copied().expect("one basis");
        assert_eq!((b.agreeing, b.conflicting), (Count::One, Count::One));
        assert_eq!(b.earlier, Earlier::None);
        assert!(!b.with_ack && !b.clock_backwards);
    }

    #[test]
    fn test_basis_notes_a_contested_cause_apart_from_the_origin_counts() {
        let plain = server_reset(5, 1, "10.0.0.2:80");
        let mut contested = server_reset(6, 2, "10.0.0.2:81");
        let also = Fact::AlsoFits {
            cause: Cause::ClosedSocket,
            sub_cause: None,
        };
        contested.evidence.push(Evidence::of(also, Origin::Unknown));
        let b = bases(&[plain, contested], &CaptureInfo::default());
        let contested: Vec<bool> = b.iter().map(|b| b.contested).collect();
        assert_eq!(contested, [false, true]);
        let counts: Vec<(Count, Count)> = b.iter().map(|b| (b.agreeing, b.conflicting)).collect();
        assert_eq!(counts[0], counts[1]);
    }

    #[test]
    fn test_basis_knows_an_earlier_reset_of_the_connection() {
        let resets = [
            server_reset(5, 1, "10.0.0.2:80"),
            server_reset(6, 1, "10.0.0.2:80"),
            server_reset(7, 1, "10.0.0.1:5000"),
            server_reset(8, 2, "10.0.0.1:5000"),
        ];
        let earlier: Vec<Earlier> = bases(&resets, &CaptureInfo::default())
            .iter()
            .map(|b| b.earlier)
            .collect();
        let want = [
            Earlier::None,
            Earlier::SameSender,
            Earlier::OtherSide,
            Earlier::None,
        ];
        assert_eq!(earlier, want);
    }

    #[test]
    fn test_basis_notes_a_clock_that_ran_backwards() {
        let mut info = CaptureInfo::default();
        info.warnings.push(Warning {
            kind: WarningKind::TimeBackwards,
            frame: Some(3),
            offset: None,
            message: "frames out of order".to_string(),
        });
        let b = bases(&[server_reset(5, 1, "10.0.0.2:80")], &info);
        assert!(b.first().is_some_and(|b| b.clock_backwards));
    }

    #[test]
    fn test_calibrate_sets_the_table_probability() {
        let mut resets = [server_reset(5, 1, "10.0.0.2:80")];
        let basis = bases(&resets, &CaptureInfo::default())[0];
        calibrate(&mut resets, &CaptureInfo::default());
        assert_eq!(resets[0].confidence, table::probability(&basis));
    }

    #[test]
    fn test_conflict_names_both_origins_signals() {
        let conflict =
            conflict(&server_reset(5, 1, "10.0.0.2:80")).expect("TTL and timing disagree");
        assert_eq!(conflict.sentence, "TTL says server, timing says path.");
    }

    #[test]
    fn test_unseen_verdict_claims_the_floor() {
        // No generated family ends in an unknown cause of an unknown
        // origin: the table has no record of such verdicts being right.
        let mut r = server_reset(5, 1, "10.0.0.2:80");
        r.cause = Cause::Unknown;
        r.origin = Origin::Unknown;
        let basis = bases(&[r], &CaptureInfo::default())[0];
        let floor = f32::from(table::fitted::UNSEEN) / table::SCALE;
        assert_eq!(table::probability(&basis), floor);
        assert!(floor <= 0.05);
    }

    #[test]
    fn test_cannot_tell_claims_the_floor_where_a_named_unknown_is_fitted() {
        // MPTCP subflow resets (unknown cause, sub-cause mptcp-subflow, sent
        // by the server) are fitted, so (unknown, server) is in the table;
        // a server RST whose cause the engine could not tell must not
        // borrow their record.
        let mut r = server_reset(5, 1, "10.0.0.2:80");
        r.cause = Cause::Unknown;
        r.sub_cause = Some(SubCause::MptcpSubflow);
        let named = bases(&[r.clone()], &CaptureInfo::default())[0];
        assert!(table::probability(&named) > 0.5);
        r.sub_cause = None;
        let cannot_tell = bases(&[r], &CaptureInfo::default())[0];
        let floor = f32::from(table::fitted::UNSEEN) / table::SCALE;
        assert_eq!(table::probability(&cannot_tell), floor);
    }

    #[test]
    fn test_agreeing_signals_have_no_conflict() {
        let mut r = server_reset(5, 1, "10.0.0.2:80");
        r.evidence = vec![ttl_as_server()];
        assert_eq!(conflict(&r), None);
        r.origin = Origin::Unknown;
        r.evidence = vec![ttl_as_server(), timing_early()];
        assert_eq!(conflict(&r), None, "an unknown origin concluded nothing");
    }
}
