"""Amounts in yuan, as users type them: one parser for every form, import and API."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

CENT = Decimal("0.01")


def parse_yuan(
    raw: Any, *, positive: bool = False, limit: Decimal = Decimal("1e12")
) -> Decimal:
    """The amount `raw` states (commas and ¥ allowed), with at most 2 decimals.

    Raises:
        ValueError: with the reason in the user's language — empty, not a number,
            zero or negative (when `positive`), negative, too many decimals, too large.
    """
    text = (
        ""
        if raw is None
        else str(raw).strip().replace(",", "").replace("¥", "").replace("￥", "")
    )
    if not text:
        raise ValueError(_("请填写金额。"))
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(_("“%(value)s”不是有效的金额。") % {"value": raw}) from None
    if not value.is_finite():
        raise ValueError(_("“%(value)s”不是有效的金额。") % {"value": raw})
    # Before the quantize below, which fails on huge values.
    if abs(value) >= limit:
        raise ValueError(_("金额过大。"))
    if positive and value <= 0:
        raise ValueError(_("金额必须大于零。"))
    if value < 0:
        raise ValueError(_("金额不能为负数。"))
    if value != value.quantize(CENT):
        raise ValueError(_("金额最多保留两位小数。"))
    return value.quantize(CENT)
