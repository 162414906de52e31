"""The points pages, phone-first: a resident redeems with a confirmation and sees the code large;
staff add a reward, hand it over by code and see the redemptions; the leaderboard."""

import pytest

from linli.points.actions import balance_of
from linli.points.models import Redemption, Reward

from .conftest import give, make_reward


@pytest.fixture
def as_user(client):
    def sign_in(user):
        client.force_login(user)
        return client
    return sign_in


def test_a_resident_redeems_from_the_shop_and_sees_the_code(as_user, personas, reward):
    give(personas.resident, 25, "e1")
    client = as_user(personas.resident)
    page = client.get("/points/shop/")
    assert page.status_code == 200 and "1 小时免费家政服务" in page.content.decode()
    confirm = client.get(f"/points/shop/{reward.pk}/redeem/")
    assert confirm.status_code == 200 and b'data-testid="redeem-form"' in confirm.content
    done = client.post(f"/points/shop/{reward.pk}/redeem/", follow=True)
    redemption = Redemption.objects.get()
    assert f"{redemption.code[:4]} {redemption.code[4:]}" in done.content.decode()
    assert done.content.decode().count("兑换成功") == 1  # the message shows once
    assert balance_of(personas.resident) == 15
    mine = client.get("/points/")
    assert mine.status_code == 200 and b'data-testid="balance">15<' in mine.content


def test_a_resident_cancels_from_my_redemptions(as_user, personas, reward):
    give(personas.resident, 10, "e1")
    client = as_user(personas.resident)
    client.post(f"/points/shop/{reward.pk}/redeem/")
    redemption = Redemption.objects.get()
    client.post(f"/points/redemptions/{redemption.pk}/cancel/")
    client.post(f"/points/redemptions/{redemption.pk}/cancel/")
    assert balance_of(personas.resident) == 10


def test_not_enough_points_shows_an_error_and_takes_nothing(as_user, personas, reward):
    client = as_user(personas.resident)
    page = client.post(f"/points/shop/{reward.pk}/redeem/", follow=True)
    assert page.status_code == 200 and not Redemption.objects.exists()
    assert "alert-danger" in page.content.decode()


def test_staff_add_a_reward_and_hand_it_over_by_code(as_user, tree, personas):
    client = as_user(personas.community_staff)
    assert client.get("/points/catalog/new/").status_code == 200
    response = client.post("/points/catalog/new/", {
        "community": tree.community_a.pk, "name": "洗衣液一瓶", "kind": "goods", "cost": 20, "stock": 5,
        "active": "on"})
    assert response.status_code == 302
    reward = Reward.objects.get(name="洗衣液一瓶")
    assert reward.community == tree.community_a and reward.created_by == personas.community_staff
    give(personas.resident, 20, "e1")
    as_user(personas.resident).post(f"/points/shop/{reward.pk}/redeem/")
    code = Redemption.objects.get().code
    client = as_user(personas.community_staff)
    handed = client.post("/points/fulfil/", {"code": code.lower()})
    assert b'data-testid="fulfilled"' in handed.content
    again = client.post("/points/fulfil/", {"code": code})
    assert b'data-testid="fulfilled"' not in again.content and b"is-invalid" in again.content
    listing = client.get("/points/catalog/redemptions/?status=fulfilled")
    assert code in listing.content.decode()
    assert client.get("/points/catalog/").status_code == 200


def test_staff_cannot_put_rewards_in_another_community(as_user, tree, personas):
    client = as_user(personas.community_staff)
    response = client.post("/points/catalog/new/", {
        "community": tree.community_b.pk, "name": "x", "kind": "goods", "cost": 1, "stock": 1})
    assert response.status_code == 200 and not Reward.objects.exists()


def test_pages_outside_ones_reach(as_user, tree, personas, reward):
    other = make_reward(tree.community_b)
    resident = as_user(personas.resident)
    assert resident.get("/points/catalog/").status_code == 403
    assert resident.get("/points/fulfil/").status_code == 403
    assert resident.get(f"/points/shop/{other.pk}/redeem/").status_code == 404
    staff = as_user(personas.community_staff)
    assert staff.get(f"/points/catalog/{other.pk}/").status_code == 404
    assert staff.get(f"/points/catalog/{reward.pk}/").status_code == 200


def test_the_leaderboard_page(as_user, personas):
    give(personas.grid_worker, 12, "g1")
    page = as_user(personas.resident).get("/points/leaderboard/?period=year")
    text = page.content.decode()
    assert page.status_code == 200 and "网格员甲" in text and "13900000002" not in text
    bad = as_user(personas.resident).get("/points/leaderboard/?period=decade&date=junk&area=999")
    assert bad.status_code == 200


def test_pages_ask_to_sign_in(client):
    for url in ("/points/", "/points/shop/", "/points/leaderboard/", "/points/catalog/", "/points/fulfil/"):
        assert client.get(url).status_code == 302


def test_the_residents_home_shows_their_points(client, personas):
    from linli.points.actions import do_post

    do_post(personas.resident, 30, "earn", idempotency_key="home:1")
    client.force_login(personas.resident)
    page = client.get("/").content.decode()
    assert 'data-testid="points-balance">30<' in page and 'data-testid="service-hours">0<' in page
