"""The table of the rate-limit counters when there is no Redis (settings.CACHES["ratelimit"]):
created by `migrate`, so no deployment needs to remember `createcachetable`. Created whatever
the cache settings say today: a deployment that drops Redis later finds it there."""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

TABLE = "linli_rate_limit_cache"  # linli.core.ratelimit.CACHE_TABLE, as it was when this ran


def create_table(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)


def drop_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("core", "0005_notification_preference")]

    operations = [migrations.RunPython(create_table, drop_table, elidable=False)]
