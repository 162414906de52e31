"""What the volunteering pages say: the scan page's heading names what just happened, hours read as
people write them (10.5, not 10.50) through one filter, registration starts from one's community."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils.translation import gettext, override

from linli.accounts.choices import Role
from linli.core.testing import make_person
from linli.enrolment import checkin
from linli.volunteering.actions import check_signup

pytestmark = pytest.mark.django_db


def heading(client, url, post=False):
    response = client.post(url) if post else client.get(url)
    assert response.status_code == 200
    return response.context["heading"], response.content.decode()


def test_the_scan_page_heading_says_what_just_happened(client, clock, volunteer, make_activity):
    activity = make_activity(starts_at=clock.now + timedelta(minutes=5))
    check_signup(volunteer.user, activity)
    venue = activity.venues.get()
    client.force_login(volunteer.user)
    with override("zh-hans"):  # the pages' language
        url = reverse("volunteering:scan", args=[checkin.make_token(venue.pk)])
        assert heading(client, url)[0] == gettext("Check in")
        text, page = heading(client, url, post=True)
        assert text == gettext("Checked in") and f'data-testid="scan-heading">{text}<' in page
        clock.advance(hours=2, minutes=35)  # in 5 minutes before the start: 2.5 h from it
        url = reverse("volunteering:scan", args=[checkin.make_token(venue.pk)])
        assert heading(client, url)[0] == gettext("Check out")
        text, page = heading(client, url, post=True)
        assert text == gettext("Checked out")
        # 2.5 hours, as a person writes it
        assert "2.5" in page and "2.50" not in page


@pytest.mark.parametrize(("value", "shown"), [
    (Decimal("10.50"), "10.5"), (Decimal("2.50"), "2.5"), (Decimal("3.00"), "3"), (Decimal("10"), "10"),
    (Decimal("2.25"), "2.25"), (2.5, "2.5"), ("1.50", "1.5"), (None, ""), ("n/a", "n/a"),
])
def test_one_hours_filter(value, shown):
    assert Template("{% load linli %}{{ h|hours }}").render(Context({"h": value})) == shown


def test_the_certificate_formats_hours_with_the_same_filter():
    from linli.volunteering.certificate_pdf import format_hours

    assert format_hours(Decimal("12.50")) == "12.5" and format_hours(Decimal("3.00")) == "3"


def test_my_hours_page_shows_10_5_not_10_50(client, clock, volunteer, leader, make_activity):
    activity = make_activity(starts_at=clock.now + timedelta(minutes=5))
    check_signup(volunteer.user, activity)
    venue = activity.venues.get()
    client.force_login(volunteer.user)
    client.post(reverse("volunteering:scan", args=[checkin.make_token(venue.pk)]))
    clock.advance(hours=2, minutes=35)  # in 5 minutes before the start: 2.5 h from it
    client.post(reverse("volunteering:scan", args=[checkin.make_token(venue.pk)]))
    page = client.get(reverse("volunteering:hours")).content.decode()
    assert "2.5" in page and "2.50" not in page


def test_registration_starts_from_the_community_one_lives_in(client, tree):
    resident = make_person("13900000077", "居民乙", Role.RESIDENT, tree.community_a)
    client.force_login(resident)
    form = client.get(reverse("volunteering:register")).context["form"]
    assert form.initial["area"] == tree.community_a.pk
    assert f'<option value="{tree.community_a.pk}" selected>' in form["area"].as_widget()


def test_a_resident_placed_in_a_grid_starts_from_the_grids_community(client, tree):
    client.force_login(make_person("13900000079", "居民丙", Role.RESIDENT, tree.grid_a1))
    assert client.get(reverse("volunteering:register")).context["form"].initial["area"] == tree.community_a.pk


def test_registration_without_a_resident_role_leaves_the_community_open(client, tree):
    client.force_login(make_person("13900000078", "路人"))
    assert client.get(reverse("volunteering:register")).context["form"].initial["area"] is None


def test_the_heading_texts_are_translated():
    with override("zh-hans"):
        assert gettext("Checked in") != "Checked in" and gettext("Checked out") != "Checked out"


def test_every_template_shows_hours_through_the_one_filter():
    import re
    from pathlib import Path

    from django.conf import settings

    templates = Path(settings.BASE_DIR) / "linli" / "templates"
    stray = [
        f"{path.relative_to(templates)}: {match.group(0)}"
        for path in templates.rglob("*.html")
        for match in re.finditer(r"hours\s*\|\s*(floatformat|stringformat)[^ }%]*", path.read_text())
        if "value=" not in path.read_text()[max(0, match.start() - 40):match.start()]  # a form input's raw value
    ]
    assert stray == []
