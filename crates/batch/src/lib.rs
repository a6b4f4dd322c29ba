//! rstscope outside the browser: the glue that the CLI and the Python
//! package share, so that both analyse and print the same way.
//!
//! - [`analyze`] / [`analyze_pair`] / [`analysis`]: a file, stdin or bytes
//!   in memory to a report (a regular file is read ahead on a second
//!   thread), compared with a peer capture's if one is given.
//! - [`targets::expand`]: command-line arguments to captures (directories
//!   walked in name order; files that do not start like a capture skipped).
//! - [`pool::ordered`]: many captures on all cores, results in input order.
//! - [`rows`] and [`zeek`]: reports as rows (NDJSON; Zeek-style TSV).
//! - [`Combined`]: the summary of several captures.

#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic,
        clippy::todo,
        clippy::unimplemented
    )
)]

mod analyze;
mod combined;
mod decoded;
mod inflated;
mod input;
pub mod pool;
pub mod rows;
pub mod targets;
pub mod zeek;

pub use analyze::{analysis, analyze, analyze_in_pool, analyze_pair, Error, PairError, Source};
pub use combined::Combined;
pub use rows::{Outcome, RowKind};
