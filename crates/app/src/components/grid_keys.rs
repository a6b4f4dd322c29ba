use std::rc::Rc;

use wasm_bindgen::JsCast;
use web_sys::HtmlElement;
use yew::prelude::*;

use crate::browser;
use crate::grid::{Cell, Move};

/// What a table does with a key on a cell, before the usual moves.
pub enum KeyAction {
    /// Not for the table: arrows, Home/End, Page Up/Down move as usual.
    Unhandled,
    /// Done (a row opened, a group toggled).
    Handled,
    /// Move the focus to this cell.
    MoveTo(Cell),
}

/// A table's own handling of a key on a cell.
pub type OnKey = Rc<dyn Fn(&KeyboardEvent, Cell) -> KeyAction>;

/// The roving focus of a data grid: which cell is the grid's one Tab stop,
/// the key and focus handlers for the `<table>`, and its node.
pub struct GridKeys {
    pub node: NodeRef,
    pub cell: Cell,
    pub onkeydown: Callback<KeyboardEvent>,
    pub onfocusin: Callback<FocusEvent>,
}

impl GridKeys {
    /// The cell's tabindex: 0 for the active one, -1 for the rest.
    pub fn tab(&self, row: usize, col: usize) -> &'static str {
        if self.cell == (Cell { row, col }) {
            "0"
        } else {
            "-1"
        }
    }
}

/// `widths[r]` is the number of cells of grid row `r` (row 0 the header);
/// `on_key` gets first say on every key. Cells carry `data-cell="row:col"`.
#[hook]
pub fn use_grid_keys(widths: Rc<Vec<usize>>, on_key: OnKey) -> GridKeys {
    let node = use_node_ref();
    let active = use_state(Cell::default);
    let refocus = use_mut_ref(|| false);
    let width = |widths: &[usize], r: usize| widths.get(r).copied().unwrap_or(1);
    let cell = active.clamped(widths.len(), |r| width(&widths, r));
    {
        let (node, refocus) = (node.clone(), refocus.clone());
        use_effect(move || {
            if std::mem::take(&mut *refocus.borrow_mut()) {
                focus_cell(&node, cell);
            }
        });
    }
    let onkeydown = {
        let (active, refocus) = (active.clone(), refocus.clone());
        Callback::from(move |e: KeyboardEvent| {
            let next = match on_key(&e, cell) {
                KeyAction::Handled => None,
                KeyAction::MoveTo(next) => Some(next),
                KeyAction::Unhandled
                    if (e.ctrl_key() || e.meta_key()) && e.key().eq_ignore_ascii_case("c") =>
                {
                    copy_cell_text(&e);
                    return;
                }
                KeyAction::Unhandled => match Move::of_key(&e.key(), e.ctrl_key()) {
                    Some(step) => Some(cell.moved(step, widths.len(), |r| width(&widths, r))),
                    None => return,
                },
            };
            e.prevent_default();
            if let Some(next) = next {
                active.set(next);
                *refocus.borrow_mut() = true;
            }
        })
    };
    // A click or Tab into the grid makes that cell the active one.
    let onfocusin = Callback::from(move |e: FocusEvent| {
        let at = e
            .target()
            .and_then(|t| t.dyn_into::<HtmlElement>().ok())
            .and_then(|el| el.get_attribute("data-cell"))
            .and_then(|text| parse_cell(&text));
        if let Some(at) = at.filter(|at| *at != *active) {
            active.set(at);
        }
    });
    GridKeys {
        node,
        cell,
        onkeydown,
        onfocusin,
    }
}

fn parse_cell(text: &str) -> Option<Cell> {
    let (row, col) = text.split_once(':')?;
    Some(Cell {
        row: row.parse().ok()?,
        col: col.parse().ok()?,
    })
}

fn focus_cell(grid: &NodeRef, cell: Cell) {
    let selector = format!("[data-cell=\"{}:{}\"]", cell.row, cell.col);
    let target = grid
        .cast::<web_sys::Element>()
        .and_then(|grid| grid.query_selector(&selector).ok().flatten())
        .and_then(|el| el.dyn_into::<HtmlElement>().ok());
    if let Some(el) = target {
        let _ = el.focus();
    }
}

/// Ctrl+C on a cell with nothing selected copies the cell's text.
fn copy_cell_text(e: &KeyboardEvent) {
    let selected = web_sys::window()
        .and_then(|w| w.get_selection().ok().flatten())
        .is_some_and(|s| !s.is_collapsed());
    if selected {
        return;
    }
    let text = e
        .target()
        .and_then(|t| t.dyn_into::<HtmlElement>().ok())
        .and_then(|el| el.text_content());
    if let Some(text) = text {
        e.prevent_default();
        browser::copy_to_clipboard(text.trim());
    }
}
