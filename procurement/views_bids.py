"""The vendor portal of procurement: submit, replace or withdraw a sealed bid, the
bid receipt, the list of one's own bids, and a challenge (质疑) after the award.

Sealed means sealed for the bidder too: before the opening a receipt shows when the
bid was submitted, its status and how many files it has, never its price or text.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from accounts.choices import Role
from vendors.selectors import vendor_for_staff

from . import selectors, services
from .choices import BidStatus, ProjectStatus
from .forms import BidForm, ChallengeForm, form_service_call
from .views import ProjectErrorMixin


def _vendor(user: Any) -> Any:
    return vendor_for_staff(user) if user.has_role(Role.VENDOR_STAFF) else None


def vendor_panel(request: Any, project: Any, **extra: Any) -> dict[str, Any]:
    """The vendor's part of the project page: the bid form while bids are taken, the
    receipt of its own bid, withdraw, and the challenge form in its window."""
    vendor = _vendor(request.user)
    if vendor is None:
        return {"vendor": None}
    now = timezone.now()
    bid = selectors.own_bid(request.user, project)
    taking = (
        project.status == ProjectStatus.ANNOUNCED
        and project.bid_deadline is not None
        and now < project.bid_deadline
    )
    lots = list(project.lots.order_by("number"))
    until = (
        selectors.challenge_window_end(project)
        if project.status == ProjectStatus.AWARDED
        else None
    )
    may_challenge = bool(
        bid is not None and until is not None and timezone.localdate() <= until
    )
    return {
        "vendor": vendor,
        "own_bid": bid,
        "own_files": bid.files.count() if bid is not None else 0,
        "taking_bids": taking,
        "bid_form": extra.get("bid_form") or (BidForm(lots=lots) if taking else None),
        "can_withdraw": bool(
            taking and bid is not None and bid.status == BidStatus.SUBMITTED
        ),
        "challenge_until": until,
        "challenge_form": extra.get("challenge_form")
        or (ChallengeForm() if may_challenge else None),
    }


def _detail(request: Any, project: Any, status: int, **extra: Any) -> Any:
    from .views import detail_context

    return render(
        request,
        "procurement/project_detail.html",
        detail_context(request, project, **extra),
        status=status,
    )


class BidSubmitView(LoginRequiredMixin, ProjectErrorMixin, View):
    """递交（或替换）投标 / 响应文件. Refused input re-renders the project page with the
    reason next to the field (a late bid: 409)."""

    def get(self, request, pk):
        project = selectors.project_get_for_user(pk, request.user)
        return redirect(project.get_absolute_url() + "#bid")

    def post(self, request, pk):
        project = selectors.project_get_for_user(pk, request.user)
        vendor = _vendor(request.user)
        if vendor is None:
            raise PermissionDenied(_("只有承接组织的人员可以投标。"))
        lots = list(project.lots.order_by("number"))
        form = BidForm(request.POST, request.FILES, lots=lots)
        status = 400
        if form.is_valid():
            # "no price at all" belongs next to the first price field
            targets = {"prices": f"price_{lots[0].pk}"} if lots else {}
            ok, _result, status = form_service_call(
                form,
                lambda: services.bid_submit(
                    actor=request.user,
                    project=project,
                    vendor=vendor,
                    data=form.service_data(),
                    files=form.cleaned_data["files"],
                ),
                targets,
            )
            if ok:
                messages.success(
                    request,
                    _(
                        "投标文件已密封递交。开标前任何人（包括本组织）都看不到报价和内容。"
                    ),
                )
                return redirect(project.get_absolute_url() + "#my-bid")
        project.refresh_from_db()
        return _detail(request, project, status, bid_form=form)


class BidWithdrawView(LoginRequiredMixin, ProjectErrorMixin, View):
    """撤回投标, before the deadline only."""

    def post(self, request, pk):
        project = selectors.project_get_for_user(pk, request.user)
        if _vendor(request.user) is None:
            raise PermissionDenied(_("只有承接组织的人员可以撤回投标。"))
        bid = selectors.own_bid(request.user, project)
        if bid is None:
            raise Http404
        services.bid_withdraw(actor=request.user, bid=bid)
        messages.success(request, _("已撤回投标。截止时间前可以重新递交。"))
        return redirect(project.get_absolute_url() + "#my-bid")


class ChallengeFileView(LoginRequiredMixin, ProjectErrorMixin, View):
    """质疑: a bidder challenges the result within the window (TL-17)."""

    def post(self, request, pk):
        project = selectors.project_get_for_user(pk, request.user)
        vendor = _vendor(request.user)
        if vendor is None:
            raise PermissionDenied(_("只有参加本项目的供应商可以质疑。"))
        form = ChallengeForm(request.POST)
        status = 400
        if form.is_valid():
            ok, _result, status = form_service_call(
                form,
                lambda: services.challenge_file(
                    actor=request.user,
                    project=project,
                    vendor=vendor,
                    grounds=form.cleaned_data["grounds"],
                ),
            )
            if ok:
                messages.success(request, _("质疑已提交，采购人将在期限内书面答复。"))
                return redirect(project.get_absolute_url() + "#challenges")
        return _detail(request, project, status, challenge_form=form)


class MyBidsView(LoginRequiredMixin, View):
    """我的投标: the bids of the user's organisation — project, when, status, files."""

    paginate_by = 25

    def get(self, request):
        if not request.user.has_role(Role.VENDOR_STAFF):
            raise PermissionDenied(_("只有承接组织的人员有投标记录。"))
        page = Paginator(
            selectors.bid_list_for_vendor_staff(request.user), self.paginate_by
        ).get_page(request.GET.get("page"))
        return render(
            request,
            "procurement/my_bids.html",
            {"page_obj": page, "query": "", "vendor": _vendor(request.user)},
        )
