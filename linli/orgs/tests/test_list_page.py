"""The organizations in a person's scope, from the home page's "and N more": searchable, by kind,
a fixed number of queries whatever the rows, nothing outside the scope."""

import pytest
from django.urls import reverse

from linli.orgs.actions import do_create_organization

pytestmark = pytest.mark.django_db


def test_the_list_of_organizations_in_scope(client, tree, personas, django_assert_max_num_queries):
    for n in range(12):
        do_create_organization(parent=None, name=f"开元志愿服务队{n:02d}", kind="volunteer_team", area=tree.community_a)
    do_create_organization(parent=None, name="中华街道志愿服务队", kind="volunteer_team", area=tree.street_b)
    client.force_login(personas.street_dispatcher)
    home = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("orgs:organization_list")}" data-testid="more-orgs"' in home
    with django_assert_max_num_queries(8):
        page = client.get(reverse("orgs:organization_list")).content.decode()
    assert page.count('data-testid="org-row"') >= 12 and "中华街道志愿服务队" not in page
    found = client.get(reverse("orgs:organization_list"), {"q": "志愿服务队07", "kind": "volunteer_team"})
    assert found.content.decode().count('data-testid="org-row"') == 1
    assert client.get(reverse("orgs:organization_list"), {"page": "x"}).status_code == 200  # a bad page: the first
    assert client.get(reverse("orgs:organization_list"), {"q": "\x00"}).status_code == 400  # the friendly page
    client.force_login(personas.resident)
    assert client.get(reverse("orgs:organization_list")).status_code == 404


def test_the_signed_out_home_tiles_lead_to_their_pages(client):
    page = client.get(reverse("home")).content.decode()
    for name in ("cases:report", "service_orders:menu", "volunteering:index", "points:shop"):
        assert f'href="{reverse(name)}"' in page
    response = client.get(reverse("cases:report"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login_code"))
