"""HTML input of the assessments pages: parsing and validation only; every write is
a service call (`assessments.services`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts.choices import ContractStatus
from contracts.models import Contract

from .choices import MissingGroupRule, PeriodKind, Scale

TEMPLATES = (
    ("dimensions", _("决策 / 过程 / 产出 / 效益")),
    ("items", _("按服务事项（各事项的考核标准）")),
)
NA = ""  # 不适用


class ContractChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Contract) -> str:
        return f"{obj.code} {obj.title}（{obj.vendor}）"


class PlanCreateForm(forms.Form):
    """新建考核方案: the street's contracts, the periods, a template for the
    indicator tree and the rule for a missing rater group."""

    @staticmethod
    def map_error_key(key: str) -> str | None:
        # The indicator tree comes from the template chosen here.
        return "template" if key.startswith("indicators") else None

    buyer = forms.ChoiceField(label=_("购买主体（街道办事处）"))
    name = forms.CharField(label=_("方案名称"), max_length=200)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    period_kind = forms.ChoiceField(label=_("考核周期"), choices=PeriodKind.choices)
    contracts = ContractChoiceField(
        label=_("考核的合同"),
        queryset=Contract.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("本街道履行中或履行完毕的合同。"),
    )
    template = forms.ChoiceField(label=_("指标模板"), choices=TEMPLATES)
    missing_rule = forms.ChoiceField(
        label=_("评价主体缺席时"),
        choices=MissingGroupRule.choices,
        initial=MissingGroupRule.REWEIGHT,
    )

    def __init__(self, *args: Any, buyers: list[Any], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("year", timezone.localdate().year)
        super().__init__(*args, **kwargs)
        self.buyers = {str(b.pk): b for b in buyers}
        self.fields["buyer"].choices = [(str(b.pk), str(b)) for b in buyers]
        if len(buyers) == 1:
            self.fields["buyer"].initial = str(buyers[0].pk)
            self.fields["buyer"].widget = forms.HiddenInput()
        self.fields["contracts"].queryset = (
            Contract.objects.filter(
                buyer__in=buyers,
                status__in=(ContractStatus.ACTIVE, ContractStatus.COMPLETED),
            )
            .select_related("vendor__organisation")
            .order_by("code")
        )

    def clean_buyer(self) -> Any:
        return self.buyers[self.cleaned_data["buyer"]]


class RoundOpenForm(forms.Form):
    """开启考核期: a label and the period."""

    label = forms.CharField(label=_("考核期名称"), max_length=60)
    period_start = forms.DateField(
        label=_("期间起"), widget=forms.DateInput(attrs={"type": "date"})
    )
    period_end = forms.DateField(
        label=_("期间止"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("期间止不能早于期间起。"))
        return data


def _field_for(ind: Any) -> forms.Field:
    label = f"{ind.code} {ind.name}"
    if ind.scale == Scale.LEVELS:
        levels = ind.levels or {}
        return forms.ChoiceField(
            label=label,
            required=False,
            choices=[(NA, _("不适用"))]
            + [(str(k), f"{k}（{v}%）") for k, v in levels.items()],
        )
    if ind.scale == Scale.YES_NO:
        return forms.ChoiceField(
            label=label,
            required=False,
            choices=[(NA, _("不适用")), ("yes", _("是")), ("no", _("否"))],
        )
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal(0),
        max_value=ind.max_points,
        max_digits=7,
        decimal_places=2,
        help_text=_("0 至 %(max)s 分；留空为不适用。") % {"max": ind.max_points},
        widget=forms.NumberInput(attrs={"step": "0.01"}),
    )


class ScorecardForm(forms.Form):
    """A rater's scorecard: one input per leaf indicator by its scale (blank is
    不适用), a comment, and for community staff the paper-questionnaire tick."""

    comment = forms.CharField(
        label=_("意见"), required=False, max_length=2000, widget=forms.Textarea
    )
    paper = forms.BooleanField(
        label=_("纸质问卷录入（代居民录入纸质问卷）"), required=False
    )

    def __init__(
        self, *args: Any, leaves: list[Any], paper_allowed: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.leaves = leaves
        for ind in leaves:
            self.fields[self.key(ind.code)] = _field_for(ind)
        if not paper_allowed:
            del self.fields["paper"]

    @staticmethod
    def key(code: str) -> str:
        return f"answers[{code}]"

    def map_error_key(self, key: str) -> str | None:
        """The service's `answers.<code>` goes beside that indicator's input."""
        head, _sep, code = key.partition(".")
        if head == "answers" and self.key(code) in self.fields:
            return self.key(code)
        return None

    def indicator_fields(self) -> list[tuple[Any, Any]]:
        return [(ind, self[self.key(ind.code)]) for ind in self.leaves]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        answers: dict[str, Any] = {}
        for ind in self.leaves:
            raw = data.get(self.key(ind.code))
            if raw in (None, NA):
                continue
            if ind.scale == Scale.YES_NO:
                answers[ind.code] = raw == "yes"
            elif ind.scale == Scale.LEVELS:
                answers[ind.code] = raw
            else:
                value = Decimal(raw)
                answers[ind.code] = (
                    int(value) if value == value.to_integral() else float(value)
                )
        if not answers and not self.errors:
            raise forms.ValidationError(_("请至少为一项指标评分。"))
        data["answers"] = answers
        return data
