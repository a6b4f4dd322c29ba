//! Share links: the report (never the capture) in the URL fragment, as
//! `#report=v1.<base64url(deflate(JSON))>`. The fragment is not sent to any
//! server, so opening a link sends the report nowhere either.
//!
//! Decoding is strict because links come from strangers: size limits before
//! and after inflating, and the report's own `deny_unknown_fields` schema.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use core::fmt;
use rstscope_core::Report;

/// What starts the fragment of a share link.
pub const PREFIX: &str = "#report=";
const VERSION: &str = "v1.";
/// Longest fragment accepted: browsers cap URLs at about 2 MB.
pub const MAX_FRAGMENT: usize = 2_000_000;
/// Largest report JSON a link may inflate to (deflate bombs stop here).
pub const MAX_JSON: usize = 32 << 20;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShareError {
    /// The encoded report is longer than a link can be.
    TooLong {
        chars: usize,
    },
    UnknownVersion,
    NotBase64,
    /// Not deflate data, or it inflates past [`MAX_JSON`].
    NotDeflate,
    /// The JSON is not a report of this schema.
    NotAReport(String),
}

impl fmt::Display for ShareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLong { chars } => write!(
                f,
                "the report is too large for a link ({chars} characters, at most {MAX_FRAGMENT}); export it as JSON instead"
            ),
            Self::UnknownVersion => f.write_str("the link was made by an unknown version of rstscope"),
            Self::NotBase64 => f.write_str("the link is damaged (not base64url)"),
            Self::NotDeflate => f.write_str(
                "the link is damaged (not deflate data, or larger than 32 MiB once inflated)",
            ),
            Self::NotAReport(why) => write!(f, "the link does not hold an rstscope report: {why}"),
        }
    }
}

/// The fragment (with its leading `#`) that reproduces `report`.
pub fn encode(report: &Report) -> Result<String, ShareError> {
    // A derived Serialize of strings, numbers and maps cannot fail.
    let json = serde_json::to_vec(report).unwrap_or_default();
    let packed = miniz_oxide::deflate::compress_to_vec(&json, 9);
    let fragment = format!("{PREFIX}{VERSION}{}", URL_SAFE_NO_PAD.encode(packed));
    if fragment.len() > MAX_FRAGMENT {
        return Err(ShareError::TooLong {
            chars: fragment.len(),
        });
    }
    Ok(fragment)
}

/// Reads a location fragment: `None` when it is not a share link at all.
pub fn decode(fragment: &str) -> Option<Result<Report, ShareError>> {
    let payload = fragment.strip_prefix(PREFIX)?;
    Some(decode_payload(payload))
}

fn decode_payload(payload: &str) -> Result<Report, ShareError> {
    if payload.len() + PREFIX.len() > MAX_FRAGMENT {
        return Err(ShareError::TooLong {
            chars: payload.len() + PREFIX.len(),
        });
    }
    let data = payload
        .strip_prefix(VERSION)
        .ok_or(ShareError::UnknownVersion)?;
    let packed = URL_SAFE_NO_PAD
        .decode(data)
        .map_err(|_| ShareError::NotBase64)?;
    let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_JSON)
        .map_err(|_| ShareError::NotDeflate)?;
    serde_json::from_slice(&json).map_err(|err| ShareError::NotAReport(err.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_reports::{fixture_report, sample_report};

    fn link_of_json(json: &[u8]) -> String {
        let packed = miniz_oxide::deflate::compress_to_vec(json, 6);
        format!("{PREFIX}{VERSION}{}", URL_SAFE_NO_PAD.encode(packed))
    }

    #[test]
    fn a_report_survives_the_link() {
        for report in [fixture_report(), sample_report()] {
            round_trip(report);
        }
    }

    fn round_trip(report: Report) {
        let fragment = encode(&report).expect("fits in a link");
        assert!(fragment.starts_with("#report=v1."));
        // Only URL-safe characters: the link works unescaped.
        let payload = &fragment[PREFIX.len()..];
        assert!(payload
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)));
        assert_eq!(decode(&fragment), Some(Ok(report)));
    }

    #[test]
    fn other_fragments_are_not_links() {
        assert_eq!(decode(""), None);
        assert_eq!(decode("#resets"), None);
    }

    #[test]
    fn damaged_links_are_refused() {
        assert_eq!(
            decode("#report=v9.AAAA"),
            Some(Err(ShareError::UnknownVersion))
        );
        assert_eq!(decode("#report=v1.!!!"), Some(Err(ShareError::NotBase64)));
        let not_deflate = format!("#report=v1.{}", URL_SAFE_NO_PAD.encode([0xff; 40]));
        assert_eq!(decode(&not_deflate), Some(Err(ShareError::NotDeflate)));
        let fragment = encode(&fixture_report()).expect("fits");
        let cut = &fragment[..fragment.len() / 2];
        assert!(matches!(decode(cut), Some(Err(_))));
    }

    #[test]
    fn json_outside_the_schema_is_refused() {
        let json = serde_json::to_value(fixture_report()).expect("serialises");
        let mut extra = json.clone();
        extra["capture"]["injected"] = serde_json::Value::Bool(true);
        let fragment = link_of_json(extra.to_string().as_bytes());
        assert!(matches!(
            decode(&fragment),
            Some(Err(ShareError::NotAReport(_)))
        ));
        let fragment = link_of_json(b"{\"resets\": 3}");
        assert!(matches!(
            decode(&fragment),
            Some(Err(ShareError::NotAReport(_)))
        ));
    }

    #[test]
    fn size_limits_hold() {
        // A deflate bomb: tiny link, huge inflated size.
        let bomb = vec![b' '; MAX_JSON + 1];
        assert_eq!(
            decode(&link_of_json(&bomb)),
            Some(Err(ShareError::NotDeflate))
        );
        let long = format!("{PREFIX}{VERSION}{}", "A".repeat(MAX_FRAGMENT));
        assert!(matches!(
            decode(&long),
            Some(Err(ShareError::TooLong { .. }))
        ));
    }
}
