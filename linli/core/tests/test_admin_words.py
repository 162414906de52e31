"""The back office reads in Chinese: every list page's captions and column headings are translated
(codes, topics and third-party audit entries aside), and /favicon.ico is the app's icon."""

import re

import pytest
from django.contrib import admin

pytestmark = pytest.mark.django_db

# Shown as data, not words: message topics, codes, the audit log's own field lists.
DATA = re.compile(r"^[a-z0-9_.\-]+$|^[A-Z]{2,}[\-\d]+|changes:|^Correlation ID$|^&[lr]saquo;")


@pytest.fixture
def admin_client(client):
    from linli.accounts.models import User

    client.force_login(User.objects.create_superuser(phone="13700000009", name="管理员", password="x-very-long-pass"))
    return client


def test_every_admin_list_speaks_chinese(admin_client, personas, case_at):
    case_at("closed")  # rows in the case and event lists, the outbox, the notifications
    untranslated = {}
    for model in admin.site._registry:
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        response = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 200, url
        html = re.sub(r"<script.*?</script>|<style.*?</style>", "", response.content.decode(), flags=re.S)
        for line in re.sub(r"<[^>]+>", "\n", html).splitlines():
            line = line.strip()
            if re.search(r"[A-Za-z]{3,}", line) and not re.search(r"[\u4e00-\u9fff]", line) and not DATA.search(line):
                untranslated.setdefault(line, url)
    assert untranslated == {}


def test_the_favicon_is_served(client, admin_client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response.url.endswith("img/favicon.svg")
    admin_page = admin_client.get("/admin/").content.decode()
    assert "favicon.svg" in admin_page
