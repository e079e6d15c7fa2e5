"""Spreadsheet exports of a project: the bid register (开标记录) and the evaluation
result. Before the opening the register holds who bid and when, and nothing else."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from core.tabular import write_xlsx

from .models import BidLot, ProcurementProject
from .selectors import bid_content_visible, bids_for


def bids_xlsx(user: Any, project: ProcurementProject) -> bytes:
    """The bids the user may know of, as a spreadsheet. Prices, bonds and the
    qualification appear only once the project has been opened."""
    bids = bids_for(user, project)
    lots = list(project.lots.all())
    header = [_("投标人"), _("递交时间"), _("状态")]
    rows: list[list[Any]] = []
    if not bid_content_visible(project):
        for b in bids:
            rows.append(
                [
                    b.vendor.organisation.name,
                    timezone.localtime(b.submitted_at).strftime("%Y-%m-%d %H:%M:%S"),
                    b.get_status_display(),
                ]
            )
        return write_xlsx(header, rows, _("投标登记"), widths=(36, 22, 14))
    header += [_("第%(n)s包报价") % {"n": lot.number} for lot in lots]
    header += [_("保证金"), _("资格审查"), _("理由")]
    prices = {
        (bl.bid_id, bl.lot_id): bl.price
        for bl in BidLot.objects.filter(bid__in=[b.pk for b in bids])
    }
    for b in bids:
        reasons = "；".join(r["reason"] for r in b.qualification.get("reasons", []))
        rows.append(
            [
                b.vendor.organisation.name,
                timezone.localtime(b.submitted_at).strftime("%Y-%m-%d %H:%M:%S"),
                b.get_status_display(),
                *[
                    float(prices[(b.pk, lot.pk)]) if (b.pk, lot.pk) in prices else None
                    for lot in lots
                ],
                f"{b.get_bond_form_display()} {b.bond_amount or ''}".strip(),
                {True: _("通过"), False: _("未通过"), None: ""}[b.qualified],
                reasons,
            ]
        )
    return write_xlsx(
        header, rows, _("开标记录"), widths=(36, 22, 14, *[16] * len(lots), 20, 12, 60)
    )


def evaluation_xlsx(project: ProcurementProject) -> bytes:
    """Each lot's ranking with price points, criteria means and totals."""
    criteria = project.criteria
    header = [_("包号"), _("名次"), _("投标人"), _("报价"), _("评审价"), _("价格分")]
    header += [c["name"] for c in criteria]
    header += [_("总分"), _("并列抽签")]
    rows: list[list[Any]] = []
    for lot in project.lots.all():
        for r in lot.evaluation.get("rows", []):
            rows.append(
                [
                    lot.number,
                    r["rank"],
                    r.get("vendor", ""),
                    float(r["price"]),
                    float(r["adjusted_price"]),
                    float(r["price_points"]),
                    *[float(r["criteria"].get(c["code"], 0)) for c in criteria],
                    float(r["total"]),
                    _("是") if r.get("tie") else "",
                ]
            )
    return write_xlsx(header, rows, _("评审结果"), widths=(8, 8, 36, 16, 16, 10))
