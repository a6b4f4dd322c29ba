//! `rstscope-scenarios`: writes the labelled captures to disk.
//!
//! `rstscope-scenarios sample <out.pcapng>` writes the web app's sample;
//! `rstscope-scenarios all <dir>` writes every scenario over IPv4 and IPv6
//! with each link type, plus `labels.tsv` (file, frame, sender, origin, cause).

use std::fs;
use std::path::Path;
use std::process::ExitCode;

use rstscope_scenarios::{catalogue, sample, variants, write};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["sample", out] => write_sample(Path::new(out)),
        ["all", dir] => write_all(Path::new(dir)),
        _ => {
            eprintln!("usage: rstscope-scenarios sample <out.pcapng> | all <dir>");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(message) => {
            println!("{message}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("rstscope-scenarios: {err}");
            ExitCode::FAILURE
        }
    }
}

fn write_sample(out: &Path) -> std::io::Result<String> {
    let (bytes, expected) = sample();
    fs::write(out, bytes)?;
    Ok(format!(
        "wrote {} with {} labelled resets",
        out.display(),
        expected.len()
    ))
}

fn write_all(dir: &Path) -> std::io::Result<String> {
    fs::create_dir_all(dir)?;
    let mut labels = String::from("file\tframe\tsender\torigin\tcause\n");
    let mut files = 0;
    for options in variants() {
        for scenario in catalogue(&options) {
            let ip = if options.ipv6 { "ipv6" } else { "ipv4" };
            let name = format!(
                "{}-{ip}-{}.{}",
                scenario.name,
                options.link.name(),
                options.format.extension()
            );
            fs::write(dir.join(&name), write(&scenario, &options))?;
            for e in &scenario.expected {
                let (s, o, c) = (e.sender.as_str(), e.origin.as_str(), e.cause.as_str());
                labels.push_str(&format!("{name}\t{}\t{s}\t{o}\t{c}\n", e.frame));
            }
            files += 1;
        }
    }
    fs::write(dir.join("labels.tsv"), labels)?;
    Ok(format!(
        "wrote {files} captures and labels.tsv to {}",
        dir.display()
    ))
}
