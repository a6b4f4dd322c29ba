"""Shared fixtures: the CLI built from the same tree (the reference the
package's rows must equal), the real captures in ../shared/captures, and
captures written by the project's own generator."""

import json
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
BIN = pathlib.Path(os.environ.get("RSTSCOPE_BIN_DIR", ROOT / "target" / "release"))
SHARED = ROOT.parent / "shared" / "captures"


def run(tool, *args, check=True):
    """Runs a binary of the tree; returns the CompletedProcess (bytes)."""
    exe = BIN / tool
    if not exe.exists():
        pytest.fail(f"{exe} is missing: cargo build --release -p rstscope-cli -p rstscope-scenarios")
    return subprocess.run([str(exe), *map(str, args)], capture_output=True, check=check)


def cli_rows(*args):
    """The CLI's NDJSON rows for `args` (captures and options), as dicts."""
    out = run("rstscope", "analyze", *args, "--format", "ndjson").stdout
    return [json.loads(line) for line in out.splitlines()]


def cli_json(*args):
    return json.loads(run("rstscope", "analyze", *args, "--format", "json").stdout)


@pytest.fixture(scope="session")
def shared_captures():
    """The real captures (top level of ../shared/captures), sorted by path."""
    if not SHARED.is_dir():
        print("SKIPPED: ../shared/captures not found")
        pytest.skip("../shared/captures not found")
    return sorted(p for p in SHARED.glob("*.pcap*") if p.is_file())


@pytest.fixture(scope="session")
def scenarios(tmp_path_factory):
    """Every generated scenario (IPv4 and IPv6, four link types), and labels.tsv."""
    directory = tmp_path_factory.mktemp("scenarios")
    run("rstscope-scenarios", "all", directory)
    return directory


@pytest.fixture(scope="session")
def pair(tmp_path_factory):
    """A client-side and a server-side capture of the same traffic."""
    directory = tmp_path_factory.mktemp("pair")
    run("rstscope-scenarios", "pair", directory)
    return directory / "client.pcapng", directory / "server.pcapng"
