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

/// An item of a list written on two threads: its content, between its
/// line start and its closing line, into any writer.
pub trait Item: Sync {
    fn write<W: Write + ?Sized>(&self, out: &mut W) -> io::Result<()>;
}

/// Writes `items` as [`write`] does, in pieces of [`PIECE`] items: this
/// thread writes the even pieces straight to `out`, a second thread
/// formats the odd ones into reused buffers, which this thread writes in
/// order. A report's long lists (a flood's 400 000 connections, a scan's
/// 27 000 resets) take half the time on two cores; memory holds at most
/// `AHEAD + 2` pieces.
pub fn write_split<W: Write + ?Sized, T: Item>(
    out: &mut W,
    items: &[T],
    layout: &Layout,
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
            for odd in items.chunks(PIECE).skip(1).step_by(2) {
                let mut buf = empty_rx.try_recv().unwrap_or_default();
                buf.clear();
                let formatted =
                    lines(&mut buf, odd, layout, false, |out, item| item.write(out)).map(|()| buf);
                if full_tx.send(formatted).is_err() {
                    return;
                }
            }
        });
        for (index, piece) in items.chunks(PIECE).enumerate() {
            if index % 2 == 0 {
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
