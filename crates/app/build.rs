//! Names the build: `RSTSCOPE_BUILD` = crate version + `+` + git commit
//! (`.dirty` when tracked files differ from it), e.g. `0.1.0+0cd928b1a2b3`.
//! The page and its worker compare theirs (a page must never run another
//! build's worker), and the footer, the Capture tab and every exported
//! report (`generator`) show it. `RSTSCOPE_BUILD_NOTE`, when set, is
//! appended: two builds of one commit can be told apart (the update test).

use std::path::Path;
use std::process::Command;

fn main() {
    let version = env!("CARGO_PKG_VERSION");
    let mut build = format!("{version}+{}", commit().unwrap_or_else(|| "unknown".into()));
    if dirty() {
        build.push_str(".dirty");
    }
    println!("cargo:rerun-if-env-changed=RSTSCOPE_BUILD_NOTE");
    if let Ok(note) = std::env::var("RSTSCOPE_BUILD_NOTE") {
        if !note.is_empty() {
            build = format!("{build}.{note}");
        }
    }
    println!("cargo:rustc-env=RSTSCOPE_BUILD={build}");
    rerun_when_the_checkout_changes();
}

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
        .filter(|s| !s.is_empty())
}

fn commit() -> Option<String> {
    git(&["rev-parse", "--short=12", "HEAD"])
}

fn dirty() -> bool {
    git(&["status", "--porcelain", "--untracked-files=no"]).is_some()
}

/// A new commit, a change of branch, a staged file or an edited source of
/// the app or the crates it runs: the name above may have changed.
fn rerun_when_the_checkout_changes() {
    let branch = git(&["symbolic-ref", "-q", "HEAD"]);
    let mut watched: Vec<String> = ["HEAD", "index", "packed-refs"]
        .into_iter()
        .chain(branch.as_deref())
        .filter_map(|name| git(&["rev-parse", "--path-format=absolute", "--git-path", name]))
        .collect();
    watched.extend(["src", "../core/src", "../capture/src"].map(String::from));
    for path in watched.iter().filter(|p| Path::new(p).exists()) {
        println!("cargo:rerun-if-changed={path}");
    }
}
