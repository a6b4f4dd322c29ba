//! The report as pretty-printed JSON, byte for byte what
//! `serde_json::to_writer_pretty` writes, with fewer writes: serde_json's
//! `PrettyFormatter` writes the line break and then the indent two spaces
//! at a time, one `write_all` each, before every key and array item. A
//! report of 100 000 connections has millions of them, a third of the
//! JSON writer's instructions (callgrind, `scan` mix).

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{Formatter, Serializer};

/// `,\n` then the indent: a line start is a slice of it.
const BREAK: &[u8; 2 + 2 * DEPTH] = &{
    let mut bytes = [b' '; 2 + 2 * DEPTH];
    bytes[0] = b',';
    bytes[1] = b'\n';
    bytes
};
/// Nesting that one slice of [`BREAK`] indents; deeper lines (none in a
/// report) take one more write per extra level.
const DEPTH: usize = 32;

/// Writes `value` as `serde_json::to_writer_pretty` does.
pub fn write_pretty<W: Write, T: Serialize + ?Sized>(out: W, value: &T) -> io::Result<()> {
    let mut serializer = Serializer::with_formatter(out, Pretty::default());
    // `io::Error::from` keeps the kind of a write error (a closed pipe).
    value.serialize(&mut serializer).map_err(io::Error::from)
}

/// serde_json's `PrettyFormatter` (two spaces), each line start one write.
#[derive(Default)]
struct Pretty {
    depth: usize,
    has_value: bool,
}

impl Pretty {
    /// A line break (after a comma unless `first`) and the indent.
    fn line<W: ?Sized + Write>(&self, out: &mut W, first: bool) -> io::Result<()> {
        let skip = usize::from(first);
        let levels = self.depth.min(DEPTH);
        out.write_all(BREAK.get(skip..2 + 2 * levels).unwrap_or(b"\n"))?;
        for _ in levels..self.depth {
            out.write_all(b"  ")?;
        }
        Ok(())
    }

    fn open<W: ?Sized + Write>(&mut self, out: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        out.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, out: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth = self.depth.saturating_sub(1);
        if self.has_value {
            self.line(out, true)?;
        }
        out.write_all(bracket)
    }
}

impl Formatter for Pretty {
    fn begin_array<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.open(out, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.close(out, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        self.line(out, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _out: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.open(out, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.close(out, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        self.line(out, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        out.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _out: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn both(value: &serde_json::Value) -> (String, String) {
        let mut ours = Vec::new();
        write_pretty(&mut ours, value).unwrap();
        let theirs = serde_json::to_string_pretty(value).unwrap();
        (String::from_utf8(ours).unwrap(), theirs)
    }

    #[test]
    fn writes_what_serde_json_writes() {
        let value = json!({
            "empty_object": {}, "empty_array": [], "text": "a \"quoted\"\nline",
            "numbers": [1, -2, 3.5, 1e300], "nested": [{"a": [[], [{}], {"b": null}]}, true],
        });
        let (ours, theirs) = both(&value);
        assert_eq!(ours, theirs);
        assert!(ours.contains("\n          \"b\": null"), "{ours}");
    }

    #[test]
    fn indents_past_one_slice_of_spaces() {
        let mut value = json!(["bottom"]);
        for level in 0..(DEPTH + 5) {
            value = if level % 2 == 0 {
                json!({ "k": value })
            } else {
                json!([value, 1])
            };
        }
        let (ours, theirs) = both(&value);
        assert_eq!(ours, theirs);
        assert!(ours.contains(&format!("\n{}\"bottom\"", "  ".repeat(DEPTH + 6))));
    }
}
