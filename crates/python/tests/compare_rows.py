"""Comparing rows that went through different paths (NDJSON, Arrow, Spark)."""

import struct

import pyarrow as pa


def f32(x):
    """`x` rounded to float32, as the Arrow schema stores confidences."""
    return None if x is None else struct.unpack("f", struct.pack("f", x))[0]


def normalise(row, schema):
    """`row` as the Arrow `schema` holds it: only its fields (at every
    depth: a JSON row's evidence also has its `fact`), float32 rounded."""
    return {field.name: restrict(row.get(field.name), field.type) for field in schema}


def restrict(value, arrow_type):
    if value is None:
        return None
    if pa.types.is_struct(arrow_type):
        return {f.name: restrict(value.get(f.name), f.type) for f in arrow_type}
    if pa.types.is_list(arrow_type):
        return [restrict(item, arrow_type.value_type) for item in value]
    if pa.types.is_float32(arrow_type):
        return f32(value)
    return value
