"""Benchmarks: timings as ratios against a baseline measured in the same run.

Never a timed test. Run with `make bench`. It builds a throw-away test database
(SQLite by default, PostgreSQL when DATABASE_URL is set), loads the real 139-item
catalogue and a 10× copy, and reports for each target: the median time as a ratio
to a trivial authenticated view, and the number of queries.
"""

from __future__ import annotations

import json
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
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", "25"))


def build_data():
    from accounts.models import User
    from accounts.seeding import seed_demo_users, seed_organisations
    from catalogue.models import CatalogueVersion, ServiceItem
    from catalogue.seeding import seed_reference_data

    seed_organisations()
    seed_reference_data()
    seed_demo_users()
    v2015 = CatalogueVersion.objects.get(year=2015)
    big = CatalogueVersion.objects.create(
        region=v2015.region, year=2099, title="10× 目录（基准测试）", status="published"
    )
    items = list(v2015.items.all())
    copies, per_domain = [], {}
    for _round in range(10):
        for item in items:
            n = per_domain[item.domain_id] = per_domain.get(item.domain_id, 0) + 1
            fields = {
                f.name: getattr(item, f.name)
                for f in ServiceItem._meta.concrete_fields
                if f.name not in ("id", "version")
            }
            fields["code"] = f"{item.code.split('-')[0]}-{n:03d}"
            copies.append(ServiceItem(version=big, **fields))
    ServiceItem.objects.bulk_create(copies, batch_size=500)
    return User.objects.get(username="officer"), v2015, big


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


def main() -> int:
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        officer, small, big = build_data()
        client = Client()
        client.force_login(officer, backend="django.contrib.auth.backends.ModelBackend")
        from rest_framework.authtoken.models import Token

        token = Token.objects.create(user=officer).key
        api = Client(HTTP_AUTHORIZATION=f"Token {token}")
        targets = [
            (
                "baseline: trivial authenticated page",
                client,
                "/accounts/password/done/",
            ),
            ("baseline: trivial authenticated API (/me/)", api, "/api/v1/me/"),
            (
                "catalogue list page, 139 items",
                client,
                f"/catalogue/versions/{small.pk}/",
            ),
            (
                "catalogue list page, 1,390 items",
                client,
                f"/catalogue/versions/{big.pk}/",
            ),
            (
                "catalogue list page, 1,390 items, filtered A03 + aux_only",
                client,
                f"/catalogue/versions/{big.pk}/?domain=A03&outsource_scope=aux_only",
            ),
            (
                "catalogue list endpoint, 139 items (page 50)",
                api,
                f"/api/v1/catalogue/items/?version={small.pk}",
            ),
            (
                "catalogue list endpoint, 1,390 items (page 50)",
                api,
                f"/api/v1/catalogue/items/?version={big.pk}",
            ),
            (
                "catalogue list endpoint, 139 items (page_size=500)",
                api,
                f"/api/v1/catalogue/items/?version={small.pk}&page_size=500",
            ),
            (
                "catalogue list endpoint, 1,390 items (page_size=500)",
                api,
                f"/api/v1/catalogue/items/?version={big.pk}&page_size=500",
            ),
        ]
        results = []
        for name, c, url in targets:
            median, queries, size = measure(c, url)
            results.append(
                {
                    "target": name,
                    "url": url,
                    "median_ms": median * 1000,
                    "queries": queries,
                    "bytes": size,
                }
            )
        base_html = results[0]["median_ms"]
        base_api = results[1]["median_ms"]
        print(
            f"database: {connection.vendor}; repeats: {REPEAT}; ratio = median / baseline of the same kind, same run"
        )
        print(f"{'target':<58} {'ratio':>7} {'queries':>8} {'KiB':>7}")
        for r in results:
            base = (
                base_api
                if "API" in r["target"] or "endpoint" in r["target"]
                else base_html
            )
            r["ratio"] = r["median_ms"] / base
            print(
                f"{r['target']:<58} {r['ratio']:>7.2f} {r['queries']:>8} {r['bytes'] / 1024:>7.1f}"
            )
        out = ROOT / "bench" / "results"
        out.mkdir(exist_ok=True)
        (out / "catalogue.json").write_text(
            json.dumps(
                {"database": connection.vendor, "results": results},
                ensure_ascii=False,
                indent=2,
            )
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
