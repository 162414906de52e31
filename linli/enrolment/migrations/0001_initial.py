import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Session",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("owner", models.CharField(db_index=True, max_length=64, verbose_name="owner")),
                ("title", models.CharField(max_length=120, verbose_name="title")),
                ("starts_at", models.DateTimeField(db_index=True, verbose_name="starts at")),
                ("ends_at", models.DateTimeField(verbose_name="ends at")),
                ("signup_opens_at", models.DateTimeField(verbose_name="sign-up opens")),
                ("signup_closes_at", models.DateTimeField(verbose_name="sign-up closes")),
                ("status", models.CharField(choices=[("scheduled", "Scheduled"), ("cancelled", "Cancelled")],
                                            default="scheduled", max_length=12, verbose_name="status")),
                ("cancelled_at", models.DateTimeField(blank=True, null=True, verbose_name="cancelled at")),
            ],
            options={
                "verbose_name": "session",
                "verbose_name_plural": "sessions",
                "constraints": [models.CheckConstraint(condition=models.Q(("ends_at__gt", models.F("starts_at"))),
                                                       name="session_ends_after_start")],
            },
        ),
        migrations.CreateModel(
            name="Venue",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=120, verbose_name="venue")),
                ("is_main", models.BooleanField(default=False, verbose_name="main venue")),
                ("capacity", models.PositiveIntegerField(verbose_name="capacity")),
                ("lat", models.FloatField(blank=True, null=True, verbose_name="latitude")),
                ("lng", models.FloatField(blank=True, null=True, verbose_name="longitude")),
                ("geofence_m", models.PositiveIntegerField(blank=True, null=True, verbose_name="check-in radius (m)")),
                ("session", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="venues",
                                              to="enrolment.session", verbose_name="session")),
            ],
            options={
                "verbose_name": "venue",
                "verbose_name_plural": "venues",
                "ordering": ["-is_main", "id"],
                "constraints": [models.UniqueConstraint(condition=models.Q(("is_main", True)), fields=("session",),
                                                        name="venue_one_main_per_session")],
            },
        ),
        migrations.CreateModel(
            name="Enrolment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("status", models.CharField(choices=[("confirmed", "Confirmed"), ("waitlisted", "On the waiting list"),
                                                     ("cancelled", "Cancelled")], max_length=12, verbose_name="status")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="signed up at")),
                ("cancelled_at", models.DateTimeField(blank=True, null=True)),
                ("reminded_at", models.DateTimeField(blank=True, null=True)),
                ("session", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="enrolments",
                                              to="enrolment.session", verbose_name="session")),
                ("user", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="enrolments",
                                           to=settings.AUTH_USER_MODEL, verbose_name="person")),
                ("venue", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="enrolments",
                                            to="enrolment.venue", verbose_name="venue")),
            ],
            options={
                "verbose_name": "enrolment",
                "verbose_name_plural": "enrolments",
                "indexes": [models.Index(fields=["venue", "status", "id"], name="enrolment_venue_queue")],
                "constraints": [models.UniqueConstraint(condition=models.Q(("status", "cancelled"), _negated=True),
                                                        fields=("session", "user"),
                                                        name="enrolment_one_live_per_person")],
            },
        ),
        migrations.CreateModel(
            name="Attendance",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("presence", models.CharField(choices=[("present", "Present"), ("late", "Late"), ("excused", "Excused"),
                                                       ("absent", "Absent"), ("not_applicable", "Not applicable")],
                                              default="present", max_length=16, verbose_name="attendance")),
                ("method", models.CharField(choices=[("qr", "QR code"), ("leader", "Marked by the organizer")],
                                            max_length=8, verbose_name="how")),
                ("checked_in_at", models.DateTimeField(blank=True, null=True, verbose_name="checked in")),
                ("checked_out_at", models.DateTimeField(blank=True, null=True, verbose_name="checked out")),
                ("auto_checked_out", models.BooleanField(default=False, verbose_name="checked out automatically")),
                ("hours", models.DecimalField(decimal_places=2, default=0, max_digits=6, verbose_name="hours")),
                ("status", models.CharField(choices=[("pending", "Waiting for verification"), ("approved", "Approved"),
                                                     ("rejected", "Rejected")], default="pending", max_length=10,
                                            verbose_name="status")),
                ("reject_reason", models.CharField(blank=True, max_length=200, verbose_name="reason")),
                ("verified_at", models.DateTimeField(blank=True, null=True)),
                ("points", models.IntegerField(default=0, verbose_name="points")),
                ("enrolment", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE,
                                                   related_name="attendance", to="enrolment.enrolment",
                                                   verbose_name="enrolment")),
                ("verified_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                                  related_name="+", to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "verbose_name": "attendance",
                "verbose_name_plural": "attendances",
            },
        ),
    ]
