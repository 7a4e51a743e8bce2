"""`leadpool audit verify`: walk the hash chain and name the first entry that was altered."""

from django.core.management.base import BaseCommand, CommandError

from leadpool.audit.log import verify


class Command(BaseCommand):
    help = "Audit log tools. `verify` checks the hash chain and exits non-zero at the first broken entry."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="check that no audit entry was altered, removed or inserted")

    def handle(self, *args, action, **opts):
        result = verify()
        if not result.ok:
            raise CommandError(
                f"Audit chain broken at entry #{result.broken_id}: {result.problem} "
                f"({result.checked} entries before it are intact)."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {result.checked} entries verified."))
