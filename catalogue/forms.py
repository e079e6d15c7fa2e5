"""HTML input parsing for catalogue pages. Rules live in validation.py and services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import (
    AuthorityLevel,
    AuxStep,
    DayKind,
    MatterType,
    OutsourceScope,
    PriceBasis,
    ServiceClass,
    Unit,
)
from .models import Category
from .services import ImportMode


class ServiceItemForm(forms.Form):
    code = forms.CharField(label=_("事项编码"), max_length=20, help_text=_("如 A03-01"))
    name = forms.CharField(label=_("事项名称"), max_length=120)
    domain = forms.ModelChoiceField(
        label=_("服务领域"),
        queryset=Category.objects.filter(level=2),
        to_field_name="code",
    )
    service_class = forms.ChoiceField(label=_("一级分类"), choices=ServiceClass.choices)
    matter_type = forms.ChoiceField(label=_("事项类型"), choices=MatterType.choices)
    legal_basis = forms.CharField(
        label=_("法律政策依据"), widget=forms.Textarea(attrs={"rows": 2})
    )
    decision_authority = forms.CharField(label=_("决定机关"), max_length=200)
    authority_level = forms.ChoiceField(
        label=_("决定层级"), choices=AuthorityLevel.choices
    )
    outsource_scope = forms.ChoiceField(
        label=_("购买范围"), choices=OutsourceScope.choices
    )
    allowed_steps = forms.MultipleChoiceField(
        label=_("可购买的辅助环节"),
        choices=AuxStep.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    deliverable = forms.CharField(
        label=_("交付成果"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    prohibited_reason = forms.CharField(
        label=_("不得购买的理由"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    unit = forms.ChoiceField(label=_("计量单位"), choices=Unit.choices)
    service_standard = forms.CharField(
        label=_("服务标准"), widget=forms.Textarea(attrs={"rows": 3})
    )
    assessment_standard = forms.CharField(
        label=_("考核标准"), widget=forms.Textarea(attrs={"rows": 3})
    )
    assessment_method = forms.CharField(
        label=_("考核方式"), widget=forms.Textarea(attrs={"rows": 2})
    )
    price_basis = forms.ChoiceField(label=_("计价方式"), choices=PriceBasis.choices)
    reference_price = forms.DecimalField(
        label=_("参考单价或限价（元）"), min_value=0, max_digits=12, decimal_places=2
    )
    annual_volume = forms.IntegerField(
        label=_("每社区年度预计数量"), min_value=0, max_value=10_000_000, initial=0
    )
    change_note = forms.CharField(
        label=_("变更说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    expected_updated_at = forms.DateTimeField(widget=forms.HiddenInput, required=False)


class DraftForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    title = forms.CharField(
        label=_("标题"), max_length=200, required=False, help_text=_("留空则自动生成")
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("文件（.xlsx 或 .csv）"))
    mode = forms.ChoiceField(
        label=_("导入方式"),
        choices=[
            (ImportMode.MERGE, _("合并：新增或更新文件中的事项，保留其他事项")),
            (ImportMode.REPLACE, _("替换：文件即完整目录，删除文件中没有的事项")),
        ],
        initial=ImportMode.MERGE,
        widget=forms.RadioSelect,
    )


class CalendarDayForm(forms.Form):
    date = forms.DateField(
        label=_("日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    kind = forms.ChoiceField(label=_("类型"), choices=DayKind.choices)
    name = forms.CharField(label=_("名称"), max_length=60, required=False)


class CalendarClearForm(forms.Form):
    date = forms.DateField(label=_("日期"))
