//! What the worker tells the UI. The UI posts one request to a worker:
//! an array of one or two captures (`Blob` or `File`: this capture, then
//! the capture from the other end, to compare) to analyse, or a report's
//! JSON (UTF-8 in a `Uint8Array`) to pack as a share link. The worker answers with these
//! messages, each serialised as UTF-8 JSON in a `Uint8Array`.

use rstscope_core::report::Reset;
use rstscope_core::Report;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum FromWorker {
    /// The worker's WebAssembly is loaded; only now may the UI post the
    /// capture (a message posted earlier would find no handler).
    Ready,
    /// Input bytes read so far, out of `total`, and the read rate, of the
    /// capture being read (`capture`: 0 for the first, 1 for the other end's).
    Progress {
        #[serde(default)]
        capture: u8,
        bytes: u64,
        total: u64,
        mb_per_s: f64,
    },
    /// Resets found so far in the capture being read, before their
    /// verdicts (which come with `Done`): how many, and the packets of
    /// those found since the previous `Partial`. Only the capture's first
    /// `LIVE_RESETS` are ever sent; past them only the count grows.
    Partial {
        capture: u8,
        resets_seen: u64,
        new_resets: Vec<LiveReset>,
    },
    Done {
        report: Box<Report>,
        stats: RunStats,
    },
    /// The report JSON the UI posted, packed as a share link's fragment
    /// (`#report=…`, however long: the UI checks that it fits).
    Link { fragment: String },
    /// The input is not a capture at all (or could not be read).
    Failed { message: String },
}

/// Most resets listed live while a capture is read.
pub const LIVE_RESETS: usize = 50;

/// A RST as its packet shows it, before any verdict.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiveReset {
    pub frame: u64,
    /// Seconds since the Unix epoch.
    pub time: f64,
    /// "ip:port" of the packet's source and destination.
    pub src: String,
    pub dst: String,
    pub flags: String,
}

impl From<&Reset> for LiveReset {
    fn from(reset: &Reset) -> Self {
        Self {
            frame: reset.frame,
            time: reset.time,
            src: reset.src.clone(),
            dst: reset.dst.clone(),
            flags: reset.flags.clone(),
        }
    }
}

/// How the run went, for the status line under the report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunStats {
    /// "pcap" or "pcapng".
    pub format: String,
    pub compressed: bool,
    /// Input bytes read (of both captures, when comparing).
    pub bytes: u64,
    pub seconds: f64,
    /// Of `seconds`, the time spent decoding and analysing, rather than
    /// waiting for the browser to deliver the file's bytes.
    pub analysis_seconds: f64,
}

impl FromWorker {
    /// UTF-8 JSON: posted as bytes, a big report costs the page no string
    /// conversion (a 16.7 MB report's took it 0.3 s).
    pub fn to_json(&self) -> Vec<u8> {
        // A derived Serialize of strings, numbers and maps cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }

    pub fn from_json(json: &[u8]) -> Result<Self, String> {
        serde_json::from_slice(json).map_err(|err| err.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_survive_the_json_trip() {
        let messages = [
            FromWorker::Ready,
            FromWorker::Progress {
                capture: 1,
                bytes: 4 << 20,
                total: 10 << 20,
                mb_per_s: 87.5,
            },
            FromWorker::Partial {
                capture: 0,
                resets_seen: 120,
                new_resets: vec![LiveReset {
                    frame: 7,
                    time: 1_700_000_000.25,
                    src: "[2001:db8::1]:443".into(),
                    dst: "10.0.0.5:50000".into(),
                    flags: "RST+ACK".into(),
                }],
            },
            FromWorker::Done {
                report: Box::default(),
                stats: RunStats {
                    format: "pcapng".into(),
                    compressed: true,
                    bytes: 1234,
                    seconds: 0.25,
                    analysis_seconds: 0.125,
                },
            },
            FromWorker::Link {
                fragment: "#report=v1.eJw".into(),
            },
            FromWorker::Failed {
                message: "this is a ZIP archive, not a capture".into(),
            },
        ];
        for message in messages {
            let json = message.to_json();
            let text = String::from_utf8_lossy(&json).into_owned();
            assert_eq!(FromWorker::from_json(&json), Ok(message), "{text}");
        }
    }

    #[test]
    fn unknown_messages_are_rejected() {
        assert!(FromWorker::from_json(br#"{"type":"explode"}"#).is_err());
        let extra = br#"{"type":"failed","message":"x","extra":1}"#;
        assert!(FromWorker::from_json(extra).is_err());
    }
}
