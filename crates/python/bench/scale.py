"""Many captures on all cores: the CLI, the Python package and Spark local
mode over the same set of generated captures (scripts/bench-scale.sh runs it).

Every measurement is the wall time of analysing all the files (best of
--runs), with the files in the page cache, beside the CPU time (user +
system, all threads) of that run: on a shared machine, captures per
CPU-second moves less with the load than captures per second. "One core" runs are pinned to
CPU 0 with `taskset`, threads and child processes included, so a CLI
worker's read-ahead thread shares that core too. The CLI's time is its
whole process; the Python package's excludes the interpreter's start and
imports (timed inside the process); Spark's excludes the JVM's start: each
Spark process analyses one file first, then the timed set.
"""

import argparse
import json
import math
import os
import pathlib
import resource
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[3]
BIN = pathlib.Path(os.environ.get("RSTSCOPE_BIN_DIR", ROOT / "target" / "release"))
CORES = os.cpu_count() or 1


def main():
    args = parse()
    files = generate(args.files, args.size)
    total = sum(f.stat().st_size for f in files)
    for f in files:
        f.read_bytes()  # warm the page cache
    print(f"# {len(files)} captures of {args.size} ({total / 1e6:.0f} MB), {CORES} cores, "
          f"load before: {load()}", flush=True)
    rows = []
    every = ",".join(str(c) for c in range(CORES))
    cli = [str(BIN / "rstscope"), "analyze", *map(str, files), "--format", "ndjson"]
    rows.append(measure("CLI --jobs 1, one core", ["taskset", "-c", "0", *cli, "--jobs", "1"], 1, args))
    rows.append(measure(f"CLI --jobs {CORES}, {CORES} cores", ["taskset", "-c", every, *cli, "--jobs", str(CORES)], CORES, args))
    package = [sys.executable, __file__, "--package-run", *map(str, files)]
    for n, cpus in ((1, "0"), (CORES, every)):
        command = ["taskset", "-c", cpus, *package, "--threads", str(n)]
        rows.append(measure(f"Python package, {n} thread(s), {n} core(s)", command, n, args, timed_inside=True))
    if args.spark:
        for n, cpus in ((1, "0"), (CORES, every)):
            spark = ["taskset", "-c", cpus, sys.executable, __file__, "--spark-run", str(n), *map(str, files)]
            rows.append(measure(f"Spark local[{n}], {n} core(s)", spark, n, args, timed_inside=True))
    print(f"# load after: {load()}")
    report(rows, len(files), total)


def parse():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--files", type=int, default=16)
    p.add_argument("--size", default="64MiB")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--no-spark", dest="spark", action="store_false")
    return p.parse_args()


def generate(count, size):
    directory = pathlib.Path(os.environ.get("TMPDIR", "/tmp")) / f"rstscope-scale-{size}"
    directory.mkdir(exist_ok=True)
    files = []
    for seed in range(1, count + 1):
        path = directory / f"bulk-{seed:03}.pcap"
        if not path.exists() or path.stat().st_size == 0:
            subprocess.run([str(BIN / "rstscope-scenarios"), "bulk", "--size", size, "--seed", str(seed), str(path)],
                           check=True, stdout=subprocess.DEVNULL)
        files.append(path)
    return files


def measure(what, command, cores, args, timed_inside=False):
    """Best wall time of `runs` runs, with the CPU time (user + system, all
    threads) of that run. Processes timed inside print "TIME wall cpu" last
    (cpu "nan" when they cannot tell it, as Spark's workers are not theirs)."""
    best = None
    for _ in range(args.runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        if timed_inside:
            wall, cpu = (float(x) for x in out.split()[-2:])
        if best is None or wall < best[0]:
            best = (wall, cpu)
    print(f"{what}: {best[0]:.2f} s, {best[1]:.2f} s CPU", flush=True)
    return what, cores, *best


def report(rows, files, total):
    one_core = rows[0][2]
    print()
    print("| what | seconds | CPU seconds | captures/s | MB/s | captures/s per core | per CPU-second | vs CLI one core |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for what, cores, s, cpu in rows:
        per_cpu = "n/a" if math.isnan(cpu) else f"{files / cpu:.1f}"
        cpu_text = "n/a" if math.isnan(cpu) else f"{cpu:.2f}"
        print(f"| {what} | {s:.2f} | {cpu_text} | {files / s:.1f} | {total / s / 1e6:.0f} | "
              f"{files / s / cores:.1f} | {per_cpu} | {one_core / s:.2f}x |")


def load():
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def package_run(paths, threads):
    """Analyses `paths` through the package on `threads` threads."""
    from concurrent.futures import ThreadPoolExecutor

    import rstscope

    start, cpu = time.perf_counter(), time.process_time()
    with ThreadPoolExecutor(threads) as pool:
        resets = sum(b.num_rows for b in pool.map(rstscope.resets, paths))
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(json.dumps({"resets": resets}), "TIME", wall, cpu)


def spark_run(cores, paths):
    """Analyses one file to warm up, then times `paths`; prints the seconds last."""
    from pyspark.sql import SparkSession

    import rstscope.spark

    os.environ["PYSPARK_PYTHON"] = sys.executable
    # Local mode runs the tasks in the driver's JVM: its default 1 GiB heap
    # ran out with two 64 MiB captures in flight (binaryFile's copies).
    spark = (SparkSession.builder.master(f"local[{cores}]").config("spark.ui.enabled", "false")
             .config("spark.driver.memory", "3g")
             .config("spark.ui.showConsoleProgress", "false").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    rstscope.spark.resets(spark, paths[:1]).count()
    start = time.perf_counter()
    resets = rstscope.spark.resets(spark, paths).count()
    seconds = time.perf_counter() - start
    spark.stop()
    print(json.dumps({"resets": resets}), "TIME", seconds, "nan")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--package-run"]:
        threads = int(sys.argv[sys.argv.index("--threads") + 1])
        package_run(sys.argv[2 : sys.argv.index("--threads")], threads)
    elif sys.argv[1:2] == ["--spark-run"]:
        spark_run(int(sys.argv[2]), sys.argv[3:])
    else:
        main()
