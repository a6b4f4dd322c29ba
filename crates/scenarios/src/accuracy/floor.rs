//! The recorded floor (`crates/scenarios/accuracy-floor.json`): the
//! held-out and real-label numbers of the last `scripts/accuracy.sh` run.
//! The floor test recomputes them and fails when one drops by more than
//! [`TOLERANCE`] (or, for the calibration error, rises by more).

use serde_json::{json, Map, Value};

use super::metrics::Summary;
use super::Scored;

/// Numbers are deterministic; the tolerance only absorbs float printing.
pub const TOLERANCE: f64 = 0.001;

/// The floored numbers, by name. Higher is better except `ece`.
pub fn numbers(summary: &Summary) -> Vec<(&'static str, Option<f64>)> {
    vec![
        ("origin_all", summary.origin_all.value()),
        ("cause_all", summary.cause_all.value()),
        ("origin_root", summary.origin_root.value()),
        ("cause_root", summary.cause_root.value()),
        ("right_all", summary.right_all.value()),
        ("consequence_links", summary.links.consequences.value()),
        ("incident_recall", summary.incidents.recall.value()),
        ("incident_precision", summary.incidents.precision.value()),
        ("auroc", summary.calibration.auroc),
        ("ece", summary.calibration.ece),
    ]
}

/// One set's entry: its size, what identifies its inputs, and its numbers.
pub fn entry(resets: usize, inputs: &str, summary: &Summary) -> Value {
    let mut map = Map::new();
    map.insert("resets".into(), json!(resets));
    map.insert("inputs".into(), json!(inputs));
    for (name, value) in numbers(summary) {
        map.insert(name.into(), value.map_or(Value::Null, |v| json!(round(v))));
    }
    Value::Object(map)
}

/// The whole floor file.
pub fn file(held_out: Value, real: Option<Value>) -> String {
    let doc = json!({
        "about": "Written by scripts/accuracy.sh (see ACCURACY.md). The floor test \
                  (crates/scenarios/tests/accuracy_floor.rs) recomputes these and fails when one \
                  drops (ece: rises) by more than the tolerance.",
        "tolerance": TOLERANCE,
        "held_out": held_out,
        "real": real.unwrap_or(Value::Null),
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// What went wrong between a recorded entry and a fresh one: empty when
/// the fresh numbers hold the floor.
pub fn compare(recorded: &Value, resets: usize, inputs: &str, summary: &Summary) -> Vec<String> {
    let mut problems = Vec::new();
    let recorded_inputs = recorded.get("inputs").and_then(Value::as_str).unwrap_or("");
    let recorded_resets = recorded.get("resets").and_then(Value::as_u64);
    if recorded_inputs != inputs || recorded_resets != Some(resets as u64) {
        problems.push(format!(
            "the inputs changed (recorded {recorded_resets:?} resets from {recorded_inputs:?}, \
             now {resets} from {inputs:?}): run scripts/accuracy.sh to record the new numbers"
        ));
        return problems;
    }
    for (name, fresh) in numbers(summary) {
        let Some(floor) = recorded.get(name).and_then(Value::as_f64) else {
            continue;
        };
        let fresh = fresh.unwrap_or(if name == "ece" { 1.0 } else { 0.0 });
        let worse = if name == "ece" {
            fresh > floor + TOLERANCE
        } else {
            fresh < floor - TOLERANCE
        };
        if worse {
            problems.push(format!("{name}: {fresh:.4}, recorded {floor:.4}"));
        }
    }
    problems
}

fn round(value: f64) -> f64 {
    (value * 10_000.0).round() / 10_000.0
}

/// What identifies a set's inputs: how many resets and an FNV-1a hash of
/// every label (source, frame, sender, origin, cause, sub-cause, link).
pub fn inputs(items: &[&Scored]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for s in items {
        let t = &s.truth;
        let line = format!(
            "{}\t{}\t{:?}\t{:?}\t{:?}\t{:?}\t{:?}\t{:?}\n",
            s.source,
            t.frame,
            t.sender,
            t.origin,
            t.cause,
            t.sub_cause,
            t.consequence_of,
            t.incident
        );
        for byte in line.bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x100_0000_01b3);
        }
    }
    format!("{} labels, hash {hash:016x}", items.len())
}
