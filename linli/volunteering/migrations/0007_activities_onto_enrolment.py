"""Activities become enrolment sessions; their venues, sign-ups and attendance move into the
enrolment engine's tables. Every row keeps its id (outbox payloads, points references
"activity:<id>" and idempotency keys "attendance:<id>" stay true), its times and its states.
The new activity table is built beside the old one and takes its name once the old one is gone."""

from datetime import timedelta

import django.db.models.deletion
from django.conf import settings
from django.core.management.color import no_style
from django.db import migrations, models

OWNER = "volunteering.activity"
LATE_AFTER = timedelta(minutes=10)  # enrolment.actions.LATE_AFTER when this migration was written
SESSION_FIELDS = ("title", "starts_at", "ends_at", "signup_opens_at", "signup_closes_at", "status", "cancelled_at")
ACTIVITY_FIELDS = ("organization_id", "service_area", "description", "area_id", "place", "required_skills",
                   "points_per_hour", "is_published", "cancel_reason", "cancelled_by_id", "created_by_id",
                   "created_at")
VENUE_FIELDS = ("id", "name", "is_main", "capacity", "lat", "lng", "geofence_m")
ENROLMENT_FIELDS = ("id", "venue_id", "user_id", "status", "created_at", "cancelled_at", "reminded_at")
ATTENDANCE_FIELDS = ("id", "method", "checked_in_at", "checked_out_at", "auto_checked_out", "hours", "status",
                     "reject_reason", "verified_by_id", "verified_at", "points")


def _copy(row, fields, **more):
    return {**{name: getattr(row, name) for name in fields}, **more}


def _keep_times(*models_):
    """The historical copies stamp auto_now_add on insert: keep the rows' own times instead."""
    for model in models_:
        model._meta.get_field("created_at").auto_now_add = False


def _reset_sequences(schema_editor, models_):
    for statement in schema_editor.connection.ops.sequence_reset_sql(no_style(), models_):
        schema_editor.execute(statement)


def _models(apps):
    return [apps.get_model("volunteering", name) for name in ("Activity", "Venue", "Signup", "Attendance",
                                                             "SessionActivity")] + [
        apps.get_model("enrolment", name) for name in ("Session", "Venue", "Enrolment", "Attendance")]


def forwards(apps, schema_editor):
    (OldActivity, OldVenue, OldSignup, OldAttendance, NewActivity, Session, Venue, Enrolment,
     Attendance) = _models(apps)
    _keep_times(NewActivity, Enrolment)
    starts = {}
    for old in OldActivity.objects.order_by("pk").iterator():
        Session.objects.create(id=old.pk, owner=f"{OWNER}:{old.pk}", **_copy(old, SESSION_FIELDS))
        activity = NewActivity(session_ptr_id=old.pk, id=old.pk, **_copy(old, SESSION_FIELDS),
                               owner=f"{OWNER}:{old.pk}", **_copy(old, ACTIVITY_FIELDS))
        activity.save_base(raw=True)  # the session row is written above, with the same id
        starts[old.pk] = old.starts_at
    Venue.objects.bulk_create(Venue(session_id=v.activity_id, **_copy(v, VENUE_FIELDS))
                              for v in OldVenue.objects.order_by("pk").iterator())
    Enrolment.objects.bulk_create(Enrolment(session_id=s.activity_id, **_copy(s, ENROLMENT_FIELDS))
                                  for s in OldSignup.objects.order_by("pk").iterator())
    Attendance.objects.bulk_create(
        Attendance(enrolment_id=a.signup_id, **_copy(a, ATTENDANCE_FIELDS),
                   presence="late" if a.checked_in_at > starts[a.signup.activity_id] + LATE_AFTER else "present")
        for a in OldAttendance.objects.select_related("signup").order_by("pk").iterator())
    _reset_sequences(schema_editor, [Session, Venue, Enrolment, Attendance])


def backwards(apps, schema_editor):
    (OldActivity, OldVenue, OldSignup, OldAttendance, NewActivity, Session, Venue, Enrolment,
     Attendance) = _models(apps)
    _keep_times(OldActivity, OldSignup)
    ids = list(NewActivity.objects.values_list("pk", flat=True))
    for new in NewActivity.objects.order_by("pk").iterator():
        OldActivity.objects.create(id=new.pk, **_copy(new, SESSION_FIELDS), **_copy(new, ACTIVITY_FIELDS))
    OldVenue.objects.bulk_create(OldVenue(activity_id=v.session_id, **_copy(v, VENUE_FIELDS))
                                 for v in Venue.objects.filter(session_id__in=ids).order_by("pk"))
    OldSignup.objects.bulk_create(OldSignup(activity_id=e.session_id, **_copy(e, ENROLMENT_FIELDS))
                                  for e in Enrolment.objects.filter(session_id__in=ids).order_by("pk"))
    OldAttendance.objects.bulk_create(
        OldAttendance(signup_id=a.enrolment_id, **_copy(a, ATTENDANCE_FIELDS))
        for a in Attendance.objects.filter(enrolment__session_id__in=ids, checked_in_at__isnull=False).order_by("pk"))
    NewActivity.objects.all().delete()
    Session.objects.filter(pk__in=ids).delete()  # venues, enrolments and attendance with them
    _reset_sequences(schema_editor, [OldActivity, OldVenue, OldSignup, OldAttendance])


class Migration(migrations.Migration):

    dependencies = [
        ("enrolment", "0001_initial"),
        ("orgs", "0003_membership_states"),
        ("places", "0001_initial"),
        ("volunteering", "0006_certificates_onto_core"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SessionActivity",
            fields=[
                ("session_ptr", models.OneToOneField(
                    auto_created=True, on_delete=django.db.models.deletion.CASCADE, parent_link=True,
                    primary_key=True, serialize=False, to="enrolment.session")),
                ("service_area", models.CharField(choices=[
                    ("elderly", "Elderly care"), ("children", "Children and youth"), ("environment", "Environment"),
                    ("health", "Health"), ("culture", "Culture and education"), ("governance", "Community affairs"),
                    ("emergency", "Emergency relief"), ("other", "Other")], max_length=16, verbose_name="type")),
                ("description", models.TextField(blank=True, verbose_name="description")),
                ("place", models.CharField(max_length=200, verbose_name="place")),
                ("required_skills", models.JSONField(blank=True, default=list, verbose_name="required skills")),
                ("points_per_hour", models.PositiveIntegerField(default=10, verbose_name="points per verified hour")),
                ("is_published", models.BooleanField(default=True, verbose_name="published")),
                ("cancel_reason", models.CharField(blank=True, max_length=200, verbose_name="reason for cancelling")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("area", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                           to="places.area", verbose_name="area")),
                ("cancelled_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                                   related_name="+", to=settings.AUTH_USER_MODEL)),
                ("created_by", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                                 to=settings.AUTH_USER_MODEL)),
                ("organization", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                                   to="orgs.organization", verbose_name="organizer")),
            ],
            options={"verbose_name": "activity", "verbose_name_plural": "activities"},
            bases=("enrolment.session",),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.DeleteModel(name="Attendance"),
        migrations.DeleteModel(name="Signup"),
        migrations.DeleteModel(name="Venue"),
        migrations.DeleteModel(name="Activity"),
        migrations.RenameModel(old_name="SessionActivity", new_name="Activity"),
        migrations.AlterField(
            model_name="activity", name="organization",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="activities",
                                    to="orgs.organization", verbose_name="organizer"),
        ),
    ]
