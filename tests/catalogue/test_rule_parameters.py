"""Rule parameters change only through the service: typed values, no overlapping periods."""

import datetime as dt
import re

import pytest

from catalogue.models import RuleParameter
from catalogue.services import rule_parameter_save
from core.exceptions import NotPermitted, ValidationFailed
from core.models import AuditEvent


def _param(orgs, **kw):
    data = {
        "key": "deadline.contract.sign",
        "jurisdiction": orgs.nation,
        "valid_from": dt.date(2015, 3, 1),
        "value_type": "calendar_days",
        "value": 30,
        "rule_ids": ["TL-13"],
    }
    data.update(kw)
    return RuleParameter(**data)


def test_saves_and_audits_a_new_period(orgs, personas):
    p = rule_parameter_save(actor=personas.admin, parameter=_param(orgs))
    assert p.pk
    assert AuditEvent.objects.filter(
        action="rule_parameter.create", object_id=str(p.pk)
    ).exists()


def test_rejects_an_overlapping_period_of_the_same_key_and_jurisdiction(orgs, personas):
    rule_parameter_save(
        actor=personas.admin, parameter=_param(orgs, valid_to=dt.date(2020, 1, 1))
    )
    with pytest.raises(ValidationFailed) as exc:
        rule_parameter_save(
            actor=personas.admin, parameter=_param(orgs, valid_from=dt.date(2019, 6, 1))
        )
    assert "valid_from" in exc.value.fields
    # a period that starts where the other ends is fine, and so is another jurisdiction
    rule_parameter_save(
        actor=personas.admin,
        parameter=_param(orgs, valid_from=dt.date(2020, 1, 1), value=20),
    )
    rule_parameter_save(
        actor=personas.admin,
        parameter=_param(orgs, jurisdiction=orgs.d1, valid_from=dt.date(2019, 6, 1)),
    )
    assert RuleParameter.objects.filter(key="deadline.contract.sign").count() == 3


@pytest.mark.parametrize(
    ("value_type", "value"),
    [
        ("working_days", -1),
        ("working_days", 2.5),
        ("percent", 120),
        ("money", "lots"),
        ("range", {"min": 30, "max": 10}),
        ("weights", {"a": 30, "b": 30}),
        ("bands", [{"code": "good", "min": 80}, {"code": "excellent", "min": 90}]),
        ("boolean", "yes"),
    ],
)
def test_rejects_a_value_that_does_not_fit_its_type(orgs, personas, value_type, value):
    with pytest.raises(ValidationFailed) as exc:
        rule_parameter_save(
            actor=personas.admin,
            parameter=_param(orgs, value_type=value_type, value=value),
        )
    assert "value" in exc.value.fields
    assert not RuleParameter.objects.exists()


def test_only_district_admins_change_rules(orgs, personas):
    with pytest.raises(NotPermitted):
        rule_parameter_save(actor=personas.officer, parameter=_param(orgs))


@pytest.mark.parametrize(
    ("value_type", "value", "shown"),
    [
        ("working_days", 7, "7 个工作日"),
        ("calendar_days", 30, "30 日"),
        ("percent", 10, "10%"),
        ("money", "2000000.00", "¥2,000,000.00"),
        ("range", {"min": 10, "max": 30}, "10–30"),
        (
            "bands",
            [
                {"code": "excellent", "label_zh": "优", "min": 90},
                {"code": "good", "min": 80},
            ],
            "优 ≥90，good ≥80",
        ),
    ],
)
def test_values_read_as_a_person_reads_them(orgs, value_type, value, shown):
    assert _param(orgs, value_type=value_type, value=value).display_value() == shown


def test_rules_page_highlights_only_its_own_section(personas, web):
    html = web(personas.officer).get("/catalogue/rules/").content.decode()
    active = re.findall(r'<a href="([^"]+)" class="active"', html)
    assert active == ["/catalogue/rules/"]
