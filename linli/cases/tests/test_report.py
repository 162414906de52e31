"""Intake: check_report places, routes, numbers and times a case, or refuses it with a code."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from linli.cases.actions import check_report
from linli.cases.choices import MAX_PHOTOS, Action, CaseStatus, Priority
from linli.cases.errors import CaseError
from linli.cases.models import Case, CaseEvent, CasePhoto
from linli.cases.testing import center_of, jpeg_bytes
from linli.core import outbox
from linli.core.models import Notification, OutboxMessage
from linli.places.coords import wgs84_to_gcj02
from linli.places.locate import get_grid_index


def test_report_in_a_grid(tree, personas, categories, report):
    case = report(category=categories.manhole)
    assert case.status == CaseStatus.REPORTED
    assert (case.area, case.area_code, case.unlocated) == (tree.grid_a1, tree.grid_a1.code, False)
    assert case.queue_area == tree.street_a
    assert case.unit is None  # no routing rule: the street command center decides
    assert case.reporter == personas.resident
    assert case.priority == Priority.URGENT  # the manhole class's own default
    assert case.accept_due > case.created_at
    assert case.resolve_due is None  # set on dispatch

    stored = Case.objects.get(pk=case.pk)
    assert stored.number == case.number == f"{timezone.localtime(case.created_at).year}-{case.pk:06d}"
    assert re.fullmatch(r"\d{4}-\d{6}", stored.number)

    event = CaseEvent.objects.get(case=case)
    assert (event.action, event.from_status, event.to_status, event.actor) == (Action.REPORT, "", "reported", personas.resident)
    message = OutboxMessage.objects.get(topic="case.reported")
    assert message.payload["case_id"] == case.pk and message.payload["number"] == case.number


def test_numbers_are_unique(report):
    numbers = {report().number for _ in range(3)}
    assert len(numbers) == 3


def test_gcj02_coordinates_are_converted(tree, report):
    lat, lng = center_of(tree.grid_a2)
    gcj_lat, gcj_lng = wgs84_to_gcj02(lat, lng)
    case = report(lat=gcj_lat, lng=gcj_lng, coord_system="gcj02")
    assert case.area == tree.grid_a2
    assert abs(case.lat - lat) < 1e-5 and abs(case.lng - lng) < 1e-5


def test_outside_every_grid_is_unlocated_in_the_nearest_street(tree, report):
    # just west of street B's grid, far from street A's
    case = report(lat=24.456, lng=118.070)
    assert case.unlocated is True and case.status == CaseStatus.REPORTED
    assert case.area == tree.street_b and case.queue_area == tree.street_b
    assert case.area_code == tree.street_b.code


def test_photo_position_stands_in_for_coordinates(tree, personas, categories, photo_file):
    lat, lng = center_of(tree.grid_a2)
    case = check_report(
        personas.resident, category="greenery", description="树枝折断", channel="snapshot",
        photos=[photo_file(gps=(lat, lng)), photo_file()],
    )
    assert case.area == tree.grid_a2
    assert abs(case.lat - lat) < 1e-4
    photos = list(CasePhoto.objects.filter(case=case))
    assert len(photos) == 2
    event = CaseEvent.objects.get(case=case, action=Action.REPORT)
    assert all(photo.event == event and photo.thumbnail and photo.width == 64 for photo in photos)


def test_walk_in_with_an_address_and_an_area_hint(tree, personas, categories):
    case = check_report(
        personas.street_dispatcher, category="dispute", description="楼上漏水纠纷", channel="walk_in",
        address="坑内路 12 号", area_hint=tree.community_a.code, reporter_name="王阿姨", reporter_phone="+86 139 0000 1234",
    )
    assert case.area == tree.community_a and case.unlocated is True
    assert case.queue_area == tree.street_a
    assert case.reporter_phone == "13900001234"
    assert case.priority == Priority.LOW


def test_walk_in_hint_on_a_grid_is_located(tree, personas, categories):
    case = check_report(
        personas.street_dispatcher, category="dispute", description="噪音扰民", channel="hotline",
        address="坑内路 3 号", area_hint=tree.grid_a2,
    )
    assert case.area == tree.grid_a2 and case.unlocated is False


def test_patrol_on_behalf_of_a_resident(tree, personas, categories):
    lat, lng = center_of(tree.grid_a1)
    case = check_report(
        personas.grid_worker, category="street-order", description="占道经营", channel="patrol",
        lat=lat, lng=lng, reporter_name="李先生",
    )
    assert case.reporter == personas.grid_worker and case.reporter_name == "李先生"


def bad(**changes):
    return changes


@pytest.mark.parametrize(
    "changes, code, field",
    [
        (bad(lat=None, lng=None), "no_location", "lat"),
        (bad(lat=None, lng=None, address="坑内路 1 号"), "no_location", "lat"),  # residents need a position
        (bad(lat=200, lng=118.1), "bad_coordinates", "lat"),
        (bad(lat="north", lng=118.1), "bad_coordinates", "lat"),
        (bad(lat=float("nan"), lng=118.1), "bad_coordinates", "lat"),
        (bad(lat=24.47, lng=None), "bad_coordinates", "lng"),
        (bad(coord_system="mars"), "bad_coordinates", "lat"),
        (bad(category="no-such-class"), "unknown_category", "category"),
        (bad(category="retired"), "unknown_category", "category"),
        (bad(category=None), "unknown_category", "category"),
        (bad(description="   "), "description_required", "description"),
        (bad(description="长" * 2001), "too_long", "description"),
        (bad(channel="fax"), "bad_channel", "channel"),
        (bad(channel="patrol"), "channel_not_allowed", "channel"),
        (bad(channel="hotline"), "channel_not_allowed", "channel"),
        (bad(reporter_phone="12345"), "bad_phone", "reporter_phone"),
        (bad(reporter_phone="call me"), "bad_phone", "reporter_phone"),
    ],
)
def test_bad_input_is_a_case_error(report, changes, code, field):
    with pytest.raises(CaseError) as excinfo:
        report(**changes)
    assert (excinfo.value.code, excinfo.value.field) == (code, field)
    assert excinfo.value.as_body()["fields"] == {field: [excinfo.value.message]}
    assert not Case.objects.exists()


def test_a_text_file_renamed_jpg(report):
    fake = SimpleUploadedFile("photo.jpg", b"this is not an image at all", content_type="image/jpeg")
    with pytest.raises(CaseError) as excinfo:
        report(photos=[fake])
    assert (excinfo.value.code, excinfo.value.field) == ("not_an_image", "photos")


def test_an_oversize_image(report):
    huge = SimpleUploadedFile("big.jpg", jpeg_bytes() + b"\0" * (15 * 1024 * 1024), content_type="image/jpeg")
    with pytest.raises(CaseError) as excinfo:
        report(photos=[huge])
    assert (excinfo.value.code, excinfo.value.field) == ("too_large", "photos")


def test_ten_photos(report, photo_file):
    with pytest.raises(CaseError) as excinfo:
        report(photos=[photo_file() for _ in range(MAX_PHOTOS + 1)])
    assert (excinfo.value.code, excinfo.value.field) == ("too_many_photos", "photos")


def test_address_only_needs_the_area_hint(personas, categories):
    with pytest.raises(CaseError) as excinfo:
        check_report(personas.street_dispatcher, category="dispute", description="x", channel="walk_in", address="某路")
    assert excinfo.value.code == "no_location"


def test_unknown_area_hint(personas, categories):
    with pytest.raises(CaseError) as excinfo:
        check_report(
            personas.street_dispatcher, category="dispute", description="x", channel="walk_in", address="某路",
            area_hint="999999",
        )
    assert excinfo.value.code == "bad_area"


def test_intake_is_lean(tree, personas, categories, routing_rules, report, django_assert_max_num_queries):
    """A JSON report without photos: ≤ 10 SQL statements (savepoints included) once the
    grid index and the calendar are warm, as they are in a running server."""
    report()
    get_grid_index()
    lat, lng = center_of(tree.grid_a1)
    with django_assert_max_num_queries(10):
        case = check_report(personas.resident, category="manhole", description="井盖缺失", channel="api", lat=lat, lng=lng)
    assert case.unit == personas.department


# -- a batch of reports (hotline imports) ------------------------------------------------------------


def test_a_batch_files_every_report_with_its_number_event_and_quiet_message(tree, personas, categories):
    from linli.cases.actions import do_report_many, prepare_report

    drafts = [
        prepare_report(personas.street_dispatcher, category="manhole", description=f"第{i}条", channel="hotline",
                       address="坑内社区", area_hint=tree.community_a)
        for i in range(5)
    ]
    with CaptureQueriesContext(connection) as captured:
        cases = do_report_many(personas.street_dispatcher, drafts, notify=False)
    stored = list(Case.objects.filter(pk__in=[case.pk for case in cases]).order_by("pk"))
    assert [case.number for case in stored] == [case.number for case in cases]
    assert all(case.number == f"{case.created_at.astimezone().year}-{case.pk:06d}" for case in stored)
    assert {case.queue_area_id for case in stored} == {tree.street_a.pk} and all(case.unlocated for case in stored)
    assert CaseEvent.objects.filter(case__in=stored, action="report").count() == 5
    messages = OutboxMessage.objects.filter(topic="case.reported")
    assert messages.count() == 5 and all(message.payload["quiet"] for message in messages)
    # one chain lookup for the one place, then one statement per table (not per report)
    assert len(captured.captured_queries) <= 8
    outbox.relay_pending()
    assert not Notification.objects.exists()  # quiet: no notice per imported case


def test_a_number_keeps_every_digit_past_six(tree, personas, categories):
    from linli.cases.actions import do_report_many, prepare_report

    draft = prepare_report(personas.street_dispatcher, category="manhole", description="x", channel="hotline",
                           address="坑内社区", area_hint=tree.community_a)
    with connection.cursor() as cursor:  # as if a million cases came before
        if connection.vendor == "postgresql":
            cursor.execute("SELECT setval(pg_get_serial_sequence('cases_case', 'id'), 1234566)")
        else:
            do_report_many(personas.street_dispatcher, [draft])  # makes the sqlite_sequence row
            cursor.execute("UPDATE sqlite_sequence SET seq = 1234566 WHERE name = 'cases_case'")
    case = do_report_many(personas.street_dispatcher, [draft])[0]
    assert case.pk == 1234567
    assert Case.objects.get(pk=case.pk).number == case.number == f"{case.created_at.astimezone().year}-{case.pk:06d}"
    assert len(case.number.split("-")[1]) == 7
