"""API v1: each app registers its viewsets on one router."""

from django.urls import re_path
from rest_framework.routers import DefaultRouter

from linli.accounts import api as accounts_api
from linli.core.api import json_404
from linli.orgs import api as orgs_api
from linli.places import api as places_api

router = DefaultRouter()
places_api.register(router)
orgs_api.register(router)
accounts_api.register(router)

urlpatterns = [
    *accounts_api.urlpatterns,
    *places_api.urlpatterns,
    *router.urls,
    # Unknown API paths answer JSON too, also with DEBUG on.
    re_path(r"^.*$", json_404),
]
