#!/usr/bin/env bash
# rustc wrapper for the fuzz build (fuzz/.cargo/config.toml): compiles the
# third-party inflate and checksum crates without libFuzzer's coverage
# instrumentation. Their branches are not rstscope's (they are fuzzed
# upstream), so their coverage only sent libFuzzer after deflate states, and
# their per-byte comparison hooks were a third of the capture target's time
# (BENCHMARKS.md). rstscope's own gzip handling (crates/capture/src/gzip.rs)
# stays instrumented. cargo calls this as: wrapper RUSTC ARGS...; the last
# -sanitizer-coverage-level wins over cargo-fuzz's. cargo does not rebuild
# when this list changes: clean the crates in fuzz/ first, e.g.
#   cargo +nightly clean -p miniz_oxide --release --target x86_64-unknown-linux-gnu
set -euo pipefail
case " ${*:2} " in
  *" --crate-name miniz_oxide "* | *" --crate-name adler2 "* | *" --crate-name crc32fast "*)
    exec "$@" -Cllvm-args=-sanitizer-coverage-level=0
    ;;
esac
exec "$@"
