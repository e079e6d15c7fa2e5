"""邀请比选 on the project page: the invited organisations with their standing on
the district's admission list, the invite form and the remove buttons (比选 only,
PM-11); for 公开招标 and 磋商 the bidders' standing is shown as information and never
enforced (PM-12).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.views import View

from core.forms import form_service_call

from . import services
from .choices import Method
from .permissions import can_invite
from .selectors import invitation_candidates, invitations_with_standing
from .views import ProjectErrorMixin, _deny, _project


class InviteForm(forms.Form):
    vendor = forms.ChoiceField(label=_("受邀组织"))
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args: Any, candidates: list[tuple[Any, Any]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.vendors = {str(v.pk): v for v, _standing in candidates}
        choices: list[tuple[str, str]] = [("", _g("（请选择）"))]
        for v, standing in candidates:
            label = f"{v.organisation.name}（{v.organisation.code}）"
            if standing is not None:
                label += _g("· 准入名单：%(y)s年度%(s)s") % {
                    "y": standing.year,
                    "s": standing.get_standing_display(),
                }
                if standing.cooling_off_until:
                    label += _g("，冷却期至 %(d)s") % {
                        "d": standing.cooling_off_until.isoformat()
                    }
            choices.append((str(v.pk), label))
        field = self.fields["vendor"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def chosen_vendor(self) -> Any:
        return self.vendors[self.cleaned_data["vendor"]]


def _invite_form(project: Any, data: Any = None) -> InviteForm:
    return InviteForm(
        data, candidates=invitation_candidates(project, timezone.localdate())
    )


def invitations_context(
    request: Any,
    project: Any,
    *,
    reader: bool,
    bids: list[Any],
    vendor: Any = None,
    **extra: Any,
) -> dict[str, Any]:
    """The project page's part on invitations and the admission list: the buyer's
    staff see each bidder's standing (information only) and, in a 比选, the
    invitations and the form; a vendor learns whether its organisation is invited."""
    on = timezone.localdate()
    bixuan = project.method == Method.BIXUAN
    if reader and bids:
        from vendors.selectors import standings_for

        found = standings_for({b.vendor_id for b in bids}, project.district, on)
        for b in bids:
            b.list_standing = found.get(b.vendor_id)
    ctx: dict[str, Any] = {"bixuan": bixuan}
    if not bixuan:
        return ctx
    if reader:
        decision = can_invite(request.user, project)
        ctx.update(
            invitations=invitations_with_standing(project, on),
            show_invitations=True,
            invite_refusal=""
            if decision or decision.code == "permission_denied"
            else decision.reason,
            can_invite=bool(decision),
            invite_form=(extra.get("invite_form") or _invite_form(project))
            if decision
            else None,
        )
    elif vendor is not None:
        invited = set(project.invitations.values_list("vendor_id", flat=True))
        ctx.update(
            invited_mode=bool(invited),
            own_invited=vendor.pk in invited,
        )
    return ctx


def _page(request: Any, project: Any, status: int, **extra: Any) -> Any:
    from .views import detail_context

    return render(
        request,
        "procurement/project_detail.html",
        detail_context(request, project, **extra),
        status=status,
    )


class InvitationCreateView(LoginRequiredMixin, ProjectErrorMixin, View):
    """邀请 an organisation to a 比选; a refusal (barred by the admission list, not
    active) is shown on the field of the re-rendered project page."""

    def post(self, request, pk):
        project = _project(request, pk)
        _deny(can_invite(request.user, project))
        form = _invite_form(project, request.POST)
        status = 400
        if form.is_valid():
            vendor = form.chosen_vendor()
            ok, _result, status = form_service_call(
                form,
                lambda: services.project_invite(
                    actor=request.user,
                    project=project,
                    vendor=vendor,
                    note=form.cleaned_data["note"],
                ),
            )
            if ok:
                messages.success(
                    request,
                    _g("已邀请%(v)s参加本次比选。") % {"v": vendor.organisation.name},
                )
                return redirect(project.get_absolute_url() + "#invitations")
        return _page(request, project, status, invite_form=form)


class InvitationDeleteView(LoginRequiredMixin, ProjectErrorMixin, View):
    """撤销邀请 before the deadline (not once the organisation has responded)."""

    def post(self, request, pk, invitation_pk):
        project = _project(request, pk)
        _deny(can_invite(request.user, project))
        invitation = (
            project.invitations.select_related("vendor__organisation")
            .filter(pk=invitation_pk)
            .first()
        )
        if invitation is None:
            raise Http404
        services.project_uninvite(
            actor=request.user, project=project, vendor=invitation.vendor
        )
        messages.success(
            request,
            _g("已撤销对%(v)s的邀请。") % {"v": invitation.vendor.organisation.name},
        )
        return redirect(project.get_absolute_url() + "#invitations")
