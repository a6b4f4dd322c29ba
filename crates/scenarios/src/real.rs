//! Hand labels of real captures: `labels/real/<capture file>.tsv`, one row
//! per RST frame, tab-separated with a header
//! `frame sender origin cause sub_cause consequence_of evidence`
//! (`sub_cause` and `consequence_of` may be empty; names are the report's
//! kebab-case ones). `linktypes__<file>.tsv` labels
//! `<captures>/linktypes/<file>`; any other `<file>.tsv` labels
//! `<captures>/<file>`. The policy is in `labels/real/README.md`.

use std::fs;
use std::path::{Path, PathBuf};

use rstscope_core::report::{Cause, Origin, Sender};

use crate::label::{parse_cause, parse_origin, parse_sender};

pub const HEADER: [&str; 7] = [
    "frame",
    "sender",
    "origin",
    "cause",
    "sub_cause",
    "consequence_of",
    "evidence",
];

/// One labelled RST of a real capture.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RealLabel {
    pub frame: u64,
    pub sender: Sender,
    pub origin: Origin,
    pub cause: Cause,
    pub sub_cause: Option<String>,
    pub consequence_of: Option<u64>,
    /// One sentence of packet evidence, from the labeller.
    pub evidence: String,
}

/// A label file and the capture it labels.
#[derive(Clone, Debug)]
pub struct RealFile {
    /// The label file's name without `.tsv`.
    pub name: String,
    pub capture: PathBuf,
    pub labels: Vec<RealLabel>,
}

/// Every label file in `labels_dir`, sorted by name, with the path of the
/// capture it labels under `captures_dir` (which may not exist).
pub fn load(labels_dir: &Path, captures_dir: &Path) -> Result<Vec<RealFile>, String> {
    let entries = match fs::read_dir(labels_dir) {
        Ok(entries) => entries,
        Err(_) => return Ok(Vec::new()),
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(".tsv"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|file| {
            let path = labels_dir.join(&file);
            let text = fs::read_to_string(&path)
                .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
            let labels = parse(&text).map_err(|e| format!("{}:{e}", path.display()))?;
            let name = file.trim_end_matches(".tsv").to_string();
            let capture = match name.strip_prefix("linktypes__") {
                Some(inner) => captures_dir.join("linktypes").join(inner),
                None => captures_dir.join(&name),
            };
            Ok(RealFile {
                name,
                capture,
                labels,
            })
        })
        .collect()
}

/// The rows of one label file; an error names the line and what is wrong.
pub fn parse(text: &str) -> Result<Vec<RealLabel>, String> {
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, header)) if header.trim_end().split('\t').eq(HEADER) => {}
        Some((_, header)) => {
            return Err(format!(
                "1: header is {header:?}, expected {:?}",
                HEADER.join("\t")
            ))
        }
        None => return Err("1: empty file, expected a header".into()),
    }
    let mut labels: Vec<RealLabel> = Vec::new();
    for (index, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let label = row(line).map_err(|e| format!("{}: {e}", index + 1))?;
        if labels.last().is_some_and(|l| l.frame >= label.frame) {
            return Err(format!(
                "{}: frame {} is not after the previous row's",
                index + 1,
                label.frame
            ));
        }
        labels.push(label);
    }
    Ok(labels)
}

fn row(line: &str) -> Result<RealLabel, String> {
    let fields: Vec<&str> = line.trim_end_matches('\r').split('\t').collect();
    let [frame, sender, origin, cause, sub_cause, consequence_of, evidence] = fields[..] else {
        return Err(format!("{} fields, expected 7", fields.len()));
    };
    let number = |name: &str, text: &str| {
        text.parse::<u64>()
            .ok()
            .filter(|&n| n > 0)
            .ok_or(format!("{name} {text:?} is not a frame number"))
    };
    let sub_cause = match sub_cause {
        "" => None,
        s if s.bytes().all(|b| b.is_ascii_lowercase() || b == b'-') => Some(s.to_string()),
        s => return Err(format!("sub_cause {s:?} is not a kebab-case name")),
    };
    Ok(RealLabel {
        frame: number("frame", frame)?,
        sender: parse_sender(sender).ok_or(format!("unknown sender {sender:?}"))?,
        origin: parse_origin(origin).ok_or(format!("unknown origin {origin:?}"))?,
        cause: parse_cause(cause).ok_or(format!("unknown cause {cause:?}"))?,
        sub_cause,
        consequence_of: match consequence_of {
            "" => None,
            text => Some(number("consequence_of", text)?),
        },
        evidence: evidence.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "frame\tsender\torigin\tcause\tsub_cause\tconsequence_of\tevidence\n\
        7\tserver\tmiddlebox\tinjected\t\t\tframe 7: TTL 248, the server's is 50.\n\
        9\tclient\tclient\tclosed-socket\thalf-open\t7\tframe 9 answers frame 8 after the forged RST.\n";

    #[test]
    fn reads_rows_with_optional_fields() {
        let labels = parse(GOOD).expect("valid");
        assert_eq!(labels.len(), 2);
        assert_eq!(labels[0].cause, Cause::Injected);
        assert_eq!(labels[0].sub_cause, None);
        assert_eq!(labels[1].consequence_of, Some(7));
        assert_eq!(labels[1].sub_cause.as_deref(), Some("half-open"));
    }

    #[test]
    fn errors_name_the_line_and_the_field() {
        let bad_cause = GOOD.replace("injected", "forged");
        assert_eq!(
            parse(&bad_cause).unwrap_err(),
            "2: unknown cause \"forged\""
        );
        let short = GOOD.replace("\t\t\tframe 7", "\tframe 7");
        assert!(parse(&short).unwrap_err().starts_with("2: 5 fields"));
        let unordered = GOOD.replace("\n9\t", "\n3\t");
        assert!(parse(&unordered)
            .unwrap_err()
            .starts_with("3: frame 3 is not after"));
        assert!(parse("frame\tsender\n")
            .unwrap_err()
            .starts_with("1: header"));
    }
}
