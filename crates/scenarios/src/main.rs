//! `rstscope-scenarios`: writes the labelled captures to disk.
//!
//! `rstscope-scenarios sample <out.pcapng>` writes the web app's sample;
//! `rstscope-scenarios all <dir>` writes every scenario over IPv4 and IPv6
//! with each link type, plus `labels.tsv` (file, frame, sender, origin, cause);
//! `rstscope-scenarios bulk --size 1GiB [--mix long|web|scan|flood] [--format pcap|pcapng]
//! [--seed N] <out>` streams a large realistic capture for benchmarks, plus
//! `<out>.labels.tsv`; `bulk --syn-flood N` writes N SYNs from distinct
//! sources, and `bulk --refused N` N SYNs each refused with RST+ACK;
//! `rstscope-scenarios pair <dir>` writes a client-side and a server-side
//! capture of the same traffic (`client.pcapng`, `server.pcapng`);
//! `rstscope-scenarios accuracy [--errors] [--family F] ...` scores the
//! engine on the train split and the real labels; with `--write` also on
//! the held-out split, and writes `ACCURACY.md` (see `scripts/accuracy.sh`);
//! `rstscope-scenarios calibrate` fits `confidence` on the train split and
//! rewrites the core's table (see `scripts/calibrate.sh`);
//! `rstscope-scenarios variant <family> <index> <out>` writes one train
//! variant with its labels.

mod accuracy_cmd;

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;

use rstscope_scenarios::{bulk, catalogue, sample, variants, write, Format};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["sample", out] => write_sample(Path::new(out)),
        ["all", dir] => write_all(Path::new(dir)),
        ["pair", dir] => write_pair_files(Path::new(dir)),
        ["accuracy", ref rest @ ..] => match accuracy_cmd::AccuracyArgs::parse(rest) {
            Ok(accuracy_args) => accuracy_cmd::run(&accuracy_args),
            Err(message) => Err(std::io::Error::other(message)),
        },
        ["calibrate", ref rest @ ..] => accuracy_cmd::calibrate(rest),
        ["variant", family, index, out] => accuracy_cmd::write_variant(family, index, out),
        ["bulk", ref rest @ ..] => match BulkArgs::parse(rest) {
            Ok(bulk_args) => write_bulk(&bulk_args),
            Err(message) => Err(std::io::Error::other(message)),
        },
        _ => {
            eprintln!(
                "usage: rstscope-scenarios sample <out.pcapng> | all <dir> \
                 | bulk (--size <SIZE, e.g. 1GiB> | --syn-flood <N> | --refused <N>) [--mix long|web|scan|flood] \
                 [--format pcap|pcapng] [--seed N] <out> | accuracy [--write [--held-out N]] [--errors] [--family F] \
                 [--train N] | calibrate [--out <file.rs>] | variant <family> <index> <out>"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(message) => {
            let _ = writeln!(std::io::stdout(), "{message}");
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

/// The generated pair (IPv4 through NAT, pcapng) as `client.pcapng` and `server.pcapng`.
fn write_pair_files(dir: &Path) -> std::io::Result<String> {
    use rstscope_scenarios::pairs::{pair, write_pair};
    fs::create_dir_all(dir)?;
    let options = rstscope_scenarios::Options::default();
    let generated = pair(&options);
    let (client, server) = write_pair(&generated, &options);
    fs::write(dir.join("client.pcapng"), client)?;
    fs::write(dir.join("server.pcapng"), server)?;
    Ok(format!(
        "wrote client.pcapng and server.pcapng ({} resets) to {}",
        generated.resets.len(),
        dir.display()
    ))
}

struct BulkArgs<'a> {
    size: u64,
    /// `--syn-flood` or `--refused`: this many SYNs from distinct sources
    /// instead, and their answer.
    syns: Option<(u64, bulk::FloodAnswer)>,
    mix: bulk::Mix,
    format: Format,
    seed: u64,
    out: &'a Path,
}

impl<'a> BulkArgs<'a> {
    fn parse(args: &[&'a str]) -> Result<Self, String> {
        let (mut size, mut syns, mut format, mut seed, mut out) =
            (None, None, Format::Pcap, 1, None);
        let mut mix = bulk::Mix::Long;
        let mut args = args.iter();
        while let Some(&arg) = args.next() {
            let mut value = || args.next().copied().ok_or(format!("{arg} needs a value"));
            match arg {
                "--size" => size = Some(parse_size(value()?)?),
                "--syn-flood" | "--refused" => {
                    let count = value()?.parse().map_err(|e| format!("{arg}: {e}"))?;
                    let answer = if arg == "--refused" {
                        bulk::FloodAnswer::Refusal
                    } else {
                        bulk::FloodAnswer::Silence
                    };
                    syns = Some((count, answer))
                }
                "--format" => {
                    format = match value()? {
                        "pcap" => Format::Pcap,
                        "pcapng" => Format::PcapNg,
                        other => return Err(format!("unknown format {other:?}")),
                    }
                }
                "--mix" => {
                    let name = value()?;
                    mix = bulk::Mix::parse(name)
                        .ok_or(format!("unknown mix {name:?} (long, web, scan or flood)"))?
                }
                "--seed" => seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
                path if !path.starts_with("--") && out.is_none() => out = Some(Path::new(path)),
                other => return Err(format!("unexpected argument {other:?}")),
            }
        }
        Ok(Self {
            size: match (size, syns) {
                (Some(size), _) => size,
                (None, Some(_)) => 0,
                (None, None) => {
                    return Err("bulk needs --size (or --syn-flood N, or --refused N)".into())
                }
            },
            syns,
            mix,
            format,
            seed,
            out: out.ok_or("bulk needs an output file")?,
        })
    }
}

/// `1GiB`, `256MiB`, `512K`, `1.5G` (binary multiples), `100MB` (decimal), `4096`.
fn parse_size(text: &str) -> Result<u64, String> {
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let multiple: u64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" => 1 << 10,
        "m" | "mib" => 1 << 20,
        "g" | "gib" => 1 << 30,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        _ => return Err(format!("unknown size unit in {text:?}")),
    };
    let number: f64 = number.parse().map_err(|_| format!("bad size {text:?}"))?;
    Ok((number * multiple as f64) as u64)
}

fn write_bulk(args: &BulkArgs) -> std::io::Result<String> {
    let started = std::time::Instant::now();
    let mut out = BufWriter::with_capacity(1 << 20, File::create(args.out)?);
    if let Some((count, answer)) = args.syns {
        let bytes = bulk::syn_flood(&mut out, count, answer, args.format, args.seed)?;
        let answered = match answer {
            bulk::FloodAnswer::Silence => "",
            bulk::FloodAnswer::Refusal => ", each refused",
        };
        return Ok(format!(
            "wrote {} ({bytes} bytes): {count} SYNs from distinct sources{answered}",
            args.out.display()
        ));
    }
    let stats = bulk::bulk_mix(&mut out, args.size, args.format, args.seed, args.mix)?;
    let labels_path = format!("{}.labels.tsv", args.out.display());
    let mut labels = String::from("frame\tsender\torigin\tcause\n");
    for e in &stats.labels {
        let (s, o, c) = (e.sender.as_str(), e.origin.as_str(), e.cause.as_str());
        labels.push_str(&format!("{}\t{s}\t{o}\t{c}\n", e.frame));
    }
    fs::write(&labels_path, labels)?;
    let seconds = started.elapsed().as_secs_f64();
    Ok(format!(
        "wrote {} in {seconds:.1} s ({:.0} MB/s) and {labels_path}\n{}",
        args.out.display(),
        stats.bytes as f64 / seconds / 1e6,
        stats.describe()
    ))
}
