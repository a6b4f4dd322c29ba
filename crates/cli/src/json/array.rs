//! JSON arrays laid out as serde_json's pretty printer lays them out, each
//! item's line start (and an object's closing line) one constant write.

use std::io::{self, Write};

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
    for (i, value) in items.iter().enumerate() {
        out.write_all(if i == 0 { layout.first } else { layout.next })?;
        item(out, value)?;
        if !layout.close.is_empty() {
            out.write_all(layout.close)?;
        }
    }
    out.write_all(layout.end)
}
