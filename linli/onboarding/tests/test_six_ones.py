"""The “6个1” method on the scoring engine: the city federation's admin starts a round for new
三新 federations with guides; a guide ticks the six steps on a phone, each with a photo, and
submits when all six are done; the admin sees how far each has come and downloads it; a guide
never ticks for an organization of their own, and other admins see none of it."""

import io

import pytest
from openpyxl import load_workbook

from linli.accounts.choices import Role
from linli.core.moments import demo_photo, demo_upload
from linli.core.testing import make_person
from linli.onboarding import actions
from linli.orgs.actions import do_add_membership, do_create_organization
from linli.scoring.models import Sheet


@pytest.fixture
def city(tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    city = do_create_organization(parent=None, name="厦门市妇联", kind="womens_federation", area=tree.city)
    internet = do_create_organization(parent=city, name="厦门市互联网行业妇联", kind="womens_federation", area=tree.city)
    firm = do_create_organization(parent=internet, name="四三九九网络股份有限公司", kind="enterprise",
                                  area=tree.district, new_sectors=["new_economic_org"])
    firm_federation = do_create_organization(parent=firm, name="四三九九网络股份有限公司妇联",
                                             kind="womens_federation", area=tree.district)
    district = do_create_organization(parent=city, name="思明区妇联", kind="womens_federation", area=tree.district)
    admin = make_person("13900001600", "张慧敏", Role.ORG_ADMIN, organization=city)
    guide = make_person("13900001601", "苏雅琴", Role.JUDGE, organization=district)
    insider = make_person("13900001602", "蔡雅琪")
    do_add_membership(insider, district, "instructor")
    do_add_membership(insider, firm_federation, "executive")  # her own: she never guides it
    return {"city": city, "internet": internet, "firm": firm_federation, "district": district, "admin": admin,
            "guide": guide, "insider": insider}


def start(city):
    return actions.check_start_round(city["admin"], city["city"], "2026年“6个1工作法”推进",
                                     [city["internet"], city["firm"]], [city["guide"], city["insider"]])


def test_the_admin_starts_a_round_for_new_federations_with_guides(client, city, personas):
    assert [o.name for o in actions.candidates(city["city"])] == ["厦门市互联网行业妇联", "四三九九网络股份有限公司妇联"]
    assert {u.name for u in actions.guide_candidates(city["city"])} == {"苏雅琴", "蔡雅琪"}
    client.force_login(city["admin"])
    refused = client.post("/onboarding/start/", {"organizations": [city["district"].pk], "guides": [city["guide"].pk]})
    assert refused.status_code == 400  # 思明区妇联 is no new 三新 federation
    done = client.post("/onboarding/start/", {"title": "2026年推进", "organizations": [city["internet"].pk,
                                                                                   city["firm"].pk],
                                              "guides": [city["guide"].pk, city["insider"].pk]})
    assert done.status_code == 302
    page = client.get("/onboarding/").content.decode()
    assert "2026年推进" in page and page.count('data-testid="progress"') == 2
    for person in (personas.resident, personas.outsider):
        client.force_login(person)
        assert client.get("/onboarding/").status_code == 404
        assert client.get("/onboarding/start/").status_code == 404


def test_a_guide_ticks_six_steps_with_photos_and_submits(client, city):
    scoring_round = start(city)
    subject = scoring_round.subjects.get(title="厦门市互联网行业妇联")
    criteria = list(scoring_round.template.criteria.order_by("order"))
    client.force_login(city["guide"])
    mine = client.get("/onboarding/mine/").content.decode()
    assert mine.count('data-testid="guided"') == 2
    url = f"/onboarding/mine/{subject.pk}/"
    first = {f"checked_{criteria[0].pk}": "on", f"note_{criteria[0].pk}": "3月5日召开，12人参加",
             f"photo_{criteria[0].pk}": demo_upload(demo_photo("meeting.jpg", (180, 40, 45)))}
    assert client.post(url, first).status_code == 302
    too_soon = client.post(url, {f"checked_{c.pk}": "on" for c in criteria} | {"submit": "1"})
    # All ticked without photos: refused whole; the first step stays as it was saved.
    assert too_soon.status_code == 400 and 'data-testid="sheet-error"' in too_soon.content.decode()
    draft = Sheet.objects.get(subject=subject, judge=city["guide"])
    assert draft.status == "draft" and list(draft.marks.filter(checked=True).values_list("criterion", flat=True)) == [
        criteria[0].pk]
    everything = {f"checked_{c.pk}": "on" for c in criteria}
    for c in criteria[1:]:
        everything[f"photo_{c.pk}"] = demo_upload(demo_photo(f"{c.pk}.jpg", (40, 120, 180)))
    assert client.post(url, {**everything, "submit": "1"}).status_code == 302
    sheet = Sheet.objects.get(subject=subject, judge=city["guide"])
    assert sheet.status == "submitted" and sheet.total == 6  # six ticks of weight 1
    locked = client.get(url).content.decode()
    assert 'data-testid="sheet-done"' in locked and locked.count('data-testid="evidence"') == 6
    photo = locked.split('data-testid="evidence"')[0].rsplit('src="', 1)[1].split('"')[0]
    assert client.get(photo)["Content-Type"] == "image/jpeg"

    client.force_login(city["admin"])
    page = client.get("/onboarding/")
    progress = {row.subject.title: row.count for _r, rows in page.context["rounds"] for row in rows}
    assert progress == {"厦门市互联网行业妇联": 6, "四三九九网络股份有限公司妇联": 0}
    assert client.get(photo).status_code == 200  # the organizer sees the evidence too
    workbook = client.get(f"/onboarding/rounds/{scoring_round.pk}.xlsx")
    sheet_rows = list(load_workbook(io.BytesIO(b"".join(workbook.streaming_content))).active.iter_rows(values_only=True))
    assert sheet_rows[1][:2] == ("厦门市互联网行业妇联", "6/6") and sheet_rows[1][2] == "✓"


def test_a_guide_never_ticks_for_an_organization_of_their_own_and_strangers_see_nothing(client, city, personas):
    scoring_round = start(city)
    firm = scoring_round.subjects.get(title="四三九九网络股份有限公司妇联")
    client.force_login(city["insider"])
    assert "四三九九网络股份有限公司妇联" not in client.get("/onboarding/mine/").content.decode()
    assert client.get(f"/onboarding/mine/{firm.pk}/").status_code == 404
    client.force_login(personas.org_admin)  # the admin of another federation
    assert "2026年" not in client.get("/onboarding/").content.decode()
    assert client.get(f"/onboarding/rounds/{scoring_round.pk}.xlsx").status_code == 404
    client.force_login(personas.resident)
    assert client.get(f"/onboarding/mine/{firm.pk}/").status_code == 404
    assert 'data-testid="nothing-to-guide"' in client.get("/onboarding/mine/").content.decode()


def test_completion_stands_beside_coverage_on_the_network_page(client, city, personas):
    scoring_round = start(city)
    subject = scoring_round.subjects.get(title="厦门市互联网行业妇联")
    criteria = list(scoring_round.template.criteria.order_by("order"))
    from linli.scoring import actions as scoring

    scoring.check_mark(city["guide"], subject, {c.pk: n < 2 for n, c in enumerate(criteria)})
    client.force_login(city["admin"])
    html = client.get("/orgs/network/").content.decode()
    assert 'data-testid="network-six-ones"' in html and 'data-done="0" data-total="2"' in html
    assert "共 12 项，已完成 2 项" in html
    client.force_login(personas.org_admin)  # another federation's network: no round of theirs
    assert 'data-testid="network-six-ones"' not in client.get("/orgs/network/").content.decode()
