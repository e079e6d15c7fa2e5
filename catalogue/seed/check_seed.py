#!/usr/bin/env python3
"""Validate the catalogue seed files (standard library only).

Checks catalogue_2015.json (the 139-item 2015 purchase catalogue) and
catalogue_2026_changes.json (the changes that turn it into the 2026 catalogue),
then prints a summary. Exits 1 if any problem is found.

Usage: python3 check_seed.py [SEED_DIR]   (default: the directory of this script)
"""

from __future__ import annotations

import copy
import json
import re
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

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
DOMAIN_NAMES = {
    "A01": "就业创业",
    "A02": "社会保险",
    "A03": "社会救助",
    "A04": "养老服务与老龄",
    "A05": "残疾人服务",
    "A06": "卫生健康与人口家庭（原计划生育）",
    "A07": "退役军人服务与双拥优抚",
    "A08": "综合治理与平安建设",
    "A09": "城市管理与人居环境",
    "A10": "文化体育与社区教育",
    "A11": "党建与群团服务",
    "A12": "住房保障与便民代办",
    "A13": "安全生产、应急与消防",
}
ITEM_KEYS = [
    "code",
    "name",
    "domain",
    "service_class",
    "matter_type",
    "legal_basis",
    "decision_authority",
    "authority_level",
    "outsource_scope",
    "allowed_steps",
    "deliverable",
    "prohibited_reason",
    "unit",
    "service_standard",
    "assessment_standard",
    "assessment_method",
    "price_basis",
    "reference_price",
    "annual_volume_per_community",
]
SERVICE_CLASSES = {"A", "B"}
MATTER_TYPES = {
    "public_service",
    "licensing",
    "benefit",
    "confirmation",
    "inspection",
    "penalty",
    "other",
}
AUTHORITY_LEVELS = {"district", "street", "community"}
SCOPES = {"full", "aux_only", "prohibited"}
STEPS = {
    "acceptance",
    "preliminary_review",
    "registration",
    "inspection",
    "home_survey_assist",
    "publicity",
    "follow_up_visit",
}
UNITS = {
    "piece",
    "household_visit",
    "person_time",
    "session",
    "times",
    "month",
    "site",
    "person_month",
}
PRICE_BASES = {"unit", "ceiling"}
AUX_FORBIDDEN_WORDS = ("审批", "决定", "核发", "处罚", "发证")
TEXT_KEYS = [
    "name",
    "legal_basis",
    "decision_authority",
    "deliverable",
    "service_standard",
    "assessment_standard",
    "assessment_method",
]
PLACEHOLDER_RE = re.compile(r"(TODO|TBD|待定|待补充|xxx|XXX|占位符|示例项)")
NAME_PLACEHOLDER_RE = re.compile(
    r"(^|[^\u4e00-\u9fff])(事项|项目|条目|服务)\s*\d+\s*$|^(事项|项目)\s*[一二三四五六七八九十\d]+$"
)
CODE_RE = re.compile(r"^(A\d{2})-(\d{2})$")
PRICE_RE = re.compile(r"^\d+\.\d{2}$")

BUDGET_MIN, BUDGET_MAX = Decimal("250000"), Decimal("500000")
AUX_RANGE = (40, 55)
PROHIBITED_RANGE = (3, 6)
CHANGES_RANGE = (10, 25)


class Checker:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def err(self, where: str, msg: str) -> None:
        self.errors.append(f"{where}: {msg}")

    # ---- single item -------------------------------------------------
    def check_item(self, item: dict, where: str) -> None:
        if not isinstance(item, dict):
            self.err(where, "item is not an object")
            return
        keys = list(item.keys())
        missing = [k for k in ITEM_KEYS if k not in item]
        extra = [k for k in keys if k not in ITEM_KEYS]
        if missing:
            self.err(where, f"missing keys {missing}")
        if extra:
            self.err(where, f"unexpected keys {extra}")
        if missing:
            return
        code = item["code"]
        m = CODE_RE.match(code) if isinstance(code, str) else None
        if not m:
            self.err(where, f"bad code {code!r}")
        elif m.group(1) != item["domain"]:
            self.err(where, f"code {code} does not match domain {item['domain']}")
        if item["domain"] not in DOMAIN_COUNTS:
            self.err(where, f"unknown domain {item['domain']!r}")
        for k in TEXT_KEYS:
            v = item[k]
            if not isinstance(v, str) or not v.strip():
                self.err(where, f"{k} must be a non-empty string")
            elif PLACEHOLDER_RE.search(v):
                self.err(where, f"{k} looks like a placeholder: {v!r}")
        name = item["name"]
        if isinstance(name, str) and (
            NAME_PLACEHOLDER_RE.search(name) or re.search(r"事项\s*\d+$", name)
        ):
            self.err(where, f"name looks like a placeholder: {name!r}")
        if isinstance(name, str) and len(name) > 60:
            self.err(where, f"name longer than 60 chars ({len(name)})")
        if isinstance(name, str) and not re.search(r"[\u4e00-\u9fff]", name):
            self.err(where, "name is not Chinese")
        for k, allowed in (
            ("service_class", SERVICE_CLASSES),
            ("matter_type", MATTER_TYPES),
            ("authority_level", AUTHORITY_LEVELS),
            ("outsource_scope", SCOPES),
            ("unit", UNITS),
            ("price_basis", PRICE_BASES),
        ):
            if item[k] not in allowed:
                self.err(where, f"{k}={item[k]!r} not in {sorted(allowed)}")
        steps = item["allowed_steps"]
        if not isinstance(steps, list) or any(s not in STEPS for s in steps):
            self.err(where, f"allowed_steps invalid: {steps!r}")
            steps = []
        if len(set(steps)) != len(steps):
            self.err(where, "allowed_steps has duplicates")
        reason = item["prohibited_reason"]
        if not isinstance(reason, str):
            self.err(where, "prohibited_reason must be a string")
            reason = ""
        price_s = item["reference_price"]
        vol = item["annual_volume_per_community"]
        price = None
        if not isinstance(price_s, str) or not PRICE_RE.match(price_s):
            self.err(
                where, f"reference_price must be a 2-decimal string, got {price_s!r}"
            )
        else:
            price = Decimal(price_s)
        if not isinstance(vol, int) or isinstance(vol, bool) or vol < 0:
            self.err(
                where,
                f"annual_volume_per_community must be a non-negative integer, got {vol!r}",
            )
            vol = None

        scope = item["outsource_scope"]
        if scope == "aux_only":
            if not steps:
                self.err(where, "aux_only item needs non-empty allowed_steps")
            bad = [w for w in AUX_FORBIDDEN_WORDS if w in item["deliverable"]]
            if bad:
                self.err(where, f"aux_only deliverable contains decision words {bad}")
            if item["service_class"] != "B":
                self.err(
                    where,
                    "aux_only item should be service_class B (政府履职辅助性服务)",
                )
        else:
            if steps:
                self.err(where, f"{scope} item must have empty allowed_steps")
        if scope == "prohibited":
            if not reason.strip():
                self.err(where, "prohibited item needs a prohibited_reason")
            if price is not None and price != 0:
                self.err(where, "prohibited item must have reference_price 0.00")
            if vol not in (None, 0):
                self.err(
                    where, "prohibited item must have annual_volume_per_community 0"
                )
        else:
            if reason:
                self.err(where, "prohibited_reason must be empty unless prohibited")
            if price is not None and price <= 0:
                self.err(where, "reference_price must be > 0 for a buyable item")
            if vol is not None and vol <= 0:
                self.err(
                    where, "annual_volume_per_community must be > 0 for a buyable item"
                )
        if item["price_basis"] == "ceiling" and scope != "prohibited" and vol != 1:
            self.err(
                where,
                "ceiling items carry the annual ceiling as price, so volume must be 1",
            )

    # ---- whole catalogue --------------------------------------------
    def check_catalogue(self, items: list, label: str, exact_counts: bool) -> None:
        codes = Counter(i.get("code") for i in items if isinstance(i, dict))
        for c, n in codes.items():
            if n > 1:
                self.err(label, f"duplicate code {c} ({n}x)")
        names = Counter(i.get("name") for i in items if isinstance(i, dict))
        for nm, n in names.items():
            if n > 1:
                self.err(label, f"duplicate name {nm!r} ({n}x)")
        if exact_counts:
            by_dom = Counter(i.get("domain") for i in items if isinstance(i, dict))
            for d, n in DOMAIN_COUNTS.items():
                if by_dom.get(d, 0) != n:
                    self.err(
                        label, f"domain {d} has {by_dom.get(d, 0)} items, expected {n}"
                    )
            if len(items) != sum(DOMAIN_COUNTS.values()):
                self.err(
                    label, f"{len(items)} items, expected {sum(DOMAIN_COUNTS.values())}"
                )
            # 2015 codes run 01..N per domain
            for d, n in DOMAIN_COUNTS.items():
                got = sorted(
                    i["code"]
                    for i in items
                    if isinstance(i, dict) and i.get("domain") == d
                )
                want = [f"{d}-{k:02d}" for k in range(1, n + 1)]
                if got != want:
                    self.err(label, f"domain {d} codes are not sequential 01..{n:02d}")


def budget(items: list) -> Decimal:
    total = Decimal(0)
    for i in items:
        try:
            total += Decimal(i["reference_price"]) * int(
                i["annual_volume_per_community"]
            )
        except Exception:  # already reported by check_item
            pass
    return total


def load(path: Path, ck: Checker):
    try:
        with path.open(encoding="utf-8") as f:
            return json.load(f)
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as e:
        ck.err(path.name, f"cannot load: {e}")
        return None


def main(argv: list[str]) -> int:
    seed_dir = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent
    ck = Checker()
    cat = load(seed_dir / "catalogue_2015.json", ck)
    chg = load(seed_dir / "catalogue_2026_changes.json", ck)
    if cat is None or chg is None:
        return report(ck)

    # ---------------- 2015 catalogue ----------------
    L = "catalogue_2015"
    for k, v in (
        ("region", "成都市武侯区"),
        ("year", 2015),
        ("title", "武侯区社区公共服务购买目录（2015年版）"),
    ):
        if cat.get(k) != v:
            ck.err(L, f"{k} must be {v!r}, got {cat.get(k)!r}")
    if set(cat) != {"region", "year", "title", "items"}:
        ck.err(L, f"top-level keys must be region/year/title/items, got {sorted(cat)}")
    items = cat.get("items")
    if not isinstance(items, list):
        ck.err(L, "items must be a list")
        return report(ck)
    for i, it in enumerate(items):
        ck.check_item(it, f"{L}[{it.get('code', i) if isinstance(it, dict) else i}]")
    ck.check_catalogue(items, L, exact_counts=True)
    items = [i for i in items if isinstance(i, dict)]

    # the old model: 就业失业登记证 is AUX_ONLY with acceptance/preliminary_review/registration
    jy = [
        i
        for i in items
        if i.get("domain") == "A01" and "就业失业登记证" in i.get("name", "")
    ]
    if len(jy) != 1:
        ck.err(
            L, f"expected exactly one A01 item about 就业失业登记证, found {len(jy)}"
        )
    else:
        it = jy[0]
        need = {"acceptance", "preliminary_review", "registration"}
        if (
            it.get("outsource_scope") != "aux_only"
            or set(it.get("allowed_steps", [])) != need
        ):
            ck.err(
                L,
                f"{it['code']} (就业失业登记证) must be aux_only with steps {sorted(need)}",
            )
    # person_month pricing only for 公益性岗位-style items
    for it in items:
        if it.get("unit") == "person_month" and "公益性岗位" not in it.get("name", ""):
            ck.err(
                L,
                f"{it['code']}: person_month pricing only allowed for 公益性岗位 items",
            )
    gy = [i for i in items if "公益性岗位" in i.get("name", "")]
    if not gy or any(
        i.get("outsource_scope") != "full" or i.get("unit") != "person_month"
        for i in gy
    ):
        ck.err(
            L,
            "the 2015 catalogue must carry 公益性岗位 as FULL with person_month pricing (old model)",
        )

    scope15 = Counter(i.get("outsource_scope") for i in items)
    if not AUX_RANGE[0] <= scope15["aux_only"] <= AUX_RANGE[1]:
        ck.err(L, f"aux_only count {scope15['aux_only']} outside {AUX_RANGE}")
    if not PROHIBITED_RANGE[0] <= scope15["prohibited"] <= PROHIBITED_RANGE[1]:
        ck.err(
            L, f"prohibited count {scope15['prohibited']} outside {PROHIBITED_RANGE}"
        )
    b15 = budget(items)
    if not BUDGET_MIN <= b15 <= BUDGET_MAX:
        ck.err(L, f"per-community budget {b15} outside {BUDGET_MIN}-{BUDGET_MAX}")

    # ---------------- 2026 changes ----------------
    C = "catalogue_2026_changes"
    for k, v in (
        ("year", 2026),
        ("title", "武侯区社区公共服务购买目录（2026年版）"),
        ("based_on", 2015),
    ):
        if chg.get(k) != v:
            ck.err(C, f"{k} must be {v!r}, got {chg.get(k)!r}")
    if set(chg) != {"year", "title", "based_on", "changes"}:
        ck.err(
            C, f"top-level keys must be year/title/based_on/changes, got {sorted(chg)}"
        )
    changes = chg.get("changes")
    if not isinstance(changes, list):
        ck.err(C, "changes must be a list")
        return report(ck)
    if not CHANGES_RANGE[0] <= len(changes) <= CHANGES_RANGE[1]:
        ck.err(
            C, f"{len(changes)} changes, expected {CHANGES_RANGE[0]}-{CHANGES_RANGE[1]}"
        )

    by_code = {i["code"]: copy.deepcopy(i) for i in items if "code" in i}
    order = [i["code"] for i in items if "code" in i]
    max_no = Counter()
    for c in order:
        m = CODE_RE.match(c)
        if m:
            max_no[m.group(1)] = max(max_no[m.group(1)], int(m.group(2)))
    touched: Counter = Counter()
    lines: list[str] = []
    for n, ch in enumerate(changes, 1):
        W = f"{C}[{n}]"
        if not isinstance(ch, dict):
            ck.err(W, "change is not an object")
            continue
        op = ch.get("op")
        note = ch.get("note")
        if not isinstance(note, str) or not note.strip():
            ck.err(W, "note must be a non-empty Chinese reason")
        if op == "change":
            if set(ch) != {"op", "code", "fields", "note"}:
                ck.err(W, f"change keys must be op/code/fields/note, got {sorted(ch)}")
            code = ch.get("code")
            fields = ch.get("fields")
            if code not in by_code:
                ck.err(W, f"change refers to unknown or removed code {code!r}")
                continue
            if not isinstance(fields, dict) or not fields:
                ck.err(W, "fields must be a non-empty object")
                continue
            bad = [k for k in fields if k not in ITEM_KEYS or k in ("code", "domain")]
            if bad:
                ck.err(W, f"fields not allowed: {bad}")
                continue
            same = [k for k, v in fields.items() if by_code[code].get(k) == v]
            if same:
                ck.err(W, f"fields unchanged from 2015: {same}")
            old_name = by_code[code]["name"]
            by_code[code].update(copy.deepcopy(fields))
            touched[code] += 1
            summary = ", ".join(sorted(fields))
            rename = (
                f" [{old_name} → {fields['name']}]"
                if "name" in fields
                else f" [{old_name}]"
            )
            lines.append(f"change {code}{rename}: {summary}")
        elif op == "remove":
            if set(ch) != {"op", "code", "note"}:
                ck.err(W, f"remove keys must be op/code/note, got {sorted(ch)}")
            code = ch.get("code")
            if code not in by_code:
                ck.err(W, f"remove refers to unknown or already removed code {code!r}")
                continue
            touched[code] += 1
            lines.append(f"remove {code} [{by_code[code]['name']}]")
            del by_code[code]
        elif op == "add":
            if set(ch) != {"op", "item", "note"}:
                ck.err(W, f"add keys must be op/item/note, got {sorted(ch)}")
            it = ch.get("item")
            ck.check_item(it, W)
            if not isinstance(it, dict) or "code" not in it:
                continue
            code = it["code"]
            m = CODE_RE.match(code)
            if code in by_code or code in order:
                ck.err(W, f"added code {code} already exists (codes are never reused)")
                continue
            if m:
                d, no = m.group(1), int(m.group(2))
                if no != max_no[d] + 1:
                    ck.err(
                        W,
                        f"added code {code} should continue the numbering ({d}-{max_no[d] + 1:02d})",
                    )
                max_no[d] = max(max_no[d], no)
            by_code[code] = copy.deepcopy(it)
            order.append(code)
            touched[code] += 1
            lines.append(f"add {code} [{it.get('name')}] ({it.get('outsource_scope')})")
        else:
            ck.err(W, f"unknown op {op!r}")
    for c, k in touched.items():
        if k > 1:
            ck.err(C, f"code {c} is touched by {k} changes; combine them into one")

    items26 = [by_code[c] for c in order if c in by_code]
    L26 = "catalogue_2026"
    for it in items26:
        ck.check_item(it, f"{L26}[{it.get('code')}]")
    ck.check_catalogue(items26, L26, exact_counts=False)
    codes26 = [i["code"] for i in items26]
    if len(codes26) != len(set(codes26)):
        ck.err(L26, "resulting 2026 catalogue has duplicate codes")
    # GPS-09(五)/GPS-19: no per-head pricing and no buyable 公益性岗位 in 2026
    for it in items26:
        if (
            it.get("unit") == "person_month"
            and it.get("outsource_scope") != "prohibited"
        ):
            ck.err(
                L26,
                f"{it['code']}: per-head (person_month) pricing is not allowed in 2026 (GPS-09五/GPS-19)",
            )
        if (
            "公益性岗位" in it.get("name", "")
            and it.get("outsource_scope") != "prohibited"
        ):
            ck.err(
                L26, f"{it['code']}: 公益性岗位 must be PROHIBITED in 2026 (GPS-09五)"
            )
    for word in (
        "就业失业登记证",
        "再生育审批",
        "流动人口婚育证明",
        "独生子女父母光荣证",
    ):
        hits = [i["code"] for i in items26 if word in i.get("name", "")]
        if hits:
            ck.err(L26, f"obsolete 2015 item {word} still present in 2026: {hits}")
    if not any("生育登记" in i.get("name", "") for i in items26):
        ck.err(L26, "2026 catalogue must contain 生育登记服务")
    scope26 = Counter(i.get("outsource_scope") for i in items26)
    if not PROHIBITED_RANGE[0] <= scope26["prohibited"] <= PROHIBITED_RANGE[1]:
        ck.err(
            L26, f"prohibited count {scope26['prohibited']} outside {PROHIBITED_RANGE}"
        )
    b26 = budget(items26)

    # ---------------- summary ----------------
    print("== 2015 catalogue:", cat.get("title"), f"({len(items)} items)")
    dom15 = Counter(i.get("domain") for i in items)
    dom26 = Counter(i.get("domain") for i in items26)
    print(f"{'domain':<6} {'2015':>5} {'2026':>5}  name")
    for d in DOMAIN_COUNTS:
        print(f"{d:<6} {dom15[d]:>5} {dom26[d]:>5}  {DOMAIN_NAMES[d]}")
    print(f"{'total':<6} {len(items):>5} {len(items26):>5}")
    print(
        "scope 2015:",
        dict(sorted(scope15.items())),
        "| 2026:",
        dict(sorted(scope26.items())),
    )
    print(
        "class 2015:",
        dict(sorted(Counter(i.get("service_class") for i in items).items())),
        "| units 2015:",
        dict(sorted(Counter(i.get("unit") for i in items).items())),
    )
    print(f"per-community budget 2015: ¥{b15:,.2f}  (x7 communities ≈ ¥{b15 * 7:,.2f})")
    print(f"per-community budget 2026: ¥{b26:,.2f}")
    print(f"== 2026 changes ({len(changes)}):")
    for ln in lines:
        print("  -", ln)
    return report(ck)


def report(ck: Checker) -> int:
    if ck.errors:
        print(f"\nFAILED: {len(ck.errors)} problem(s)")
        for e in ck.errors:
            print("  *", e)
        return 1
    print("\nOK: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
