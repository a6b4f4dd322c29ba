//! The worker, started by the UI (see `job.rs`): analyses captures and makes share links.

#[cfg(target_arch = "wasm32")]
fn main() {
    rstscope_app::worker::run();
}

// Natively there is no browser to run in; this keeps `cargo build --workspace` working.
#[cfg(not(target_arch = "wasm32"))]
fn main() {}
