"""rstscope over a Spark cluster: captures in any storage Spark reads
(local, HDFS, S3, ...) to a DataFrame of resets.

    import rstscope.spark
    resets = rstscope.spark.resets(spark, "s3a://sensors/2026/12/*/*.pcap.gz")
    resets.groupBy("origin", "cause").count().show()

Each capture is one task: Spark's `binaryFile` source reads its bytes, they
reach a Python worker as Arrow (`mapInArrow`, which needs pandas), and the
`rstscope` package analyses them there; the DataFrame has one partition per
capture. Limits that follow: a capture must fit in one task's memory (its
bytes, about three times), and `binaryFile` refuses files over 2 GiB, so captures
are rotated smaller (tcpdump -G / -C).

The partitions are fixed when the DataFrame is made (Spark would otherwise
pack small files together when the query runs), which Spark does through a
local checkpoint: once computed, the rows are kept by the executors, and
later actions reuse them instead of analysing again. Write them out
(`.write.parquet(...)`) to keep them beyond the session.
"""

import functools

import pyarrow as pa
from pyspark.sql.pandas.types import from_arrow_schema

from . import schema

# Spark packs small files into one partition; with every file "costing"
# more than a partition holds, each file gets a partition of its own.
_ONE_FILE_PER_PARTITION = {"spark.sql.files.openCostInBytes": str(1 << 62)}


def resets(spark, paths, *, ignore_corrupt=None, **options):
    """One row per reset of every capture in `paths` (a path, glob or list,
    as `spark.read.load` takes it), with the schema of `rstscope.RESETS`.

    A file that is not a capture fails the job, unless `ignore_corrupt` (by
    default Spark's `spark.sql.files.ignoreCorruptFiles`); `captures()`
    lists such files either way. `options` go to the `binaryFile` reader
    (`pathGlobFilter`, `recursiveFileLookup`, `modifiedAfter`, ...).
    """
    if ignore_corrupt is None:
        ignore_corrupt = spark.conf.get("spark.sql.files.ignoreCorruptFiles", "false") == "true"
    analyse = functools.partial(_reset_batches, ignore_corrupt=ignore_corrupt)
    return _per_capture(spark, paths, options, analyse, schema.RESETS)


def captures(spark, paths, **options):
    """One row per capture in `paths`: its counts and headline, or the
    error that kept it from being analysed (schema `rstscope.schema.CAPTURES`)."""
    return _per_capture(spark, paths, options, _capture_batches, schema.CAPTURES)


def _per_capture(spark, paths, options, analyse, arrow_schema):
    """`analyse` run over the captures' (path, content) batches, one capture
    per partition. The partitions are planned while the setting is in force;
    the checkpoint keeps that plan, so the setting is put back at once."""
    saved = {key: spark.conf.get(key, None) for key in _ONE_FILE_PER_PARTITION}
    for key, value in _ONE_FILE_PER_PARTITION.items():
        spark.conf.set(key, value)
    try:
        files = spark.read.format("binaryFile").options(**options).load(paths)
        rows = files.select("path", "content").mapInArrow(analyse, from_arrow_schema(arrow_schema))
        return rows.localCheckpoint(eager=False)
    finally:
        for key, value in saved.items():
            if value is None:
                spark.conf.unset(key)
            else:
                spark.conf.set(key, value)


def _captures_in(batches):
    """(path, content buffer) of every capture in the input batches."""
    for batch in batches:
        for path, content in zip(batch.column("path").to_pylist(), batch.column("content")):
            yield path, content.as_buffer()


def _reset_batches(batches, ignore_corrupt):
    import rstscope  # on the executor

    for path, content in _captures_in(batches):
        try:
            yield rstscope.resets(content, name=path)
        except rstscope.CaptureError:
            if not ignore_corrupt:
                raise


def _capture_batches(batches):
    import rstscope  # on the executor

    for path, content in _captures_in(batches):
        rows = rstscope.rows(content, "captures", name=path)
        yield pa.RecordBatch.from_pylist(rows, schema=schema.CAPTURES)
