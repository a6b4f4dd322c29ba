//! Connection and host tracking.
