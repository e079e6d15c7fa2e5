"""HTML input parsing for accounts pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import OrganisationKind, Role
from .models import User


class OrganisationForm(forms.Form):
    code = forms.CharField(label=_("编码"), max_length=40)
    name = forms.CharField(label=_("名称"), max_length=120)
    short_name = forms.CharField(label=_("简称"), max_length=60, required=False)
    kind = forms.ChoiceField(label=_("类型"), choices=OrganisationKind.choices)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)


class OrganisationEditForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=120)
    short_name = forms.CharField(label=_("简称"), max_length=60, required=False)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    is_active = forms.BooleanField(label=_("启用"), required=False)


class MembershipGrantForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        try:
            return User.objects.get(username=username)
        except User.DoesNotExist as exc:
            raise forms.ValidationError(
                _("没有用户名为“%(name)s”的账号。") % {"name": username}
            ) from exc


class UserCreateForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    display_name = forms.CharField(label=_("姓名"), max_length=100)
    email = forms.EmailField(label=_("电子邮箱"), required=False)
    password = forms.CharField(
        label=_("初始密码"), widget=forms.PasswordInput, min_length=8
    )
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)
