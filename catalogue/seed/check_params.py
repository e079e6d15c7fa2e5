#!/usr/bin/env python3
"""Validate the ServicePact seed data (stdlib only, Python 3.11).

Checks:
  catalogue/seed/rule_parameters.json  -- effective-dated rule parameters
  accounts/seed/wuhou_orgs.json        -- 成都市武侯区 demo organisation tree (2014-2015)

Usage:  python3 catalogue/seed/check_params.py [--params PATH] [--orgs PATH]
Prints a summary; exits 1 if any problem is found.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from collections import Counter, defaultdict
from decimal import Decimal, InvalidOperation
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_PARAMS = HERE / "rule_parameters.json"
DEFAULT_ORGS = HERE.parent.parent / "accounts" / "seed" / "wuhou_orgs.json"

PARAM_KEYS = {
    "key",
    "jurisdiction",
    "valid_from",
    "valid_to",
    "value_type",
    "value",
    "rule_ids",
    "source",
    "verification",
    "confidence",
    "description_zh",
    "description_en",
}
JURISDICTIONS = {"CN", "CN-51", "CN-51-01", "CN-51-01-07"}
VALUE_TYPES = {
    "integer",
    "decimal",
    "percent",
    "money",
    "calendar_days",
    "working_days",
    "months",
    "years",
    "range",
    "bands",
    "weights",
    "boolean",
    "text",
}
VERIFICATIONS = {"V1", "V2", "BK"}
CONFIDENCES = {"H", "M", "L"}
KEY_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
RULE_ID_RE = re.compile(r"^[A-Z]{2,4}-\d{2}$")
MONEY_RE = re.compile(r"^\d+\.\d{2}$")
CJK_RE = re.compile(r"[\u4e00-\u9fff]")
# rule-id prefixes whose numbers are deadlines: the key should then say "deadline."
DAY_TYPES = {"calendar_days", "working_days"}

EXPECTED_STREETS = [
    "浆洗街",
    "望江路",
    "玉林",
    "跳伞塔",
    "火车南站",
    "簇桥",
    "簇锦",
    "机投桥",
    "晋阳",
    "红牌楼",
    "华兴",
    "金花桥",
    "芳草街",
]


class Report:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def err(self, where: str, msg: str) -> None:
        self.problems.append(f"{where}: {msg}")


def is_num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def parse_date(s, where: str, rep: Report, field: str):
    if not isinstance(s, str):
        rep.err(where, f"{field} must be an ISO date string, got {s!r}")
        return None
    try:
        return dt.date.fromisoformat(s)
    except ValueError:
        rep.err(where, f"{field} is not an ISO date: {s!r}")
        return None


def check_value(where: str, vt: str, v, rep: Report) -> None:
    if vt in ("integer",):
        if not is_int(v):
            rep.err(where, f"integer value expected, got {v!r}")
        elif v < 0:
            rep.err(where, f"negative integer {v}")
    elif vt in ("calendar_days", "working_days", "months", "years"):
        if not is_int(v) or v <= 0:
            rep.err(where, f"{vt} value must be a positive integer, got {v!r}")
    elif vt == "decimal":
        if not is_num(v):
            rep.err(where, f"decimal value must be a JSON number, got {v!r}")
    elif vt == "percent":
        if not is_num(v) or not (0 <= v <= 100):
            rep.err(where, f"percent value must be a number in 0..100, got {v!r}")
    elif vt == "money":
        if not isinstance(v, str) or not MONEY_RE.match(v):
            rep.err(
                where,
                f"money value must be a decimal string like '2000000.00', got {v!r}",
            )
        else:
            try:
                if Decimal(v) < 0:
                    rep.err(where, "money value is negative")
            except InvalidOperation:
                rep.err(where, f"bad money {v!r}")
    elif vt == "range":
        if not isinstance(v, dict) or set(v) != {"min", "max"}:
            rep.err(where, f"range value must be {{'min': x, 'max': y}}, got {v!r}")
        elif not (is_num(v["min"]) and is_num(v["max"])):
            rep.err(where, "range min/max must be numbers")
        elif v["min"] > v["max"]:
            rep.err(where, f"range min {v['min']} > max {v['max']}")
    elif vt == "bands":
        if not isinstance(v, list) or len(v) < 2:
            rep.err(where, "bands value must be a list of at least 2 bands")
            return
        codes = []
        prev = None
        for i, b in enumerate(v):
            if not isinstance(b, dict) or "code" not in b or "min" not in b:
                rep.err(where, f"band #{i} needs 'code' and 'min'")
                return
            if not isinstance(b["code"], str) or not b["code"]:
                rep.err(where, f"band #{i} code must be a non-empty string")
            if not is_num(b["min"]):
                rep.err(where, f"band #{i} min must be a number")
                return
            if prev is not None and not b["min"] < prev:
                rep.err(
                    where,
                    f"bands not strictly descending at #{i} ({b['min']} after {prev})",
                )
            prev = b["min"]
            codes.append(b["code"])
        if len(set(codes)) != len(codes):
            rep.err(where, "duplicate band codes")
        if v[-1]["min"] != 0:
            rep.err(where, "lowest band must start at 0")
    elif vt == "weights":
        if not isinstance(v, dict) or len(v) < 2:
            rep.err(where, "weights value must be an object with at least 2 entries")
            return
        for k, w in v.items():
            if not isinstance(k, str) or not re.match(r"^[a-z][a-z0-9_]*$", k):
                rep.err(where, f"weight code {k!r} must be a lowercase code")
            if not is_num(w) or w < 0:
                rep.err(where, f"weight {k} must be a non-negative number")
                return
        total = sum(Decimal(str(w)) for w in v.values())
        if total != 100:
            rep.err(where, f"weights sum to {total}, not 100")
    elif vt == "boolean":
        if not isinstance(v, bool):
            rep.err(where, f"boolean value expected, got {v!r}")
    elif vt == "text":
        if not isinstance(v, str) or not v.strip():
            rep.err(where, "text value must be a non-empty string")


def check_params(path: Path, rep: Report) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or set(data) != {"parameters"}:
        rep.err(
            str(path), "top level must be an object with the single key 'parameters'"
        )
        return {}
    params = data["parameters"]
    if not isinstance(params, list) or not params:
        rep.err(str(path), "'parameters' must be a non-empty list")
        return {}

    periods: dict[tuple[str, str], list[tuple[dt.date, dt.date | None, int]]] = (
        defaultdict(list)
    )
    types_by_key: dict[str, set[str]] = defaultdict(set)
    seen = set()
    for i, p in enumerate(params):
        where = (
            f"param #{i} ({p.get('key', '?')} @ {p.get('jurisdiction', '?')})"
            if isinstance(p, dict)
            else f"param #{i}"
        )
        if not isinstance(p, dict):
            rep.err(where, "entry must be an object")
            continue
        keys = set(p)
        if keys != PARAM_KEYS:
            missing, extra = PARAM_KEYS - keys, keys - PARAM_KEYS
            rep.err(
                where, f"keys mismatch; missing={sorted(missing)} extra={sorted(extra)}"
            )
            continue
        key, jur, vt = p["key"], p["jurisdiction"], p["value_type"]
        if not isinstance(key, str) or not KEY_RE.match(key):
            rep.err(where, "key must be a dotted lowercase code")
        if jur not in JURISDICTIONS:
            rep.err(where, f"unknown jurisdiction {jur!r}")
        if vt not in VALUE_TYPES:
            rep.err(where, f"unknown value_type {vt!r}")
        else:
            check_value(where, vt, p["value"], rep)
        types_by_key[key].add(vt)
        if key.startswith("deadline.") and vt not in DAY_TYPES:
            rep.err(
                where, "deadline.* keys must be typed calendar_days or working_days"
            )
        vf = parse_date(p["valid_from"], where, rep, "valid_from")
        vto = None
        if p["valid_to"] is not None:
            vto = parse_date(p["valid_to"], where, rep, "valid_to")
            if vf and vto and vto <= vf:
                rep.err(where, "valid_to must be after valid_from")
        ident = (key, jur, p["valid_from"])
        if ident in seen:
            rep.err(where, f"duplicate (key, jurisdiction, valid_from) {ident}")
        seen.add(ident)
        if vf:
            periods[(key, jur)].append((vf, vto, i))
        rids = p["rule_ids"]
        if not isinstance(rids, list) or not rids:
            rep.err(where, "rule_ids must be a non-empty list")
        else:
            for r in rids:
                if not isinstance(r, str) or not RULE_ID_RE.match(r):
                    rep.err(where, f"bad rule id {r!r}")
            if len(set(rids)) != len(rids):
                rep.err(where, "duplicate rule ids")
        if p["verification"] not in VERIFICATIONS:
            rep.err(where, f"verification must be one of {sorted(VERIFICATIONS)}")
        if p["confidence"] not in CONFIDENCES:
            rep.err(where, f"confidence must be one of {sorted(CONFIDENCES)}")
        for f in ("source", "description_zh", "description_en"):
            if not isinstance(p[f], str) or not p[f].strip():
                rep.err(where, f"{f} must be a non-empty string")
        if isinstance(p["description_zh"], str) and not CJK_RE.search(
            p["description_zh"]
        ):
            rep.err(where, "description_zh contains no Chinese text")

    # one value_type per key across all jurisdictions and periods
    for key, ts in types_by_key.items():
        if len(ts) > 1:
            rep.err(
                key,
                f"inconsistent value_type across periods/jurisdictions: {sorted(ts)}",
            )

    # no overlapping periods per (key, jurisdiction); valid_to is exclusive
    far = dt.date.max
    for (key, jur), lst in periods.items():
        lst.sort(key=lambda t: t[0])
        for (a_from, a_to, ai), (b_from, b_to, bi) in zip(lst, lst[1:]):
            if (a_to or far) > b_from:
                rep.err(
                    f"{key} @ {jur}",
                    f"periods overlap: #{ai} [{a_from}, {a_to}) and #{bi} [{b_from}, {b_to})",
                )

    # an override below CN should normally have a parent somewhere up the chain
    jur_by_key: dict[str, set[str]] = defaultdict(set)
    for key, jur in periods:
        jur_by_key[key].add(jur)
    overridden = sorted(k for k, js in jur_by_key.items() if len(js) > 1)
    multi_period = sorted({k for (k, j), lst in periods.items() if len(lst) > 1})
    if not overridden:
        rep.err(
            str(path), "expected at least one key overridden at a lower jurisdiction"
        )
    if not multi_period:
        rep.err(str(path), "expected at least one key with two effective-dated periods")

    return {
        "count": len(params),
        "keys": len(types_by_key),
        "by_jurisdiction": Counter(
            p.get("jurisdiction") for p in params if isinstance(p, dict)
        ),
        "by_type": Counter(p.get("value_type") for p in params if isinstance(p, dict)),
        "by_verification": Counter(
            p.get("verification") for p in params if isinstance(p, dict)
        ),
        "overridden": overridden,
        "multi_period": multi_period,
    }


def check_orgs(path: Path, rep: Report) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    codes: Counter = Counter()
    names: Counter = Counter()

    def node(obj, where: str, code_prefix: str | None = None, need_short=False) -> bool:
        if not isinstance(obj, dict):
            rep.err(where, "must be an object")
            return False
        for f in ("code", "name"):
            if not isinstance(obj.get(f), str) or not obj[f].strip():
                rep.err(where, f"missing or empty {f}")
                return False
        if need_short and (
            not isinstance(obj.get("short_name"), str) or not obj["short_name"].strip()
        ):
            rep.err(where, "missing short_name")
        if code_prefix is not None and not obj["code"].startswith(code_prefix):
            rep.err(where, f"code {obj['code']} should start with {code_prefix}")
        codes[obj["code"]] += 1
        return True

    expected_top = {
        "nation": ("CN", "中华人民共和国"),
        "province": ("CN-51", "四川省"),
        "city": ("CN-51-01", "成都市"),
        "district": ("CN-51-01-07", "成都市武侯区"),
    }
    for k, (code, name) in expected_top.items():
        obj = data.get(k)
        if node(obj, k):
            if obj["code"] != code or obj["name"] != name:
                rep.err(k, f"expected {code} {name}, got {obj['code']} {obj['name']}")
    district = data.get("district") or {}
    dcode = "CN-51-01-07"
    ddepts = district.get("departments")
    if not isinstance(ddepts, list) or not (4 <= len(ddepts) <= 6):
        rep.err("district.departments", "need 4-6 district bureaus")
    else:
        for j, d in enumerate(ddepts):
            if node(d, f"district.departments[{j}]", dcode + "-"):
                names[("district_dept", d["name"])] += 1

    streets = data.get("streets")
    summary = []
    community_names: Counter = Counter()
    if not isinstance(streets, list):
        rep.err("streets", "must be a list")
        streets = []
    if [
        s.get("short_name", "").removesuffix("街道")
        for s in streets
        if isinstance(s, dict)
    ] != EXPECTED_STREETS:
        rep.err(
            "streets", "must be exactly the 13 streets of 2014 in the required order"
        )
    for i, s in enumerate(streets, 1):
        where = f"streets[{i - 1}]"
        if not node(s, where, dcode + "-", need_short=True):
            continue
        if s["code"] != f"{dcode}-{i:02d}":
            rep.err(where, f"code should be {dcode}-{i:02d}")
        base = s["short_name"].removesuffix("街道")
        if s["name"] != f"{base}街道办事处" or s["short_name"] != f"{base}街道":
            rep.err(where, "name/short_name must follow 'X街道办事处' / 'X街道'")
        names[("street", s["name"])] += 1
        comms = s.get("communities")
        if not isinstance(comms, list) or not (3 <= len(comms) <= 8):
            rep.err(
                where,
                f"needs 3-8 communities, has {len(comms) if isinstance(comms, list) else 'none'}",
            )
            comms = comms if isinstance(comms, list) else []
        for j, c in enumerate(comms, 1):
            cw = f"{where}.communities[{j - 1}]"
            if node(c, cw, s["code"] + "-", need_short=True):
                if not re.fullmatch(re.escape(s["code"]) + r"-\d{3}", c["code"]):
                    rep.err(cw, "community code must be <street>-NNN")
                if not c["name"].endswith("社区居民委员会") or not c[
                    "short_name"
                ].endswith("社区"):
                    rep.err(
                        cw,
                        "community name must end with 社区居民委员会 and short_name with 社区",
                    )
                community_names[c["name"]] += 1
                community_names[c.get("short_name", "")] += 1
        depts = s.get("departments")
        if not isinstance(depts, list) or not (4 <= len(depts) <= 6):
            rep.err(where, "needs 4-6 departments")
            depts = depts if isinstance(depts, list) else []
        dn = Counter()
        for j, d in enumerate(depts, 1):
            dw = f"{where}.departments[{j - 1}]"
            if node(d, dw, s["code"] + "-D"):
                dn[d["name"]] += 1
        if any(v > 1 for v in dn.values()):
            rep.err(where, "duplicate department names within a street")
        units = s.get("resident_units")
        if not isinstance(units, list) or not (1 <= len(units) <= 3):
            rep.err(where, "needs 1-3 resident units")
            units = units if isinstance(units, list) else []
        for j, u in enumerate(units, 1):
            if node(u, f"{where}.resident_units[{j - 1}]", s["code"] + "-U"):
                names[("unit", u["name"])] += 1
        summary.append((s["short_name"], len(comms), len(depts), len(units)))

    if node(data.get("expert_pool"), "expert_pool", dcode + "-"):
        pass
    agencies = data.get("agencies")
    if not isinstance(agencies, list) or len(agencies) < 2:
        rep.err("agencies", "need at least 2 agencies")
    else:
        for j, a in enumerate(agencies):
            if node(a, f"agencies[{j}]", dcode + "-AG"):
                names[("agency", a["name"])] += 1

    for c, n in codes.items():
        if n > 1:
            rep.err("orgs", f"duplicate code {c}")
    for nm, n in community_names.items():
        if n > 1:
            rep.err("orgs", f"duplicate community name {nm}")
    for (kind, nm), n in names.items():
        if n > 1:
            rep.err("orgs", f"duplicate {kind} name {nm}")
    total = sum(x[1] for x in summary)
    if not (70 <= total <= 90):
        rep.err("streets", f"total communities {total} outside 70-90")
    return {"streets": summary, "communities": total, "codes": len(codes)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--params", type=Path, default=DEFAULT_PARAMS)
    ap.add_argument("--orgs", type=Path, default=DEFAULT_ORGS)
    args = ap.parse_args()
    rep = Report()
    ps, os_ = {}, {}
    for path, fn, label in (
        (args.params, check_params, "params"),
        (args.orgs, check_orgs, "orgs"),
    ):
        try:
            res = fn(path, rep)
        except (OSError, json.JSONDecodeError) as e:
            rep.err(str(path), f"cannot read: {e}")
            res = {}
        if label == "params":
            ps = res
        else:
            os_ = res

    if ps:
        print(
            f"rule_parameters.json: {ps['count']} entries, {ps['keys']} distinct keys"
        )
        print(
            "  by jurisdiction: "
            + ", ".join(f"{k}={v}" for k, v in sorted(ps["by_jurisdiction"].items()))
        )
        print(
            "  by value_type:   "
            + ", ".join(f"{k}={v}" for k, v in sorted(ps["by_type"].items()))
        )
        print(
            "  by verification: "
            + ", ".join(f"{k}={v}" for k, v in sorted(ps["by_verification"].items()))
        )
        print("  overridden below CN: " + ", ".join(ps["overridden"]))
        print("  keys with several periods: " + ", ".join(ps["multi_period"]))
    if os_:
        print(
            f"wuhou_orgs.json: {len(os_['streets'])} streets, {os_['communities']} communities, {os_['codes']} codes"
        )
        for name, nc, nd, nu in os_["streets"]:
            print(f"  {name}: {nc} communities, {nd} departments, {nu} resident units")
    if rep.problems:
        print(f"\n{len(rep.problems)} problem(s):")
        for pr in rep.problems:
            print("  - " + pr)
        return 1
    print("\nOK: no problems found")
    return 0


if __name__ == "__main__":
    sys.exit(main())
