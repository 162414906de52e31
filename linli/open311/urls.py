from django.urls import path, re_path

from . import views

app_name = "open311"
urlpatterns = [
    path("v2/", views.endpoint, {"path": ""}, name="root"),
    # Every path under v2/ goes to one view: unknown ones answer the spec's 404 error list.
    re_path(r"^v2/(?P<path>.*)$", views.endpoint, name="endpoint"),
    path("screening/", views.screening, name="screening"),
    path("screening/<int:pk>/release/", views.release, name="release"),
    path("screening/<int:pk>/reject/", views.reject, name="reject"),
]
