"""The API.

    /api/v1/...     places, organizations, accounts: `urlpatterns` below (each app registers
                    its viewsets on one router)
    /api/...        cases, categories, ledger (linli.cases.api), the OpenAPI schema and its
                    docs page: `root_urlpatterns`, included by config.urls after /api/v1/

Unknown paths under either answer a JSON 404, also with DEBUG on.
"""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter, SimpleRouter

import config.schema  # noqa: F401  (registers the bearer-token scheme with drf-spectacular)
from linli.accounts import api as accounts_api
from linli.cases import api as cases_api
from linli.core import notification_api, upload_api
from linli.core.api import json_404
from linli.orgs import api as orgs_api
from linli.places import api as places_api
from linli.points import api as points_api
from linli.service_orders import api as service_orders_api
from linli.volunteering import api as volunteering_api

router = DefaultRouter()
places_api.register(router)
orgs_api.register(router)
accounts_api.register(router)

urlpatterns = [
    *accounts_api.urlpatterns,
    *places_api.urlpatterns,
    *router.urls,
    re_path(r"^.*$", json_404),
]

# /api/ itself has no browsable root: the docs page is the index. (No ReDoc page: its
# template loads web fonts from another host.)
root_router = SimpleRouter()
cases_api.register(root_router)
volunteering_api.register(root_router)
service_orders_api.register(root_router)

root_urlpatterns = [
    *cases_api.urlpatterns,
    *volunteering_api.urlpatterns,
    *points_api.urlpatterns,
    *notification_api.urlpatterns,
    *upload_api.urlpatterns,
    *root_router.urls,
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    re_path(r"^.*$", json_404),
]
