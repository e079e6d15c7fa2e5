"""Catalogue benchmarks: the list page and endpoint at 139 items and at 10× that.

Never a timed test: every figure is a ratio to a trivial authenticated view
measured in the same run. Run with `make bench`.
"""

from __future__ import annotations

import json

from benchlib import ROOT, connection, measure, report  # noqa: I001
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


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
        report(results, "catalogue")
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
