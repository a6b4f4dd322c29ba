//! The human-readable report: headline, counts, then one block per reset.

use std::io::{self, Write};

use rstscope_core::report::{Report, Reset};

pub fn write(out: &mut impl Write, report: &Report) -> io::Result<()> {
    let capture = &report.capture;
    writeln!(out, "{}", report.summary.headline)?;
    writeln!(out)?;
    let links: Vec<String> = capture
        .link_types
        .iter()
        .map(|l| format!("{} ({})", l.name, l.frames))
        .collect();
    writeln!(
        out,
        "Capture: {} packets, {} TCP, {} connections, link types: {}",
        capture.packets,
        capture.tcp_packets,
        report.connections.len(),
        if links.is_empty() {
            "none".to_string()
        } else {
            links.join(", ")
        }
    )?;
    if capture.truncated_frames > 0 {
        writeln!(
            out,
            "         {} frames cut by the snaplen",
            capture.truncated_frames
        )?;
    }
    if !capture.other.is_empty() {
        let other: Vec<String> = capture
            .other
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        writeln!(out, "Not TCP: {}", other.join(", "))?;
    }
    for warning in &capture.warnings {
        let mut place = Vec::new();
        if let Some(frame) = warning.frame {
            place.push(format!("frame {frame}"));
        }
        if let Some(offset) = warning.offset {
            place.push(format!("byte {offset}"));
        }
        let place = if place.is_empty() {
            String::new()
        } else {
            format!(" ({})", place.join(", "))
        };
        writeln!(out, "Warning{place}: {}", warning.message)?;
    }
    if !report.resets.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "Resets by origin: {}",
            counts(&report.summary.by_origin)
        )?;
        writeln!(
            out,
            "Resets by cause:  {}",
            counts(&report.summary.by_cause)
        )?;
    }
    for reset in &report.resets {
        writeln!(out)?;
        write_reset(out, reset)?;
    }
    Ok(())
}

fn counts(map: &std::collections::BTreeMap<String, u64>) -> String {
    let mut items: Vec<(&String, &u64)> = map.iter().collect();
    items.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    items
        .iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn write_reset(out: &mut impl Write, r: &Reset) -> io::Result<()> {
    writeln!(
        out,
        "Frame {} at {:.6}: {} {} -> {} (seq {}, ack {}, TTL {})",
        r.frame, r.time, r.flags, r.src, r.dst, r.seq, r.ack, r.ttl
    )?;
    writeln!(
        out,
        "  carries the {}'s address; sent by: {}; cause: {}{} ({:.0}% sure)",
        r.sender.as_str(),
        r.origin.as_str(),
        r.cause.as_str(),
        r.sub_cause
            .as_deref()
            .map(|s| format!(" / {s}"))
            .unwrap_or_default(),
        r.confidence * 100.0
    )?;
    if let Some(signature) = &r.signature {
        writeln!(out, "  signature: {signature} ({})", r.stage.as_str())?;
    }
    if let Some(text) = &r.payload_text {
        writeln!(out, "  payload text: {text:?}")?;
    }
    for evidence in &r.evidence {
        writeln!(out, "  - [{}] {}", evidence.signal, evidence.finding)?;
    }
    for tip in &r.tips {
        writeln!(out, "  tip: {}", tip.text)?;
        for command in &tip.commands {
            writeln!(out, "      $ {command}")?;
        }
    }
    Ok(())
}
