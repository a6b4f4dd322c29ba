use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use yew::prelude::*;

use super::export_pcap::{self, ExportPcap};
use super::term::Term;
use super::{origin_badge, Shared};
use crate::protocol::CaptureFile;
use crate::{format, glossary, lookup};
use rstscope_core::report::{Incident, Reset};
use rstscope_core::Report;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub report: Shared<Report>,
    /// A reset picked: its frame.
    pub on_select: Callback<Option<u64>>,
    /// The capture, to export an incident's packets from (None: shared).
    pub capture: Option<CaptureFile>,
}

/// Incidents listed before "show all" is pressed.
const FIRST_INCIDENTS: usize = 20;
/// Resets listed in an open incident; the resets table, grouped by
/// incident, has them all.
const RESETS_LISTED: usize = 50;

/// Incidents first: each a disclosure (the WAI-ARIA pattern: a button with
/// `aria-expanded`) whose summary is core's sentence, and whose panel lists
/// its resets, roots and the resets that followed from them.
#[component]
pub fn IncidentsView(props: &Props) -> Html {
    let open = use_state(HashSet::<u32>::new);
    let show_all = use_state(|| false);
    let by_frame = use_memo(props.report.clone(), |report| {
        let index: HashMap<u64, usize> = (report.resets.iter().enumerate())
            .map(|(i, r)| (r.frame, i))
            .collect();
        index
    });
    let places = use_memo(props.report.clone(), |report| {
        lookup::places(&report.connections)
    });
    let report = &props.report;
    let incidents = &report.incidents;
    if incidents.is_empty() {
        return html! {};
    }
    let toggle = {
        let open = open.clone();
        Callback::from(move |id: u32| {
            let mut next = (*open).clone();
            if !next.remove(&id) {
                next.insert(id);
            }
            open.set(next);
        })
    };
    let shown = if *show_all {
        incidents.len()
    } else {
        incidents.len().min(FIRST_INCIDENTS)
    };
    let reset_of = |frame: &u64| by_frame.get(frame).and_then(|&i| report.resets.get(i));
    html! {
        <section class="incidents" aria-labelledby="incidents-title" data-testid="incidents">
            <h2 id="incidents-title">{ format!("Incidents ({})", incidents.len()) }</h2>
            <p class="muted incidents-note">
                { "Resets that belong together: a root reset and the resets that followed from it, \
                   or one actor's resets across connections." }
            </p>
            <ul class="incident-list">
                { for incidents.iter().take(shown).map(|incident| {
                    let resets: Vec<&Reset> = incident.frames.iter().filter_map(reset_of).collect();
                    let export = open.contains(&incident.id).then(|| export(report, &places, &by_frame, incident, &props.capture));
                    incident_item(incident, &resets, export, &toggle, &props.on_select)
                }) }
            </ul>
            if shown < incidents.len() {
                <button type="button" class="button small" data-testid="incidents-all"
                        onclick={Callback::from({ let show_all = show_all.clone(); move |_| show_all.set(true) })}>
                    { format!("Show all {} incidents", incidents.len()) }
                </button>
            }
        </section>
    }
}

/// The button exporting an incident's connections as a pcapng.
fn export(
    report: &Shared<Report>,
    places: &Rc<HashMap<u32, usize>>,
    by_frame: &Rc<HashMap<u64, usize>>,
    incident: &Incident,
    capture: &Option<CaptureFile>,
) -> Html {
    let id = incident.id;
    let select = {
        let (report, places, by_frame) = (report.clone(), places.clone(), by_frame.clone());
        let frames = incident.frames.clone();
        Callback::from(move |()| {
            let resets: Vec<&Reset> = (frames.iter())
                .filter_map(|frame| by_frame.get(frame).and_then(|&i| report.resets.get(i)))
                .collect();
            export_pcap::of_resets(&report, &places, &resets)
        })
    };
    html! {
        <ExportPcap capture={capture.clone()} {select}
                    file_name={format!("rstscope-incident-{id}.pcapng")}
                    label="Export this incident's connections (pcapng)" />
    }
}

/// An incident: its sentence as a disclosure button, what names it, its
/// counts and root; open (with `export`, its export button), its resets.
fn incident_item(
    incident: &Incident,
    resets: &[&Reset],
    export: Option<Html>,
    toggle: &Callback<u32>,
    on_select: &Callback<Option<u64>>,
) -> Html {
    let id = incident.id;
    let open = export.is_some();
    let panel = format!("incident-{id}-resets");
    let root = incident.root_frame;
    html! {
        <li class="incident" data-testid="incident" data-id={id.to_string()}>
            <h3 class="incident-head">
                <button type="button" class="incident-toggle" aria-expanded={open.to_string()}
                        aria-controls={panel.clone()} data-testid="incident-toggle"
                        onclick={toggle.reform(move |_| id)}>
                    <span class="twisty" aria-hidden="true">{ if open { "▾" } else { "▸" } }</span>
                    <span class="strong">{ format!("Incident #{id}: ") }</span>
                    <span data-testid="incident-summary">{ format::sentence(&incident.summary) }</span>
                </button>
            </h3>
            <p class="incident-meta">
                { named(incident) }
                <span class="muted" data-testid="incident-counts">{ counts(incident) }</span>
                <span class="muted">{ " · root " }</span>
                <button type="button" class="link" data-testid="incident-root"
                        onclick={on_select.reform(move |_| Some(root))}>
                    { format!("frame {root}") }
                </button>
            </p>
            if let Some(export) = export {
                <div id={panel} class="incident-resets">{ export }{ reset_table(resets, on_select) }</div>
            }
        </li>
    }
}

/// Its kind, origin and cause, as core's sentence names them: not when
/// every root's evidence is weak.
fn named(incident: &Incident) -> Html {
    if incident.strong == 0 {
        return html! {
            <span class="muted" data-testid="incident-weak">{ "weak evidence, no origin or cause named" }</span>
        };
    }
    html! {
        <>
            <Term text={incident.kind.as_str()} explain={glossary::incident_kind(incident.kind)}
                  class="incident-kind" />
            { origin_badge(incident.origin.as_str()) }
            <Term text={incident.cause.as_str()} explain={glossary::cause(incident.cause)} class="strong" />
        </>
    }
}

/// "9 resets (6 roots, 3 followed) · 3 connections".
fn counts(incident: &Incident) -> String {
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let resets = incident.frames.len();
    let roots = usize::try_from(incident.roots).unwrap_or(resets);
    let split = if roots < resets {
        format!(
            " ({}, {} followed)",
            plural(roots, "root", "roots"),
            resets - roots
        )
    } else {
        String::new()
    };
    format!(
        " · {}{split} · {}",
        plural(resets, "reset", "resets"),
        plural(incident.connections.len(), "connection", "connections")
    )
}

fn reset_table(resets: &[&Reset], on_select: &Callback<Option<u64>>) -> Html {
    let row = |reset: &&Reset| {
        let frame = reset.frame;
        let note = match reset.consequence_of {
            Some(root) => format!("follows from frame {root}"),
            None => "root".to_string(),
        };
        html! {
            <tr data-testid="incident-reset" data-frame={frame.to_string()}>
                <td class="num">
                    <button type="button" class="link mono" onclick={on_select.reform(move |_| Some(frame))}
                            aria-label={format!("Open the reset in frame {frame}")}>
                        { frame }
                    </button>
                </td>
                <td class="mono">{ format!("{} → {}", reset.src, reset.dst) }</td>
                <td>{ origin_badge(reset.origin.as_str()) }</td>
                <td>{ reset.cause.as_str() }</td>
                <td class="num">{ format::percent(reset.confidence) }</td>
                <td class="muted">{ note }</td>
            </tr>
        }
    };
    let more = resets.len().saturating_sub(RESETS_LISTED);
    html! {
        <>
            <div class="table-scroll">
                <table class="data incident-table">
                    <thead><tr>
                        <th class="num">{ "Frame" }</th><th>{ "From → To" }</th><th>{ "Origin" }</th>
                        <th>{ "Cause" }</th><th class="num">{ "Confidence" }</th><th>{ "Role" }</th>
                    </tr></thead>
                    <tbody>{ for resets.iter().take(RESETS_LISTED).map(row) }</tbody>
                </table>
            </div>
            if more > 0 {
                <p class="muted">{ format!("{more} more: group the resets table by incident to see them all.") }</p>
            }
        </>
    }
}
