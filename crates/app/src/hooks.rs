//! The app's hooks, one per file: what components share besides rendering.

pub mod use_analysis;
pub mod use_file_drop;
pub mod use_stage;
