"""Benchmark the test strategies: milliseconds per test and the pytest-xdist speed-up.

    python scripts/benchmark.py                    # 2500 + 2500 planted tests per combination
    python scripts/benchmark.py --tests 300        # a quick look
    python scripts/benchmark.py --write-docs       # also rewrite docs/benchmark.* and the README table
    python scripts/benchmark.py --redis --write-docs  # Redis off against on, and its README table
    python scripts/benchmark.py --against main       # this tree against a git ref, same run, alternating
    python scripts/benchmark.py --against main --only self_healing_seed-postgresql --seed-rows 10000

For every test_strategy x database (from cookiecutter.json) it bakes a project, plants N
tests that send one request and N tests that write one row, and runs that suite twice on a
fresh database: serially (per-test times from the JUnit report: setup + call + teardown)
and with `-n 2` (wall time, pytest start-up included), then checks that no per-worker
database is left. Server databases are made where the template's tests make theirs
(``templates/databases/<name>/testing.py``: an environment variable, else the local server).

``--redis`` measures what ``cache=redis`` costs a test instead: for each strategy x database of
the Redis diagonal, the same planted tests serially with Redis off and on, in one run
(alternating), on the template tests' Redis (``TEMPLATE_REDIS_URL``, else the local server),
indexes 14 and 15.

``--against REF`` measures what a change costs a test: each combination (``--only`` one) rendered
from this working tree and from the template at git ``REF``, the same planted tests serially,
twice each, alternating; the faster run of each side is shown. ``--seed-rows N`` gives the
``self_healing_seed`` projects a baseline of N more rows (tasks of one more seeded project),
on both sides.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]
from regenerate_samples import rendered_project

from tests.baking import (
    BENCHMARK_REDIS_INDEX,
    COMBINATIONS,
    REDIS_DIAGONAL,
    REDIS_SERVER,
    TEMPLATE,
    Baked,
    leftover_databases,
    redis_keys,
    scratch_databases,
    strategy_settings,
)

DOCS = TEMPLATE / "docs"
README_START, README_END = "<!-- benchmark:start -->", "<!-- benchmark:end -->"
REDIS_START, REDIS_END = "<!-- redis-benchmark:start -->", "<!-- redis-benchmark:end -->"
# The Redis database indexes the benchmark's suites use (a serial run the first, `-n 2` both).
REDIS_URL = f"{REDIS_SERVER}/{BENCHMARK_REDIS_INDEX}"

PLANTED = """
import pytest
{imports}

N = {count}


@pytest.mark.parametrize("n", range(N))
{adef} test_one_request(client: {client}, api_headers: dict[str, str], n: int) -> None:
    response = {aw}client.get("/api/v1/projects", params={{"limit": 1}}, headers=api_headers)
    assert response.status_code == 200


@pytest.mark.parametrize("n", range(N))
{adef} test_one_write(client: {client}, api_headers: dict[str, str], n: int) -> None:
    response = {aw}client.post("/api/v1/projects", json={{"name": f"bench {{n}} {{uuid4().hex}}"}}, headers=api_headers)
    assert response.status_code == 201
"""


@dataclass
class Result:
    strategy: str
    database: str
    cache: str
    request_ms: list[float]
    write_ms: list[float]
    serial_s: float
    parallel_s: float
    controller_s: float | None  # CPU seconds of the xdist controller, start-up included

    @staticmethod
    def median(values: list[float]) -> float:
        return statistics.median(values)

    @staticmethod
    def p95(values: list[float]) -> float:
        return statistics.quantiles(values, n=20)[-1]


def plant(baked: Baked, count: int) -> None:
    sync = strategy_settings(baked.strategy).sync
    imports = "from uuid import uuid4\n\n" + (
        "from fastapi.testclient import TestClient" if sync else "from httpx import AsyncClient"
    )
    (baked.path / "tests" / "test_benchmark.py").write_text(
        PLANTED.format(
            imports=imports,
            count=count,
            adef="def" if sync else "async def",
            aw="" if sync else "await ",
            client="TestClient" if sync else "AsyncClient",
        )
    )


def process_cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a running process (Linux), or None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed_pytest(baked: Baked, url: str, *args: str) -> tuple[float, float | None]:
    """Wall seconds of one run of the planted tests, and CPU seconds of the pytest process
    itself: under xdist, the controller, to which the workers report every test."""
    with tempfile.TemporaryFile("w+") as output:
        start = time.perf_counter()
        process = baked.start_pytest(
            "-q", "tests/test_benchmark.py", *args, database_url=url, output=output, redis_url=REDIS_URL
        )
        cpu = None
        while process.poll() is None:
            cpu = process_cpu_seconds(process.pid) or cpu
            time.sleep(0.05)
        elapsed = time.perf_counter() - start
        output.seek(0)
        text = output.read()
    if process.returncode != 0 or not re.search(r"\b\d+ passed\b", text):
        raise SystemExit(f"{baked.strategy}-{baked.database}: the suite failed\n{text[-3000:]}")
    return elapsed, cpu


def seed_more(baked: Baked, rows: int) -> None:
    """One more seeded project with ``rows`` tasks, in the seeder of a ``self_healing_seed`` project."""
    (seeder,) = baked.path.glob("*/seed.py")
    text = seeder.read_text()
    marker = "\n\n\nasync def seed("
    assert marker in text, "the seeder changed: update scripts/benchmark.py"
    more = f'\nSEED_PROJECTS["Seed: bulk"] = [f"Bulk task {{n}}" for n in range({rows})]'
    seeder.write_text(text.replace(marker, more + marker, 1))


def template_at(ref: str, scratch: Path) -> Path:
    """The template as git ``ref`` has it, exported into ``scratch``."""
    target = scratch / f"template-{ref.replace('/', '-')}"
    target.mkdir()
    archive = subprocess.run(["git", "-C", str(TEMPLATE), "archive", ref], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def measure(
    strategy: str,
    database: str,
    count: int,
    scratch: Path,
    cache: str = "none",
    *,
    xdist: bool = True,
    template: Path = TEMPLATE,
    seed_rows: int = 0,
) -> Result:
    name = f"{strategy}-{database}-{cache}-{time.monotonic_ns()}"
    baked = rendered_project(scratch / name, strategy, database, cache, template)
    plant(baked, count)
    if seed_rows and strategy == "self_healing_seed":
        seed_more(baked, seed_rows)
    junit = scratch / f"{name}.xml"
    with scratch_databases(scratch) as new_database:
        url = new_database(database)
        serial, _cpu = timed_pytest(baked, url, f"--junitxml={junit}")
        parallel, controller_cpu = timed_pytest(baked, url, "-n", "2") if xdist else (serial, None)
        if leftover := leftover_databases(database, url):
            raise SystemExit(f"{strategy}-{database}: `-n 2` left databases behind: {leftover}")
        if cache == "redis" and (keys := [redis_keys(BENCHMARK_REDIS_INDEX + n) for n in range(2)]) != [0, 0]:
            raise SystemExit(f"{strategy}-{database}: Redis keys left behind: {keys}")
    times: dict[str, list[float]] = {"test_one_request": [], "test_one_write": []}
    for case in ET.parse(junit).getroot().iter("testcase"):
        kind = case.get("name", "").split("[")[0]
        if kind in times:
            times[kind].append(float(case.get("time", "0")) * 1000)
    request_ms, write_ms = times["test_one_request"], times["test_one_write"]
    return Result(strategy, database, cache, request_ms, write_ms, serial, parallel, controller_cpu)


FIRST_TEST = "tests/test_health.py::test_health_checks_the_database"


def setup_seconds(baked: Baked, url: str) -> float:
    """How long the first test's set-up takes: the test database (migrations, seeding) and the app."""
    result = baked.pytest("-q", "-p", "no:randomly", FIRST_TEST, "--durations=0", "--durations-min=0", database_url=url)
    match = re.search(rf"([\d.]+)s setup\s+{re.escape(FIRST_TEST)}", result.stdout)
    if result.returncode != 0 or match is None:
        raise SystemExit(f"{baked.strategy}-{baked.database}: no set-up time\n{result.stdout[-3000:]}")
    return float(match.group(1))


def start_up(database: str, scratch: Path) -> str:
    """Cold and warm start of self_healing_seed, next to the migration check alone (pragmatic)."""
    seeded = rendered_project(scratch / f"start-seed-{database}", "self_healing_seed", database)
    plain = rendered_project(scratch / f"start-plain-{database}", "pragmatic", database)
    with scratch_databases(scratch) as new_database:
        url = new_database(database)
        cold = setup_seconds(seeded, url)
        warm = min(setup_seconds(seeded, url) for _ in range(3))
        check = min(setup_seconds(plain, url) for _ in range(3))
    return (
        f"| {database} | {cold:.2f} s | {warm * 1000:.0f} ms | {check * 1000:.0f} ms "
        f"| {(warm - check) * 1000:+.0f} ms |"
    )


def table(results: list[Result], count: int) -> str:
    lines = [
        "| strategy | database | one request: median / p95 ms | one write: median / p95 ms "
        f"| {2 * count} tests serial | `-n 2` | speed-up | `-n 2` controller CPU |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        controller = "n/a" if r.controller_s is None else f"{r.controller_s:.1f} s"
        lines.append(
            f"| `{r.strategy}` | {r.database} "
            f"| {r.median(r.request_ms):.1f} / {r.p95(r.request_ms):.1f} "
            f"| {r.median(r.write_ms):.1f} / {r.p95(r.write_ms):.1f} "
            f"| {r.serial_s:.1f} s | {r.parallel_s:.1f} s | {r.serial_s / r.parallel_s:.2f}x | {controller} |"
        )
    return "\n".join(lines)


def chart(results: list[Result]) -> str:
    """A small SVG: median ms per one-request test, a bar per strategy x database."""
    bar, gap, left = 26, 14, 210
    top = max(r.median(r.request_ms) for r in results) or 1
    width = left + 260
    rows = []
    for index, r in enumerate(results):
        y = 30 + index * (bar + gap)
        value = r.median(r.request_ms)
        length = 240 * value / top
        colour = "#3b7dd8" if r.database == results[0].database else "#e08a2c"
        rows.append(
            f'<text x="{left - 8}" y="{y + bar * 0.7:.0f}" text-anchor="end">{r.strategy} · {r.database}</text>'
            f'<rect x="{left}" y="{y}" width="{length:.1f}" height="{bar}" fill="{colour}"/>'
            f'<text x="{left + length + 6:.1f}" y="{y + bar * 0.7:.0f}">{value:.1f} ms</text>'
        )
    total = 30 + len(results) * (bar + gap) + 10
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width + 60}" height="{total}" '
        'font-family="sans-serif" font-size="12">'
        '<text x="10" y="18" font-weight="bold">Median ms per test that sends one request (lower is better)</text>'
        + "".join(rows)
        + "</svg>\n"
    )


def machine() -> str:
    cores = os.cpu_count()
    return f"{platform.machine()}, {cores} cores, Python {platform.python_version()}, {platform.system()}"


START_UP_HEADER = (
    "| database | `self_healing_seed` cold start (migrate + seed) | warm start | migration check alone | difference |\n"
    "|---|---|---|---|---|"
)


def write_docs(results: list[Result], count: int, starts: list[str], command: str) -> None:
    DOCS.mkdir(exist_ok=True)
    body = (
        f"{table(results, count)}\n\n{START_UP_HEADER}\n" + "\n".join(starts) + "\n\n"
        "![median ms per one-request test](docs/benchmark.svg)\n\n"
        "Per-test times are JUnit's (setup + call + teardown). Wall times include pytest's start-up; "
        "under `-n 2` that is the controller's and then the workers'. The controller column is the CPU "
        "time of pytest-xdist's controller, which receives every test's reports: on 2 cores it takes "
        "its share from the two workers, which is what caps the speed-up of suites whose tests are fast.\n\n"
        f"Measured by `{command}` on {machine()}, database servers on loopback, all in one run, "
        "in random order (pytest-randomly), with Python's bytecode cache on."
    )
    (DOCS / "benchmark.md").write_text(body + "\n")
    (DOCS / "benchmark.svg").write_text(chart(results))
    readme = TEMPLATE / "README.md"
    text = readme.read_text()
    start, end = text.index(README_START) + len(README_START), text.index(README_END)
    readme.write_text(text[:start] + "\n" + body + "\n" + text[end:])


REDIS_HEADER = (
    "| strategy | database | one request: median / p95 ms, Redis off → on | one write: median / p95 ms, off → on "
    "| {tests} tests serial, off → on |\n|---|---|---|---|---|"
)


def redis_table(pairs: list[tuple[Result, Result]], count: int) -> str:
    lines = [REDIS_HEADER.format(tests=2 * count)]
    for off, on in pairs:
        lines.append(
            f"| `{off.strategy}` | {off.database} "
            f"| {off.median(off.request_ms):.1f} / {off.p95(off.request_ms):.1f} → "
            f"{on.median(on.request_ms):.1f} / {on.p95(on.request_ms):.1f} "
            f"| {off.median(off.write_ms):.1f} / {off.p95(off.write_ms):.1f} → "
            f"{on.median(on.write_ms):.1f} / {on.p95(on.write_ms):.1f} "
            f"| {off.serial_s:.1f} s → {on.serial_s:.1f} s |"
        )
    return "\n".join(lines)


def flushdb_microseconds(rounds: int = 2000) -> tuple[float, float]:
    """What ``empty_cache`` costs after a test, below JUnit's millisecond: the median and p95
    microseconds of one FLUSHDB of an index holding what a test leaves (a cached project and its
    generation counter), on the benchmark's first index, through the sync client."""
    from redis import Redis

    timings = []
    with Redis.from_url(REDIS_URL) as client:
        for number in range(rounds):
            client.set(f"project:{number}", "x" * 200, ex=60)
            client.incr(f"project:{number}:generation")
            started = time.perf_counter()
            client.flushdb()
            timings.append((time.perf_counter() - started) * 1e6)
    return statistics.median(timings), statistics.quantiles(timings, n=20)[-1]


def redis_costs(count: int, scratch: Path) -> list[tuple[Result, Result]]:
    """Each pair of the Redis diagonal with Redis off, then on, then off and on again: the faster of each."""
    pairs = []
    for strategy, database in REDIS_DIAGONAL:
        runs: dict[str, list[Result]] = {"none": [], "redis": []}
        for cache in ["none", "redis"] * 2:
            runs[cache].append(measure(strategy, database, count, scratch, cache, xdist=False))
        off, on = (min(runs[cache], key=lambda result: result.serial_s) for cache in ("none", "redis"))
        pairs.append((off, on))
        print(redis_table(pairs[-1:], count).splitlines()[-1], flush=True)
    return pairs


def flushdb_line(flush: tuple[float, float]) -> str:
    return f"One FLUSHDB after a test (`empty_cache`): median {flush[0]:.0f} µs, p95 {flush[1]:.0f} µs."


def write_redis_docs(pairs: list[tuple[Result, Result]], count: int, flush: tuple[float, float], command: str) -> None:
    body = (
        f"{redis_table(pairs, count)}\n\n{flushdb_line(flush)}\n\n"
        "The same planted tests (one request, one write) with `cache=redis` off and on: with it on, every "
        "test ends with a FLUSHDB of its worker's index (but under `pragmatic`), and the app has its "
        "Redis client. Per-test times are JUnit's (setup + call + teardown); each "
        "combination ran twice each way, alternating, and the faster run of each is shown.\n\n"
        f"Measured by `{command}` on {machine()}, database servers and Redis on loopback, all in one run."
    )
    (DOCS / "benchmark-redis.md").write_text(body + "\n")
    readme = TEMPLATE / "README.md"
    text = readme.read_text()
    start, end = text.index(REDIS_START) + len(REDIS_START), text.index(REDIS_END)
    readme.write_text(text[:start] + "\n" + body + "\n" + text[end:])


def against(ref: str, combinations: list[tuple[str, str]], count: int, seed_rows: int, scratch: Path) -> str:
    """Each combination from git ``ref`` and from this tree, twice each, alternating: a table of the faster runs."""
    old = template_at(ref, scratch)
    lines = [
        f"| strategy | database | one request: median / p95 ms, {ref} → this tree "
        f"| one write: median / p95 ms, {ref} → this tree | {2 * count} tests serial |",
        "|---|---|---|---|---|",
    ]
    for strategy, database in combinations:
        runs: dict[Path, list[Result]] = {old: [], TEMPLATE: []}
        for template in [old, TEMPLATE] * 2:
            result = measure(strategy, database, count, scratch, xdist=False, template=template, seed_rows=seed_rows)
            runs[template].append(result)
        before, after = (min(runs[template], key=lambda result: result.serial_s) for template in (old, TEMPLATE))
        lines.append(
            f"| `{strategy}` | {database} "
            f"| {before.median(before.request_ms):.1f} / {before.p95(before.request_ms):.1f} → "
            f"{after.median(after.request_ms):.1f} / {after.p95(after.request_ms):.1f} "
            f"| {before.median(before.write_ms):.1f} / {before.p95(before.write_ms):.1f} → "
            f"{after.median(after.write_ms):.1f} / {after.p95(after.write_ms):.1f} "
            f"| {before.serial_s:.1f} s → {after.serial_s:.1f} s |"
        )
        print(lines[-1], flush=True)
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tests", type=int, default=2500, help="planted tests of each kind (default 2500)")
    parser.add_argument("--only", help="one combination, named as in samples/")
    parser.add_argument("--write-docs", action="store_true", help="rewrite docs/benchmark.* and the README table")
    parser.add_argument("--redis", action="store_true", help="Redis off against on, on the Redis diagonal")
    parser.add_argument("--against", metavar="REF", help="this tree against the template at a git ref")
    parser.add_argument("--seed-rows", type=int, default=0, help="more seeded rows for self_healing_seed")
    options = parser.parse_args(argv)
    if options.redis:
        with tempfile.TemporaryDirectory() as scratch:
            pairs = redis_costs(options.tests, Path(scratch))
        flush = flushdb_microseconds()
        print()
        print(redis_table(pairs, options.tests))
        print(flushdb_line(flush))
        if options.write_docs:
            write_redis_docs(pairs, options.tests, flush, "python scripts/benchmark.py " + " ".join(argv))
        return
    combinations = [c for c in COMBINATIONS if options.only in (None, f"{c[0]}-{c[1]}")]
    if options.against:
        with tempfile.TemporaryDirectory() as scratch:
            compared = against(options.against, combinations, options.tests, options.seed_rows, Path(scratch))
        print()
        print(compared)
        print(f"\nMeasured by `python scripts/benchmark.py {' '.join(argv)}` on {machine()}, all in one run.")
        return
    results = []
    with tempfile.TemporaryDirectory() as scratch:
        for strategy, database in combinations:
            results.append(measure(strategy, database, options.tests, Path(scratch)))
            print(table(results[-1:], options.tests).splitlines()[-1], flush=True)
        databases = sorted({database for _strategy, database in combinations})
        starts = [start_up(database, Path(scratch)) for database in databases]
    print()
    print(table(results, options.tests))
    print()
    print(START_UP_HEADER + "\n" + "\n".join(starts))
    if options.write_docs:
        write_docs(results, options.tests, starts, "python scripts/benchmark.py " + " ".join(argv))


if __name__ == "__main__":
    main(sys.argv[1:])
