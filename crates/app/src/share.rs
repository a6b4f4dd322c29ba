//! Share links: the report (never the capture) in the URL fragment, as
//! `#report=v1.<base64url(deflate(JSON))>`. The fragment is not sent to any
//! server, so opening a link sends the report nowhere either.
//!
//! Decoding is strict because links come from strangers: size limits before
//! and after inflating, and the report's own `deny_unknown_fields` schema.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use core::fmt;
use core::future::Future;
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
    /// The worker that compresses the report failed.
    Unavailable(String),
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
            Self::Unavailable(why) => write!(f, "the link could not be made: {why}"),
        }
    }
}

/// The fragment (with its leading `#`) that carries a report's `json`,
/// however long (see [`encode_fitting`]). Run in the worker for the app.
pub fn pack(json: &[u8]) -> String {
    // Level 6: half the time of level 9 for links 1.6% longer (a 3 MB report).
    let packed = miniz_oxide::deflate::compress_to_vec(json, 6);
    format!("{PREFIX}{VERSION}{}", URL_SAFE_NO_PAD.encode(packed))
}

/// The fragment that reproduces `report`, if it fits in a link.
pub fn encode(report: &Report) -> Result<String, ShareError> {
    fits(pack(&to_json(report)))
}

fn fits(fragment: String) -> Result<String, ShareError> {
    if fragment.len() > MAX_FRAGMENT {
        return Err(ShareError::TooLong {
            chars: fragment.len(),
        });
    }
    Ok(fragment)
}

fn to_json(report: &Report) -> Vec<u8> {
    // A derived Serialize of strings, numbers and maps cannot fail.
    serde_json::to_vec(report).unwrap_or_default()
}

/// What a link had to leave out to stay under [`MAX_FRAGMENT`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Omitted {
    /// The packet ladders of the resets (and of the comparison's).
    pub ladders: bool,
    /// Connections without a reset, this many.
    pub connections: usize,
}

impl Omitted {
    pub fn any(&self) -> bool {
        self.ladders || self.connections > 0
    }
}

/// Like [`encode`], but when the whole report is too long for a link, first
/// the ladder diagrams and then the connections no reset belongs to are
/// left out (they are the bulk of a big report; the verdicts all stay).
/// `pack` does [`pack`]'s work, maybe elsewhere: the app runs it in a
/// worker, as compressing a big report takes seconds.
pub async fn encode_fitting<F>(
    report: &Report,
    mut pack: impl FnMut(Vec<u8>) -> F,
) -> Result<(String, Omitted), ShareError>
where
    F: Future<Output = Result<String, ShareError>>,
{
    match fits(pack(to_json(report)).await?) {
        Err(ShareError::TooLong { .. }) => {}
        whole => return whole.map(|link| (link, Omitted::default())),
    }
    let mut slim = report.clone();
    for reset in &mut slim.resets {
        reset.ladder.clear();
    }
    for compared in slim.comparison.iter_mut().flat_map(|c| &mut c.resets) {
        compared.ladder.clear();
    }
    let mut omitted = Omitted {
        ladders: true,
        connections: 0,
    };
    match fits(pack(to_json(&slim)).await?) {
        Err(ShareError::TooLong { .. }) => {}
        fitted => return fitted.map(|link| (link, omitted)),
    }
    let kept: std::collections::BTreeSet<u32> =
        slim.resets.iter().filter_map(|r| r.connection).collect();
    let before = slim.connections.len();
    slim.connections.retain(|c| kept.contains(&c.id));
    omitted.connections = before - slim.connections.len();
    fits(pack(to_json(&slim)).await?).map(|link| (link, omitted))
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

    /// [`encode_fitting`] with [`pack`] run in place, as natively there is no worker.
    fn encode_fitting_here(report: &Report) -> Result<(String, Omitted), ShareError> {
        let fitting = std::pin::pin!(encode_fitting(report, |json| std::future::ready(Ok(pack(
            &json
        )))));
        let mut context = std::task::Context::from_waker(std::task::Waker::noop());
        match fitting.poll(&mut context) {
            std::task::Poll::Ready(made) => made,
            std::task::Poll::Pending => unreachable!("nothing here waits"),
        }
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
        let fragment = pack(extra.to_string().as_bytes());
        assert!(matches!(
            decode(&fragment),
            Some(Err(ShareError::NotAReport(_)))
        ));
        let fragment = pack(b"{\"resets\": 3}");
        assert!(matches!(
            decode(&fragment),
            Some(Err(ShareError::NotAReport(_)))
        ));
    }

    #[test]
    fn size_limits_hold() {
        // A deflate bomb: tiny link, huge inflated size.
        let bomb = vec![b' '; MAX_JSON + 1];
        assert_eq!(decode(&pack(&bomb)), Some(Err(ShareError::NotDeflate)));
        let long = format!("{PREFIX}{VERSION}{}", "A".repeat(MAX_FRAGMENT));
        assert!(matches!(
            decode(&long),
            Some(Err(ShareError::TooLong { .. }))
        ));
    }

    /// A report too big for a link loses its ladders, then its connections
    /// without resets, and keeps every verdict.
    #[test]
    fn a_big_report_is_trimmed_to_fit() {
        let mut report = sample_report();
        assert!(report.resets.iter().any(|r| !r.ladder.is_empty()));
        let (_, omitted) = encode_fitting_here(&report).expect("the sample fits");
        assert!(!omitted.any());

        // Pad the ladders with unique, incompressible numbers past the limit.
        let mut n = 0x9e37_79b9_u32;
        let template = report
            .resets
            .iter()
            .find_map(|r| r.ladder.first().cloned())
            .expect("a ladder packet");
        for reset in &mut report.resets {
            for _ in 0..12_000 {
                n = n.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                let mut packet = template.clone();
                packet.seq = n;
                packet.time = f64::from(n) / 7.0;
                reset.ladder.push(packet);
            }
        }
        assert!(matches!(encode(&report), Err(ShareError::TooLong { .. })));
        let (link, omitted) = encode_fitting_here(&report).expect("fits without ladders");
        assert_eq!(
            omitted,
            Omitted {
                ladders: true,
                connections: 0
            }
        );
        let shared = decode(&link).expect("a link").expect("a report");
        assert_eq!(shared.resets.len(), report.resets.len());
        assert!(shared.resets.iter().all(|r| r.ladder.is_empty()));
        assert!(shared.resets.iter().zip(&report.resets).all(|(a, b)| (
            a.frame, a.origin, a.cause
        ) == (
            b.frame, b.origin, b.cause
        )));
    }

    /// Inputs that once broke the `share` fuzz target (fuzz/regressions/share,
    /// same encoding as the target: even first byte, report JSON to pack;
    /// odd, the fragment itself) must decode or fail cleanly, and a decoded
    /// report must survive another trip through a link.
    #[test]
    fn fuzz_regressions_replay_cleanly() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/regressions/share");
        let mut replayed = 0;
        for entry in std::fs::read_dir(dir).expect("fuzz/regressions/share exists") {
            let input = std::fs::read(entry.expect("a directory entry").path()).expect("readable");
            let Some((&mode, rest)) = input.split_first() else {
                continue;
            };
            let fragment = if mode % 2 == 0 {
                pack(rest)
            } else {
                String::from_utf8_lossy(rest).into_owned()
            };
            if let Some(Ok(report)) = decode(&fragment) {
                let again = encode(&report).expect("a decoded report fits a link again");
                assert_eq!(decode(&again), Some(Ok(report)));
            }
            replayed += 1;
        }
        assert!(replayed > 0, "no share regressions found in {dir}");
    }
}
