"""`leadpool import FILE --source S [--project P] [--dry-run]`: import a CSV/XLSX file from the command line."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from leadpool.customers.models import Project, Source
from leadpool.intake.imports import Importer


class Command(BaseCommand):
    help = "Import customers from a CSV or XLSX file (Getfly column names recognised). Ends with one summary line."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--source", required=True, help="source key, e.g. old_data")
        parser.add_argument("--project", help="project code or name for rows without a project column")
        parser.add_argument("--dry-run", action="store_true", help="decide and count, write nothing")
        parser.add_argument("--invalid-report", help="write invalid rows with their reasons to this CSV")
        parser.add_argument("--no-scan", action="store_true", help="skip the duplicate-review scan afterwards")

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp {path}")
        source = Source.objects.filter(key=opts["source"]).first()
        if source is None:
            keys = ", ".join(Source.objects.values_list("key", flat=True))
            raise CommandError(f"Nguồn “{opts['source']}” không tồn tại. Có: {keys}")
        project = None
        if opts.get("project"):
            project = Project.objects.filter(code=opts["project"]).first() or Project.objects.filter(name=opts["project"]).first()
            if project is None:
                raise CommandError(f"Dự án “{opts['project']}” không tồn tại.")

        def progress(outcome, position):
            if sys.stderr.isatty():
                sys.stderr.write(f"\r{outcome.rows} rows…")

        importer = Importer(
            source=source, project=project, dry_run=opts["dry_run"], on_progress=progress, label=path.name,
            invalid_report=Path(opts["invalid_report"]) if opts.get("invalid_report") else None,
        )
        outcome = importer.run(path)
        if not opts["dry_run"] and not opts["no_scan"] and outcome.new_customer_ids:
            from leadpool.customers import matching

            matching.scan(list(outcome.new_customer_ids))
        if sys.stderr.isatty():
            sys.stderr.write("\r")
        self.stdout.write(outcome.line)
