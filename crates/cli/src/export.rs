//! `--export-pcap FILE`: the packets of the connections that have a reset
//! (narrowed to a frame, a stream, an origin or a cause), read again from
//! the capture and written as pcapng, each RST with its verdict as a comment.

use std::collections::HashMap;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use clap::Args;
use rstscope_capture::export::{verdict_comment, PcapngExport};
use rstscope_capture::EachFrame;
use rstscope_core::report::{Cause, Origin, Reset};
use rstscope_core::select::{self, SpanFinder, Target};
use rstscope_core::{Frame, Report};

#[derive(Args)]
pub struct ExportArgs {
    /// Write the packets of every connection that has a reset to FILE as
    /// pcapng (original timestamps and link types; each RST carries its
    /// verdict as a packet comment). The --export-* options narrow it.
    #[arg(long, value_name = "FILE")]
    pub export_pcap: Option<PathBuf>,
    /// Only the connection of the reset in this frame.
    #[arg(long, value_name = "N", requires = "export_pcap")]
    pub export_frame: Option<u64>,
    /// Only this connection (Wireshark's tcp.stream number).
    #[arg(long, value_name = "N", requires = "export_pcap")]
    pub export_stream: Option<u32>,
    /// Only connections with a reset of this origin (as the report names it).
    #[arg(long, value_name = "ORIGIN", requires = "export_pcap", value_parser = origin)]
    pub export_origin: Option<Origin>,
    /// Only connections with a reset of this cause (as the report names it).
    #[arg(long, value_name = "CAUSE", requires = "export_pcap", value_parser = cause)]
    pub export_cause: Option<Cause>,
}

fn origin(text: &str) -> Result<Origin, String> {
    named(Origin::ALL, text, |o| o.as_str())
}

fn cause(text: &str) -> Result<Cause, String> {
    named(Cause::ALL, text, |c| c.as_str())
}

fn named<T: Copy>(all: &[T], text: &str, name: fn(T) -> &'static str) -> Result<T, String> {
    all.iter()
        .copied()
        .find(|v| name(*v) == text)
        .ok_or_else(|| {
            let names: Vec<&str> = all.iter().map(|v| name(*v)).collect();
            format!("one of: {}", names.join(", "))
        })
}

impl ExportArgs {
    fn picks(&self, reset: &Reset) -> bool {
        self.export_frame.is_none_or(|f| reset.frame == f)
            && self.export_stream.is_none_or(|s| reset.stream == Some(s))
            && self.export_origin.is_none_or(|o| reset.origin == o)
            && self.export_cause.is_none_or(|c| reset.cause == c)
    }
}

/// Writes the chosen connections' packets from `capture` to the export's
/// file; how many packets that was.
pub fn write(capture: &Path, report: &Report, args: &ExportArgs) -> Result<u64, String> {
    let Some(out) = &args.export_pcap else {
        return Ok(0);
    };
    let picked: Vec<&Reset> = report.resets.iter().filter(|r| args.picks(r)).collect();
    if picked.is_empty() {
        return Err("--export-pcap: no reset matches the --export-* options".into());
    }
    let targets: Vec<Target> = picked
        .iter()
        .map(|r| Target::of(r.src, r.dst, r.frame))
        .collect();
    // Every RST exported carries its verdict, picked or not.
    let comments: HashMap<u64, String> = report
        .resets
        .iter()
        .map(|r| (r.frame, verdict_comment(r)))
        .collect();
    let read = |sink: &mut dyn FnMut(&Frame<'_>)| {
        let file = File::open(capture).map_err(|e| format!("{}: {e}", capture.display()))?;
        rstscope_capture::read_all(file, &mut EachFrame(sink), |_| {})
            .map(drop)
            .map_err(|e| format!("{}: {e}", capture.display()))
    };
    let mut finder = SpanFinder::new(&targets);
    read(&mut |frame| {
        if let Some(packet) = select::tcp_of(frame) {
            finder.observe(frame.number, &packet);
        }
    })?;
    let selection = finder.finish();
    let file = File::create(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let mut export = PcapngExport::new(BufWriter::new(file)).map_err(|e| e.to_string())?;
    let mut error = None;
    read(&mut |frame| {
        let picked = select::tcp_of(frame).is_some_and(|p| selection.holds(frame.number, &p));
        if picked && error.is_none() {
            let note = comments.get(&frame.number).map(String::as_str);
            error = export.push(frame, note).err();
        }
    })?;
    if let Some(err) = error {
        return Err(format!("{}: {err}", out.display()));
    }
    let frames = export.frames();
    use std::io::Write;
    export
        .finish()
        .flush()
        .map_err(|e| format!("{}: {e}", out.display()))?;
    Ok(frames)
}
