"""One error body for every way a request can fail: JSON `{"code", "message", "fields"?}`,
`message` in the request's language (Chinese by default, English with Accept-Language: en),
never an HTML page and never a server error."""

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from linli.accounts.actions import do_issue_token
from linli.cases.models import Case

CASES = "/api/cases/"


def translated(message, language):
    with translation.override(language):
        return str(translation.gettext(message))


def signed_in(user, **kwargs):
    client = APIClient(**kwargs)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {do_issue_token(user)}")
    return client


def error_of(response, status, code):
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert body["code"] == code, body
    assert isinstance(body["message"], str) and body["message"], body
    assert set(body) <= {"code", "message", "fields", "allowed_actions"}, body
    return body


def in_both_languages(send, status, code):
    """The error sent twice, in Chinese (the default) and in English: (Chinese body, English body)."""
    chinese = error_of(send({}), status, code)
    english = error_of(send({"HTTP_ACCEPT_LANGUAGE": "en"}), status, code)
    return chinese, english


@pytest.fixture
def resident(personas, categories):
    return signed_in(personas.resident)


@pytest.fixture
def good_report(tree):
    from linli.cases.testing import center_of

    lat, lng = center_of(tree.grid_a1)
    return {"category": "public-facilities", "description": "路灯不亮", "lat": lat, "lng": lng}


# -- 400: invalid input, with `fields` ----------------------------------------------------------


def test_invalid_input_names_the_fields_in_both_languages(resident, good_report):
    chinese, english = in_both_languages(
        lambda lang: resident.post(CASES, {**good_report, "lat": "north", "coord_system": "bd09"}, format="json", **lang),
        400, "invalid",
    )
    assert set(english["fields"]) == {"lat", "coord_system"}
    assert english["fields"]["lat"] == ["A valid number is required."]
    assert chinese["fields"]["lat"] == ["请填写合法的数字。"]
    assert english["message"] == "The request contains invalid data."
    assert chinese["message"] == translated("The request contains invalid data.", "zh-hans")
    assert not Case.objects.exists()


def test_an_action_error_names_its_field(personas, case_at):
    case = case_at("reported")
    chinese, english = in_both_languages(
        lambda lang: signed_in(personas.street_dispatcher).post(
            f"{CASES}{case.number}/actions/", {"action": "reject", "reason": ""}, format="json", **lang
        ),
        400, "reason_required",
    )
    assert list(english["fields"]) == ["reason"] and english["fields"]["reason"] == [english["message"]]
    assert chinese["message"] != english["message"]


@pytest.mark.parametrize("body", ["[]", '["a", "b"]', '"a string"', "1", "null", "true"])
def test_a_body_that_is_not_an_object_is_invalid(resident, body):
    response = resident.post(CASES, body, content_type="application/json")
    error = error_of(response, 400, "invalid")
    assert list(error["fields"]) == ["non_field_errors"], error


@pytest.mark.parametrize(
    "body",
    [b"{not json", b'{"category": "\xff\xfe"}', b"\xef\xbb\xbf{}" * 0 + b'{"a": 1,}', b"\x00\x00", b'{"a": NaN'],
)
def test_malformed_json_and_invalid_utf8_are_parse_errors(resident, body):
    english = error_of(resident.post(CASES, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"),
                       400, "parse_error")
    assert english["message"] == "The request body could not be read. Send well-formed JSON."
    chinese = error_of(resident.post(CASES, body, content_type="application/json"), 400, "parse_error")
    assert chinese["message"] == translated("The request body could not be read. Send well-formed JSON.", "zh-hans")


@pytest.mark.parametrize(
    "field, value",
    [
        ("lat", 10**400),
        ("description", "a\x00b"),
        ("category", "\x00"),
        ("category", "x" * 100_000),
        ("description", "长" * 100_000),
        ("reporter_phone", "1" * 10_000),
        ("show_reporter_name", 10**30),
    ],
)
def test_huge_numbers_nul_bytes_and_overlong_strings_are_client_errors(resident, good_report, field, value):
    response = resident.post(CASES, {**good_report, field: value}, format="json")
    body = error_of(response, 400, response.json().get("code"))
    assert field in body.get("fields", {}), body
    assert not Case.objects.exists()


def test_numbers_json_parses_to_infinity_are_invalid(resident, good_report):
    for number in ("1e309", "-1e309"):
        body = '{"category": "public-facilities", "description": "x", "lat": %s, "lng": 118.1}' % number
        assert "lat" in error_of(resident.post(CASES, body, content_type="application/json"), 400, "invalid")["fields"]


def test_huge_ids_and_nul_bytes_in_queries_and_action_parameters(personas, case_at):
    case = case_at("accepted")
    dispatcher = signed_in(personas.street_dispatcher)
    response = dispatcher.post(f"{CASES}{case.number}/actions/", {"action": "dispatch", "unit": 10**30}, format="json")
    assert "unit" in error_of(response, 400, "invalid")["fields"]
    for query in ({"q": "\x00"}, {"category": "a\x00"}, {"page_size": 10**30}, {"cursor": "\x00"}, {"area": "9" * 400}):
        response = dispatcher.get(CASES, query)
        assert response.status_code in (200, 400), (query, response.status_code)
        if response.status_code == 400:
            error_of(response, 400, "invalid")


def test_a_forged_cursor_is_invalid_input_not_a_server_error(personas, case_at):
    import base64

    case_at("reported")
    dispatcher = signed_in(personas.street_dispatcher)
    for raw in ("p=abc", "p=99999999999999999999999", "o=-1", "r=x"):
        cursor = base64.b64encode(raw.encode()).decode()
        assert "cursor" in error_of(dispatcher.get(CASES, {"cursor": cursor}), 400, "invalid")["fields"], raw
    assert "cursor" in error_of(dispatcher.get(CASES, {"cursor": "not base64!"}), 400, "invalid")["fields"]


def test_a_page_past_the_end_is_invalid_input(personas):
    response = signed_in(personas.street_dispatcher).get("/api/v1/areas/", {"page": 999})
    assert "page" in error_of(response, 400, "invalid")["fields"]


def test_invalid_utf8_in_the_query_string_is_no_server_error(personas):
    client = signed_in(personas.street_dispatcher)
    for path in (f"{CASES}?q=%FF%FE", f"{CASES}?category=%C0%AF", "/api/v1/areas/?q=%ED%A0%80"):
        assert client.get(path).status_code in (200, 400), path


def test_too_many_form_fields_is_a_json_400_not_djangos_page(resident, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    body = "&".join(f"f{i}=x" for i in range(50))
    english = error_of(resident.post(CASES, body, content_type="application/x-www-form-urlencoded",
                                     HTTP_ACCEPT_LANGUAGE="en"), 400, "bad_request")
    assert english["message"] == "The request could not be read."


def test_a_body_past_the_upload_limit_is_a_json_400(resident, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = resident.post(CASES, '{"description": "%s"}' % ("x" * 5000), content_type="application/json")
    chinese = error_of(response, 400, "bad_request")
    assert chinese["message"] == translated("The request could not be read.", "zh-hans")


# -- 401, 403, 404, 405, 406, 409, 415 ----------------------------------------------------------


def test_not_signed_in_is_401(db):
    chinese, english = in_both_languages(lambda lang: APIClient().get(CASES, **lang), 401, "not_authenticated")
    assert english["message"] == "Authentication credentials were not provided."
    assert chinese["message"] == "身份认证信息未提供。"


def test_a_revoked_or_unknown_token_is_401(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert error_of(client.get("/api/v1/me/"), 401, client.get("/api/v1/me/").json()["code"])["code"]


def test_a_session_call_without_its_csrf_token_is_a_json_403(personas, good_report, categories):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(personas.resident)
    chinese, english = in_both_languages(lambda lang: client.post(CASES, good_report, format="json", **lang), 403,
                                         "csrf_failed")
    assert english["message"] == "The CSRF check failed. Reload the page and try again."
    assert chinese["message"] == translated("The CSRF check failed. Reload the page and try again.", "zh-hans")
    # Outside DRF (the catch-all of unknown paths) the same: JSON, not Django's HTML page.
    response = client.post("/api/v1/no-such-thing/", {}, format="json")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_someone_elses_case_is_404(personas, case_at):
    case = case_at("reported")
    chinese, english = in_both_languages(
        lambda lang: signed_in(personas.other_street_dispatcher).post(
            f"{CASES}{case.number}/actions/", {"action": "accept"}, format="json", **lang
        ),
        404, "not_found",
    )
    assert english["message"] == "Not found." and chinese["message"] == "未找到。"


@pytest.mark.parametrize("path", ["/api/nothing-here/", "/api/v1/nothing/here/", "/api/cases/x/y/z/"])
@pytest.mark.parametrize("method", ["get", "post", "put", "delete"])
def test_unknown_paths_are_json_404_for_every_method(db, path, method):
    error_of(getattr(APIClient(), method)(path), 404, "not_found")


def test_a_method_the_endpoint_does_not_have_is_405(resident):
    chinese, english = in_both_languages(lambda lang: resident.put(CASES, {}, format="json", **lang), 405,
                                         "method_not_allowed")
    assert english["message"] == 'Method "PUT" not allowed.'
    assert chinese["message"] != english["message"]
    error_of(resident.delete("/api/v1/me/"), 405, "method_not_allowed")


def test_asking_for_html_is_a_json_406(resident):
    chinese, english = in_both_languages(lambda lang: resident.get("/api/v1/me/", HTTP_ACCEPT="text/html", **lang),
                                         406, "not_acceptable")
    assert english["message"] == "Could not satisfy the request Accept header."
    assert chinese["message"] != english["message"]


def test_an_action_in_the_wrong_state_is_409_with_the_allowed_actions(personas, case_at):
    case = case_at("reported")
    chinese, english = in_both_languages(
        lambda lang: signed_in(personas.street_dispatcher).post(
            f"{CASES}{case.number}/actions/", {"action": "close"}, format="json", **lang
        ),
        409, "action_not_allowed",
    )
    assert "accept" in english["allowed_actions"]
    assert english["message"] == "This action is not possible in the case's current state."
    assert chinese["message"] != english["message"]


def test_a_body_type_the_endpoint_does_not_read_is_415(resident):
    chinese, english = in_both_languages(
        lambda lang: resident.post(CASES, "category=x", content_type="text/plain", **lang), 415,
        "unsupported_media_type",
    )
    assert english["message"] == 'Unsupported media type "text/plain" in request.'
    assert chinese["message"] != english["message"]


# -- 500 ----------------------------------------------------------------------------------------


def test_a_server_error_on_an_api_path_is_json(personas, monkeypatch):
    from linli.cases import api

    def broken():
        raise RuntimeError("a bug")

    monkeypatch.setattr(api, "category_tree", broken)
    client = signed_in(personas.resident, raise_request_exception=False)
    chinese, english = in_both_languages(lambda lang: client.get("/api/categories/", **lang), 500, "server_error")
    assert english["message"] == "Something went wrong on our side."
    assert chinese["message"] == translated("Something went wrong on our side.", "zh-hans")
