//! The captures named on a command line: files as given, directories walked.

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

/// What the arguments name, in a fixed order: the arguments' order, and
/// within a directory its entries sorted by name, depth first.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Targets {
    /// Captures to analyse (a file named on the command line is always one,
    /// whatever it holds: if it is not a capture, its analysis says so).
    pub captures: Vec<PathBuf>,
    /// Files found in directories that do not start like a capture
    /// (README, checksums, index files), left out.
    pub skipped: Vec<PathBuf>,
    /// Directories that could not be listed, with the reason.
    pub unreadable: Vec<(PathBuf, String)>,
}

/// Walks `args`. Symbolic links to files are followed; links to directories
/// are not (a link loop must not hang the walk).
pub fn expand(args: &[PathBuf]) -> Targets {
    let mut targets = Targets::default();
    for arg in args {
        if arg.is_dir() {
            walk(arg, &mut targets);
        } else {
            targets.captures.push(arg.clone());
        }
    }
    targets
}

fn walk(dir: &Path, targets: &mut Targets) {
    let mut entries: Vec<(PathBuf, fs::FileType)> = match fs::read_dir(dir) {
        Ok(list) => list
            .filter_map(Result::ok)
            .filter_map(|e| e.file_type().ok().map(|t| (e.path(), t)))
            .collect(),
        Err(err) => {
            targets
                .unreadable
                .push((dir.to_path_buf(), err.to_string()));
            return;
        }
    };
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    for (path, kind) in entries {
        if kind.is_dir() {
            walk(&path, targets);
        } else if !(kind.is_file() || kind.is_symlink() && path.is_file()) {
            // Sockets, fifos, devices, links to directories.
        } else if starts_like_capture(&path).unwrap_or(true) {
            // An unreadable file is kept: its analysis reports the error.
            targets.captures.push(path);
        } else {
            targets.skipped.push(path);
        }
    }
}

fn starts_like_capture(path: &Path) -> io::Result<bool> {
    // Enough for a gzip header with a file name and the first deflate
    // block, and for the two records an ERF file is recognised by.
    let mut head = [0u8; 4096];
    let len = crate::input::fill(&mut File::open(path)?, &mut head)?;
    let whole = len < head.len();
    let head = head.get(..len).unwrap_or_default();
    Ok(rstscope_capture::starts_like_capture(head, whole))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(tag: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("rstscope-targets-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    const PCAP: &[u8] = &[0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0];
    const PCAPNG: &[u8] = &[0x0a, 0x0d, 0x0d, 0x0a, 0, 0, 0, 0];

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    #[test]
    fn gzip_files_are_looked_into() {
        let dir = temp_dir("gzip");
        fs::write(dir.join("a.pcap.gz"), gzip(PCAP)).unwrap();
        fs::write(
            dir.join("b.log.gz"),
            gzip(b"Dec  6 03:03:05 host kernel: hello"),
        )
        .unwrap();
        let targets = expand(std::slice::from_ref(&dir));
        assert_eq!(targets.captures, vec![dir.join("a.pcap.gz")]);
        assert_eq!(targets.skipped, vec![dir.join("b.log.gz")]);
    }

    #[test]
    fn directories_are_walked_in_name_order_and_non_captures_skipped() {
        let dir = temp_dir("walk");
        fs::create_dir_all(dir.join("b/inner")).unwrap();
        fs::write(dir.join("c.pcap"), PCAP).unwrap();
        fs::write(dir.join("a.pcapng"), PCAPNG).unwrap();
        fs::write(dir.join("b/inner/z.pcap.gz"), gzip(PCAP)).unwrap();
        fs::write(dir.join("b/rotated0"), PCAP).unwrap();
        fs::write(dir.join("README.md"), b"# notes").unwrap();
        fs::write(dir.join("empty"), b"").unwrap();
        let single = dir.join("named-anyway.txt");
        fs::write(&single, b"not a capture").unwrap();

        let targets = expand(&[single.clone(), dir.clone()]);
        assert_eq!(
            targets.captures,
            vec![
                single,
                dir.join("a.pcapng"),
                dir.join("b/inner/z.pcap.gz"),
                dir.join("b/rotated0"),
                dir.join("c.pcap"),
            ]
        );
        assert_eq!(
            targets.skipped,
            vec![
                dir.join("README.md"),
                dir.join("empty"),
                dir.join("named-anyway.txt")
            ]
        );
        assert!(targets.unreadable.is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn a_link_to_a_directory_is_not_followed() {
        let dir = temp_dir("loop");
        fs::write(dir.join("a.pcap"), PCAP).unwrap();
        std::os::unix::fs::symlink(&dir, dir.join("loop")).unwrap();
        std::os::unix::fs::symlink(dir.join("a.pcap"), dir.join("b.pcap")).unwrap();
        let targets = expand(std::slice::from_ref(&dir));
        assert_eq!(
            targets.captures,
            vec![dir.join("a.pcap"), dir.join("b.pcap")]
        );
    }

    #[test]
    fn a_missing_file_is_kept_for_its_analysis_to_report() {
        let missing = PathBuf::from("/nonexistent/rstscope/x.pcap");
        assert_eq!(
            expand(std::slice::from_ref(&missing)).captures,
            vec![missing]
        );
    }
}
