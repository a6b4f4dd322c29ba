//! rstscope-core: why was this TCP connection reset, and who really did it?
//!
//! `no_std` + `alloc`, no I/O, and no panics on any input. Frames go in
//! ([`Frame`]), a [`Report`] comes out. Analysis never fails: frames that
//! cannot be decoded become diagnostics in the report.
//!
//! Pipeline: [`decode`] turns link-layer bytes into a TCP segment view,
//! `track` follows connections and hosts, [`attribute`] judges every reset,
//! `summary` counts them, [`report`] is the serialisable result (the JSON
//! contract of the CLI and app), [`render`] writes every sentence of it from
//! its typed data, and [`compare()`] sets two captures' analyses side by side.
//!
//! The API boundary (what front ends use): [`Analyzer`] with its [`Config`]
//! and [`Analysis`], [`Report`] and its types, [`compare()`] and
//! [`compare::story`], [`render`], the frame types ([`Frame`], [`LinkType`],
//! [`decode`]'s views and flags), [`filters`], [`select`] and [`listing`] (a
//! report's packets in other tools, found again in the capture and listed);
//! [`confidence`] for the calibration harness (its `Basis` and fitted table);
//! [`rebuild_report`] for a report read back from its typed parts (share links).
//! `track` and `summary` are private; `attribute` is public only while its
//! rules are being written (its staged facts would read as dead code) and is
//! no API.
#![no_std]
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
// Functions short enough to see whole (threshold in clippy.toml).
#![deny(clippy::too_many_lines)]

extern crate alloc;

pub mod analyzer;
pub mod attribute;
pub mod compare;
pub mod confidence;
pub mod decode;
pub mod filters;
pub mod frame;
pub mod listing;
pub mod render;
pub mod report;
pub mod select;
pub mod sort;
mod summary;
mod track;

pub use analyzer::{Analysis, Analyzer, Closing, Config};
pub use compare::compare;
pub use frame::{Frame, LinkType};
pub use report::Report;
pub use summary::rebuild::{rebuild_report, ReportParts};
