"""Vendor register benchmarks: the list page and endpoint at 100 and at 10,000
vendors, as ratios to a trivial authenticated view in the same run, with query counts."""

from __future__ import annotations

import json

from benchlib import ROOT, connection, measure, report  # noqa: I001
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


def build(n: int, district, streets, start: int) -> None:
    """n vendors with two streets and two documents each (bulk, for speed)."""
    import datetime as dt

    from accounts.choices import OrganisationKind
    from accounts.models import Organisation
    from vendors.models import EligibilityDocument, Vendor

    orgs = [
        Organisation(
            code=f"BENCH-V{i:05d}",
            name=f"基准测试社会服务中心{i}",
            kind=OrganisationKind.VENDOR,
            parent=district,
            path=f"{district.path}BENCH-V{i:05d}/",
        )
        for i in range(start, start + n)
    ]
    Organisation.objects.bulk_create(orgs, batch_size=1000)
    vendors = Vendor.objects.bulk_create(
        [
            Vendor(
                organisation=o,
                org_type="social_service_agency",
                registration_date=dt.date(2014, 5, 1),
            )
            for o in orgs
        ],
        batch_size=1000,
    )
    through = Vendor.streets.through
    through.objects.bulk_create(
        [
            through(vendor_id=v.pk, organisation_id=s.pk)
            for i, v in enumerate(vendors)
            for s in (streets[i % 13], streets[(i + 1) % 13])
        ],
        batch_size=2000,
    )
    EligibilityDocument.objects.bulk_create(
        [
            EligibilityDocument(
                vendor=v, kind=k, title=k, valid_until=dt.date(2020 + i % 10, 1, 1)
            )
            for i, v in enumerate(vendors)
            for k in ("tax_clearance", "social_insurance")
        ],
        batch_size=2000,
    )


def main() -> int:
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from rest_framework.authtoken.models import Token

        from accounts.models import Organisation, User
        from accounts.seeding import seed_demo_users, seed_organisations

        seed_organisations()
        seed_demo_users()
        district = Organisation.objects.get(code="CN-51-01-07")
        streets = list(
            Organisation.objects.filter(kind="street", parent=district).order_by("code")
        )
        officer = User.objects.get(username="officer")
        client = Client()
        client.force_login(officer, backend="django.contrib.auth.backends.ModelBackend")
        api = Client(
            HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=officer).key}"
        )
        results = []

        def run(label: str, c: Client, url: str) -> None:
            median, queries, size = measure(c, url)
            results.append(
                {
                    "target": label,
                    "url": url,
                    "median_ms": median * 1000,
                    "queries": queries,
                    "bytes": size,
                }
            )

        build(100, district, streets, 0)
        run("baseline: trivial authenticated page", client, "/accounts/password/done/")
        run("baseline: trivial authenticated API (/me/)", api, "/api/v1/me/")
        run("vendor list page, 100 vendors", client, "/vendors/")
        run(
            "vendor list page, 100 vendors, problems + street",
            client,
            "/vendors/?problems=true&street=CN-51-01-07-07",
        )
        run("vendor list endpoint, 100 vendors", api, "/api/v1/vendors/")
        build(9900, district, streets, 100)
        run(
            "baseline: trivial authenticated page (again, 10,000)",
            client,
            "/accounts/password/done/",
        )
        run("vendor list page, 10,000 vendors", client, "/vendors/")
        run(
            "vendor list page, 10,000 vendors, problems + street",
            client,
            "/vendors/?problems=true&street=CN-51-01-07-07",
        )
        run("vendor list endpoint, 10,000 vendors", api, "/api/v1/vendors/")
        report(results, "vendors")
        out = ROOT / "bench" / "results"
        out.mkdir(exist_ok=True)
        (out / "vendors.json").write_text(
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
