"""A retried report is filed once: the same Idempotency-Key and body answer the first result
again, another body with the key is a 422; on the API, the 随手拍 page, service orders and Open311."""

import threading
import uuid

import pytest
from django.db import connections
from django.urls import reverse

from linli.cases.models import Case
from linli.core.idempotency import REPLAYED
from linli.core.models import IdempotencyRecord

from .api_support import CASES, client_for, jpeg, report_body


def key():
    return uuid.uuid4().hex


@pytest.mark.django_db
def test_the_same_key_twice_files_one_case_and_answers_the_same_body(personas, categories):
    client, same = client_for(personas.resident), key()
    first = client.post(CASES, report_body(), format="json", HTTP_IDEMPOTENCY_KEY=same)
    again = client.post(CASES, report_body(), format="json", HTTP_IDEMPOTENCY_KEY=same)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json() and again["Location"] == first["Location"]
    assert again[REPLAYED] == "true" and REPLAYED not in first
    assert Case.objects.count() == 1
    other = client.post(CASES, report_body(description="路灯不亮"), format="json", HTTP_IDEMPOTENCY_KEY=same)
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert Case.objects.count() == 1
    # Without a key, or with a new one, each report is its own.
    assert client.post(CASES, report_body(), format="json").status_code == 201
    assert client.post(CASES, report_body(), format="json", HTTP_IDEMPOTENCY_KEY=key()).status_code == 201
    assert Case.objects.count() == 3


@pytest.mark.django_db
def test_photos_resent_in_a_new_multipart_body_are_the_same_request(personas, categories):
    client, same = client_for(personas.resident), key()
    answers = [client.post(CASES, {**report_body(), "photos": [jpeg("a.jpg")]}, format="multipart",
                           HTTP_IDEMPOTENCY_KEY=same) for _ in range(2)]
    assert [a.status_code for a in answers] == [201, 201] and Case.objects.count() == 1
    another_photo = client.post(CASES, {**report_body(), "photos": [jpeg("a.jpg", color=(0, 0, 0))]},
                                format="multipart", HTTP_IDEMPOTENCY_KEY=same)
    assert another_photo.status_code == 422


@pytest.mark.django_db
def test_keys_are_per_person_and_a_failed_request_frees_its_key(personas, categories):
    same = key()
    bad = client_for(personas.resident).post(CASES, report_body(category="nothing"), format="json",
                                             HTTP_IDEMPOTENCY_KEY=same)
    assert bad.status_code == 400 and not IdempotencyRecord.objects.exists()
    fixed = client_for(personas.resident).post(CASES, report_body(), format="json", HTTP_IDEMPOTENCY_KEY=same)
    assert fixed.status_code == 201 and REPLAYED not in fixed
    neighbour = client_for(personas.outsider).post(CASES, report_body(), format="json", HTTP_IDEMPOTENCY_KEY=same)
    assert neighbour.status_code == 201 and REPLAYED not in neighbour  # not the resident's answer
    assert Case.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["x" * 256, "键", "a b"])
def test_a_key_that_cannot_be_a_key_is_400(personas, categories, bad):
    response = client_for(personas.resident).post(CASES, report_body(), format="json",
                                                  HTTP_IDEMPOTENCY_KEY=bad.encode().decode("latin-1"))
    assert response.status_code == 400 and response.json()["code"] == "invalid_idempotency_key"
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_keys_are_forgotten_after_24_hours(personas, categories, clock):
    client, same = client_for(personas.resident), key()
    client.post(CASES, report_body(), format="json", HTTP_IDEMPOTENCY_KEY=same)
    clock.advance(hours=25)
    from linli.core.tasks import purge_idempotency_keys

    assert purge_idempotency_keys() == 1
    assert client.post(CASES, report_body(), format="json", HTTP_IDEMPOTENCY_KEY=same).status_code == 201
    assert Case.objects.count() == 2


@pytest.mark.django_db
def test_a_double_tap_on_the_report_page_files_one_case(client, personas, categories):
    client.force_login(personas.resident)
    page = client.get(reverse("cases:report")).content.decode()
    field = 'name="idempotency_key" value="'
    form_key = page.split(field, 1)[1].split('"', 1)[0]
    assert len(form_key) == 32 and client.get(reverse("cases:report")).content.decode().count(form_key) == 0

    def form(**changes):  # the browser sends the photo again with each send
        return {"category": str(categories.manhole.pk), "description": "井盖松动，有安全隐患", "lat": "24.471",
                "lng": "118.101", "idempotency_key": form_key, "photos": [jpeg()], **changes}

    first, second = client.post(reverse("cases:report"), form()), client.post(reverse("cases:report"), form())
    case = Case.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == reverse("cases:detail", args=[case.number])
    # The page sent again with other words under the same key: back to a fresh form, nothing filed.
    changed = client.post(reverse("cases:report"), form(description="路灯不亮"))
    assert changed.status_code == 302 and changed["Location"] == reverse("cases:report")
    assert Case.objects.count() == 1


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_sends_at_once_with_one_key_file_one_case(personas, categories):
    same, barrier, answers = key(), threading.Barrier(2), []

    def send():
        try:
            client = client_for(personas.resident)
            barrier.wait(timeout=10)
            answers.append(client.post(CASES, report_body(), format="json", HTTP_IDEMPOTENCY_KEY=same))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(a.status_code for a in answers) == [201, 201]
    assert answers[0].json() == answers[1].json() and Case.objects.count() == 1
