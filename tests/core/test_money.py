"""One parser for every amount users type (catalogue prices, budgets, bids)."""

from decimal import Decimal

import pytest

from core.money import parse_yuan


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2,379,000", Decimal("2379000.00")),
        ("¥35.5", Decimal("35.50")),
        ("0", Decimal("0.00")),
    ],
)
def test_amounts_as_users_type_them(raw, expected):
    assert parse_yuan(raw) == expected


@pytest.mark.parametrize(
    ("raw", "positive", "message"),
    [
        ("", False, "请填写金额"),
        ("abc", False, "不是有效的金额"),
        ("NaN", False, "不是有效的金额"),
        ("1e400", False, "金额过大"),  # used to fail inside quantize (a server error)
        ("-1", False, "不能为负数"),
        ("0", True, "必须大于零"),
        ("1.001", False, "两位小数"),
    ],
)
def test_each_bad_amount_says_why(raw, positive, message):
    with pytest.raises(ValueError, match=message):
        parse_yuan(raw, positive=positive)
