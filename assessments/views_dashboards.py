"""Assessment dashboards (issue #7 §8): a district's or a street's figures for a
year — grade distribution, ranking, trend, residents' satisfaction per community,
extra and residual work — each as a chart and a table, each exportable as .xlsx.

`?street=<id>` picks a street (a district's staff may pick any of theirs; anything
else is a 404), `?district=<id>` one of the user's districts, `?year=` the year,
`?export=<section>` (or `all`) downloads the section's table.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import render
from django.utils.http import urlencode
from django.views import View

from core.exceptions import NotFound
from core.tabular import xlsx_response
from core.views import DomainErrorMixin

from . import dashboards


def _query(scope: dashboards.Scope, year: int, **extra: Any) -> str:
    params: dict[str, Any] = {}
    if scope.is_street:
        params["street"] = scope.org.pk
    elif len(scope.areas) > 1:
        params["district"] = scope.org.pk
    params["year"] = year
    params.update(extra)
    return "?" + urlencode(params)


class DashboardView(LoginRequiredMixin, DomainErrorMixin, View):
    """考核看板: the district's (or a street's) figures for the year."""

    def get(self, request):
        params = request.GET
        street, district = params.get("street"), params.get("district")
        # The page's picker sends one "place": "street:<id>" or "district:<id>".
        kind, _sep, pk = (params.get("place") or "").partition(":")
        if kind == "street":
            street = pk
        elif kind == "district":
            district = pk
        elif kind:
            raise NotFound()
        scope = dashboards.dashboard_scope(
            request.user, street=street, district=district
        )
        dash = dashboards.dashboard_build(request.user, scope, params.get("year"))
        section = params.get("export")
        if section:
            if section != "all" and section not in dashboards.SECTIONS:
                raise NotFound()
            content = dashboards.dashboard_xlsx(dash, section)
            name = re.sub(r"[^A-Za-z0-9_-]", "", scope.org.code) or scope.org.pk
            return xlsx_response(content, f"dashboard-{name}-{dash.year}-{section}")
        return render(
            request,
            "assessments/dashboard.html",
            {
                "dash": dash,
                "scope": scope,
                "data": dash.chart_data(),
                "exports": {
                    s: _query(scope, dash.year, export=s)
                    for s in (*dashboards.SECTIONS, "all")
                },
                "year_links": [(y, _query(scope, y)) for y in dash.years],
            },
        )
