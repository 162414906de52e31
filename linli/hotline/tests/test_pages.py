"""The hotline pages with the personas: who may import and see imports, the upload → mapping →
progress → result flow, the downloads, and the export in the source's own layout."""

import pytest
from django.urls import reverse

from linli.cases import actions as case_actions
from linli.hotline.choices import RESULT_COLUMNS
from linli.hotline.models import HotlineOrder, ImportJob
from linli.hotline.testing import HEADERS, order_row, upload, xlsx_bytes

from .conftest import read_xlsx

pytestmark = pytest.mark.django_db


def body_of(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_upload_map_and_follow_an_import_through_the_pages(client, personas, tree, categories, routing_rules,
                                                           django_capture_on_commit_callbacks):
    client.force_login(personas.street_dispatcher)
    page = client.get(reverse("hotline:index"))
    assert page.status_code == 200 and "upload-form" in page.content.decode()
    data = xlsx_bytes([order_row(1), order_row(2, 工单编号=None)])
    with django_capture_on_commit_callbacks() as reading:
        response = client.post(reverse("hotline:index"), {"source_name": "厦门市12345", "area": tree.street_a.code,
                                                          "file": upload("工单.xlsx", data)})
    job = ImportJob.objects.get()
    # The file is read in the background: the job page says so and polls until the mapping opens.
    assert response.status_code == 302 and response["Location"] == reverse("hotline:job", args=[job.pk])
    assert client.get(reverse("hotline:mapping", args=[job.pk]))["Location"] == reverse("hotline:job", args=[job.pk])
    html = client.get(reverse("hotline:job", args=[job.pk])).content.decode()
    assert 'data-status="reading"' in html and f'hx-get="{reverse("hotline:progress", args=[job.pk])}"' in html
    [read] = reading
    read()
    polled = client.get(reverse("hotline:progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert polled["HX-Redirect"] == reverse("hotline:mapping", args=[job.pk])
    job.refresh_from_db()
    mapping_page = client.get(reverse("hotline:mapping", args=[job.pk])).content.decode()
    assert 'value="工单编号" selected' in mapping_page and 'value="诉求地址" selected' in mapping_page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("hotline:mapping", args=[job.pk]), {**job.mapping, "coord_system": "wgs84"})
    assert response.status_code == 302 and response["Location"] == reverse("hotline:job", args=[job.pk])
    html = client.get(reverse("hotline:job", args=[job.pk])).content.decode()
    assert 'data-status="done"' in html and "hx-get" not in html  # finished: no more polling
    assert reverse("hotline:errors", args=[job.pk]) in html and reverse("hotline:export_job", args=[job.pk]) in html
    progress = client.get(reverse("hotline:progress", args=[job.pk])).content.decode()
    assert 'data-count="created">1<' in progress and 'data-count="failed">1<' in progress
    errors = client.get(reverse("hotline:errors", args=[job.pk]))
    assert errors.status_code == 200 and "attachment" in errors["Content-Disposition"]
    import io
    rows = read_xlsx(io.BytesIO(body_of(errors)))
    assert rows[1][0] == 3 and rows[1][3] == "number_required"
    listing = client.get(reverse("hotline:index")).content.decode()
    assert "工单.xlsx" in listing


def test_a_running_import_is_polled_with_htmx(client, personas, tree, uploaded):
    job = uploaded(xlsx_bytes([order_row(1)]), "a.xlsx")
    ImportJob.objects.filter(pk=job.pk).update(status="running", total=200, done=50)
    client.force_login(personas.street_dispatcher)
    html = client.get(reverse("hotline:job", args=[job.pk])).content.decode()
    assert f'hx-get="{reverse("hotline:progress", args=[job.pk])}"' in html and 'hx-trigger="every 2s"' in html
    assert 'aria-valuenow="25"' in html


def test_a_file_that_cannot_be_read_says_why_on_its_page(client, personas, uploaded):
    job = uploaded("工单编号,诉求内容\n".encode(), "a.csv")
    client.force_login(personas.street_dispatcher)
    html = client.get(reverse("hotline:job", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'data-testid="reading-failed"' in html and "没有工单" in html and "hx-get" not in html
    assert reverse("hotline:index") in html


def test_a_bad_upload_comes_back_with_the_error(client, personas, tree):
    client.force_login(personas.street_dispatcher)
    response = client.post(reverse("hotline:index"), {"source_name": "s", "area": tree.street_a.code,
                                                      "file": upload("a.xlsx", b"PK\x03\x04broken")})
    assert response.status_code == 400 and ImportJob.objects.count() == 0
    assert "is-invalid" in response.content.decode()


@pytest.mark.parametrize("who", ["resident", "department_handler", "grid_worker", "outsider", "org_admin"])
def test_only_dispatchers_may_import(client, personas, tree, who):
    client.force_login(getattr(personas, who))
    assert client.get(reverse("hotline:index")).status_code == 404
    response = client.post(reverse("hotline:index"), {"source_name": "s", "area": tree.street_a.code,
                                                      "file": upload("a.xlsx", xlsx_bytes([order_row(1)]))})
    assert response.status_code == 404 and ImportJob.objects.count() == 0


def test_another_streets_dispatcher_cannot_import_into_street_a(client, personas, tree):
    client.force_login(personas.other_street_dispatcher)
    response = client.post(reverse("hotline:index"), {"source_name": "s", "area": tree.street_a.code,
                                                      "file": upload("a.xlsx", xlsx_bytes([order_row(1)]))})
    assert response.status_code in (400, 404) and ImportJob.objects.count() == 0


def test_others_jobs_answer_404(client, hotline, personas):
    job = hotline(xlsx_bytes([order_row(1), order_row(2, 工单编号=None)]))
    urls = [reverse(name, args=[job.pk]) for name in
            ("hotline:job", "hotline:mapping", "hotline:progress", "hotline:errors", "hotline:export_job")]
    urls.append(reverse("hotline:export_source", args=[job.source_id]) + "?date_from=2026-01-01&date_to=2026-12-31")
    for who in ("resident", "department_handler", "other_street_dispatcher", "outsider"):
        client.force_login(getattr(personas, who))
        for url in urls:
            assert client.get(url).status_code == 404, (who, url)
    client.force_login(personas.other_street_dispatcher)
    assert "orders.xlsx" not in client.get(reverse("hotline:index")).content.decode()
    # A community's staff dispatch in their community only: a street's import is not theirs.
    client.force_login(personas.community_staff)
    assert client.get(reverse("hotline:job", args=[job.pk])).status_code == 404
    client.force_login(personas.system_admin)  # on the city
    assert client.get(reverse("hotline:job", args=[job.pk])).status_code == 200


def test_the_job_list_does_not_grow_queries_with_jobs(client, hotline, personas, django_assert_max_num_queries):
    client.force_login(personas.street_dispatcher)
    hotline(xlsx_bytes([order_row(1)]))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("hotline:index"))
    for i in range(2, 6):
        hotline(xlsx_bytes([order_row(i)]), name=f"f{i}.xlsx")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("hotline:index")).status_code == 200


def test_the_export_has_the_sources_headers_in_their_order_with_results(client, hotline, personas, photo_file):
    job = hotline(xlsx_bytes([order_row(i) for i in range(3)]))
    order = HotlineOrder.objects.filter(job=job).order_by("row_number").first()
    case = order.case
    for action, who, params in [("accept", "street_dispatcher", {}),
                                ("dispatch", "street_dispatcher", {"unit": personas.department}),
                                ("sign", "department_handler", {}),
                                ("resolve", "department_handler", {"note": "已更换井盖", "photos": [photo_file()]}),
                                ("verify", "grid_worker", {}), ("close", "street_dispatcher", {})]:
        case = case_actions.perform(getattr(personas, who), case, action, **params)
    client.force_login(personas.street_dispatcher)
    response = client.get(reverse("hotline:export_job", args=[job.pk]))
    assert response.status_code == 200
    import io
    rows = read_xlsx(io.BytesIO(body_of(response)))
    assert rows[0] == HEADERS  # same headers, same order: the result columns were in the file
    assert len(rows) == 4
    first = dict(zip(rows[0], rows[1]))
    assert first["工单编号"] == order.external_number and first["诉求地址"] == order_row(0)["诉求地址"]
    assert first["办理结果"] == "已更换井盖" and first["办结时间"] and first["办理状态"]
    assert all(dict(zip(rows[0], r))["办理结果"] in (None, "") for r in rows[2:])
    by_range = client.get(reverse("hotline:export_source", args=[job.source_id]) +
                          "?date_from=2026-03-01&date_to=2026-03-31")
    ranged = read_xlsx(io.BytesIO(body_of(by_range)))
    assert ranged[0] == HEADERS and len(ranged) == 4
    empty = client.get(reverse("hotline:export_source", args=[job.source_id]) + "?date_from=2025-01-01&date_to=2025-01-31")
    assert len(read_xlsx(io.BytesIO(body_of(empty)))) == 1


def test_results_are_appended_after_a_file_without_result_columns(client, hotline, personas):
    headers = [h for h in HEADERS if h not in RESULT_COLUMNS]
    job = hotline(xlsx_bytes([order_row(1)], headers=headers))
    client.force_login(personas.street_dispatcher)
    import io
    rows = read_xlsx(io.BytesIO(body_of(client.get(reverse("hotline:export_job", args=[job.pk])))))
    assert rows[0] == headers + list(RESULT_COLUMNS)
    assert dict(zip(rows[0], rows[1]))["办理状态"]


def test_the_export_costs_a_fixed_number_of_queries(client, hotline, personas, django_assert_max_num_queries):
    client.force_login(personas.street_dispatcher)
    small = hotline(xlsx_bytes([order_row(1)]))
    big = hotline(xlsx_bytes([order_row(i) for i in range(2, 40)]), name="big.xlsx")
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("hotline:export_job", args=[small.pk]))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("hotline:export_job", args=[big.pk])).status_code == 200
