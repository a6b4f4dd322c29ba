"""rstscope: why was this TCP connection reset, and who really did it?

    import rstscope
    report = rstscope.analyze("capture.pcapng")        # the whole report, a dict
    batch = rstscope.resets("capture.pcapng")          # a pyarrow.RecordBatch, one row per reset
    conns = rstscope.rows("capture.pcapng", "connections")   # rows as dicts

A capture is a path (str or os.PathLike; .pcap, .pcapng, optionally
gzipped) or the capture's bytes (bytes, bytearray, memoryview or any other
buffer). The analysis is the CLI's, in Rust, and runs with the GIL released:
threads analyse captures in parallel. The report's fields are the JSON
contract described in the README; `resets()` has the fixed schema
`rstscope.RESETS`; `rstscope.spark` runs the same over a Spark cluster.

Input that is not a capture raises `rstscope.CaptureError` (a ValueError)
saying what it looks like instead and where; a file that cannot be opened
raises the usual OSError (FileNotFoundError, PermissionError, ...). Damage
inside a readable capture is not an error: the report lists it under
`capture.warnings` and keeps everything before it.
"""

import io
import json

import pyarrow as pa
import pyarrow.json as pa_json

from ._rstscope import CaptureError, __version__, analyze_json, rows_ndjson
from .schema import RESETS

__all__ = ["CaptureError", "RESETS", "analyze", "resets", "rows", "__version__"]


def analyze(capture, peer=None):
    """The report of `capture`, as a dict (the CLI's `--format json`).

    With `peer`, a second capture of the same traffic taken at the other
    end of the path, the report gains a "comparison" section.
    """
    return json.loads(analyze_json(capture, peer))


def rows(capture, kind="resets", *, name=None):
    """The capture's rows as dicts, exactly the lines of
    `rstscope analyze --format ndjson --rows KIND`: "resets", "connections",
    "incidents" or "captures" (one row, with "error" set instead of raising when the
    input is not a capture). `name` goes in each row's "capture" field
    (default: the path as given; None for bytes).
    """
    return [json.loads(line) for line in rows_ndjson(capture, kind, name).splitlines()]


def resets(capture, *, name=None):
    """One row per reset of `capture`, as a pyarrow.RecordBatch with the
    schema `rstscope.RESETS` (empty, same schema, when there are none).
    `name` goes in the "capture" column (default: the path as given).
    """
    return _batch(rows_ndjson(capture, "resets", name), RESETS)


def __getattr__(name):
    # `rstscope.spark` is imported on first use: pyspark is optional.
    if name == "spark":
        import importlib

        return importlib.import_module(".spark", __name__)
    raise AttributeError(f"module 'rstscope' has no attribute {name!r}")


def _batch(ndjson, schema):
    """NDJSON rows to one record batch of `schema`, field for field."""
    if not ndjson:
        return pa.RecordBatch.from_pylist([], schema=schema)
    # One block for the whole input: a row never straddles two, and a task
    # stays on its one core.
    read = pa_json.ReadOptions(use_threads=False, block_size=max(len(ndjson), 1 << 16))
    parse = pa_json.ParseOptions(explicit_schema=schema, unexpected_field_behavior="ignore")
    table = pa_json.read_json(io.BytesIO(ndjson), read_options=read, parse_options=parse)
    return table.select(schema.names).cast(schema).combine_chunks().to_batches()[0]
