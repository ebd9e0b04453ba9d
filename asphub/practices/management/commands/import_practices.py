from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from asphub.audit.models import StandIn
from asphub.countries.models import Country
from asphub.practices.catalogue_io import (
    MAX_CATALOGUE_BYTES,
    CatalogueFileError,
    PracticeImportRejected,
    practices_import,
)


class Command(BaseCommand):
    help = (
        "Import library items from a catalogue file in the export's format (CSV or JSON, as "
        "export_practices writes it), with their files from --files. A file with errors "
        "imports nothing unless --partial is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="catalogue.json or catalogue.csv")
        parser.add_argument(
            "--files",
            type=Path,
            default=None,
            help="The folder the rows' file paths start from (the export's folder).",
        )
        parser.add_argument(
            "--country",
            default=settings.ASPHUB_DEFAULT_COUNTRY,
            help="ISO 3166-1 code of the national network (default: %(default)s).",
        )
        parser.add_argument(
            "--partial",
            action="store_true",
            help="Import the valid rows and report the bad ones instead of importing nothing.",
        )

    def handle(self, *args, file: Path, files: Path | None, country: str, partial: bool, **opts):
        try:
            target = Country.objects.get(code=country.upper())
        except Country.DoesNotExist as missing:
            raise CommandError(
                _("Unknown country “%(code)s”. Run load_network first.") % {"code": country}
            ) from missing
        if not file.is_file():
            raise CommandError(_("No such file: %(file)s") % {"file": file})
        file_format = file.suffix.lower().lstrip(".")
        if file_format not in ("csv", "json"):
            raise CommandError(_("Import a .csv or a .json file."))
        if file.stat().st_size > MAX_CATALOGUE_BYTES:
            raise CommandError(_("The file is too large to be a catalogue."))
        if files is not None and not files.is_dir():
            raise CommandError(_("No such folder: %(folder)s") % {"folder": files})
        try:
            result = practices_import(
                actor=StandIn.COMMAND_LINE,
                country=target,
                content=file.read_bytes(),
                file_format=file_format,
                files_folder=files,
                partial=partial,
            )
        except CatalogueFileError as error:
            raise CommandError(str(error)) from error
        except PracticeImportRejected as rejected:
            for problem in rejected.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                _(
                    "%(count)s problems; nothing was imported. Correct them, or run again with "
                    "--partial to import the other rows."
                )
                % {"count": len(rejected.problems)}
            ) from rejected
        if result.ignored_columns:
            self.stderr.write(
                _("Ignored columns this import does not know: %(columns)s")
                % {"columns": ", ".join(result.ignored_columns)}
            )
        for problem in result.skipped:
            self.stderr.write(_("Skipped: %(problem)s") % {"problem": problem})
        skipped_rows = {problem.row for problem in result.skipped}
        self.stdout.write(
            _("Imported %(created)s items; skipped %(skipped)s rows.")
            % {"created": len(result.created), "skipped": len(skipped_rows)}
        )
