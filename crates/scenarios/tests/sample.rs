//! The web app's sample is generated, not hand-edited: the committed file
//! must be exactly what `sample()` produces. After changing the generator,
//! regenerate it with
//! `cargo run -p rstscope-scenarios -- sample web/sample.pcapng`.

use rstscope_core::report::{Cause, Origin};
use rstscope_scenarios::sample;

const COMMITTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../web/sample.pcapng");

#[test]
fn committed_sample_equals_the_generated_one() {
    let (generated, _) = sample();
    let committed = std::fs::read(COMMITTED).expect("web/sample.pcapng exists");
    assert!(
        committed == generated,
        "web/sample.pcapng ({} bytes) differs from sample() ({} bytes); regenerate it with \
         `cargo run -p rstscope-scenarios -- sample web/sample.pcapng`",
        committed.len(),
        generated.len()
    );
}

#[test]
fn sample_shows_the_interesting_kinds_of_reset() {
    let (_, expected) = sample();
    for cause in [
        Cause::Refused,
        Cause::IdleTimeout,
        Cause::Injected,
        Cause::AppAbort,
        Cause::GracefulClose,
        Cause::Scan,
    ] {
        assert!(
            expected.iter().any(|e| e.cause == cause),
            "sample lacks a {} reset",
            cause.as_str()
        );
    }
    assert!(expected.iter().any(|e| e.origin == Origin::Middlebox));
    assert!(
        expected.windows(2).all(|w| w[0].frame < w[1].frame),
        "labels in frame order"
    );
}
