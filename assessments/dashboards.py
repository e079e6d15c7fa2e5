"""Assessment dashboards (issue #7 §8): the figures of a district or of one street for
a year, read from the scored results (RoundResult and its breakdown) and from what
the contract stage recorded (ContractItem, ExtraWork, ResidualWork).

Five sections, each a list of plain rows that the page shows as a table and a chart
and the export writes to .xlsx:

1. grades — how many results earned each grade (优/良/中/差), how many rounds failed
   (不成立) and how many contracts of a round still wait for scoring (未计分);
2. ranking — per plan, its latest round of the year with results, ranked by total;
3. trend — per period (the rounds' dates) the mean total and the count of results,
   over the selected year and the two before it;
4. satisfaction — per community, the mean of the resident group's community means
   kept in each result's breakdown (0–100);
5. work — per contract, extra work (合同外工作) and residual work (社区自办) against
   the contract's items.

Who sees what: the buyer's readers (`contracts.models.READER_ROLES`). A district's
staff see the district and may pick any street of it; a street's staff their street.
Everything goes through `AssessmentPlan.objects.visible_to`. A fixed number of
queries whatever the number of plans, rounds, contracts and results.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import OrganisationKind
from accounts.models import Organisation
from contracts.choices import ExtraWorkStatus, Grade
from contracts.models import (
    READER_ROLES,
    Contract,
    ContractItem,
    ExtraWork,
    ResidualWork,
)
from core.exceptions import NotFound, NotPermitted
from core.ids import as_id

from .choices import RaterKind
from .explain import grade_label
from .models import AssessmentPlan, AssessmentRound, RoundResult
from .scoring import NO_COMMUNITY

SECTIONS = ("grades", "ranking", "trend", "satisfaction", "work")
TREND_YEARS = 3  # the selected year and the two before it
FAILED = "failed"  # RoundResult.status of a round that could not be scored
PENDING = "pending"  # a contract of a round without a result yet (未计分)


def _q(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _pct(part: int, whole: int) -> Decimal | None:
    """part ÷ whole in percent, one decimal; None when there is nothing to divide by."""
    if not whole:
        return None
    share = Decimal(part) * 100 / Decimal(whole)
    return share.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# --- scope ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Whose figures the page shows: a district (or any area above streets) or one
    street, and the other places the user may switch to."""

    org: Organisation
    is_street: bool
    areas: list[Organisation]  # districts (areas) the user reads as a whole
    streets: list[Organisation]  # streets the user may pick


def reader_orgs(user: Any) -> list[Organisation]:
    """The organisations whose contracts the user reads: a department's staff read
    their street office's."""
    out: list[Organisation] = []
    for m in user.active_memberships():
        if m.role not in READER_ROLES:
            continue
        org = m.organisation
        if (
            org.kind == OrganisationKind.DEPARTMENT
            and org.parent is not None
            and org.parent.kind == OrganisationKind.STREET
        ):
            org = org.parent
        if org not in out:
            out.append(org)
    return out


def can_view_dashboards(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and (user.is_superuser or reader_orgs(user))
    )


def dashboard_scope(user: Any, *, street: Any = None, district: Any = None) -> Scope:
    """The district or street whose dashboard the user asked for (`street` /
    `district` are ids from the query string; neither: the user's own district, or
    their street when they read no district).

    Raises:
        NotPermitted: the user reads no contracts (not the buyer's staff).
        NotFound: a street or district outside the user's scope, or not an id.
    """
    if not can_view_dashboards(user):
        raise NotPermitted(
            _("只有购买主体（街道、区级工作人员）和审计监督人员可以查看考核看板。")
        )
    if user.is_superuser:
        areas = list(
            Organisation.objects.filter(kind=OrganisationKind.DISTRICT).order_by("path")
        )
    else:
        areas = [o for o in reader_orgs(user) if o.kind != OrganisationKind.STREET]
    own_streets = [o for o in reader_orgs(user) if o.kind == OrganisationKind.STREET]
    streets = own_streets
    if areas:
        q = Q(pk__in=[o.pk for o in own_streets])
        for a in areas:
            q |= Q(path__startswith=a.path)
        streets = list(
            Organisation.objects.filter(q, kind=OrganisationKind.STREET).order_by(
                "path"
            )
        )
    if street not in (None, ""):
        sid = as_id(street)
        chosen = next((s for s in streets if s.pk == sid), None)
        if chosen is None:
            raise NotFound()
        return Scope(org=chosen, is_street=True, areas=areas, streets=streets)
    if district not in (None, ""):
        did = as_id(district)
        area = next((a for a in areas if a.pk == did), None)
        if area is None:
            raise NotFound()
        return Scope(org=area, is_street=False, areas=areas, streets=streets)
    if areas:
        return Scope(org=areas[0], is_street=False, areas=areas, streets=streets)
    if streets:
        return Scope(org=streets[0], is_street=True, areas=areas, streets=streets)
    raise NotFound()


def scope_plans(user: Any, scope: Scope) -> QuerySet[AssessmentPlan]:
    """The plans of the scope the user may see."""
    return AssessmentPlan.objects.visible_to(user).filter(
        buyer__path__startswith=scope.org.path
    )


# --- the figures ----------------------------------------------------------------------


@dataclass
class Dashboard:
    scope: Scope
    year: int
    years: list[int]  # the years with plans in the scope, newest first
    grades: list[dict[str, Any]] = field(default_factory=list)
    ranking: list[dict[str, Any]] = field(default_factory=list)
    trend: list[dict[str, Any]] = field(default_factory=list)
    satisfaction: list[dict[str, Any]] = field(default_factory=list)
    work: list[dict[str, Any]] = field(default_factory=list)
    result_count: int = 0

    @property
    def has_grades(self) -> bool:
        return any(r["count"] for r in self.grades)

    def chart_data(self) -> dict[str, Any]:
        """What static/js/dashboard.js draws (numbers as JSON numbers)."""

        def num(v: Any) -> float | None:
            return None if v is None else float(v)

        return {
            "grades": {
                "labels": [r["label"] for r in self.grades],
                "values": [r["count"] for r in self.grades],
                "name": _("数量"),
            },
            "ranking": {
                "labels": [f"{r['vendor']}（{r['contract']}）" for r in self.ranking],
                "values": [num(r["total"]) for r in self.ranking],
                "name": _("总分"),
            },
            "trend": {
                "labels": [r["label"] for r in self.trend],
                "values": [num(r["average"]) for r in self.trend],
                "counts": [r["count"] for r in self.trend],
                "name": _("平均总分"),
                "count_name": _("考核结果数"),
            },
            "satisfaction": {
                "labels": [r["community"] for r in self.satisfaction],
                "values": [num(r["score"]) for r in self.satisfaction],
                "name": _("居民满意度"),
            },
            "work": {
                "labels": [r["contract"] for r in self.work],
                "extra": [num(r["extra_ratio"]) for r in self.work],
                "residual": [num(r["residual_ratio"]) for r in self.work],
                "extra_name": _("额外工作比（%）"),
                "residual_name": _("剩余工作比例（%）"),
            },
            "empty": _("暂无数据"),
        }


def _years(plans: QuerySet[AssessmentPlan]) -> tuple[list[int], int | None]:
    """The years with plans (newest first) and the newest year with results (one
    query)."""
    rows = list(
        plans.values("year")
        .annotate(results=Count("rounds__results"))
        .order_by("-year")
    )
    years: list[int] = []
    with_results: int | None = None
    for r in rows:
        if r["year"] not in years:
            years.append(r["year"])
        if r["results"] and with_results is None:
            with_results = r["year"]
    return years, with_results


def dashboard_build(user: Any, scope: Scope, year: Any = None) -> Dashboard:
    """Every section's rows for the scope and year (default: the newest year with
    results; a year outside the scope's plan years is accepted and simply empty)."""
    plans = scope_plans(user, scope)
    years, latest = _years(plans)
    chosen = as_id(year)
    if chosen is None or chosen > 9999:
        chosen = latest or (years[0] if years else timezone.localdate().year)
    dash = Dashboard(scope=scope, year=chosen, years=years)
    window = list(range(chosen - TREND_YEARS + 1, chosen + 1))

    results: list[Any] = list(
        RoundResult.objects.filter(round__plan__in=plans, round__plan__year__in=window)
        .values(
            "pk",
            "status",
            "total",
            "grade",
            "round_id",
            "round__label",
            "round__period_start",
            "round__period_end",
            "round__plan_id",
            "round__plan__year",
            "round__plan__buyer__name",
            "round__plan__buyer__short_name",
            "contract_id",
            "contract__code",
            "vendor__organisation__name",
        )
        .order_by("round__period_end", "round_id", "contract__code")
    )
    of_year = [r for r in results if r["round__plan__year"] == chosen]
    dash.result_count = len(of_year)
    dash.grades = _grades(plans, chosen, of_year)
    dash.ranking = _ranking(of_year)
    dash.trend = _trend(results)
    dash.satisfaction = _satisfaction(plans, chosen)
    dash.work = _work(plans, chosen)
    return dash


def _grades(
    plans: QuerySet[AssessmentPlan], year: int, of_year: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Results per grade, then 不成立 and 未计分 (a contract of a round of the year
    without a result) when there are any; each with its share of all rows."""
    counts: dict[str, int] = dict.fromkeys(Grade.values, 0)
    counts[FAILED] = 0
    scored: set[tuple[int, int]] = set()
    for r in of_year:
        scored.add((r["round_id"], r["contract_id"]))
        if r["status"] == FAILED or not r["grade"]:
            counts[FAILED] += 1
        else:
            counts[r["grade"]] = counts.get(r["grade"], 0) + 1
    pairs = AssessmentRound.objects.filter(plan__in=plans, plan__year=year).values_list(
        "pk", "plan__contracts"
    )
    counts[PENDING] = sum(1 for p in pairs if p[1] is not None and p not in scored)
    labels = {
        **dict(Grade.choices),
        FAILED: _("不成立"),
        PENDING: _("未计分"),
    }
    whole = sum(counts.values())
    rows = []
    for code, n in counts.items():
        if code in (FAILED, PENDING) and not n:
            continue
        rows.append(
            {
                "code": code,
                "label": str(labels.get(code, code)),
                "count": n,
                "share": _pct(n, whole),
            }
        )
    return rows


def _ranking(of_year: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per plan, the results of its latest round of the year that has results, all
    plans together ranked by total (ties share a rank; failed results last, unranked)."""
    latest: dict[int, tuple[dt.date, int]] = {}
    for r in of_year:
        key = (r["round__period_end"], r["round_id"])
        plan_id = r["round__plan_id"]
        if plan_id not in latest or key > latest[plan_id]:
            latest[plan_id] = key
    chosen = {rid for _end, rid in latest.values()}
    rows = [r for r in of_year if r["round_id"] in chosen]
    rows.sort(
        key=lambda r: (
            r["total"] is None,
            -(r["total"] or 0),
            r["vendor__organisation__name"],
            r["contract__code"],
        )
    )
    out: list[dict[str, Any]] = []
    rank = 0
    previous: Decimal | None = None
    for n, r in enumerate(rows, start=1):
        total = r["total"]
        if total is not None and total != previous:
            rank = n
            previous = total
        out.append(
            {
                "rank": rank if total is not None else None,
                "vendor": r["vendor__organisation__name"],
                "street": r["round__plan__buyer__short_name"]
                or r["round__plan__buyer__name"],
                "contract": r["contract__code"],
                "round": r["round__label"],
                "total": total,
                "grade": grade_label(r["grade"]) if r["grade"] else _("不成立"),
                "result_id": r["pk"],
            }
        )
    return out


def _trend(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per period (a round's dates, shared by the plans that use them) the mean total
    of the scored results and how many there are, oldest first."""
    buckets: dict[tuple[int, dt.date, dt.date], dict[str, Any]] = {}
    for r in results:
        key = (r["round__plan__year"], r["round__period_start"], r["round__period_end"])
        b = buckets.setdefault(key, {"labels": [], "totals": [], "failed": 0})
        if r["round__label"] not in b["labels"]:
            b["labels"].append(r["round__label"])
        if r["total"] is None:
            b["failed"] += 1
        else:
            b["totals"].append(r["total"])
    out = []
    for (year, start, end), b in sorted(buckets.items(), key=lambda kv: kv[0][::-1]):
        totals = b["totals"]
        out.append(
            {
                "year": year,
                "label": f"{year} {'、'.join(b['labels'])}",
                "period": f"{start:%Y-%m-%d} – {end:%Y-%m-%d}",
                "count": len(totals),
                "failed": b["failed"],
                "average": _q(sum(totals, Decimal(0)) / len(totals))
                if totals
                else None,
            }
        )
    return out


def _satisfaction(plans: QuerySet[AssessmentPlan], year: int) -> list[dict[str, Any]]:
    """Per community: the mean of the resident group's community means over the
    year's results (each result's breakdown keeps, per group, the mean of its cards
    per community on 0–100), highest first."""
    per_community: dict[str, list[Decimal]] = defaultdict(list)
    for groups in RoundResult.objects.filter(
        round__plan__in=plans, round__plan__year=year
    ).values_list("breakdown__groups", flat=True):
        for g in groups or []:
            if not isinstance(g, dict) or g.get("kind") != RaterKind.RESIDENT:
                continue
            for community, score in (g.get("by_community") or {}).items():
                try:
                    per_community[str(community)].append(Decimal(str(score)))
                except ArithmeticError:
                    continue
    ids = [as_id(k) for k in per_community]
    names = dict(
        Organisation.objects.filter(pk__in=[i for i in ids if i]).values_list(
            "pk", "name"
        )
    )
    rows: list[dict[str, Any]] = []
    for key, scores in per_community.items():
        cid = as_id(key)
        if key == NO_COMMUNITY:
            name = _("未指明社区")
        else:
            name = names.get(cid, key) if cid else key
        rows.append(
            {
                "community": name,
                "score": _q(sum(scores, Decimal(0)) / len(scores)),
                "results": len(scores),
            }
        )
    rows.sort(key=lambda r: (-r["score"], r["community"]))
    return rows


def _work(plans: QuerySet[AssessmentPlan], year: int) -> list[dict[str, Any]]:
    """Per contract assessed in the year: its active items; the year's extra work
    (not refused) in tasks and hours; the year's residual work in records, hours and
    the items it touched. 额外工作比 = extra tasks ÷ items; 剩余工作比例 = items with
    residual work ÷ items (both in percent)."""
    contracts = list(
        Contract.objects.filter(assessment_plans__in=plans.filter(year=year))
        .distinct()
        .select_related("vendor__organisation", "buyer")
        .order_by("code")
    )
    ids = [c.pk for c in contracts]
    items = dict(
        ContractItem.objects.filter(contract_id__in=ids, active=True)
        .values("contract_id")
        .annotate(n=Count("id"))
        .values_list("contract_id", "n")
        .order_by()
    )
    extra = {
        r["contract_id"]: r
        for r in ExtraWork.objects.filter(contract_id__in=ids, assigned_on__year=year)
        .exclude(status=ExtraWorkStatus.REFUSED)
        .values("contract_id")
        .annotate(n=Count("id"), hours=Sum("hours"))
        .order_by()
    }
    residual = {
        r["contract_id"]: r
        for r in ResidualWork.objects.filter(
            contract_id__in=ids, happened_on__year=year
        )
        .values("contract_id")
        .annotate(
            n=Count("id"),
            hours=Sum("hours"),
            touched=Count("contract_item", distinct=True),
        )
        .order_by()
    }
    rows = []
    for c in contracts:
        n_items = items.get(c.pk, 0)
        e = extra.get(c.pk, {})
        r = residual.get(c.pk, {})
        rows.append(
            {
                "contract": c.code,
                "vendor": c.vendor.organisation.name,
                "street": c.buyer.short_name or c.buyer.name,
                "items": n_items,
                "extra_count": e.get("n", 0),
                "extra_hours": e.get("hours") or Decimal(0),
                "extra_ratio": _pct(e.get("n", 0), n_items),
                "residual_count": r.get("n", 0),
                "residual_hours": r.get("hours") or Decimal(0),
                "residual_items": r.get("touched", 0),
                "residual_ratio": _pct(r.get("touched", 0), n_items),
            }
        )
    return rows


# --- export -----------------------------------------------------------------------------


def _num(v: Any) -> Any:
    """A Decimal as a number for the spreadsheet; None as an empty cell."""
    return float(v) if isinstance(v, Decimal) else v


def section_sheet(
    dash: Dashboard, section: str
) -> tuple[str, list[str], list[list[Any]], tuple[int, ...]]:
    """One section as a sheet (title, header, rows, widths) with the page's numbers.

    Raises:
        NotFound: an unknown section.
    """
    if section == "grades":
        return (
            _("等级分布"),
            [_("等级"), _("数量"), _("占比（%）")],
            [[r["label"], r["count"], _num(r["share"])] for r in dash.grades],
            (12, 10, 12),
        )
    if section == "ranking":
        return (
            _("排名"),
            [
                _("名次"),
                _("承接组织"),
                _("街道"),
                _("合同编号"),
                _("考核期"),
                _("总分"),
                _("等级"),
            ],
            [
                [
                    r["rank"],
                    r["vendor"],
                    r["street"],
                    r["contract"],
                    r["round"],
                    _num(r["total"]),
                    r["grade"],
                ]
                for r in dash.ranking
            ],
            (8, 30, 16, 20, 14, 10, 8),
        )
    if section == "trend":
        return (
            _("趋势"),
            [
                _("考核期"),
                _("期间"),
                _("平均总分"),
                _("考核结果数"),
                _("不成立"),
            ],
            [
                [r["label"], r["period"], _num(r["average"]), r["count"], r["failed"]]
                for r in dash.trend
            ],
            (24, 26, 12, 12, 10),
        )
    if section == "satisfaction":
        return (
            _("居民满意度"),
            [_("社区"), _("居民满意度（0–100）"), _("考核结果数")],
            [
                [r["community"], _num(r["score"]), r["results"]]
                for r in dash.satisfaction
            ],
            (24, 20, 12),
        )
    if section == "work":
        return (
            _("额外工作与剩余工作"),
            [
                _("合同编号"),
                _("承接组织"),
                _("街道"),
                _("合同事项数"),
                _("合同外工作（项）"),
                _("合同外工作（小时）"),
                _("额外工作比（%）"),
                _("社区自办（条）"),
                _("社区自办（小时）"),
                _("社区自办涉及事项数"),
                _("剩余工作比例（%）"),
            ],
            [
                [
                    r["contract"],
                    r["vendor"],
                    r["street"],
                    r["items"],
                    r["extra_count"],
                    _num(r["extra_hours"]),
                    _num(r["extra_ratio"]),
                    r["residual_count"],
                    _num(r["residual_hours"]),
                    r["residual_items"],
                    _num(r["residual_ratio"]),
                ]
                for r in dash.work
            ],
            (20, 30, 16, 10, 12, 12, 12, 12, 12, 14, 14),
        )
    raise NotFound()


def dashboard_xlsx(dash: Dashboard, section: str) -> bytes:
    """One section (or "all": one sheet per section) as .xlsx.

    Raises:
        NotFound: an unknown section.
    """
    from core.tabular import write_workbook

    names = SECTIONS if section == "all" else (section,)
    return write_workbook([section_sheet(dash, s) for s in names])
