"""Request guards: per-client rate limits on public endpoints and the API; the one-time-password step for managers."""

from urllib.parse import urlencode

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from leadpool import ratelimit

from .clientip import client_ip
from .ratelimits import DEFAULT_RULES, Rule, client_key, rule_for


def _rules() -> tuple[Rule, ...]:
    scale = float(getattr(settings, "LEADPOOL_RATE_LIMIT_SCALE", 1.0) or 1.0)
    if scale == 1.0:
        return DEFAULT_RULES
    return tuple(Rule(r.name, r.prefix, max(1, int(r.per_minute * scale)), r.methods, r.anonymous_only) for r in DEFAULT_RULES)


class RateLimitMiddleware:
    """Answers 429 with Retry-After once a client passes its per-minute budget (shared through the cache)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if getattr(settings, "LEADPOOL_RATE_LIMITS", True):
            user = getattr(request, "user", None)
            authenticated = bool(user is not None and user.is_authenticated)
            rule = rule_for(request.path, request.method, authenticated=authenticated, rules=_rules())
            if rule is not None:
                key = client_key(
                    authorization=request.headers.get("Authorization", ""),
                    user_id=user.pk if authenticated else None,
                    ip=client_ip(request),
                )
                verdict = ratelimit.hit(f"{rule.name}:{key}", limit=rule.per_minute, window_seconds=60)
                if not verdict.allowed:
                    return ratelimit.too_many(verdict)
        return self.get_response(request)


OTP_EXEMPT_PREFIXES = ("/security/otp/", "/login/", "/logout/", "/static/", "/i18n/", "/health", "/manifest.webmanifest", "/sw.js")


def otp_required_for(user) -> bool:
    """Managers and admins hold every customer: they sign in with a second factor."""
    if not getattr(settings, "LEADPOOL_REQUIRE_OTP", True):
        return False
    if user is None or not user.is_authenticated:
        return False
    return bool(user.is_manager or user.is_staff or user.is_superuser)


class RequireOTPMiddleware:
    """After the password, a manager must pass (or set up) the authenticator-app step before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if otp_required_for(user) and not user.is_verified() and not request.path.startswith(OTP_EXEMPT_PREFIXES):
            if request.path.startswith("/api/"):
                if not request.headers.get("Authorization"):
                    return JsonResponse({"detail": "Cần xác thực hai lớp (OTP) trước khi dùng API."}, status=403)
            else:
                target = reverse("security:otp")
                if request.method == "GET":
                    target += "?" + urlencode({"next": request.get_full_path()})
                if request.headers.get("HX-Request"):
                    response = JsonResponse({"detail": "otp required"}, status=403)
                    response["HX-Redirect"] = target
                    return response
                return redirect(target)
        return self.get_response(request)


class RejectNulBytesMiddleware:
    """PostgreSQL text cannot hold NUL: an API request carrying one is refused with 400, not a server error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            query = request.META.get("QUERY_STRING", "")
            body = request.body if request.method not in {"GET", "HEAD", "OPTIONS"} else b""
            if "%00" in query or b"\x00" in body or b"\\u0000" in body:
                return JsonResponse({"detail": "Dữ liệu chứa ký tự NUL không hợp lệ."}, status=400)
        return self.get_response(request)
