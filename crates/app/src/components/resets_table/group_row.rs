//! A group's row of the resets table: a connection or an incident, and the
//! verdicts of its resets.

use std::collections::HashMap;

use yew::prelude::*;

use super::COLUMNS;
use crate::components::{origin_badge, Shared};
use crate::format;
use crate::lookup;
use crate::reset_rows::{GroupKey, Grouping};
use rstscope_core::report::{Cause, Origin};
use rstscope_core::Report;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub report: Shared<Report>,
    /// Where each connection is in `report.connections` ([`lookup::places`]).
    pub places: Shared<HashMap<u32, usize>>,
    pub grouping: Grouping,
    pub group: GroupKey,
    pub expanded: bool,
    /// How many resets it holds, and their verdicts (the most frequent first).
    pub resets: usize,
    pub verdicts: Vec<(Origin, Cause, usize)>,
    /// Its row in the grid (the header is 0), and in all pages (`aria-rowindex`).
    pub row: usize,
    pub rowindex: usize,
    /// Its cell is the grid's Tab stop.
    pub active: bool,
    pub on_toggle: Callback<GroupKey>,
}

/// What the group is, its reset count and verdicts; a click opens or
/// closes it.
#[component]
pub fn GroupRow(props: &Props) -> Html {
    let (key, row, n) = (props.group, props.row, props.resets);
    let onclick = props.on_toggle.reform(move |_: MouseEvent| key);
    let (by_connection, by_incident) = match props.grouping {
        Grouping::Incident => (None, key.map(|k| k.to_string())),
        _ => (key.map(|k| k.to_string()), None),
    };
    let expanded = props.expanded;
    html! {
        <tr role="row" class="group-row clickable" data-testid="group-row"
            data-connection={by_connection} data-incident={by_incident} aria-level="1"
            aria-expanded={expanded.to_string()}
            aria-rowindex={props.rowindex.to_string()} {onclick}>
            <td role="gridcell" colspan={COLUMNS.len().to_string()} tabindex={if props.active { "0" } else { "-1" }}
                data-cell={format!("{row}:0")}>
                <span class="twisty" aria-hidden="true">{ if expanded { "▾" } else { "▸" } }</span>
                <span class={classes!((props.grouping == Grouping::Connection).then_some("mono"))}>{ title(props) }</span>
                <span class="group-count">{ format!(" · {n} reset{}: ", if n == 1 { "" } else { "s" }) }</span>
                { for props.verdicts.iter().map(|&(origin, cause, count)| html! {
                    <span class="group-verdict">
                        { origin_badge(origin.as_str()) }{ format!(" {}", cause.as_str()) }
                        if count > 1 { { format!(" ×{count}") } }
                    </span>
                }) }
            </td>
        </tr>
    }
}

/// The incident (core's sentence) or the connection (its endpoints) the
/// group stands for.
fn title(props: &Props) -> String {
    let (report, key) = (&props.report, props.group);
    let connection = key.and_then(|id| lookup::connection(&report.connections, &props.places, id));
    let incident = key.and_then(|id| report.incidents.iter().find(|i| i.id == id));
    match (props.grouping, connection, incident) {
        // An incident of weak verdicts has no kind to name, as core's sentence says.
        (Grouping::Incident, _, Some(i)) if i.strong == 0 => {
            format!("Incident #{} · {}", i.id, format::sentence(&i.summary))
        }
        (Grouping::Incident, _, Some(i)) => format!(
            "Incident #{} · {} · {}",
            i.id,
            i.kind.as_str(),
            format::sentence(&i.summary)
        ),
        (Grouping::Incident, _, None) => "Resets in no incident".to_string(),
        (_, Some(c), _) => format!(
            "Connection #{}{} · {} ↔ {}",
            c.id,
            c.stream
                .map(|s| format!(" (tcp.stream {s})"))
                .unwrap_or_default(),
            c.client,
            c.server
        ),
        (_, None, _) => "Resets outside any tracked connection".to_string(),
    }
}
