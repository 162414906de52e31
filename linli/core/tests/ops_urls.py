"""A URL conf for test_ops: the site's URLs plus a view that fails."""

from django.urls import path

from config.urls import handler500, urlpatterns as site_urlpatterns  # noqa: F401  (handler500 is used by Django)


def broken(request):
    raise ZeroDivisionError("the view broke")


urlpatterns = [path("ops-test/broken/", broken), *site_urlpatterns]
