"""The bell: the list, the unread count (polled by htmx), channel preferences and push subscriptions."""

import hashlib
import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from leadpool import ratelimit

from . import kinds, telegram, vapid
from .models import Notification, Preference, PushSubscription
from .service import notify, unread_count


@login_required
def notification_list(request):
    qs = Notification.objects.filter(user=request.user).select_related("customer")
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    rows = [{"n": n, "icon": kinds.icon(n.kind)} for n in page.object_list]
    return render(request, "notify/list.html", {"page": page, "rows": rows, "unread": unread_count(request.user)})


@login_required
@require_GET
def count(request):
    """The bell's badge: the number, or nothing when all is read."""
    n = unread_count(request.user)
    return HttpResponse(str(n) if n else "", content_type="text/plain; charset=utf-8")


@login_required
@require_POST
def open_notification(request, notification_id: int):
    note = get_object_or_404(Notification, pk=notification_id, user=request.user)
    if note.read_at is None:
        Notification.objects.filter(pk=note.pk).update(read_at=timezone.now())
    target = note.url or "notify:list"
    if note.url and not url_has_allowed_host_and_scheme(note.url, allowed_hosts={request.get_host()}):
        target = "notify:list"
    return redirect(target)


@login_required
@require_POST
def read_all(request):
    Notification.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
    if request.htmx:
        return HttpResponse(status=204, headers={"HX-Refresh": "true"})
    return redirect("notify:list")


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = Preference
        fields = ["push", "email", "telegram", "telegram_chat_id"]
        help_texts = {
            "telegram_chat_id": _("Nhắn /start cho bot của công ty rồi dán mã chat (chat id) vào đây."),
        }

    def clean(self):
        data = super().clean()
        if data.get("telegram") and not data.get("telegram_chat_id"):
            self.add_error("telegram_chat_id", _("Cần mã chat Telegram để nhận tin qua Telegram."))
        return data


@login_required
def preferences(request):
    pref = Preference.objects.filter(user=request.user).first() or Preference(user=request.user)
    form = PreferenceForm(request.POST or None, instance=pref)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Đã lưu cách nhận thông báo."))
        return redirect("notify:preferences")
    context = {
        "form": form,
        "vapid_public_key": vapid.public_key(),
        "subscriptions": request.user.push_subscriptions.order_by("-created_at"),
        "telegram_ready": telegram.configured(),
        "has_email": bool(request.user.email),
    }
    return render(request, "notify/preferences.html", context)


@login_required
@require_POST
def send_test(request):
    verdict = ratelimit.hit(f"notify-test:{request.user.pk}", limit=5, window_seconds=300)
    if not verdict.allowed:
        messages.error(request, _("Bạn vừa gửi thử nhiều lần, vui lòng đợi vài phút."))
    else:
        notify(request.user, kind="test", title=_("Thông báo thử"), body=_("Nếu bạn đọc được dòng này, kênh đã hoạt động."),
               url="/notifications/")
        messages.success(request, _("Đã gửi thông báo thử tới các kênh bạn chọn."))
    return redirect("notify:preferences")


def _endpoint_hash(endpoint: str) -> str:
    return hashlib.sha256(endpoint.encode()).hexdigest()


@login_required
@require_POST
def push_subscribe(request):
    """Body: the browser's PushSubscription JSON ({"endpoint": ..., "keys": {"p256dh": ..., "auth": ...}})."""
    try:
        data = json.loads(request.body or b"{}")
        endpoint = str(data["endpoint"])
        keys = data["keys"]
        p256dh, auth = str(keys["p256dh"]), str(keys["auth"])
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"detail": _("Đăng ký không hợp lệ.")}, status=400)
    if not endpoint.startswith("https://") or len(endpoint) > 1000 or len(p256dh) > 200 or len(auth) > 100:
        return JsonResponse({"detail": _("Đăng ký không hợp lệ.")}, status=400)
    sub, created = PushSubscription.objects.update_or_create(
        endpoint_hash=_endpoint_hash(endpoint),
        defaults={"user": request.user, "endpoint": endpoint, "p256dh": p256dh, "auth": auth,
                  "user_agent": request.headers.get("User-Agent", "")[:300]},
    )
    Preference.objects.get_or_create(user=request.user)
    return JsonResponse({"id": sub.pk, "created": created}, status=201 if created else 200)


@login_required
@require_POST
def push_unsubscribe(request):
    try:
        endpoint = str(json.loads(request.body or b"{}")["endpoint"])
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"detail": _("Thiếu endpoint.")}, status=400)
    deleted, _rows = PushSubscription.objects.filter(user=request.user, endpoint_hash=_endpoint_hash(endpoint)).delete()
    return JsonResponse({"deleted": deleted})
