"""Role-aware navigation for the base layout."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    roles = user.roles()
    items = [
        ("catalogue", _("购买目录"), reverse("catalogue:version-list")),
        ("rules", _("规则参数"), reverse("catalogue:rule-list")),
        ("calendar", _("工作日历"), reverse("catalogue:calendar-current")),
    ]
    if user.is_superuser or roles & {"district_admin", "street_officer", "auditor"}:
        items.append(
            ("organisations", _("组织与角色"), reverse("accounts:organisation-list"))
        )
    if user.is_superuser or roles & {
        "district_admin",
        "street_officer",
        "department_staff",
        "community_staff",
        "auditor",
    }:
        items.insert(1, ("vendors", _("承接组织"), reverse("vendors:vendor-list")))
        items.insert(2, ("incubation", _("孵化"), reverse("vendors:incubation-board")))
    elif "vendor_staff" in roles:
        items.insert(0, ("portal", _("本组织"), reverse("vendors:portal")))
    # Procurement: the buyer's staff, committee members and vendors (whose list is
    # the projects open to bids and their own bids).
    if user.is_superuser or roles & {
        "district_admin",
        "street_officer",
        "department_staff",
        "auditor",
        "expert",
        "vendor_staff",
    }:
        at = 3 if len(items) > 5 else 1
        items.insert(
            at, ("procurement", _("采购"), reverse("procurement:project-list"))
        )
    # Contracts: the buyer's staff, community staff and vendors (can_view_contracts).
    if user.is_superuser or roles & {
        "district_admin",
        "street_officer",
        "department_staff",
        "auditor",
        "community_staff",
        "assessor",
        "vendor_staff",
    }:
        items.insert(
            len(items), ("contracts", _("合同"), reverse("contracts:contract-list"))
        )
    # Assessments: the buyer's staff (plans) and every rater group with an account.
    if user.is_superuser or roles & {
        "district_admin",
        "street_officer",
        "auditor",
        "department_staff",
        "community_staff",
        "assessor",
        "expert",
    }:
        items.append(("assessments", _("考核"), reverse("assessments:plan-list")))
    # The dashboards: the buyer's side that reads results (views_dashboards).
    if user.is_superuser or roles & {
        "district_admin",
        "street_officer",
        "department_staff",
        "auditor",
    }:
        items.append(
            (
                "dashboard",
                _("考核看板"),
                reverse("assessments_dashboards:dashboard"),
            )
        )
    items.insert(len(items), ("notices", _("公告"), reverse("notices:list")))
    # The admission list is public once publicised; everyone may read it.
    items.append(("admission", _("准入名单"), reverse("admission:index")))
    if user.is_superuser or "district_admin" in roles:
        items.append(("api-tokens", _("接口令牌"), reverse("accounts:api-token-list")))
    items.append(("api", _("接口文档"), reverse("api-docs")))
    path = request.path
    # The longest matching prefix is the current section (/catalogue/rules/ is
    # "rules", not "catalogue").
    matches = [url for _key, _label, url in items if path.startswith(url)]
    current = max(matches, key=len) if matches else None
    return {
        "nav_items": [
            {"key": key, "label": label, "url": url, "active": url == current}
            for key, label, url in items
        ],
        "unread_notifications": user.notifications.filter(read_at__isnull=True).count(),
        "nav_roles": sorted(
            str(m.get_role_display()) + " · " + str(m.organisation)
            for m in user.active_memberships()
        ),
    }
