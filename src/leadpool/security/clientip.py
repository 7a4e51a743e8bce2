"""The client's address, seen through a known number of trusted reverse proxies."""

from django.conf import settings


def client_ip(request) -> str:
    """With N trusted proxies in front, the client is the N-th address from the right of X-Forwarded-For."""
    proxies = int(getattr(settings, "LEADPOOL_PROXY_COUNT", 0) or 0)
    remote = request.META.get("REMOTE_ADDR", "") or ""
    if proxies <= 0:
        return remote
    chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(chain) < proxies:
        return remote
    return chain[-proxies]
