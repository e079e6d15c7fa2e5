"""Sanity rules of a service item (RULES §7, §8; GPS-09, GPS-12, GPS-19).

`clean_item_data` turns raw values (from a form, the API or an import row) into
model values and reports every field at fault, in the user's language. It does no
database writes and is shared by every interface.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from core.money import parse_yuan

from .choices import PER_HEAD_UNITS, MatterType, OutsourceScope, PriceBasis
from .columns import COLUMN_BY_FIELD, STEP_SEPARATORS

# Words that name the decision itself; an AUX_ONLY item's deliverable may not be
# the approval, decision, certificate or penalty, which stay with the organ (RULES §7).
DECISION_WORDS = ("审批", "决定", "核发", "处罚", "发证", "颁证")
# Matter types whose decision is a core government function (GPS-10..12): they may
# be bought only as auxiliary steps, or not at all.
CORE_MATTER_TYPES = {
    MatterType.LICENSING,
    MatterType.PENALTY,
    MatterType.CONFIRMATION,
    MatterType.BENEFIT,
}
CODE_RE = re.compile(r"^[A-Z]\d{2}-\d{2,3}$")
REQUIRED_TEXT = (
    "code",
    "name",
    "legal_basis",
    "decision_authority",
    "service_standard",
    "assessment_standard",
    "assessment_method",
)


@dataclass
class ItemCheck:
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)


@functools.cache
def _choice_lookup(choices: type) -> dict[str, str]:
    """Map codes and labels (Chinese and English) to codes."""
    out: dict[str, str] = {}
    for value, label in choices.choices:  # type: ignore[attr-defined]
        out[str(value).lower()] = value
        for lang in ("zh-hans", "en"):
            with translation.override(lang):
                out[str(label).strip().lower()] = value
    return out


def parse_choice(name: str, raw: Any, check: ItemCheck) -> str | None:
    column = COLUMN_BY_FIELD[name]
    text = "" if raw is None else str(raw).strip()
    if not text:
        check.error(name, _("请填写此项。"))
        return None
    value = _choice_lookup(column.choices).get(text.lower())
    if value is None:
        allowed = "、".join(str(label) for _v, label in column.choices.choices)  # type: ignore[union-attr]
        check.error(
            name,
            _("“%(value)s”不是可选值，可选：%(allowed)s。")
            % {"value": text, "allowed": allowed},
        )
    return value


def parse_steps(raw: Any, check: ItemCheck) -> list[str]:
    if raw is None or raw == "":
        return []
    if isinstance(raw, (list, tuple)):
        parts = [str(p).strip() for p in raw]
    else:
        text = str(raw)
        for sep in STEP_SEPARATORS[1:]:
            text = text.replace(sep, STEP_SEPARATORS[0])
        parts = [p.strip() for p in text.split(STEP_SEPARATORS[0])]
    lookup = _choice_lookup(COLUMN_BY_FIELD["allowed_steps"].choices)
    steps: list[str] = []
    for part in parts:
        if not part:
            continue
        value = lookup.get(part.lower())
        if value is None:
            check.error(
                "allowed_steps",
                _("“%(value)s”不是可购买的辅助环节。") % {"value": part},
            )
        elif value not in steps:
            steps.append(value)
    return steps


def parse_money(
    raw: Any, check: ItemCheck, name: str = "reference_price"
) -> Decimal | None:
    try:
        return parse_yuan(raw, limit=Decimal("10000000000"))
    except ValueError as exc:
        check.error(name, str(exc))
        return None


def parse_count(raw: Any, check: ItemCheck, name: str = "annual_volume") -> int:
    text = "" if raw is None else str(raw).strip()
    if not text:
        return 0
    try:
        number = Decimal(text)
    except InvalidOperation:
        check.error(name, _("“%(value)s”不是整数。") % {"value": raw})
        return 0
    if number != number.to_integral_value() or number < 0 or number > 10_000_000:
        check.error(name, _("必须是 0 到 10,000,000 之间的整数。"))
        return 0
    return int(number)


def clean_item_data(raw: dict[str, Any], domains: dict[str, Any]) -> ItemCheck:
    """Validate one item's raw values.

    `domains` maps a domain code (A01…) to its Category. Returns the cleaned values,
    the errors per field and the warnings (which do not block saving or publishing).
    """
    check = ItemCheck()
    v = check.values
    for name in REQUIRED_TEXT:
        text = str(raw.get(name) or "").strip()
        if not text:
            check.error(name, _("请填写此项。"))
        v[name] = text
    for name in ("deliverable", "prohibited_reason", "change_note"):
        v[name] = str(raw.get(name) or "").strip()
    if v["code"] and not CODE_RE.match(v["code"]):
        check.error("code", _("编码格式应为“领域-序号”，如 A03-01。"))
    if len(v["name"]) > 120:
        check.error("name", _("名称不能超过120个字。"))
    if len(v["decision_authority"]) > 200:
        check.error("decision_authority", _("不能超过200个字。"))

    domain_raw = raw.get("domain")
    domain_code = (
        getattr(domain_raw, "code", None)
        or str(domain_raw or "").strip().split(" ")[0].upper()
    )
    if not domain_code:
        check.error("domain", _("请填写服务领域。"))
    elif domain_code not in domains:
        check.error(
            "domain",
            _("“%(value)s”不是服务领域编码（A01–A13）。") % {"value": domain_raw},
        )
    else:
        v["domain"] = domains[domain_code]
        if (
            v["code"]
            and CODE_RE.match(v["code"])
            and not v["code"].startswith(domain_code + "-")
        ):
            check.error(
                "code",
                _("编码应以其服务领域“%(domain)s-”开头。") % {"domain": domain_code},
            )

    for name in (
        "service_class",
        "matter_type",
        "authority_level",
        "outsource_scope",
        "unit",
    ):
        v[name] = parse_choice(name, raw.get(name), check)
    v["price_basis"] = parse_choice(
        "price_basis", raw.get("price_basis") or PriceBasis.UNIT, check
    )
    v["allowed_steps"] = parse_steps(raw.get("allowed_steps"), check)
    v["reference_price"] = parse_money(raw.get("reference_price"), check)
    v["annual_volume"] = parse_count(raw.get("annual_volume"), check)

    scope = v.get("outsource_scope")
    if scope == OutsourceScope.AUX_ONLY:
        if not v["allowed_steps"] and "allowed_steps" not in check.errors:
            check.error(
                "allowed_steps", _("“仅可购买辅助环节”的事项必须列出可购买的辅助环节。")
            )
        if not v["deliverable"]:
            check.error("deliverable", _("请写明交付成果（如受理登记表、初审意见）。"))
        found = [w for w in DECISION_WORDS if w in v["deliverable"]]
        if found:
            check.error(
                "deliverable",
                _(
                    "交付成果不能是审批、决定、证照或处罚本身（含“%(words)s”）；决定权留在主管机关。"
                )
                % {"words": "、".join(found)},
            )
    elif (
        scope in (OutsourceScope.FULL, OutsourceScope.PROHIBITED) and v["allowed_steps"]
    ):
        check.error("allowed_steps", _("只有“仅可购买辅助环节”的事项才列辅助环节。"))
    if scope == OutsourceScope.PROHIBITED:
        if not v["prohibited_reason"]:
            check.error("prohibited_reason", _("“不得购买”的事项必须写明理由。"))
    elif v["prohibited_reason"]:
        check.error("prohibited_reason", _("只有“不得购买”的事项才填写理由。"))
    if scope == OutsourceScope.FULL and v.get("matter_type") in CORE_MATTER_TYPES:
        check.error(
            "outsource_scope",
            _("%(type)s类事项的决定属于政府核心职能，只能购买辅助环节或不得购买。")
            % {"type": MatterType(v["matter_type"]).label},
        )
    if v.get("unit") in PER_HEAD_UNITS:
        check.warnings.append(
            _(
                "%(code)s 按人头计价（人·月）：政府购买服务不得变相用工，宜按服务产出计价（GPS-19）。"
            )
            % {"code": v["code"] or "?"}
        )
    if scope == OutsourceScope.FULL and v.get("matter_type") == MatterType.INSPECTION:
        check.warnings.append(
            _("%(code)s 是行政检查类事项却标为可整体购买，请确认不含执法权。")
            % {"code": v["code"] or "?"}
        )
    return check


def item_warnings(item: Any) -> list[str]:
    """Warnings of a saved item (shown on its page and before publishing)."""
    raw = {c: getattr(item, c) for c in COLUMN_BY_FIELD}
    raw["domain"] = item.domain
    return clean_item_data(raw, {item.domain.code: item.domain}).warnings


def item_errors(item: Any) -> dict[str, list[str]]:
    raw = {c: getattr(item, c) for c in COLUMN_BY_FIELD}
    raw["domain"] = item.domain
    return clean_item_data(raw, {item.domain.code: item.domain}).errors


def purchase_refusal(item: Any) -> str | None:
    """Why a catalogue item may not be put into a purchase, or None (GPS-09, §7):
    a PROHIBITED item, or an AUX_ONLY item whose deliverable is the decision itself."""
    if item.outsource_scope == OutsourceScope.PROHIBITED:
        return str(
            _("%(code)s %(name)s 不得购买：%(reason)s")
            % {"code": item.code, "name": item.name, "reason": item.prohibited_reason}
        )
    if item.outsource_scope == OutsourceScope.AUX_ONLY:
        found = [w for w in DECISION_WORDS if w in (item.deliverable or "")]
        if found or not item.allowed_steps:
            return str(
                _(
                    "%(code)s %(name)s 只能购买辅助环节，其交付成果不能是审批、决定、证照或处罚本身。"
                )
                % {"code": item.code, "name": item.name}
            )
    return None
