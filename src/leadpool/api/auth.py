"""Bearer tokens for the API: looked up by hash, revocable, optionally scoped and expiring."""

from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import HttpBearer

from leadpool.accounts.models import ApiToken
from leadpool.security.scopes import scope_for


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        row = ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash(token)).first()
        if row is None or not row.is_usable or not row.user.is_active:
            return None
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
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
