"""Residents' answers without an account (issue #7 §3): the phone page a printed QR
code opens (`/r/<token>/`), its JSON twin lives in `api_residents`, and the buyer's
officer page that issues a batch of one-time tokens and prints them as QR codes.

The resident page names the community, the service and the vendor organisation, never
the vendor's staff nor other answers. An unknown token is a 404 that says nothing about
whether it ever existed; a used one a 409; a closed round a 409. Every request to the
page counts against a per-address limit kept in the cache (`rate_limited`) → 429.
Writes go through `assessments.services` (`resident_answer`, `resident_tokens_issue`).
"""

from __future__ import annotations

import time
from decimal import Decimal, InvalidOperation
from typing import Any

import segno
from django import forms
from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.views import View

from accounts.models import Organisation
from contracts.models import Contract, ContractItem
from core.decisions import ALLOW, Decision, deny
from core.exceptions import Conflict, DomainError, NotPermitted, ValidationFailed
from core.forms import apply_domain_error
from core.ids import as_id

from . import services
from .choices import RoundStatus, Scale
from .models import (
    MANAGER_ROLES,
    AssessmentPlan,
    AssessmentRound,
    Indicator,
    ResidentToken,
)

# --- rate limit ---------------------------------------------------------------------

DEFAULT_RATE = "30/minute"
PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def resident_rate() -> tuple[int, int]:
    """(requests, seconds) from `settings.RESIDENTS_RATE_LIMIT` ("30/minute")."""
    raw = str(getattr(settings, "RESIDENTS_RATE_LIMIT", DEFAULT_RATE))
    num, _sep, period = raw.partition("/")
    return int(num), PERIODS.get(period[:1].lower(), 60)


def client_ip(request: HttpRequest) -> str:
    # REMOTE_ADDR only: a forwarded header is the client's to forge (behind the
    # proxy, the proxy sets REMOTE_ADDR through its own configuration).
    return str(request.META.get("REMOTE_ADDR") or "unknown")[:64]


def rate_limited(request: HttpRequest, scope: str = "residents") -> int:
    """Count this request against the client's window; the seconds to wait if it is
    over the limit, else 0. A fixed window in the Django cache (atomic incr)."""
    limit, period = resident_rate()
    window = int(time.time() // period)
    key = f"rl:{scope}:{client_ip(request)}:{window}"
    cache.add(key, 0, timeout=period + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=period + 1)
        count = 1
    if count > limit:
        return max(1, period - int(time.time()) % period)
    return 0


# --- the resident's page ------------------------------------------------------------

NA = "na"
CHECK_MARKED = _("有题目未答或答案超出范围，请检查标出的题目。")
MAX_RADIO_POINTS = 10  # up to 10 points: radio buttons 0..max; above, a number input


def token_lookup(raw: str) -> ResidentToken | None:
    """The token a raw value stands for (None for anything unknown)."""
    raw = str(raw or "")
    if not raw or len(raw) > 64:
        return None
    return (
        ResidentToken.objects.select_related(
            "round__plan", "contract__vendor", "community"
        )
        .filter(token_hash=ResidentToken.hash_token(raw))
        .first()
    )


def leaf_indicators(plan: AssessmentPlan) -> list[Indicator]:
    """The plan's leaf indicators in tree order, each with `parent_name` set."""
    rows = list(plan.indicators.all())
    by_pk = {i.pk: i for i in rows}
    parents = {i.parent_id for i in rows if i.parent_id}
    leaves = [i for i in rows if i.pk not in parents]
    for i in leaves:
        i.parent_name = by_pk[i.parent_id].name if i.parent_id else ""
    return leaves


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _points(max_points: Decimal) -> list[int] | None:
    """The radio choices 0..max of a small integer scale (None: a number input)."""
    if max_points == max_points.to_integral_value() and max_points <= MAX_RADIO_POINTS:
        return list(range(int(max_points) + 1))
    return None


def _posted(data: Any, name: str) -> str:
    """The last non-empty value posted under `name` (a number input and the n/a
    radio share one name)."""
    if data is None:
        return ""
    values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name, "")]
    values = [str(v).strip() for v in values if str(v).strip()]
    return values[-1][:60] if values else ""


def questions(leaves: list[Indicator], data: Any = None) -> list[dict[str, Any]]:
    """One question per leaf indicator, with the posted value if any."""
    out = []
    for i in leaves:
        out.append(
            {
                "indicator": i,
                "name": f"q{i.pk}",
                "scale": i.scale,
                "max": _number(i.max_points),
                "radio_points": _points(i.max_points)
                if i.scale == Scale.POINTS
                else None,
                "levels": list((i.levels or {}).keys()),
                "value": _posted(data, f"q{i.pk}"),
                "error": "",
            }
        )
    return out


def _typed_number(raw: str) -> Any:
    """A typed number as the service takes it; anything else as typed (the service
    refuses it as not a number, beside its question)."""
    try:
        value = Decimal(raw[:20])
    except InvalidOperation:
        return raw
    if not value.is_finite():
        return raw
    if value.adjusted() >= 16:
        # Far outside any scale: a float (1e999 is not a number at all) rather than
        # an exact integer of a thousand digits.
        return float(value)
    return _number(value)


def parse_answers(qs: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The posted answers as the service takes them (leaf code → number, level code,
    bool, or None for 不了解/不适用); an answer outside its scale is passed on for the
    service to refuse beside its question (`answers.<code>`). None if a question is
    unanswered, or every question is 不了解/不适用 (the error set on it)."""
    answers: dict[str, Any] = {}
    ok = True
    for q in qs:
        ind: Indicator = q["indicator"]
        raw = str(q["value"] or "").strip()
        if raw == "":
            q["error"] = _g("请作答，或选择“不了解/不适用”。")
            ok = False
        elif raw == NA:
            answers[ind.code] = None
        elif ind.scale == Scale.POINTS:
            answers[ind.code] = _typed_number(raw)
        elif ind.scale == Scale.YES_NO and raw in ("yes", "no"):
            answers[ind.code] = raw == "yes"
        else:
            answers[ind.code] = raw
    if ok and answers and all(v is None for v in answers.values()):
        ok = False
        qs[0]["error"] = _g("请至少对一项作出评价。")
    return answers if ok else None


def place_answer_errors(qs: list[dict[str, Any]], exc: ValidationFailed) -> list[str]:
    """Put the service's `answers.<code>` messages on their questions; the other
    messages are returned, for above the form."""
    by_code = {q["indicator"].code: q for q in qs}
    others: list[str] = []
    for key, messages in exc.fields.items():
        head, _sep, code = str(key).partition(".")
        text = "；".join(str(m) for m in messages)
        if head == "answers" and code in by_code:
            by_code[code]["error"] = text
        else:
            others.append(text)
    return others


def resident_message(
    request: HttpRequest, status: int, title: Any, text: Any = ""
) -> HttpResponse:
    response = render(
        request,
        "assessments/residents/message.html",
        {"status": status, "title": title, "text": text},
        status=status,
    )
    response["Cache-Control"] = "no-store"
    return response


def too_many(request: HttpRequest, wait: int) -> HttpResponse:
    response = resident_message(
        request,
        429,
        _("请求过于频繁"),
        _("请稍等一分钟后再试。"),
    )
    response["Retry-After"] = str(wait)
    return response


def invalid_token(request: HttpRequest) -> HttpResponse:
    return resident_message(
        request, 404, _("评价码无效"), _("请确认扫描的是社区发放的评价二维码。")
    )


def used_token(request: HttpRequest) -> HttpResponse:
    return resident_message(
        request, 409, _("该评价码已使用"), _("每个评价码只能提交一次，感谢您的参与。")
    )


def closed_round(request: HttpRequest) -> HttpResponse:
    return resident_message(request, 409, _("本轮考核已停止评分"), _("感谢您的关注。"))


class ResidentAnswerView(View):
    """居民评价: one question per indicator, answered once per token, no login."""

    http_method_names = ["get", "post"]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        wait = rate_limited(request)
        if wait:
            return too_many(request, wait)
        token = token_lookup(kwargs.get("token", ""))
        if token is None:
            return invalid_token(request)
        if token.used_at is not None:
            return used_token(request)
        if token.round.status != RoundStatus.OPEN:
            return closed_round(request)
        kwargs["token_row"] = token
        return super().dispatch(request, *args, **kwargs)

    def page(
        self,
        request: HttpRequest,
        token: ResidentToken,
        qs: list[dict[str, Any]],
        *,
        comment: str = "",
        error: Any = "",
        status: int = 200,
    ) -> HttpResponse:
        response = render(
            request,
            "assessments/residents/answer.html",
            {
                "token": token,
                "community": token.community,
                "contract": token.contract,
                "vendor_name": token.contract.vendor.name,
                "round": token.round,
                "questions": qs,
                "comment": comment,
                "error": error,
                "na": NA,
            },
            status=status,
        )
        response["Cache-Control"] = "no-store"
        # The token is in the URL: never send it to another site as a referrer
        # ("no-referrer" would make the form's Origin "null", which CSRF refuses).
        response["Referrer-Policy"] = "same-origin"
        return response

    def get(self, request: HttpRequest, token: str, token_row: ResidentToken):
        return self.page(
            request, token_row, questions(leaf_indicators(token_row.round.plan))
        )

    def post(self, request: HttpRequest, token: str, token_row: ResidentToken):
        qs = questions(leaf_indicators(token_row.round.plan), request.POST)
        comment = str(request.POST.get("comment", "")).replace("\x00", "")[:2000]
        answers = parse_answers(qs)
        if answers is None:
            return self.page(
                request, token_row, qs, comment=comment, error=CHECK_MARKED, status=400
            )
        try:
            services.resident_answer(raw_token=token, answers=answers, comment=comment)
        except ValidationFailed as exc:
            others = place_answer_errors(qs, exc)
            if len(others) < len(exc.fields):
                others.insert(0, str(CHECK_MARKED))
            return self.page(
                request,
                token_row,
                qs,
                comment=comment,
                error="；".join(others) or str(exc.message),
                status=400,
            )
        except NotPermitted:
            return invalid_token(request)
        except Conflict as exc:
            if exc.code == "round_closed":
                return closed_round(request)
            return used_token(request)
        return redirect("residents:thanks")


def resident_thanks(request: HttpRequest) -> HttpResponse:
    return resident_message(
        request,
        200,
        _("感谢您的评价"),
        _("您的意见已匿名提交，将用于本轮服务考核。"),
    )


# --- the officer's page: issue a batch, print its QR codes --------------------------


def can_issue_tokens(user: Any, plan: AssessmentPlan) -> Decision:
    if user.is_superuser or user.has_role(*MANAGER_ROLES, at_path=plan.buyer.path):
        return ALLOW
    return deny(_("只有购买主体（本街道工作人员或区级管理员）可以发放居民评价码。"))


def round_for_officer(user: Any, raw_pk: Any) -> AssessmentRound:
    """The round by its URL id if its plan is visible to the user (else 404), and the
    user may issue tokens for it (else 403 with the reason)."""
    pk = as_id(raw_pk)
    rnd = (
        AssessmentRound.objects.select_related("plan__buyer")
        .filter(pk=pk, plan__in=AssessmentPlan.objects.visible_to(user))
        .first()
        if pk
        else None
    )
    if rnd is None:
        raise Http404
    decision = can_issue_tokens(user, rnd.plan)
    if not decision:
        raise PermissionDenied(decision.reason)
    return rnd


class TokenBatchForm(forms.Form):
    contract = forms.TypedChoiceField(label=_("合同"), coerce=int)
    community = forms.TypedChoiceField(label=_("社区"), coerce=int)
    count = forms.IntegerField(label=_("数量"), min_value=1, max_value=1000, initial=50)
    batch = forms.CharField(
        label=_("批次"),
        max_length=60,
        help_text=_("例如：2015年度第一批，便于社区登记发放。"),
    )

    def __init__(self, *args: Any, rnd: AssessmentRound, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.contracts = {
            c.pk: c
            for c in rnd.plan.contracts.select_related("vendor").order_by("code")
        }
        rows = (
            ContractItem.objects.filter(contract__in=list(self.contracts))
            .values_list("community_id", "community__name")
            .distinct()
            .order_by("community__name")
        )
        self.communities = dict(rows)
        self.fields["contract"].choices = [("", "—")] + [
            (pk, f"{c.code} {c.title}") for pk, c in self.contracts.items()
        ]
        self.fields["community"].choices = [("", "—")] + list(self.communities.items())

    def clean_batch(self) -> str:
        value = self.cleaned_data["batch"].replace("\x00", "").strip()
        if not value:
            raise forms.ValidationError(_("请填写批次。"))
        return value


def qr_svg(url: str) -> str:
    """The QR code of `url` as inline SVG (segno; error correction M)."""
    return segno.make(url, error="m", micro=False).svg_inline(border=2, omitsize=True)


def past_batches(rnd: AssessmentRound) -> list[dict[str, Any]]:
    rows = (
        ResidentToken.objects.filter(round=rnd)
        .values("contract__code", "community__name", "batch")
        .annotate(
            count=Count("pk"),
            used=Count("pk", filter=Q(used_at__isnull=False)),
            issued_at=Max("issued_at"),
        )
        .order_by("-issued_at", "community__name", "batch")
    )
    return [dict(r, unused=r["count"] - r["used"]) for r in rows]


class TokenBatchView(LoginRequiredMixin, View):
    """居民评价码: the round's past batches, and a new batch printed as QR codes."""

    http_method_names = ["get", "post"]

    def page(
        self, request: HttpRequest, rnd: AssessmentRound, form: Any, status: int = 200
    ):
        return render(
            request,
            "assessments/residents/token_batches.html",
            {
                "round": rnd,
                "plan": rnd.plan,
                "form": form,
                "batches": past_batches(rnd),
            },
            status=status,
        )

    def get(self, request: HttpRequest, round_pk: Any) -> HttpResponse:
        rnd = round_for_officer(request.user, round_pk)
        return self.page(request, rnd, TokenBatchForm(rnd=rnd))

    def post(self, request: HttpRequest, round_pk: Any) -> HttpResponse:
        rnd = round_for_officer(request.user, round_pk)
        form = TokenBatchForm(request.POST, rnd=rnd)
        if not form.is_valid():
            return self.page(request, rnd, form, status=400)
        contract: Contract = form.contracts[form.cleaned_data["contract"]]
        community = Organisation.objects.get(pk=form.cleaned_data["community"])
        try:
            raws = services.resident_tokens_issue(
                round=rnd,
                actor=request.user,
                contract=contract,
                community=community,
                count=form.cleaned_data["count"],
                batch=form.cleaned_data["batch"],
            )
        except NotPermitted as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except DomainError as exc:
            apply_domain_error(form, exc)
            return self.page(request, rnd, form, status=exc.status_code)
        codes = []
        for n, raw in enumerate(raws, start=1):
            url = request.build_absolute_uri(reverse("residents:answer", args=[raw]))
            codes.append({"n": n, "url": url, "svg": qr_svg(url)})
        response = render(
            request,
            "assessments/residents/token_print.html",
            {
                "round": rnd,
                "plan": rnd.plan,
                "contract": contract,
                "community": community,
                "batch": form.cleaned_data["batch"],
                "codes": codes,
            },
        )
        # The raw tokens exist only in this response.
        response["Cache-Control"] = "no-store"
        return response
