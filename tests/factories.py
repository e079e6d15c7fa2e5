"""factory_boy factories with lifecycle Traits, shared by every test package."""

from __future__ import annotations

from decimal import Decimal

import factory
from django.conf import settings

from accounts.choices import OrganisationKind, Role
from accounts.models import Membership, Organisation, User
from catalogue.choices import (
    MatterType,
    OutsourceScope,
    ServiceClass,
    Unit,
    VersionStatus,
)
from catalogue.models import CatalogueVersion, Category, ServiceItem


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    code = factory.Sequence(lambda n: f"T{n:04d}")
    name = factory.Sequence(lambda n: f"测试组织{n}")
    kind = OrganisationKind.DISTRICT
    parent = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        obj = model_class(*args, **kwargs)
        obj.path = obj.compute_path()
        obj.save()
        return obj


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or "correct-horse-battery-9")
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.STREET_OFFICER


def user_with_role(role: str, organisation: Organisation, **kwargs) -> User:
    user = UserFactory(**kwargs)
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("code",)

    code = "A03"
    name = "社会救助"
    name_en = "Social assistance"
    level = 2


class CatalogueVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CatalogueVersion

    region = factory.SubFactory(OrganisationFactory)
    year = factory.Sequence(lambda n: 2030 + n)
    title = factory.LazyAttribute(lambda o: f"测试目录（{o.year}年版）")
    status = VersionStatus.DRAFT

    class Params:
        published = factory.Trait(status=VersionStatus.PUBLISHED)
        archived = factory.Trait(status=VersionStatus.ARCHIVED)


class ServiceItemFactory(factory.django.DjangoModelFactory):
    """A valid FULL item by default; traits give valid AUX_ONLY and PROHIBITED items."""

    class Meta:
        model = ServiceItem

    version = factory.SubFactory(CatalogueVersionFactory)
    domain = factory.SubFactory(CategoryFactory)
    code = factory.Sequence(lambda n: f"A03-{n % 900 + 10:02d}")
    name = factory.Sequence(lambda n: f"困难群众巡访探视{n}")
    service_class = ServiceClass.PUBLIC
    matter_type = MatterType.PUBLIC_SERVICE
    legal_basis = "《社会救助暂行办法》"
    decision_authority = "区民政局"
    authority_level = "district"
    outsource_scope = OutsourceScope.FULL
    allowed_steps = factory.LazyFunction(list)
    deliverable = "走访记录"
    prohibited_reason = ""
    unit = Unit.HOUSEHOLD_VISIT
    service_standard = "每月走访一次"
    assessment_standard = "走访率100%"
    assessment_method = "台账抽查"
    price_basis = "unit"
    reference_price = Decimal("80.00")
    annual_volume = 100

    class Params:
        aux_only = factory.Trait(
            outsource_scope=OutsourceScope.AUX_ONLY,
            service_class=ServiceClass.AUXILIARY,
            matter_type=MatterType.CONFIRMATION,
            allowed_steps=["acceptance", "preliminary_review"],
            deliverable="受理登记表及初审意见",
            unit=Unit.PIECE,
            name=factory.Sequence(lambda n: f"最低生活保障申请受理{n}"),
        )
        prohibited = factory.Trait(
            outsource_scope=OutsourceScope.PROHIBITED,
            matter_type=MatterType.PENALTY,
            prohibited_reason="行政处罚不得委托社会组织（行政处罚法第二十条）",
            reference_price=Decimal("0.00"),
            annual_volume=0,
        )


def item_payload(**overrides) -> dict:
    """Raw input for a valid FULL item, as a form or the API would send it."""
    data = {
        "code": "A03-50",
        "name": "困难群众主动发现与巡访探视",
        "domain": "A03",
        "service_class": "A",
        "matter_type": "public_service",
        "legal_basis": "《社会救助暂行办法》；民发〔2017〕153号",
        "decision_authority": "区民政局",
        "authority_level": "district",
        "outsource_scope": "full",
        "allowed_steps": [],
        "deliverable": "走访记录和转介单",
        "prohibited_reason": "",
        "unit": "household_visit",
        "service_standard": "每月对困难家庭走访一次，发现需求48小时内转介。",
        "assessment_standard": "走访覆盖率100%，转介及时率≥95%。",
        "assessment_method": "台账抽查20%，电话回访10户。",
        "price_basis": "unit",
        "reference_price": "100.00",
        "annual_volume": 120,
    }
    data.update(overrides)
    return data


def valid_uscc(n: int, prefix: str = "52510107MJ") -> str:
    """A unified social credit code with a correct check character."""
    from stdnum.cn import uscc

    body = f"{prefix}{n:07d}"[:17]
    return body + uscc.calc_check_digit(body)


def make_vendor(organisation, **fields):
    """A registered social-service agency on an existing vendor organisation."""
    from vendors.models import Vendor

    defaults = {
        "org_type": "social_service_agency",
        "uscc": valid_uscc(organisation.pk),
        "registration_authority": "成都市武侯区民政局",
        "registration_date": "2014-06-01",
        "legal_representative": "李晓岚",
        "fulltime_staff": 5,
    }
    defaults.update(fields)
    return Vendor.objects.create(organisation=organisation, **defaults)


DEMO_PASSWORD = settings.DEMO_PASSWORD

# RULES §8: items per service domain of the 139-item community catalogue.
DOMAIN_COUNTS = {
    "A01": 14,
    "A02": 12,
    "A03": 14,
    "A04": 12,
    "A05": 10,
    "A06": 14,
    "A07": 8,
    "A08": 14,
    "A09": 10,
    "A10": 8,
    "A11": 7,
    "A12": 8,
    "A13": 8,
}
