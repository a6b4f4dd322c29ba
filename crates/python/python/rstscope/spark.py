"""rstscope over a Spark cluster: captures in any storage Spark reads
(local, HDFS, S3, ...) to a DataFrame of resets.

    from rstscope import spark as rs
    resets = rs.resets(spark, "s3a://sensors/2026/12/*/*.pcap.gz")
    resets.groupBy("origin", "cause").count().show()

Each capture is one task: its bytes are read by Spark's `binaryFile` source
and analysed in a Python worker by the `rstscope` package (installed on the
executors, see the README's "At scale"), and the resulting DataFrame has
one partition per capture. Limits that follow: a capture must fit in one
task's memory (its bytes, about twice), and Spark's `binaryFile` refuses
files over 2 GiB, so captures are rotated smaller (tcpdump -C / -G).

This uses the classic Spark API (an RDD fixes the partitions); it does not
run on a Spark Connect session.
"""

from pyspark.sql.pandas.types import from_arrow_schema

from . import schema

# Spark packs small files into one partition; with every file "costing" more
# than a partition holds, each file gets a partition of its own.
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
    files = _files(spark, paths, options)
    rows = files.mapPartitions(lambda part: _reset_rows(part, ignore_corrupt))
    return spark.createDataFrame(rows, from_arrow_schema(schema.RESETS))


def captures(spark, paths, **options):
    """One row per capture in `paths`: its counts and headline, or the
    error that kept it from being analysed (schema `rstscope.schema.CAPTURES`)."""
    files = _files(spark, paths, options)
    return spark.createDataFrame(files.mapPartitions(_capture_rows), from_arrow_schema(schema.CAPTURES))


def _files(spark, paths, options):
    """An RDD of (path, content), one capture per partition. The partitions
    are fixed when the RDD is made, so the setting can be put back at once."""
    saved = {key: spark.conf.get(key, None) for key in _ONE_FILE_PER_PARTITION}
    for key, value in _ONE_FILE_PER_PARTITION.items():
        spark.conf.set(key, value)
    try:
        reader = spark.read.format("binaryFile").options(**options)
        return reader.load(paths).select("path", "content").rdd
    finally:
        for key, value in saved.items():
            if value is None:
                spark.conf.unset(key)
            else:
                spark.conf.set(key, value)


def _reset_rows(partition, ignore_corrupt):
    import rstscope  # on the executor

    for path, content in partition:
        try:
            yield from rstscope.resets(content, name=path).to_pylist()
        except rstscope.CaptureError:
            if not ignore_corrupt:
                raise


def _capture_rows(partition):
    import rstscope  # on the executor

    for path, content in partition:
        yield from rstscope.rows(content, "captures", name=path)
