"""Forms of the admission-list pages; each maps onto one service of
`assessments.admission` (the service checks again and says which field is wrong)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vendors.choices import Standing

from .choices import Ending


class ListBuildForm(forms.Form):
    district = forms.ModelChoiceField(queryset=None, label=_("区"))
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)

    def __init__(self, *args, districts=(), **kwargs):
        super().__init__(*args, **kwargs)
        from accounts.models import Organisation

        self.fields["district"].queryset = Organisation.objects.filter(
            pk__in=[d.pk for d in districts]
        )
        if len(districts) == 1:
            self.fields["district"].initial = districts[0].pk


class ProposeForm(forms.Form):
    standing = forms.ChoiceField(label=_("拟定结论"), choices=Standing.choices)
    reason = forms.CharField(
        label=_("调整理由"), widget=forms.Textarea(attrs={"rows": 2})
    )


class ObjectionForm(forms.Form):
    text = forms.CharField(
        label=_("理由"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class DecideForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=_("处理结果"),
        choices=[("0", _("不成立")), ("1", _("成立"))],
        coerce=lambda v: v == "1",
    )
    standing = forms.ChoiceField(
        label=_("成立时变更为"),
        choices=[("", "—"), *Standing.choices],
        required=False,
    )
    decision = forms.CharField(
        label=_("处理意见"), widget=forms.Textarea(attrs={"rows": 2})
    )


class EliminateForm(forms.Form):
    ending = forms.ChoiceField(
        label=_("原合同处理"), choices=Ending.choices, widget=forms.RadioSelect
    )
    ends_on = forms.DateField(
        label=_("服务结束日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("提前终止时必填；到期不续签时留空即为合同到期日。"),
    )
    interim_arrangement = forms.CharField(
        label=_("过渡期安排"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("新合同开始前由谁承接这些服务。"),
    )
