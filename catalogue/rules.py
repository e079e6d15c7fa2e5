"""Rule parameters and the working-day calendar.

`rule_value(key, jurisdiction, on)` resolves an effective-dated parameter for a
jurisdiction: the most specific layer (district before city before province
before nation) that has a period covering the date wins.

Deadlines are typed: 日 (calendar days) or 工作日 (working days, which skip
statutory holidays and count make-up days, RULES §3.6). As in 民法典 第二百零一、
二百零三条, the start day is not counted, and a calendar-day period whose last day
is a holiday ends on the next working day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from core.exceptions import DomainError, ValidationFailed
from core.visibility import ancestor_paths

from .choices import DayKind, ValueType
from .models import CalendarDay, RuleParameter


class RuleParameterMissing(DomainError):
    status_code = 409
    default_code = "rule_parameter_missing"
    default_message = _("缺少适用的规则参数。")


def rule_parameter_resolve(key: str, jurisdiction: Any, on: dt.date) -> RuleParameter:
    """The parameter in force for `jurisdiction` on date `on` (one query).

    Raises:
        RuleParameterMissing: no layer defines the key for that date.
    """
    paths = ancestor_paths(jurisdiction.path)
    candidates = list(
        RuleParameter.objects.in_force(on)
        .filter(key=key, jurisdiction__path__in=paths)
        .select_related("jurisdiction")
    )
    if not candidates:
        raise RuleParameterMissing(
            _("没有为“%(where)s”在 %(date)s 有效的规则参数“%(key)s”。")
            % {"where": jurisdiction.name, "date": on.isoformat(), "key": key}
        )
    return max(candidates, key=lambda p: len(p.jurisdiction.path))


def rule_value(key: str, jurisdiction: Any, on: dt.date) -> Any:
    """The value of a rule parameter in force (see rule_parameter_resolve)."""
    return rule_parameter_resolve(key, jurisdiction, on).value


def rule_parameters_in_force(jurisdiction: Any, on: dt.date) -> list[RuleParameter]:
    """Every key's winning parameter for a jurisdiction on a date (one query)."""
    paths = ancestor_paths(jurisdiction.path)
    winners: dict[str, RuleParameter] = {}
    for p in (
        RuleParameter.objects.in_force(on)
        .filter(jurisdiction__path__in=paths)
        .select_related("jurisdiction")
    ):
        best = winners.get(p.key)
        if best is None or len(p.jurisdiction.path) > len(best.jurisdiction.path):
            winners[p.key] = p
    return [winners[k] for k in sorted(winners)]


# --- calendar --------------------------------------------------------------------------

# How far past a date the calendar is read in one query: longer than any run of
# holidays and weekends (春节 and 国庆 are at most nine days in a row).
LOOKAHEAD = dt.timedelta(days=31)


@dataclass(frozen=True)
class CalendarOverrides:
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.holidays:
            return False
        if day in self.workdays:
            return True
        return day.weekday() < 5


def calendar_overrides(start: dt.date, end: dt.date) -> CalendarOverrides:
    """Holidays and make-up days between two dates (one query)."""
    rows = CalendarDay.objects.filter(date__gte=start, date__lte=end).values_list(
        "date", "kind"
    )
    holidays = frozenset(d for d, k in rows if k == DayKind.HOLIDAY)
    workdays = frozenset(d for d, k in rows if k == DayKind.WORKDAY)
    return CalendarOverrides(holidays, workdays)


def is_working_day(day: dt.date) -> bool:
    return calendar_overrides(day, day).is_working_day(day)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The day `days` working days after `start` (the start day is not counted)."""
    if days < 0:
        raise ValueError("days must not be negative")
    overrides = calendar_overrides(
        start, start + dt.timedelta(days=days * 2) + LOOKAHEAD
    )
    day, counted = start, 0
    while counted < days:
        day += dt.timedelta(days=1)
        if overrides.is_working_day(day):
            counted += 1
    return day


def add_calendar_days(start: dt.date, days: int) -> dt.date:
    """`days` calendar days after `start`; a last day that is not a working day
    moves to the next working day (民法典 第二百零三条)."""
    if days < 0:
        raise ValueError("days must not be negative")
    end = start + dt.timedelta(days=days)
    overrides = calendar_overrides(end, end + LOOKAHEAD)
    while not overrides.is_working_day(end):
        end += dt.timedelta(days=1)
    return end


def deadline_for(
    key: str, jurisdiction: Any, start: dt.date, on: dt.date | None = None
) -> dt.date:
    """The deadline a typed deadline rule gives from `start`.

    Raises:
        RuleParameterMissing: the rule is not defined for the jurisdiction.
        ValidationFailed: the parameter is not a day count.
    """
    param = rule_parameter_resolve(key, jurisdiction, on or start)
    if param.value_type == ValueType.WORKING_DAYS:
        return add_working_days(start, int(param.value))
    if param.value_type == ValueType.CALENDAR_DAYS:
        return add_calendar_days(start, int(param.value))
    raise ValidationFailed(
        _("规则参数“%(key)s”不是日数（%(type)s）。")
        % {"key": key, "type": param.get_value_type_display()},
        code="rule_parameter_not_a_deadline",
    )
