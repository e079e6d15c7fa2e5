"""Effective-dated rule parameters and deadline arithmetic on the working-day calendar."""

from __future__ import annotations

import datetime as dt

import factory
import pytest
from django.urls import reverse

from catalogue.choices import DayKind, ValueType
from catalogue.models import CalendarDay, RuleParameter
from catalogue.rules import (
    RuleParameterMissing,
    add_calendar_days,
    add_working_days,
    deadline_for,
    is_working_day,
    rule_parameter_resolve,
    rule_value,
)
from core.exceptions import ValidationFailed

D = dt.date


class RuleParameterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RuleParameter

    key = "notice.period"
    valid_from = D(2014, 1, 1)
    valid_to = None
    value_type = ValueType.WORKING_DAYS
    value = 5


class CalendarDayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CalendarDay
        django_get_or_create = ("date",)

    kind = DayKind.HOLIDAY
    name = "国庆节"


@pytest.fixture
def national_day_2025(db):
    """The State Council's 2025 notice: 10-01..10-08 off (国庆 + 中秋),
    Sunday 09-28 and Saturday 10-11 are make-up working days."""
    for day in range(1, 9):
        CalendarDayFactory(date=D(2025, 10, day), kind=DayKind.HOLIDAY)
    CalendarDayFactory(date=D(2025, 9, 28), kind=DayKind.WORKDAY, name="国庆节调休")
    CalendarDayFactory(date=D(2025, 10, 11), kind=DayKind.WORKDAY, name="国庆节调休")


# --- resolving a parameter --------------------------------------------------------------


@pytest.fixture
def layered(orgs):
    """The same key at every layer: nation 10, province 11, city 12, district D1 13."""
    for org, value in [
        (orgs.nation, 10),
        (orgs.province, 11),
        (orgs.city, 12),
        (orgs.d1, 13),
    ]:
        RuleParameterFactory(jurisdiction=org, value=value)


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("d1", 13),
        ("s1", 13),
        ("c1", 13),
        ("d2", 12),
        ("s3", 12),
        ("city", 12),
        ("province", 11),
        ("nation", 10),
    ],
)
def test_most_specific_layer_wins(orgs, layered, where, expected):
    # when
    param = rule_parameter_resolve("notice.period", getattr(orgs, where), D(2025, 6, 1))

    # then
    assert param.value == expected


def test_layer_order_does_not_depend_on_creation_order(orgs):
    # given: the district's value is stored first, the nation's last
    RuleParameterFactory(jurisdiction=orgs.d1, value=13)
    RuleParameterFactory(jurisdiction=orgs.city, value=12)
    RuleParameterFactory(jurisdiction=orgs.nation, value=10)

    # when / then
    assert rule_value("notice.period", orgs.s1, D(2025, 6, 1)) == 13


def test_does_not_use_a_sibling_district_value(orgs):
    # given
    RuleParameterFactory(jurisdiction=orgs.d2, value=99)
    RuleParameterFactory(jurisdiction=orgs.nation, value=10)

    # when / then
    assert rule_value("notice.period", orgs.d1, D(2025, 6, 1)) == 10


@pytest.fixture
def periods(orgs):
    """Nation: 3 until 2020-01-01 (exclusive), then 5. District D1: 7 from 2022-07-01."""
    RuleParameterFactory(
        jurisdiction=orgs.nation,
        valid_from=D(2015, 3, 1),
        valid_to=D(2020, 1, 1),
        value=3,
    )
    RuleParameterFactory(jurisdiction=orgs.nation, valid_from=D(2020, 1, 1), value=5)
    RuleParameterFactory(jurisdiction=orgs.d1, valid_from=D(2022, 7, 1), value=7)


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (D(2015, 3, 1), 3),  # valid_from is inclusive
        (D(2019, 12, 31), 3),
        (D(2020, 1, 1), 5),  # valid_to is exclusive: the next period starts
        (D(2022, 6, 30), 5),  # the district's period has not started: nation applies
        (D(2022, 7, 1), 7),
        (D(2030, 1, 1), 7),  # an open end stays in force
    ],
)
def test_uses_the_period_in_force_on_the_date(orgs, periods, on, expected):
    # when / then
    assert rule_value("notice.period", orgs.s1, on) == expected


def test_raises_missing_before_the_first_period(orgs, periods):
    # when
    with pytest.raises(RuleParameterMissing) as exc:
        rule_parameter_resolve("notice.period", orgs.d1, D(2015, 2, 28))

    # then
    assert exc.value.status_code == 409
    assert exc.value.code == "rule_parameter_missing"
    assert "notice.period" in str(exc.value.message)
    assert "2015-02-28" in str(exc.value.message)


def test_raises_missing_for_an_unknown_key(orgs, layered):
    # when / then
    with pytest.raises(RuleParameterMissing):
        rule_parameter_resolve("no.such.key", orgs.d1, D(2025, 6, 1))


def test_api_resolves_the_value_in_force(api, personas, orgs, periods):
    # when
    response = api(personas.officer).get(
        reverse("api:rule-parameter-resolve"),
        {"key": "notice.period", "jurisdiction": orgs.s1.code, "on": "2019-12-31"},
    )

    # then
    assert response.status_code == 200
    assert response.json()["value"] == 3
    assert response.json()["jurisdiction"] == orgs.nation.code


def test_api_answers_409_when_no_parameter_applies(api, personas, orgs, periods):
    # when
    response = api(personas.officer).get(
        reverse("api:rule-parameter-resolve"),
        {"key": "notice.period", "jurisdiction": orgs.d1.code, "on": "2010-01-01"},
    )

    # then
    assert response.status_code == 409
    assert response.json()["code"] == "rule_parameter_missing"


# --- the working-day calendar -----------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2025, 9, 26), True),  # Friday
        (D(2025, 9, 27), False),  # Saturday
        (D(2025, 9, 28), True),  # Sunday, make-up working day
        (D(2025, 10, 1), False),  # Wednesday, National Day
        (D(2025, 10, 8), False),  # Wednesday, last day off
        (D(2025, 10, 9), True),  # Thursday
        (D(2025, 10, 11), True),  # Saturday, make-up working day
        (D(2025, 10, 12), False),  # Sunday
    ],
)
def test_knows_holidays_and_make_up_days(national_day_2025, day, working):
    # when / then
    assert is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        # Fri 09-26 + 1: Sat 09-27 is off, Sun 09-28 is a make-up working day.
        (D(2025, 9, 26), 1, D(2025, 9, 28)),
        # Fri 09-26 + 3: 09-28 (1), Mon 09-29 (2), Tue 09-30 (3).
        (D(2025, 9, 26), 3, D(2025, 9, 30)),
        # Tue 09-30 + 1: 10-01..10-08 are off; Thu 10-09 is the first working day.
        (D(2025, 9, 30), 1, D(2025, 10, 9)),
        # Tue 09-30 + 5: Thu 10-09 (1), Fri 10-10 (2), Sat 10-11 make-up (3),
        # Sun 10-12 off, Mon 10-13 (4), Tue 10-14 (5).
        (D(2025, 9, 30), 5, D(2025, 10, 14)),
        # Starting inside the holiday: Fri 10-03 + 2 -> 10-09 (1), 10-10 (2).
        (D(2025, 10, 3), 2, D(2025, 10, 10)),
        # Zero days: the start day itself, even when it is a holiday.
        (D(2025, 10, 1), 0, D(2025, 10, 1)),
    ],
)
def test_adds_working_days_across_national_day_2025(
    national_day_2025, start, days, expected
):
    # when / then
    assert add_working_days(start, days) == expected


def test_without_the_calendar_october_first_would_count(db):
    # given: no CalendarDay rows at all
    # when / then: plain Monday-Friday counting (Wed 10-01 is a weekday)
    assert add_working_days(D(2025, 9, 30), 1) == D(2025, 10, 1)
    assert add_working_days(D(2025, 9, 26), 1) == D(2025, 9, 29)


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        # 09-24 + 7 = Wed 10-01, a holiday: the period ends on the next working day.
        (D(2025, 9, 24), 7, D(2025, 10, 9)),
        # 09-21 + 7 = Sun 09-28, a make-up working day: it stays.
        (D(2025, 9, 21), 7, D(2025, 9, 28)),
        # 10-04 + 7 = Sat 10-11, a make-up working day: it stays.
        (D(2025, 10, 4), 7, D(2025, 10, 11)),
        # 10-05 + 7 = Sun 10-12, a rest day: Monday 10-13.
        (D(2025, 10, 5), 7, D(2025, 10, 13)),
        # 09-20 + 7 = Sat 09-27, a rest day: Sunday 09-28 is a working day.
        (D(2025, 9, 20), 7, D(2025, 9, 28)),
        # A period crossing the holiday but ending after it is not extended.
        (D(2025, 9, 30), 10, D(2025, 10, 10)),
    ],
)
def test_adds_calendar_days_moving_a_non_working_last_day(
    national_day_2025, start, days, expected
):
    # when / then
    assert add_calendar_days(start, days) == expected


@pytest.mark.parametrize("add", [add_working_days, add_calendar_days])
def test_refuses_negative_days(db, add):
    with pytest.raises(ValueError, match="negative"):
        add(D(2025, 9, 30), -1)


def test_seed_calendar_loads_national_day_2025_from_chinese_calendar(db):
    from catalogue.seeding import seed_calendar

    # when
    created = seed_calendar()
    again = seed_calendar()

    # then
    assert created > 100
    assert again == 0
    kinds = dict(
        CalendarDay.objects.filter(
            date__range=(D(2025, 9, 27), D(2025, 10, 12))
        ).values_list("date", "kind")
    )
    assert kinds == {
        **{D(2025, 10, d): DayKind.HOLIDAY for d in range(1, 9)},
        D(2025, 9, 28): DayKind.WORKDAY,
        D(2025, 10, 11): DayKind.WORKDAY,
    }
    assert CalendarDay.objects.get(date=D(2025, 10, 1)).name == "国庆节"
    assert add_working_days(D(2025, 9, 30), 5) == D(2025, 10, 14)


# --- typed deadlines --------------------------------------------------------------------


def test_deadline_in_working_days_skips_the_holiday(orgs, national_day_2025):
    # given
    RuleParameterFactory(
        key="challenge.reply",
        jurisdiction=orgs.nation,
        value_type=ValueType.WORKING_DAYS,
        value=5,
    )

    # when / then
    assert deadline_for("challenge.reply", orgs.d1, D(2025, 9, 30)) == D(2025, 10, 14)


def test_deadline_in_calendar_days_counts_the_holiday(orgs, national_day_2025):
    # given
    RuleParameterFactory(
        key="challenge.reply",
        jurisdiction=orgs.nation,
        value_type=ValueType.CALENDAR_DAYS,
        value=5,
    )

    # when / then: 09-30 + 5 = Sun 10-05 (off) -> first working day 10-09
    assert deadline_for("challenge.reply", orgs.d1, D(2025, 9, 30)) == D(2025, 10, 9)


def test_deadline_uses_the_parameter_in_force_on_the_start_day(orgs, national_day_2025):
    # given: 3 working days until 2025-10-01, 5 from then on
    RuleParameterFactory(
        key="challenge.reply",
        jurisdiction=orgs.nation,
        valid_to=D(2025, 10, 1),
        value=3,
    )
    RuleParameterFactory(
        key="challenge.reply",
        jurisdiction=orgs.nation,
        valid_from=D(2025, 10, 1),
        value=5,
    )

    # when
    before = deadline_for("challenge.reply", orgs.d1, D(2025, 9, 30))
    later = deadline_for("challenge.reply", orgs.d1, D(2025, 9, 30), on=D(2025, 10, 1))

    # then: 09-30 + 3 working days = 10-09, 10-10, 10-11
    assert before == D(2025, 10, 11)
    assert later == D(2025, 10, 14)


def test_deadline_refuses_a_parameter_that_is_not_a_day_count(orgs):
    # given
    RuleParameterFactory(
        key="price.weight",
        jurisdiction=orgs.nation,
        value_type=ValueType.PERCENT,
        value=10,
    )

    # when
    with pytest.raises(ValidationFailed) as exc:
        deadline_for("price.weight", orgs.d1, D(2025, 9, 30))

    # then
    assert exc.value.code == "rule_parameter_not_a_deadline"


def test_deadline_raises_missing_without_a_parameter(orgs):
    with pytest.raises(RuleParameterMissing):
        deadline_for("challenge.reply", orgs.d1, D(2025, 9, 30))


# --- the working-days endpoint ----------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"start": "2025-09-30", "days": "5"}, "2025-10-14"),
        ({"start": "2025-09-26", "days": "1"}, "2025-09-28"),
        ({"start": "2025-09-30", "days": "1", "kind": "working_days"}, "2025-10-09"),
        ({"start": "2025-09-24", "days": "7", "kind": "calendar_days"}, "2025-10-09"),
    ],
)
def test_api_computes_the_same_dates(
    api, personas, national_day_2025, params, expected
):
    # when
    response = api(personas.officer).get(reverse("api:working-days-list"), params)

    # then
    assert response.status_code == 200
    body = response.json()
    assert body["result"] == expected
    assert (
        body["result"]
        == (add_working_days if body["kind"] == "working_days" else add_calendar_days)(
            D.fromisoformat(params["start"]), int(params["days"])
        ).isoformat()
    )


@pytest.mark.parametrize(
    ("params", "bad"),
    [
        ({"start": "2025-09-30", "days": "-1"}, {"days"}),
        ({"start": "2025-09-30", "days": "five"}, {"days"}),
        ({"start": "2025-09-30", "days": "3651"}, {"days"}),
        ({"start": "2025-09-30"}, {"days"}),
        ({"start": "bad", "days": "5"}, {"start"}),
        ({"start": "2025-02-30", "days": "5"}, {"start"}),
        ({"days": "5"}, {"start"}),
        ({"start": "2025-09-30", "days": "5", "kind": "hours"}, {"kind"}),
        ({"start": "bad", "days": "-1"}, {"start", "days"}),
    ],
)
def test_api_refuses_bad_input_naming_the_fields(api, personas, params, bad):
    # when
    response = api(personas.officer).get(reverse("api:working-days-list"), params)

    # then
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"code", "detail", "fields"}
    assert set(body["fields"]) == bad


def test_api_requires_authentication(api, national_day_2025):
    # when
    response = api(None).get(
        reverse("api:working-days-list"), {"start": "2025-09-30", "days": "5"}
    )

    # then
    assert response.status_code == 401
