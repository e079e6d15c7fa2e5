"""HTML input parsing for the supplier register. Rules live in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.choices import OrganisationKind
from accounts.models import Organisation

from .choices import CreditList, CreditResult, DocumentKind, Grade, OrgType, PersonRole


class VendorForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=120)
    short_name = forms.CharField(label=_("简称"), max_length=60, required=False)
    org_type = forms.ChoiceField(label=_("主体类型"), choices=OrgType.choices)
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=18, required=False)
    registration_authority = forms.CharField(
        label=_("登记管理机关"), max_length=100, required=False
    )
    registration_date = forms.DateField(
        label=_("登记日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    legal_representative = forms.CharField(
        label=_("法定代表人"), max_length=60, required=False
    )
    address = forms.CharField(label=_("住所"), max_length=200, required=False)
    streets = forms.ModelMultipleChoiceField(
        label=_("服务街道"),
        queryset=Organisation.objects.filter(kind=OrganisationKind.STREET),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    fulltime_staff = forms.IntegerField(label=_("专职人员"), min_value=0, initial=0)
    parttime_staff = forms.IntegerField(label=_("兼职人员"), min_value=0, initial=0)
    volunteers = forms.IntegerField(label=_("志愿者"), min_value=0, initial=0)
    grade = forms.ChoiceField(
        label=_("社会组织评估等级"),
        choices=[("", _("无"))] + list(Grade.choices),
        required=False,
    )
    graded_on = forms.DateField(
        label=_("评估日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    excluded_public_body = forms.BooleanField(
        label=_("公益一类事业单位或财政拨款的群团组织"), required=False
    )
    note = forms.CharField(
        label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, district=None, **kwargs):
        super().__init__(*args, **kwargs)
        if district is not None:
            self.fields["streets"].queryset = Organisation.objects.filter(
                kind=OrganisationKind.STREET, parent=district
            ).order_by("code")


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("材料类型"), choices=DocumentKind.choices)
    title = forms.CharField(label=_("名称"), max_length=200, required=False)
    valid_from = forms.DateField(
        label=_("有效期起"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    valid_until = forms.DateField(
        label=_("有效期至"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    file = forms.FileField(label=_("文件（PDF、JPEG 或 PNG）"))


class CreditCheckForm(forms.Form):
    list_kind = forms.ChoiceField(label=_("名单"), choices=CreditList.choices)
    channel = forms.CharField(
        label=_("查询渠道"),
        max_length=120,
        initial="信用中国（www.creditchina.gov.cn）",
    )
    checked_at = forms.DateTimeField(
        label=_("查询时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    result = forms.ChoiceField(label=_("查询结果"), choices=CreditResult.choices)
    note = forms.CharField(label=_("说明"), required=False)
    evidence = forms.FileField(label=_("查询截图（PDF、JPEG 或 PNG）"), required=False)


class RelatedPersonForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=60)
    role = forms.ChoiceField(label=_("身份"), choices=PersonRole.choices)
    id_number = forms.CharField(label=_("身份证号码"), max_length=18, required=False)
    former_title = forms.CharField(
        label=_("曾任职务"),
        max_length=100,
        required=False,
        help_text=_("如：社区综合协管员"),
    )
    former_organisation = forms.CharField(
        label=_("曾任职单位"), max_length=100, required=False
    )


class ProfileForm(forms.Form):
    """What a vendor's own staff may edit; the legal fields go to an officer for approval."""

    name = forms.CharField(label=_("名称"), max_length=120)
    short_name = forms.CharField(label=_("简称"), max_length=60, required=False)
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=18, required=False)
    legal_representative = forms.CharField(
        label=_("法定代表人"), max_length=60, required=False
    )
    registration_authority = forms.CharField(
        label=_("登记管理机关"), max_length=100, required=False
    )
    registration_date = forms.DateField(
        label=_("登记日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    address = forms.CharField(label=_("住所"), max_length=200, required=False)
    fulltime_staff = forms.IntegerField(label=_("专职人员"), min_value=0)
    parttime_staff = forms.IntegerField(label=_("兼职人员"), min_value=0)
    volunteers = forms.IntegerField(label=_("志愿者"), min_value=0)
    note = forms.CharField(
        label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label=_("理由"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("承接组织名单（.xlsx 或 .csv）"))
