from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    NATION = "nation", _("国家")
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    DISTRICT = "district", _("区（县）")
    STREET = "street", _("街道办事处")
    COMMUNITY = "community", _("社区")
    DEPARTMENT = "department", _("业务科室")
    RESIDENT_UNIT = "resident_unit", _("驻区单位")
    EXPERT_POOL = "expert_pool", _("专家库")
    AGENCY = "agency", _("第三方机构")
    VENDOR = "vendor", _("承接组织")


# Which kinds may sit under which (the tree's shape).
ALLOWED_PARENTS: dict[str, set[str]] = {
    OrganisationKind.NATION: set(),
    OrganisationKind.PROVINCE: {OrganisationKind.NATION},
    OrganisationKind.CITY: {OrganisationKind.PROVINCE},
    OrganisationKind.DISTRICT: {OrganisationKind.CITY},
    OrganisationKind.STREET: {OrganisationKind.DISTRICT},
    OrganisationKind.COMMUNITY: {OrganisationKind.STREET},
    OrganisationKind.DEPARTMENT: {OrganisationKind.DISTRICT, OrganisationKind.STREET},
    OrganisationKind.RESIDENT_UNIT: {OrganisationKind.STREET},
    OrganisationKind.EXPERT_POOL: {OrganisationKind.DISTRICT, OrganisationKind.CITY},
    OrganisationKind.AGENCY: {OrganisationKind.DISTRICT, OrganisationKind.CITY},
    OrganisationKind.VENDOR: {OrganisationKind.DISTRICT, OrganisationKind.STREET},
}

# Kinds that are jurisdictions: rule parameters and catalogues attach to them.
JURISDICTION_KINDS = {
    OrganisationKind.NATION,
    OrganisationKind.PROVINCE,
    OrganisationKind.CITY,
    OrganisationKind.DISTRICT,
}


class Role(models.TextChoices):
    DISTRICT_ADMIN = "district_admin", _("区级管理员")
    STREET_OFFICER = "street_officer", _("街道工作人员")
    DEPARTMENT_STAFF = "department_staff", _("业务科室人员")
    COMMUNITY_STAFF = "community_staff", _("社区工作人员")
    ASSESSOR = "assessor", _("考核评价人")
    EXPERT = "expert", _("评审专家")
    VENDOR_STAFF = "vendor_staff", _("承接组织人员")
    AUDITOR = "auditor", _("审计监督人员")


# The organisation kinds each role may be granted at.
ROLE_ORGANISATION_KINDS: dict[str, set[str]] = {
    Role.DISTRICT_ADMIN: {OrganisationKind.DISTRICT},
    Role.STREET_OFFICER: {OrganisationKind.STREET},
    Role.DEPARTMENT_STAFF: {OrganisationKind.DEPARTMENT},
    Role.COMMUNITY_STAFF: {OrganisationKind.COMMUNITY},
    Role.ASSESSOR: {
        OrganisationKind.STREET,
        OrganisationKind.DEPARTMENT,
        OrganisationKind.COMMUNITY,
        OrganisationKind.RESIDENT_UNIT,
        OrganisationKind.AGENCY,
    },
    Role.EXPERT: {OrganisationKind.EXPERT_POOL},
    Role.VENDOR_STAFF: {OrganisationKind.VENDOR},
    Role.AUDITOR: {OrganisationKind.DISTRICT, OrganisationKind.STREET},
}

STAFF_ROLES = {
    Role.DISTRICT_ADMIN,
    Role.STREET_OFFICER,
    Role.DEPARTMENT_STAFF,
    Role.COMMUNITY_STAFF,
    Role.AUDITOR,
}
