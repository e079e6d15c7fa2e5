"""HTML input parsing for procurement pages. The rules live in `services`; a form only
turns posted text into the shape a service takes, and puts a service's field errors
back on the field the user typed into."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django import forms
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from catalogue.choices import OutsourceScope
from catalogue.validation import purchase_refusal
from core.exceptions import DomainError
from core.forms import form_service_call as core_form_service_call

from .choices import BondForm, BudgetSource, CriterionKind, Method, ScoringMethod

KIND_WORDS = {
    "主观": CriterionKind.SUBJECTIVE,
    "主观分": CriterionKind.SUBJECTIVE,
    "subjective": CriterionKind.SUBJECTIVE,
    "客观": CriterionKind.OBJECTIVE,
    "客观分": CriterionKind.OBJECTIVE,
    "objective": CriterionKind.OBJECTIVE,
}


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _split(line: str) -> list[str]:
    return [part.strip() for part in line.replace("｜", "|").split("|")]


def apply_service_errors(
    form: forms.Form, exc: DomainError, targets: dict[str, str] | None = None
) -> None:
    """Put a service's `fields` on the form: `lots.2.budget` on `lot-2-budget`,
    `criteria.2` on `criteria` ("第2项：…"), `prices.7` on `price_7`; anything else
    goes above the form with a readable label, never a raw key."""
    targets = targets or {}
    placed = False
    for key, messages in exc.fields.items():
        target, prefix = _target(key, targets)
        for message in messages:
            text = f"{prefix}{message}"
            if target in form.fields:
                form.add_error(target, text)
            else:
                form.add_error(None, text)
            placed = True
    if not placed:
        form.add_error(None, str(exc.message))


def form_service_call(
    form: forms.Form,
    call: Callable[[], Any],
    targets: dict[str, str] | None = None,
    *,
    as_permission_denied: bool = False,
) -> tuple[bool, Any, int]:
    """`core.forms.form_service_call` with the procurement forms' error placement
    (`apply_service_errors` with `targets`)."""
    return core_form_service_call(
        form,
        call,
        place=lambda f, exc: apply_service_errors(f, exc, targets),  # type: ignore[arg-type]
        as_permission_denied=as_permission_denied,
    )


def _target(key: str, targets: dict[str, str]) -> tuple[str | None, str]:
    if key in targets:
        return targets[key], ""
    parts = key.split(".")
    if parts[0] == "lots" and len(parts) >= 3:
        return f"lot-{parts[1]}-{parts[2]}", ""
    if parts[0] in ("criteria", "payment_terms") and len(parts) == 2:
        return parts[0], _g("第%(n)s项：") % {"n": parts[1]}
    if parts[0] == "prices" and len(parts) == 2:
        return f"price_{parts[1]}", ""
    if parts[0] == "conditions" and len(parts) == 2:
        return f"met_{parts[1]}", ""
    return key, ""


# --- the project -----------------------------------------------------------------------

# A lot's fields are `lot-<n>-<key>`; the form holds `lots` of them.
LOT_FIELDS = (
    "name",
    "budget",
    "ceiling",
    "budget_source",
    "budget_note",
    "communities",
    "items",
)
LOT_FIELD_RE = re.compile(r"^lot-(\d+)-(\w+)$")
MAX_LOTS = 50


def lot_field(n: int, key: str) -> str:
    return f"lot-{n}-{key}"


def lot_count_of(source: Any) -> int:
    """How many lots a form shows: the `lots` count, or the highest lot number among
    the fields given (whichever is more), at least 1 and at most MAX_LOTS."""
    count = 1
    raw = str(source.get("lots") or "").strip() if source else ""
    if raw.isdigit() and len(raw) < 4:
        count = int(raw)
    for key in source or ():
        m = LOT_FIELD_RE.match(str(key))
        if m and m.group(2) in LOT_FIELDS and len(m.group(1)) < 4:
            count = max(count, int(m.group(1)))
    return max(1, min(count, MAX_LOTS))


def _lot_fields(
    communities: list[tuple[str, str]],
    items: list[tuple[str, list[tuple[str, str]]]],
    disabled: set[str],
) -> dict[str, forms.Field]:
    """One lot's fields (fresh instances, so each lot has its own widgets)."""
    item_field = forms.MultipleChoiceField(
        label=_("服务事项"),
        required=False,
        choices=items,
        help_text=_("来自已发布的购买目录；禁止购买的事项不可选。按住 Ctrl 可多选。"),
        widget=ItemSelect(
            attrs={"size": 14, "style": "min-width:100%"}, disabled_values=disabled
        ),
    )
    item_field.widget.choices = item_field.choices
    return {
        "name": forms.CharField(label=_("包名称"), max_length=200, required=False),
        "budget": forms.CharField(label=_("预算金额（元）"), required=False),
        "ceiling": forms.CharField(
            label=_("最高限价（元）"),
            required=False,
            help_text=_("为空时以预算金额为最高限价。"),
        ),
        "budget_source": forms.ChoiceField(
            label=_("资金来源"),
            required=False,
            choices=[("", _("请选择"))] + list(BudgetSource.choices),
        ),
        "budget_note": forms.CharField(
            label=_("预算科目"), max_length=200, required=False
        ),
        "communities": forms.MultipleChoiceField(
            label=_("服务社区"),
            required=False,
            choices=communities,
            widget=forms.CheckboxSelectMultiple,
        ),
        "items": item_field,
    }


class ItemSelect(forms.SelectMultiple):
    """A multi-select whose items that may not be bought are shown but disabled."""

    def __init__(self, *args: Any, disabled_values: set[str] | None = None, **kw: Any):
        super().__init__(*args, **kw)
        self.disabled_values = disabled_values or set()

    def create_option(
        self, name, value, label, selected, index, subindex=None, attrs=None
    ):  # noqa: PLR0913
        option = super().create_option(
            name, value, label, selected, index, subindex=subindex, attrs=attrs
        )
        if str(value) in self.disabled_values:
            option["attrs"]["disabled"] = True
        return option


class ProjectForm(forms.Form):
    """采购项目 with its lots (`lot-<n>-<key>` fields, `lot_count` of them). Criteria, conditions and payment terms are typed one per
    line; the service checks every rule."""

    buyer = forms.ChoiceField(label=_("采购人"), required=False)
    title = forms.CharField(label=_("项目名称"), max_length=200)
    fiscal_year = forms.IntegerField(
        label=_("预算年度"), min_value=2000, max_value=2100
    )
    method = forms.ChoiceField(
        label=_("采购方式"),
        required=False,
        choices=[("", _("按规则推荐"))] + list(Method.choices),
        help_text=_("留空时按预算金额和本辖区的规则参数选择。"),
    )
    description = forms.CharField(
        label=_("采购需求概述"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    scoring_method = forms.ChoiceField(
        label=_("评审方法"),
        choices=ScoringMethod.choices,
        initial=ScoringMethod.COMPREHENSIVE,
    )
    price_weight = forms.CharField(
        label=_("价格分值"),
        required=False,
        initial="30",
        help_text=_("综合评分法中价格分占100分的分值。"),
    )
    criteria = forms.CharField(
        label=_("评分因素"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行一项：编码|名称|分值|主观或客观（如：plan|服务方案|40|主观）"),
    )
    qualification_conditions = forms.CharField(
        label=_("特定资格条件"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("每行一项。"),
    )
    term_years = forms.IntegerField(label=_("服务期限（年）"), min_value=1, initial=1)
    multi_year_stated = forms.BooleanField(
        label=_("选择多年期合同并在采购文件中载明"), required=False
    )
    payment_terms = forms.CharField(
        label=_("付款安排"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一期：名称|比例|支付条件（如：首付|40|合同签订后）"),
    )
    acceptance_plan = forms.CharField(
        label=_("验收方案"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    sme_exemption = forms.BooleanField(
        label=_("不专门面向中小企业（SME-04）"), required=False
    )
    sme_exemption_reason = forms.CharField(
        label=_("不预留理由"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    bid_bond = forms.CharField(label=_("投标保证金（元）"), required=False, initial="0")

    def __init__(
        self,
        *args: Any,
        buyers: list[Any],
        communities: list[Any],
        items: list[Any],
        fixed_buyer: bool = False,
        lot_count: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["buyer"].choices = [(str(b.pk), b.name) for b in buyers]
        if fixed_buyer or len(buyers) == 1:
            self.fields["buyer"].widget = forms.HiddenInput()
            if buyers:
                self.fields["buyer"].initial = str(buyers[0].pk)
        several = len({c.parent_id for c in communities}) > 1
        community_choices = [
            (
                str(c.pk),
                f"{c.parent.short_name or c.parent.name} · {c.name}"
                if several
                else c.name,
            )
            for c in communities
        ]
        groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
        disabled: set[str] = set()
        for item in items:
            label = f"{item.code} {item.name}"
            refusal = purchase_refusal(item)
            if item.outsource_scope == OutsourceScope.PROHIBITED:
                disabled.add(str(item.pk))
                label += _g("（不得购买：%(r)s）") % {
                    "r": item.prohibited_reason or _g("禁止购买")
                }
            elif refusal:
                disabled.add(str(item.pk))
                label += _g("（不得购买：只能购买辅助环节）")
            elif item.outsource_scope == OutsourceScope.AUX_ONLY:
                label += _g("（仅购买辅助环节）")
            domain = f"{item.domain.code} {item.domain.name}"
            groups[domain].append((str(item.pk), label))
        if lot_count is None:
            lot_count = lot_count_of(self.data if self.is_bound else self.initial)
        self.lot_count = max(1, min(lot_count, MAX_LOTS))
        for n in range(1, self.lot_count + 1):
            for name, field in _lot_fields(
                community_choices, list(groups.items()), disabled
            ).items():
                self.fields[lot_field(n, name)] = field

    def lot_blocks(self) -> list[dict[str, Any]]:
        """Each lot's fields, in order, for the template: number, the budget field
        (rendered with the method preview) and the others."""
        return [
            {
                "number": n,
                "fields": [self[lot_field(n, name)] for name in LOT_FIELDS],
                "budget": self[lot_field(n, "budget")],
                "removable": self.lot_count > 1,
            }
            for n in range(1, self.lot_count + 1)
        ]

    def is_lot_field(self, name: str) -> bool:
        return LOT_FIELD_RE.match(name) is not None

    def reshaped(
        self, *, remove: int | None = None, add: bool = False
    ) -> dict[str, Any]:
        """The values as typed, as an unbound form's `initial`, with lot `remove`
        taken out (later lots move up) or one empty lot added at the end."""
        values: dict[str, Any] = {}
        for name, field in self.fields.items():
            if not self.is_lot_field(name):
                values[name] = field.widget.value_from_datadict(
                    self.data, self.files, self.add_prefix(name)
                )
        lots = [
            {
                key: self.fields[lot_field(n, key)].widget.value_from_datadict(
                    self.data, self.files, self.add_prefix(lot_field(n, key))
                )
                for key in LOT_FIELDS
            }
            for n in range(1, self.lot_count + 1)
            if n != remove
        ]
        if add and len(lots) < MAX_LOTS:
            lots.append({})
        lots = lots or [{}]
        for n, lot in enumerate(lots, start=1):
            for key, value in lot.items():
                values[lot_field(n, key)] = value
        values["lots"] = len(lots)
        return values

    def clean_criteria(self) -> list[dict[str, str]]:
        out = []
        for n, line in enumerate(_lines(self.cleaned_data["criteria"]), start=1):
            parts = _split(line)
            if len(parts) not in (3, 4):
                raise forms.ValidationError(
                    _g("第%(n)s行应写成“编码|名称|分值|主观或客观”。") % {"n": n}
                )
            kind = CriterionKind.SUBJECTIVE
            if len(parts) == 4:
                kind = KIND_WORDS.get(parts[3].lower(), parts[3])
                if kind not in CriterionKind.values:
                    raise forms.ValidationError(
                        _g("第%(n)s行的类型应为“主观”或“客观”。") % {"n": n}
                    )
            out.append(
                {"code": parts[0], "name": parts[1], "weight": parts[2], "kind": kind}
            )
        return out

    def clean_payment_terms(self) -> list[dict[str, str]]:
        out = []
        for n, line in enumerate(_lines(self.cleaned_data["payment_terms"]), start=1):
            parts = _split(line)
            if len(parts) not in (2, 3):
                raise forms.ValidationError(
                    _g("第%(n)s行应写成“名称|比例|支付条件”。") % {"n": n}
                )
            out.append(
                {
                    "name": parts[0],
                    "share": parts[1].rstrip("%％"),
                    "condition": parts[2] if len(parts) == 3 else "",
                }
            )
        return out

    def clean_qualification_conditions(self) -> list[str]:
        return _lines(self.cleaned_data["qualification_conditions"])

    def service_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "title": d["title"],
            "fiscal_year": d["fiscal_year"],
            "method": d["method"],
            "description": d["description"],
            "scoring_method": d["scoring_method"],
            "price_weight": d["price_weight"],
            "criteria": d["criteria"],
            "qualification_conditions": d["qualification_conditions"],
            "term_years": d["term_years"],
            "multi_year_stated": d["multi_year_stated"],
            "payment_terms": d["payment_terms"],
            "acceptance_plan": d["acceptance_plan"],
            "sme_exemption": d["sme_exemption"],
            "sme_exemption_reason": d["sme_exemption_reason"],
            "bid_bond": d["bid_bond"],
            "lots": [
                {
                    "name": d[lot_field(n, "name")],
                    "budget": d[lot_field(n, "budget")],
                    "ceiling": d[lot_field(n, "ceiling")],
                    "budget_source": d[lot_field(n, "budget_source")],
                    "budget_note": d[lot_field(n, "budget_note")],
                    "communities": [int(c) for c in d[lot_field(n, "communities")]],
                    "items": [int(i) for i in d[lot_field(n, "items")]],
                }
                for n in range(1, self.lot_count + 1)
            ],
        }


def project_initial(data: dict[str, Any], buyer: Any) -> dict[str, Any]:
    """The edit form's initial values from `services.project_data`, every lot."""
    out = {
        "buyer": str(buyer.pk),
        "title": data["title"],
        "fiscal_year": data["fiscal_year"],
        "method": data["method"],
        "description": data["description"],
        "scoring_method": data["scoring_method"],
        "price_weight": data["price_weight"],
        "criteria": "\n".join(
            "{}|{}|{}|{}".format(
                c["code"],
                c["name"],
                c["weight"],
                "客观" if c.get("kind") == CriterionKind.OBJECTIVE else "主观",
            )
            for c in data["criteria"]
        ),
        "qualification_conditions": "\n".join(data["qualification_conditions"]),
        "term_years": data["term_years"],
        "multi_year_stated": data["multi_year_stated"],
        "payment_terms": "\n".join(
            "{}|{}|{}".format(t["name"], t["share"], t["condition"])
            for t in data["payment_terms"]
        ),
        "acceptance_plan": data["acceptance_plan"],
        "sme_exemption": data["sme_exemption"],
        "sme_exemption_reason": data["sme_exemption_reason"],
        "bid_bond": data["bid_bond"],
    }
    lots = data.get("lots") or [{}]
    for n, lot in enumerate(lots, start=1):
        out[lot_field(n, "name")] = lot.get("name", "")
        out[lot_field(n, "budget")] = lot.get("budget", "")
        out[lot_field(n, "ceiling")] = lot.get("ceiling", "")
        out[lot_field(n, "budget_source")] = lot.get("budget_source", "")
        out[lot_field(n, "budget_note")] = lot.get("budget_note", "")
        out[lot_field(n, "communities")] = [str(c) for c in lot.get("communities", [])]
        out[lot_field(n, "items")] = [str(i) for i in lot.get("items", [])]
    out["lots"] = len(lots)
    return out


# --- the procedure's steps ----------------------------------------------------------------


class EmptyForm(forms.Form):
    """An action that needs nothing but the click."""


class DocumentForm(forms.Form):
    note = forms.CharField(label=_("变更说明"), max_length=255, required=False)


class AnnounceForm(forms.Form):
    bid_deadline = forms.DateTimeField(
        label=_("投标（响应）截止时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    documents_from = forms.DateField(
        label=_("文件发售起"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("为空时为公告发布当日。"),
    )
    documents_until = forms.DateField(
        label=_("文件发售止"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("为空时取规则允许的最短期限。"),
    )
    urgent_reason = forms.CharField(
        label=_("紧急情况说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("因不可预见的紧急情况未提前公开采购意向时填写（TL-01）。"),
    )


class CorrectionForm(forms.Form):
    body = forms.CharField(
        label=_("更正内容"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    affects_bids = forms.BooleanField(
        label=_("影响投标文件编制（截止时间可能顺延，TL-05）"), required=False
    )


class CommitteeForm(forms.Form):
    experts = forms.IntegerField(label=_("抽取专家人数"), min_value=1, max_value=99)
    buyer_representatives = forms.MultipleChoiceField(
        label=_("采购人代表"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, officers: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.officers = {str(u.pk): u for u in officers}
        self.fields["buyer_representatives"].choices = [
            (str(u.pk), str(u)) for u in officers
        ]

    def representatives(self) -> list[Any]:
        return [self.officers[k] for k in self.cleaned_data["buyer_representatives"]]


class ReplaceMemberForm(forms.Form):
    replacement = forms.ChoiceField(label=_("替换为"), required=False)

    def __init__(self, *args: Any, officers: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.officers = {str(u.pk): u for u in officers}
        self.fields["replacement"].choices = [("", _("（专家从专家库重新抽取）"))] + [
            (str(u.pk), str(u)) for u in officers
        ]

    def user(self) -> Any:
        return self.officers.get(self.cleaned_data.get("replacement") or "")


class CloseQualificationForm(forms.Form):
    continue_with_fewer = forms.BooleanField(
        label=_("合格供应商不足时，按规则允许的情形继续（SUP-04、SUP-06）"),
        required=False,
    )
    approval = forms.CharField(
        label=_("财政部门批准文件"),
        required=False,
        max_length=200,
        help_text=_("公开招标只有两家合格时继续采购，须经同级财政部门批准（SUP-04）。"),
    )


class QualifyForm(forms.Form):
    """One yes/no and note per project condition (`met_<n>`, `note_<n>`)."""

    def __init__(self, *args: Any, conditions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.conditions = conditions
        for n, text in enumerate(conditions, start=1):
            self.fields[f"met_{n}"] = forms.ChoiceField(
                label=text,
                choices=[("yes", _("符合")), ("no", _("不符合"))],
                widget=forms.RadioSelect,
                required=False,
            )
            self.fields[f"note_{n}"] = forms.CharField(
                label=_("说明"), required=False, max_length=500
            )

    def rows(self) -> list[tuple[Any, Any]]:
        return [
            (self[f"met_{n}"], self[f"note_{n}"])
            for n in range(1, len(self.conditions) + 1)
        ]

    def service_conditions(self) -> dict[str, dict[str, Any]]:
        out = {}
        for n in range(1, len(self.conditions) + 1):
            met = self.cleaned_data.get(f"met_{n}")
            if met in ("yes", "no"):
                out[str(n)] = {
                    "met": met == "yes",
                    "note": self.cleaned_data.get(f"note_{n}", ""),
                }
        return out


class ReturnSheetsForm(forms.Form):
    case = forms.ChoiceField(label=_("法定情形（SC-11）"))
    members = forms.MultipleChoiceField(
        label=_("退回评分的成员"), required=False, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self, *args: Any, cases: dict[str, str], members: list[Any], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["case"].choices = [("", _("请选择"))] + [
            (k, _g(v)) for k, v in cases.items()
        ]
        self.members = {str(m.pk): m for m in members}
        self.fields["members"].choices = [(str(m.pk), str(m.user)) for m in members]

    def chosen(self) -> list[Any]:
        return [self.members[k] for k in self.cleaned_data["members"]]


class TerminateForm(forms.Form):
    reason = forms.CharField(
        label=_("终止理由"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class ChallengeAnswerForm(forms.Form):
    reply = forms.CharField(
        label=_("答复内容"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    upheld = forms.BooleanField(label=_("质疑成立"), required=False)


# --- vendors ----------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the service checks each one's type and size."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class BidForm(forms.Form):
    """投标 / 响应文件: a price per lot (`price_<lot pk>`), the response, the declarations,
    the bond and files. Prices stay text so the service names every fault."""

    technical_response = forms.CharField(
        label=_("技术（服务）响应"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    declare_no_conflict = forms.BooleanField(
        label=_("本组织与采购人、评审专家及其他投标人不存在利害关系（CR-07）"),
        required=False,
    )
    declare_credit = forms.BooleanField(
        label=_(
            "本组织未被列入失信被执行人、重大税收违法失信主体、政府采购严重违法失信行为记录名单（CR-01）"
        ),
        required=False,
    )
    conflict_note = forms.CharField(
        label=_("其他需要说明的情况"), required=False, max_length=1000
    )
    sme = forms.BooleanField(label=_("享受小微企业价格扣除"), required=False)
    bond_form = forms.ChoiceField(
        label=_("保证金形式"), choices=BondForm.choices, initial=BondForm.NONE
    )
    bond_amount = forms.CharField(label=_("保证金金额（元）"), required=False)
    files = MultipleFileField(
        label=_("投标文件附件（PDF、JPEG 或 PNG，可多选）"), required=False
    )

    def __init__(self, *args: Any, lots: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        price_fields = {}
        for lot in lots:
            price_fields[f"price_{lot.pk}"] = forms.CharField(
                label=_g("第%(n)s包 %(name)s 报价（元）")
                % {"n": lot.number, "name": lot.name},
                required=False,
                help_text=_g("最高限价 ¥%(c)s") % {"c": f"{lot.max_price:,.2f}"},
            )
        # Prices first, then the rest in declaration order.
        self.fields = {**price_fields, **self.fields}
        self.lots = lots

    def service_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "prices": {str(lot.pk): d.get(f"price_{lot.pk}", "") for lot in self.lots},
            "technical_response": d["technical_response"],
            "declare_no_conflict": d["declare_no_conflict"],
            "declare_credit": d["declare_credit"],
            "conflict_note": d["conflict_note"],
            "sme": d["sme"],
            "bond_form": d["bond_form"],
            "bond_amount": d["bond_amount"],
        }


class ChallengeForm(forms.Form):
    grounds = forms.CharField(
        label=_("质疑事项和理由"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("质疑应一次性提出（TL-21）。"),
    )


# --- the committee ------------------------------------------------------------------------


class DeclareForm(forms.Form):
    conflict = forms.ChoiceField(
        label=_("与投标人是否存在利害关系"),
        choices=[("no", _("不存在")), ("yes", _("存在，申请回避"))],
        widget=forms.RadioSelect,
        initial="no",
    )
    declaration = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AbnormalForm(forms.Form):
    explanation = forms.CharField(
        label=_("投标人的书面说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    accepted = forms.ChoiceField(
        label=_("认定"),
        choices=[("yes", _("能够证明报价合理，接受")), ("no", _("不能证明，投标无效"))],
        widget=forms.RadioSelect,
    )


class SignForm(forms.Form):
    agrees = forms.ChoiceField(
        label=_("评审结论"),
        choices=[("yes", _("同意")), ("no", _("不同意"))],
        widget=forms.RadioSelect,
        initial="yes",
    )
    dissent = forms.CharField(
        label=_("不同意见及理由"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
