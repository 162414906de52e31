"""On-site verification takes photos like resolution does (same media rules), in the page and the
API, and the case page shows the before (report) and after (fix, on-site check) photos side by side."""

import re

import pytest
from django.urls import reverse

from linli.cases.actions import perform
from linli.cases.choices import MAX_EVIDENCE_PHOTOS, Action, CaseStatus
from linli.cases.errors import CaseError
from linli.cases.models import CaseEvent, CasePhoto

from .api_support import act, jpeg, not_an_image, ok

pytestmark = pytest.mark.django_db


def test_verify_keeps_its_photos_on_its_event(case_at, personas, photo_file):
    case = case_at(CaseStatus.RESOLVED)
    case = perform(personas.grid_worker, case, "verify", note="现场已修好", photos=[photo_file(), photo_file()])
    assert case.status == CaseStatus.VERIFIED
    event = CaseEvent.objects.filter(case=case).latest("id")
    assert event.action == Action.VERIFY
    assert CasePhoto.objects.filter(case=case, event=event).count() == 2


def test_verify_without_photos_still_works(case_at, personas):
    # a dispatcher may confirm from the desk; photos are optional
    case = perform(personas.street_dispatcher, case_at(CaseStatus.RESOLVED), "verify")
    assert case.status == CaseStatus.VERIFIED


def test_verify_photos_follow_the_media_rules(case_at, personas, photo_file):
    case = case_at(CaseStatus.RESOLVED)
    with pytest.raises(CaseError) as bad:
        perform(personas.grid_worker, case, "verify", photos=[not_an_image()])
    assert bad.value.field == "photos"
    with pytest.raises(CaseError) as many:
        perform(personas.grid_worker, case, "verify", photos=[photo_file()] * (MAX_EVIDENCE_PHOTOS + 1))
    assert many.value.code == "too_many_photos"
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED


def test_api_verify_with_photos(case_at, personas):
    case = case_at(CaseStatus.RESOLVED)
    body = ok(act(personas.grid_worker, case.number, "verify", fmt="multipart", note="现场已修好",
                  photos=[jpeg("site.jpg")]))
    assert body["status"] == "verified"
    verify_event = body["timeline"][-1]
    assert verify_event["action"] == "verify"
    assert [photo["event"] for photo in body["photos"]].count(verify_event["id"]) == 1
    # a file that is not a photo is the API's 400 on the photos field
    other = case_at(CaseStatus.RESOLVED)
    response = act(personas.grid_worker, other.number, "verify", fmt="multipart", photos=[not_an_image()])
    assert response.status_code == 400 and response.json()["fields"].keys() == {"photos"}


def test_page_verify_with_a_photo_and_before_after(client, case_at, personas, photo_file):
    case = case_at(CaseStatus.RESOLVED)
    client.force_login(personas.grid_worker)
    url = reverse("cases:detail", args=[case.number])
    page = client.get(url).content.decode()
    form = re.search(r'<form[^>]*cases/[^"]*/verify/[^>]*>', page) or re.search(r'<form[^>]*verify[^>]*>', page)
    assert form and 'enctype="multipart/form-data"' in form.group(0)
    assert 'data-testid="verify-photos"' in page

    response = client.post(reverse("cases:act", args=[case.number, "verify"]),
                           {"verify-note": "现场已修复", "verify-photos": [photo_file("site.jpg")]})
    assert response.status_code == 302
    check = CasePhoto.objects.filter(case=case, event__action=Action.VERIFY)
    assert check.count() == 1

    page = client.get(url).content.decode()
    assert 'data-testid="before-after"' in page
    before = page.split('data-testid="photos-before"')[1].split('data-testid="photos-after"')[0]
    after = page.split('data-testid="photos-after"')[1].split("</figure>")[0]
    report_photo = CasePhoto.objects.filter(case=case, event__action=Action.REPORT).first()
    fix_photo = CasePhoto.objects.get(case=case, event__action=Action.RESOLVE)
    if report_photo:
        assert reverse("cases:photo_thumb", args=[report_photo.pk]) in before
    assert reverse("cases:photo_thumb", args=[fix_photo.pk]) in after
    assert reverse("cases:photo_thumb", args=[check.get().pk]) in after
    assert reverse("cases:photo_thumb", args=[fix_photo.pk]) not in before


def test_a_rework_starts_the_after_photos_over(case_at, personas, photo_file, client):
    case = case_at(CaseStatus.RESOLVED)
    first_fix = CasePhoto.objects.get(case=case, event__action=Action.RESOLVE)
    case = perform(personas.grid_worker, case, "rework", reason="仍有松动")
    case = perform(personas.department_handler, case, "resolve", photos=[photo_file()], note="重新固定")
    client.force_login(personas.grid_worker)
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    after = page.split('data-testid="photos-after"')[1].split("</figure>")[0]
    assert reverse("cases:photo_thumb", args=[first_fix.pk]) not in after
    second_fix = CasePhoto.objects.filter(case=case, event__action=Action.RESOLVE).latest("id")
    assert reverse("cases:photo_thumb", args=[second_fix.pk]) in after


def test_a_case_before_any_fix_shows_only_its_report_photos(case_at, personas, client):
    case = case_at(CaseStatus.ACCEPTED)
    client.force_login(personas.street_dispatcher)
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert 'data-testid="before-after"' not in page
