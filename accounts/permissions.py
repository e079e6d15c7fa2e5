"""Predicates for organisation and membership management."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.decisions import ALLOW, Decision, deny

from .choices import Role
from .models import Organisation, User


def can_manage_organisation(user: User, org: Organisation) -> Decision:
    """District administrators manage the tree within their district."""
    if not user.is_authenticated:
        return deny(_("请先登录。"))
    if user.is_superuser or user.has_role(Role.DISTRICT_ADMIN, at_path=org.path):
        return ALLOW
    return deny(_("只有本区的区级管理员可以管理组织和角色。"))


def can_manage_memberships(user: User, org: Organisation) -> Decision:
    """Granting and revoking roles follows the same rule as managing the tree."""
    return can_manage_organisation(user, org)


def can_list_organisations(user: User) -> Decision:
    if not user.is_authenticated:
        return deny(_("请先登录。"))
    if user.is_superuser or user.has_role(
        Role.DISTRICT_ADMIN, Role.STREET_OFFICER, Role.AUDITOR
    ):
        return ALLOW
    return deny(_("只有区级管理员、街道工作人员和审计人员可以查看组织架构。"))


def can_manage_api_tokens(user: User, street: Organisation | None = None) -> Decision:
    """District administrators create and revoke the read-only API tokens of their
    district's street offices; an API token itself never manages tokens."""
    if not user.is_authenticated:
        return deny(_("请先登录。"))
    if getattr(user, "token_street_path", None) is not None:
        return deny(_("API 令牌不能管理 API 令牌。"))
    if street is None:
        if user.is_superuser or user.has_role(Role.DISTRICT_ADMIN):
            return ALLOW
    elif user.is_superuser or user.has_role(Role.DISTRICT_ADMIN, at_path=street.path):
        return ALLOW
    return deny(_("只有本区的区级管理员可以管理 API 令牌。"))
