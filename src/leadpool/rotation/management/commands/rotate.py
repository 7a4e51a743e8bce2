"""`leadpool rotate [--dry-run]`: run the rotation sweep once, or print what it would list."""

from django.core.management.base import BaseCommand

from leadpool.rotation import sweep


class Command(BaseCommand):
    help = "Chạy quét đảo khách một lần (--dry-run: chỉ in danh sách khách sẽ vào diện đảo)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="print the candidates without changing anything")

    def handle(self, *args, dry_run: bool = False, **options):
        report = sweep.sweep(dry_run=dry_run)
        if dry_run:
            for line in report.would_list:
                missing = "; ".join(line.get("missing_care") or [])
                self.stdout.write(
                    f"{line['kind']:<10} #{line['customer']:<8} {line.get('name') or '':<30} "
                    f"owner={line.get('owner')} status={line.get('status', '')} {missing}".rstrip()
                )
            self.stdout.write(f"{len(report.would_list)} customer(s) would be listed or reclaimed (dry run, nothing changed).")
            return
        summary = ", ".join(f"{k}={v}" for k, v in report.as_dict().items())
        self.stdout.write(f"sweep done: {summary}")
