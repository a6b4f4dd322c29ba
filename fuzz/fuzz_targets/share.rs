//! The app's share-link decoder (`rstscope_app::share::decode`), which reads
//! a URL fragment a stranger controls.
//!
//! The first byte picks what the rest is, modulo 3: 0, an old (`v1.`)
//! link's report JSON, packed the way those links were; 1, the fragment
//! itself (prefix, version, base64, deflate bombs); 2, a `v2.` link's
//! payload (postcard of `share::Link`), packed the way links are, so the
//! fuzzer reaches the typed decoder and the checks of what a link may
//! claim. A fragment that decodes must survive encode + decode unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rstscope_app::share;
use rstscope_fuzz_common::{share_link_of_json, share_link_of_payload};

fuzz_target!(|input: &[u8]| {
    let Some((&mode, rest)) = input.split_first() else {
        return;
    };
    let fragment = match mode % 3 {
        0 => share_link_of_json(rest),
        1 => String::from_utf8_lossy(rest).into_owned(),
        _ => share_link_of_payload(rest),
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
