//! What a RST's payload says: RFC 1122 §4.2.2.12 text, or a
//! draft-ietf-tcpm-rst-diagnostic-payload reason code (magic 0x33AA).

use alloc::string::String;

/// Magic number that starts a diagnostic payload.
const MAGIC: [u8; 2] = [0x33, 0xAA];

/// The printable text of a payload (runs of control bytes become one
/// space), or `None` when it holds no text worth showing.
pub fn text(payload: &[u8]) -> Option<String> {
    let mut out = String::new();
    let mut printable = 0usize;
    for &b in payload {
        if (0x20..0x7f).contains(&b) {
            out.push(char::from(b));
            printable += 1;
        } else if !out.ends_with(' ') && !out.is_empty() {
            out.push(' ');
        }
    }
    let trimmed = out.trim();
    // Mostly binary payloads are not text (a few stray letters are noise).
    (printable >= 3 && printable * 2 >= payload.len()).then(|| String::from(trimmed))
}

/// The reason code of a diagnostic payload: magic, then a 16-bit code.
pub fn reason_code(payload: &[u8]) -> Option<u32> {
    let (magic, rest) = payload.split_first_chunk::<2>()?;
    if *magic != MAGIC {
        return None;
    }
    let (code, _) = rest.split_first_chunk::<2>()?;
    Some(u32::from(u16::from_be_bytes(*code)))
}

/// An F5 BIG-IP reset-cause text ("BIG-IP: [0x...:...] reason").
pub fn is_big_ip(text: &str) -> bool {
    text.starts_with("BIG-IP:")
}

/// A BIG-IP text saying it passes on a reset from the other side of the
/// proxy ("{peer} TCP RST from remote system").
pub fn relays_remote_reset(text: &str) -> bool {
    is_big_ip(text) && text.to_ascii_lowercase().contains("rst from remote")
}

/// Words in a payload text that name an idle or expiry timeout.
pub fn mentions_timeout(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    ["expired", "timeout", "timed out", "idle", "sweeper"]
        .iter()
        .any(|w| lower.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_payload_text_and_code() {
        assert_eq!(
            text(b"BIG-IP: [0x2409b71:704] Flow expired (sweeper)\0").as_deref(),
            Some("BIG-IP: [0x2409b71:704] Flow expired (sweeper)")
        );
        assert_eq!(text(&[0, 1, 2, 3, 0xff]), None);
        assert_eq!(reason_code(&[0x33, 0xAA, 0x00, 0x0e, b'x']), Some(14));
        assert_eq!(reason_code(&[0x33, 0xAB, 0, 1]), None);
        assert_eq!(reason_code(&[0x33]), None);
        assert!(mentions_timeout("Flow expired (sweeper)"));
        assert!(relays_remote_reset(
            "BIG-IP: [0x11c5672:3045] {peer} TCP RST from remote system"
        ));
        assert!(!relays_remote_reset("Flow expired (sweeper)"));
    }
}
