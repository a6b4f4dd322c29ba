//! Share links: a report's typed data (never the capture, never its
//! sentences) in the URL fragment, as
//! `#report=v2.<base64url(deflate(postcard of model::Link))>`. The
//! fragment is not sent to any server, so opening a link sends the report
//! nowhere either.
//!
//! Links come from strangers, so the receiving app trusts only data: the
//! payload is typed ([`model`]), checked against what the capture it
//! describes allows ([`check`]), and every sentence (headline, findings,
//! tips, commands) is written here by the core's catalogue. Older `v1.`
//! links (the whole report JSON) are read the same way: their sentences
//! are dropped and written again.

mod check;
mod facts;
mod model;

use crate::protocol::from_json;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use core::fmt;
use core::future::Future;
use rstscope_core::Report;

pub use check::{check, MAX_CAPTURE_TEXT};
pub use model::Link;

/// What starts the fragment of a share link.
pub const PREFIX: &str = "#report=";
/// The link format this app writes.
const VERSION: &str = "v2.";
/// The first format: the whole report JSON, sentences included.
const VERSION_1: &str = "v1.";
/// Longest fragment made or accepted. Chromium takes URLs up to 2 MB, but
/// chat and ticket systems cut far shorter ones: past this, export JSON.
pub const MAX_FRAGMENT: usize = 1_000_000;
/// Largest payload a link may inflate to (deflate bombs stop here).
pub const MAX_PAYLOAD: usize = 32 << 20;
/// Largest report JSON opened from a file (a 10k-reset report is ~30 MB).
pub const MAX_JSON: u64 = 256 << 20;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShareError {
    /// The encoded report is longer than a link can be.
    TooLong {
        chars: usize,
    },
    UnknownVersion,
    NotBase64,
    /// Not deflate data, or it inflates past [`MAX_PAYLOAD`].
    NotDeflate,
    /// The payload is not a report of this format.
    NotAReport(String),
    /// The link claims what rstscope's catalogue cannot express.
    Refused(String),
    /// The link could not be made, or this app could not open the link it made.
    Unavailable(String),
}

impl fmt::Display for ShareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLong { chars } => write!(
                f,
                "the report is too large for a link ({chars} characters, at most {MAX_FRAGMENT}); export it as JSON instead, and open the file here by dropping it on the page"
            ),
            Self::UnknownVersion => f.write_str("the link was made by an unknown version of rstscope"),
            Self::NotBase64 => f.write_str("the link is damaged (not base64url)"),
            Self::NotDeflate => f.write_str(
                "the link is damaged (not deflate data, or larger than 32 MiB once inflated)",
            ),
            Self::NotAReport(why) => write!(
                f,
                "the link does not hold an rstscope report this version can read: {why}"
            ),
            Self::Refused(why) => write!(
                f,
                "the link claims something rstscope cannot have written, so nothing of it is shown: {why}"
            ),
            Self::Unavailable(why) => write!(f, "the link could not be made: {why}"),
        }
    }
}

/// The fragment (with its leading `#`) that carries a link's `payload`
/// (postcard of a [`Link`]), however long. Run in the worker for the app.
pub fn pack(payload: &[u8]) -> String {
    format!("{PREFIX}{VERSION}{}", deflate_base64(payload))
}

fn deflate_base64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(bytes, 9))
}

/// The payload of `report`'s link: its typed data, positionally.
pub fn payload(report: &Report) -> Vec<u8> {
    // Serialising plain data into a Vec cannot fail.
    postcard::to_allocvec(&Link::of(report)).unwrap_or_default()
}

/// The fragment that reproduces `report`, if it fits in a link.
pub fn encode(report: &Report) -> Result<String, ShareError> {
    fits(pack(&payload(report)))
}

fn fits(fragment: String) -> Result<String, ShareError> {
    if fragment.len() > MAX_FRAGMENT {
        return Err(ShareError::TooLong {
            chars: fragment.len(),
        });
    }
    Ok(fragment)
}

/// What a link leaves out of the report on screen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Omitted {
    /// The packet ladders of the resets.
    pub ladders: bool,
    /// Connections without a reset, this many.
    pub connections: usize,
    /// The comparison's explanations: why each capture is at its end,
    /// the details of each difference (only their kinds travel).
    pub comparison_notes: bool,
}

impl Omitted {
    pub fn of(report: &Report) -> Self {
        let with_resets: std::collections::BTreeSet<u32> =
            report.resets.iter().filter_map(|r| r.connection).collect();
        Self {
            ladders: report.resets.iter().any(|r| !r.ladder.is_empty()),
            connections: report
                .connections
                .iter()
                .filter(|c| !with_resets.contains(&c.id))
                .count(),
            comparison_notes: report.comparison.as_ref().is_some_and(|c| {
                let why = !c.main.why.is_empty() || !c.peer.why.is_empty();
                why || c.matched.iter().any(|m| !m.differences.is_empty())
            }),
        }
    }

    pub fn any(&self) -> bool {
        self.ladders || self.connections > 0 || self.comparison_notes
    }
}

/// [`encode`], with `pack` doing [`pack`]'s work (the app runs it in a
/// worker), and a link made only when this app opens it again: the link
/// is decoded here and must give the same verdicts.
pub async fn encode_fitting<F>(
    report: &Report,
    pack: impl FnOnce(Vec<u8>) -> F,
) -> Result<(String, Omitted), ShareError>
where
    F: Future<Output = Result<String, ShareError>>,
{
    let link = fits(pack(payload(report)).await?)?;
    let opened = match decode(&link) {
        Some(Ok(opened)) => opened,
        Some(Err(err)) => {
            return Err(ShareError::Unavailable(format!(
                "this app could not open it again ({err}); export JSON instead"
            )))
        }
        None => return Err(ShareError::Unavailable("not a share link".into())),
    };
    let same = |a: &Report, b: &Report| {
        a.resets.len() == b.resets.len()
            && a.resets
                .iter()
                .zip(&b.resets)
                .all(|(x, y)| (x.frame, x.origin, x.cause) == (y.frame, y.origin, y.cause))
    };
    if !same(report, &opened) {
        return Err(ShareError::Unavailable(
            "it would not show the same verdicts; export JSON instead".into(),
        ));
    }
    Ok((link, Omitted::of(report)))
}

/// Reads a location fragment: `None` when it is not a share link at all.
pub fn decode(fragment: &str) -> Option<Result<Report, ShareError>> {
    read(fragment).map(|link| link.map(Link::into_report))
}

/// Reads and checks a location fragment's link without making its report
/// yet ([`Link::into_report`]): the page does each in a task of its own.
pub fn read(fragment: &str) -> Option<Result<Link, ShareError>> {
    let payload = fragment.strip_prefix(PREFIX)?;
    Some(read_payload(payload))
}

fn read_payload(payload: &str) -> Result<Link, ShareError> {
    if payload.len() + PREFIX.len() > MAX_FRAGMENT {
        return Err(ShareError::TooLong {
            chars: payload.len() + PREFIX.len(),
        });
    }
    let link = if let Some(data) = payload.strip_prefix(VERSION) {
        read_link(&inflate(data)?)?
    } else if let Some(data) = payload.strip_prefix(VERSION_1) {
        let old: Report = from_json(&inflate(data)?).map_err(|err| {
            ShareError::NotAReport(format!(
                "it is a link from an older rstscope (format v1) and does not read as one: {err}"
            ))
        })?;
        Link::of(&old)
    } else {
        return Err(ShareError::UnknownVersion);
    };
    check(&link).map_err(ShareError::Refused)?;
    Ok(link)
}

/// A `v2.` payload: one [`Link`], and nothing after it (postcard itself
/// would ignore bytes past the end, where a forger could hide anything).
fn read_link(payload: &[u8]) -> Result<Link, ShareError> {
    let not_a_report = |why: String| ShareError::NotAReport(why);
    let (link, rest) = postcard::take_from_bytes::<Link>(payload).map_err(|err| {
        not_a_report(match err {
            postcard::Error::DeserializeUnexpectedEnd => "it is cut short".into(),
            postcard::Error::SerdeDeCustom | postcard::Error::DeserializeBadEnum => {
                "it holds a value of an unknown kind (a cause, origin or evidence this version does not have)".into()
            }
            other => other.to_string(),
        })
    })?;
    if !rest.is_empty() {
        return Err(not_a_report(format!(
            "{} bytes follow the report",
            rest.len()
        )));
    }
    Ok(link)
}

/// A report JSON (the app's "Export JSON", the CLI's `--format json`),
/// opened as a link is: a file can come from a stranger too, so only its
/// typed data is read and checked, and this app writes every sentence.
/// What links leave out (ladders, connections without a reset) stays out.
pub fn open_json(json: &[u8]) -> Result<Report, ShareError> {
    let report: Report = from_json(json).map_err(|err| {
        ShareError::NotAReport(format!("the file is not an rstscope report JSON: {err}"))
    })?;
    let link = Link::of(&report);
    check(&link).map_err(ShareError::Refused)?;
    Ok(link.into_report())
}

/// Whether a file the user chose is a report JSON rather than a capture.
pub fn is_report_json(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with(".json")
}

fn inflate(data: &str) -> Result<Vec<u8>, ShareError> {
    let packed = URL_SAFE_NO_PAD
        .decode(data)
        .map_err(|_| ShareError::NotBase64)?;
    miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_PAYLOAD)
        .map_err(|_| ShareError::NotDeflate)
}

/// Whether `fragment` is meant as a share link (readable or not).
pub fn is_link(fragment: &str) -> bool {
    fragment.starts_with(PREFIX)
}

/// Whether `fragment` is a link in the older `v1.` format.
pub fn is_older(fragment: &str) -> bool {
    fragment
        .strip_prefix(PREFIX)
        .is_some_and(|payload| payload.starts_with(VERSION_1))
}

#[cfg(test)]
mod tests;
