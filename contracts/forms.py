"""HTML input parsing for the contract pages. The rules live in `services`; a form
only turns posted text into the shape a service takes and puts a service's field
errors back on the field the user typed into (`core.forms.place_errors`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from core.ids import as_id
from core.money import parse_yuan
from procurement.forms import MultipleFileField

from .choices import (
    ChangeKind,
    ChangeReason,
    EvidenceKind,
    Grade,
    OpinionSource,
    StandardResult,
    TerminationKind,
    TrancheKind,
)

DATE = {"widget": forms.DateInput(attrs={"type": "date"})}
TEXTAREA = {"widget": forms.Textarea(attrs={"rows": 3})}
MAX_TRANCHES = 12
MAX_ITEM_CHANGES = 10
MAX_OPINIONS = 8


def _date(raw: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(raw or "").strip())
    except ValueError:
        return None


def _decimal(raw: Any) -> Decimal | None:
    text = str(raw or "").strip().replace("%", "").replace("％", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() and abs(value) < Decimal("1e9") else None


class YuanField(forms.CharField):
    """An amount in yuan as typed (commas, ¥); `signed` allows a leading minus."""

    def __init__(self, *args: Any, signed: bool = False, **kwargs: Any) -> None:
        self.signed = signed
        kwargs.setdefault("max_length", 40)
        super().__init__(*args, **kwargs)

    def clean(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().clean(value)
        if not text:
            return None
        negative = self.signed and text.strip().startswith(("-", "－"))
        try:
            amount = parse_yuan(text.strip().lstrip("-－") if negative else text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return -amount if negative else amount


class EmptyForm(forms.Form):
    """An action that needs nothing but the click."""


# --- the contract from an award ----------------------------------------------------------

TRANCHE_KEYS = (
    "kind",
    "share",
    "due_on",
    "needs_acceptance",
    "period_label",
    "min_grade",
    "deduction_share",
)


def tranche_field(n: int, key: str) -> str:
    return f"t-{n}-{key}"


def tranche_row_count(data: Any, default: int) -> int:
    """How many tranche rows to show: the posted rows (bounded), else the defaults
    and two spare ones."""
    rows = as_id((data or {}).get("tranche_rows")) if data else None
    if rows is None:
        rows = default + 2
    return max(1, min(rows, MAX_TRANCHES))


class TrancheRowsMixin:
    """Rows `t-<n>-<key>` of payment tranches; a row with no share is empty and left
    out. `tranches` carries the table's own errors (e.g. not summing to 100 %)."""

    def add_tranche_fields(self, rows: int) -> None:
        self.tranche_count = rows
        self.fields["tranche_rows"] = forms.IntegerField(
            widget=forms.HiddenInput, required=False
        )
        self.initial.setdefault("tranche_rows", rows)
        self.fields["tranches"] = forms.CharField(
            label=_("付款分期"), required=False, widget=forms.HiddenInput
        )
        kinds = [("", "—"), *TrancheKind.choices]
        grades = [("", _("不挂钩")), *Grade.choices]
        for n in range(1, rows + 1):
            self.fields[tranche_field(n, "kind")] = forms.ChoiceField(
                label=_("类型"), choices=kinds, required=False
            )
            self.fields[tranche_field(n, "share")] = forms.CharField(
                label=_("比例（%）"), required=False, max_length=12
            )
            self.fields[tranche_field(n, "due_on")] = forms.DateField(
                label=_("计划支付日期"), required=False, **DATE
            )
            self.fields[tranche_field(n, "needs_acceptance")] = forms.BooleanField(
                label=_("须验收合格"), required=False
            )
            self.fields[tranche_field(n, "period_label")] = forms.CharField(
                label=_("对应履约期"), required=False, max_length=60
            )
            self.fields[tranche_field(n, "min_grade")] = forms.ChoiceField(
                label=_("考核等级门槛"), choices=grades, required=False
            )
            self.fields[tranche_field(n, "deduction_share")] = forms.CharField(
                label=_("低于门槛扣减（%）"), required=False, max_length=12
            )

    def tranche_table(self) -> list[dict[str, Any]]:
        """The rows for the template: n and each key's bound field."""
        return [
            {
                "n": n,
                **{k: self[tranche_field(n, k)] for k in TRANCHE_KEYS},  # type: ignore[index]
            }
            for n in range(1, self.tranche_count + 1)
        ]

    def map_error_key(self, key: str) -> str | None:
        """`tranches.<i>.<field>` (i counts the rows sent) → the table's cell."""
        parts = key.split(".")
        if parts[0] != "tranches" or len(parts) < 2 or not parts[1].isdigit():
            return None
        sent = getattr(self, "tranche_sent_rows", [])
        i = int(parts[1]) - 1
        if not 0 <= i < len(sent):
            return "tranches"
        name = tranche_field(sent[i], parts[2] if len(parts) > 2 else "share")
        return name if name in self.fields else "tranches"  # type: ignore[attr-defined]

    def clean_tranche_rows_data(self, cleaned: dict[str, Any]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        self.tranche_sent_rows: list[int] = []
        for n in range(1, self.tranche_count + 1):
            share_raw = cleaned.get(tranche_field(n, "share")) or ""
            kind = cleaned.get(tranche_field(n, "kind")) or ""
            if not share_raw.strip() and not kind:
                continue
            share = _decimal(share_raw)
            if share is None or share <= 0 or share > 100:
                self.add_error(  # type: ignore[attr-defined]
                    tranche_field(n, "share"), _g("比例须为大于0、不超过100的数。")
                )
                continue
            if not kind:
                self.add_error(  # type: ignore[attr-defined]
                    tranche_field(n, "kind"), _g("请选择类型。")
                )
                continue
            deduction_raw = cleaned.get(tranche_field(n, "deduction_share")) or ""
            deduction = _decimal(deduction_raw) if deduction_raw.strip() else Decimal(0)
            if deduction is None or deduction < 0 or deduction > 100:
                self.add_error(  # type: ignore[attr-defined]
                    tranche_field(n, "deduction_share"),
                    _g("扣减比例须在0到100之间。"),
                )
                continue
            out.append(
                {
                    "kind": kind,
                    "share": share,
                    "due_on": cleaned.get(tranche_field(n, "due_on")),
                    "needs_acceptance": bool(
                        cleaned.get(tranche_field(n, "needs_acceptance"))
                    ),
                    "period_label": (
                        cleaned.get(tranche_field(n, "period_label")) or ""
                    ).strip(),
                    "min_grade": cleaned.get(tranche_field(n, "min_grade")) or "",
                    "deduction_share": deduction,
                }
            )
            self.tranche_sent_rows.append(n)
        if not out:
            self.add_error("tranches", _g("请至少填写一期付款。"))  # type: ignore[attr-defined]
        return out


def tranche_initial(tranches: list[dict[str, Any]]) -> dict[str, Any]:
    """Form initial values from tranche dicts (the rule's default, or saved ones)."""
    initial: dict[str, Any] = {}
    for n, t in enumerate(tranches, start=1):
        for key in TRANCHE_KEYS:
            value = t.get(key)
            if value is None:
                continue
            if key in ("share", "deduction_share"):
                value = f"{Decimal(str(value)):f}"
                if "." in value:
                    value = value.rstrip("0").rstrip(".")
            initial[tranche_field(n, key)] = value
    return initial


class ContractCreateForm(TrancheRowsMixin, forms.Form):
    """签订合同 from a final award: term, bond and the payment tranches."""

    code = forms.CharField(
        label=_("合同编号"),
        required=False,
        max_length=40,
        help_text=_("为空时自动编号。"),
    )
    start_on = forms.DateField(label=_("履行期限起"), **DATE)
    end_on = forms.DateField(label=_("履行期限止"), **DATE)
    performance_bond = YuanField(
        label=_("履约保证金（元）"),
        required=False,
        help_text=_("不超过合同金额的10%，非现金形式（BD-04）；不收取则留空。"),
    )
    bond_form = forms.CharField(
        label=_("保证金形式"),
        required=False,
        max_length=60,
        help_text=_("如：银行保函、保险保函。"),
    )

    def __init__(self, *args: Any, rows: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_tranche_fields(rows)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start_on"), cleaned.get("end_on")
        if start and end and end < start:
            self.add_error("end_on", _g("履行期限止不能早于起始日期。"))
        cleaned["tranche_list"] = self.clean_tranche_rows_data(cleaned)
        return cleaned

    def main_fields(self) -> list[Any]:
        return [
            self[n]
            for n in ("code", "start_on", "end_on", "performance_bond", "bond_form")
        ]

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "start_on": d["start_on"],
            "end_on": d["end_on"],
            "code": d.get("code") or None,
            "performance_bond": d.get("performance_bond"),
            "bond_form": d.get("bond_form") or "",
            "tranches": d["tranche_list"],
        }


# --- the contract's own actions ------------------------------------------------------------


class CountersignForm(forms.Form):
    signed_on = forms.DateField(
        label=_("签订日期"),
        required=False,
        help_text=_("为空时为今日。公开（2个工作日）和备案（7个工作日）期限由此起算。"),
        **DATE,
    )


class PublicationForm(forms.Form):
    published_on = forms.DateField(label=_("公开日期"), **DATE)
    url = forms.URLField(
        label=_("公开网址"), required=False, max_length=200, assume_scheme="https"
    )


class FilingForm(forms.Form):
    filed_on = forms.DateField(label=_("备案日期"), **DATE)
    ref = forms.CharField(label=_("备案编号"), required=False, max_length=80)


class TerminateForm(forms.Form):
    kind = forms.ChoiceField(label=_("终止类型"), choices=TerminationKind.choices)
    reason = forms.CharField(label=_("终止理由"), max_length=4000, **TEXTAREA)
    terminated_on = forms.DateField(label=_("终止日期"), **DATE)


class CompleteForm(forms.Form):
    completed_on = forms.DateField(
        label=_("履行完毕日期"), required=False, help_text=_("为空时为今日。"), **DATE
    )


class TranchePayForm(forms.Form):
    paid_on = forms.DateField(label=_("支付日期"), **DATE)
    payment_ref = forms.CharField(label=_("支付凭证号"), required=False, max_length=80)


# --- changes -------------------------------------------------------------------------------


class ChangeForm(forms.Form):
    """变更 / 补充协议: kind, rationale code and text, value, end date and item targets
    (rows `ic-<n>-item`, `ic-<n>-community`, `ic-<n>-target`)."""

    kind = forms.ChoiceField(label=_("类型"), choices=ChangeKind.choices)
    reason_code = forms.ChoiceField(label=_("变更事由"), choices=ChangeReason.choices)
    rationale = forms.CharField(label=_("变更理由"), max_length=4000, **TEXTAREA)
    value_delta = YuanField(
        label=_("金额变化（元）"),
        signed=True,
        required=False,
        help_text=_(
            "追加为正，核减为负；追加同一标的累计不得超过原合同金额的10%（CT-01）。"
        ),
    )
    new_end_on = forms.DateField(label=_("新的履行期限止"), required=False, **DATE)
    item_changes_rows = forms.CharField(
        label=_("事项目标变化"), required=False, widget=forms.HiddenInput
    )

    def __init__(
        self,
        *args: Any,
        items: list[tuple[int, str]],
        communities: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.row_count = MAX_ITEM_CHANGES // 2
        item_choices = [("", "—"), *[(str(k), v) for k, v in items]]
        community_choices = [("", "—"), *[(str(k), v) for k, v in communities]]
        for n in range(1, self.row_count + 1):
            self.fields[f"ic-{n}-item"] = forms.ChoiceField(
                label=_("服务事项"), choices=item_choices, required=False
            )
            self.fields[f"ic-{n}-community"] = forms.ChoiceField(
                label=_("社区"), choices=community_choices, required=False
            )
            self.fields[f"ic-{n}-target"] = forms.IntegerField(
                label=_("新的目标数量"), required=False, min_value=0, max_value=10**7
            )

    def main_fields(self) -> list[Any]:
        return [
            self[n]
            for n in ("kind", "reason_code", "rationale", "value_delta", "new_end_on")
        ]

    def item_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "n": n,
                "item": self[f"ic-{n}-item"],
                "community": self[f"ic-{n}-community"],
                "target": self[f"ic-{n}-target"],
            }
            for n in range(1, self.row_count + 1)
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        rows = []
        self.sent_rows: list[int] = []
        for n in range(1, self.row_count + 1):
            item = cleaned.get(f"ic-{n}-item")
            community = cleaned.get(f"ic-{n}-community")
            target = cleaned.get(f"ic-{n}-target")
            if not item and not community and target is None:
                continue
            if not item or not community or target is None:
                self.add_error(
                    f"ic-{n}-target", _g("请同时选择事项、社区并填写目标数量。")
                )
                continue
            rows.append(
                {"item": int(item), "community": int(community), "target": target}
            )
        cleaned["item_changes"] = rows
        return cleaned

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "kind": d["kind"],
            "reason_code": d["reason_code"],
            "rationale": d["rationale"],
            "value_delta": d.get("value_delta") or Decimal(0),
            "new_end_on": d.get("new_end_on"),
            "item_changes": d["item_changes"] or None,
        }


class NoteForm(forms.Form):
    note = forms.CharField(label=_("意见"), required=False, max_length=4000, **TEXTAREA)


class RequiredNoteForm(forms.Form):
    note = forms.CharField(label=_("理由"), max_length=4000, **TEXTAREA)


# --- extensions ----------------------------------------------------------------------------


class ExtensionForm(forms.Form):
    contract_item = forms.ChoiceField(
        label=_("延期范围"),
        required=False,
        help_text=_("整个合同，或其中一项服务事项（某社区）。"),
    )
    requested_end_on = forms.DateField(label=_("申请延至"), **DATE)
    reason = forms.CharField(label=_("延期理由"), max_length=4000, **TEXTAREA)

    def __init__(self, *args: Any, items: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contract_item"].choices = [
            ("", _("整个合同")),
            *[(str(k), v) for k, v in items],
        ]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("审批意见"), required=False, max_length=4000, **TEXTAREA
    )


class RequiredReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=4000, **TEXTAREA)


# --- delivery, residual and extra work -----------------------------------------------------


class DeliveryForm(forms.Form):
    """服务记录: one item in one community over a period, with its evidence."""

    item = forms.ChoiceField(label=_("服务事项"))
    community = forms.ChoiceField(label=_("社区"))
    period_start = forms.DateField(label=_("期间起"), **DATE)
    period_end = forms.DateField(label=_("期间止"), **DATE)
    count = forms.IntegerField(label=_("数量"), min_value=0, max_value=10**7)
    notes = forms.CharField(
        label=_("说明"), required=False, max_length=4000, **TEXTAREA
    )
    photos = MultipleFileField(
        label=_("照片（JPEG、PNG、WebP，可多选）"), required=False
    )
    sign_in = MultipleFileField(label=_("签到表（PDF、JPEG、PNG）"), required=False)
    files = MultipleFileField(label=_("其他文件（PDF、JPEG、PNG）"), required=False)

    def __init__(
        self,
        *args: Any,
        items: list[tuple[int, str]],
        communities: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [("", "—"), *[(str(k), v) for k, v in items]]
        self.fields["community"].choices = [
            ("", "—"),
            *[(str(k), v) for k, v in communities],
        ]
        self.fields["photos"].widget.attrs["accept"] = ".jpg,.jpeg,.png,.webp"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _g("期间止不能早于期间起。"))
        return cleaned

    def uploads(self) -> list[tuple[str, Any]]:
        d = self.cleaned_data
        return [
            *[(EvidenceKind.PHOTO.value, f) for f in d.get("photos") or []],
            *[(EvidenceKind.SIGN_IN.value, f) for f in d.get("sign_in") or []],
            *[(EvidenceKind.FILE.value, f) for f in d.get("files") or []],
        ]


class EvidenceAddForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=EvidenceKind.choices)
    files = MultipleFileField(label=_("文件（PDF、JPEG、PNG，可多选）"))


class ResidualForm(forms.Form):
    """社区自办: a contracted item community staff still do themselves."""

    item = forms.ChoiceField(label=_("服务事项"))
    community = forms.ChoiceField(label=_("社区"))
    happened_on = forms.DateField(label=_("日期"), **DATE)
    description = forms.CharField(label=_("所做工作"), max_length=4000, **TEXTAREA)
    hours = forms.DecimalField(
        label=_("工时（小时）"),
        max_digits=7,
        decimal_places=1,
        help_text=_("大于0，精确到0.1小时。"),
    )
    reason = forms.CharField(
        label=_("原因"),
        max_length=4000,
        help_text=_("为什么仍由社区工作人员自己做。"),
        **TEXTAREA,
    )

    def __init__(
        self,
        *args: Any,
        items: list[tuple[int, str]],
        communities: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [("", "—"), *[(str(k), v) for k, v in items]]
        self.fields["community"].choices = [
            ("", "—"),
            *[(str(k), v) for k, v in communities],
        ]


class ExtraWorkForm(forms.Form):
    """合同外工作: who asked, what, when, how long."""

    community = forms.ChoiceField(label=_("社区"), required=False)
    requested_by_name = forms.CharField(label=_("交办人（单位/姓名）"), max_length=120)
    description = forms.CharField(label=_("工作内容"), max_length=4000, **TEXTAREA)
    assigned_on = forms.DateField(label=_("交办日期"), **DATE)
    hours = forms.DecimalField(
        label=_("工时（小时）"),
        max_digits=7,
        decimal_places=1,
        help_text=_("大于0，精确到0.1小时。"),
    )

    def __init__(
        self, *args: Any, communities: list[tuple[int, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [
            ("", _("不限社区")),
            *[(str(k), v) for k, v in communities],
        ]


class CompensateForm(forms.Form):
    compensation = YuanField(label=_("补偿金额（元）"))
    note = forms.CharField(label=_("说明"), required=False, max_length=4000, **TEXTAREA)


# --- acceptance ----------------------------------------------------------------------------


class AcceptanceCreateForm(forms.Form):
    period_label = forms.CharField(
        label=_("履约期"), max_length=60, help_text=_("如：2015年度、2015年上半年。")
    )
    period_start = forms.DateField(label=_("期间起"), **DATE)
    period_end = forms.DateField(label=_("期间止"), **DATE)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _g("期间止不能早于期间起。"))
        return cleaned


class AcceptanceRecordForm(forms.Form):
    """The certificate (ACC-01): one row per contracted item's standard, and the
    service recipients' opinions (ACC-02, ACC-03)."""

    conclusion = forms.CharField(label=_("验收结论"), max_length=4000, **TEXTAREA)
    passed = forms.TypedChoiceField(
        label=_("验收结果"),
        choices=[("yes", _("合格")), ("no", _("不合格"))],
        coerce=lambda v: v == "yes",
    )
    accepted_on = forms.DateField(label=_("验收日期"), **DATE)
    standards = forms.CharField(required=False, widget=forms.HiddenInput)
    opinions = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, standards: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.standard_list = standards
        for n, _s in enumerate(standards, start=1):
            self.fields[f"s-{n}-result"] = forms.ChoiceField(
                label=_("结果"), choices=[("", "—"), *StandardResult.choices]
            )
            self.fields[f"s-{n}-note"] = forms.CharField(
                label=_("说明"), required=False, max_length=1000
            )
        for n in range(1, MAX_OPINIONS + 1):
            self.fields[f"o-{n}-source"] = forms.ChoiceField(
                label=_("来源"),
                choices=[("", "—"), *OpinionSource.choices],
                required=False,
            )
            self.fields[f"o-{n}-name"] = forms.CharField(
                label=_("姓名或单位"), required=False, max_length=120
            )
            self.fields[f"o-{n}-opinion"] = forms.CharField(
                label=_("意见"), required=False, max_length=2000
            )

    def standard_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "n": n,
                "standard": s,
                "result": self[f"s-{n}-result"],
                "note": self[f"s-{n}-note"],
            }
            for n, s in enumerate(self.standard_list, start=1)
        ]

    def opinion_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "n": n,
                "source": self[f"o-{n}-source"],
                "name": self[f"o-{n}-name"],
                "opinion": self[f"o-{n}-opinion"],
            }
            for n in range(1, MAX_OPINIONS + 1)
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        standards = []
        for n, s in enumerate(self.standard_list, start=1):
            standards.append(
                {
                    "item": s["item"],
                    "standard": s["standard"],
                    "result": cleaned.get(f"s-{n}-result") or "",
                    "note": (cleaned.get(f"s-{n}-note") or "").strip(),
                }
            )
        opinions = []
        self.sent_opinions: list[int] = []
        for n in range(1, MAX_OPINIONS + 1):
            source = cleaned.get(f"o-{n}-source") or ""
            name = (cleaned.get(f"o-{n}-name") or "").strip()
            opinion = (cleaned.get(f"o-{n}-opinion") or "").strip()
            if not (source or name or opinion):
                continue
            if not source or not opinion:
                self.add_error(f"o-{n}-opinion", _g("请选择来源并填写意见。"))
                continue
            opinions.append({"source": source, "name": name, "opinion": opinion})
            self.sent_opinions.append(n)
        cleaned["standard_list"] = standards
        cleaned["opinion_list"] = opinions
        return cleaned

    def map_error_key(self, key: str) -> str | None:
        """`standards.<n>.result` → row n of the certificate; `opinions.<i>.<field>`
        → the i-th opinion row sent."""
        parts = key.split(".")
        if parts[0] not in ("standards", "opinions"):
            return None
        if len(parts) < 2 or not parts[1].isdigit():
            return parts[0]
        i = int(parts[1])
        if parts[0] == "standards":
            name = f"s-{i}-result"
        else:
            sent = getattr(self, "sent_opinions", [])
            if not 0 < i <= len(sent):
                return "opinions"
            field = parts[2] if len(parts) > 2 else "opinion"
            name = f"o-{sent[i - 1]}-{field}"
        return name if name in self.fields else parts[0]


class AcceptancePublishForm(forms.Form):
    published_on = forms.DateField(label=_("结果公开日期"), **DATE)
