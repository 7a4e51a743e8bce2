"""Bearer tokens for the API: looked up by hash, revocable, optionally scoped and expiring."""

from datetime import timedelta

from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import HttpBearer

from leadpool.accounts.models import ApiToken
from leadpool.accounts.tokens import token_row
from leadpool.security.scopes import scope_for

# "Last used" is for people deciding which token to revoke: minute precision is plenty, and writing it on every
# request would make concurrent requests of one integration queue on the same row lock.
LAST_USED_PRECISION = timedelta(minutes=1)


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        row = token_row(token)
        if row is None or not row.is_usable or not row.user.is_active:
            return None
        now = timezone.now()
        if row.last_used_at is None or now - row.last_used_at >= LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
            row.last_used_at = now
        request.user = row.user
        request.api_token = row
        # Every endpoint is scoped, whether or not it calls require_scope: <part>:read / <part>:write.
        scope = scope_for(request.path, request.method)
        if scope and not row.allows(scope):
            raise HttpError(403, f"Token lacks the scope “{scope}”.")
        return row


class SessionOrToken(TokenAuth):
    """The web app's own pages may call the API with their session."""

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.headers.get("Authorization"):
            request.api_token = None
            return user
        return super().__call__(request)


def require_scope(request, scope: str) -> None:
    token = getattr(request, "api_token", None)
    if token is not None and not token.allows(scope):
        raise HttpError(403, f"Token lacks the scope “{scope}”.")
