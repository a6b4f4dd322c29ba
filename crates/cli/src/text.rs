//! The human-readable report: headline, counts, the incidents, then one
//! block per reset.

use std::io::{self, Write};

use rstscope_core::compare::story;
use rstscope_core::filters;
use rstscope_core::report::{ComparedReset, Comparison, Incident, Report, Reset, Role, TopTalker};

/// With `ladder`, each reset is followed by its ladder of packets.
pub fn write(out: &mut impl Write, report: &Report, ladder: bool) -> io::Result<()> {
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
        "Capture: {}, {} TCP, {}, link types: {}",
        count(capture.packets, "packet"),
        capture.tcp_packets,
        count(report.connections.len() as u64, "connection"),
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
        write_top_talkers(out, &report.summary.top_talkers)?;
    }
    write_incidents(out, &report.incidents)?;
    for reset in &report.resets {
        writeln!(out)?;
        write_reset(out, reset)?;
        if ladder {
            write_ladder(out, reset)?;
        }
    }
    if let Some(comparison) = &report.comparison {
        write_comparison(out, comparison, ladder)?;
    }
    Ok(())
}

/// The two-capture section: the path story (the app's words), vantages,
/// clocks, matches, then every RST's fate with both ends in view (with
/// `ladder`, its connection's packets at both ends around it).
fn write_comparison(out: &mut impl Write, c: &Comparison, ladder: bool) -> io::Result<()> {
    writeln!(out)?;
    writeln!(out, "== Compared with the peer capture ==")?;
    writeln!(out, "{}", story::headline(c))?;
    writeln!(
        out,
        "Vantage: this capture is {}, the peer capture {}",
        c.main.vantage.as_str(),
        c.peer.vantage.as_str()
    )?;
    for why in &c.main.why {
        writeln!(out, "  - {why}")?;
    }
    write_clock(out, c)?;
    write_matches(out, c)?;
    for r in &c.resets {
        write_comparison_reset(out, c, r, ladder)?;
    }
    Ok(())
}

/// The peer capture's clock against this one's.
fn write_clock(out: &mut impl Write, c: &Comparison) -> io::Result<()> {
    match &c.clock_offset {
        Some(o) => writeln!(
            out,
            "Clock: peer = this {:+.6} s at {:.6}{} ({} matched packets{})",
            o.seconds,
            o.at,
            c.drift
                .as_ref()
                .map(|d| format!(", drifting {:+.2} ppm over {:.0} s", d.ppm, d.span))
                .unwrap_or_default(),
            o.samples,
            o.path_delay
                .map(|d| format!(", one-way delay between the captures {:.3} ms", d * 1e3))
                .unwrap_or_default()
        ),
        None => writeln!(out, "Clock: no packet seen in both captures"),
    }
}

/// The connections found in both captures (with how they differ) and in one only.
fn write_matches(out: &mut impl Write, c: &Comparison) -> io::Result<()> {
    writeln!(
        out,
        "Connections: {} matched, {} unmatched",
        c.matched.len(),
        c.unmatched.len()
    )?;
    let id = |x: Option<u32>| x.map_or("-".to_string(), |v| v.to_string());
    for m in &c.matched {
        writeln!(
            out,
            "  #{} = peer #{} by {} ({:.0}%): {} -> {}",
            id(m.main),
            id(m.peer),
            m.how.as_str(),
            m.confidence * 100.0,
            m.main_client,
            m.main_server
        )?;
        for d in &m.differences {
            writeln!(out, "      [{}] {}", d.kind, d.finding)?;
        }
    }
    for u in &c.unmatched {
        writeln!(
            out,
            "  {} #{} only: {} -> {} ({})",
            u.capture.as_str(),
            id(u.connection),
            u.client,
            u.server,
            u.reason
        )?;
    }
    Ok(())
}

/// One RST's fate with both ends in view.
fn write_comparison_reset(
    out: &mut impl Write,
    c: &Comparison,
    r: &ComparedReset,
    ladder: bool,
) -> io::Result<()> {
    writeln!(out)?;
    writeln!(
        out,
        "{} frame {} (RST in the {}'s name): {}{}",
        r.capture.as_str(),
        r.frame,
        r.sender.as_str(),
        story::fate_text(c, r),
        r.peer_frame
            .map(|f| format!("; frame {f} in the other capture"))
            .unwrap_or_default()
    )?;
    writeln!(
        out,
        "  sent by: {}; cause: {} ({:.0}% sure)",
        r.origin.as_str(),
        r.cause.as_str(),
        r.confidence * 100.0
    )?;
    if let Some(e) = r.evidence.first() {
        writeln!(out, "  - [{}] {}", e.signal, e.finding)?;
    }
    if ladder {
        for line in story::ladder_lines(r) {
            writeln!(out, "    {line}")?;
        }
    }
    Ok(())
}

/// The hosts in the most resets, one line each.
fn write_top_talkers(out: &mut impl Write, talkers: &[TopTalker]) -> io::Result<()> {
    if talkers.is_empty() {
        return Ok(());
    }
    writeln!(out, "Top talkers:")?;
    let width = talkers.iter().map(|t| t.host.len()).max().unwrap_or(0);
    for t in talkers {
        writeln!(
            out,
            "  {:width$}  {} {} ({} sent, {} received): {}",
            t.host,
            t.resets,
            if t.resets == 1 { "reset" } else { "resets" },
            t.sent,
            t.received,
            counts(&t.by_origin)
        )?;
    }
    Ok(())
}

pub fn counts(map: &std::collections::BTreeMap<String, u64>) -> String {
    let mut items: Vec<(&String, &u64)> = map.iter().collect();
    items.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    items
        .iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Each incident with its summary, root and resets, before the resets.
fn write_incidents(out: &mut impl Write, incidents: &[Incident]) -> io::Result<()> {
    if incidents.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(out, "Incidents ({}):", incidents.len())?;
    for i in incidents {
        writeln!(
            out,
            "  #{} {} ({} / {}): {}",
            i.id, i.kind, i.origin, i.cause, i.summary
        )?;
        let frames: Vec<String> = i.frames.iter().map(u64::to_string).collect();
        let conns = if i.connections.len() == 1 {
            "connection"
        } else {
            "connections"
        };
        writeln!(
            out,
            "     root frame {}; frames {}; {} {conns}",
            i.root_frame,
            frames.join(", "),
            i.connections.len()
        )?;
    }
    Ok(())
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
            .as_ref()
            .map(|s| format!(" / {s}"))
            .unwrap_or_default(),
        r.confidence * 100.0
    )?;
    match (r.consequence_of, r.incident) {
        (Some(root), Some(id)) => writeln!(
            out,
            "  followed from the reset in frame {root} (incident #{id})"
        )?,
        (Some(root), None) => writeln!(out, "  followed from the reset in frame {root}")?,
        (None, Some(id)) => writeln!(out, "  incident #{id}")?,
        (None, None) => {}
    }
    if let Some(conflict) = &r.conflict {
        writeln!(out, "  signals disagree: {}", conflict.sentence)?;
    }
    if let Some(stream) = r.stream {
        writeln!(
            out,
            "  Wireshark: {}  (this packet: {})",
            filters::stream(stream),
            filters::frame(r.frame)
        )?;
    }
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

/// The reset's connection around it, one packet per line, `>>` marking the
/// reset itself.
fn write_ladder(out: &mut impl Write, r: &Reset) -> io::Result<()> {
    let Some(first) = r.ladder.first() else {
        return Ok(());
    };
    let numbers = if first.relative { "relative" } else { "raw" };
    writeln!(out, "  ladder ({numbers} seq/ack):")?;
    for p in &r.ladder {
        let mark = if p.frame == r.frame { ">>" } else { "  " };
        let arrow = match p.from {
            Role::Client => "client -> server",
            Role::Server => "client <- server",
        };
        let ip_id = p.ip_id.map(|id| format!(" id {id}")).unwrap_or_default();
        writeln!(
            out,
            "  {mark} frame {:<8} +{:>10.3} ms  {arrow}  {:<10} seq {} ack {} len {} win {} TTL {}{ip_id}",
            p.frame, p.gap_ms, p.flags, p.seq, p.ack, p.payload_len, p.window, p.ttl
        )?;
    }
    Ok(())
}

/// "1 packet", "2 packets".
fn count(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
