"""The back office: keys shown once and stored as a digest, revoked; questions with their values."""

import re

import pytest

from linli.accounts.models import User
from linli.open311.models import ApiKey, ServiceAttribute

from .support import errors_of, json_of, post


@pytest.fixture
def admin_client(client, db):
    client.force_login(User.objects.create_superuser(phone="13700000009", name="管理员", password="x-very-long-pass"))
    return client


def test_a_key_is_shown_once_stored_as_a_digest_and_revoked(admin_client, personas, form):
    response = admin_client.post("/admin/open311/apikey/add/", {
        "organization": personas.department.pk, "name": "网格通", "rate_per_minute": "30",
    }, follow=True)
    raw = re.search(r"o311_[A-Za-z0-9_-]{40,}", response.content.decode()).group(0)
    key = ApiKey.objects.get(name="网格通")
    assert key.digest == ApiKey.digest_of(raw) and raw not in (key.prefix, key.digest) and key.rate_per_minute == 30
    json_of(post(form(api_key=raw)), 201, "post_response")

    admin_client.post("/admin/open311/apikey/", {"action": "revoke", "_selected_action": [key.pk]})
    key.refresh_from_db()
    assert key.revoked_at is not None
    errors_of(post(form(api_key=raw)), 403)


def test_a_rate_of_zero_is_refused_by_the_form(admin_client, personas):
    response = admin_client.post("/admin/open311/apikey/add/", {
        "organization": personas.department.pk, "name": "x", "rate_per_minute": "0"})
    assert response.status_code == 200 and not ApiKey.objects.exists()


def test_questions_take_their_values_as_key_equals_name_lines(admin_client, categories):
    fields = {"category": categories.greenery.pk, "code": "tree_kind", "description": "树种", "datatype":
              "singlevaluelist", "order": "1", "values_text": "banyan=榕树\nphoenix=凤凰木\n", "variable": "on"}
    response = admin_client.post("/admin/open311/serviceattribute/add/", fields)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ServiceAttribute.objects.get().values == [{"key": "banyan", "name": "榕树"}, {"key": "phoenix", "name": "凤凰木"}]


@pytest.mark.parametrize("datatype, values_text", [
    ("singlevaluelist", ""),  # a list without values
    ("multivaluelist", "a=甲\na=乙"),  # the same key twice
    ("number", "a=甲"),  # values on a number
])
def test_values_that_do_not_fit_the_datatype_are_refused(admin_client, categories, datatype, values_text):
    fields = {"category": categories.greenery.pk, "code": "q", "description": "问题", "datatype": datatype,
              "order": "1", "values_text": values_text}
    response = admin_client.post("/admin/open311/serviceattribute/add/", fields)
    assert response.status_code == 200 and not ServiceAttribute.objects.exists()
