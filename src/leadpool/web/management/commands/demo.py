"""`leadpool demo`: migrate, load the demo company once, and serve it with an embedded worker."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from leadpool import demo


class Command(BaseCommand):
    help = "Set up the database, load demo data (once) and serve Leadpool with a background worker."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--no-serve", action="store_true", help="only migrate and load the demo data")
        parser.add_argument("--customers", type=int, default=2000)

    def handle(self, *args, port, host, no_serve, customers, **opts):
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database ready.")
        if demo.load(customers=customers, stdout=self.stdout):
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        else:
            self.stdout.write("Demo data already present.")
        if no_serve:
            return
        from leadpool.worker import start_embedded

        start_embedded()
        self.stdout.write(self.style.SUCCESS(f"\nLeadpool: http://{host}:{port}/"))
        self.stdout.write(
            f"Logins (password “{demo.PASSWORD}”): manager · leader1..3 · sale1..15 · mkt1, mkt2\n"
            "Background worker running in this process. Ctrl+C stops.\n"
        )
        call_command("runserver", f"{host}:{port}", use_reloader=False, use_threading=True, skip_checks=True)
