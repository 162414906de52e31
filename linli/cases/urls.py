from django.urls import path, register_converter

from . import views


class CaseNumberConverter:
    """Readable case numbers such as 2026-000123."""

    regex = r"[0-9A-Za-z][0-9A-Za-z-]{0,19}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return str(value)


register_converter(CaseNumberConverter, "case_number")

app_name = "cases"
urlpatterns = [
    path("report/", views.report, name="report"),
    path("report/duplicates/", views.duplicates, name="duplicates"),
    path("patrol/", views.patrol, name="patrol"),
    path("walk-in/", views.walk_in, name="walk_in"),
    path("queue/", views.queue, name="queue"),
    path("queue/dispatch/", views.bulk_dispatch, name="bulk_dispatch"),
    path("inbox/", views.inbox, name="inbox"),
    path("board/", views.board, name="board"),
    path("grids/", views.grid_lead, name="grid_lead"),
    path("<case_number:number>/verifier/", views.assign_verifier, name="assign_verifier"),
    path("tasks/", views.tasks, name="tasks"),
    path("mine/", views.mine, name="mine"),
    path("ledger/", views.ledger, name="ledger"),
    path("ledger/export/", views.ledger_export, name="ledger_export"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("photos/<int:pk>/thumb/", views.photo, {"thumbnail": True}, name="photo_thumb"),
    path("<case_number:number>/", views.detail, name="detail"),
    path("<case_number:number>/follow/", views.follow, name="follow"),
    path("<case_number:number>/place/", views.place, name="place"),
    path("<case_number:number>/reveal-phone/", views.reveal_phone, name="reveal_phone"),
    path("<case_number:number>/<slug:action>/", views.act, name="act"),
]
