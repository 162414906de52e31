"""Serializers of the cases API.

Input serializers check shapes only (a number is a number, a file is a file, an id fits
a bigint); what the values mean — an active category, a point we can place, a photo that
really is an image, a unit that exists, who may do what now — is decided by
`cases.actions`, so the pages and the API refuse the same things with the same codes.

Output: one case shape for every viewer, with `view` = "full" (the case is in the viewer's
`cases_for`) or "public" (only in `public_cases()`): the public view never carries the
reporter, event actors, notes or event data.
"""

from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from linli.accounts.models import mask_phone
from linli.core.api import TimelineEntrySerializer
from linli.core.ids import MAX_ID, CoordinateSerializerField  # larger ids are refused rather than overflowing the driver
from linli.places.choices import CoordSystem

from .actions.guards import PARAMS as PERFORM_PARAMS
from .choices import MAX_PHOTOS, TRANSITIONS, Action, CaseStatus, Channel
from .models import Case, CasePhoto
from .parties import reporter_visible

AREA_CODE_REGEX = r"^[0-9]{1,15}$"
MIN_YEAR, MAX_YEAR = 2000, 2999

# The parameters each action takes: `actions.perform`'s own table, plus `place` (a
# separate action, `actions.check_place`). Only these reach the action, so a stray field
# in a request is ignored rather than refused.
ACTION_PARAMS: dict[str, tuple[str, ...]] = {**PERFORM_PARAMS, Action.PLACE: ("area",)}
API_ACTIONS = [*TRANSITIONS, Action.PLACE]


def _photo_list(**kwargs):
    return serializers.ListField(
        child=serializers.FileField(allow_empty_file=False),
        required=False,
        help_text=format_lazy(_("Up to {n} photos (JPEG, PNG, HEIC or WebP), multipart only."), n=MAX_PHOTOS),
        **kwargs,
    )


# -- input ---------------------------------------------------------------------------------------


class ReportSerializer(serializers.Serializer):
    """A new case (JSON, or multipart with `photos`). Lengths, phone numbers, the category
    and the location are checked by `actions.check_report`, with its error codes."""

    category = serializers.CharField(help_text=_("category code, see /api/categories/"))
    description = serializers.CharField(allow_blank=True)
    lat = CoordinateSerializerField(required=False, allow_null=True, min_value=-90, max_value=90)
    lng = CoordinateSerializerField(required=False, allow_null=True, min_value=-180, max_value=180)
    coord_system = serializers.ChoiceField(choices=CoordSystem.choices, default=CoordSystem.WGS84)
    address = serializers.CharField(required=False, allow_blank=True, default="")
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.API)
    show_reporter_name = serializers.BooleanField(default=False)
    reporter_name = serializers.CharField(
        required=False, allow_blank=True, default="",
        help_text=_("for reports on a resident's behalf (patrol, walk-in, hotline)"),
    )
    reporter_phone = serializers.CharField(required=False, allow_blank=True, default="")
    area_hint = serializers.RegexField(
        AREA_CODE_REGEX, required=False, allow_null=True, default=None,
        help_text=_("area code standing in for coordinates on the walk_in and hotline channels"),
    )
    photos = _photo_list(default=list)


class CaseActionSerializer(serializers.Serializer):
    """One workflow action; the other fields are its parameters (those it does not take are ignored)."""

    action = serializers.ChoiceField(choices=[(action, Action(action).label) for action in API_ACTIONS])
    note = serializers.CharField(required=False, allow_blank=True)
    reason = serializers.CharField(
        required=False, allow_blank=True, help_text=_("required by reject, return, rework, reopen and escalate")
    )
    unit = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True,
        help_text=_("organization id: assist (required), dispatch (default: the routed unit), "
                    "claim (default: your unit)"),
    )
    board_area = serializers.RegexField(
        AREA_CODE_REGEX, required=False, allow_null=True,
        help_text=_("area code of the claim board for publish (default: the case's queue)"),
    )
    area = serializers.RegexField(AREA_CODE_REGEX, required=False, allow_null=True,
                                  help_text=_("grid code for place (an unlocated case)"))
    rating = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    comment = serializers.CharField(required=False, allow_blank=True)
    photos = _photo_list()

    def action_params(self):
        """Keyword arguments for the action: the parameters it takes that the request gave."""
        data = self.validated_data
        return {name: data[name] for name in ACTION_PARAMS[data["action"]] if data.get(name) is not None}


class DuplicateQuerySerializer(serializers.Serializer):
    category = serializers.CharField(max_length=40, help_text=_("category code"))
    lat = CoordinateSerializerField(min_value=-90, max_value=90)
    lng = CoordinateSerializerField(min_value=-180, max_value=180)
    coord_system = serializers.ChoiceField(choices=CoordSystem.choices, default=CoordSystem.WGS84)


class LedgerQuerySerializer(serializers.Serializer):
    area = serializers.RegexField(AREA_CODE_REGEX, help_text=_("area code"))

    def get_fields(self):
        # "from" is a Python keyword, so these two are added here rather than declared.
        fields = super().get_fields()
        fields["from"] = serializers.DateField(required=False, help_text=_("first day (default: 1 January this year)"))
        fields["to"] = serializers.DateField(required=False, help_text=_("last day, included (default: today)"))
        return fields

    def validate(self, attrs):
        for name in ("from", "to"):
            # Far-off dates overflow the time zone arithmetic; no case is that old or new.
            if attrs.get(name) and not MIN_YEAR <= attrs[name].year <= MAX_YEAR:
                raise serializers.ValidationError({name: [_("Choose a date between %(a)d and %(b)d.")
                                                          % {"a": MIN_YEAR, "b": MAX_YEAR}]})
        if attrs.get("from") and attrs.get("to") and attrs["from"] > attrs["to"]:
            raise serializers.ValidationError({"to": [_("The period ends before it starts.")]})
        return attrs


# -- output --------------------------------------------------------------------------------------


class ActionNotAllowedSerializer(serializers.Serializer):
    code = serializers.CharField(default="action_not_allowed")
    message = serializers.CharField()
    allowed_actions = serializers.ListField(child=serializers.CharField())


class CaseCategorySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()


class CaseAreaSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()


class CaseUnitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()


class CaseBriefSerializer(serializers.ModelSerializer):
    """What anyone may see of a case (duplicate suggestions)."""

    status_label = serializers.CharField(source="get_status_display")
    category = CaseCategorySerializer()
    area = CaseAreaSerializer(allow_null=True)

    class Meta:
        model = Case
        fields = ["number", "status", "status_label", "category", "description", "address", "lat", "lng", "area",
                  "created_at"]
        read_only_fields = fields


class DuplicateSerializer(CaseBriefSerializer):
    distance = serializers.FloatField(help_text=_("metres from the given point"))

    class Meta(CaseBriefSerializer.Meta):
        fields = [*CaseBriefSerializer.Meta.fields, "distance"]
        read_only_fields = fields

    def to_representation(self, case):
        body = super().to_representation(case)
        body["distance"] = round(case.distance, 1)
        return body


class CaseListSerializer(CaseBriefSerializer):
    """A row of the queue (cases the user may see)."""

    unit = CaseUnitSerializer(allow_null=True)

    class Meta(CaseBriefSerializer.Meta):
        fields = [*CaseBriefSerializer.Meta.fields, "channel", "unlocated", "priority", "sla_state", "unit",
                  "accept_due", "resolve_due", "updated_at"]
        read_only_fields = fields


_DATETIME = serializers.DateTimeField()  # formats as the API does everywhere (local time, ISO 8601)


class CaseCreatedSerializer(serializers.Serializer):
    """The answer to a report: what the reporter's app shows at once, built from the case in
    memory (no query). The full detail is at `url` (and in the `Location` header)."""

    number = serializers.CharField()
    url = serializers.URLField(help_text=_("the case's detail in the API"))
    status = serializers.ChoiceField(choices=CaseStatus.choices)
    status_label = serializers.CharField()
    channel = serializers.ChoiceField(choices=Channel.choices)
    category = CaseCategorySerializer()
    area = CaseAreaSerializer(allow_null=True)
    queue_area = CaseAreaSerializer(allow_null=True)
    unlocated = serializers.BooleanField()
    priority = serializers.IntegerField()
    accept_due = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()

    @classmethod
    def body(cls, case, url):
        """The representation, by hand: a serializer instance per request costs more than the intake's SQL."""

        def area(row):
            return None if row is None else {"code": row.code, "name": row.name, "level": row.level}

        when = _DATETIME.to_representation
        category = case.category
        return {
            "number": case.number,
            "url": url,
            "status": case.status,
            "status_label": str(CaseStatus(case.status).label),
            "channel": case.channel,
            "category": {"code": category.code, "name": category.name, "kind": category.kind},
            "area": area(case.area),
            "queue_area": area(case.queue_area),
            "unlocated": case.unlocated,
            "priority": case.priority,
            "accept_due": when(case.accept_due) if case.accept_due else None,
            "created_at": when(case.created_at),
        }


class PhotoSerializer(serializers.ModelSerializer):
    """A photo; `event` is the timeline entry it belongs to (the report, a resolve's evidence or a verification's on-site photos).
    The files are served by the case pages, to those who may see the case (never a public media URL)."""

    image = serializers.SerializerMethodField()
    thumbnail = serializers.SerializerMethodField()

    class Meta:
        model = CasePhoto
        fields = ["id", "event", "image", "thumbnail", "width", "height"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_image(self, photo):
        return self._url("cases:photo", photo)

    @extend_schema_field(OpenApiTypes.URI)
    def get_thumbnail(self, photo):
        return self._url("cases:photo_thumb", photo)

    def _url(self, name, photo):
        return self.context["request"].build_absolute_uri(reverse(name, args=[photo.pk]))


class ActorSerializer(serializers.Serializer):
    name = serializers.CharField()


class EventSerializer(TimelineEntrySerializer):
    """A timeline entry. `actor`, `note` and `data` are null in the public view; the actor
    is also null where it is the reporter and the viewer may not see who reported."""

    id = serializers.IntegerField(read_only=True)
    action = serializers.ChoiceField(choices=Action.choices, read_only=True)
    from_status = serializers.ChoiceField(choices=CaseStatus.choices, allow_blank=True, read_only=True)
    to_status = serializers.ChoiceField(choices=CaseStatus.choices, allow_blank=True, read_only=True)
    actor = serializers.SerializerMethodField()
    note = serializers.SerializerMethodField()
    data = serializers.SerializerMethodField()

    @extend_schema_field(ActorSerializer(allow_null=True))
    def get_actor(self, event):
        shown = self.context["view"] == "full" and event.actor is not None
        if shown and event.actor_id == self.context["case"].reporter_id and not self.context["show_reporter"]:
            shown = False
        return {"name": event.actor.name or event.actor.masked_phone} if shown else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_note(self, event):
        return event.note if self.context["view"] == "full" else None

    @extend_schema_field({"type": "object", "additionalProperties": True, "nullable": True})
    def get_data(self, event):
        if self.context["view"] != "full":
            return None
        # The report event may name an on-behalf reporter.
        if event.action == Action.REPORT and not self.context["show_reporter"]:
            return None
        return event.data


class ReporterSerializer(serializers.Serializer):
    name = serializers.CharField()
    phone = serializers.CharField(help_text=_("masked, except for the reporter themselves"))


class CaseDetailSerializer(CaseListSerializer):
    """A case with its photos, timeline and the actions the viewer may take now.

    Context: request, view ("full" | "public"), show_reporter, allowed_actions, following."""

    view = serializers.SerializerMethodField()
    channel_label = serializers.CharField(source="get_channel_display")
    priority_label = serializers.CharField(source="get_priority_display")
    sla_state_label = serializers.CharField(source="get_sla_state_display")
    queue_area = CaseAreaSerializer(allow_null=True)
    board_area = CaseAreaSerializer(allow_null=True)
    assisting_units = serializers.SerializerMethodField()
    reporter = serializers.SerializerMethodField()
    rating_comment = serializers.SerializerMethodField()
    photos = PhotoSerializer(many=True)
    timeline = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()
    following = serializers.SerializerMethodField()

    class Meta(CaseListSerializer.Meta):
        fields = [
            "view", *CaseListSerializer.Meta.fields, "channel_label", "priority_label", "sla_state_label",
            "queue_area", "board_area", "published_at", "assisting_units", "escalation_level", "supervised",
            "reminder_count", "rework_count", "reopened", "reporter", "show_reporter_name", "rating",
            "rating_comment", "accepted_at", "dispatched_at", "resolved_at", "closed_at", "rated_at", "photos",
            "timeline", "allowed_actions", "following",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=["full", "public"]))
    def get_view(self, case):
        return self.context["view"]

    @extend_schema_field(CaseUnitSerializer(many=True))
    def get_assisting_units(self, case):
        return CaseUnitSerializer([assist.unit for assist in case.assists.all()], many=True).data

    @extend_schema_field(ReporterSerializer(allow_null=True))
    def get_reporter(self, case):
        if not self.context["show_reporter"]:
            return None
        user = case.reporter
        # On-behalf reports name the resident; the account is the staff member who filed it.
        name = case.reporter_name or (user.name if user else "")
        phone = case.reporter_phone or (user.phone if user else "")
        viewer = self.context["request"].user
        if not (user is not None and user.pk == viewer.pk and not case.reporter_phone):
            phone = mask_phone(phone)
        return {"name": name, "phone": phone}

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_rating_comment(self, case):
        return case.rating_comment if self.context["view"] == "full" else None

    @extend_schema_field(EventSerializer(many=True))
    def get_timeline(self, case):
        context = {**self.context, "case": case}
        return EventSerializer(case.events.all(), many=True, context=context).data

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, case):
        return list(self.context["allowed_actions"])

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_following(self, case):
        return self.context["following"]

    def to_representation(self, case):
        body = super().to_representation(case)
        if self.context["view"] != "full":
            body["show_reporter_name"] = None
        return body


class CategoryNodeSerializer(serializers.Serializer):
    """A category with its time limits (inherited from the nearest ancestor that sets them)."""

    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    accept_hours = serializers.IntegerField(allow_null=True, help_text=_("accept within N working hours"))
    resolve_days = serializers.IntegerField(allow_null=True, help_text=_("resolve within N working days"))
    default_priority = serializers.IntegerField()

    def get_fields(self):
        # Declared here because the class refers to itself.
        fields = super().get_fields()
        fields["children"] = CategoryNodeSerializer(many=True)
        return fields


class FollowSerializer(serializers.Serializer):
    number = serializers.CharField()
    following = serializers.BooleanField()


class LedgerRowSerializer(serializers.Serializer):
    """Counts of the cases reported in the period (see linli.cases.ledger); rates are 0–1, null
    when there is nothing to divide by."""

    key = serializers.CharField(help_text=_("category code or area code"))
    name = serializers.CharField()
    collected = serializers.IntegerField()
    resolved = serializers.IntegerField()
    rejected = serializers.IntegerField()
    open = serializers.IntegerField()
    overdue = serializers.IntegerField()
    due = serializers.IntegerField(help_text=_("cases whose time limit fell in the period, up to now"))
    on_time = serializers.IntegerField(help_text=_("of the due, resolved within their time limit"))
    late = serializers.IntegerField(help_text=_("of the due, still open past their limit or resolved after it"))
    rated = serializers.IntegerField()
    satisfied = serializers.IntegerField()
    reworked = serializers.IntegerField()
    on_time_rate = serializers.FloatField(allow_null=True, help_text=_("on_time / due"))
    satisfaction_rate = serializers.FloatField(allow_null=True)
    rework_rate = serializers.FloatField(allow_null=True)
    mean_handling_hours = serializers.FloatField(allow_null=True)


class LedgerSerializer(LedgerRowSerializer):
    area = CaseAreaSerializer()
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    by_category = LedgerRowSerializer(many=True, help_text=_("by top-level class"))
    by_child_area = LedgerRowSerializer(many=True)
