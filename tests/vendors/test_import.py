"""Importing a supplier list: every row or none, each bad row with its reasons."""

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook

from accounts.models import Organisation
from core.exceptions import ValidationFailed
from vendors.importing import COLUMNS
from vendors.models import Vendor
from vendors.services import vendor_import

from ..factories import valid_uscc

HEADER = [
    "名称",
    "简称",
    "主体类型",
    "统一社会信用代码",
    "登记管理机关",
    "登记日期",
    "法定代表人",
    "住所",
    "服务街道",
    "专职人员",
    "兼职人员",
    "志愿者",
    "社会组织评估等级",
    "评估日期",
]


def _row(n, **kw):
    row = {
        "名称": f"武侯区导入测试社会服务中心{n}",
        "简称": "",
        "主体类型": "社会服务机构（民办非企业单位）",
        "统一社会信用代码": valid_uscc(500000 + n),
        "登记管理机关": "成都市武侯区民政局",
        "登记日期": "2014-09-01",
        "法定代表人": "张华",
        "住所": "成都市武侯区",
        "服务街道": "簇锦街道",
        "专职人员": 4,
        "兼职人员": 1,
        "志愿者": 10,
        "社会组织评估等级": "",
        "评估日期": "",
    }
    row.update(kw)
    return [row[h] for h in HEADER]


def _xlsx(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_header_matches_the_export_columns():
    assert HEADER == [str(label) for _f, label in COLUMNS]


def test_valid_rows_are_all_registered(personas, orgs, vendors):
    # given: three rows, streets named by short name or code, the type by its label
    rows = [
        _row(1),
        _row(2, 服务街道="D1-S2"),
        _row(3, 主体类型="community_filed", 统一社会信用代码="", 登记日期=""),
    ]
    # when
    summary = vendor_import(
        actor=personas.officer,
        district=orgs.d1,
        filename="名单.xlsx",
        content=_xlsx(rows),
    )
    # then
    assert summary == {"created": 3, "rows": 3}
    v2 = Vendor.objects.get(organisation__name="武侯区导入测试社会服务中心2")
    assert [s.code for s in v2.streets.all()] == ["D1-S2"]


def test_one_bad_row_stops_the_whole_import_and_every_fault_is_listed(
    personas, orgs, vendors
):
    # given: good rows and rows with each kind of fault
    bad_check = valid_uscc(500010)[:-1] + (
        "0" if valid_uscc(500010)[-1] != "0" else "1"
    )
    rows = [
        _row(1),
        _row(2, 统一社会信用代码=bad_check),  # wrong check character
        _row(
            3, 统一社会信用代码=valid_uscc(500001)
        ),  # duplicate of row 2's code … of row 2 in the file
        _row(4, 名称=""),  # missing field
        _row(5, 服务街道="不存在街道"),  # unknown street
        _row(6, 统一社会信用代码=vendors.other.uscc),  # code of a registered vendor
        _row(7),
    ]
    before = (Vendor.objects.count(), Organisation.objects.count())
    # when
    with pytest.raises(ValidationFailed) as exc:
        vendor_import(
            actor=personas.officer,
            district=orgs.d1,
            filename="名单.xlsx",
            content=_xlsx(rows),
        )
    # then: each bad row is named with its column (row numbers as the user sees them)
    fields = exc.value.fields
    assert set(fields) == {"3.uscc", "4.uscc", "5.name", "6.streets", "7.uscc"}
    assert "校验位" in fields["3.uscc"][0]
    assert "第 2 行" in fields["4.uscc"][0]
    assert "不存在街道" in fields["6.streets"][0]
    assert vendors.other.name in fields["7.uscc"][0]
    # and nothing was written
    assert (Vendor.objects.count(), Organisation.objects.count()) == before


def test_html_import_lists_row_column_and_reason(personas, orgs, vendors, web):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        "名单.xlsx", _xlsx([_row(1), _row(2, 服务街道="火星街道")])
    )
    response = web(personas.officer).post(
        reverse("vendors:vendor-import"), {"file": upload}
    )
    assert response.status_code == 400
    table = response.content.decode().split('id="import-errors"')[1]
    assert "<td>3</td><td>服务街道</td>" in table
    assert "火星街道" in table


def test_api_import_answers_with_field_errors(personas, orgs, vendors, api):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("名单.xlsx", _xlsx([_row(1, 专职人员=-3)]))
    response = api(personas.officer).post(
        reverse("api:vendor-import-vendors"), {"file": upload}, format="multipart"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "import_rows_invalid"
    assert "2.fulltime_staff" in body["fields"]


def test_export_then_import_round_trip(personas, orgs, vendors, web):
    # given: the register exported as xlsx
    content = web(personas.officer).get(reverse("vendors:vendor-export")).content
    # when: imported into another district's empty register (codes are unique, so rename)
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(content))
    rows = [list(r) for r in wb.active.iter_rows(min_row=2, values_only=True)]
    assert len(rows) == 2  # D1's two vendors
    fresh = [
        [f"{r[0]}（复制）", *r[1:3], valid_uscc(700000 + i), *r[4:8], "", *r[9:]]
        for i, r in enumerate(rows)
    ]
    summary = vendor_import(
        actor=personas.officer,
        district=orgs.d1,
        filename="x.xlsx",
        content=_xlsx(fresh),
    )
    # then
    assert summary["created"] == 2
