"""The committee member's screens: the scoring screen of a lot (the declaration on
conflicts first, then every scorable bid × every criterion; the chair records the
abnormal-price decisions) and the signing of the evaluation report.

A member sees only their own sheet until they have submitted it
(`selectors.sheets_visible_to`)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from core.exceptions import DomainError, ValidationFailed
from core.ids import as_id

from . import scoring, selectors, services
from .choices import BidStatus, LotStatus, ScoringMethod, SheetStatus
from .forms import AbnormalForm, DeclareForm, SignForm, form_service_call
from .models import BidLot, ScoreSheet
from .permissions import committee_seat
from .views import ProjectErrorMixin, result_rows
from .workflows import transition_decision


def _seat(request: Any, pk: Any) -> tuple[Any, Any]:
    project = selectors.project_get_for_user(pk, request.user)
    seat = committee_seat(request.user, project)
    if seat is None:
        raise PermissionDenied(_("只有评审小组的在任成员可以使用评分页面。"))
    return project, seat


class ScoreView(LoginRequiredMixin, ProjectErrorMixin, View):
    """评分: one lot, one member. POST `op` is declare, save, submit or abnormal."""

    template_name = "procurement/score.html"

    def _lot(self, project, lot_pk):
        lot = project.lots.filter(pk=lot_pk).first() if str(lot_pk).isdigit() else None
        if lot is None:
            raise Http404
        return lot

    def get(self, request, pk, lot_pk):
        project, seat = _seat(request, pk)
        lot = self._lot(project, lot_pk)
        return self.page(request, project, seat, lot)

    def post(self, request, pk, lot_pk):
        project, seat = _seat(request, pk)
        lot = self._lot(project, lot_pk)
        op = request.POST.get("op", "")
        here = request.path
        if op == "declare":
            form = DeclareForm(request.POST)
            status = 400
            if form.is_valid():
                ok, _result, status = form_service_call(
                    form,
                    lambda: services.member_declare(
                        actor=request.user,
                        member=seat,
                        conflict=form.cleaned_data["conflict"] == "yes",
                        text=form.cleaned_data["declaration"],
                    ),
                )
                if ok:
                    messages.success(request, _("已作出回避声明。"))
                    return redirect(here)
            return self.page(
                request, project, seat, lot, declare_form=form, status=status
            )
        if op == "abnormal":
            bl = BidLot.objects.filter(
                pk=as_id(request.POST.get("bid_lot")) or 0, lot=lot
            ).first()
            if bl is None:
                raise Http404
            form = AbnormalForm(request.POST, prefix=f"ab{bl.pk}")
            status = 400
            if form.is_valid():
                ok, _result, status = form_service_call(
                    form,
                    lambda: services.abnormal_price_decide(
                        actor=request.user,
                        bid_lot=bl,
                        explanation=form.cleaned_data["explanation"],
                        accepted=form.cleaned_data["accepted"] == "yes",
                    ),
                )
                if ok:
                    messages.success(request, _("已记录异常低价认定。"))
                    return redirect(here)
            return self.page(
                request, project, seat, lot, abnormal_forms={bl.pk: form}, status=status
            )
        if op not in ("save", "submit"):
            raise Http404
        scores = self._posted_scores(request, project, lot)
        try:
            services.sheet_save(
                actor=request.user, lot=lot, scores=scores, submit=op == "submit"
            )
        except ValidationFailed as exc:
            return self.page(
                request,
                project,
                seat,
                lot,
                posted=scores,
                errors={k: [str(m) for m in v] for k, v in exc.fields.items()},
                message=str(exc.message),
                status=400,
            )
        except DomainError as exc:
            if exc.status_code in (403, 404):
                raise
            return self.page(
                request,
                project,
                seat,
                lot,
                posted=scores,
                message=str(exc.message),
                status=exc.status_code,
            )
        messages.success(
            request,
            _("评分表已提交。") if op == "submit" else _("已保存草稿。"),
        )
        return redirect(here)

    @staticmethod
    def _posted_scores(request, project, lot) -> dict[str, dict[str, str]]:
        codes = [c["code"] for c in project.criteria or []]
        out: dict[str, dict[str, str]] = {}
        for bl in services.scorable_bids(lot):
            out[str(bl.bid_id)] = {
                code: request.POST.get(f"s_{bl.bid_id}_{code}", "").strip()
                for code in codes
            }
        return out

    def page(  # noqa: PLR0913
        self,
        request,
        project,
        seat,
        lot,
        *,
        declare_form=None,
        abnormal_forms=None,
        posted=None,
        errors=None,
        message="",
        status=200,
    ):
        errors = errors or {}
        visible = selectors.bid_content_visible(project)
        sheet = ScoreSheet.objects.filter(member=seat, lot=lot).first()
        submitted = sheet is not None and sheet.status == SheetStatus.SUBMITTED
        conflicted = bool(seat.declared_conflict or seat.conflict_reasons)
        criteria = scoring.criteria_from(project.criteria or [])
        bids = services.scorable_bids(lot) if visible else []
        saved = (sheet.scores if sheet else {}) or {}
        source = posted if posted is not None else saved
        grid = []
        for bl in bids:
            row = source.get(str(bl.bid_id), {})
            grid.append(
                {
                    "bl": bl,
                    "cells": [
                        {
                            "name": f"s_{bl.bid_id}_{c.code}",
                            "criterion": c,
                            "value": row.get(c.code, ""),
                            "errors": errors.get(f"scores.{bl.bid_id}.{c.code}", []),
                        }
                        for c in criteria
                    ],
                }
            )
        others = [
            s
            for s in selectors.sheets_visible_to(request.user, project, lot)
            if s.member_id != seat.pk
        ]
        abnormal = list(
            BidLot.objects.filter(lot=lot, valid=True, bid__status=BidStatus.QUALIFIED)
            .exclude(abnormal_reasons=[])
            .select_related("bid__vendor__organisation")
            .order_by("pk")
        )
        abnormal_forms = abnormal_forms or {}
        abnormal_rows = [
            {
                "bl": bl,
                "form": abnormal_forms.get(bl.pk) or AbnormalForm(prefix=f"ab{bl.pk}"),
            }
            for bl in abnormal
        ]
        may_score = bool(transition_decision(request.user, project, "score"))
        other_lots = [x for x in project.lots.order_by("number") if x.pk != lot.pk]
        return render(
            request,
            self.template_name,
            {
                "project": project,
                "lot": lot,
                "seat": seat,
                "other_lots": other_lots,
                "declare_form": declare_form or DeclareForm(),
                "declared": seat.declared_at is not None,
                "conflicted": conflicted,
                "criteria": criteria,
                "grid": grid,
                "sheet": sheet,
                "submitted": submitted,
                "others": [
                    {
                        "sheet": s,
                        "rows": [
                            (
                                bl,
                                [
                                    s.scores.get(str(bl.bid_id), {}).get(c.code, "—")
                                    for c in criteria
                                ],
                            )
                            for bl in bids
                        ],
                    }
                    for s in others
                ],
                "abnormal_rows": abnormal_rows,
                "abnormal_pending": any(
                    r["bl"].explanation_accepted is None for r in abnormal_rows
                ),
                "lowest_price": project.scoring_method == ScoringMethod.LOWEST_PRICE,
                "can_edit": bool(
                    may_score
                    and lot.status == LotStatus.OPEN
                    and seat.declared_at is not None
                    and not conflicted
                    and not submitted
                    and project.scoring_method != ScoringMethod.LOWEST_PRICE
                ),
                "may_score": may_score,
                "message": message,
                "has_errors": bool(errors),
            },
            status=status,
        )


class ReportSignView(LoginRequiredMixin, ProjectErrorMixin, View):
    """签署评审报告: agree, or dissent with reasons (COM-09)."""

    template_name = "procurement/report_sign.html"

    def get(self, request, pk):
        project, seat = _seat(request, pk)
        return self.page(request, project, seat, SignForm())

    def post(self, request, pk):
        project, seat = _seat(request, pk)
        form = SignForm(request.POST)
        status = 400
        if form.is_valid():
            ok, _result, status = form_service_call(
                form,
                lambda: services.report_sign(
                    actor=request.user,
                    project=project,
                    agrees=form.cleaned_data["agrees"] == "yes",
                    dissent=form.cleaned_data["dissent"],
                ),
            )
            if ok:
                messages.success(request, _("已签署评审报告。"))
                return redirect(project.get_absolute_url())
        return self.page(request, project, seat, form, status=status)

    def page(self, request, project, seat, form, status=200):
        lots = list(project.lots.order_by("number"))
        criteria = project.criteria or []
        results = [
            {
                "lot": lot,
                "rows": result_rows((lot.evaluation or {}).get("rows") or [], criteria),
            }
            for lot in lots
        ]
        return render(
            request,
            self.template_name,
            {
                "project": project,
                "seat": seat,
                "form": form,
                "results": results,
                "criteria": criteria,
                "members": selectors.active_members(project),
                "may_sign": bool(
                    transition_decision(request.user, project, "sign_report")
                )
                and seat.signed_at is None,
            },
            status=status,
        )
