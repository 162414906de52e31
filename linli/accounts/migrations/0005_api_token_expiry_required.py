from django.db import migrations, models


class Migration(migrations.Migration):
    # Separate from 0004: PostgreSQL refuses to alter a table with pending trigger events
    # from the data update in the same transaction.
    dependencies = [("accounts", "0004_api_token_expiry")]

    operations = [
        migrations.AlterField(
            model_name="apitoken", name="expires_at", field=models.DateTimeField(verbose_name="expires at"),
        ),
    ]
