//! Connection and host tracking.
//!
//! [`table::ConnTable`] maps packets to connections ([`conn::Conn`]), each a
//! fixed-size record of both directions' sequence space, timing and IP
//! fingerprint; [`host::HostTable`] keeps per-address baselines (TTL, IP-ID
//! style, response time, port and host sweeps) across connections; [`zeek`] replays Zeek's
//! endpoint state machine for `conn_state` and `history`.

pub mod baseline;
pub mod conn;
pub mod embryo;
mod evict;
mod grow;
pub mod host;
pub(crate) mod id_order;
pub mod link;
pub mod listed;
pub mod seq;
pub mod stream;
mod sweep;
pub mod table;
pub mod zeek;

pub use conn::{RolesFrom, Side};
pub use host::{HostProfile, HostTable};
pub use table::ConnTable;
