"""Service certificates become core certificates (core.certificates): every row keeps its number,
token, issuer and time, so printed QR codes still check as genuine. The new table is built beside
the old one, filled, and takes its name once the old one is dropped (index names never collide)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

KIND = "volunteering.service"


def forwards(apps, schema_editor):
    Old = apps.get_model("volunteering", "ServiceCertificate")
    New = apps.get_model("volunteering", "CoreServiceCertificate")
    for old in Old.objects.select_related("volunteer", "organization").order_by("pk").iterator():
        New.objects.create(
            kind=KIND, number=old.number, token=old.token, holder_id=old.volunteer.user_id,
            holder_name=old.volunteer.name, issuer_name=old.organization.name, issued_by_id=old.issued_by_id,
            issued_at=old.issued_at, status="issued", volunteer_id=old.volunteer_id,
            organization_id=old.organization_id, date_from=old.date_from, date_to=old.date_to, hours=old.hours,
            entries=old.entries)


def backwards(apps, schema_editor):
    Old = apps.get_model("volunteering", "ServiceCertificate")
    New = apps.get_model("volunteering", "CoreServiceCertificate")
    Certificate = apps.get_model("core", "Certificate")
    for new in New.objects.order_by("pk").iterator():
        Old.objects.create(
            number=new.number, token=new.token, issued_by_id=new.issued_by_id, issued_at=new.issued_at,
            volunteer_id=new.volunteer_id, organization_id=new.organization_id, date_from=new.date_from,
            date_to=new.date_to, hours=new.hours, entries=new.entries)
    ids = list(New.objects.values_list("certificate_ptr_id", flat=True))
    New.objects.all().delete()
    Certificate.objects.filter(pk__in=ids).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0009_certificates"),
        ("orgs", "0003_membership_states"),
        ("volunteering", "0005_memberships_into_orgs"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CoreServiceCertificate",
            fields=[
                ("certificate_ptr", models.OneToOneField(
                    auto_created=True, on_delete=django.db.models.deletion.CASCADE, parent_link=True,
                    primary_key=True, serialize=False, to="core.certificate")),
                ("date_from", models.DateField(verbose_name="from")),
                ("date_to", models.DateField(verbose_name="to")),
                ("hours", models.DecimalField(decimal_places=2, max_digits=8, verbose_name="verified hours")),
                ("entries", models.JSONField(default=list, verbose_name="service content")),
                ("organization", models.ForeignKey(
                    on_delete=django.db.models.deletion.PROTECT, related_name="+",
                    to="orgs.organization", verbose_name="issuing organization")),
                ("volunteer", models.ForeignKey(
                    on_delete=django.db.models.deletion.PROTECT, related_name="+",
                    to="volunteering.volunteer", verbose_name="volunteer")),
            ],
            bases=("core.certificate",),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.DeleteModel(name="ServiceCertificate"),
        migrations.RenameModel(old_name="CoreServiceCertificate", new_name="ServiceCertificate"),
        migrations.AlterField(
            model_name="servicecertificate", name="organization",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="service_certificates",
                                    to="orgs.organization", verbose_name="issuing organization"),
        ),
        migrations.AlterField(
            model_name="servicecertificate", name="volunteer",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="certificates",
                                    to="volunteering.volunteer", verbose_name="volunteer"),
        ),
        migrations.AlterModelOptions(
            name="servicecertificate",
            options={"ordering": ["-issued_at", "-certificate_ptr"], "verbose_name": "volunteer service certificate",
                     "verbose_name_plural": "volunteer service certificates"},
        ),
        migrations.AddConstraint(
            model_name="servicecertificate",
            constraint=models.CheckConstraint(condition=models.Q(("date_to__gte", models.F("date_from"))),
                                              name="service_certificate_period"),
        ),
    ]
