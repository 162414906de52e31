"""The notification centre's API (mounted at /api/notifications/), each person's own only.

    GET   /api/notifications/?page=&unread=1   mine, newest first (paginated), with `unread_count`
    GET   /api/notifications/unread-count/     {"unread_count": n} (the bell)
    POST  /api/notifications/{id}/read/        mark one read; another person's (or none) answers 404
    POST  /api/notifications/read-all/         mark all read: {"marked": n}
    GET   /api/notifications/preferences/      {"sms_enabled": true}
    PATCH /api/notifications/preferences/      {"sms_enabled": false}: no SMS (login codes still come)

Errors are the API's JSON body {"code", "message", "fields"?}.
"""

from django.urls import path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from . import notify
from .api import PageNumberPagination, error_responses
from .models import Notification

ERRORS = error_responses("no such notification of yours")


class NotificationSerializer(serializers.ModelSerializer):
    unread = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "topic", "title", "body", "url", "created_at", "read_at", "unread"]

    def get_unread(self, obj) -> bool:
        return obj.read_at is None


class NotificationPagination(PageNumberPagination):
    page_size = 20

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["unread_count"] = notify.unread_count(self.request.user)
        return response

    def get_paginated_response_schema(self, schema):
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"]["unread_count"] = {"type": "integer", "example": 2}
        paginated["required"] = [*paginated.get("required", []), "unread_count"]
        return paginated


class PreferenceSerializer(serializers.Serializer):
    sms_enabled = serializers.BooleanField()


def mine(request):
    queryset = Notification.objects.filter(user=request.user).order_by("-created_at", "-id")
    if request.query_params.get("unread") in ("1", "true"):
        queryset = queryset.filter(read_at__isnull=True)
    return queryset


class NotificationListView(ListAPIView):
    serializer_class = NotificationSerializer
    pagination_class = NotificationPagination
    filter_backends = []

    def get_queryset(self):
        return mine(self.request)

    @extend_schema(summary="My notifications, newest first", responses={
        200: NotificationSerializer(many=True), 400: ERRORS[400], 401: ERRORS[401]})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class UnreadCountView(APIView):
    @extend_schema(summary="How many of my notifications are unread", responses={
        200: inline_serializer("UnreadCount", {"unread_count": serializers.IntegerField()}), 401: ERRORS[401]})
    def get(self, request):
        return Response({"unread_count": notify.unread_count(request.user)})


class ReadView(APIView):
    @extend_schema(summary="Mark one of my notifications read", request=None, responses={
        200: NotificationSerializer, 401: ERRORS[401], 404: ERRORS[404]})
    def post(self, request, pk):
        return Response(NotificationSerializer(notify.check_open(request.user, pk)).data)


class ReadAllView(APIView):
    @extend_schema(summary="Mark all my notifications read", request=None, responses={
        200: inline_serializer("MarkedRead", {"marked": serializers.IntegerField()}), 401: ERRORS[401]})
    def post(self, request):
        return Response({"marked": notify.do_mark_all_read(request.user)})


class PreferenceView(APIView):
    @extend_schema(summary="My notification settings", responses={200: PreferenceSerializer, 401: ERRORS[401]})
    def get(self, request):
        return Response({"sms_enabled": notify.sms_enabled(request.user)})

    @extend_schema(summary="Turn SMS notifications on or off (login codes are always sent)",
                   request=PreferenceSerializer,
                   responses={200: PreferenceSerializer, 400: ERRORS[400], 401: ERRORS[401]})
    def patch(self, request):
        body = PreferenceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        preference = notify.do_set_sms_enabled(request.user, body.validated_data["sms_enabled"])
        return Response({"sms_enabled": preference.sms_enabled})


urlpatterns = [
    path("notifications/", NotificationListView.as_view(), name="api-notifications"),
    path("notifications/unread-count/", UnreadCountView.as_view(), name="api-notifications-unread-count"),
    path("notifications/read-all/", ReadAllView.as_view(), name="api-notifications-read-all"),
    path("notifications/preferences/", PreferenceView.as_view(), name="api-notifications-preferences"),
    path("notifications/<str:pk>/read/", ReadView.as_view(), name="api-notifications-read"),
]
