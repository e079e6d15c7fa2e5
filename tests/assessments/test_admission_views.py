"""The admission-list pages: the public reads lists in publicity or published, the
district's administrator drafts, publicises and publishes, the organisation objects
and appeals on its entry's page, and an elimination drafts the re-tender from there."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

import assessments.admission as adm
from assessments.models import AdmissionList
from procurement.models import ProcurementProject
from tests.assessments.test_admission import YEAR, _graded
from tests.contracts.conftest import *  # noqa: F403

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(rnd, personas, orgs):
    _graded(rnd, personas, orgs, 50)
    return adm.admission_list_build(actor=personas.admin, district=orgs.d1, year=YEAR)


def _publish(alist, personas):
    day = timezone.localdate() - dt.timedelta(days=20)
    alist = adm.admission_list_publicise(
        actor=personas.admin, admission_list=alist, on=day
    )
    return adm.admission_list_publish(
        actor=personas.admin, admission_list=alist, on=timezone.localdate()
    )


def test_the_administrator_drafts_a_list_from_the_page(rnd, personas, orgs, client):
    _graded(rnd, personas, orgs, 70)
    client.force_login(personas.admin)
    r = client.post(reverse("admission:index"), {"district": orgs.d1.pk, "year": YEAR})
    alist = AdmissionList.objects.get()
    assert r.status_code == 302
    assert r.url == reverse("admission:detail", args=[alist.pk])
    page = client.get(r.url).content.decode()
    assert "警示 1" in page
    assert "PM-12" in page  # the page says the list never gates 政府采购


def test_a_year_without_results_is_refused_on_its_field(rnd, personas, orgs, client):
    client.force_login(personas.admin)
    r = client.post(reverse("admission:index"), {"district": orgs.d1.pk, "year": 1999})
    assert r.status_code == 400
    assert "2000" in r.content.decode()  # min_value message names the bound
    r = client.post(reverse("admission:index"), {"district": orgs.d1.pk, "year": 2001})
    assert r.status_code == 400
    assert "没有已计分的考核结果" in r.content.decode()
    assert not AdmissionList.objects.exists()


def test_a_draft_is_hidden_from_the_public_and_vendors(draft, personas, client):
    url = reverse("admission:detail", args=[draft.pk])
    assert client.get(url).status_code == 404
    assert draft.title not in client.get(reverse("admission:index")).content.decode()
    client.force_login(personas.vendor)
    assert client.get(url).status_code == 404
    client.force_login(personas.outsider)  # another district's administrator
    assert client.get(url).status_code == 404
    client.force_login(personas.officer)  # a street of the district reads it
    assert client.get(url).status_code == 200


def test_publicity_then_the_public_reads_the_list_without_login(
    draft, personas, client
):
    client.force_login(personas.admin)
    r = client.post(
        reverse("admission:detail", args=[draft.pk]), {"action": "publicise"}
    )
    assert r.status_code == 302
    client.logout()
    page = client.get(reverse("admission:detail", args=[draft.pk])).content.decode()
    assert "公示中" in page
    assert draft.entries.get().vendor.name in page


def test_a_street_officer_cannot_publicise(draft, personas, client):
    client.force_login(personas.officer)
    r = client.post(
        reverse("admission:detail", args=[draft.pk]), {"action": "publicise"}
    )
    assert r.status_code == 403
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_the_vendor_objects_on_its_entry_and_a_late_one_is_refused(
    draft, personas, client
):
    alist = adm.admission_list_publicise(
        actor=personas.admin, admission_list=draft, on=timezone.localdate()
    )
    entry = alist.entries.get()
    url = reverse("admission:entry", args=[entry.pk])
    client.force_login(personas.vendor)
    # an empty reason names the field
    r = client.post(url, {"action": "object", "text": ""})
    assert r.status_code == 400
    r = client.post(url, {"action": "object", "text": "评价样本不足。"})
    assert r.status_code == 302
    assert entry.objections.count() == 1
    # the administrator decides it on the same page
    client.force_login(personas.admin)
    r = client.post(
        url,
        {
            "action": "decide",
            "upheld": "0",
            "standing": "",
            "decision": "样本符合方案。",
        },
    )
    assert r.status_code == 302
    # after the window: refused with the date, nothing written
    AdmissionList.objects.filter(pk=alist.pk).update(
        publicity_end=timezone.localdate() - dt.timedelta(days=1)
    )
    client.force_login(personas.vendor)
    r = client.post(url, {"action": "object", "text": "再次异议"})
    assert r.status_code == 409
    assert "公示期已于" in r.content.decode()
    assert entry.objections.count() == 1


def test_an_elimination_drafts_the_retender_from_the_entry_page(
    draft, personas, client
):
    alist = _publish(draft, personas)
    entry = alist.entries.get()
    url = reverse("admission:entry", args=[entry.pk])
    client.force_login(personas.admin)
    page = client.get(url).content.decode()
    assert 'id="eliminate-form"' in page
    # without an interim arrangement: the field says so, nothing drafted
    r = client.post(
        url,
        {
            "action": "eliminate",
            "ending": "terminate",
            "ends_on": "",
            "interim_arrangement": "",
        },
    )
    assert r.status_code == 400
    assert not ProcurementProject.objects.filter(
        replaces_contract_of=entry.vendor
    ).exists()
    r = client.post(
        url,
        {
            "action": "eliminate",
            "ending": "terminate",
            "ends_on": timezone.localdate().isoformat(),
            "interim_arrangement": "街道社区服务中心临时承接。",
        },
    )
    assert r.status_code == 302
    project = ProcurementProject.objects.get(replaces_contract_of=entry.vendor)
    page = client.get(url).content.decode()
    assert project.code in page
    assert "街道社区服务中心临时承接。" in page
    # the vendor sees the decision but not the form
    client.force_login(personas.vendor)
    page = client.get(url).content.decode()
    assert 'id="eliminate-form"' not in page


def test_the_list_exports_as_xlsx(draft, personas, client):
    alist = _publish(draft, personas)
    r = client.get(reverse("admission:detail", args=[alist.pk]) + "?export=xlsx")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "承接组织"
    assert rows[1][0] == alist.entries.get().vendor.name
    assert rows[1][4] == "淘汰"


def test_the_list_reads_in_english_when_chosen(draft, personas, client):
    alist = _publish(draft, personas)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("admission:detail", args=[alist.pk])).content.decode()
    assert "Purpose of the list" in page
    assert "名单的用途" not in page
    assert "PM-12" in page


def test_the_objection_form_closes_with_its_window(draft, personas, client):
    alist = adm.admission_list_publicise(
        actor=personas.admin, admission_list=draft, on=timezone.localdate()
    )
    url = reverse("admission:entry", args=[alist.entries.get().pk])
    client.force_login(personas.vendor)
    assert 'name="action" value="object"' in client.get(url).content.decode()
    AdmissionList.objects.filter(pk=alist.pk).update(
        publicity_end=timezone.localdate() - dt.timedelta(days=1)
    )
    assert 'name="action" value="object"' not in client.get(url).content.decode()
