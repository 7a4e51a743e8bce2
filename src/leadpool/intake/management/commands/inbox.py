"""`leadpool inbox replay [ID ...] [--state failed] [--channel C]`: process inbox items again, now."""

from django.core.management.base import BaseCommand, CommandError

from leadpool.intake import process
from leadpool.intake.models import InboxItem


class Command(BaseCommand):
    help = "Work with the inbox of raw arrivals. `replay` runs failed (or never processed) items again."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        replay = sub.add_parser("replay", help="process failed/received items again")
        replay.add_argument("ids", nargs="*", type=int, help="inbox item ids (default: every failed item)")
        replay.add_argument("--state", choices=["failed", "received"], default="failed")
        replay.add_argument("--channel")
        replay.add_argument("--limit", type=int, default=10_000)

    def handle(self, *args, **opts):
        if opts["action"] != "replay":  # pragma: no cover - argparse enforces the choice
            raise CommandError("unknown action")
        qs = InboxItem.objects.filter(state__in=process.REPLAYABLE)
        if opts["ids"]:
            qs = qs.filter(pk__in=opts["ids"])
        else:
            qs = qs.filter(state=opts["state"])
        if opts.get("channel"):
            qs = qs.filter(channel=opts["channel"])
        ids = list(qs.order_by("received_at", "id").values_list("pk", flat=True)[: opts["limit"]])
        states: dict[str, int] = {}
        for pk in ids:
            item = process.accept(pk)
            states[item.state] = states.get(item.state, 0) + 1
            if item.state != InboxItem.State.PROCESSED:
                self.stderr.write(f"#{pk} {item.state}: {item.error[:200]}")
        summary = ", ".join(f"{n} {state}" for state, n in sorted(states.items())) or "nothing to replay"
        self.stdout.write(f"{len(ids)} items replayed: {summary}")
