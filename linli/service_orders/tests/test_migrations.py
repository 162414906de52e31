"""The timeline's move onto core's event base keeps every row: an event written under the old
table shape is there, unchanged, after the migration."""

import pytest

from linli.core.testing import migrate_to

BEFORE = [("service_orders", "0003_offering_available"), ("cases", "0006_alter_caseevent_action_alter_caseevent_actor_and_more")]
AFTER = [("service_orders", "0004_timeline_event_base"), ("cases", "0007_timeline_event_base")]


@pytest.mark.django_db(transaction=True)
def test_events_written_before_the_event_base_survive_it(make_order):
    make_order(status="assigned")  # an order and its timeline: ordered, accepted, assigned
    old = migrate_to(BEFORE)
    Event = old.get_model("service_orders", "ServiceOrderEvent")
    before = list(Event.objects.order_by("id").values())
    assert before, "the fixture wrote the order's events"
    new = migrate_to(AFTER)
    after = list(new.get_model("service_orders", "ServiceOrderEvent").objects.order_by("id").values())
    assert after == before
    assert {row["action"] for row in after} >= {"order"}
