"""The DuckDB recipe (recipes/duckdb.sql) over a directory of captures,
loaded both ways the README shows: the CLI's NDJSON rows and the Python
package's Arrow batches. Each query's answer is checked against the same
numbers computed here from the CLI's JSON reports."""

import datetime
import pathlib
import re
from collections import Counter

import duckdb
import pyarrow as pa
import pytest

import rstscope
from conftest import SHARED, cli_json, run

RECIPE = pathlib.Path(__file__).resolve().parents[1] / "recipes" / "duckdb.sql"


def queries():
    """The recipe's queries by their `-- name:`."""
    parts = re.split(r"^-- name: (\w+)\n", RECIPE.read_text(), flags=re.M)
    return dict(zip(parts[1::2], parts[2::2]))


@pytest.fixture(scope="module")
def captures(scenarios):
    """The generated scenarios (one day, known NAT timeouts) and, when
    present, the real captures (many days)."""
    real = [str(p) for p in sorted(SHARED.glob("*.pcap*"))] if SHARED.is_dir() else []
    if not real:
        print("SKIPPED: ../shared/captures not found (the recipe runs on the generated captures only)")
    return [str(scenarios), *real]


@pytest.fixture(scope="module")
def reports(captures):
    doc = cli_json(*captures)
    return {c["capture"]: c["report"] for c in doc["captures"]}


@pytest.fixture(scope="module")
def from_ndjson(captures, tmp_path_factory):
    rows = tmp_path_factory.mktemp("rows") / "resets.ndjson"
    rows.write_bytes(run("rstscope", "analyze", *captures, "--format", "ndjson").stdout)
    con = duckdb.connect()
    con.execute(f"CREATE TABLE resets AS SELECT * FROM read_ndjson_auto('{rows}', sample_size = -1)")
    return con


@pytest.fixture(scope="module")
def from_package(reports):
    batches = [rstscope.resets(path) for path in reports]
    table = pa.Table.from_batches(batches, schema=rstscope.RESETS)
    con = duckdb.connect()
    con.register("batches", table)
    con.execute("CREATE TABLE resets AS SELECT * FROM batches")
    return con


def answer(con, name):
    return con.execute(queries()[name]).fetchall()


def all_resets(reports):
    return [(path, r) for path, report in reports.items() for r in report["resets"]]


def test_the_recipe_has_the_three_queries():
    assert list(queries()) == [
        "resets_by_origin_and_cause_per_day",
        "top_forged_reset_paths",
        "idle_timeout_gaps_by_nat",
    ]


def test_resets_by_origin_and_cause_per_day(from_ndjson, from_package, reports):
    want = Counter()
    for _, r in all_resets(reports):
        day = datetime.datetime.fromtimestamp(r["time"], datetime.timezone.utc).date()
        want[(day, r["origin"], r["cause"])] += 1
    got = answer(from_ndjson, "resets_by_origin_and_cause_per_day")
    assert {(d, o, c): n for d, o, c, n in got} == want
    assert len(got) == len(want)
    assert got == answer(from_package, "resets_by_origin_and_cause_per_day")


def test_top_forged_reset_paths(from_ndjson, from_package, reports):
    want = Counter()
    for _, r in all_resets(reports):
        if r["origin"] == "middlebox":
            connection = reports_connection(reports, r)
            client_host = connection["client"].rsplit(":", 1)[0]
            want[(client_host, connection["server"], r["cause"])] += 1
    got = answer(from_ndjson, "top_forged_reset_paths")
    assert got, "the scenarios include forged resets"
    top = [n for (_, _, _, n, *_) in got]
    assert top == sorted(want.values(), reverse=True)[: len(top)]
    for client_host, server, cause, n, captures, min_ttl, max_ttl, first, last in got:
        assert want[(client_host, server, cause)] == n
        assert 1 <= captures <= n and min_ttl <= max_ttl and first <= last
    assert got == answer(from_package, "top_forged_reset_paths")


def reports_connection(reports, reset):
    for report in reports.values():
        if reset in report["resets"]:
            return next(c for c in report["connections"] if c["id"] == reset["connection"])
    raise AssertionError("reset without its report")


def test_idle_timeout_gaps_by_nat(from_ndjson, from_package, scenarios, reports):
    got = answer(from_ndjson, "idle_timeout_gaps_by_nat")
    nat = [row for row in got if row[0] == str(scenarios)]
    # The generator's home router forgets connections idle 400 s; its resets
    # arrive with one TTL over IPv4 and one hop limit over IPv6.
    forged = [r for p, r in all_resets(reports) if p.startswith(str(scenarios))
              and r["origin"] == "middlebox" and r["cause"] == "idle-timeout"]
    assert sum(row[2] for row in nat) == len(forged) > 0
    for sensor, ttl, resets, shortest, median, longest in nat:
        assert 399 <= shortest <= median <= longest <= 401, (sensor, ttl)
    assert got == answer(from_package, "idle_timeout_gaps_by_nat")
