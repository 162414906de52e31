"""The project's 404/403 pages for people also when DEBUG is on (the demo runs with DEBUG=1,
where Django would show its technical pages, which list every URL and confuse a resident).
API paths keep their JSON answers (linli.core.api)."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import Resolver404, get_resolver

from .api import is_api_path


class FriendlyErrorPagesMiddleware:
    """Under DEBUG only: without DEBUG Django already calls handler404 / handler403."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.DEBUG and not is_api_path(request):
            try:
                get_resolver(getattr(request, "urlconf", None)).resolve(request.path_info)
            except Resolver404 as error:
                from .views import page_not_found

                # CommonMiddleware (outside this one) still turns it into a redirect with a slash
                return page_not_found(request, error)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not settings.DEBUG or is_api_path(request):
            return None
        from .views import page_not_found, permission_denied

        if isinstance(exception, Http404):
            return page_not_found(request, exception)
        if isinstance(exception, PermissionDenied):
            return permission_denied(request, exception)
        return None
