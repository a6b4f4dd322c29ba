"""Comparing rows that went through different paths (NDJSON, Arrow, Spark)."""

import struct


def f32(x):
    """`x` rounded to float32, as the Arrow schema stores confidences."""
    return None if x is None else struct.unpack("f", struct.pack("f", x))[0]


def normalise(row, fields):
    """`row` restricted to `fields`, with the float32 confidence rounded the
    same way whichever path it came through."""
    out = {name: row.get(name) for name in fields}
    if "confidence" in out:
        out["confidence"] = f32(out["confidence"])
    return out
