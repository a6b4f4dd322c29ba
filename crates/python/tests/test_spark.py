"""rstscope.spark in Spark local mode: one partition per capture, analysed
in the Python workers, rows equal to the CLI's NDJSON rows."""

import os
import shutil
import sys
from collections import defaultdict

import pytest

import rstscope
from compare_rows import normalise
from conftest import cli_rows

pyspark = pytest.importorskip("pyspark")


@pytest.fixture(scope="module")
def spark():
    if shutil.which("java") is None:
        print("SKIPPED: no java on PATH for Spark")
        pytest.skip("no java")
    from pyspark.sql import SparkSession

    # The workers run this interpreter, whose environment has rstscope.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("rstscope-test")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def spark_path(path):
    """Spark names local files by URI: file:/abs/path."""
    return path.removeprefix("file:")


def plain(row):
    """A Spark Row as plain dicts and lists, all the way down."""
    return row.asDict(recursive=True)


def test_rows_equal_the_cli_rows_one_partition_per_capture(spark, shared_captures):
    paths = [str(p) for p in shared_captures]
    df = rstscope.spark.resets(spark, paths)
    assert df.rdd.getNumPartitions() == len(paths)
    got = defaultdict(list)
    for row in df.collect():
        row = plain(row)
        row["capture"] = spark_path(row["capture"])
        got[row["capture"]].append(normalise(row, rstscope.RESETS))
    want = defaultdict(list)
    for row in cli_rows(*paths):
        want[row["capture"]].append(normalise(row, rstscope.RESETS))
    assert set(got) == set(want)
    for capture in want:
        assert got[capture] == want[capture], capture
    assert sum(map(len, want.values())) > 100


def test_a_glob_reads_what_binary_file_reads(spark, scenarios):
    df = rstscope.spark.resets(spark, f"{scenarios}/censor-injection-*")
    files = sorted(scenarios.glob("censor-injection-*"))
    assert df.rdd.getNumPartitions() == len(files)
    assert df.count() == len(cli_rows(*files))
    assert df.schema.names == rstscope.RESETS.names


def test_files_that_are_not_captures(spark, scenarios, tmp_path):
    good = next(scenarios.glob("refused-ipv4-ethernet.pcapng"))
    shutil.copy(good, tmp_path / "a.pcapng")
    shutil.copy(scenarios / "labels.tsv", tmp_path / "b.pcapng")
    captures = {spark_path(r.capture): r for r in rstscope.spark.captures(spark, str(tmp_path)).collect()}
    assert captures[str(tmp_path / "a.pcapng")].error is None
    assert captures[str(tmp_path / "a.pcapng")].resets == len(cli_rows(good))
    assert "not a pcap" in captures[str(tmp_path / "b.pcapng")].error
    kept = rstscope.spark.resets(spark, str(tmp_path), ignore_corrupt=True)
    assert kept.count() == len(cli_rows(good))
    with pytest.raises(Exception, match="CaptureError"):
        rstscope.spark.resets(spark, str(tmp_path)).count()
