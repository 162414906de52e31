from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from linli.places.choices import CoordSystem
from linli.places.importer import ImportFileError, import_text


class Command(BaseCommand):
    help = (
        "Import or update areas from a GeoJSON FeatureCollection whose features have the properties "
        "code, name, level and parent_code. Idempotent by code; the whole file is checked first and "
        "nothing is written when any feature is invalid."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to a .geojson file (UTF-8)")
        parser.add_argument("--dry-run", action="store_true", help="check the file and report what would change")
        parser.add_argument(
            "--coord-system",
            choices=CoordSystem.values,
            default=CoordSystem.WGS84,
            help="datum of the file's coordinates; gcj02 for boundaries drawn on 高德/腾讯 maps (stored as WGS84)",
        )

    def handle(self, *args, file, dry_run, coord_system, **options):
        try:
            # utf-8-sig: files saved by Windows tools often start with a BOM.
            with open(file, encoding="utf-8-sig") as handle:
                text = handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(_("Cannot read %(file)s: %(error)s") % {"file": file, "error": exc}) from None

        def progress(done, total):
            self.stdout.write(_("%(done)d of %(total)d features written…") % {"done": done, "total": total})

        try:
            result = import_text(text, dry_run=dry_run, coord_system=coord_system, progress=progress)
        except ImportFileError as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(
                _("%(n)d problem(s) found in %(file)s; nothing was imported.") % {"n": len(exc.errors), "file": file}
            ) from None

        summary = _("Created %(created)d, updated %(updated)d (moved %(moved)d), unchanged %(unchanged)d.") % {
            "created": result.created,
            "updated": result.updated,
            "moved": result.moved,
            "unchanged": result.unchanged,
        }
        if dry_run:
            summary = _("Dry run, nothing was written. %(summary)s") % {"summary": summary}
        self.stdout.write(self.style.SUCCESS(summary))
