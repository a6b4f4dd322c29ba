//! The report as Markdown, for tickets and chat: the headline, the counts,
//! a table of resets, then each reset's evidence and tips.

use crate::{comparison, format};
use core::fmt::Write;
use rstscope_core::report::{Comparison, Reset, SeenAt, Tip};
use rstscope_core::Report;

pub fn to_markdown(report: &Report) -> String {
    let mut md = String::new();
    // Writing to a String cannot fail.
    let _ = write_report(&mut md, report);
    if let Some(cmp) = &report.comparison {
        let _ = write_comparison(&mut md, cmp);
    }
    md
}

/// The two-capture comparison: vantages, clocks, what the path did to each
/// reset, and what it changed in each matched connection.
fn write_comparison(md: &mut String, cmp: &Comparison) -> core::fmt::Result {
    writeln!(md, "\n## Compared with the capture from the other end\n")?;
    for (name, side) in [("This capture", &cmp.main), ("Other capture", &cmp.peer)] {
        write!(
            md,
            "- {name}: **{}**",
            comparison::vantage_label(side.vantage)
        )?;
        if !side.why.is_empty() {
            let why: Vec<String> = side.why.iter().map(|w| inline(w)).collect();
            write!(md, " ({})", why.join("; "))?;
        }
        writeln!(md)?;
    }
    writeln!(
        md,
        "- {}\n- {}\n- {}",
        inline(&comparison::offset_text(cmp.clock_offset.as_ref())),
        inline(&comparison::drift_text(cmp.drift.as_ref())),
        inline(&comparison::counts_text(cmp))
    )?;
    for sentence in comparison::reset_sentences(cmp) {
        writeln!(md, "- **{}**", inline(&sentence))?;
    }
    if !cmp.resets.is_empty() {
        writeln!(
            md,
            "\n| Capture | Frame | Seen at | Other frame | Sender | Origin | Cause | Confidence |\n|---|---:|---|---:|---|---|---|---:|"
        )?;
        for r in &cmp.resets {
            writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                r.capture.as_str(),
                r.frame,
                r.seen_at.as_str(),
                r.peer_frame.map_or("-".to_string(), |f| f.to_string()),
                r.sender.as_str(),
                r.origin.as_str(),
                r.cause.as_str(),
                format::percent(r.confidence)
            )?;
        }
    }
    write_one_sided_ladders(md, cmp)?;
    let changed: Vec<_> = cmp
        .matched
        .iter()
        .filter(|m| !m.differences.is_empty())
        .collect();
    if !changed.is_empty() {
        writeln!(md, "\n### What the path changed\n")?;
        for m in changed {
            writeln!(
                md,
                "- {} → {} here, {} → {} there (matched by {}):",
                inline(&m.main_client.to_string()),
                inline(&m.main_server.to_string()),
                inline(&m.peer_client.to_string()),
                inline(&m.peer_server.to_string()),
                m.how.as_str()
            )?;
            for d in &m.differences {
                writeln!(md, "  - {}: {}", inline(&d.kind), inline(&d.finding))?;
            }
        }
    }
    Ok(())
}

/// Resets listed with their two-capture ladder: those seen at one end only.
const LADDERS: usize = 5;

/// The packets around each reset seen at one end only, at both ends: the
/// picture of what was lost or made on the path, as a compact list.
fn write_one_sided_ladders(md: &mut String, cmp: &Comparison) -> core::fmt::Result {
    let one_sided: Vec<_> = cmp
        .resets
        .iter()
        .filter(|r| r.seen_at != SeenAt::Both && !r.ladder.is_empty())
        .collect();
    if one_sided.is_empty() {
        return Ok(());
    }
    writeln!(
        md,
        "\n### Resets seen at one end only, with both ends' packets\n"
    )?;
    for r in one_sided.iter().take(LADDERS) {
        writeln!(
            md,
            "{} frame {} ({}; ms from the reset on this capture's clock):\n\n```",
            r.capture.as_str(),
            r.frame,
            r.seen_at.as_str()
        )?;
        for line in comparison::ladder_lines(r) {
            writeln!(md, "{line}")?;
        }
        writeln!(md, "```\n")?;
    }
    if one_sided.len() > LADDERS {
        writeln!(md, "({} more not shown.)", one_sided.len() - LADDERS)?;
    }
    Ok(())
}

/// The hosts in the most resets, and who really sent them.
fn write_top_talkers(
    md: &mut String,
    talkers: &[rstscope_core::report::TopTalker],
) -> core::fmt::Result {
    if talkers.is_empty() {
        return Ok(());
    }
    writeln!(
        md,
        "| Top talker | Resets | Sent | Received | By origin |\n|---|---:|---:|---:|---|"
    )?;
    for t in talkers {
        let origins: Vec<String> = t
            .by_origin
            .iter()
            .map(|(origin, count)| format!("{} {count}", inline(origin)))
            .collect();
        writeln!(
            md,
            "| {} | {} | {} | {} | {} |",
            inline(&t.host),
            t.resets,
            t.sent,
            t.received,
            origins.join(", ")
        )?;
    }
    writeln!(md)
}

fn write_report(md: &mut String, report: &Report) -> core::fmt::Result {
    write_summary(md, report)?;
    if report.resets.is_empty() {
        return Ok(());
    }
    write_reset_table(md, &report.resets)?;
    for r in &report.resets {
        write_reset(md, r)?;
    }
    Ok(())
}

/// The headline, the capture's counts and times, resets by origin and by
/// cause, the top talkers.
fn write_summary(md: &mut String, report: &Report) -> core::fmt::Result {
    let capture = &report.capture;
    writeln!(md, "# rstscope report\n")?;
    writeln!(md, "**{}**\n", inline(&report.summary.headline))?;
    write!(
        md,
        "{} packets, {} TCP, {} resets, {} connections",
        capture.packets,
        capture.tcp_packets,
        report.resets.len(),
        report.connections.len()
    )?;
    if let (Some(first), Some(last)) = (capture.first_time, capture.last_time) {
        write!(md, "; {} to {}", format::utc(first), format::utc(last))?;
    }
    writeln!(md, ".\n")?;

    for (title, counts) in [
        ("Origin", &report.summary.by_origin),
        ("Cause", &report.summary.by_cause),
    ] {
        if counts.is_empty() {
            continue;
        }
        writeln!(md, "| {title} | Resets |\n|---|---:|")?;
        for (name, count) in counts {
            writeln!(md, "| {} | {count} |", inline(name))?;
        }
        writeln!(md)?;
    }
    write_top_talkers(md, &report.summary.top_talkers)
}

/// Every reset, a table row each.
fn write_reset_table(md: &mut String, resets: &[Reset]) -> core::fmt::Result {
    writeln!(md, "## Resets\n")?;
    writeln!(
        md,
        "| Frame | Time | From | To | Flags | Sender | Origin | Cause | Confidence |\n|---:|---|---|---|---|---|---|---|---:|"
    )?;
    for r in resets {
        writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.frame,
            format::utc(r.time),
            inline(&r.src.to_string()),
            inline(&r.dst.to_string()),
            inline(&r.flags),
            r.sender.as_str(),
            r.origin.as_str(),
            r.cause.as_str(),
            format::percent(r.confidence)
        )?;
    }
    Ok(())
}

/// One reset's section: its verdict, signature and payload, evidence, tips.
fn write_reset(md: &mut String, r: &Reset) -> core::fmt::Result {
    write!(
        md,
        "\n### Frame {}: {} → {}\n\n{}, {}",
        r.frame,
        inline(&r.src.to_string()),
        inline(&r.dst.to_string()),
        r.origin.as_str(),
        r.cause.as_str()
    )?;
    if let Some(sub) = &r.sub_cause {
        write!(md, " ({})", inline(sub.as_str()))?;
    }
    writeln!(
        md,
        ", confidence {}, stage {}.",
        format::percent(r.confidence),
        r.stage.as_str()
    )?;
    if let Some(signature) = &r.signature {
        writeln!(md, "Signature: `{}`.", code(signature))?;
    }
    if let Some(text) = &r.payload_text {
        writeln!(md, "RST payload: `{}`.", code(text))?;
    }
    if !r.evidence.is_empty() {
        writeln!(md, "\nEvidence:")?;
        for e in &r.evidence {
            writeln!(
                md,
                "- **{}** ({}): {}",
                inline(e.signal.as_str()),
                e.points_to.as_str(),
                inline(&e.finding)
            )?;
        }
    }
    write_tips(md, &r.tips)
}

/// "What to do", each tip with its commands in a code block.
fn write_tips(md: &mut String, tips: &[Tip]) -> core::fmt::Result {
    if tips.is_empty() {
        return Ok(());
    }
    writeln!(md, "\nWhat to do:")?;
    for tip in tips {
        writeln!(md, "- {}", inline(&tip.text))?;
        if !tip.commands.is_empty() {
            writeln!(md, "  ```")?;
            for command in &tip.commands {
                writeln!(md, "  {}", command.replace('`', "'"))?;
            }
            writeln!(md, "  ```")?;
        }
    }
    Ok(())
}

/// Text inside a sentence or table cell: no line breaks, Markdown's active
/// characters (including the `|` that ends a cell) escaped.
fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\r' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// Text inside an inline code span, which has no escapes: drop backticks.
fn code(text: &str) -> String {
    text.replace('`', "'").replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_reports::fixture_report;

    #[test]
    fn every_reset_has_a_row_and_a_section() {
        let report = fixture_report();
        let md = to_markdown(&report);
        for r in &report.resets {
            let row = md
                .lines()
                .find(|line| line.starts_with(&format!("| {} |", r.frame)))
                .unwrap_or_else(|| panic!("no row for frame {}", r.frame));
            assert!(row.contains(r.origin.as_str()) && row.contains(r.cause.as_str()));
            assert!(md.contains(&format!("### Frame {}:", r.frame)));
            for tip in &r.tips {
                for command in &tip.commands {
                    assert!(md.contains(&format!("  {command}\n")), "{command}");
                }
            }
        }
        assert!(md.starts_with("# rstscope report\n"));
    }

    #[test]
    fn table_cells_cannot_break_the_table() {
        let mut report = fixture_report();
        report.resets[0].flags = "a|b\nc".into();
        let md = to_markdown(&report);
        let row = md.lines().find(|l| l.starts_with("| 5 |")).expect("row");
        // Ten cell borders, none from the data.
        assert_eq!(row.matches('|').count() - row.matches("\\|").count(), 10);
        assert!(row.contains("a\\|b c"));
    }

    #[test]
    fn the_comparison_is_exported() {
        let report = crate::comparison::tests::pair_report();
        let cmp = report.comparison.as_ref().expect("a comparison");
        let md = to_markdown(&report);
        assert!(md.contains("## Compared with the capture from the other end"));
        assert!(md.contains("This capture: **client side**"), "{md}");
        for sentence in crate::comparison::reset_sentences(cmp) {
            assert!(md.contains(&inline(&sentence)), "{sentence}");
        }
        for r in &cmp.resets {
            let row = format!(
                "| {} | {} | {} |",
                r.capture.as_str(),
                r.frame,
                r.seen_at.as_str()
            );
            assert!(md.contains(&row), "{row}");
        }
        assert!(md.contains("### What the path changed"));
        // The reset made on the path, with the other end's packets around it.
        let injected = cmp
            .resets
            .iter()
            .find(|r| r.seen_at == SeenAt::MainOnly)
            .expect("a reset seen at one end only");
        assert!(md.contains(&format!("main frame {} (main-only;", injected.frame)));
        for line in crate::comparison::ladder_lines(injected) {
            assert!(md.contains(&line), "{line}");
        }
        let listed = cmp
            .resets
            .iter()
            .filter(|r| r.seen_at != SeenAt::Both)
            .count()
            .min(LADDERS);
        let shown = md.matches("(main-only;").count() + md.matches("(peer-only;").count();
        assert_eq!(shown, listed);
        assert!(!to_markdown(&fixture_report()).contains("Compared with"));
    }

    #[test]
    fn no_resets_means_no_reset_table() {
        let mut report = fixture_report();
        report.resets.clear();
        let md = to_markdown(&report);
        assert!(!md.contains("## Resets"));
    }

    #[test]
    fn top_talkers_are_a_table() {
        let md = to_markdown(&fixture_report());
        let table: Vec<&str> = md
            .lines()
            .skip_while(|line| !line.starts_with("| Top talker |"))
            .take_while(|line| line.starts_with('|'))
            .collect();
        assert_eq!(
            table,
            [
                "| Top talker | Resets | Sent | Received | By origin |",
                "|---|---:|---:|---:|---|",
                "| 203.0.113.7 | 2 | 2 | 0 | middlebox 2 |",
                "| 2001:db8:1::2 | 1 | 0 | 1 | server 1 |",
            ]
        );
    }
}
