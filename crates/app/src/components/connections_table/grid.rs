//! The connections table's grid: a header row, a page of connection rows,
//! and the pager under it. One Tab stop (the WAI-ARIA grid pattern):
//! arrows move between cells, Enter opens a connection.

use std::rc::Rc;

use yew::prelude::*;

use super::row::ConnectionRow;
use super::COLUMNS;
use crate::components::grid_keys::{use_grid_keys, KeyAction, OnKey};
use crate::components::pager::Pager;
use crate::components::Shared;
use crate::grid::Cell;
use crate::reset_rows;
use rstscope_core::Report;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub report: Shared<Report>,
    /// The connections the filters keep, in order: places in `report.connections`.
    pub rows: Shared<Vec<usize>>,
    pub page: usize,
    pub size: usize,
    pub on_page: Callback<usize>,
    pub on_size: Callback<usize>,
    /// A connection's row was opened: its id.
    pub on_open: Callback<u32>,
}

#[component]
pub fn ConnectionsGrid(props: &Props) -> Html {
    let (report, rows) = (&props.report, &props.rows);
    let (range, _) = reset_rows::page(rows.len(), props.page, props.size);
    let shown = rows.get(range.clone()).unwrap_or_default();
    let ids: Rc<Vec<u32>> = Rc::new(
        (shown.iter())
            .filter_map(|&at| report.connections.get(at))
            .map(|c| c.id)
            .collect(),
    );
    let widths = Rc::new(vec![COLUMNS.len(); shown.len() + 1]);
    let keys = use_grid_keys(widths, opens(ids.clone(), props.on_open.clone()));
    let header = COLUMNS.iter().enumerate().map(|(col, (label, class))| {
        html! {
            <th role="columnheader" class={*class} tabindex={keys.tab(0, col)}
                data-cell={format!("0:{col}")}>{ *label }</th>
        }
    });
    let body = shown.iter().zip(ids.iter()).enumerate().map(|(i, (&at, id))| {
        let (row, rowindex) = (i + 1, range.start + i + 2);
        let active = (keys.cell.row == row).then_some(keys.cell.col);
        html! {
            <ConnectionRow key={id.to_string()} report={report.clone()} {at} {row} {rowindex} {active}
                           on_open={props.on_open.clone()} />
        }
    });
    html! {
        <>
            <div class="table-scroll">
                <table class="data grid-table connections-grid" role="grid" aria-label="Connections"
                       ref={keys.node.clone()} aria-rowcount={(rows.len() + 1).to_string()}
                       onkeydown={keys.onkeydown.clone()} onfocusin={keys.onfocusin.clone()}>
                    <thead><tr role="row" aria-rowindex="1">{ for header }</tr></thead>
                    <tbody>{ for body }</tbody>
                </table>
            </div>
            <Pager count={rows.len()} page={props.page} size={props.size} noun="connections"
                   on_page={props.on_page.clone()} on_size={props.on_size.clone()} />
        </>
    }
}

/// The grid's own key: Enter (or Space) on a row opens its connection.
fn opens(ids: Rc<Vec<u32>>, on_open: Callback<u32>) -> OnKey {
    Rc::new(move |e: &KeyboardEvent, cell: Cell| {
        let id = cell.row.checked_sub(1).and_then(|i| ids.get(i));
        match (e.key().as_str(), id) {
            ("Enter" | " ", Some(&id)) => {
                on_open.emit(id);
                KeyAction::Handled
            }
            _ => KeyAction::Unhandled,
        }
    })
}
