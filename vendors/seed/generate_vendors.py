#!/usr/bin/env python3
"""Generate the demo supplier register for 成都市武侯区 (2014–2015 reform, state as of 2026-11-23).

    .venv/bin/python vendors/seed/generate_vendors.py            # writes wuhou_vendors.json next to this file
    .venv/bin/python vendors/seed/generate_vendors.py -o x.json

Deterministic: a fixed random seed and a fixed reference date, so re-running gives
byte-identical output. Needs only the standard library and `stdnum` (USCC and
resident ID check characters).

What is generated (demo data; names are plausible, not verified real organisations):

* V0001 成都市同行社会工作服务中心 — professional social-work agency (2012), never incubated, 4A.
* V0002–V0086 — 85 organisations formed in 2014 by former 社会综合协管员, 5–9 per street,
  one per community plus a few specialised ones; V-code of 武侯区阳光惠民社会服务中心 is
  the 铁佛社区 organisation with exactly 20 founders. 75 of them went through the
  incubation centre (申请→评估→入驻→孵化→出壳→跟踪), one was forced out.
* V0087–V0089 established social-work agencies, V0090–V0091 enterprises,
  V0092–V0095 备案类社区社会组织 (filed with the street office, no USCC).

Documents describe the register as kept up to date on REFERENCE_DATE (one document
per kind, the latest version): most are valid, some expired, a few expire within 30 days.
Annual reports (2014–2016) and credit checks (early 2015 round, 2016 follow-ups and
a 2026 round) are history records.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
from pathlib import Path

from stdnum.cn import ric, uscc

SEED = 20141118
REFERENCE_DATE = dt.date(2026, 11, 23)
HERE = Path(__file__).resolve().parent
ORGS_FILE = HERE.parent.parent / "accounts" / "seed" / "wuhou_orgs.json"
OUT_FILE = HERE / "wuhou_vendors.json"

DISTRICT = "CN-51-01-07"
MCA = "成都市武侯区民政局"
AIC = "成都市武侯区市场监督管理局"
CH_CREDIT = "信用中国（www.creditchina.gov.cn）"
CH_CCGP = "中国政府采购网（www.ccgp.gov.cn）"
CH_NPO = "全国社会组织信用信息公示平台"
LISTS = [
    ("dishonest_executed", CH_CREDIT),
    ("tax_violation", CH_CREDIT),
    ("procurement_blacklist", CH_CCGP),
    ("social_org_abnormal", CH_NPO),
    ("social_org_serious", CH_NPO),
]

# --------------------------------------------------------------------------- helpers

rng = random.Random(SEED)


def d(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def add_months(day: dt.date, months: int) -> dt.date:
    m = day.month - 1 + months
    y, m = day.year + m // 12, m % 12 + 1
    for dd in (day.day, 30, 29, 28):
        try:
            return dt.date(y, m, dd)
        except ValueError:
            continue
    raise AssertionError


def period(issued: dt.date, months: int) -> str:
    """The months a proof covers: the `months` full months before it was issued."""
    a, b = add_months(issued, -months), add_months(issued, -1)
    if a.year == b.year:
        return f"{a.year}年{a.month}–{b.month}月"
    return f"{a.year}年{a.month}月–{b.year}年{b.month}月"


def cert_until(start: dt.date, years: int) -> dt.date:
    """Certificate valid `years` years, the last day included."""
    return add_years(start, years) - dt.timedelta(days=1)


def rand_date(
    lo: str | dt.date, hi: str | dt.date, weekday_only: bool = True
) -> dt.date:
    lo_d = d(lo) if isinstance(lo, str) else lo
    hi_d = d(hi) if isinstance(hi, str) else hi
    for _ in range(100):
        day = lo_d + dt.timedelta(days=rng.randint(0, (hi_d - lo_d).days))
        if not weekday_only or day.weekday() < 5:
            return day
    return day


def stamp(day: dt.date) -> str:
    h = rng.choice([9, 9, 10, 10, 11, 14, 14, 15, 15, 16, 17])
    m = rng.randrange(0, 60)
    s = rng.randrange(0, 60)
    return f"{day.isoformat()}T{h:02d}:{m:02d}:{s:02d}+08:00"


# GB 11714-1997 organisation code: 8 body characters + check character.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def org_code_check(body: str) -> str:
    def val(c: str) -> int:
        return int(c) if c.isdigit() else ord(c) - ord("A") + 10

    c = 11 - sum(val(ch) * w for ch, w in zip(body, _ORG_WEIGHTS)) % 11
    return {10: "X", 11: "0"}.get(c, str(c))


_used_uscc: set[str] = set()


def make_uscc(authority: str, kind: str, old_code_prefix: str | None = None) -> str:
    """authority+kind: '52' 民政/社会服务机构, '51' 民政/社会团体, '91' 工商/企业.
    Social orgs get an 'MJ' civil-affairs organisation code; enterprises keep an old
    numeric organisation code starting with `old_code_prefix`."""
    while True:
        if old_code_prefix is None:
            body = "MJ" + f"{rng.randrange(0, 1_000_000):06d}"
            body = "MJ0" + body[3:] if rng.random() < 0.7 else body
        else:
            body = old_code_prefix + "".join(
                str(rng.randrange(10)) for _ in range(8 - len(old_code_prefix))
            )
        first17 = authority + kind + "510107" + body + org_code_check(body)
        code = first17 + uscc.calc_check_digit(first17)
        if code not in _used_uscc:
            uscc.validate(code)
            _used_uscc.add(code)
            return code


# Resident ID numbers: Chengdu district/county codes valid for births 1960–1995.
ID_AREAS = (
    ["510107"] * 6
    + ["510104", "510105", "510106", "510108"] * 2
    + [
        "510112",
        "510113",
        "510121",
        "510122",
        "510124",
        "510129",
        "510181",
        "510182",
        "510184",
    ]
)
_used_ids: set[str] = set()


def make_id(born: dt.date, female: bool, area: str | None = None) -> str:
    for _ in range(1000):
        a = area or rng.choice(ID_AREAS)
        seq = rng.randrange(0, 100) * 10 + (
            rng.choice([0, 2, 4, 6, 8]) if female else rng.choice([1, 3, 5, 7, 9])
        )
        first = f"{a}{born:%Y%m%d}{seq:03d}"
        number = first + ric.calc_check_digit(first + "0")
        if ric.is_valid(number) and number not in _used_ids:
            _used_ids.add(number)
            return number
    raise RuntimeError("no id")


SURNAMES = (
    "王王王李李李张张刘刘陈陈杨杨黄黄罗罗周吴何何谢唐邓冯曾彭蒋赵徐胡付廖杜范钟肖袁雷郑任文蒲敬母"
    "苟向龚孙高林郭宋朱梁韩汪魏程游严"
)
FEMALE = "秀丽敏静燕芳娟霞玲红琴英萍兰梅雪婷莉慧艳蓉倩洁琳瑶晓春桂淑颖佳雯丹露菊凤莎冬娅怡琼薇岚"
MALE = "伟强军勇杰涛明斌超刚平辉波建峰鹏磊华俊飞林宇浩东川成志德文海兵晨凯松毅亮坤渝锐"
_used_names: set[str] = set()


def make_name(female: bool) -> str:
    pool = FEMALE if female else MALE
    for _ in range(1000):
        given = (
            rng.choice(pool)
            if rng.random() < 0.22
            else rng.choice(pool) + rng.choice(pool)
        )
        if len(given) == 2 and given[0] == given[1] and rng.random() < 0.8:
            continue
        name = rng.choice(SURNAMES) + given
        if name not in _used_names:
            _used_names.add(name)
            return name
    raise RuntimeError("no name")


def person(
    role: str,
    born_lo: int,
    born_hi: int,
    posts: list[dict],
    female: bool | None = None,
    name: str | None = None,
    born: dt.date | None = None,
) -> dict:
    if female is None:
        female = rng.random() < 0.62  # most former 协管员 were women
    if name is None:
        name = make_name(female)
    else:
        _used_names.add(name)
    if born is None:
        born = rand_date(f"{born_lo}-01-01", f"{born_hi}-12-28", weekday_only=False)
    return {
        "name": name,
        "role": role,
        "id_number": make_id(born, female),
        "former_posts": posts,
    }


def post(org: str, title: str, frm: dt.date, to: dt.date) -> dict:
    return {
        "organisation": org,
        "title": title,
        "from": frm.isoformat(),
        "to": to.isoformat(),
    }


# --------------------------------------------------------------------------- reference data

ROADS = {
    "01": ["浆洗街", "洗面桥街", "武侯祠大街", "高升桥东路", "七道堰街", "洗面桥横街"],
    "02": ["望江路", "致民路", "磨子桥街", "科华北路", "新南路", "望江东路"],
    "03": [
        "玉林北路",
        "玉林东路",
        "玉林西路",
        "倪家桥路",
        "黉门街",
        "电信路",
        "玉林南路",
        "玉林中路",
    ],
    "04": ["棕北街", "棕南正街", "跳伞塔路", "人民南路四段", "共和路", "科华中路"],
    "05": [
        "桐梓林北路",
        "桐梓林东路",
        "龙腾中路",
        "火车南站西路",
        "少陵路",
        "领事馆路",
    ],
    "06": ["簇桥正街", "福锦路", "太平南街", "顺和街", "鞋都北路", "锦城路"],
    "07": [
        "铁佛路",
        "高碑路",
        "七里路",
        "簇锦北路",
        "簇锦南路",
        "顺江路",
        "万兴路",
        "武兴一路",
    ],
    "08": ["机投桥正街", "双凤路", "潮音路", "清水河路", "半边街", "武侯大道机投段"],
    "09": ["晋阳路", "晋吉北路", "晋吉南路", "吉福路", "晋康北路", "万寿路"],
    "10": ["红牌楼路", "佳灵路", "太平园中一路", "广福桥街", "新光路", "太平园东一路"],
    "11": ["双楠路", "长寿路", "逸都路", "永丰路", "金兴北路", "华兴正街", "双楠大街"],
    "12": ["金花街", "江安路", "新苗路", "金桥路", "杨柳河路", "金花大道"],
    "13": ["芳草街", "紫荆北路", "紫荆南路", "神仙树北路", "芳华街", "芳草东街"],
}

# 字号 for organisations named by a word rather than by their community.
WORDS = [
    "和谐家园",
    "同心",
    "暖阳",
    "乐邻",
    "锦绣",
    "益民",
    "安康",
    "善邻",
    "福民",
    "春晖",
    "融和",
    "友邻",
    "睦邻",
    "仁和",
    "康乐",
    "众合",
    "民安",
    "馨家",
    "锦程",
    "连心",
    "红枫",
    "和美",
    "益众",
    "启航",
    "蓉和",
    "祥和",
    "嘉和",
    "汇民",
    "青苗",
    "百合",
    "惠邻",
    "和悦",
    "守望",
    "携手",
    "同乐",
    "金秋",
    "爱邻",
    "众益",
    "心桥",
    "晨光",
    "德馨",
    "邻安",
    "为民",
    "知心",
    "乐善",
    "悦邻",
]
COMMUNITY_PATTERNS = [
    ("武侯区{c}社区公共服务中心", "{c}公服"),
    ("成都市武侯区{c}邻里服务社", "{c}邻里"),
    ("武侯区{c}社区便民服务中心", "{c}便民"),
    ("武侯区{c}社区发展服务中心", "{c}社发"),
    ("成都市武侯区{c}为民服务中心", "{c}为民"),
    ("武侯区{c}社区事务服务中心", "{c}社务"),
]
WORD_PATTERNS = [
    ("武侯区{w}社会服务中心", "{w}社服"),
    ("成都市武侯区{w}社区服务中心", "{w}社区服务"),
    ("武侯区{w}公益服务中心", "{w}公益"),
    ("武侯区{w}综合服务社", "{w}服务社"),
    ("成都市武侯区{w}社区公共服务中心", "{w}公服"),
]
SPECIAL_PATTERNS = [
    ("武侯区{s}{w}居家养老服务中心", "{w}养老", "居家养老、高龄津贴与老年人服务"),
    ("武侯区{s}{w}助残服务中心", "{w}助残", "残疾人服务与康复协助"),
    ("武侯区{s}就业和社会保障服务中心", "{s}就业社保", "就业援助、社保代办"),
    ("成都市武侯区{s}邻里服务社", "{s}邻里", "街道层面便民服务与邻里互助"),
    ("武侯区{s}{w}家庭综合服务中心", "{w}家庭", "家庭支持、流动人口与计生服务"),
    ("武侯区{s}{w}青少年服务中心", "{w}青少年", "青少年、困境儿童关爱"),
    ("武侯区{s}社区公共服务协会", "{s}社服协会", "社区公共服务行业互助（会员制）"),
]
POST_TITLES = ["社会综合协管员"] * 6 + [
    "社区综合协管员",
    "社区公共服务站工作人员",
    "劳动保障协管员",
    "民政协管员",
    "社区计生专干",
    "残疾人专职委员",
]
LEADER_TITLES = ["社区公共服务站副站长", "社会综合协管员（组长）", "社区公共服务站站长"]


def load_orgs() -> dict:
    data = json.loads(ORGS_FILE.read_text(encoding="utf-8"))
    streets = []
    for s in data["streets"]:
        streets.append(
            {
                "code": s["code"],
                "key": s["code"][-2:],
                "name": s["name"],
                "short": s["short_name"].removesuffix("街道"),
                "communities": [
                    {"code": c["code"], "short": c["short_name"].removesuffix("社区")}
                    for c in s["communities"]
                ],
                "departments": {x["code"][-3:]: x["code"] for x in s["departments"]},
            }
        )
    return {"streets": streets}


# --------------------------------------------------------------------------- building blocks


def address(street_key: str, community_short: str | None = None) -> str:
    road = rng.choice(ROADS[street_key])
    n = rng.randint(1, 260)
    tail = rng.random()
    if community_short and tail < 0.55:
        floor = rng.choice(["一楼", "二楼", "三楼", "二楼东侧", "一楼左侧"])
        return f"成都市武侯区{road}{n}号（{community_short}社区综合服务中心{floor}）"
    if tail < 0.75:
        return f"成都市武侯区{road}{n}号附{rng.randint(1, 12)}号"
    return f"成都市武侯区{road}{n}号{rng.randint(1, 9)}栋{rng.randint(1, 3)}单元{rng.randint(1, 6)}楼{rng.randint(1, 4)}号"


def annual_reports(
    first_year: int, overrides: dict[int, str] | None = None
) -> list[dict]:
    overrides = overrides or {}
    # Organisations in good standing kept filing through 2025 (the register as of
    # 2026); one that missed or failed an inspection stops at 2016.
    troubled = any(v in ("not_submitted", "unqualified") for v in overrides.values())
    last = 2016 if troubled else 2025
    return [
        {"year": y, "result": overrides.get(y, "qualified")}
        for y in range(max(first_year, 2014), last + 1)
    ]


def credit_round(
    day: dt.date, lists=LISTS, results: dict[str, tuple[str, str]] | None = None
) -> list[dict]:
    results = results or {}
    out = []
    for kind, channel in lists:
        res, note = results.get(kind, ("clear", ""))
        out.append(
            {
                "list": kind,
                "channel": channel,
                "checked_at": stamp(day),
                "result": res,
                "note": note,
            }
        )
    return out


def doc(kind: str, title: str, frm: dt.date | None, until: dt.date | None) -> dict:
    return {
        "kind": kind,
        "title": title,
        "valid_from": frm.isoformat() if frm else None,
        "valid_until": until.isoformat() if until else None,
    }


# Validity scenarios for the short-lived evidence (tax / social insurance proofs),
# relative to REFERENCE_DATE: issued recently and valid 3 months (normal), issued so
# that it runs out within 30 days (soon), or issued long enough ago to be expired.
def proof_window(scenario: str) -> tuple[dt.date, dt.date]:
    if scenario == "soon":
        start = rand_date("2026-09-01", "2026-09-20")
    elif scenario == "expired":
        start = rand_date("2026-04-15", "2026-07-31")
    else:
        start = rand_date("2026-10-01", "2026-11-20")
    return start, add_months(start, 3) - dt.timedelta(days=1)


def registration_cert(org_type: str, reg: dt.date, scenario: str) -> dict:
    title = {
        "social_service_agency": "民办非企业单位（法人）登记证书",
        "social_group": "社会团体法人登记证书",
    }[org_type]
    if scenario == "soon":
        start = rand_date("2021-11-25", "2021-12-20")
    elif scenario == "expired":
        start = rand_date("2019-06-01", "2021-06-30")
    else:
        start = rand_date("2022-01-10", "2025-12-20")
    # the current certificate is the one issued on the last renewal/change (same month and day cycle kept loose)
    return doc(
        "registration_certificate",
        f"{title}（{start.year}年换发）",
        start,
        cert_until(start, 5),
    )


def standard_documents(
    v: dict,
    reg: dt.date,
    reg_scenario: str,
    tax_scenario: str,
    si_scenario: str,
    extra: list[dict] | None = None,
) -> list[dict]:
    docs = [registration_cert(v["org_type"], reg, reg_scenario)]
    rev = rng.choice([None, None, 2018, 2019, 2021, 2023])
    if rev:
        day = rand_date(f"{rev}-03-01", f"{rev}-11-30")
        docs.append(doc("charter", f"章程（{rev}年理事会修订）", day, None))
    else:
        docs.append(
            doc("charter", f"章程（{reg.year}年{reg.month}月成立大会通过）", reg, None)
        )
    audit_day = rand_date("2026-03-02", "2026-04-28")
    docs.append(doc("financial_audit", "2025年度财务审计报告", audit_day, None))
    t0, t1 = proof_window(tax_scenario)
    docs.append(doc("tax_clearance", f"税收完税证明（{period(t0, 3)}）", t0, t1))
    s0, s1 = proof_window(si_scenario)
    docs.append(doc("social_insurance", f"社会保险缴费证明（{period(s0, 6)}）", s0, s1))
    docs.append(
        doc(
            "no_violation_statement",
            "参加政府购买服务活动前三年内无重大违法记录声明函",
            rand_date("2026-09-01", "2026-11-20"),
            None,
        )
    )
    if v["rating"]:
        r = d(v["rating"]["rated_on"])
        docs.append(
            doc(
                "rating_certificate",
                f"社会组织评估等级证书（{v['rating']['grade']}）",
                r,
                cert_until(r, 5),
            )
        )
    docs.extend(extra or [])
    return docs


# --------------------------------------------------------------------------- the organisations

RATING_BATCHES = [
    "2016-12-20",
    "2017-11-15",
    "2018-12-10",
    "2019-11-28",
    "2020-12-18",
    "2021-12-08",
]


def build() -> dict:
    orgs = load_orgs()
    streets = orgs["streets"]
    vendors: list[dict] = []

    # ---------------------------------------------------------------- V0001 同行
    tongxing_reg = d("2012-05-18")
    tongxing = {
        "code": "CN-51-01-07-V0001",
        "name": "成都市同行社会工作服务中心",
        "short_name": "同行社工",
        "org_type": "social_service_agency",
        "uscc": make_uscc("5", "2"),
        "registration_authority": MCA,
        "registration_date": tongxing_reg.isoformat(),
        "legal_representative": "李晓岚",
        "address": "成都市武侯区紫荆北路66号3栋2单元4楼2号",
        "streets": ["CN-51-01-07-07", "CN-51-01-07-09", "CN-51-01-07-13"],
        "communities": [
            "CN-51-01-07-07-001",
            "CN-51-01-07-07-004",
            "CN-51-01-07-09-002",
            "CN-51-01-07-13-002",
        ],
        "fulltime_staff": 12,
        "parttime_staff": 3,
        "volunteers": 40,
        "rating": {"grade": "4A", "rated_on": "2021-12-08"},
        "annual_reports": annual_reports(2014),
        "credit_checks": [],
        "documents": [],
        "related_persons": [
            person(
                "founder",
                1978,
                1978,
                [
                    post(
                        "四川大学公共管理学院", "讲师", d("2006-07-01"), d("2013-12-31")
                    )
                ],
                female=True,
                name="李晓岚",
                born=d("1978-03-12"),
            ),
            person(
                "director",
                1970,
                1976,
                [
                    post(
                        "西南民族大学社会学与民族学学院",
                        "讲师",
                        d("2001-09-01"),
                        d("2008-08-31"),
                    )
                ],
                female=False,
            ),
            person(
                "supervisor",
                1980,
                1986,
                [
                    post(
                        "成都市武侯区社会工作协会",
                        "秘书",
                        d("2009-03-01"),
                        d("2012-04-30"),
                    )
                ],
            ),
            person(
                "key_staff",
                1986,
                1991,
                [
                    post(
                        "成都市第三人民医院",
                        "医务社会工作者",
                        d("2010-07-01"),
                        d("2012-05-31"),
                    )
                ],
            ),
        ],
        "incubation": None,
        "note": "专业社会工作机构，2012年由高校社会工作专业教师发起成立；未经孵化中心孵化。2014年起为簇锦、晋阳、芳草街等街道承接社区社会组织培育和督导项目。",
    }
    tongxing["credit_checks"] = credit_round(d("2015-02-10")) + credit_round(
        d("2026-11-09")
    )
    tongxing["documents"] = standard_documents(
        tongxing, tongxing_reg, "normal", "normal", "normal"
    )
    vendors.append(tongxing)

    # ---------------------------------------------------------------- 85 former-staff organisations
    # Plan: one organisation per community (77) plus specialised ones; 8 extras → 85.
    extras_per_street = {
        "01": 1,
        "02": 0,
        "03": 1,
        "04": 1,
        "05": 0,
        "06": 1,
        "07": 1,
        "08": 1,
        "09": 1,
        "10": 1,
        "11": 1,
        "12": 0,
        "13": 0,
    }
    # Fix a few organisation ids that carry story lines (street key, community index or 'x' for extra).
    yangguang_at = ("07", 0)  # 铁佛社区 → 武侯区阳光惠民社会服务中心
    cujin_at = ("07", 3)  # 簇锦社区 → 武侯区簇锦社区公共服务中心
    word_pool = WORDS[:]
    rng.shuffle(word_pool)
    used_names: set[str] = {"成都市同行社会工作服务中心", "武侯区阳光惠民社会服务中心"}
    plan = []
    for s in streets:
        k = s["key"]
        for i, c in enumerate(s["communities"]):
            plan.append(("community", s, i))
        for _ in range(extras_per_street[k]):
            plan.append(("extra", s, None))
    assert len(plan) == 85, len(plan)

    # Incubation: 75 of 85; statuses set by index on a shuffled list (not the named ones).
    idx = list(range(85))
    special_idx = {
        j
        for j, (kind, s, i) in enumerate(plan)
        if kind == "community" and (s["key"], i) in (yangguang_at, cujin_at)
    }
    others = [j for j in idx if j not in special_idx]
    rng.shuffle(others)
    not_incubated = set(others[:10])
    status_list = (
        ["exited"]
        + ["applied"] * 3
        + ["assessed"] * 2
        + ["moved_in"] * 3
        + ["incubating"] * 4
        + ["tracking"] * 5
    )
    status_of = {}
    for j, st in zip(others[10 : 10 + len(status_list)], status_list):
        status_of[j] = st
    for j in idx:
        if j not in not_incubated and j not in status_of:
            status_of[j] = "graduated"
    # Social groups among the extras: the 协会 pattern is used at most twice.
    special_patterns_cycle = SPECIAL_PATTERNS[:]
    rng.shuffle(special_patterns_cycle)

    # Problems decided up front (indices into `plan`), picked among eligible kinds.
    graduated_js = sorted(
        j
        for j in idx
        if status_of.get(j) in ("graduated", "tracking") and j not in special_idx
    )
    rng.shuffle(graduated_js)
    rated_js = set(graduated_js[:13]) | {j for j in special_idx}
    null_js = sorted(not_incubated)
    rated_js |= set(null_js[:2])
    exited_j = next(j for j in idx if status_of.get(j) == "exited")
    plain_js = [j for j in idx if j not in rated_js and j != exited_j]
    rng.shuffle(plain_js)
    abnormal_j = plain_js[0]  # 2nd org on 社会组织活动异常名录 (2026)
    unqualified_j = plain_js[1]  # 2015 年检 不合格
    basic_js = plain_js[2:8]  # 基本合格 once
    basic_twice_j = plain_js[8]  # 基本合格 2015 and 2016
    notsub_j = plain_js[9]  # 2016 未参检
    reg_expired_js = {abnormal_j, plain_js[10], plain_js[11]}
    reg_soon_js = {plain_js[12], plain_js[13]}
    tax_expired_js = {plain_js[14], plain_js[15]}
    tax_soon_js = {plain_js[16], plain_js[17]}
    si_expired_js = {plain_js[18]}
    si_soon_js = {plain_js[19]}

    grade_pool = [
        "4A",
        "4A",
        "3A",
        "3A",
        "3A",
        "3A",
        "3A",
        "3A",
        "2A",
        "2A",
        "2A",
        "2A",
        "2A",
        "1A",
        "3A",
        "2A",
        "3A",
    ]
    rng.shuffle(grade_pool)
    batch_pool = (
        ["2016-12-20"] * 2
        + ["2017-11-15"] * 3
        + ["2018-12-10"] * 3
        + ["2019-11-28"] * 3
        + ["2020-12-18"] * 3
        + ["2021-12-08"] * 3
    )
    rng.shuffle(batch_pool)

    code_no = 2
    for j, (kind, s, i) in enumerate(plan):
        k = s["key"]
        street_code = s["code"]
        comms = s["communities"]
        org_type = "social_service_agency"
        focus = None
        if kind == "community":
            c = comms[i]
            home = c
            if (k, i) == yangguang_at:
                name, short = "武侯区阳光惠民社会服务中心", "阳光惠民"
            elif (k, i) == cujin_at:
                name, short = "武侯区簇锦社区公共服务中心", "簇锦公服"
            else:
                for _ in range(50):
                    if rng.random() < 0.6:
                        pat, spat = rng.choice(COMMUNITY_PATTERNS)
                        name, short = (
                            pat.format(c=c["short"]),
                            spat.format(c=c["short"]),
                        )
                    else:
                        w = word_pool.pop()
                        pat, spat = rng.choice(WORD_PATTERNS)
                        name, short = pat.format(w=w), spat.format(w=w)
                    if name not in used_names:
                        break
            served = [c["code"]]
            if rng.random() < 0.25:
                served.append(comms[(i + 1) % len(comms)]["code"])
            served_streets = [street_code]
        else:
            home = rng.choice(comms)
            while True:
                pat, spat, focus = (
                    special_patterns_cycle.pop()
                    if special_patterns_cycle
                    else rng.choice(SPECIAL_PATTERNS)
                )
                w = word_pool.pop()
                name, short = (
                    pat.format(s=s["short"], w=w),
                    spat.format(s=s["short"], w=w),
                )
                if name not in used_names:
                    break
            if "协会" in name:
                org_type = "social_group"
            served = [
                c["code"] for c in rng.sample(comms, rng.randint(2, min(5, len(comms))))
            ]
            served.sort()
            served_streets = [street_code]
            if rng.random() < 0.35:  # also serves a neighbouring street
                nb = streets[(int(k)) % 13]
                served_streets.append(nb["code"])
                served += [
                    c["code"] for c in rng.sample(nb["communities"], rng.randint(0, 2))
                ]
        used_names.add(name)

        # Registration in 2014 (the reform year); 阳光惠民 was the first.
        if name == "武侯区阳光惠民社会服务中心":
            reg = d("2014-03-18")
        else:
            reg = rand_date("2014-04-08", "2014-10-30")
        left_post = reg.replace(day=1) - dt.timedelta(
            days=1
        )  # labour relation ended the month before

        status = status_of.get(j)
        incubation = None
        if status:
            intake = {
                "graduated": rng.choice(["2014-1", "2014-1", "2014-2"]),
                "tracking": "2014-2",
                "incubating": "2015-1",
                "moved_in": "2015-2",
                "assessed": "2015-2",
                "applied": "2015-2",
                "exited": "2014-2",
            }[status]
            if name == "武侯区阳光惠民社会服务中心":
                intake = "2014-1"
            incubation = {"status": status, "intake": intake}
            if status == "exited":
                incubation["exit_reason"] = (
                    "入驻后连续6个月未按孵化计划开展服务项目，财务制度未建立，"
                    "2015年6月中期评估不合格，经孵化中心评审小组决定强制出壳。"
                )

        # Persons
        persons: list[dict] = []
        if name == "武侯区阳光惠民社会服务中心":
            fulltime = 20
            for n in range(20):
                title = "社区公共服务站副站长" if n == 0 else "社会综合协管员"
                frm = rand_date("2008-06-01", "2013-06-30")
                persons.append(
                    person(
                        "founder",
                        1965,
                        1990,
                        [post(home["code"], title, frm, left_post)],
                    )
                )
            legal = persons[0]["name"]
        else:
            fulltime = (
                rng.randint(4, 12)
                if status not in ("exited", "applied")
                else rng.randint(2, 4)
            )
            n_founders = rng.randint(0, 2)
            legal_role = "legal_representative" if rng.random() < 0.7 else "founder"
            lead_post = post(
                home["code"],
                rng.choice(LEADER_TITLES),
                rand_date("2008-01-01", "2012-12-31"),
                left_post,
            )
            p = person(legal_role, 1963, 1988, [lead_post])
            persons.append(p)
            legal = p["name"]
            for _ in range(n_founders):
                persons.append(
                    person(
                        "founder",
                        1965,
                        1992,
                        [
                            post(
                                rng.choice(comms)["code"]
                                if kind == "extra"
                                else home["code"],
                                rng.choice(POST_TITLES),
                                rand_date("2008-01-01", "2013-09-30"),
                                left_post,
                            )
                        ],
                    )
                )
            if rng.random() < 0.45:
                persons.append(
                    person(
                        "supervisor",
                        1962,
                        1990,
                        [
                            post(
                                home["code"],
                                rng.choice(POST_TITLES),
                                rand_date("2009-01-01", "2013-06-30"),
                                left_post,
                            )
                        ],
                    )
                )
            if rng.random() < 0.4:
                # a key staff member: a social-work graduate, or someone from the street office
                if rng.random() < 0.6:
                    persons.append(person("key_staff", 1988, 1993, []))
                else:
                    dep = (
                        s["departments"]["D02"]
                        if rng.random() < 0.5
                        else s["departments"]["D03"]
                    )
                    persons.append(
                        person(
                            "key_staff",
                            1975,
                            1990,
                            [
                                post(
                                    dep,
                                    "公益性岗位工作人员",
                                    rand_date("2010-03-01", "2012-12-31"),
                                    left_post,
                                )
                            ],
                        )
                    )
            persons = persons[:5]
        parttime = rng.randint(0, 5)
        volunteers = (
            rng.randint(10, 90) if status not in ("exited",) else rng.randint(0, 8)
        )

        # Rating
        rating = None
        if j in rated_js:
            grade = grade_pool.pop()
            batch = batch_pool.pop()
            rating = {"grade": grade, "rated_on": batch}

        # Annual reports
        overrides: dict[int, str] = {}
        if j == exited_j:
            overrides = {
                2014: "basically_qualified",
                2015: "not_submitted",
                2016: "not_submitted",
            }
        elif j == unqualified_j:
            overrides = {2015: "unqualified"}
        elif j in basic_js:
            overrides = {rng.choice([2014, 2015, 2016]): "basically_qualified"}
        elif j == basic_twice_j:
            overrides = {2015: "basically_qualified", 2016: "basically_qualified"}
        elif j == notsub_j:
            overrides = {2016: "not_submitted"}
        reports = annual_reports(2014, overrides)

        v = {
            "code": f"{DISTRICT}-V{code_no:04d}",
            "name": name,
            "short_name": short,
            "org_type": org_type,
            "uscc": make_uscc("5", "1" if org_type == "social_group" else "2"),
            "registration_authority": MCA,
            "registration_date": reg.isoformat(),
            "legal_representative": legal,
            "address": address(k, home["short"]),
            "streets": served_streets,
            "communities": served[:8],
            "fulltime_staff": fulltime,
            "parttime_staff": parttime,
            "volunteers": volunteers,
            "rating": rating,
            "annual_reports": reports,
            "credit_checks": [],
            "documents": [],
            "related_persons": persons,
            "incubation": incubation,
            "note": "",
        }
        code_no += 1

        # Credit checks: 2015 round for everyone; 2026 round for all still active.
        checks = credit_round(rand_date("2015-01-05", "2015-02-27"))
        if j == exited_j:
            checks += credit_round(
                rand_date("2016-04-05", "2016-04-29"),
                results={
                    "social_org_abnormal": (
                        "listed",
                        "2016年3月因未参加2015年度年检被列入活动异常名录。",
                    )
                },
            )
            v["note"] = (
                "2015年7月被孵化中心强制出壳；2016年起未再承接政务服务项目，登记证书到期未换发。"
            )
        else:
            res = {}
            if j == abnormal_j:
                res = {
                    "social_org_abnormal": (
                        "listed",
                        "2026年8月因通过登记的住所无法与该组织取得联系被列入活动异常名录，尚未申请移出。",
                    )
                }
                v["note"] = "住所变更后未办理变更登记。"
            checks += credit_round(rand_date("2026-09-01", "2026-11-20"), results=res)
        v["credit_checks"] = checks

        # Documents
        if j == exited_j:
            docs = [
                doc(
                    "registration_certificate",
                    "民办非企业单位登记证书",
                    reg,
                    cert_until(reg, 4),
                ),
                doc(
                    "charter",
                    f"章程（{reg.year}年{reg.month}月成立大会通过）",
                    reg,
                    None,
                ),
                doc(
                    "financial_audit",
                    "2014年度财务审计报告",
                    rand_date("2015-03-02", "2015-04-28"),
                    None,
                ),
                doc(
                    "tax_clearance",
                    "税收完税证明（2014年10–12月）",
                    d("2015-01-12"),
                    d("2015-04-11"),
                ),
                doc(
                    "social_insurance",
                    "社会保险缴费证明（2014年7–12月）",
                    d("2015-01-12"),
                    d("2015-04-11"),
                ),
                doc(
                    "no_violation_statement",
                    "参加政府购买服务活动前三年内无重大违法记录声明函",
                    d("2015-01-12"),
                    None,
                ),
            ]
        else:
            extra = []
            if status in ("graduated", "tracking"):
                grad = (
                    rand_date("2015-04-01", "2015-06-30")
                    if incubation["intake"] == "2014-1"
                    else rand_date("2015-09-01", "2015-11-30")
                )
                extra.append(doc("other", "武侯区社会组织孵化中心出壳证明", grad, None))
            docs = standard_documents(
                v,
                reg,
                "expired"
                if j in reg_expired_js
                else "soon"
                if j in reg_soon_js
                else "normal",
                "expired"
                if j in tax_expired_js
                else "soon"
                if j in tax_soon_js
                else "normal",
                "expired"
                if j in si_expired_js
                else "soon"
                if j in si_soon_js
                else "normal",
                extra,
            )
        v["documents"] = docs
        if focus:
            v["note"] = (v["note"] + " " if v["note"] else "") + f"主要服务：{focus}。"
        if name == "武侯区阳光惠民社会服务中心":
            v["note"] = (
                "2014年3月由铁佛社区原综合服务站20名社会综合协管员与社区解除劳动关系后共同发起成立，承接原社区公共服务站全部政务服务事项；武侯区首家。"
            )
        vendors.append(v)

    # ---------------------------------------------------------------- established social-work agencies
    agencies = [
        {
            "name": "成都市和衡社会工作服务中心",
            "short": "和衡社工",
            "reg": "2010-09-14",
            "streets": ["03", "04", "02"],
            "rating": {"grade": "5A", "rated_on": "2020-12-18"},
            "staff": (26, 6, 120),
            "note": "2014–2016年受区民政局委托运营武侯区社会组织孵化中心（INC-09：不得参与评审其孵化的组织）。",
            "founder_post": post(
                "西南财经大学社会发展研究院",
                "社会工作专业教师",
                d("2003-09-01"),
                d("2010-06-30"),
            ),
            "key_post": post(
                "CN-51-01-07-D05",
                "孵化中心运营项目主管（受托）",
                d("2014-03-01"),
                d("2016-12-31"),
            ),
        },
        {
            "name": "成都市仁行社会工作服务中心",
            "short": "仁行社工",
            "reg": "2011-06-22",
            "streets": ["05", "10"],
            "rating": {"grade": "4A", "rated_on": "2019-11-28"},
            "staff": (15, 4, 65),
            "note": "以老年人和残疾人个案服务为主。",
            "founder_post": post(
                "成都市第二社会福利院",
                "社会工作部主任",
                d("2004-03-01"),
                d("2011-04-30"),
            ),
            "key_post": None,
        },
        {
            "name": "成都市蓉益社会工作服务中心",
            "short": "蓉益社工",
            "reg": "2013-04-09",
            "streets": ["11", "12"],
            "rating": {"grade": "3A", "rated_on": "2018-12-10"},
            "staff": (9, 2, 30),
            "note": "",
            "founder_post": post(
                "成都市武侯区华兴街道办事处",
                "社区专职工作者",
                d("2007-07-01"),
                d("2013-02-28"),
            ),
            "key_post": None,
        },
    ]
    for a in agencies:
        reg = d(a["reg"])
        st_codes = [f"{DISTRICT}-{k}" for k in a["streets"]]
        comm_pool = [
            c["code"]
            for s in streets
            if s["key"] in a["streets"]
            for c in s["communities"]
        ]
        persons = [person("founder", 1968, 1980, [a["founder_post"]])]
        persons.append(person("supervisor", 1972, 1985, []))
        if a["key_post"]:
            persons.append(person("key_staff", 1982, 1988, [a["key_post"]]))
        else:
            persons.append(person("director", 1970, 1984, []))
        ft, pt, vol = a["staff"]
        v = {
            "code": f"{DISTRICT}-V{code_no:04d}",
            "name": a["name"],
            "short_name": a["short"],
            "org_type": "social_service_agency",
            "uscc": make_uscc("5", "2"),
            "registration_authority": MCA,
            "registration_date": reg.isoformat(),
            "legal_representative": persons[0]["name"],
            "address": address(a["streets"][0]),
            "streets": st_codes,
            "communities": sorted(rng.sample(comm_pool, rng.randint(3, 6))),
            "fulltime_staff": ft,
            "parttime_staff": pt,
            "volunteers": vol,
            "rating": a["rating"],
            "annual_reports": annual_reports(2014),
            "credit_checks": credit_round(rand_date("2015-01-05", "2015-02-27"))
            + credit_round(rand_date("2026-09-01", "2026-11-20")),
            "documents": [],
            "related_persons": persons,
            "incubation": None,
            "note": a["note"],
        }
        v["documents"] = standard_documents(v, reg, "normal", "normal", "normal")
        vendors.append(v)
        code_no += 1

    # ---------------------------------------------------------------- enterprises
    enterprises = [
        {
            "name": "成都锦宜物业管理有限公司",
            "short": "锦宜物业",
            "reg": "2009-04-16",
            "prefix": "68",
            "streets": ["06", "07"],
            "staff": (46, 8, 0),
            "note": "物业服务企业，承接小区环境卫生、秩序维护类服务。",
            "listed": None,
            "lic": (
                "营业执照（营业期限：2009年4月16日至2039年4月15日）",
                d("2009-04-16"),
                d("2039-04-15"),
            ),
        },
        {
            "name": "成都邻家帮家政服务有限公司",
            "short": "邻家帮家政",
            "reg": "2013-08-07",
            "prefix": "07",
            "streets": ["09", "10", "11"],
            "staff": (18, 25, 0),
            "note": "家政服务企业，承接居家养老上门服务。",
            "listed": (
                "dishonest_executed",
                "2026年9月因劳动报酬纠纷执行案件未履行被列入失信被执行人名单（执行法院：成都市武侯区人民法院）。",
            ),
            "lic": ("营业执照（营业期限：长期）", d("2016-11-02"), None),
        },
    ]
    for e in enterprises:
        reg = d(e["reg"])
        persons = [person("legal_representative", 1966, 1982, [])]
        persons.append(person("supervisor", 1968, 1985, []))
        ft, pt, vol = e["staff"]
        res = {e["listed"][0]: ("listed", e["listed"][1])} if e["listed"] else {}
        v = {
            "code": f"{DISTRICT}-V{code_no:04d}",
            "name": e["name"],
            "short_name": e["short"],
            "org_type": "enterprise",
            "uscc": make_uscc("9", "1", e["prefix"]),
            "registration_authority": AIC,
            "registration_date": reg.isoformat(),
            "legal_representative": persons[0]["name"],
            "address": address(e["streets"][0]),
            "streets": [f"{DISTRICT}-{k}" for k in e["streets"]],
            "communities": [],
            "fulltime_staff": ft,
            "parttime_staff": pt,
            "volunteers": vol,
            "rating": None,
            "annual_reports": annual_reports(2014),
            "credit_checks": credit_round(rand_date("2015-01-05", "2015-02-27"))
            + credit_round(rand_date("2026-10-08", "2026-11-20"), results=res),
            "documents": [],
            "related_persons": persons,
            "incubation": None,
            "note": e["note"] + " 年报结论指企业年度报告公示情况。",
        }
        t0, t1 = proof_window("normal")
        s0, s1 = proof_window("normal")
        v["documents"] = [
            doc("registration_certificate", e["lic"][0], e["lic"][1], e["lic"][2]),
            doc("charter", "公司章程", reg, None),
            doc(
                "financial_audit",
                "2025年度财务审计报告",
                rand_date("2026-03-02", "2026-04-28"),
                None,
            ),
            doc("tax_clearance", f"税收完税证明（{period(t0, 3)}）", t0, t1),
            doc("social_insurance", f"社会保险缴费证明（{period(s0, 6)}）", s0, s1),
            doc(
                "no_violation_statement",
                "参加政府购买服务活动前三年内无重大违法记录声明函",
                rand_date("2026-09-01", "2026-11-20"),
                None,
            ),
        ]
        vendors.append(v)
        code_no += 1

    # ---------------------------------------------------------------- 备案类社区社会组织
    filed = [
        ("03", 1, "玉林东路社区邻里守望志愿服务队", "邻里守望队", "2013-05-20"),
        ("05", 0, "桐梓林社区国际邻里文化交流会", "桐梓林国际邻里", "2014-09-12"),
        ("13", 0, "芳草社区书香读书会", "芳草读书会", "2015-03-06"),
        ("08", 3, "清水河社区环保志愿服务队", "清水河环保队", "2015-06-18"),
    ]
    by_key = {s["key"]: s for s in streets}
    for k, ci, name, short, day in filed:
        s = by_key[k]
        c = s["communities"][ci]
        reg = d(day)
        persons = [
            person(
                "legal_representative",
                1950 + 12,
                1975,
                [post(c["code"], "居民小组长", d("2008-01-01"), d("2013-12-31"))]
                if rng.random() < 0.5
                else [],
            )
        ]
        if rng.random() < 0.6:
            persons.append(person("key_staff", 1965, 1992, []))
        v = {
            "code": f"{DISTRICT}-V{code_no:04d}",
            "name": name,
            "short_name": short,
            "org_type": "community_filed",
            "uscc": None,
            "registration_authority": f"{s['name']}（备案）",
            "registration_date": reg.isoformat(),
            "legal_representative": persons[0]["name"],
            "address": f"成都市武侯区{rng.choice(ROADS[k])}{rng.randint(1, 200)}号（{c['short']}社区综合服务中心内）",
            "streets": [s["code"]],
            "communities": [c["code"]],
            "fulltime_staff": 0,
            "parttime_staff": rng.randint(1, 4),
            "volunteers": rng.randint(15, 60),
            "rating": None,
            "annual_reports": [],
            "credit_checks": credit_round(
                rand_date("2015-07-01", "2015-09-30")
                if reg.year == 2015
                else rand_date("2015-01-05", "2015-02-27")
            )
            + credit_round(rand_date("2026-09-01", "2026-11-20")),
            "documents": [
                doc("registration_certificate", "社区社会组织备案证明", reg, None),
                doc("charter", "章程（活动规则）", reg, None),
            ],
            "related_persons": persons,
            "incubation": None,
            "note": "备案类社区社会组织，未在民政部门登记，无统一社会信用代码；“法定代表人”栏为负责人。",
        }
        vendors.append(v)
        code_no += 1

    for v in vendors:
        for c in v["credit_checks"]:
            if (
                v["org_type"] in ("enterprise", "community_filed")
                and c["list"].startswith("social_org")
                and not c["note"]
            ):
                c["note"] = "非民政登记的社会组织，平台无该主体记录。"
    return {"generated_for": "成都市武侯区", "vendors": vendors}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--output", type=Path, default=OUT_FILE)
    args = ap.parse_args()
    data = build()
    args.output.write_text(
        json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    print(f"wrote {len(data['vendors'])} vendors to {args.output}")


if __name__ == "__main__":
    main()
