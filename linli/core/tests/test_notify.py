"""Notifications: in-app rows at once, SMS and email only once the transaction commits."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail

from linli.accounts.models import User
from linli.core import outbox
from linli.core.models import Notification, OutboxMessage
from linli.core.notify import notify
from linli.core.outbox import emit, relay_pending

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return [
        User.objects.create_user(phone="13800000011", name="甲", email="jia@example.org"),
        User.objects.create_user(phone="13800000012", name="乙"),
        User.objects.create_user(phone="13800000013", name="丙", email="bing@example.org"),
    ]


def test_in_app_notifications_in_one_insert(people, django_assert_num_queries):
    with django_assert_num_queries(1):
        created = notify(people, "cases.dispatched", "新的派遣：2026-000001", body="路灯不亮", url="/cases/2026-000001/")
    assert len(created) == 3
    row = Notification.objects.get(user=people[1])
    assert (row.topic, row.title, row.body, row.url, row.read_at) == (
        "cases.dispatched", "新的派遣：2026-000001", "路灯不亮", "/cases/2026-000001/", None
    )


def test_recipients_are_deduplicated_and_inactive_users_skipped(people):
    people[2].is_active = False
    people[2].save()
    notify([people[0], people[0], None, people[1].pk, people[2]], "t", "title")
    assert sorted(Notification.objects.values_list("user__phone", flat=True)) == ["13800000011", "13800000012"]
    assert notify([], "t", "title") == []
    notify(people[0], "t", "one person")  # a single user is fine too
    assert Notification.objects.filter(title="one person").count() == 1


def test_long_title_is_cut_to_fit(people):
    notify(people[:1], "t", "长" * 500)
    assert len(Notification.objects.get().title) == 200


def test_sms_and_email_leave_only_after_commit(people, sms_outbox, settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://linli.example.org"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(people, "cases.overdue", "诉求已超期", body="请尽快处理", url="/cases/2026-000002/",
               sms=("case_overdue", {"number": "2026-000002"}), email=True)
        assert sms_outbox == [] and mail.outbox == []
    for callback in callbacks:
        callback()
    assert sorted(phone for phone, *_ in sms_outbox) == ["13800000011", "13800000012", "13800000013"]
    assert sms_outbox[0][1:] == ("case_overdue", {"number": "2026-000002"})
    assert sorted(message.to[0] for message in mail.outbox) == ["bing@example.org", "jia@example.org"]
    assert all(len(message.to) == 1 for message in mail.outbox)  # nobody sees the other addresses
    assert mail.outbox[0].subject == "诉求已超期"
    assert "https://linli.example.org/cases/2026-000002/" in mail.outbox[0].body


def test_without_sms_or_email_nothing_leaves(people, sms_outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(people, "t", "only in the app")
    assert sms_outbox == [] and mail.outbox == []


def test_a_failing_mail_server_does_not_break_the_caller(people, settings, django_capture_on_commit_callbacks, caplog):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 1  # nothing listens
    with caplog.at_level("ERROR", logger="linli.core.notify"):
        with django_capture_on_commit_callbacks(execute=True):
            notify(people, "t", "hello", email=True)
    assert "Email to 2 recipients failed" in caplog.text
    assert Notification.objects.count() == 3


def test_in_an_outbox_handler_a_failure_sends_nothing_and_a_retry_sends_once(
    people, sms_outbox, django_capture_on_commit_callbacks
):
    state = {"fail": True}

    def handler(message):
        notify(people[:1], message.topic, "已派遣", sms=("case_supervised", {"number": "2026-000001"}))
        if state["fail"]:
            raise RuntimeError("later step failed")

    outbox.register("notifytest.", handler)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            emit("notifytest.dispatched", {})
        assert not Notification.objects.exists() and sms_outbox == []
        state["fail"] = False
        OutboxMessage.objects.update(next_attempt_at=None)
        with django_capture_on_commit_callbacks(execute=True):
            assert relay_pending() == 1
    finally:
        outbox.unregister("notifytest.", handler)
    assert Notification.objects.count() == 1
    assert sms_outbox == [("13800000011", "case_supervised", {"number": "2026-000001"})]


EMAIL_CASES = [
    (
        "smtp+tls://bot%40example.org:s3cret@mail.example.org:2525",
        "smtp mail.example.org 2525 bot@example.org s3cret True False",
    ),
    ("smtps://mail.example.org", "smtp mail.example.org 465   False True"),
    ("", "dummy"),
]

# Reads the settings module afresh for each EMAIL_URL, in a separate interpreter.
EMAIL_PROBE = """
import importlib, os, sys
for url in sys.argv[1:]:
    os.environ["EMAIL_URL"] = url
    import config.settings as s
    s = importlib.reload(s)
    kind = s.EMAIL_BACKEND.split(".")[-2]
    values = [kind, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, s.EMAIL_HOST_PASSWORD, s.EMAIL_USE_TLS, s.EMAIL_USE_SSL]
    print(kind if kind != "smtp" else " ".join(map(str, values)))
"""


def test_email_settings_come_from_email_url():
    env = {**os.environ, "SECRET_KEY": "x", "DEBUG": "0"}
    result = subprocess.run(
        [sys.executable, "-c", EMAIL_PROBE, *(url for url, _ in EMAIL_CASES)],
        env=env, capture_output=True, text=True, cwd=Path(__file__).resolve().parents[3], check=True,
    )
    assert result.stdout.splitlines() == [expected for _, expected in EMAIL_CASES]
