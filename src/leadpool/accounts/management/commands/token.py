"""`leadpool token create USERNAME` prints a new API token on its last line; `revoke PREFIX` ends one."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from leadpool.accounts.models import ApiToken, User
from leadpool.accounts.tokens import revoke


class Command(BaseCommand):
    help = "Create, list or revoke API tokens."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token for a user")
        create.add_argument("username")
        create.add_argument("--name", default="")
        create.add_argument("--scope", action="append", default=[], help="e.g. customers:read, leads:write (repeatable)")
        create.add_argument("--days", type=int, default=None, help="expire after N days")
        lst = sub.add_parser("list", help="list a user's tokens")
        lst.add_argument("username")
        revoke = sub.add_parser("revoke", help="revoke a token by its prefix")
        revoke.add_argument("prefix")

    def handle(self, *args, action, **opts):
        if action == "create":
            user = self._user(opts["username"])
            expires = timezone.now() + timedelta(days=opts["days"]) if opts["days"] else None
            row, token = ApiToken.issue(user=user, name=opts["name"], scopes=opts["scope"], expires_at=expires)
            self.stdout.write(f"Token for {user.username} ({row.key_prefix}…), shown once:")
            self.stdout.write(token)
        elif action == "list":
            user = self._user(opts["username"])
            for row in user.api_tokens.order_by("-created_at"):
                state = "revoked" if row.revoked_at else ("expired" if not row.is_usable else "active")
                self.stdout.write(f"{row.key_prefix}…  {state:8}  {row.name}  scopes={','.join(row.scopes) or '*'}")
        else:
            count = revoke(ApiToken.objects.filter(key_prefix__startswith=opts["prefix"].rstrip("…")))
            if not count:
                raise CommandError(f"No active token starts with {opts['prefix']!r}.")
            self.stdout.write(f"Revoked {count} token(s).")

    def _user(self, username: str) -> User:
        try:
            return User.objects.get(username=username)
        except User.DoesNotExist as exc:
            raise CommandError(f"No user named {username!r}.") from exc
