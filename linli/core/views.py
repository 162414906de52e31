from django.http import HttpResponse

from .api import json_404, json_500


def home(request):
    return HttpResponse("Linli")


def page_not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return json_404(request, exception)
    from django.views.defaults import page_not_found as default

    return default(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        return json_500(request)
    from django.views.defaults import server_error as default

    return default(request)
