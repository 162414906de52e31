"""A resident who ordered a service is told when a team takes it, who is coming and when it is done
(SMS at accepted and done); the volunteers sent are told; a cancel tells the team it was sent to."""

from linli.core import outbox
from linli.core.models import Notification
from linli.service_orders import actions


def relay(capture):
    with capture(execute=True):
        outbox.relay_pending()


def topics(user):
    return list(Notification.objects.filter(user=user).order_by("id").values_list("topic", flat=True))


def test_the_resident_is_told_at_each_step(make_order, personas, members, team, sms_outbox,
                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order = make_order("done")
    relay(django_capture_on_commit_callbacks)
    assert topics(personas.resident) == [
        "service_order.accept", "service_order.assign", "service_order.complete"]
    accepted = Notification.objects.get(user=personas.resident, topic="service_order.accept")
    assert team.name in accepted.body and accepted.url == f"/service-orders/{order.pk}/"
    service = order.get_kind_display()
    assert [(key, params) for phone, key, params in sms_outbox if phone == personas.resident.phone] == [
        ("order_accepted", {"service": service}), ("order_completed", {"service": service})]
    for member in members:
        assert topics(member) == ["service_order.assign"]
        assert "坑内路 12 号 301" in Notification.objects.get(user=member).body


def test_a_cancel_tells_the_team_it_was_sent_to(make_order, personas, leader, django_capture_on_commit_callbacks):
    order = make_order("dispatched")
    actions.perform(personas.resident, order, "cancel")
    relay(django_capture_on_commit_callbacks)
    assert topics(leader) == ["service_order.dispatch", "service_order.cancel"]
    assert topics(personas.resident) == []  # they cancelled it themselves
