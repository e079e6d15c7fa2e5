"""The demo contracts, seeded through the services into an empty database from the real
seed files: the 2015 簇锦 contract from the re-tender's final award as seeds 000 and
001 tell it, the other streets' contracts, and a second run that changes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction
from django.test import override_settings

from accounts.choices import OrganisationKind
from accounts.models import Organisation
from accounts.seeding import seed_organisations
from catalogue.seeding import seed_reference_data
from contracts import seeding
from contracts.choices import (
    AcceptanceStatus,
    ChangeKind,
    ChangeStatus,
    ContractStatus,
    DeliveryStatus,
    EvidenceKind,
    ExtensionStatus,
    ExtraWorkStatus,
    TrancheStatus,
)
from contracts.models import (
    Acceptance,
    Contract,
    ContractChange,
    ContractFeedEntry,
    ContractItem,
    ContractVersion,
    DeliveryRecord,
    Evidence,
    ExtensionRequest,
    ExtraWork,
    PaymentTranche,
    ResidualWork,
)
from contracts.selectors import completion_snapshot
from core.models import AuditEvent
from procurement.choices import AwardStatus, ProjectStatus
from procurement.models import Award, ProcurementProject
from procurement.seeding import CUJIN_CODE, RETENDER_TITLE, seed_cujin_retender
from vendors.seeding import seed_vendors

pytestmark = pytest.mark.slow  # the re-tender renders its tender document


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _media_root(settings, media):
    settings.MEDIA_ROOT = media
    return media


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, media):
    """Seeded once for the module, rolled back at its end."""
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media),
        transaction.atomic(),
    ):
        # given: the reference data, the register and the 2015 re-tender as
        # `manage.py demo` loads them
        seed_organisations()
        seed_reference_data()
        seed_vendors()
        seed_cujin_retender()
        # when: the contracts are seeded
        created = seeding.seed_contracts()
        yield created
        transaction.set_rollback(True)


@pytest.fixture
def seeded(world, db):
    return world


def cujin() -> Contract:
    return Contract.objects.select_related("buyer", "vendor__organisation").get(
        buyer__code=CUJIN_CODE, project__title=RETENDER_TITLE
    )


def test_the_cujin_contract_comes_from_the_retenders_final_award(seeded):
    assert seeded == 1 + len(seeding.OTHER_CONTRACTS)
    contract = cujin()
    award = contract.award
    assert award.status == AwardStatus.FINAL
    assert award.lot.project.status == ProjectStatus.FINAL
    assert contract.vendor.organisation.name == "成都市同行社会工作服务中心"
    # the award's ¥2,379,000 plus the supplementary agreement
    assert contract.original_value == Decimal("2379000.00") == award.amount
    assert contract.value == Decimal("2379000.00") + seeding.SUPPLEMENT_VALUE
    assert contract.status == ContractStatus.ACTIVE
    assert contract.signed_on == seeding.CUJIN_SIGNED
    assert contract.published_on == seeding.CUJIN_PUBLISHED
    assert contract.filed_on == seeding.CUJIN_FILED
    assert contract.vendor_signed_at is not None


def test_every_purchased_item_in_every_community_of_the_street(seeded):
    contract = cujin()
    communities = set(
        Organisation.objects.filter(
            parent=contract.buyer, kind=OrganisationKind.COMMUNITY
        )
    )
    lot = contract.award.lot
    # the catalogue lists 139 duties; the lot buys the 135 that may be bought (4
    # are the government's own), each in each of the street's 6 communities
    assert contract.project.catalogue_version.items.count() == 139
    purchased = set(lot.items.values_list("item_id", flat=True))
    assert len(purchased) == 135
    rows = ContractItem.objects.filter(contract=contract)
    assert rows.count() == len(purchased) * len(communities) == 810
    assert set(rows.values_list("item_id", flat=True)) == purchased
    assert {ci.community for ci in rows.select_related("community")} == communities


def test_tranches_sum_to_100_and_the_first_is_paid(seeded):
    contract = cujin()
    tranches = list(contract.tranches.order_by("number"))
    # 40/30/30 of ¥2,379,000; the supplementary agreement's amount went to the two
    # tranches still open, and the shares were restated against the new value
    assert sum(t.share for t in tranches) == 100
    assert sum(t.amount for t in tranches) == contract.value
    half = seeding.SUPPLEMENT_VALUE / 2
    assert [t.amount for t in tranches] == [
        Decimal("951600.00"),
        Decimal("713700.00") + half,
        Decimal("713700.00") + half,
    ]
    first = tranches[0]
    assert first.status == TrancheStatus.PAID
    assert first.paid_amount == Decimal("951600.00")
    assert first.paid_on == seeding.CUJIN_ADVANCE_PAID
    assert [t.status for t in tranches[1:]] == [TrancheStatus.PENDING] * 2


def test_one_supplementary_agreement_within_the_10_percent_cap(seeded):
    contract = cujin()
    change = ContractChange.objects.get(contract=contract)
    assert change.kind == ChangeKind.ADDITION
    assert change.status == ChangeStatus.EFFECTIVE
    assert 0 < change.value_delta <= contract.original_value / 10
    # it is version 2, and it raised one community's target of the lagging item
    assert contract.version == 2
    assert ContractVersion.objects.filter(contract=contract, change=change).exists()
    targets = sorted(
        ContractItem.objects.filter(
            contract=contract, item__code=seeding.LAGGING_ITEM
        ).values_list("target", flat=True)
    )
    assert targets == [4, 4, 4, 4, 4, 5]


def test_the_extension_request_snapshot_says_20_of_25_is_80_percent(seeded):
    contract = cujin()
    ext = ExtensionRequest.objects.select_related("contract_item__item").get(
        contract=contract
    )
    assert ext.status == ExtensionStatus.PENDING
    assert ext.contract_item.item.code == seeding.LAGGING_ITEM
    assert ext.requested_end_on > ext.current_end_on == contract.end_on
    # the snapshot the service computed at the moment of asking
    assert ext.snapshot["target_total"] == 25
    assert ext.snapshot["delivered_total"] == 20
    assert ext.snapshot["volume_pct"] == "80.0"
    # and the same as the selector computes from the confirmed deliveries now
    now = completion_snapshot(contract, ext.contract_item)
    assert (now["delivered_total"], now["target_total"]) == (20, 25)


def test_a_reused_photo_is_flagged_and_only_that_one(seeded):
    contract = cujin()
    photos = Evidence.objects.filter(
        delivery__contract=contract, kind=EvidenceKind.PHOTO
    )
    flagged = list(photos.exclude(duplicate_of=None).select_related("duplicate_of"))
    assert len(flagged) == 1
    copy = flagged[0]
    original = copy.duplicate_of
    # the same file sent with another report, under another name
    assert copy.sha256 == original.sha256
    assert copy.duplicate_distance == 0
    assert copy.delivery_id != original.delivery_id
    assert copy.name != original.name
    # every photo kept its EXIF capture time and place
    assert not photos.filter(captured_at=None).exists()
    assert not photos.filter(latitude=None).exists()
    assert photos.count() > 20


def test_confirmed_and_awaiting_deliveries(seeded):
    contract = cujin()
    records = DeliveryRecord.objects.filter(contract=contract)
    assert records.filter(status=DeliveryStatus.CONFIRMED).count() > 20
    assert records.filter(status=DeliveryStatus.REPORTED).exists()


def test_community_staff_still_did_43_items_in_one_community(seeded):
    contract = cujin()
    residual = ResidualWork.objects.filter(contract=contract)
    assert residual.count() == 43
    assert residual.values("contract_item").distinct().count() == 43
    assert set(residual.values_list("contract_item__community__code", flat=True)) == {
        seeding.RESIDUAL_COMMUNITY
    }
    assert not residual.filter(recorded_by=None).exists()


def test_the_inspection_work_outside_the_contract_is_disputed(seeded):
    contract = cujin()
    work = ExtraWork.objects.get(contract=contract)
    assert "社区迎检" in work.description
    assert work.status == ExtraWorkStatus.DISPUTED
    assert work.vendor_response
    assert not work.compensated


def test_the_midterm_acceptance_is_recorded_and_published(seeded):
    contract = cujin()
    acc = Acceptance.objects.get(contract=contract)
    assert acc.status == AcceptanceStatus.PASSED
    assert acc.published_on is not None
    assert len(acc.standards) == 135
    assert acc.opinions
    # the mid-term tranche waits on it (ACC-04)
    assert PaymentTranche.objects.get(contract=contract, number=2).acceptance == acc


def test_other_streets_have_contracts_from_final_awards(seeded):
    others = Contract.objects.exclude(buyer__code=CUJIN_CODE)
    assert others.count() == len(seeding.OTHER_CONTRACTS)
    assert others.values("buyer").distinct().count() == len(seeding.OTHER_CONTRACTS)
    for c in others.select_related("award", "vendor"):
        assert c.award.status == AwardStatus.FINAL
        assert c.value == c.award.amount
        assert c.items.exists()
        assert sum(t.share for t in c.tranches.all()) == 100
        # the winner serves the street it contracts with
        assert c.vendor.streets.filter(pk=c.buyer_id).exists()
    assert set(others.values_list("status", flat=True)) == {
        ContractStatus.DRAFT,
        ContractStatus.VENDOR_SIGNED,
        ContractStatus.ACTIVE,
    }


def counts() -> dict[str, int]:
    return {
        m.__name__: m.objects.count()
        for m in (
            ProcurementProject,
            Award,
            Contract,
            ContractItem,
            PaymentTranche,
            ContractChange,
            ContractVersion,
            ExtensionRequest,
            DeliveryRecord,
            Evidence,
            ResidualWork,
            ExtraWork,
            Acceptance,
            ContractFeedEntry,
            AuditEvent,
        )
    }


def test_a_second_run_changes_nothing(seeded):
    before = counts()
    updated = dict(Contract.objects.values_list("pk", "updated_at"))
    assert seeding.seed_contracts() == 0
    assert counts() == before
    assert dict(Contract.objects.values_list("pk", "updated_at")) == updated
