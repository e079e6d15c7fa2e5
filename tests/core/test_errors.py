"""One error vocabulary: DomainError codes map to 400/403/404/409 once for the API
and once for HTML; unknown API URLs and server errors keep the API's shape."""

import json

import pytest
from django.test import RequestFactory

from core.api import exception_handler
from core.exceptions import (
    Conflict,
    NotFound,
    NotPermitted,
    StaleWrite,
    TransitionNotAllowed,
    ValidationFailed,
)
from core.views import server_error


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (ValidationFailed(fields={"year": ["bad"]}), 400, "invalid"),
        (NotPermitted(), 403, "permission_denied"),
        (NotFound(), 404, "not_found"),
        (Conflict(), 409, "conflict"),
        (TransitionNotAllowed(), 409, "transition_not_allowed"),
        (StaleWrite(), 409, "stale_write"),
    ],
)
def test_domain_errors_map_to_status_and_stable_code(exc, status, code):
    response = exception_handler(exc, {})
    assert response.status_code == status
    assert response.data["code"] == code
    assert set(response.data) == {"code", "detail", "fields"}


def test_unknown_api_url_answers_in_the_error_shape(personas, api):
    response = api(personas.officer).get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_unknown_page_answers_with_a_chinese_page(personas, web):
    response = web(personas.officer).get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_api_server_error_keeps_the_shape():
    response = server_error(RequestFactory().get("/api/v1/catalogue/items/"))
    assert response.status_code == 500
    assert json.loads(response.content)["code"] == "server_error"


def test_conflict_in_html_shows_the_reason_with_status_409(personas, catalogue, web):
    # the published version cannot take new items: the page says why
    response = web(personas.officer).post(
        f"/catalogue/versions/{catalogue.published.pk}/items/new/", {}
    )
    assert response.status_code == 403  # the predicate refuses before the form is read
    assert "只有草稿可以修改" in response.content.decode()


@pytest.mark.parametrize(
    ("code", "error", "status"),
    [
        ("permission_denied", "NotPermitted", 403),
        ("transition_not_allowed", "TransitionNotAllowed", 409),
        ("empty_catalogue", "Conflict", 409),
    ],
)
def test_a_refusal_raises_the_error_its_code_stands_for(code, error, status):
    from core.decisions import ALLOW, deny
    from core.exceptions import DomainError

    # an allowed decision raises nothing
    ALLOW.raise_if_denied()
    # a refusal raises its own error, status and code, with the reason
    with pytest.raises(DomainError) as exc:
        deny("不行", code=code).raise_if_denied()
    assert type(exc.value).__name__ == error
    assert exc.value.status_code == status
    assert exc.value.code == code
    assert str(exc.value.message) == "不行"
