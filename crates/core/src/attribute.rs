//! Reset attribution: who really sent each RST, why, and how sure we are.
//!
//! Each RST is recorded with a snapshot of its connection at that moment
//! ([`record::ResetRecord`]); later packets add "after" observations (data
//! racing it, more RSTs). When the connection ends, [`judge`] weighs the
//! signals ([`origin`]), picks the cause ([`cause`], with scan and probe
//! patterns in [`probe`]), places the RST in the
//! connection ([`pattern`]) and fills in the report entry.

pub mod cause;
pub mod judge;
pub mod origin;
pub mod pattern;
pub mod payload;
pub mod probe;
pub mod record;

pub use judge::judge;
pub use record::ResetRecord;

use crate::report::Role;
use crate::track::Side;

/// The report's name for a side of a connection.
pub fn role(side: Side) -> Role {
    match side {
        Side::Client => Role::Client,
        Side::Server => Role::Server,
    }
}
