//! The app's share-link decoder (`rstscope_app::share::decode`), which reads
//! a URL fragment a stranger controls.
//!
//! Even first byte: the rest is report JSON, packed the way links are
//! (deflate, base64url, prefix) so the fuzzer reaches the JSON parser. Odd
//! first byte: the rest is the fragment itself (prefix, version, base64,
//! deflate bombs). A fragment that decodes must survive encode + decode.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rstscope_app::share;
use rstscope_fuzz_common::share_link_of_json;

fuzz_target!(|input: &[u8]| {
    let Some((&mode, rest)) = input.split_first() else {
        return;
    };
    let fragment = if mode % 2 == 0 {
        share_link_of_json(rest)
    } else {
        String::from_utf8_lossy(rest).into_owned()
    };
    let Some(Ok(report)) = share::decode(&fragment) else {
        return;
    };
    if let Ok(again) = share::encode(&report) {
        assert_eq!(
            share::decode(&again),
            Some(Ok(report)),
            "a decoded report survives another trip through a link"
        );
    }
});
