//! `ACCURACY.md`: the numbers of one harness run, for people.

use std::fmt::Write;

use rstscope_core::report::Cause;

use super::metrics::{confusion, group_by, per_capture_calibration, Calibration, Ratio, Summary};
use super::{Link, RealStatus, Run, Scored, Set};
use crate::families;

/// The targets (issue 11, "Done when").
const TARGETS: &str =
    "origin ≥ 97 % and cause ≥ 92 % over all resets, both ≥ 95 % on root resets; \
                       ECE ≤ 0.05; AUROC ≥ 0.85";

pub fn render(run: &Run) -> String {
    let mut out = String::new();
    header(&mut out, run);
    let sets = [Set::HeldOut, Set::Real, Set::Train];
    summary_table(&mut out, run, &sets);
    confidence_section(&mut out, run, &sets);
    for set in [Set::HeldOut, Set::Real] {
        let items = of(run, set);
        if items.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n## {}\n", title(set));
        per_source(&mut out, &items, set);
        if set == Set::HeldOut {
            breakdowns(&mut out, &items);
        }
        confusion_table(&mut out, &items);
        calibration_table(&mut out, &Summary::of(&items).calibration);
        sub_causes(&mut out, &items);
    }
    let train = of(run, Set::Train);
    if !train.is_empty() {
        let _ = writeln!(out, "\n## Train split (for reference)\n");
        per_source(&mut out, &train, Set::Train);
        calibration_table(&mut out, &Summary::of(&train).calibration);
    }
    families_list(&mut out);
    out
}

fn of(run: &Run, set: Set) -> Vec<&Scored> {
    run.scored.iter().filter(|s| s.set == set).collect()
}

fn title(set: Set) -> &'static str {
    match set {
        Set::HeldOut => "Held-out split",
        Set::Real => "Real captures (hand labels)",
        Set::Train => "Train split",
    }
}

fn header(out: &mut String, run: &Run) {
    let families = families::all().len();
    let _ = write!(
        out,
        "# Accuracy\n\n\
         Written by `scripts/accuracy.sh` (`rstscope-scenarios accuracy`); do not edit by hand. Every \
         labelled reset is analysed by the real pipeline (rstscope-capture + rstscope-core) and scored \
         against its label. Ground truth:\n\n\
         - **Generated**: {families} families of situations (listed at the end), each told in randomised \
         variants (stacks, path, capture point, IPv4/IPv6, link type, format, background traffic, device \
         timings, merged captures). The **train** split is {train} variants per family with seeds \
         `1..`, the **held-out** split {held} variants per family with seeds from `2^40`: disjoint, and held-out \
         errors are never listed (`--errors` shows train and real ones only). Rules and fitted numbers \
         must come from train variants only.\n\
         - **Real**: the hand labels in `crates/scenarios/labels/real/` of the public captures in \
         `../shared/captures/` ({real}).\n\n\
         *Origin* is who emitted the reset, *cause* why; *root* resets exclude consequences (resets \
         answering segments that arrived after an earlier reset tore the connection down). *Right* means \
         origin and cause both right: what `confidence` claims. Targets (issue 11): {TARGETS}.\n",
        train = run.train_per_family,
        held = run.held_out_per_family,
        real = real_status(&run.real),
    );
}

fn real_status(status: &RealStatus) -> String {
    match status {
        RealStatus::Skipped(why) => format!("skipped: {why}"),
        RealStatus::Scored {
            files,
            missing_captures,
            unreadable,
            unlabelled,
        } => {
            let mut text = format!("{files} files scored");
            if !missing_captures.is_empty() {
                let _ = write!(
                    text,
                    "; captures missing for {}",
                    missing_captures.join(", ")
                );
            }
            for (name, error) in unreadable {
                let _ = write!(
                    text,
                    "; `{name}` unreadable ({error}), its resets count as not reported"
                );
            }
            let extra: usize = unlabelled.iter().map(|u| u.1).sum();
            if extra > 0 {
                let _ = write!(
                    text,
                    "; {extra} reported resets have no label ({} files)",
                    unlabelled.len()
                );
            }
            text
        }
    }
}

fn summary_table(out: &mut String, run: &Run, sets: &[Set]) {
    let _ = writeln!(
        out,
        "\n## Summary\n\n\
         | set | resets | origin | cause | root resets | origin (root) | cause (root) | right | \
         consequence links | ECE | AUROC |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    for &set in sets {
        let items = of(run, set);
        if items.is_empty() {
            continue;
        }
        let s = Summary::of(&items);
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            set.name(),
            items.len(),
            pct(s.origin_all),
            pct(s.cause_all),
            s.origin_root.total,
            pct(s.origin_root),
            pct(s.cause_root),
            pct(s.right_all),
            links(&s),
            num(s.calibration.ece),
            num(s.calibration.auroc),
        );
    }
    per_capture(out, &of(run, Set::Real));
    let reported = run
        .scored
        .iter()
        .filter_map(|s| s.judged.as_ref())
        .any(|j| j.incident.is_some());
    let pairs = Summary::of(&of(run, Set::HeldOut)).incidents;
    let _ = writeln!(
        out,
        "\nIncident grouping on the held-out split, over pairs of resets in one capture: recall {} of {} \
         pairs that belong together, precision {} of {} pairs the report groups.",
        pct(pairs.recall),
        pairs.recall.total,
        pct(pairs.precision),
        pairs.precision.total
    );
    let _ = writeln!(
        out,
        "\nConsequence links: consequences linked to the right root ({}). Incidents: {}.",
        if run
            .scored
            .iter()
            .filter_map(|s| s.judged.as_ref())
            .any(|j| j.consequence_of != Link::NotReported)
        {
            "the report's `consequence_of`"
        } else {
            "the report has no `consequence_of` yet, so every link is scored missing"
        },
        if reported {
            "the report carries `incident`"
        } else {
            "the report has no `incident` yet"
        }
    );
}

/// The real labels with every capture weighing the same, so one capture
/// with a thousand alike resets does not stand for all of them.
fn per_capture(out: &mut String, items: &[&Scored]) {
    let groups = group_by(items, |s| s.source.clone());
    if groups.is_empty() {
        return;
    }
    let mean = |hit: fn(&Scored) -> bool| {
        let values: Vec<f64> = groups
            .values()
            .filter_map(|g| Ratio::of(g.iter().copied(), hit).value())
            .collect();
        values.iter().sum::<f64>() / values.len() as f64 * 100.0
    };
    let _ = writeln!(
        out,
        "
Real labels with each of the {} captures weighing the same: origin {:.1} %, cause {:.1} %, right {:.1} %.",
        groups.len(),
        mean(Scored::origin_right),
        mean(Scored::cause_right),
        mean(Scored::right)
    );
}

fn links(s: &Summary) -> String {
    let mut text = pct(s.links.consequences);
    if s.links.roots_linked.hits > 0 {
        let _ = write!(text, " ({} roots linked)", s.links.roots_linked.hits);
    }
    text
}

fn per_source(out: &mut String, items: &[&Scored], set: Set) {
    let what = if set == Set::Real {
        "capture"
    } else {
        "family"
    };
    let _ = writeln!(
        out,
        "| {what} | resets | origin | cause | right | consequence links | mean confidence |\n\
         |---|---:|---:|---:|---:|---:|---:|"
    );
    for (source, group) in group_by(items, |s| s.source.clone()) {
        let s = Summary::of(&group);
        let confidences: Vec<f64> = group
            .iter()
            .filter_map(|g| g.judged.as_ref().map(|j| f64::from(j.confidence)))
            .collect();
        let mean = (!confidences.is_empty())
            .then(|| confidences.iter().sum::<f64>() / confidences.len() as f64);
        let _ = writeln!(
            out,
            "| {source} | {} | {} | {} | {} | {} | {} |",
            group.len(),
            pct(s.origin_all),
            pct(s.cause_all),
            pct(s.right_all),
            if s.links.consequences.total > 0 {
                pct(s.links.consequences)
            } else {
                "—".into()
            },
            num(mean),
        );
    }
}

fn breakdowns(out: &mut String, items: &[&Scored]) {
    let _ = writeln!(
        out,
        "\n| variation | value | resets | origin | cause | right |\n|---|---|---:|---:|---:|---:|"
    );
    let dimensions: Vec<&str> = items
        .first()
        .map(|s| s.traits.iter().map(|t| t.0).collect())
        .unwrap_or_default();
    for dimension in dimensions {
        let groups = group_by(items, |s| {
            s.traits
                .iter()
                .find(|t| t.0 == dimension)
                .map_or("", |t| t.1)
        });
        for (value, group) in groups {
            let s = Summary::of(&group);
            let _ = writeln!(
                out,
                "| {dimension} | {value} | {} | {} | {} | {} |",
                group.len(),
                pct(s.origin_all),
                pct(s.cause_all),
                pct(s.right_all)
            );
        }
    }
}

fn confusion_table(out: &mut String, items: &[&Scored]) {
    let counts = confusion(items);
    let _ = write!(out, "\nCause confusion (rows: label, columns: verdict; — = no reset in the report):\n\n| label \\ verdict |");
    for cause in Cause::ALL {
        let _ = write!(out, " {} |", cause.as_str());
    }
    let _ = write!(out, " — |\n|---|");
    for _ in 0..=Cause::ALL.len() {
        out.push_str("---:|");
    }
    out.push('\n');
    for &want in Cause::ALL {
        if !counts.keys().any(|k| k.0 == want) {
            continue;
        }
        let _ = write!(out, "| **{}** |", want.as_str());
        for got in Cause::ALL.iter().map(|&c| Some(c)).chain([None]) {
            let n = counts.get(&(want, got)).copied().unwrap_or(0);
            let cell = match n {
                0 => String::new(),
                n if got == Some(want) => format!("**{n}**"),
                n => n.to_string(),
            };
            let _ = write!(out, " {cell} |");
        }
        out.push('\n');
    }
}

/// How `confidence` is made, and how well it is calibrated on each set.
fn confidence_section(out: &mut String, run: &Run, sets: &[Set]) {
    use rstscope_core::confidence::table::fitted;
    let _ = writeln!(
        out,
        "\n## Confidence\n\n\
         `confidence` is the probability that origin and cause are both right. The engine looks it up \
         by what the verdict rests on (cause, origin, sub-cause, stage, whether the roles were seen or \
         guessed, whether another cause also fits the packets (contested), an earlier RST of the \
         connection, the ACK flag, how many signals agree and conflict, the capture's clock) in a table \
         fitted on the train split only: `scripts/calibrate.sh` writes `crates/core/src/confidence/table/fitted.rs` \
         ({} train resets, smoothing m = {}). The held-out split and the real labels are never fitted on.\n\n\
         | set | verdicts | mean confidence | right | ECE | AUROC |\n|---|---:|---:|---:|---:|---:|",
        fitted::TRAIN_RESETS,
        fitted::SMOOTHING
    );
    let mut off = Vec::new();
    for &set in sets {
        let items = of(run, set);
        let c = Summary::of(&items).calibration;
        let count: usize = c.bins.iter().map(|b| b.count).sum();
        if count == 0 {
            continue;
        }
        let mean = c.bins.iter().map(|b| b.confidence_sum).sum::<f64>() / count as f64;
        let right = c.bins.iter().map(|b| b.right).sum::<usize>() as f64 / count as f64;
        let _ = writeln!(
            out,
            "| {} | {count} | {mean:.3} | {:.1} % | {} | {} |",
            set.name(),
            right * 100.0,
            num(c.ece),
            num(c.auroc)
        );
        if set == Set::Real {
            let (ece, auroc) = per_capture_calibration(&items);
            let captures = group_by(&items, |s| s.capture.clone()).len();
            let _ = writeln!(
                out,
                "| real labels, each of the {captures} captures weighing the same | | | | {} | {} |",
                num(ece),
                num(auroc)
            );
        }
        off.extend(
            off_bins(&c)
                .into_iter()
                .map(|b| format!("{}: {b}", set.name())),
        );
    }
    let _ = writeln!(
        out,
        "\nWhere it is off (confidence bins of at least {MIN_BIN} verdicts whose right share is more than \
         {:.0} points from their mean confidence): {}.",
        OFF_BY * 100.0,
        if off.is_empty() { "none".to_string() } else { off.join("; ") }
    );
}

/// Bins this small are noise, not miscalibration.
const MIN_BIN: usize = 5;
const OFF_BY: f64 = 0.10;

/// "0.6–0.7: 13 verdicts at 0.639, 30.8 % right" for every bin off by more than [`OFF_BY`].
fn off_bins(c: &Calibration) -> Vec<String> {
    c.bins
        .iter()
        .enumerate()
        .filter(|(_, b)| b.count >= MIN_BIN)
        .filter_map(|(i, b)| {
            let (mean, right) = (b.mean_confidence()?, b.accuracy()?);
            ((right - mean).abs() > OFF_BY).then(|| {
                format!(
                    "{:.1}–{:.1}: {} verdicts at {mean:.3}, {:.1} % right",
                    i as f64 / 10.0,
                    (i + 1) as f64 / 10.0,
                    b.count,
                    right * 100.0
                )
            })
        })
        .collect()
}

fn calibration_table(out: &mut String, calibration: &Calibration) {
    let _ = writeln!(
        out,
        "\nCalibration (verdicts by confidence; right = origin and cause right): ECE {}, AUROC {}.\n\n\
         | confidence | verdicts | mean confidence | right |\n|---|---:|---:|---:|",
        num(calibration.ece),
        num(calibration.auroc)
    );
    for (i, bin) in calibration.bins.iter().enumerate() {
        let _ = writeln!(
            out,
            "| {:.1}–{:.1} | {} | {} | {} |",
            i as f64 / 10.0,
            (i + 1) as f64 / 10.0,
            bin.count,
            num(bin.mean_confidence()),
            bin.accuracy()
                .map_or("—".into(), |a| format!("{:.1} %", a * 100.0)),
        );
    }
}

fn sub_causes(out: &mut String, items: &[&Scored]) {
    let labelled: Vec<&Scored> = items
        .iter()
        .copied()
        .filter(|s| s.truth.sub_cause.is_some())
        .collect();
    if labelled.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\nSub-causes (where the label names one):\n\n| sub-cause | resets | reported |\n|---|---:|---:|"
    );
    for (sub, group) in group_by(&labelled, |s| s.truth.sub_cause.clone().unwrap_or_default()) {
        let hit = Ratio::of(group.iter().copied(), |s| {
            s.judged
                .as_ref()
                .is_some_and(|j| j.sub_cause == s.truth.sub_cause)
        });
        let _ = writeln!(out, "| {sub} | {} | {} |", group.len(), pct(hit));
    }
}

fn families_list(out: &mut String) {
    let _ = writeln!(out, "\n## Families\n");
    for family in families::all() {
        let _ = writeln!(out, "- **{}**: {}", family.name, family.description);
    }
}

fn pct(ratio: Ratio) -> String {
    ratio
        .value()
        .map_or("—".into(), |v| format!("{:.1} %", v * 100.0))
}

fn num(value: Option<f64>) -> String {
    value.map_or("—".into(), |v| format!("{v:.3}"))
}
