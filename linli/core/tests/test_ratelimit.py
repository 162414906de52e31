"""Request budgets (linli.core.ratelimit): counted per window in the cache, 429 with
Retry-After and the API's error body when spent, whole again once the window is over."""

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from linli.cases.models import Case
from linli.cases.testing import center_of
from linli.core import ratelimit

CASES = "/api/cases/"

# The counters live in a database table when there is no Redis (settings.CACHES["ratelimit"]).
pytestmark = pytest.mark.django_db


def translated(message, seconds, language):
    with translation.override(language):
        return translation.ngettext(message, message.replace("second.", "seconds."), seconds) % {"seconds": seconds}


def test_a_budget_is_spent_then_whole_again_after_its_window(settings, clock):
    settings.RATE_LIMITS = {"test": (3, 60)}
    verdicts = [ratelimit.hit("test", "someone") for _ in range(4)]
    assert [v.allowed for v in verdicts] == [True, True, True, False]
    assert [v.count for v in verdicts] == [1, 2, 3, 4]
    assert 1 <= verdicts[-1].retry_after <= 60
    assert ratelimit.hit("test", "someone else").allowed  # budgets are per key
    assert not ratelimit.peek("test", "someone").allowed
    clock.advance(verdicts[-1].retry_after)
    assert ratelimit.peek("test", "someone").allowed
    assert ratelimit.hit("test", "someone").count == 1


def test_a_refund_gives_one_request_back(settings, clock):
    settings.RATE_LIMITS = {"test": (2, 60)}
    ratelimit.hit("test", "x")
    ratelimit.hit("test", "x")
    ratelimit.refund("test", "x")
    assert ratelimit.hit("test", "x").allowed
    assert not ratelimit.hit("test", "x").allowed


def test_the_client_address_honours_trusted_proxies_only(settings, rf):
    request = rf.get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="6.6.6.6, 1.2.3.4")
    assert ratelimit.client_ip(request) == "10.0.0.9"  # no proxy trusted: the header is the client's word
    settings.TRUSTED_PROXY_COUNT = 1
    assert ratelimit.client_ip(request) == "1.2.3.4"


def test_the_default_budgets_are_set_and_sane(settings):
    from django.conf import settings as live

    for scope in ("intake-user", "intake-ip", "login-ip", "login-phone"):
        requests, seconds = live.RATE_LIMITS[scope]
        assert requests >= 5 and 60 <= seconds <= 3600, scope
    assert live.RATE_LIMITS["intake-ip"][0] > live.RATE_LIMITS["intake-user"][0]  # many share one NAT


# -- intake: POST /api/cases/ --------------------------------------------------------------------


@pytest.fixture
def file_case(tree, categories):
    lat, lng = center_of(tree.grid_a1)

    def post(user, ip="10.0.0.1", **headers):
        client = APIClient()
        client.force_authenticate(user)
        body = {"category": "public-facilities", "description": "路灯不亮", "lat": lat, "lng": lng}
        return client.post(CASES, body, format="json", REMOTE_ADDR=ip, **headers)

    return post


def test_intake_per_user_answers_429_with_retry_after_until_the_window_is_over(settings, clock, personas, file_case):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "intake-user": (2, 60), "intake-ip": (100, 60)}
    assert [file_case(personas.resident).status_code for _ in range(2)] == [201, 201]
    refused = file_case(personas.resident, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 429
    wait = int(refused["Retry-After"])
    assert 1 <= wait <= 60
    assert refused.json() == {"code": "rate_limited", "message": translated(
        "Too many requests. Please try again in %(seconds)d second.", wait, "en")}
    assert refused.json()["message"] == f"Too many requests. Please try again in {wait} seconds." or wait == 1
    chinese = file_case(personas.resident)
    assert chinese.status_code == 429 and chinese.json()["message"] == translated(
        "Too many requests. Please try again in %(seconds)d second.", int(chinese["Retry-After"]), "zh-hans")
    assert Case.objects.count() == 2  # the refused reports filed nothing
    assert file_case(personas.grid_worker).status_code == 201  # another person's budget
    clock.advance(wait)
    assert file_case(personas.resident).status_code == 201


def test_intake_per_address_counts_everyone_behind_it(settings, clock, personas, file_case):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "intake-user": (100, 60), "intake-ip": (3, 60)}
    people = [personas.resident, personas.grid_worker, personas.outsider]
    assert [file_case(person, ip="10.9.9.9").status_code for person in people] == [201, 201, 201]
    refused = file_case(personas.community_staff, ip="10.9.9.9")
    assert refused.status_code == 429 and refused.json()["code"] == "rate_limited" and refused["Retry-After"]
    assert file_case(personas.community_staff, ip="10.9.9.10").status_code == 201
    clock.advance(61)
    assert file_case(personas.community_staff, ip="10.9.9.9").status_code == 201


def test_reading_and_acting_do_not_spend_the_intake_budget(settings, personas, file_case):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "intake-user": (1, 60)}
    client = APIClient()
    client.force_authenticate(personas.resident)
    for _ in range(5):
        assert client.get(CASES).status_code == 200
    assert file_case(personas.resident).status_code == 201


def test_the_schema_documents_429_and_retry_after_on_intake(db):
    schema = APIClient().get("/api/schema/?format=json").json()
    refused = schema["paths"]["/api/cases/"]["post"]["responses"]["429"]
    assert refused["content"]["application/json"]["schema"]["$ref"].endswith("/ApiError")
    assert "Retry-After" in refused["headers"]
    login = schema["paths"]["/api/v1/auth/login/"]["post"]["responses"]["429"]
    assert "Retry-After" in login["headers"]


def test_a_store_that_cannot_be_reached_is_replaced_by_the_database_table(monkeypatch, caplog):
    """Decided (sign-in budgets above all): a down Redis neither switches the limits off nor
    refuses everyone; the budgets are counted in the shared database table meanwhile."""
    def down(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(ratelimit.caches[ratelimit.CACHE_ALIAS], "add", down)
    limit, _seconds = ratelimit.budget("intake-user")
    verdicts = [ratelimit.hit("intake-user", "user:1") for _ in range(limit + 1)]
    assert [v.count for v in verdicts] == list(range(1, limit + 2))
    assert verdicts[-1].allowed is False  # the limit holds
    assert "counted in the database" in caplog.text


def test_a_per_call_limit_replaces_the_scopes():
    verdicts = [ratelimit.hit("open311-key", "key:1", limit=2).allowed for _ in range(3)]
    assert verdicts == [True, True, False]
