"""API tokens as the request path reads them: by hash, from a per-process copy, forgotten on any change."""

from __future__ import annotations

from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from leadpool.local_copy import LocalCopy

from .models import ApiToken, User

# An integration posting leads sends the same token on every request: each process remembers the tokens it has
# seen (by hash) with their users. Saving or deleting a token or a user (deactivation included), and `revoke`,
# bump the copy's generation: with Redis every process forgets at once, otherwise within max_age seconds.
_known = LocalCopy("accounts:tokens", dict, max_age=10)
for _model in (ApiToken, User):
    post_save.connect(_known.changed, sender=_model, dispatch_uid=f"accounts_tokens_saved_{_model.__name__}")
    post_delete.connect(_known.changed, sender=_model, dispatch_uid=f"accounts_tokens_deleted_{_model.__name__}")


def token_row(token: str) -> ApiToken | None:
    """The token's row with its user, or None. Tokens are long random values: a SHA-256 and an indexed lookup."""
    key = ApiToken.hash(token)
    known = _known.get()
    row = known.get(key)
    if row is None:
        row = ApiToken.objects.select_related("user").filter(key_hash=key).first()
        if row is not None:
            known[key] = row
    return row


def revoke(rows: QuerySet[ApiToken]) -> int:
    """Revoke these tokens now, in every process."""
    count = rows.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    _known.changed()
    return count
