//! rstscope-core: why was this TCP connection reset, and who really did it?
//!
//! `no_std` + `alloc`, no I/O, and no panics on any input. Frames go in
//! ([`Frame`]), a [`Report`] comes out. Analysis never fails: frames that
//! cannot be decoded become diagnostics in the report.
//!
//! Pipeline: [`decode`] turns link-layer bytes into a TCP segment view,
//! [`track`] follows connections and hosts, [`attribute`] judges every reset,
//! [`report`] is the serialisable result (the JSON contract of the CLI and
//! app), [`render`] writes every sentence of it from its typed data, and
//! [`filters`] names a report's packets for Wireshark and tcpdump.
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
pub mod summary;
pub mod track;

pub use analyzer::{Analysis, Analyzer, Config};
pub use compare::compare;
pub use frame::{Frame, LinkType};
pub use report::Report;
