//! The UI, started by trunk's loader in the page.

#[cfg(target_arch = "wasm32")]
fn main() {
    rstscope_app::start_ui();
}

// Natively there is no page to render; this keeps `cargo build --workspace` working.
#[cfg(not(target_arch = "wasm32"))]
fn main() {}
