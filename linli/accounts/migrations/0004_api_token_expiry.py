from datetime import timedelta

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def give_existing_tokens_an_expiry(apps, schema_editor):
    # Tokens issued before expiry existed get the full term from today, so no integration
    # stops the day this is deployed.
    ApiToken = apps.get_model("accounts", "ApiToken")
    ApiToken.objects.filter(expires_at__isnull=True).update(
        expires_at=timezone.now() + timedelta(days=getattr(settings, "API_TOKEN_TTL_DAYS", 90))
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_role_uniqueness_code_index")]

    operations = [
        migrations.AddField(
            model_name="apitoken", name="expires_at", field=models.DateTimeField(null=True, verbose_name="expires at"),
        ),
        migrations.RunPython(give_existing_tokens_an_expiry, migrations.RunPython.noop),
    ]
