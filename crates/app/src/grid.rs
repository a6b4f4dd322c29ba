//! Keyboard movement in the data grids (the WAI-ARIA grid pattern): the grid
//! is one Tab stop; arrow keys move between cells, Home/End to the ends of
//! a row, Ctrl+Home/End to the first and last row, Page Up/Down by
//! [`PAGE_STEP`] rows. Rows and columns count from 0; row 0 is the header.

/// Rows Page Up / Page Down move by.
pub const PAGE_STEP: usize = 10;

/// Where a key sends the focus, or None for keys the grid leaves alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Move {
    Up,
    Down,
    Left,
    Right,
    RowStart,
    RowEnd,
    First,
    Last,
    PageUp,
    PageDown,
}

impl Move {
    pub fn of_key(key: &str, ctrl: bool) -> Option<Self> {
        Some(match (key, ctrl) {
            ("ArrowUp", _) => Self::Up,
            ("ArrowDown", _) => Self::Down,
            ("ArrowLeft", _) => Self::Left,
            ("ArrowRight", _) => Self::Right,
            ("Home", false) => Self::RowStart,
            ("End", false) => Self::RowEnd,
            ("Home", true) => Self::First,
            ("End", true) => Self::Last,
            ("PageUp", _) => Self::PageUp,
            ("PageDown", _) => Self::PageDown,
            _ => return None,
        })
    }
}

/// A cell of a grid of `rows` rows (the header included) where row `r`
/// has `cols(r)` cells (a group row may have a single one).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Cell {
    pub row: usize,
    pub col: usize,
}

impl Cell {
    /// The cell `step` leads to, staying inside the grid. Moving to a row
    /// with fewer cells lands on its last one.
    pub fn moved(self, step: Move, rows: usize, cols: impl Fn(usize) -> usize) -> Self {
        let last_row = rows.saturating_sub(1);
        let row = match step {
            Move::Up => self.row.saturating_sub(1),
            Move::Down => (self.row + 1).min(last_row),
            Move::First => 0,
            Move::Last => last_row,
            Move::PageUp => self.row.saturating_sub(PAGE_STEP),
            Move::PageDown => (self.row + PAGE_STEP).min(last_row),
            Move::Left | Move::Right | Move::RowStart | Move::RowEnd => self.row.min(last_row),
        };
        let last_col = cols(row).saturating_sub(1);
        let col = match step {
            Move::Left => self.col.saturating_sub(1),
            Move::Right => self.col + 1,
            Move::RowStart => 0,
            Move::RowEnd => last_col,
            _ => self.col,
        };
        Self {
            row,
            col: col.min(last_col),
        }
    }

    /// This cell, kept inside a grid that shrank (a filter, a new page).
    pub fn clamped(self, rows: usize, cols: impl Fn(usize) -> usize) -> Self {
        let row = self.row.min(rows.saturating_sub(1));
        Self {
            row,
            col: self.col.min(cols(row).saturating_sub(1)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NINE: fn(usize) -> usize = |_| 9;

    #[test]
    fn arrows_move_one_cell_and_stop_at_the_edges() {
        let at = |row, col| Cell { row, col };
        assert_eq!(at(0, 0).moved(Move::Up, 5, NINE), at(0, 0));
        assert_eq!(at(0, 0).moved(Move::Left, 5, NINE), at(0, 0));
        assert_eq!(at(0, 0).moved(Move::Down, 5, NINE), at(1, 0));
        assert_eq!(at(4, 8).moved(Move::Down, 5, NINE), at(4, 8));
        assert_eq!(at(4, 8).moved(Move::Right, 5, NINE), at(4, 8));
        assert_eq!(at(2, 3).moved(Move::RowStart, 5, NINE), at(2, 0));
        assert_eq!(at(2, 3).moved(Move::RowEnd, 5, NINE), at(2, 8));
        assert_eq!(at(2, 3).moved(Move::First, 5, NINE), at(0, 3));
        assert_eq!(at(2, 3).moved(Move::Last, 5, NINE), at(4, 3));
        assert_eq!(at(2, 3).moved(Move::PageDown, 50, NINE), at(12, 3));
        assert_eq!(at(2, 3).moved(Move::PageUp, 50, NINE), at(0, 3));
    }

    #[test]
    fn a_row_with_one_cell_takes_the_focus_to_it() {
        // Row 2 is a group row: a single cell across the grid.
        let cols = |row: usize| if row == 2 { 1 } else { 9 };
        let from = Cell { row: 1, col: 6 };
        let down = from.moved(Move::Down, 4, cols);
        assert_eq!(down, Cell { row: 2, col: 0 });
        assert_eq!(down.moved(Move::Right, 4, cols), down);
        assert_eq!(down.moved(Move::Down, 4, cols), Cell { row: 3, col: 0 });
    }

    #[test]
    fn keys_map_to_moves() {
        assert_eq!(Move::of_key("ArrowDown", false), Some(Move::Down));
        assert_eq!(Move::of_key("Home", true), Some(Move::First));
        assert_eq!(Move::of_key("End", false), Some(Move::RowEnd));
        assert_eq!(Move::of_key("Enter", false), None);
        assert_eq!(Move::of_key("a", false), None);
    }

    #[test]
    fn a_cell_past_a_shrunk_grid_comes_back_inside() {
        let cell = Cell { row: 40, col: 8 };
        assert_eq!(cell.clamped(3, |_| 4), Cell { row: 2, col: 3 });
        assert_eq!(cell.clamped(0, |_| 0), Cell { row: 0, col: 0 });
    }
}
