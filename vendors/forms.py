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


# --- incubation ---------------------------------------------------------------------


def parse_people(text: str, key: str) -> list[dict[str, str]]:
    """One person a line, "name，detail" (a Chinese or ASCII comma)."""
    people = []
    for line in (text or "").splitlines():
        name, _sep, detail = line.replace("，", ",").partition(",")
        if name.strip():
            people.append({"name": name.strip(), key: detail.strip()})
    return people


class IncubationApplyForm(forms.Form):
    """申请. Officers enter a founding team's (or a registered organisation's)
    application; a vendor's staff apply for their own organisation."""

    round = forms.ModelChoiceField(label=_("招募批次"), queryset=None)
    vendor = forms.ModelChoiceField(
        label=_("已登记的组织"),
        queryset=None,
        required=False,
        help_text=_("已在名录中的组织选这里；尚未登记的团队填写团队名称。"),
    )
    team_name = forms.CharField(label=_("团队名称"), max_length=120, required=False)
    purpose = forms.CharField(label=_("宗旨"), widget=forms.Textarea(attrs={"rows": 2}))
    service_plan = forms.CharField(
        label=_("服务计划"), widget=forms.Textarea(attrs={"rows": 3})
    )
    core_members = forms.CharField(
        label=_("核心成员"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行一人：姓名，曾任职务（如：张华，铁佛社区综合协管员）"),
    )

    def __init__(self, *args, rounds, vendors=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["round"].queryset = rounds
        if vendors is None:  # a vendor's staff apply for their own organisation
            del self.fields["vendor"]
            del self.fields["team_name"]
        else:
            self.fields["vendor"].queryset = vendors

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["core_members"] = parse_people(data["core_members"], "former_post")
        return data


class IncubationCentreForm(forms.Form):
    region = forms.ModelChoiceField(
        label=_("服务范围"),
        queryset=None,
        help_text=_("为全区或一个街道设立。"),
    )
    name = forms.CharField(label=_("名称"), max_length=120)
    operator = forms.ModelChoiceField(
        label=_("运营方"),
        queryset=None,
        required=False,
        help_text=_("受托运营中心的承接组织（常为政府购买的服务）。"),
    )
    staff = forms.CharField(
        label=_("工作人员"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一人：姓名，职务"),
    )
    staff_accounts = forms.ModelMultipleChoiceField(
        label=_("工作人员账号"),
        queryset=None,
        required=False,
        help_text=_("使用本系统的中心工作人员：他们不得评审其孵化的组织（INC-09）。"),
    )
    seats = forms.IntegerField(label=_("工位"), min_value=0, initial=0)
    rooms = forms.IntegerField(label=_("活动室"), min_value=0, initial=0)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)

    def __init__(self, *args, regions, vendors, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        self.fields["operator"].queryset = vendors
        self.fields["staff_accounts"].queryset = users

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["staff"] = parse_people(data["staff"], "role")
        return data


class IntakeRoundForm(forms.Form):
    name = forms.CharField(label=_("批次名称"), max_length=60)
    opens_on = forms.DateField(
        label=_("开始受理"), widget=forms.DateInput(attrs={"type": "date"})
    )
    closes_on = forms.DateField(
        label=_("截止受理"), widget=forms.DateInput(attrs={"type": "date"})
    )
    description = forms.CharField(
        label=_("招募说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("招募对象、入驻条件、需提交的材料和评审方式。"),
    )
