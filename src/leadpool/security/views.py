"""Security pages: the one-time-password step, and API tokens (one's own; integrations for managers)."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from leadpool.accounts import access
from leadpool.accounts.models import ApiToken, User
from leadpool.accounts.tokens import revoke
from leadpool.audit import log as audit

from . import otp
from .scopes import SCOPES


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return "/"
    return target


@login_required
def otp_step(request):
    """Verify with the authenticator app; the first time, set it up (secret, otpauth link and QR code)."""
    device = otp.confirmed_device(request.user)
    enrolling = device is None
    if enrolling:
        device = otp.pending_device(request.user)
    error = ""
    if request.method == "POST":
        if otp.verify(device, request.POST.get("token", "")):
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                audit.record("auth.otp_enrolled", actor=request.user, target=request.user, ip=audit.client_ip(request))
            otp_login(request, device)
            return redirect(_next(request))
        error = _("Mã không đúng hoặc đã hết hạn. Hãy thử mã mới trong ứng dụng.")
    context = {"enrolling": enrolling, "error": error, "next": _next(request)}
    if enrolling:
        uri = otp.otpauth_uri(device)
        context.update(secret=otp.secret_base32(device), uri=uri, qr=otp.qr_data_uri(uri))
    return render(request, "security/otp.html", context, status=400 if error else 200)


def _visible_tokens(user):
    qs = ApiToken.objects.select_related("user").order_by("-created_at")
    return qs if user.is_manager else qs.filter(user=user)


@login_required
def tokens(request):
    """List and create API tokens. A new token is shown on this answer only; just its hash is kept."""
    shown = None
    errors = {}
    if request.method == "POST":
        owner = request.user
        if access.may_configure(request.user) and request.POST.get("user"):
            owner = User.objects.filter(pk=request.POST["user"], is_active=True).first()
            if owner is None:
                errors["user"] = _("Không tìm thấy người dùng.")
        scopes = [s for s in request.POST.getlist("scopes") if s in SCOPES]
        name = request.POST.get("name", "").strip()[:120]
        if not name:
            errors["name"] = _("Hãy đặt tên để nhận ra token này sau.")
        try:
            days = int(request.POST.get("days") or 90)
        except ValueError:
            days = 0
        if not 1 <= days <= 730:
            errors["days"] = _("Thời hạn từ 1 đến 730 ngày.")
        if not errors:
            row, shown = ApiToken.issue(
                user=owner, name=name, scopes=scopes, expires_at=timezone.now() + timedelta(days=days)
            )
            audit.record(
                "token.created", actor=request.user, target=row,
                data={"for": owner.username, "scopes": scopes, "days": days}, ip=audit.client_ip(request),
            )
    context = {
        "tokens": _visible_tokens(request.user)[:200],
        "shown": shown,
        "errors": errors,
        "scopes": SCOPES,
        "form": request.POST if errors else {},
        "integration_users": (
            User.objects.filter(is_active=True).order_by("username") if access.may_configure(request.user) else None
        ),
        "now": timezone.now(),
    }
    return render(request, "security/tokens.html", context, status=400 if errors else 200)


@login_required
@require_POST
def revoke_token(request, token_id: int):
    row = get_object_or_404(ApiToken, pk=token_id)
    if row.user_id != request.user.pk and not access.may_configure(request.user):
        raise PermissionDenied
    if row.revoked_at is None:
        revoke(ApiToken.objects.filter(pk=row.pk))
        audit.record("token.revoked", actor=request.user, target=row, ip=audit.client_ip(request))
        messages.success(request, _("Đã thu hồi token %(prefix)s…") % {"prefix": row.key_prefix})
    return redirect("security:tokens")
