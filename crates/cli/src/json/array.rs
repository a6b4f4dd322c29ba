//! JSON arrays laid out as serde_json's pretty printer lays them out, each
//! item's line start (and an object's closing line) one constant write.

use std::io::{self, Write};
use std::sync::mpsc;

/// Where an array sits: the bytes before its first item, before each
/// later one, after each (an object's closing brace) and at its end.
pub struct Layout {
    first: &'static [u8],
    next: &'static [u8],
    close: &'static [u8],
    end: &'static [u8],
}

/// Objects in an array at depth 1 (the report's lists).
pub const OBJECTS_AT_1: Layout = Layout {
    first: b"[\n    {",
    next: b",\n    {",
    close: b"\n    }",
    end: b"\n  ]",
};

/// Objects in an array at depth 3 (a reset's evidence, tips, ladder).
pub const OBJECTS_AT_3: Layout = Layout {
    first: b"[\n        {",
    next: b",\n        {",
    close: b"\n        }",
    end: b"\n      ]",
};

/// Plain values in an array at depth 3 (a connection's reset frames).
pub const VALUES_AT_3: Layout = Layout {
    first: b"[\n        ",
    next: b",\n        ",
    close: b"",
    end: b"\n      ]",
};

/// Plain values in an array at depth 4 (a conflict's signals).
pub const VALUES_AT_4: Layout = Layout {
    first: b"[\n          ",
    next: b",\n          ",
    close: b"",
    end: b"\n        ]",
};

/// Plain values in an array at depth 5 (a tip's commands).
pub const VALUES_AT_5: Layout = Layout {
    first: b"[\n            ",
    next: b",\n            ",
    close: b"",
    end: b"\n          ]",
};

/// Writes `items` as `layout` places them, each one's content by `item`.
pub fn write<W: Write + ?Sized, T>(
    out: &mut W,
    items: &[T],
    layout: &Layout,
    mut item: impl FnMut(&mut W, &T) -> io::Result<()>,
) -> io::Result<()> {
    if items.is_empty() {
        return out.write_all(b"[]");
    }
    lines(out, items, layout, true, &mut item)?;
    out.write_all(layout.end)
}

/// Writes `items`, each after its line start and before its closing line;
/// `first` when they begin the array.
fn lines<W: Write + ?Sized, T>(
    out: &mut W,
    items: &[T],
    layout: &Layout,
    mut first: bool,
    mut item: impl FnMut(&mut W, &T) -> io::Result<()>,
) -> io::Result<()> {
    for value in items {
        out.write_all(if first { layout.first } else { layout.next })?;
        first = false;
        item(out, value)?;
        if !layout.close.is_empty() {
            out.write_all(layout.close)?;
        }
    }
    Ok(())
}

/// Items per piece of a list written on two threads: a few hundred KB of
/// connections, a few MB of resets.
const PIECE: usize = 512;

/// Pieces formatted ahead by the second thread, waiting to be written.
const AHEAD: usize = 2;

/// Which pieces of a list the second thread formats: piece `i` if
/// `there[i % there.len()]`. This thread also copies those into the
/// output, so its share is smaller where that copy is a larger part of
/// a piece's cost.
pub struct Split {
    there: &'static [bool],
}

impl Split {
    fn there(&self, index: usize) -> bool {
        let there = self.there.get(index % self.there.len().max(1));
        there.copied().unwrap_or_default()
    }
}

/// Half each, in turn: the resets (a reset's JSON is a few KB of
/// evidence, tips and ladder, formatted at ~16 000 instructions; its copy
/// ~1 000).
pub const HALVES: Split = Split {
    there: &[false, true],
};

/// 3 of every 5 pieces there: the connections (~2 200 instructions to
/// format one here, ~430 to copy one formatted there). With half each,
/// this thread was the longer (64 MiB flood: 103.7 M instructions here
/// against ~73 M there).
pub const THREE_OF_FIVE: Split = Split {
    there: &[false, true, false, true, true],
};

/// An item of a list written on two threads: its content, between its
/// line start and its closing line, into any writer.
pub trait Item: Sync {
    fn write<W: Write + ?Sized>(&self, out: &mut W) -> io::Result<()>;
}

/// Writes `items` as [`write`] does, in pieces of [`PIECE`] items: a
/// second thread formats some of them (`split`) into reused
/// buffers, this thread the others straight into `out`, and writes the
/// second thread's pieces in their places. A report's long lists (a
/// flood's 400 000 connections, a scan's 27 000 resets) take about half
/// the time on two cores; memory holds at most `AHEAD + 2` pieces.
pub fn write_split<W: Write + ?Sized, T: Item>(
    out: &mut W,
    items: &[T],
    layout: &Layout,
    split: &Split,
) -> io::Result<()> {
    if items.len() <= PIECE {
        return write(out, items, layout, |out, item| item.write(out));
    }
    std::thread::scope(|scope| {
        let (full_tx, full_rx) = mpsc::sync_channel::<io::Result<Vec<u8>>>(AHEAD);
        let (empty_tx, empty_rx) = mpsc::channel::<Vec<u8>>();
        scope.spawn(move || {
            // Ends at the list's end, or when this thread stopped taking
            // pieces (a write failed).
            let pieces = items.chunks(PIECE).enumerate();
            for (_, piece) in pieces.filter(|(index, _)| split.there(*index)) {
                let mut buf = empty_rx.try_recv().unwrap_or_default();
                buf.clear();
                let formatted = lines(&mut buf, piece, layout, false, |out, item| item.write(out))
                    .map(|()| buf);
                if full_tx.send(formatted).is_err() {
                    return;
                }
            }
        });
        for (index, piece) in items.chunks(PIECE).enumerate() {
            if !split.there(index) {
                lines(out, piece, layout, index == 0, |out, item| item.write(out))?;
            } else {
                let stopped = || io::Error::other("the JSON writing thread stopped");
                let buf = full_rx.recv().map_err(|_| stopped())??;
                out.write_all(&buf)?;
                let _ = empty_tx.send(buf);
            }
        }
        out.write_all(layout.end)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The second thread writes no array's opening: the first piece is
    /// this thread's.
    #[test]
    fn test_first_piece_formatted_here() {
        for split in [HALVES, THREE_OF_FIVE] {
            assert!(!split.there(0));
        }
        assert_eq!((0..100).filter(|&i| THREE_OF_FIVE.there(i)).count(), 60);
    }
}
