"""Who may do what to a catalogue: predicates with reasons."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from core.decisions import ALLOW, Decision, deny

from .choices import VersionStatus
from .models import CatalogueVersion

EDITOR_ROLES = (Role.DISTRICT_ADMIN, Role.STREET_OFFICER)


def _is_editor(user: Any, version: CatalogueVersion) -> bool:
    return bool(
        user.is_superuser
        or user.has_role_within(*EDITOR_ROLES, region_path=version.region.path)
    )


def can_draft_catalogue(user: Any, source: CatalogueVersion) -> Decision:
    """Drafting a new version from a published or archived one."""
    if not _is_editor(user, source):
        return deny(_("只有本区的区级管理员和街道工作人员可以起草目录。"))
    if source.status == VersionStatus.DRAFT:
        return deny(
            _("只能从已发布或已归档的版本起草新版本。"), code="transition_not_allowed"
        )
    return ALLOW


def can_edit_catalogue(user: Any, version: CatalogueVersion) -> Decision:
    """Changing items of a version: editors, and only while it is a draft."""
    if not _is_editor(user, version):
        return deny(_("只有本区的区级管理员和街道工作人员可以编辑目录。"))
    if version.status != VersionStatus.DRAFT:
        return deny(
            _("只有草稿可以修改；已发布的目录请先起草新版本。"),
            code="transition_not_allowed",
        )
    return ALLOW


def can_publish_catalogue(user: Any, version: CatalogueVersion) -> Decision:
    if not _is_editor(user, version):
        return deny(_("只有本区的区级管理员和街道工作人员可以发布目录。"))
    return ALLOW


def can_archive_catalogue(user: Any, version: CatalogueVersion) -> Decision:
    if not (
        user.is_superuser
        or user.has_role_within(Role.DISTRICT_ADMIN, region_path=version.region.path)
    ):
        return deny(_("只有区级管理员可以归档目录。"))
    return ALLOW
