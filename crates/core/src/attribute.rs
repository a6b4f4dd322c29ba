//! Reset attribution: who really sent each RST, why, and how sure we are.
//!
//! Each RST is recorded with a snapshot of its connection at that moment
//! ([`record::ResetRecord`]); later packets add "after" observations (data
//! racing it, more RSTs). When the connection ends, [`judge`] judges its
//! RSTs in frame order: the signals ([`origin`]) say who emitted each, the
//! cause [`rules`] (with scan and probe patterns in [`probe`]) say why, and
//! [`pattern`] places it in the connection.

pub mod copy;
pub mod echo;
pub mod facts;
pub mod judge;
pub mod ledger;
pub mod link;
pub mod origin;
pub mod pattern;
pub mod payload;
pub mod probe;
pub mod record;
pub mod rules;

pub use judge::{judge_connection, Verdict};
pub use record::{ResetRecord, RstPacket};

use crate::report::Role;
use crate::track::Side;

/// The report's name for a side of a connection.
pub fn role(side: Side) -> Role {
    match side {
        Side::Client => Role::Client,
        Side::Server => Role::Server,
    }
}
