//! The analysis worker, started by the UI (see `analysis.rs`).

#[cfg(target_arch = "wasm32")]
fn main() {
    rstscope_app::worker::run();
}

// Natively there is no browser to run in; this keeps `cargo build --workspace` working.
#[cfg(not(target_arch = "wasm32"))]
fn main() {}
