//! The resets table's grid: a header row that sorts, a page of reset and
//! group rows, and the pager under it. One Tab stop (the WAI-ARIA grid
//! pattern): arrows move between cells, Enter opens a reset or a group,
//! Ctrl+C copies a cell.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use yew::prelude::*;

use super::group_row::GroupRow;
use super::reset_row::ResetRow;
use super::COLUMNS;
use crate::components::grid_keys::{use_grid_keys, GridKeys, KeyAction, OnKey};
use crate::components::pager::Pager;
use crate::components::Shared;
use crate::format::TimeMode;
use crate::grid::Cell;
use crate::reset_rows::{self, Column, GroupKey, Grouping, Line};
use rstscope_core::Report;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub report: Shared<Report>,
    /// Where each connection is in `report.connections` ([`crate::lookup::places`]).
    pub places: Shared<HashMap<u32, usize>>,
    /// The resets the filters keep, in order: places in `report.resets`.
    pub rows: Shared<Vec<usize>>,
    pub grouping: Grouping,
    /// The groups opened, and how to open or close one.
    pub expanded: HashSet<GroupKey>,
    pub on_toggle: Callback<GroupKey>,
    pub sort: (Column, bool),
    /// A column's heading was clicked (or Enter pressed on it).
    pub on_sort: Callback<Column>,
    pub page: usize,
    pub size: usize,
    pub on_page: Callback<usize>,
    pub on_size: Callback<usize>,
    pub selected: Option<u64>,
    pub on_select: Callback<Option<u64>>,
    pub time_mode: TimeMode,
}

/// What a grid row is, for the keys that act on it.
#[derive(Clone, Copy, PartialEq)]
enum RowKind {
    Header,
    Group(GroupKey, bool),
    Reset(u64, Option<GroupKey>),
}

impl RowKind {
    fn cells(self) -> usize {
        match self {
            Self::Group(..) => 1,
            _ => COLUMNS.len(),
        }
    }
}

#[component]
pub fn ResetsGrid(props: &Props) -> Html {
    let report = &props.report;
    // Each reset's place in `report.resets`, by frame, for its row.
    let at = use_memo(report.clone(), |report| {
        let places: HashMap<u64, usize> = (report.resets.iter().enumerate())
            .map(|(i, r)| (r.frame, i))
            .collect();
        places
    });
    let resets = super::resets_at(report, &props.rows);
    let lines = reset_rows::lines(&resets, props.grouping, &props.expanded);
    let (range, _) = reset_rows::page(lines.len(), props.page, props.size);
    let times = previous_times(&lines);
    let shown = lines.get(range.clone()).unwrap_or_default();
    let kinds: Rc<Vec<RowKind>> = Rc::new(
        std::iter::once(RowKind::Header)
            .chain(shown.iter().map(kind_of))
            .collect(),
    );
    let widths = Rc::new(kinds.iter().map(|k| k.cells()).collect());
    let keys = use_grid_keys(widths, on_key(props, kinds));
    let body = shown.iter().enumerate().map(|(i, line)| {
        let (row, rowindex) = (i + 1, range.start + i + 2);
        let active = (keys.cell.row == row).then_some(keys.cell.col);
        match line {
            Line::Group(group) => html! {
                <GroupRow key={format!("g{:?}", group.key)} report={report.clone()} places={props.places.clone()}
                          grouping={props.grouping} group={group.key} expanded={group.expanded}
                          resets={group.resets.len()} verdicts={group.verdicts()} {row} {rowindex}
                          active={active == Some(0)} on_toggle={props.on_toggle.clone()} />
            },
            Line::Reset { reset, nested } => html! {
                <ResetRow key={format!("r{}", reset.frame)} report={report.clone()}
                          at={at.get(&reset.frame).copied().unwrap_or(usize::MAX)} {row} {rowindex}
                          nested={*nested} selected={props.selected == Some(reset.frame)}
                          previous={times.get(range.start + i).copied().flatten()}
                          time_mode={props.time_mode} {active} on_select={props.on_select.clone()} />
            },
        }
    });
    let role = if props.grouping == Grouping::None {
        "grid"
    } else {
        "treegrid"
    };
    html! {
        <>
            <div class="table-scroll">
                <table class="data grid-table" {role} aria-label="Resets" ref={keys.node.clone()}
                       aria-rowcount={(lines.len() + 1).to_string()} aria-colcount={COLUMNS.len().to_string()}
                       onkeydown={keys.onkeydown.clone()} onfocusin={keys.onfocusin.clone()}
                       data-testid="resets-grid">
                    <thead><tr role="row" aria-rowindex="1">{ header(props, &keys) }</tr></thead>
                    <tbody>{ for body }</tbody>
                </table>
            </div>
            <Pager count={lines.len()} page={props.page} size={props.size}
                   noun={if props.grouping == Grouping::None { "resets" } else { "rows" }}
                   on_page={props.on_page.clone()} on_size={props.on_size.clone()} />
        </>
    }
}

fn kind_of(line: &Line<'_>) -> RowKind {
    match line {
        Line::Group(g) => RowKind::Group(g.key, g.expanded),
        Line::Reset { reset, nested } => {
            RowKind::Reset(reset.frame, nested.then_some(reset.connection))
        }
    }
}

/// The grid's own keys: Enter sorts by a heading, opens a reset, opens or
/// closes a group (as do Right and Left); Left on a nested reset goes to
/// its group's row.
fn on_key(props: &Props, kinds: Rc<Vec<RowKind>>) -> OnKey {
    let (on_select, on_toggle) = (props.on_select.clone(), props.on_toggle.clone());
    let on_sort = props.on_sort.clone();
    Rc::new(move |e: &KeyboardEvent, cell: Cell| {
        let kind = kinds.get(cell.row).copied().unwrap_or(RowKind::Header);
        match (e.key().as_str(), kind) {
            ("Enter" | " ", RowKind::Header) => {
                if let Some((_, Some(column), _)) = COLUMNS.get(cell.col) {
                    on_sort.emit(*column);
                }
            }
            ("Enter" | " ", RowKind::Group(key, _))
            | ("ArrowRight", RowKind::Group(key, false))
            | ("ArrowLeft", RowKind::Group(key, true)) => on_toggle.emit(key),
            ("Enter" | " ", RowKind::Reset(frame, _)) => on_select.emit(Some(frame)),
            ("ArrowLeft", RowKind::Reset(_, Some(group))) if cell.col == 0 => {
                // To the group row this reset is listed under.
                let above = kinds.get(..cell.row).unwrap_or_default();
                let row = above
                    .iter()
                    .rposition(|k| *k == RowKind::Group(group, true));
                return KeyAction::MoveTo(Cell {
                    row: row.unwrap_or(cell.row),
                    col: 0,
                });
            }
            _ => return KeyAction::Unhandled,
        }
        KeyAction::Handled
    })
}

/// The header row's cells: the sortable columns' headings are buttons.
fn header(props: &Props, keys: &GridKeys) -> Html {
    let (sorted, ascending) = props.sort;
    let cells = COLUMNS.iter().enumerate().map(|(col, &(label, column, class))| {
        let label = if col == 1 { props.time_mode.heading() } else { label };
        let class = classes!(class, matches!(col, 0 | 8).then_some("num"));
        let tabindex = keys.tab(0, col);
        let Some(column) = column else {
            return html! {
                <th role="columnheader" {class} {tabindex} data-cell={format!("0:{col}")}>{ label }</th>
            };
        };
        let aria_sort = match (sorted == column, ascending) {
            (false, _) => "none",
            (true, true) => "ascending",
            (true, false) => "descending",
        };
        let onclick = props.on_sort.reform(move |_: MouseEvent| column);
        html! {
            <th role="columnheader" aria-sort={aria_sort} {class}>
                <button type="button" class="sort" {onclick} {tabindex}
                        data-cell={format!("0:{col}")}>{ label }
                    <span class="sort-mark" aria-hidden="true">
                        { match aria_sort { "ascending" => "▲", "descending" => "▼", _ => "" } }
                    </span>
                </button>
            </th>
        }
    });
    html! { <>{ for cells }</> }
}

/// For each line, the time of the reset line before it (for delta times).
fn previous_times(lines: &[Line<'_>]) -> Vec<Option<f64>> {
    let mut previous = None;
    lines
        .iter()
        .map(|line| match line {
            Line::Reset { reset, .. } => previous.replace(reset.time),
            Line::Group(_) => None,
        })
        .collect()
}
