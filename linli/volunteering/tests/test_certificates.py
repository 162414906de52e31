"""Volunteer service certificates (志愿服务记录证明): who may issue them, what they certify, the PDF
(parsed back), the public verification page, and the API."""

import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader
from rest_framework.test import APIClient

from linli.accounts.choices import Role
from linli.core.models import OutboxMessage
from linli.core.testing import make_person
from linli.orgs.actions import do_create_organization
from linli.volunteering.actions import (
    VolunteeringError,
    check_approve_hours,
    check_create_activity,
    check_issue_certificate,
    check_mark_attendance,
    check_signup,
)
from linli.volunteering.models import ServiceCertificate


@pytest.fixture
def served(clock, make_activity, volunteer, leader):
    """Two activities of the team, 2.5 and 3 hours approved; then a week passes."""
    for title, hours in (("敬老院助餐", 2.5), ("社区环境整治", 3)):
        activity = make_activity(title=title)
        signup = check_signup(volunteer.user, activity)
        attendance = check_mark_attendance(leader, signup, activity.starts_at,
                                           activity.starts_at + timedelta(hours=hours))
        check_approve_hours(leader, attendance)
    clock.advance(days=7)
    return volunteer


def period(clock, days=30):
    today = timezone.localdate()
    return {"date_from": today - timedelta(days=days), "date_to": today}


def issue(actor, volunteer, organization, clock, **overrides):
    return check_issue_certificate(actor, volunteer, organization=organization, **{**period(clock), **overrides})


def pdf_text(content: bytes) -> str:
    """The PDF's text without whitespace (pypdf reads fpdf2's two-byte glyph codes with NULs between)."""
    return re.sub(r"[\s\x00]+", "", "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages))


# -- issuing --------------------------------------------------------------------------------


def test_the_leader_issues_a_numbered_snapshot_of_the_verified_hours(served, leader, team, clock):
    first = issue(leader, served, team, clock)
    second = issue(leader, served, team, clock)
    year = timezone.localdate().year
    assert (first.number, second.number) == (f"ZYZM-{year}-000001", f"ZYZM-{year}-000002")
    assert first.hours == 5.5 and first.issued_by == leader and first.organization == team
    assert [(e["title"], e["hours"]) for e in first.entries] == [("敬老院助餐", "2.50"), ("社区环境整治", "3.00")]
    assert len(first.token) >= 40 and first.token != second.token
    assert OutboxMessage.objects.filter(topic="volunteering.certificate_issued").count() == 2


def test_only_hours_inside_the_period_count_and_none_is_refused(served, leader, team, clock):
    with pytest.raises(VolunteeringError) as nothing:
        issue(leader, served, team, clock, date_from=timezone.localdate() - timedelta(days=1))
    assert nothing.value.code == "nothing_to_certify"
    with pytest.raises(VolunteeringError) as future:
        issue(leader, served, team, clock, date_to=timezone.localdate() + timedelta(days=1))
    assert future.value.field == "date_to"
    with pytest.raises(VolunteeringError) as backwards:
        issue(leader, served, team, clock, date_from=timezone.localdate(), date_to=timezone.localdate() - timedelta(days=9))
    assert backwards.value.field == "date_to"
    assert not ServiceCertificate.objects.exists()


def test_a_center_certifies_the_hours_served_with_its_teams(clock, tree, volunteer, team):
    center = do_create_organization(parent=None, name="开元街道新时代文明实践所", kind="civ_center", area=tree.street_a)
    center_team = do_create_organization(parent=center, name="实践所志愿服务队", kind="volunteer_team",
                                         area=tree.street_a)
    center_admin = make_person("13900000030", "实践所管理员", Role.ORG_ADMIN, organization=center)
    activity = check_create_activity(center_admin, center_team, title="文明实践进社区", service_area="elderly",
                                     area=tree.community_a, place="实践站", starts_at=clock.now + timedelta(days=1),
                                     ends_at=clock.now + timedelta(days=1, hours=3), capacity=5)
    signup = check_signup(volunteer.user, activity)
    attendance = check_mark_attendance(center_admin, signup, activity.starts_at, activity.ends_at)
    check_approve_hours(center_admin, attendance)
    clock.advance(days=7)
    certificate = issue(center_admin, volunteer, center, clock)
    assert (certificate.organization, certificate.hours) == (center, 3)
    with pytest.raises(VolunteeringError) as not_served:
        issue(volunteer.user, volunteer, team, clock)  # no hours with the 巾帼 team
    assert not_served.value.code == "not_served"


def test_who_may_issue(served, leader, team, clock, personas, make_volunteer):
    # The volunteer for themself: it restates only what a leader verified.
    own = issue(served.user, served, team, clock)
    assert own.issued_by == served.user
    other_team = do_create_organization(parent=None, name="蓝马甲志愿服务队", kind="volunteer_team",
                                        area=personas.federation.area)
    other_leader = make_person("13900000031", "队长乙", Role.VOLUNTEER_TEAM_LEADER, organization=other_team)
    someone = make_volunteer("13900000032", "志愿者乙")
    for actor, organization in ((personas.outsider, team), (personas.org_admin, team),
                                (personas.org_admin, personas.federation), (other_leader, team),
                                (other_leader, other_team), (personas.street_dispatcher, team),
                                (someone.user, team), (leader, None)):
        with pytest.raises(Exception) as refused:
            issue(actor, served, organization, clock)
        assert refused.type.__name__ == "Http404", (actor, organization)
    with pytest.raises(VolunteeringError) as not_served:
        issue(served.user, served, personas.federation, clock)
    assert not_served.value.code == "not_served"
    assert ServiceCertificate.objects.count() == 1


@pytest.mark.postgresql
def test_concurrent_issues_draw_distinct_numbers(transactional_db, served, leader, team, clock):
    import threading

    from django.db import connection

    barrier, errors = threading.Barrier(6), []

    def issue_one():
        barrier.wait()
        try:
            issue(leader, served, team, clock)
        except Exception as error:  # noqa: BLE001 — collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue_one) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    numbers = sorted(ServiceCertificate.objects.values_list("number", flat=True))
    assert numbers == [f"ZYZM-{timezone.localdate().year}-{n:06d}" for n in range(1, 7)]


# -- the PDF and its verification -----------------------------------------------------------


def test_the_pdf_has_name_hours_number_and_only_the_masked_id(served, leader, team, clock, client):
    certificate = issue(leader, served, team, clock)
    client.force_login(served.user)
    response = client.get(f"/volunteering/certificates/{certificate.number}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert served.name in text and "5.5" in text and certificate.number in text and served.number in text
    assert served.masked_id_number in text and served.id_number not in text
    assert "敬老院助餐" in text and team.name in text
    assert "已认证时长5.5小时" in text.replace(" ", "")  # the hours carry their unit
    # The 兹证明 paragraph is set flush left: justified, fpdf2 stretches the line's spaces (TJ offsets).
    from io import BytesIO

    from pypdf import PdfReader

    content = PdfReader(BytesIO(response.content)).pages[0].get_contents().get_data().decode("latin-1")
    assert " TJ" not in content and " Tw" not in content


def test_the_pdf_is_for_the_volunteer_and_the_issuing_managers_only(served, leader, team, clock, client, personas):
    certificate = issue(served.user, served, team, clock)
    url = f"/volunteering/certificates/{certificate.number}/pdf/"
    assert client.get(url).status_code == 302  # sign in first
    for person, expected in ((personas.outsider, 404), (personas.org_admin, 404), (leader, 200)):
        client.force_login(person)
        assert client.get(url).status_code == expected, person


def test_a_missing_font_is_a_503_page_and_a_json_503(served, leader, team, clock, client, settings):
    certificate = issue(leader, served, team, clock)
    settings.CERTIFICATE_FONT_PATH = "/nonexistent/font.ttc"
    client.force_login(served.user)
    page = client.get(f"/volunteering/certificates/{certificate.number}/pdf/")
    assert page.status_code == 503 and b'data-testid="pdf-unavailable"' in page.content
    api = APIClient()
    api.force_authenticate(served.user)
    response = api.get(f"/api/volunteering/certificates/{certificate.number}/pdf/")
    assert response.status_code == 503 and response.json()["code"] == "pdf_unavailable"


def test_the_qr_code_opens_a_public_page_that_shows_genuine_and_nothing_more(served, leader, team, clock, client):
    certificate = issue(leader, served, team, clock)
    page = client.get(f"/volunteering/certificates/verify/{certificate.token}/")  # nobody signed in
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="verify-genuine"' in html
    assert certificate.number in html and "志**甲" in html
    for secret in (served.name, served.number, served.id_number, served.masked_id_number, served.phone, team.name,
                   "敬老院助餐", "5.5"):
        assert secret not in html, secret
    assert "hours" not in page.context  # not shown, so not computed either


def test_a_forged_token_is_not_genuine_and_reveals_nothing(served, leader, team, clock, client):
    certificate = issue(leader, served, team, clock)
    forged = certificate.token[:-4] + ("AAAA" if not certificate.token.endswith("AAAA") else "BBBB")
    for token in (forged, "pdf", "x" * 300):
        page = client.get(f"/volunteering/certificates/verify/{token}/")
        html = page.content.decode()
        assert page.status_code == 404 and 'data-testid="verify-not-found"' in html
        assert certificate.number not in html and "志**甲" not in html


def test_masked_names():
    from linli.volunteering.models import Volunteer

    assert [Volunteer(name=n).masked_name for n in ("张三明", "张三", "欧阳娜娜", "李")] == ["张*明", "张*", "欧**娜", "李"]


# -- revoking --------------------------------------------------------------------------------


def test_a_revoked_certificate_fails_its_check_and_only_the_issuers_managers_revoke(
        served, leader, team, clock, client, personas):
    certificate = issue(served.user, served, team, clock)
    check = f"/certificates/check/{certificate.token}/"
    assert 'data-testid="verify-genuine"' in client.get(check).content.decode()
    url = f"/volunteering/certificates/{certificate.number}/revoke/"
    for person in (personas.outsider, personas.org_admin, served.user):  # the holder cannot revoke either
        client.force_login(person)
        assert client.post(url, {"reason": "材料不实"}).status_code == 404, person
    client.force_login(leader)
    client.post(url, {"reason": ""})
    certificate.refresh_from_db()
    assert certificate.status == "issued"  # no reason, nothing revoked
    page = client.post(url, {"reason": "服务时长登记有误，已重新出具"}, follow=True).content.decode()
    assert 'data-testid="certificate-revoked"' in page and "服务时长登记有误" in page
    certificate.refresh_from_db()
    assert (certificate.status, certificate.revoked_by, certificate.revoke_reason) == (
        "revoked", leader, "服务时长登记有误，已重新出具")
    assert OutboxMessage.objects.filter(topic="certificates.revoked", payload__certificate=certificate.pk).count() == 1
    client.logout()
    for address in (check, f"/volunteering/certificates/verify/{certificate.token}/"):
        html = client.get(address).content.decode()
        assert 'data-testid="verify-revoked"' in html and 'data-testid="verify-genuine"' not in html
        assert certificate.number in html and "服务时长登记有误" not in html  # the reason stays with the issuer
    # The holder sees it revoked on their own list, without the reason.
    client.force_login(served.user)
    mine = client.get("/volunteering/certificates/").content.decode()
    assert 'data-testid="certificate-revoked"' in mine and "服务时长登记有误" not in mine


def test_the_api_revokes_once_with_a_reason(served, leader, team, clock, personas):
    certificate = issue(served.user, served, team, clock)
    url = f"/api/volunteering/certificates/{certificate.number}/revoke/"
    api = APIClient()
    api.force_authenticate(personas.outsider)
    assert api.post(url, {"reason": "x"}, format="json").status_code == 404
    # Fresh from the database, as each request loads it: the personas' organizations moved the team's path.
    api.force_authenticate(type(leader).objects.get(pk=leader.pk))
    assert api.post(url, {}, format="json").json()["code"] in ("invalid", "required")
    assert api.post(url, {"reason": "   "}, format="json").json()["code"] in ("invalid", "blank", "reason_required")
    done = api.post(url, {"reason": "重复出具"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "revoked" and done.json()["revoked_at"]
    again = api.post(url, {"reason": "重复出具"}, format="json")
    assert again.status_code == 400 and again.json()["code"] == "already_revoked"


# -- pages ----------------------------------------------------------------------------------


def test_the_volunteer_issues_their_own_on_my_certificates(served, team, clock, client):
    client.force_login(served.user)
    page = client.get("/volunteering/certificates/")
    assert page.status_code == 200 and b'data-testid="certificate-form"' in page.content
    today = timezone.localdate()
    response = client.post("/volunteering/certificates/", {
        "organization": team.pk, "date_from": today - timedelta(days=30), "date_to": today}, follow=True)
    certificate = ServiceCertificate.objects.get()
    assert (certificate.issued_by, certificate.hours) == (served.user, 5.5)
    assert certificate.number in response.content.decode()
    empty = client.post("/volunteering/certificates/", {
        "organization": team.pk, "date_from": today - timedelta(days=1), "date_to": today})
    assert 'data-testid="certificate-error"' in empty.content.decode() and ServiceCertificate.objects.count() == 1


def test_the_leader_issues_from_the_attendance_page(served, leader, team, clock, client, personas):
    client.force_login(leader)
    activity = team.activities.first()
    roster = client.get(f"/volunteering/manage/{activity.pk}/").content.decode()
    url = f"/volunteering/manage/volunteers/{served.number}/certificate/"
    assert url in roster
    today = timezone.localdate()
    response = client.post(url, {"organization": team.pk, "date_from": today - timedelta(days=30),
                                 "date_to": today}, follow=True)
    certificate = ServiceCertificate.objects.get()
    assert certificate.issued_by == leader and certificate.number in response.content.decode()
    client.force_login(personas.org_admin)
    assert client.get(url).status_code == 404


# -- API ------------------------------------------------------------------------------------


def test_the_api_issues_lists_and_downloads(served, leader, team, clock, django_assert_num_queries):
    api = APIClient()
    api.force_authenticate(leader)
    today = timezone.localdate()
    body = {"volunteer": served.number, "organization": team.pk, "date_from": str(today - timedelta(days=30)),
            "date_to": str(today)}
    created = api.post("/api/volunteering/certificates/", body, format="json")
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["hours"] == "5.50" and data["volunteer_name"] == served.name and "id_number" not in data
    # The check page is core's, for every kind of certificate.
    assert data["verify_url"].endswith(f"/certificates/check/{ServiceCertificate.objects.get().token}/")
    refused = api.post("/api/volunteering/certificates/", {**body, "date_from": str(today)}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "nothing_to_certify"
    pdf = api.get(f"/api/volunteering/certificates/{data['number']}/pdf/")
    assert pdf.status_code == 200 and served.name in pdf_text(pdf.content)
    with django_assert_num_queries(2) as one:  # count, page
        assert len(api.get("/api/volunteering/certificates/").json()["results"]) == 1
    for _i in range(4):
        issue(leader, served, team, clock)
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(api.get("/api/volunteering/certificates/").json()["results"]) == 5


def test_the_api_answers_json_to_strangers_and_bad_input(served, team, clock, personas):
    api = APIClient()
    assert api.get("/api/volunteering/certificates/").status_code in (401, 403)
    api.force_authenticate(personas.outsider)
    assert api.get("/api/volunteering/certificates/").json()["results"] == []
    for body in ({}, {"organization": "x"}, {"organization": team.pk, "date_from": "2026-13-01", "date_to": "x"},
                 {"volunteer": served.number, "organization": team.pk, "date_from": "2026-01-01",
                  "date_to": "2026-01-02"},
                 {"organization": 2**31 - 1, "date_from": "2026-01-01", "date_to": "2026-01-02"}):
        response = api.post("/api/volunteering/certificates/", body, format="json")
        assert response.status_code in (400, 404) and set(response.json()) >= {"code", "message"}, body
    assert api.get("/api/volunteering/certificates/ZYZM-2026-000001/pdf/").status_code == 404
