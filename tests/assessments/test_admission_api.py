"""/api/v1/admission-list/: public reads of publicised and published lists, one POST
per transition, errors by field, objections kept between the district and the
organisation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

import assessments.admission as adm
from assessments.models import AdmissionList
from procurement.models import ProcurementProject
from tests.assessments.test_admission import YEAR, _graded
from tests.contracts.conftest import *  # noqa: F403

pytestmark = pytest.mark.django_db

BASE = "/api/v1/admission-list/"


def _rows(body):
    return body["results"] if isinstance(body, dict) else body


@pytest.fixture
def graded(rnd, personas, orgs):
    return _graded(rnd, personas, orgs, 50)


def test_the_whole_lifecycle_over_rest(graded, personas, orgs, api):
    admin, vendor = api(personas.admin), api(personas.vendor)
    r = admin.post(BASE, {"district": orgs.d1.pk, "year": YEAR}, format="json")
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    (entry,) = r.json()["entries"]
    assert entry["proposed"] == "eliminate"
    assert r.json()["status"] == "draft"
    # publicise, then the organisation objects
    assert admin.post(f"{BASE}{pk}/publicise/").status_code == 200
    r = vendor.post(f"{BASE}entries/{entry['id']}/object/", {"text": ""}, format="json")
    assert r.status_code == 400
    assert "text" in r.json()["fields"]
    r = vendor.post(
        f"{BASE}entries/{entry['id']}/object/",
        {"text": "评价样本不足。"},
        format="json",
    )
    assert r.status_code == 201
    assert r.json()["kind"] == "objection"
    # publishing now: refused (publicity running), by state
    assert admin.post(f"{BASE}{pk}/publish/").status_code == 409
    r = admin.post(
        f"{BASE}entries/{entry['id']}/decide/",
        {"upheld": False, "decision": "样本符合方案要求。"},
        format="json",
    )
    assert r.status_code == 200
    assert r.json()["status"] == "rejected"
    AdmissionList.objects.filter(pk=pk).update(
        publicity_end=timezone.localdate() - dt.timedelta(days=1)
    )
    r = admin.post(f"{BASE}{pk}/publish/")
    assert r.status_code == 200
    assert r.json()["status"] == "published"
    # the elimination drafts the re-tender
    r = admin.post(
        f"{BASE}entries/{entry['id']}/eliminate/",
        {"ending": "expire", "interim_arrangement": "原组织服务至合同到期。"},
        format="json",
    )
    assert r.status_code == 200, r.content
    (retender,) = r.json()["retenders"]
    assert ProcurementProject.objects.get(
        pk=retender["id"]
    ).replaces_contract_of_id == (graded.vendor_id)


def test_the_published_list_is_public_without_objection_texts(
    graded, personas, orgs, api
):
    public = api(None)
    alist = adm.admission_list_build(actor=personas.admin, district=orgs.d1, year=YEAR)
    # a draft: nobody outside the district sees it
    assert alist.pk not in [row["id"] for row in _rows(public.get(BASE).json())]
    assert public.get(f"{BASE}{alist.pk}/").status_code == 404
    assert api(personas.vendor).get(f"{BASE}{alist.pk}/").status_code == 404
    assert api(personas.officer).get(f"{BASE}{alist.pk}/").status_code == 200
    alist = adm.admission_list_publicise(
        actor=personas.admin, admission_list=alist, on=timezone.localdate()
    )
    entry = alist.entries.get()
    adm.admission_entry_object(
        actor=personas.vendor, entry=entry, text="内部理由", on=timezone.localdate()
    )
    assert alist.pk in [row["id"] for row in _rows(public.get(BASE).json())]
    r = public.get(f"{BASE}{alist.pk}/")
    assert r.status_code == 200
    (row,) = r.json()["entries"]
    assert row["proposed"] == "eliminate"
    assert row["objections"] == []  # the public does not read the objection
    (row,) = api(personas.vendor).get(f"{BASE}{alist.pk}/").json()["entries"]
    assert row["objections"][0]["text"] == "内部理由"


def test_writes_need_the_districts_administrator(graded, personas, orgs, api):
    r = api(None).post(BASE, {"district": orgs.d1.pk, "year": YEAR}, format="json")
    assert r.status_code in (401, 403)
    r = api(personas.officer).post(
        BASE, {"district": orgs.d1.pk, "year": YEAR}, format="json"
    )
    assert r.status_code == 403
    r = api(personas.admin).post(
        BASE, {"district": "x", "year": "二〇二六"}, format="json"
    )
    assert r.status_code == 400
    assert {"district", "year"} <= set(r.json()["fields"])
    assert not AdmissionList.objects.exists()
