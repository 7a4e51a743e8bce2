"""Who is acting in the current request, for audit entries written far from any view (signals)."""

from contextvars import ContextVar

_request: ContextVar = ContextVar("leadpool_audit_request", default=None)


def current_request():
    return _request.get()


def current_actor():
    request = _request.get()
    user = getattr(request, "user", None) if request is not None else None
    return user if user is not None and user.is_authenticated else None


class AuditContextMiddleware:
    """Remembers the request so configuration changes made anywhere are audited with their author."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)
