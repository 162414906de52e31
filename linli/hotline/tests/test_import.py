"""Importing 12345 work orders: cases through check_report, idempotent per source, a row-by-row
error report, CSV encodings, the mapping remembered per source."""

from datetime import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from linli.cases.choices import Channel
from linli.cases.models import Case
from linli.hotline import actions
from linli.hotline.choices import JobStatus
from linli.hotline.files import detect_encoding
from linli.hotline.mapping import guess_mapping
from linli.hotline.models import HotlineOrder, ImportRowError
from linli.hotline.testing import HEADERS, csv_bytes, order_row, upload, xlsx_bytes

from .conftest import read_xlsx

pytestmark = pytest.mark.django_db


def test_good_rows_become_hotline_cases_in_the_clerks_street(hotline, tree, personas, categories):
    job = hotline(xlsx_bytes([order_row(i) for i in range(6)]))
    assert (job.status, job.total, job.done, job.created, job.skipped, job.failed) == (JobStatus.DONE, 6, 6, 6, 0, 0)
    orders = list(HotlineOrder.objects.filter(job=job).select_related("case", "case__area", "case__category")
                  .order_by("row_number"))
    assert [o.row_number for o in orders] == [2, 3, 4, 5, 6, 7]
    first = orders[0]
    case = first.case
    assert case.channel == Channel.HOTLINE and case.reporter == personas.street_dispatcher
    assert case.area == tree.grid_a1 and case.queue_area == tree.street_a  # 第一网格 named in the address
    assert orders[1].case.area == tree.grid_a2
    assert orders[2].case.area == tree.community_a and orders[2].case.unlocated  # only the community named
    assert case.category == categories.manhole and orders[2].case.category == categories.street_order
    assert case.reporter_name == "市民0" and case.reporter_phone == "13900000000"
    assert first.external_number == "GD202600000000" and first.values[0] == "GD202600000000"
    assert timezone.localtime(first.received_at).replace(tzinfo=None) == datetime(2026, 3, 2, 9, 0)
    # The hotline's due date stays on the order and is noted on the case, not put in its SLA.
    assert first.due_at is not None and "GD202600000000" in case.description and "2026-03-05" in case.description
    assert case.resolve_due is None
    assert all(o.case.area.path.startswith(tree.street_a.path) for o in orders)


def test_the_same_file_imported_twice_creates_nothing_new(hotline):
    data = xlsx_bytes([order_row(i) for i in range(20)])
    first = hotline(data)
    cases, orders = Case.objects.count(), HotlineOrder.objects.count()
    second = hotline(data, name="orders-again.xlsx")
    assert (first.created, second.created, second.skipped, second.failed) == (20, 0, 20, 0)
    assert (Case.objects.count(), HotlineOrder.objects.count()) == (cases, orders)


def test_the_database_refuses_a_second_order_with_the_same_number(hotline):
    job = hotline(xlsx_bytes([order_row(1)]))
    order = HotlineOrder.objects.get(job=job)
    other_case = Case.objects.exclude(pk=order.case_id).first() or order.case
    with pytest.raises(IntegrityError), transaction.atomic():
        HotlineOrder.objects.create(source=job.source, job=job, case=other_case, external_number=order.external_number,
                                    row_number=9)


def test_bad_rows_are_reported_row_by_row_and_the_good_ones_imported(hotline):
    rows = [
        order_row(1),
        order_row(2, 工单编号=None),  # row 3: missing number
        order_row(3, 诉求地址="湖里区某某路1号"),  # row 4: unknown address
        order_row(4, 来电时间="去年春天"),  # row 5: bad date
        order_row(5, 工单编号=order_row(1)["工单编号"]),  # row 6: duplicate of row 2
        order_row(6, 联系电话="12ab"),  # row 7: bad phone
        order_row(7, 诉求类型="外星人投诉"),  # row 8: unknown type, no fallback
        order_row(8, 诉求地址="中华街道文安社区"),  # row 9: another street's community
        order_row(9, 联系电话="0592-5551234"),  # landline: fine, kept on the order
        order_row(10, 办理时限="2026/03/09"),
    ]
    job = hotline(xlsx_bytes(rows))
    assert (job.created, job.failed, job.skipped, job.total) == (3, 7, 0, 10)
    by_row = {row[0]: row for row in read_xlsx(job.error_file.open("rb"))[1:]}
    assert read_xlsx(job.error_file.open("rb"))[0] == ["行号", "工单编号", "问题", "代码"]
    assert {row: item[3] for row, item in by_row.items()} == {
        3: "number_required", 4: "unknown_address", 5: "bad_date", 6: "duplicate_in_file", 7: "bad_phone",
        8: "unknown_category", 9: "unknown_address",
    }
    assert by_row[6][1] == order_row(1)["工单编号"] and "2" in by_row[6][2]
    assert all(item[2] for item in by_row.values())  # every problem has its text
    assert ImportRowError.objects.filter(job=job).count() == 7
    landline = HotlineOrder.objects.get(job=job, external_number=order_row(9)["工单编号"])
    assert landline.caller_phone == "0592-5551234" and landline.case.reporter_phone == ""
    assert set(HotlineOrder.objects.filter(job=job).values_list("row_number", flat=True)) == {2, 10, 11}
    # Nothing half-written: a case for every order and an order for every hotline case.
    assert Case.objects.filter(channel=Channel.HOTLINE).count() == 3


def test_an_unknown_type_goes_to_the_fallback_category(hotline, categories):
    job = hotline(xlsx_bytes([order_row(1, 诉求类型="外星人投诉"), order_row(2, 诉求类型="")]),
                  fallback_category=categories.dispute.pk)
    assert (job.created, job.failed) == (2, 0)
    assert {o.case.category for o in HotlineOrder.objects.filter(job=job)} == {categories.dispute}


def test_coordinates_in_the_street_place_the_case_on_its_grid(hotline, tree):
    headers = [*HEADERS, "经度", "纬度"]
    inside = order_row(1, 诉求地址="坑内社区", 经度=118.1031, 纬度=24.4711)  # in 第二网格
    outside = order_row(2, 诉求地址="坑内社区", 经度=118.0810, 纬度=24.4560)  # street B's grid: ignored
    job = hotline(xlsx_bytes([inside, outside], headers=headers))
    assert job.created == 2 and job.mapping["lng"] == "经度" and job.mapping["lat"] == "纬度"
    placed = {o.row_number: o.case for o in HotlineOrder.objects.filter(job=job).select_related("case")}
    assert placed[2].area == tree.grid_a2 and not placed[2].unlocated and placed[2].lat is not None
    assert placed[3].area == tree.community_a and placed[3].lat is None


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "utf-8"])
def test_csv_in_gb18030_and_utf8_with_or_without_bom(hotline, encoding):
    data = csv_bytes([order_row(i) for i in range(5)], encoding=encoding)
    assert detect_encoding(data) == {"gb18030": "gb18030", "utf-8-sig": "utf-8-sig", "utf-8": "utf-8"}[encoding]
    job = hotline(data, name="orders.csv")
    assert (job.file_format, job.created, job.failed) == ("csv", 5, 0)
    assert job.headers == HEADERS
    case = HotlineOrder.objects.filter(job=job).order_by("row_number").first().case
    assert case.reporter_name == "市民0" and "路灯不亮" in case.description


def test_a_title_row_above_the_headers_is_skipped(hotline):
    job = hotline(xlsx_bytes([order_row(1)], title="厦门市12345便民服务热线工单导出"))
    assert job.headers == HEADERS and job.created == 1
    assert HotlineOrder.objects.get(job=job).row_number == 3


def test_the_mapping_is_guessed_and_remembered_per_source(hotline, uploaded, personas, tree):
    headers = ["受理编号", "登记时间", "来电人", "来电号码", "问题描述", "事发地址", "问题类型", "备注"]
    guessed = guess_mapping(headers)
    assert guessed == {"external_number": "受理编号", "received_at": "登记时间", "caller_name": "来电人",
                       "phone": "来电号码", "description": "问题描述", "address": "事发地址", "category": "问题类型"}
    rows = [["A-1", "2026-03-02 09:00", "王", "", "路灯不亮", "坑内社区第一网格", "井盖", "x"]]
    job = hotline(xlsx_bytes(rows, headers=headers), source_name="区12345", mapping={"caller_name": ""})
    assert job.created == 1 and "caller_name" not in job.mapping
    job.source.refresh_from_db()
    assert job.source.mapping == job.mapping and job.source.headers == headers
    again = uploaded(xlsx_bytes(rows, headers=headers), "b.xlsx", source=job.source.pk)
    assert again.mapping == job.mapping  # the remembered one, not a fresh guess


def test_mapping_errors(hotline, uploaded, personas, tree):
    job = uploaded(xlsx_bytes([order_row(1)]), "a.xlsx")
    for mapping, code in [
        ({**job.mapping, "address": ""}, "field_required"),
        ({**job.mapping, "address": "没有这一列"}, "bad_mapping"),
        ({**job.mapping, "address": "诉求内容"}, "column_twice"),
        ({**job.mapping, "nonsense": "诉求内容"}, "bad_mapping"),
        ({**job.mapping, "lat": "办理结果"}, "field_required"),
    ]:
        with pytest.raises(actions.HotlineError) as error:
            actions.check_start_import(personas.street_dispatcher, job, mapping=mapping)
        assert error.value.code == code, mapping
    with pytest.raises(actions.HotlineError) as error:
        actions.check_start_import(personas.street_dispatcher, job, mapping=job.mapping, fallback_category="x")
    assert error.value.code == "unknown_category"
    job.refresh_from_db()
    assert job.status == JobStatus.MAPPING


def test_the_file_is_not_parsed_in_the_request(personas, tree, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        job = actions.check_upload(personas.street_dispatcher, upload=upload("a.xlsx", xlsx_bytes([order_row(1)])),
                                   area=tree.street_a, source_name="s")
    assert (job.status, job.headers, job.mapping) == (JobStatus.READING, [], {})
    assert len(callbacks) == 1  # the reading task, queued after the commit
    with pytest.raises(actions.HotlineError) as error:
        actions.check_start_import(personas.street_dispatcher, job, mapping={"address": "诉求地址"})
    assert error.value.code == "job_not_waiting"
    callbacks[0]()
    job.refresh_from_db()
    assert job.status == JobStatus.MAPPING and job.headers[0] == "工单编号"
    assert job.mapping["external_number"] == "工单编号"


@pytest.mark.parametrize("data", [b"PK\x03\x04 not really a zip", b"\xd0\xcf\x11\xe0\x00\x00old xls"])
def test_what_is_not_a_spreadsheet_is_refused_at_upload(personas, tree, data):
    with pytest.raises(actions.HotlineError) as error:
        actions.check_upload(personas.street_dispatcher, upload=upload("x.xlsx", data), area=tree.street_a,
                             source_name="s")
    assert error.value.code == "unreadable_file"


@pytest.mark.parametrize("data, code, words", [
    (b"", "unreadable_file", "读取"),
    ("工单编号,诉求内容\n".encode(), "no_rows", "没有工单"),
])
def test_files_that_cannot_be_read_fail_the_job_with_the_reason(uploaded, data, code, words):
    with translation.override("zh-hans"):
        job = uploaded(data, "x.xlsx")
        assert (job.status, job.message, job.failed_reading) == (JobStatus.FAILED, code, True)
        assert words in job.problem


def test_a_job_runs_once_even_if_the_task_is_delivered_twice(hotline):
    job = hotline(xlsx_bytes([order_row(1)]))
    assert hotline.run(job.pk) is None
    assert HotlineOrder.objects.count() == 1


def test_a_row_whose_order_cannot_be_written_leaves_no_case(hotline):
    """The case and its HotlineOrder share one savepoint: the order's unique constraint failing
    (another import filed the number meanwhile) takes the new case back with it."""
    from linli.hotline.rows import RowReader

    job = hotline(xlsx_bytes([order_row(1)]))
    cases = Case.objects.count()
    reader = RowReader(job)
    prepared = [
        actions.prepare_import_row(job, reader, number, [order_row(i).get(h) for h in HEADERS], known=set())[1]
        for number, i in ((2, 1), (3, 2))
    ]
    with transaction.atomic():
        assert actions.file_import_rows(job, prepared) == (1, 1)  # number 1 is filed already; 2 is new
    assert Case.objects.count() == cases + 1 and HotlineOrder.objects.count() == 2
