from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from asphub.audit.models import StandIn
from asphub.countries.models import Country
from asphub.countries.services import subdivisions_load_iso
from asphub.schools.csv_rows import SchoolFileError
from asphub.schools.services import SchoolImportRejected, schools_import


class Command(BaseCommand):
    help = (
        "Import or update schools from a CSV file (UTF-8, comma or semicolon separated). "
        "A file with errors imports nothing unless --skip-invalid is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--country",
            default=settings.ASPHUB_DEFAULT_COUNTRY,
            help="ISO 3166-1 code of the national network (default: %(default)s).",
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Import the valid rows and report the bad ones instead of importing nothing.",
        )

    def handle(self, *args, file: Path, country: str, skip_invalid: bool, **options):
        try:
            target = Country.objects.get(code=country.upper())
        except Country.DoesNotExist as missing:
            raise CommandError(
                _("Unknown country “%(code)s”. Run load_network first.") % {"code": country}
            ) from missing
        # A national network's first import needs its ISO 3166-2 subdivisions.
        subdivisions_load_iso(target)
        if not file.is_file():
            raise CommandError(_("No such file: %(file)s") % {"file": file})
        if file.stat().st_size > settings.ASPHUB_CSV_IMPORT_MAX_BYTES:
            raise CommandError(_("The file is too large to be a list of schools."))
        try:
            result = schools_import(
                actor=StandIn.COMMAND_LINE,
                country=target,
                content=file.read_bytes(),
                skip_invalid=skip_invalid,
            )
        except SchoolFileError as error:
            raise CommandError(str(error)) from error
        except SchoolImportRejected as rejected:
            for line, message in rejected.errors:
                self.stderr.write(
                    _("Line %(line)s: %(message)s") % {"line": line, "message": message}
                )
            raise CommandError(
                _(
                    "%(count)s bad rows; nothing was imported. Correct them, or run again with "
                    "--skip-invalid to import the other rows."
                )
                % {"count": len(rejected.errors)}
            ) from rejected
        if result.ignored_columns:
            self.stderr.write(
                _("Ignored columns this import does not know: %(columns)s")
                % {"columns": ", ".join(result.ignored_columns)}
            )
        for line, message in result.skipped:
            self.stderr.write(
                _("Skipped line %(line)s: %(message)s") % {"line": line, "message": message}
            )
        self.stdout.write(
            _(
                "Created %(created)s, updated %(updated)s, unchanged %(unchanged)s, "
                "skipped %(skipped)s."
            )
            % {
                "created": len(result.created),
                "updated": len(result.updated),
                "unchanged": len(result.unchanged),
                "skipped": len(result.skipped),
            }
        )
