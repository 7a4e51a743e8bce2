"""Managers' webhook pages: subscribers, deliveries with every attempt, replay."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from leadpool.accounts import access
from leadpool.audit.log import client_ip

from . import delivery as sending
from .models import Attempt, Delivery, Event, Subscription


class SubscriptionForm(forms.ModelForm):
    class Meta:
        model = Subscription
        fields = ["event", "url", "description"]
        widgets = {
            "event": forms.Select(attrs={"class": "form-select"}),
            "url": forms.URLInput(attrs={"class": "form-control", "placeholder": "https://…"}),
            "description": forms.TextInput(attrs={"class": "form-control"}),
        }
        help_texts = {"url": gettext_lazy("Leadpool gửi POST JSON, ký bằng HMAC-SHA256 trong tiêu đề X-Leadpool-Signature.")}

    def clean_url(self):
        url = self.cleaned_data["url"]
        if not url.lower().startswith(("https://", "http://")):
            raise forms.ValidationError(_("Chỉ hỗ trợ địa chỉ http(s)."))
        return url


def _manager(request):
    if not access.may_configure(request.user):
        raise PermissionDenied


@login_required
def subscriptions(request):
    _manager(request)
    created = None
    form = SubscriptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = form.save(commit=False)
        created.created_by = request.user
        created.save()
        form = SubscriptionForm()
    context = {
        "form": form,
        "created": created,
        "subscriptions": Subscription.objects.all(),
        "events": Event.choices,
    }
    return render(request, "webhooks/subscriptions.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def toggle(request, subscription_id: int):
    _manager(request)
    subscription = get_object_or_404(Subscription, pk=subscription_id)
    subscription.active = not subscription.active
    subscription.save(update_fields=["active"])
    return redirect("webhooks:subscriptions")


@login_required
def deliveries(request):
    _manager(request)
    qs = Delivery.objects.select_related("subscription").prefetch_related(
        Prefetch("attempt_log", queryset=Attempt.objects.order_by("at", "id"))
    )
    state = request.GET.get("state", "")
    if state in Delivery.State.values:
        qs = qs.filter(state=state)
    event = request.GET.get("event", "")
    if event in Event.values:
        qs = qs.filter(event=event)
    page = Paginator(qs.order_by("-created_at", "-id"), 30).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "state": state,
        "event": event,
        "states": Delivery.State.choices,
        "events": Event.choices,
        "querystring": "&".join(f"{k}={v}" for k, v in (("state", state), ("event", event)) if v),
    }
    return render(request, "webhooks/deliveries.html", context)


@login_required
@require_POST
def replay(request, delivery_id: int):
    _manager(request)
    original = get_object_or_404(Delivery, pk=delivery_id)
    copy = sending.replay(original, by=request.user, ip=client_ip(request))
    messages.success(request, _("Đã xếp lịch gửi lại (lần gửi #%(id)s).") % {"id": copy.pk})
    return redirect("webhooks:deliveries")
