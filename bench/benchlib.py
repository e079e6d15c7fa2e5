"""Shared set-up for the benchmarks: Django on a throw-away test database, and a
median-of-N request timer with its query count."""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", "25"))


def measure(client: Client, url: str) -> tuple[float, int, int]:
    for _ in range(3):  # warm-up: caches, templates, connections
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    timings = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        client.get(url)
        timings.append(time.perf_counter() - start)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return statistics.median(timings), len(queries), len(response.content)


def report(results: list[dict], title: str) -> None:
    """Print each target as a ratio to the baseline of its kind (HTML or API)."""
    base_html = next(
        r["median_ms"]
        for r in results
        if r["target"].startswith("baseline: trivial authenticated page")
    )
    base_api = next(
        r["median_ms"]
        for r in results
        if r["target"].startswith("baseline: trivial authenticated API")
    )
    print(
        f"{title} — database: {connection.vendor}; repeats: {REPEAT}; ratio = median / baseline of the same kind, same run"
    )
    print(f"{'target':<60} {'ratio':>7} {'queries':>8} {'KiB':>7}")
    for r in results:
        base = (
            base_api
            if ("API" in r["target"] or "endpoint" in r["target"])
            else base_html
        )
        r["ratio"] = r["median_ms"] / base
        print(
            f"{r['target']:<60} {r['ratio']:>7.2f} {r['queries']:>8} {r['bytes'] / 1024:>7.1f}"
        )
