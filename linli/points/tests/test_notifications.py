"""Redemptions tell the resident: ready for pickup (with the code, also by SMS), handed over,
cancelled by staff (not when they cancelled it themselves)."""

import pytest

from linli.core import outbox
from linli.core.models import Notification
from linli.points import actions


@pytest.fixture
def relay(django_capture_on_commit_callbacks):
    def run():
        with django_capture_on_commit_callbacks(execute=True):
            outbox.relay_pending()
    return run


def topics(user):
    return list(Notification.objects.filter(user=user).order_by("id").values_list("topic", flat=True))


def test_redeem_then_hand_over(tree, personas, reward, relay, sms_outbox):
    from .conftest import give

    give(personas.resident, 50, "n1")
    redemption = actions.check_redeem(personas.resident, reward.pk)
    relay()
    note = Notification.objects.get(user=personas.resident)
    assert note.topic == "points.redemption.redeemed" and redemption.code in note.body
    assert note.url == f"/points/redemptions/#r{redemption.pk}"
    assert sms_outbox == [(personas.resident.phone, "redemption_ready",
                           {"reward": reward.name, "code": redemption.code})]
    actions.check_fulfil(personas.community_staff, redemption.code)
    relay()
    assert topics(personas.resident) == ["points.redemption.redeemed", "points.redemption.fulfilled"]
    assert len(sms_outbox) == 1  # handing over is not texted
    assert topics(personas.community_staff) == []


def test_cancelled_by_staff_tells_the_resident_but_not_their_own_cancel(tree, personas, reward, relay):
    from .conftest import give

    give(personas.resident, 50, "n2")
    first = actions.check_redeem(personas.resident, reward.pk)
    second = actions.check_redeem(personas.resident, reward.pk)
    actions.check_cancel(personas.resident, first.pk)
    actions.check_cancel(personas.community_staff, second.pk)
    relay()
    assert topics(personas.resident) == ["points.redemption.redeemed", "points.redemption.redeemed",
                                         "points.redemption.cancelled"]
    cancelled = Notification.objects.get(user=personas.resident, topic="points.redemption.cancelled")
    assert str(reward.cost) in cancelled.body
