"""Importing a draft's items from .xlsx/.csv: every row or nothing, errors per row and column."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from catalogue.columns import COLUMN_BY_FIELD, COLUMNS
from catalogue.importing import export_csv, export_xlsx
from catalogue.models import Category, ServiceItem
from catalogue.services import ImportMode, catalogue_import
from core.exceptions import ValidationFailed
from core.models import AuditEvent

from ..factories import DOMAIN_COUNTS, item_payload

CJK = re.compile(r"[\u4e00-\u9fff]")
# The Chinese column headers a user's spreadsheet carries.
HEADER_ZH = {
    "code": "事项编码",
    "name": "事项名称",
    "domain": "服务领域",
    "service_class": "一级分类",
    "matter_type": "事项类型",
    "legal_basis": "法律政策依据",
    "decision_authority": "决定机关",
    "authority_level": "决定层级",
    "outsource_scope": "购买范围",
    "allowed_steps": "可购买的辅助环节",
    "deliverable": "交付成果",
    "prohibited_reason": "不得购买的理由",
    "unit": "计量单位",
    "service_standard": "服务标准",
    "assessment_standard": "考核标准",
    "assessment_method": "考核方式",
    "price_basis": "计价方式",
    "reference_price": "参考单价或限价（元）",
    "annual_volume": "每社区年度预计数量",
}
FIELDS = list(HEADER_ZH)


@pytest.fixture
def all_domains(domains):
    a = Category.objects.get(code="A")
    for position, code in enumerate(DOMAIN_COUNTS):
        Category.objects.get_or_create(
            code=code,
            defaults={
                "name": f"领域{code}",
                "level": 2,
                "parent": a,
                "position": position,
            },
        )
    return {c.code: c for c in Category.objects.filter(level=2)}


def snapshot(version) -> dict[str, dict]:
    return {
        item["code"]: item
        for item in ServiceItem.objects.filter(version=version)
        .order_by("code")
        .values()
    }


def row(**overrides) -> dict:
    data = item_payload(**overrides)
    data["allowed_steps"] = "、".join(data["allowed_steps"])
    return data


def aux_row(**overrides) -> dict:
    data = row(
        matter_type="confirmation",
        service_class="B",
        outsource_scope="aux_only",
        allowed_steps=["acceptance", "registration"],
        deliverable="受理登记表及初审意见",
        unit="piece",
    )
    data.update(overrides)
    return data


def valid_rows() -> list[dict]:
    """139 valid rows over A01–A13, mixing FULL and AUX_ONLY items, labels and codes."""
    out = []
    for domain, count in DOMAIN_COUNTS.items():
        for n in range(1, count + 1):
            code = f"{domain}-{n:02d}"
            if n % 3 == 0:
                out.append(aux_row(code=code, domain=domain, name=f"{code} 申请受理"))
            else:
                out.append(
                    row(
                        code=code,
                        domain=domain,
                        name=f"{code} 巡访服务",
                        outsource_scope="可整体购买",
                        unit="户次",
                        reference_price=f"{50 + n}.00",
                    )
                )
    return out


def table(rows: list[dict], headers: dict[str, str] = HEADER_ZH) -> list[list]:
    fields = list(headers)
    return [[headers[f] for f in fields]] + [
        [r.get(f, "") for f in fields] for r in rows
    ]


def csv_bytes(cells: list[list], encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(cells)
    return out.getvalue().encode(encoding)


def xlsx_bytes(cells: list[list]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    for line in cells:
        wb.active.append(line)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def one_bad_among_139() -> tuple[list[dict], int]:
    """139 valid rows and one bad row at spreadsheet row 77 (the header is row 1)."""
    rows = valid_rows()
    bad = row(
        code="A06-15",
        domain="A06",
        outsource_scope="aux_only",
        allowed_steps=[],
        reference_price="-10.00",
    )
    rows.insert(77 - 2, bad)
    return rows, 77


def items_of(version) -> list[ServiceItem]:
    return list(version.items.select_related("domain").order_by("code"))


# --- round trip -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "export"),
    [
        ("items.xlsx", lambda items: export_xlsx(items, "2016")),
        ("items.csv", export_csv),
    ],
    ids=["xlsx", "csv"],
)
def test_round_trip_of_an_export_changes_nothing(personas, catalogue, filename, export):
    # given
    draft = catalogue.draft
    before = snapshot(draft)
    content = export(items_of(draft))

    # when
    summary = catalogue_import(
        actor=personas.officer, version=draft, filename=filename, content=content
    )

    # then
    assert summary == {
        "created": 0,
        "updated": 0,
        "unchanged": len(before),
        "removed": 0,
        "rows": len(before),
    }
    assert snapshot(draft) == before


@pytest.mark.parametrize("filename", ["items.xlsx", "items.csv"])
def test_export_imported_into_an_empty_draft_recreates_every_value(
    personas, catalogue, orgs, filename
):
    # given
    from ..factories import CatalogueVersionFactory

    source = catalogue.published
    target = CatalogueVersionFactory(region=orgs.d1, year=2020)
    items = items_of(source)
    content = (
        export_xlsx(items, "2015") if filename.endswith("xlsx") else export_csv(items)
    )

    # when
    summary = catalogue_import(
        actor=personas.officer, version=target, filename=filename, content=content
    )

    # then
    assert summary["created"] == len(items) == 3
    ignore = {"id", "version_id", "created_at", "updated_at"}

    def comparable(version):
        return {
            code: {k: v for k, v in values.items() if k not in ignore}
            for code, values in snapshot(version).items()
        }

    assert comparable(target) == comparable(source)


# --- all or nothing ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_one_bad_row_among_139_refuses_the_whole_file(
    personas, catalogue, all_domains, fmt
):
    # given
    rows, bad_row = one_bad_among_139()
    cells = table(rows)
    content = csv_bytes(cells) if fmt == "csv" else xlsx_bytes(cells)
    draft = catalogue.draft
    before = snapshot(draft)
    events_before = AuditEvent.objects.count()

    # when
    with pytest.raises(ValidationFailed) as exc:
        catalogue_import(
            actor=personas.officer,
            version=draft,
            filename=f"目录.{fmt}",
            content=content,
        )

    # then: exactly the bad row's two fields are reported, in Chinese
    assert exc.value.code == "import_rows_invalid"
    assert set(exc.value.fields) == {
        f"{bad_row}.allowed_steps",
        f"{bad_row}.reference_price",
    }
    messages = [str(m) for ms in exc.value.fields.values() for m in ms]
    assert messages
    assert all(CJK.search(m) for m in messages)
    assert CJK.search(str(exc.value.message))
    # and nothing was written: not the 137 new codes, not the two existing ones
    assert snapshot(draft) == before
    assert AuditEvent.objects.count() == events_before


def test_the_139_rows_alone_import_completely(personas, catalogue, all_domains):
    # given
    rows, bad_row = one_bad_among_139()
    del rows[bad_row - 2]
    draft = catalogue.draft

    # when
    summary = catalogue_import(
        actor=personas.officer,
        version=draft,
        filename="目录.csv",
        content=csv_bytes(table(rows)),
    )

    # then
    # (the draft already held A03-01, A03-05 and A08-07, which the file rewrites)
    assert summary == {
        "created": 136,
        "updated": 3,
        "unchanged": 0,
        "removed": 0,
        "rows": 139,
    }
    per_domain = {
        code: draft.items.filter(domain__code=code).count() for code in DOMAIN_COUNTS
    }
    assert per_domain == DOMAIN_COUNTS
    assert draft.items.get(code="A03-03").allowed_steps == [
        "acceptance",
        "registration",
    ]


def test_reports_every_bad_row_not_only_the_first(personas, catalogue, all_domains):
    # given
    rows = valid_rows()[:5]
    rows[1]["reference_price"] = "1.234"
    rows[3]["code"] = "A01_04"
    rows[4]["unit"] = "公斤"

    # when
    with pytest.raises(ValidationFailed) as exc:
        catalogue_import(
            actor=personas.officer,
            version=catalogue.draft,
            filename="items.csv",
            content=csv_bytes(table(rows)),
        )

    # then
    assert set(exc.value.fields) == {"3.reference_price", "5.code", "6.unit"}


def test_skips_empty_lines_but_keeps_spreadsheet_row_numbers(
    personas, catalogue, all_domains
):
    # given
    rows = valid_rows()[:3]
    cells = table(rows)
    cells.insert(2, [""] * len(FIELDS))  # row 3 is empty
    cells[4][FIELDS.index("reference_price")] = "-1"  # the third item, on row 5

    # when
    with pytest.raises(ValidationFailed) as exc:
        catalogue_import(
            actor=personas.officer,
            version=catalogue.draft,
            filename="items.csv",
            content=csv_bytes(cells),
        )

    # then
    assert set(exc.value.fields) == {"5.reference_price"}


# --- merge and replace ------------------------------------------------------------------


def _changed_file(draft) -> bytes:
    rows = [
        row(code="A03-05", name="困难群众巡访（新）"),
        row(code="A03-70", name="新增的服务"),
    ]
    return csv_bytes(table(rows))


def test_merge_adds_and_updates_and_keeps_the_rest(personas, catalogue):
    # given
    draft = catalogue.draft
    kept = {c: v for c, v in snapshot(draft).items() if c in ("A03-01", "A08-07")}

    # when
    summary = catalogue_import(
        actor=personas.officer,
        version=draft,
        filename="items.csv",
        content=_changed_file(draft),
        mode=ImportMode.MERGE,
    )

    # then
    assert summary == {
        "created": 1,
        "updated": 1,
        "unchanged": 0,
        "removed": 0,
        "rows": 2,
    }
    after = snapshot(draft)
    assert set(after) == {"A03-01", "A03-05", "A03-70", "A08-07"}
    assert after["A03-05"]["name"] == "困难群众巡访（新）"
    assert {c: after[c] for c in kept} == kept
    [event] = AuditEvent.objects.filter(action="catalogue.import")
    assert event.payload["mode"] == "merge"
    assert event.payload["created"] == 1


def test_replace_removes_codes_not_in_the_file(personas, catalogue):
    # given
    draft = catalogue.draft

    # when
    summary = catalogue_import(
        actor=personas.officer,
        version=draft,
        filename="items.csv",
        content=_changed_file(draft),
        mode=ImportMode.REPLACE,
    )

    # then
    assert summary["removed"] == 2
    assert set(snapshot(draft)) == {"A03-05", "A03-70"}


def test_rejects_an_unknown_mode(personas, catalogue):
    # when
    with pytest.raises(ValidationFailed) as exc:
        catalogue_import(
            actor=personas.officer,
            version=catalogue.draft,
            filename="items.csv",
            content=_changed_file(catalogue.draft),
            mode="append",
        )

    # then
    assert list(exc.value.fields) == ["mode"]


def test_refuses_import_into_a_published_version(personas, catalogue):
    # given
    from core.exceptions import TransitionNotAllowed

    before = snapshot(catalogue.published)

    # when
    with pytest.raises(TransitionNotAllowed):
        catalogue_import(
            actor=personas.officer,
            version=catalogue.published,
            filename="items.csv",
            content=_changed_file(catalogue.published),
        )

    # then
    assert snapshot(catalogue.published) == before


# --- bad files --------------------------------------------------------------------------


def test_reports_duplicate_codes_with_both_row_numbers(personas, catalogue):
    # given
    rows = [
        row(code="A03-70"),
        row(code="A03-71"),
        row(code="A03-70", name="重复的事项"),
    ]

    # when
    with pytest.raises(ValidationFailed) as exc:
        catalogue_import(
            actor=personas.officer,
            version=catalogue.draft,
            filename="items.csv",
            content=csv_bytes(table(rows)),
        )

    # then: the later row is at fault and names the earlier one
    assert list(exc.value.fields) == ["4.code"]
    [message] = exc.value.fields["4.code"]
    assert "A03-70" in message
    assert "2" in message.replace("A03-70", "")


def test_reports_an_unknown_header(personas, catalogue):
    # given
    cells = table([row()])
    cells[0].append("备注栏")
    cells[1].append("随便写")

    # when
    with pytest.raises(ValidationFailed) as exc:
        catalogue_import(
            actor=personas.officer,
            version=catalogue.draft,
            filename="items.csv",
            content=csv_bytes(cells),
        )

    # then
    assert exc.value.code == "import_bad_header"
    assert list(exc.value.fields) == ["file"]
    assert "备注栏" in str(exc.value.fields["file"][0])


def test_reports_a_missing_code_column(personas, catalogue):
    # given
    headers = {k: v for k, v in HEADER_ZH.items() if k != "code"}

    # when
    with pytest.raises(ValidationFailed) as exc:
        catalogue_import(
            actor=personas.officer,
            version=catalogue.draft,
            filename="items.csv",
            content=csv_bytes(table([row()], headers)),
        )

    # then
    assert exc.value.code == "import_bad_header"
    assert "事项编码" in str(exc.value.fields["file"][0])


@pytest.mark.parametrize(
    "filename", ["items.txt", "items.xls", "items", "items.csv.exe"]
)
def test_refuses_a_file_that_is_not_xlsx_or_csv(personas, catalogue, filename):
    # when
    with pytest.raises(ValidationFailed) as exc:
        catalogue_import(
            actor=personas.officer,
            version=catalogue.draft,
            filename=filename,
            content=csv_bytes(table([row()])),
        )

    # then
    assert exc.value.code == "import_bad_format"
    assert list(exc.value.fields) == ["file"]


def _zip_that_is_not_a_workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("readme.txt", "hello")
    return out.getvalue()


@pytest.mark.parametrize(
    "content",
    [b"this is not a spreadsheet", b"", _zip_that_is_not_a_workbook()],
    ids=["text", "empty", "zip-without-workbook"],
)
def test_refuses_a_corrupt_xlsx_with_an_error_on_file(personas, catalogue, content):
    # given
    before = snapshot(catalogue.draft)

    # when
    with pytest.raises(ValidationFailed) as exc:
        catalogue_import(
            actor=personas.officer,
            version=catalogue.draft,
            filename="items.xlsx",
            content=content,
        )

    # then
    assert list(exc.value.fields) == ["file"]
    assert snapshot(catalogue.draft) == before


@pytest.mark.parametrize(
    "content", [b"", "事项编码,事项名称\n".encode()], ids=["empty", "header-only"]
)
def test_refuses_a_csv_without_data_rows(personas, catalogue, content):
    # when
    with pytest.raises(ValidationFailed) as exc:
        catalogue_import(
            actor=personas.officer,
            version=catalogue.draft,
            filename="items.csv",
            content=content,
        )

    # then
    assert exc.value.code == "import_empty"
    assert list(exc.value.fields) == ["file"]


# --- encodings and languages ------------------------------------------------------------


def test_reads_a_gb18030_csv_with_chinese_headers(personas, catalogue):
    # given: what Excel on Chinese Windows saves
    rows = [
        row(code="A03-70", name="困难群众巡访·“暖心”行动", unit="人·月"),
        aux_row(
            code="A03-71", name="临时救助申请受理", allowed_steps="受理；入户调查协助"
        ),
    ]
    content = csv_bytes(table(rows), encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")

    # when
    summary = catalogue_import(
        actor=personas.officer,
        version=catalogue.draft,
        filename="ITEMS.CSV",
        content=content,
    )

    # then
    assert summary["created"] == 2
    new = catalogue.draft.items.get(code="A03-70")
    assert new.name == "困难群众巡访·“暖心”行动"
    assert new.unit == "person_month"
    assert catalogue.draft.items.get(code="A03-71").allowed_steps == [
        "acceptance",
        "home_survey_assist",
    ]


def test_accepts_field_names_as_headers(personas, catalogue):
    # given
    headers = {f: f.upper() for f in FIELDS}

    # when
    summary = catalogue_import(
        actor=personas.officer,
        version=catalogue.draft,
        filename="items.csv",
        content=csv_bytes(table([row(code="A03-70")], headers)),
    )

    # then
    assert summary["created"] == 1


def _english(label) -> str:
    with translation.override("en"):
        return str(label)


def test_accepts_english_headers_and_english_labels(personas, catalogue):
    # given
    headers = {c.field: _english(c.label) for c in COLUMNS if c.field in HEADER_ZH}
    if any(CJK.search(h) for h in headers.values()):
        pytest.skip("locale/en has no English column headers yet")
    scope = COLUMN_BY_FIELD["outsource_scope"].choices
    unit = COLUMN_BY_FIELD["unit"].choices
    steps = COLUMN_BY_FIELD["allowed_steps"].choices
    english_row = aux_row(
        code="A03-70",
        outsource_scope=_english(scope.AUX_ONLY.label),
        unit=_english(unit.PIECE.label),
        allowed_steps=", ".join(
            _english(s.label) for s in (steps.ACCEPTANCE, steps.REGISTRATION)
        ),
    )

    # when
    summary = catalogue_import(
        actor=personas.officer,
        version=catalogue.draft,
        filename="items.csv",
        content=csv_bytes(table([english_row], headers)),
    )

    # then
    assert summary["created"] == 1
    item = catalogue.draft.items.get(code="A03-70")
    assert (item.outsource_scope, item.unit, item.allowed_steps) == (
        "aux_only",
        "piece",
        ["acceptance", "registration"],
    )


# --- through the HTML page and the API --------------------------------------------------


def _upload(content: bytes, name: str = "目录.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_page_lists_row_column_and_reason_of_each_error(
    web, personas, catalogue, all_domains
):
    # given
    rows, bad_row = one_bad_among_139()
    content = csv_bytes(table(rows))
    before = snapshot(catalogue.draft)

    # when
    response = web(personas.officer).post(
        reverse("catalogue:version-import", args=[catalogue.draft.pk]),
        {"file": _upload(content), "mode": "merge"},
    )

    # then
    assert response.status_code == 400
    html = response.content.decode()
    errors = re.findall(
        r"<tr><td>(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", html
    )
    assert {(r, c) for r, c, _m in errors} == {
        (str(bad_row), escape(HEADER_ZH["allowed_steps"])),
        (str(bad_row), escape(HEADER_ZH["reference_price"])),
    }
    assert all(CJK.search(m) for _r, _c, m in errors)
    with pytest.raises(ValidationFailed) as exc:
        catalogue_import(
            actor=personas.officer,
            version=catalogue.draft,
            filename="目录.csv",
            content=content,
        )
    expected = {
        (str(bad_row), escape(HEADER_ZH[key.split(".")[1]]), escape(str(m)))
        for key, ms in exc.value.fields.items()
        for m in ms
    }
    assert set(errors) == expected
    assert snapshot(catalogue.draft) == before


def test_page_imports_a_good_file_and_redirects(web, personas, catalogue):
    # when
    response = web(personas.officer).post(
        reverse("catalogue:version-import", args=[catalogue.draft.pk]),
        {"file": _upload(_changed_file(catalogue.draft)), "mode": "replace"},
    )

    # then
    assert response.status_code == 302
    assert response["Location"] == catalogue.draft.get_absolute_url()
    assert set(snapshot(catalogue.draft)) == {"A03-05", "A03-70"}


def test_page_shows_a_file_error_on_the_file_field(web, personas, catalogue):
    # when
    response = web(personas.officer).post(
        reverse("catalogue:version-import", args=[catalogue.draft.pk]),
        {"file": _upload(b"garbage", "items.xlsx"), "mode": "merge"},
    )

    # then
    assert response.status_code == 400
    assert response.context["form"].errors["file"]
    assert not response.context["row_errors"]


def test_api_answers_400_with_the_rows_in_fields(api, personas, catalogue, all_domains):
    # given
    rows, bad_row = one_bad_among_139()
    before = snapshot(catalogue.draft)

    # when
    response = api(personas.officer).post(
        reverse("api:catalogue-version-import-items", args=[catalogue.draft.pk]),
        {"file": _upload(csv_bytes(table(rows))), "mode": "merge"},
        format="multipart",
    )

    # then
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"code", "detail", "fields"}
    assert body["code"] == "import_rows_invalid"
    assert set(body["fields"]) == {
        f"{bad_row}.allowed_steps",
        f"{bad_row}.reference_price",
    }
    assert all(CJK.search(m) for ms in body["fields"].values() for m in ms)
    assert snapshot(catalogue.draft) == before


def test_api_returns_the_summary_of_a_good_file(api, personas, catalogue):
    # when
    response = api(personas.officer).post(
        reverse("api:catalogue-version-import-items", args=[catalogue.draft.pk]),
        {"file": _upload(_changed_file(catalogue.draft)), "mode": "merge"},
        format="multipart",
    )

    # then
    assert response.status_code == 200
    assert response.json() == {
        "created": 1,
        "updated": 1,
        "unchanged": 0,
        "removed": 0,
        "rows": 2,
    }
