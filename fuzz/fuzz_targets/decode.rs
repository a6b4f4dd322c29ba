//! One frame through `rstscope_core::decode::decode`. The first byte picks
//! the link type (an index into the core's named link types, or a raw
//! number past them); the rest is the frame.
//!
//! Besides "no panic" it checks what the decoder's callers rely on: the
//! result is deterministic, the payload lies inside the frame and is no
//! longer than the IP header says, and malformed headers are inside the frame.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rstscope_core::decode::{decode, DecodeErrorKind, Decoded};
use rstscope_fuzz_common::link_type;

fuzz_target!(|input: &[u8]| {
    let Some((&selector, frame)) = input.split_first() else {
        return;
    };
    let link_type = link_type(selector);
    let result = decode(link_type, frame);
    assert_eq!(
        result,
        decode(link_type, frame),
        "decoding is deterministic"
    );
    match result {
        Ok(Decoded::Tcp(packet)) => {
            let payload = packet.tcp.payload.as_ptr_range();
            let bytes = frame.as_ptr_range();
            assert!(
                payload.start >= bytes.start && payload.end <= bytes.end,
                "the payload is a slice of the frame"
            );
            assert!(
                packet.tcp.payload.len() as u64 <= u64::from(packet.tcp.payload_len),
                "payload ({} bytes) longer than the IP header says ({})",
                packet.tcp.payload.len(),
                packet.tcp.payload_len
            );
        }
        Ok(Decoded::NotTcp(_)) => {}
        // A cut frame may name a layer that would start past its end; a
        // malformed header must be inside it.
        Err(err) => assert!(
            err.kind == DecodeErrorKind::Truncated || err.offset < frame.len(),
            "{:?} {:?} error at offset {}, past the end of a {}-byte frame",
            err.kind,
            err.layer,
            err.offset,
            frame.len()
        ),
    }
});
