//! Says what an input that is not a capture looks like, so the user learns
//! they dropped a ZIP or a saved web page rather than "bad magic".

/// How many bytes [`describe`] and [`is_named`] judge: the framer waits for
/// them, so "<!DOCTYPE html>" is told from plain text even when fed byte by
/// byte, and never looks further, so the verdict does not depend on how much
/// input one push brought (a whole push hands over everything at once).
pub(crate) const SNIFF_LEN: usize = 64;

/// A sentence naming what `head` (the first bytes of the input) looks like.
pub(crate) fn describe(head: &[u8]) -> String {
    match what(head) {
        Some(kind) => format!("this is {kind}, not a pcap, pcapng or ERF capture"),
        None => {
            let hex: Vec<String> = head.iter().take(8).map(|b| format!("{b:02x}")).collect();
            format!(
                "not a pcap, pcapng or ERF capture: unknown format starting with bytes {}",
                hex.join(" ")
            )
        }
    }
}

/// Whether `head` is something [`describe`] can name (so not a capture).
pub(crate) fn is_named(head: &[u8]) -> bool {
    what(head).is_some()
}

fn what(head: &[u8]) -> Option<&'static str> {
    let head = head.get(..SNIFF_LEN).unwrap_or(head);
    const SIGNATURES: &[(&[u8], &str)] = &[
        (b"PK\x03\x04", "a ZIP archive (unzip it first)"),
        (b"PK\x05\x06", "an empty ZIP archive"),
        (b"\x89PNG", "a PNG image"),
        (b"\xff\xd8\xff", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"%PDF", "a PDF document"),
        (b"\x7fELF", "an ELF executable"),
        (b"MZ", "a Windows executable"),
        (b"\x1f\x8b", "gzip data inside gzip data"),
        (b"BZh", "a bzip2 archive (decompress it first)"),
        (b"\xfd7zXZ\x00", "an xz archive (decompress it first)"),
        (b"\x28\xb5\x2f\xfd", "a zstd archive (decompress it first)"),
        (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
        (b"Rar!", "a RAR archive"),
        (
            b"snoop\x00\x00\x00",
            "a Solaris snoop capture (convert it to pcap first)",
        ),
        (
            b"GMBU",
            "a Microsoft Network Monitor capture (convert it to pcap first)",
        ),
        (
            b"\xa1\xb2\xcd\x34",
            "a modified (Kuznetzov) pcap (convert it with editcap first)",
        ),
        (
            b"\x34\xcd\xb2\xa1",
            "a modified (Kuznetzov) pcap (convert it with editcap first)",
        ),
    ];
    if head.is_empty() {
        return Some("an empty file");
    }
    if let Some((_, kind)) = SIGNATURES.iter().find(|(magic, _)| head.starts_with(magic)) {
        return Some(kind);
    }
    text_kind(head)
}

/// Names text formats; `None` when `head` is not text.
fn text_kind(head: &[u8]) -> Option<&'static str> {
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    // A chunk boundary may cut a multi-byte character: judge the valid part.
    let text = match std::str::from_utf8(head) {
        Ok(text) => text,
        Err(err) if err.error_len().is_none() => {
            std::str::from_utf8(head.get(..err.valid_up_to())?).ok()?
        }
        Err(_) => return None,
    };
    if text.chars().any(|c| c.is_control() && !c.is_whitespace()) {
        return None;
    }
    let start = text.trim_start().to_ascii_lowercase();
    Some(
        if start.starts_with("<!doctype html")
            || start.starts_with("<html")
            || start.contains("<head")
        {
            "an HTML page (perhaps a download or login page saved instead of the file)"
        } else if start.starts_with("<?xml") || start.starts_with('<') {
            "an XML document"
        } else if start.starts_with('{') || start.starts_with('[') {
            "JSON text"
        } else {
            "a text file"
        },
    )
}
