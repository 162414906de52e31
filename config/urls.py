from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from config.api_urls import root_urlpatterns as api_root_urlpatterns

admin.site.site_header = _("Linli back office")
admin.site.site_title = _("Linli")
admin.site.index_title = _("Back office")

def favicon(request):
    """/favicon.ico, which browsers ask for on every page without a <link rel=icon> (the admin's,
    a PDF, an export): the app's icon, not a 404 in the log."""
    from django.templatetags.static import static
    from django.views.generic import RedirectView

    return RedirectView.as_view(url=static("img/favicon.svg"), permanent=True)(request)


def admin_login(request):
    """The back office signs in through the staff sign-in page, so its passwords are guessed
    against the same budgets (linli.accounts.views), never against Django's unlimited form."""
    from django.shortcuts import redirect
    from django.urls import reverse
    from django.utils.http import url_has_allowed_host_and_scheme, urlencode

    target = request.GET.get("next") or reverse("admin:index")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("admin:index")
    return redirect(reverse("accounts:login") + "?" + urlencode({"next": target}))


urlpatterns = [
    path("favicon.ico", favicon),
    path("admin/login/", admin_login),
    path("", include("linli.site.urls")),
    path("", include("linli.core.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("linli.accounts.urls")),
    path("places/", include("linli.places.urls")),
    path("orgs/", include("linli.orgs.urls")),
    path("cases/", include("linli.cases.urls")),
    path("open311/", include("linli.open311.urls")),
    path("hotline/", include("linli.hotline.urls")),
    path("webhooks/", include("linli.webhooks.urls")),
    path("points/", include("linli.points.urls")),
    path("volunteering/", include("linli.volunteering.urls")),
    path("service-orders/", include("linli.service_orders.urls")),
    path("onboarding/", include("linli.onboarding.urls")),
    path("api/v1/", include("config.api_urls")),
    # cases, categories, ledger, schema and docs; after v1, whose catch-all owns /api/v1/...
    path("api/", include(api_root_urlpatterns)),
    path("admin/", admin.site.urls),
]

# Under /api/ each answers the API's JSON error body (linli.core.api).
handler400 = "linli.core.api.bad_request"
handler403 = "linli.core.views.permission_denied"
handler404 = "linli.core.views.page_not_found"
handler500 = "linli.core.views.server_error"
