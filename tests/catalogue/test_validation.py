"""The sanity rules of a service item (`catalogue.validation.clean_item_data`).

No database is needed: domains are built, not saved.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.utils import translation

from catalogue.choices import (
    AuthorityLevel,
    MatterType,
    OutsourceScope,
    PriceBasis,
    ServiceClass,
    Unit,
)
from catalogue.validation import clean_item_data

from ..factories import CategoryFactory, item_payload

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def domains():
    return {
        "A03": CategoryFactory.build(code="A03", name="社会救助"),
        "A08": CategoryFactory.build(code="A08", name="综合治理与平安建设"),
    }


def aux_payload(**overrides):
    data = item_payload(
        code="A03-51",
        name="最低生活保障申请受理",
        matter_type="confirmation",
        service_class="B",
        outsource_scope="aux_only",
        allowed_steps=["acceptance", "preliminary_review"],
        deliverable="受理登记表及初审意见",
        unit="piece",
    )
    data.update(overrides)
    return data


def prohibited_payload(**overrides):
    data = item_payload(
        code="A08-51",
        domain="A08",
        name="违法建设行政处罚",
        matter_type="penalty",
        outsource_scope="prohibited",
        prohibited_reason="行政处罚不得委托社会组织",
        reference_price="0",
        annual_volume=0,
    )
    data.update(overrides)
    return data


def english(label) -> str:
    with translation.override("en"):
        return str(label)


# --- the three valid shapes -------------------------------------------------------------


def test_accepts_a_valid_full_item(domains):
    # given
    raw = item_payload(reference_price="100.5", annual_volume="120")

    # when
    check = clean_item_data(raw, domains)

    # then
    assert check.errors == {}
    assert check.warnings == []
    assert check.values["domain"] is domains["A03"]
    assert check.values["reference_price"] == Decimal("100.50")
    assert check.values["annual_volume"] == 120


def test_accepts_a_valid_aux_only_item(domains):
    # given
    raw = aux_payload()

    # when
    check = clean_item_data(raw, domains)

    # then
    assert check.errors == {}
    assert check.values["allowed_steps"] == ["acceptance", "preliminary_review"]


def test_accepts_a_valid_prohibited_item(domains):
    # given
    raw = prohibited_payload()

    # when
    check = clean_item_data(raw, domains)

    # then
    assert check.errors == {}
    assert check.values["outsource_scope"] == OutsourceScope.PROHIBITED


# --- AUX_ONLY ---------------------------------------------------------------------------


@pytest.mark.parametrize("steps", [[], "", None, "  "])
def test_rejects_aux_only_item_without_steps(domains, steps):
    # given
    raw = aux_payload(allowed_steps=steps)

    # when
    check = clean_item_data(raw, domains)

    # then
    assert list(check.errors) == ["allowed_steps"]
    assert CJK.search(check.errors["allowed_steps"][0])


def test_rejects_aux_only_item_without_deliverable(domains):
    # given
    raw = aux_payload(deliverable="  ")

    # when
    check = clean_item_data(raw, domains)

    # then
    assert list(check.errors) == ["deliverable"]


@pytest.mark.parametrize("word", ["审批", "决定", "核发", "处罚", "发证"])
def test_rejects_aux_only_deliverable_that_is_the_decision_itself(domains, word):
    # given
    raw = aux_payload(deliverable=f"受理登记表及{word}文书")

    # when
    check = clean_item_data(raw, domains)

    # then
    assert list(check.errors) == ["deliverable"]
    [message] = check.errors["deliverable"]
    assert f"“{word}”" in message
    assert CJK.search(message)


def test_names_every_decision_word_found_in_the_deliverable(domains):
    # given
    raw = aux_payload(deliverable="审批意见和处罚决定书")

    # when
    check = clean_item_data(raw, domains)

    # then
    [message] = check.errors["deliverable"]
    for word in ("审批", "决定", "处罚"):
        assert word in message.split("含“")[1]


def test_does_not_apply_the_decision_words_to_full_items(domains):
    # given: a FULL item's deliverable may mention a decision it only reports on
    raw = item_payload(deliverable="走访记录及救助决定送达回执")

    # when
    check = clean_item_data(raw, domains)

    # then
    assert check.errors == {}


def test_rejects_unknown_step(domains):
    # given
    raw = aux_payload(allowed_steps="受理、审批")

    # when
    check = clean_item_data(raw, domains)

    # then
    [message] = check.errors["allowed_steps"]
    assert "“审批”" in message


# --- PROHIBITED and FULL ----------------------------------------------------------------


def test_rejects_prohibited_item_without_reason(domains):
    # given
    raw = prohibited_payload(prohibited_reason=" ")

    # when
    check = clean_item_data(raw, domains)

    # then
    assert list(check.errors) == ["prohibited_reason"]
    assert CJK.search(check.errors["prohibited_reason"][0])


def test_rejects_reason_on_an_item_that_may_be_bought(domains):
    # given
    raw = item_payload(prohibited_reason="不得购买")

    # when
    check = clean_item_data(raw, domains)

    # then
    assert list(check.errors) == ["prohibited_reason"]


@pytest.mark.parametrize(
    "payload", [item_payload, prohibited_payload], ids=["full", "prohibited"]
)
def test_rejects_steps_on_an_item_that_is_not_aux_only(domains, payload):
    # given
    raw = payload(allowed_steps=["acceptance"])

    # when
    check = clean_item_data(raw, domains)

    # then
    assert list(check.errors) == ["allowed_steps"]


@pytest.mark.parametrize(
    "matter_type", ["licensing", "penalty", "confirmation", "benefit"]
)
def test_rejects_full_purchase_of_a_core_government_matter(domains, matter_type):
    # given
    raw = item_payload(matter_type=matter_type)

    # when
    check = clean_item_data(raw, domains)

    # then
    assert list(check.errors) == ["outsource_scope"]
    [message] = check.errors["outsource_scope"]
    assert str(MatterType(matter_type).label) in message


@pytest.mark.parametrize(
    "matter_type", ["licensing", "penalty", "confirmation", "benefit"]
)
def test_allows_a_core_government_matter_as_aux_only(domains, matter_type):
    # given
    raw = aux_payload(matter_type=matter_type)

    # when
    check = clean_item_data(raw, domains)

    # then
    assert check.errors == {}


@pytest.mark.parametrize("matter_type", ["public_service", "inspection", "other"])
def test_allows_full_purchase_of_other_matters(domains, matter_type):
    # given
    raw = item_payload(matter_type=matter_type)

    # when
    check = clean_item_data(raw, domains)

    # then
    assert check.errors == {}


def test_warns_about_a_full_inspection_item(domains):
    # given
    raw = item_payload(matter_type="inspection")

    # when
    check = clean_item_data(raw, domains)

    # then
    assert check.errors == {}
    assert len(check.warnings) == 1
    assert raw["code"] in check.warnings[0]


# --- unit and price ---------------------------------------------------------------------


def test_warns_but_does_not_refuse_a_per_head_unit(domains):
    # given
    raw = item_payload(unit="person_month")

    # when
    check = clean_item_data(raw, domains)

    # then
    assert check.errors == {}
    assert check.values["unit"] == Unit.PERSON_MONTH
    [warning] = check.warnings
    assert raw["code"] in warning
    assert "GPS-19" in warning


def test_does_not_warn_about_an_output_unit(domains):
    # given
    raw = item_payload(unit="household_visit")

    # when
    check = clean_item_data(raw, domains)

    # then
    assert check.warnings == []


@pytest.mark.parametrize(
    "price",
    ["-0.01", "-100", "1.005", "12.345", "abc", "1,2,x", "", None, "NaN", "1e12"],
)
def test_rejects_bad_price(domains, price):
    # given
    raw = item_payload(reference_price=price)

    # when
    check = clean_item_data(raw, domains)

    # then
    assert list(check.errors) == ["reference_price"]
    assert CJK.search(check.errors["reference_price"][0])
    assert check.values["reference_price"] is None


@pytest.mark.parametrize(
    ("price", "expected"),
    [
        ("0", Decimal("0.00")),
        ("80", Decimal("80.00")),
        ("80.5", Decimal("80.50")),
        ("1.000", Decimal("1.00")),
        ("¥1,200.50", Decimal("1200.50")),
        ("￥ 300", Decimal("300.00")),
        (Decimal("99.99"), Decimal("99.99")),
        (45, Decimal("45.00")),
    ],
)
def test_accepts_price_in_common_spellings(domains, price, expected):
    # given
    raw = item_payload(reference_price=price)

    # when
    check = clean_item_data(raw, domains)

    # then
    assert check.errors == {}
    assert check.values["reference_price"] == expected


@pytest.mark.parametrize("volume", ["-1", "1.5", "many", "10000001"])
def test_rejects_bad_annual_volume(domains, volume):
    # given
    raw = item_payload(annual_volume=volume)

    # when
    check = clean_item_data(raw, domains)

    # then
    assert list(check.errors) == ["annual_volume"]


# --- code and domain --------------------------------------------------------------------


@pytest.mark.parametrize(
    "code", ["A3-01", "A03-1", "A03-1234", "a03-01", "A03_01", "A0301", "03-01"]
)
def test_rejects_badly_formed_code(domains, code):
    # given
    raw = item_payload(code=code)

    # when
    check = clean_item_data(raw, domains)

    # then
    assert list(check.errors) == ["code"]
    assert "A03-01" in check.errors["code"][0]


@pytest.mark.parametrize("code", ["A03-01", "A03-99", "A03-100", " A03-07 "])
def test_accepts_well_formed_code(domains, code):
    # given
    raw = item_payload(code=code)

    # when
    check = clean_item_data(raw, domains)

    # then
    assert check.errors == {}
    assert check.values["code"] == code.strip()


def test_rejects_code_of_another_domain(domains):
    # given
    raw = item_payload(code="A08-01", domain="A03")

    # when
    check = clean_item_data(raw, domains)

    # then
    assert list(check.errors) == ["code"]
    assert "A03-" in check.errors["code"][0]


@pytest.mark.parametrize("domain", ["A03", "a03", "A03 社会救助", " A03"])
def test_accepts_domain_by_code_with_or_without_its_name(domains, domain):
    # given
    raw = item_payload(domain=domain)

    # when
    check = clean_item_data(raw, domains)

    # then
    assert check.errors == {}
    assert check.values["domain"] is domains["A03"]


@pytest.mark.parametrize("domain", ["A99", "社会救助", ""])
def test_rejects_unknown_domain(domains, domain):
    # given
    raw = item_payload(domain=domain)

    # when
    check = clean_item_data(raw, domains)

    # then
    assert list(check.errors) == ["domain"]


@pytest.mark.parametrize(
    "name",
    [
        "code",
        "name",
        "legal_basis",
        "decision_authority",
        "service_standard",
        "assessment_standard",
        "assessment_method",
    ],
)
def test_rejects_missing_required_text(domains, name):
    # given
    raw = item_payload(**{name: "   "})

    # when
    check = clean_item_data(raw, domains)

    # then
    assert list(check.errors) == [name]


def test_reports_every_field_at_fault_at_once(domains):
    # given
    raw = aux_payload(allowed_steps=[], reference_price="-5", code="A03-1")

    # when
    check = clean_item_data(raw, domains)

    # then
    assert set(check.errors) == {"allowed_steps", "reference_price", "code"}


# --- choice values: codes, Chinese labels, English labels -------------------------------

CHOICE_FIELDS = [
    ("service_class", ServiceClass),
    ("matter_type", MatterType),
    ("authority_level", AuthorityLevel),
    ("outsource_scope", OutsourceScope),
    ("unit", Unit),
    ("price_basis", PriceBasis),
]


@pytest.mark.parametrize(("name", "choices"), CHOICE_FIELDS)
@pytest.mark.parametrize(
    "spell",
    [
        lambda value, label: value,
        lambda value, label: value.upper(),
        lambda value, label: f"  {value} ",
        lambda value, label: str(label),
    ],
    ids=["code", "upper-code", "padded-code", "chinese-label"],
)
def test_accepts_choice_as_code_or_chinese_label(domains, name, choices, spell):
    for value, label in choices.choices:
        # given
        raw = aux_payload() if value == "aux_only" else item_payload()
        raw[name] = spell(value, label)

        # when
        check = clean_item_data(raw, domains)

        # then
        assert name not in check.errors, (value, check.errors)
        assert check.values[name] == value


@pytest.mark.parametrize(("name", "choices"), CHOICE_FIELDS)
def test_accepts_choice_as_english_label(domains, name, choices):
    labels = [(value, english(label)) for value, label in choices.choices]
    if all(CJK.search(label) for _value, label in labels):
        pytest.skip(f"locale/en has no English labels for {choices.__name__} yet")
    for value, label in labels:
        # given
        raw = aux_payload() if value == "aux_only" else item_payload()
        raw[name] = label.upper()

        # when
        check = clean_item_data(raw, domains)

        # then
        assert name not in check.errors, (value, label, check.errors)
        assert check.values[name] == value


def test_rejects_unknown_choice_naming_the_allowed_labels(domains):
    # given
    raw = item_payload(outsource_scope="maybe")

    # when
    check = clean_item_data(raw, domains)

    # then
    [message] = check.errors["outsource_scope"]
    assert "“maybe”" in message
    for _value, label in OutsourceScope.choices:
        assert str(label) in message


# --- steps ------------------------------------------------------------------------------


@pytest.mark.parametrize("separator", ["、", ";", "；", ",", "，", "|", "\n"])
def test_accepts_steps_separated_by_common_separators(domains, separator):
    # given
    raw = aux_payload(allowed_steps=f"受理{separator} 材料初审/预审{separator}登记")

    # when
    check = clean_item_data(raw, domains)

    # then
    assert check.errors == {}
    assert check.values["allowed_steps"] == [
        "acceptance",
        "preliminary_review",
        "registration",
    ]


def test_accepts_steps_as_codes_labels_and_mixed_separators(domains):
    # given
    raw = aux_payload(allowed_steps="acceptance，登记;受理、FOLLOW_UP_VISIT")

    # when
    check = clean_item_data(raw, domains)

    # then: duplicates collapse, order of first appearance kept
    assert check.errors == {}
    assert check.values["allowed_steps"] == [
        "acceptance",
        "registration",
        "follow_up_visit",
    ]


def test_accepts_steps_as_english_labels(domains):
    from catalogue.choices import AuxStep

    # given
    labels = [english(label) for _v, label in AuxStep.choices]
    if all(CJK.search(label) for label in labels):
        pytest.skip("locale/en has no English labels for AuxStep yet")
    raw = aux_payload(allowed_steps="、".join(labels))

    # when
    check = clean_item_data(raw, domains)

    # then
    assert check.errors == {}
    assert check.values["allowed_steps"] == list(AuxStep.values)
