"""No input produces a server error: junk query strings and bodies get 200/400/404."""

import pytest
from django.urls import reverse

JUNK_QUERIES = [
    "?page=abc",
    "?page=-1",
    "?page=99999",
    "?domain=ZZZ",
    "?outsource_scope=nope",
    "?version=abc",
    "?version=999999",
    "?q=" + "%F0%9F%98%80" * 50,
    "?kind=planet",
    "?parent=x",
    "?on=2025-13-45",
    "?key=%00",
    "?against=abc",
    "?against=999999",
    "?file_format=pdf",
]


@pytest.mark.parametrize("query", JUNK_QUERIES)
def test_lists_never_fail_on_junk_queries(query, personas, catalogue, web, api):
    pages = [
        (
            web(personas.officer),
            reverse("catalogue:version-detail", args=[catalogue.published.pk]),
        ),
        (
            web(personas.officer),
            reverse("catalogue:version-diff", args=[catalogue.draft.pk]),
        ),
        (web(personas.admin), reverse("accounts:organisation-list")),
        (web(personas.officer), reverse("catalogue:rule-list")),
        (api(personas.officer), reverse("api:catalogue-item-list")),
        (
            api(personas.officer),
            reverse("api:catalogue-version-diff", args=[catalogue.draft.pk]),
        ),
        (
            api(personas.officer),
            reverse("api:catalogue-version-export", args=[catalogue.published.pk]),
        ),
        (api(personas.admin), reverse("api:organisation-list")),
        (api(personas.officer), reverse("api:rule-parameter-resolve")),
        (api(personas.officer), reverse("api:working-days-list")),
    ]
    for client, url in pages:
        response = client.get(url + query)
        assert response.status_code in (200, 400, 404), (
            url + query,
            response.status_code,
        )


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"year": "abc"},
        {"year": 1800},
        {"year": None},
        {"year": 2015},
        {"title": "x" * 500, "year": 2040},
    ],
)
def test_draft_endpoint_answers_bad_bodies_with_field_errors(
    body, personas, catalogue, api
):
    response = api(personas.officer).post(
        reverse("api:catalogue-version-draft", args=[catalogue.published.pk]),
        body,
        format="json",
    )
    assert response.status_code == 400
    data = response.json()
    assert data["code"] == "invalid"
    assert set(data["fields"]) <= {"year", "title"}
    assert data["fields"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"code": "A03-99", "reference_price": "-1"},
        {"code": "bad", "domain": "A99", "outsource_scope": "aux_only"},
        {"reference_price": "1.234"},
        {"allowed_steps": "acceptance"},
        {"annual_volume": -5},
    ],
)
def test_item_endpoint_answers_bad_bodies_with_field_errors(
    body, personas, catalogue, api
):
    from .factories import item_payload

    payload = {**item_payload(), "version": catalogue.draft.pk, **body} if body else {}
    response = api(personas.officer).post(
        reverse("api:catalogue-item-list"), payload, format="json"
    )
    assert response.status_code == 400, response.content
    assert response.json()["fields"]
    assert catalogue.draft.items.count() == 3


def test_html_item_form_keeps_input_and_names_the_field(personas, catalogue, web):
    from .factories import item_payload

    data = item_payload(
        outsource_scope="aux_only",
        matter_type="confirmation",
        deliverable="核发证书",
        allowed_steps=[],
    )
    response = web(personas.officer).post(
        reverse("catalogue:item-create", args=[catalogue.draft.pk]), data
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "必须列出可购买的辅助环节" in html
    assert "交付成果不能是审批、决定、证照或处罚本身" in html
    assert (
        'value="困难群众主动发现与巡访探视"' in html
    )  # what the user typed is still there
    assert catalogue.draft.items.count() == 3
