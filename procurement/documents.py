"""The tender document (招标文件 / 磋商文件 / 比选文件) of one version, rendered as a
PDF through core.pdf: cover, contents with page numbers, invitation, instructions,
qualification conditions, the items of each lot, the scoring method, the contract's
main terms and the bid forms.

Every number a rule sets (abnormal-price shares, bond refund, challenge window,
committee size) is read from the rule parameters in force on the day the documents
are issued; nothing here carries a rule number of its own. The document never
touches a bid.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalogue.choices import AuxStep, OutsourceScope
from catalogue.rules import RuleParameterMissing
from core.models import JobStatus
from core.pdf import html_to_pdf_with_pages
from vendors.models import Vendor

from .choices import BondForm, CriterionKind, ScoringMethod
from .methods import committee_rules, optional_rule, profile
from .models import Lot, LotItem, ProcurementProject, TenderDocument

TEMPLATE = "pdf/procurement/tender_document.html"

# The abnormally-low-price triggers (SC-13): rule key → how the document words it.
ABNORMAL_TRIGGERS = (
    (
        "abnormal_price.share_of_average",
        gettext_lazy("报价低于全部通过符合性审查供应商报价平均值的 %(s)s%%；"),
    ),
    (
        "abnormal_price.share_of_second_lowest",
        gettext_lazy("报价低于通过符合性审查且报价次低供应商报价的 %(s)s%%；"),
    ),
    (
        "abnormal_price.share_of_max_price",
        gettext_lazy(
            "报价低于采购项目最高限价（未设最高限价的为预算金额）的 %(s)s%%；"
        ),
    ),
)


def issue_date(doc: TenderDocument) -> dt.date:
    """The day the rules are read on: when the documents go on offer, else the day
    this version was made."""
    return doc.project.documents_from or timezone.localdate(doc.created_at)


def css_counter_text(template: str) -> str:
    """A translated footer such as "第 {page} 页 共 {pages} 页" as a CSS `content`
    value, with the page counters in place of the placeholders."""
    parts = []
    for piece in re.split(r"(\{page\}|\{pages\})", template):
        if piece == "{page}":
            parts.append("counter(page)")
        elif piece == "{pages}":
            parts.append("counter(pages)")
        elif piece:
            escaped = piece.replace("\\", "\\\\").replace('"', '\\"')
            parts.append(f'"{escaped}"')
    return " ".join(parts) or '""'


def _project(doc: TenderDocument) -> ProcurementProject:
    """The project with everything the document prints, in a bounded number of
    queries whatever the number of lots and items."""
    items = LotItem.objects.select_related("item__domain").order_by("item__code")
    lots = Lot.objects.order_by("number").prefetch_related(
        "communities", Prefetch("items", queryset=items)
    )
    return (
        ProcurementProject.objects.select_related("buyer", "district")
        .prefetch_related(
            Prefetch("lots", queryset=lots),
            Prefetch(
                "drafted_by", queryset=Vendor.objects.select_related("organisation")
            ),
        )
        .get(pk=doc.project_id)
    )


def _item_row(n: int, lot_item: LotItem) -> dict[str, Any]:
    item = lot_item.item
    labels = dict(AuxStep.choices)
    if item.outsource_scope == OutsourceScope.AUX_ONLY:
        steps = [str(labels.get(s, s)) for s in lot_item.steps or []]
        scope = _("辅助环节：%(steps)s") % {"steps": "、".join(steps) or "—"}
    else:
        scope = str(item.get_outsource_scope_display())
    return {
        "n": n,
        "code": item.code,
        "name": item.name,
        "domain": item.domain.name,
        "scope": scope,
        "deliverable": item.deliverable,
        "unit": item.get_unit_display(),
        "service_standard": item.service_standard,
        "assessment_standard": item.assessment_standard,
        "assessment_method": item.assessment_method,
    }


def _abnormal_triggers(project: ProcurementProject, on: dt.date) -> list[str]:
    """The SC-13 triggers in force, worded with their shares (none: not in force)."""
    out = []
    for key, wording in ABNORMAL_TRIGGERS:
        share = optional_rule(key, project.district, on)
        if share is not None:
            out.append(str(wording) % {"s": _number(share)})
    return out


def _number(value: Any) -> str:
    """A rule value as people write it: 50, not 50.00."""
    d = Decimal(str(value))
    return format(
        d.quantize(Decimal(1)) if d == d.to_integral() else d.normalize(), "f"
    )


def _committee_sentence(
    project: ProcurementProject, on: dt.date, budget: Decimal, name: str
) -> str:
    """How the committee is made up, from the method's rules (COM-01..04, PM-11);
    empty when the rules do not say."""
    try:
        rules = committee_rules(project.method, project.district, on, budget)
    except RuleParameterMissing:
        return ""
    size = (_("%(n)s 人以上单数") if rules["odd"] else _("%(n)s 人以上")) % {
        "n": rules["min_size"]
    }
    share = rules["expert_share_min"]
    if not share:
        return _("%(c)s由 %(size)s组成。") % {"c": name, "size": size}
    fraction = Fraction(str(share)).limit_denominator(12)
    return _("%(c)s由 %(size)s组成，其中评审专家不少于成员总数的 %(s)s。") % {
        "c": name,
        "size": size,
        "s": f"{fraction.numerator}/{fraction.denominator}",
    }


def tender_document_context(doc: TenderDocument) -> dict[str, Any]:
    """Everything the template prints, computed once."""
    project = _project(doc)
    doc.project = project
    on = issue_date(doc)
    prof = profile(project.method)
    lots = []
    item_count = 0
    for lot in project.lots.all():
        rows = [_item_row(n, li) for n, li in enumerate(lot.items.all(), start=1)]
        item_count += len(rows)
        lots.append(
            {
                "lot": lot,
                "communities": [c.name for c in lot.communities.all()],
                "items": rows,
            }
        )
    budget = sum((entry["lot"].budget for entry in lots), Decimal(0))
    criteria = [
        {
            "name": c.get("name", ""),
            "weight": c.get("weight", ""),
            "kind": CriterionKind(c["kind"]).label
            if c.get("kind") in CriterionKind.values
            else c.get("kind", ""),
            "guide": c.get("guide", ""),
        }
        for c in project.criteria
    ]

    def rule(key: str) -> str | None:
        value = optional_rule(key, project.district, on)
        return _number(value) if value is not None else None

    return {
        "doc": doc,
        "project": project,
        "profile": prof,
        "document_name": str(prof.document_name),
        "committee_name": str(prof.committee_name),
        "method_label": str(prof.label),
        "issued_on": on,
        "lots": lots,
        "item_count": item_count,
        "budget_total": budget,
        "lowest_price": project.scoring_method == ScoringMethod.LOWEST_PRICE,
        "criteria": criteria,
        "score_total": project.price_weight
        + sum((Decimal(str(c["weight"])) for c in project.criteria), Decimal(0)),
        "abnormal_triggers": _abnormal_triggers(project, on),
        "bond_forms": [
            label for value, label in BondForm.choices if value != BondForm.NONE
        ],
        "bond_refund_days": rule("deadline.bond.refund"),
        "bond_max_share": rule("bond.bid.max_share"),
        "performance_bond_max_share": rule("bond.performance.max_share"),
        "challenge_days": rule("deadline.award.challenge_window"),
        "committee": _committee_sentence(project, on, budget, str(prof.committee_name)),
        "drafted_by": [str(v) for v in project.drafted_by.all()],
        "footer_css": css_counter_text(_("第 {page} 页 共 {pages} 页")),
    }


def render_tender_html(doc: TenderDocument) -> tuple[str, dict[str, Any]]:
    context = tender_document_context(doc)
    return render_to_string(TEMPLATE, context), context


def render_tender_pdf(doc: TenderDocument) -> tuple[bytes, dict[str, Any]]:
    """The PDF of one document version and what the job records about it."""
    html, context = render_tender_html(doc)
    pdf, pages = html_to_pdf_with_pages(html)
    return pdf, {
        "pages": pages,
        "lots": len(context["lots"]),
        "items": context["item_count"],
        "bytes": len(pdf),
        "version": doc.version,
    }


def ensure_rendered(doc: TenderDocument) -> TenderDocument:
    """The version's PDF, rendered now when its queued job has not run yet.

    `tender_document_generate` queues the render on commit: it runs once the caller's
    transaction commits (in-process in eager mode, else by a worker). A caller that
    needs the finished document before that (the demo seed, whose announcement
    needs it, and the benchmark) renders it here through the same task; the queued
    run then finds the job done and skips it.
    """
    from .tasks import tender_document_render_task

    job = doc.job
    job.refresh_from_db()
    if job.status != JobStatus.DONE:
        tender_document_render_task.apply(args=[job.pk], throw=True)
        job.refresh_from_db()
    if job.status != JobStatus.DONE:
        raise RuntimeError(f"tender document {doc} not rendered: {job.error}")
    return doc
