"""The inbox for marketing and managers (failed items and replay) and the manual entry form."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from leadpool.accounts import access
from leadpool.accounts.models import Role
from leadpool.audit import log as audit
from leadpool.customers.models import Lead, Project, Source

from . import process
from .inbox import store
from .models import InboxItem


def may_use_inbox(user) -> bool:
    return user.is_authenticated and (user.is_manager or user.role == Role.MARKETING)


def _require_inbox(user) -> None:
    if not may_use_inbox(user):
        raise PermissionDenied(_("Chỉ marketing và quản lý xem được hộp nhận lead."))


@login_required
def inbox(request):
    _require_inbox(request.user)
    state = request.GET.get("state", "").strip()
    channel = request.GET.get("channel", "").strip()
    # Who each arrival was and where it went, read at a glance: the lead it made and the owner it went to.
    made = Lead.objects.select_related("owner_at_arrival").only(
        "inbox_item_id", "name", "phone_raw", "email_raw", "is_returning",
        "owner_at_arrival__username", "owner_at_arrival__first_name", "owner_at_arrival__last_name",
    ).order_by("id")
    qs = InboxItem.objects.select_related("source").defer("body", "headers", "response").prefetch_related(
        Prefetch("leads", queryset=made)
    )
    if state:
        qs = qs.filter(state=state)
    if channel:
        qs = qs.filter(channel=channel)
    page = Paginator(qs.order_by("-received_at", "-id"), 30).get_page(request.GET.get("page"))
    counts = dict(InboxItem.objects.values_list("state").annotate(n=Count("id")).values_list("state", "n"))
    channels = sorted(set(InboxItem.objects.values_list("channel", flat=True).distinct()))
    context = {
        "page": page,
        "state": state,
        "channel": channel,
        "states": [(value, label, counts.get(value, 0)) for value, label in InboxItem.State.choices],
        "channels": channels,
        "failed": counts.get(InboxItem.State.FAILED, 0),
        "querystring": "&".join(f"{k}={v}" for k, v in (("state", state), ("channel", channel)) if v),
    }
    template = "intake/inbox.html#rows" if request.htmx else "intake/inbox.html"
    return render(request, template, context)


@login_required
def inbox_item(request, item_id: int):
    _require_inbox(request.user)
    item = get_object_or_404(InboxItem.objects.select_related("source", "config", "by"), pk=item_id)
    leads = list(item.leads.select_related("customer", "source"))
    try:
        pretty = json.dumps(json.loads(item.text), ensure_ascii=False, indent=2)
    except ValueError:
        pretty = item.text
    visible = set(access.customers_for(request.user).filter(pk__in=[lead.customer_id for lead in leads]).values_list("pk", flat=True))
    return render(
        request,
        "intake/item.html",
        {"item": item, "leads": leads, "pretty": pretty, "visible": visible, "replayable": item.state in process.REPLAYABLE},
    )


@login_required
@require_POST
def replay(request, item_id: int):
    _require_inbox(request.user)
    item = get_object_or_404(InboxItem, pk=item_id)
    if item.state not in process.REPLAYABLE:
        messages.info(request, _("Mục này đã được xử lý, không cần chạy lại."))
        return redirect("intake:inbox_item", item_id=item.pk)
    audit.record("intake.replayed", actor=request.user, target=item, ip=audit.client_ip(request))
    item = process.accept(item.pk)
    if item.state == InboxItem.State.PROCESSED:
        messages.success(request, _("Đã xử lý lại thành công."))
    else:
        messages.error(request, _("Vẫn lỗi: %(error)s") % {"error": item.error[:300]})
    return redirect("intake:inbox_item", item_id=item.pk)


@login_required
@require_POST
def replay_failed(request):
    _require_inbox(request.user)
    ids = list(InboxItem.objects.filter(state=InboxItem.State.FAILED).values_list("pk", flat=True)[:500])
    for pk in ids:
        process.process_item.enqueue(pk)
    audit.record("intake.replayed", actor=request.user, data={"items": len(ids)}, ip=audit.client_ip(request))
    messages.success(request, _("Đã xếp lịch xử lý lại %(n)s mục lỗi.") % {"n": len(ids)})
    return redirect(f"{request.path.rsplit('replay-failed/', 1)[0]}?state=failed")


class ManualLeadForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Họ tên"), max_length=160)
    phone = forms.CharField(label=gettext_lazy("Số điện thoại"), max_length=60, required=False)
    email = forms.EmailField(label=gettext_lazy("E-mail"), required=False)
    source = forms.ModelChoiceField(label=gettext_lazy("Nguồn"), queryset=Source.objects.filter(active=True))
    project = forms.ModelChoiceField(
        label=gettext_lazy("Dự án"), queryset=Project.objects.filter(active=True), required=False
    )
    campaign = forms.CharField(label=gettext_lazy("Chiến dịch"), max_length=200, required=False)
    note = forms.CharField(label=gettext_lazy("Ghi chú"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    consent = forms.BooleanField(label=gettext_lazy("Khách đồng ý để công ty liên hệ tư vấn"), required=False)

    def clean(self):
        data = super().clean()
        if not data.get("phone") and not data.get("email"):
            raise forms.ValidationError(_("Cần ít nhất số điện thoại hoặc e-mail."))
        if data.get("phone"):
            from leadpool.customers.normalize import normalize_phone

            result = normalize_phone(data["phone"])
            if not result.ok:
                self.add_error("phone", result.error)
        return data


@login_required
def manual_entry(request):
    form = ManualLeadForm(request.POST or None, initial={"source": Source.objects.filter(key="manual").first()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        payload = {
            "name": data["name"],
            "phone": data["phone"],
            "email": data["email"],
            "source": data["source"].key,
            "project": data["project"].code if data["project"] else "",
            "campaign": data["campaign"],
            "note": data["note"],
            "consent": _("Khách đồng ý để công ty liên hệ (ghi nhận bởi %(user)s)") % {"user": request.user.username}
            if data["consent"]
            else "",
        }
        body = json.dumps(payload, ensure_ascii=False).encode()
        stored = store(
            request, channel="manual", body=body, source=data["source"], by=request.user, content_type="application/json"
        )
        item = process.accept(stored.item if stored.created else stored.item.pk)
        if item.state == InboxItem.State.PROCESSED:
            result = item.response
            owner = result.get("owner") or _("kho của đội")
            if result.get("created"):
                messages.success(request, _("Đã tạo khách hàng mới, giao cho %(owner)s.") % {"owner": owner})
            else:
                messages.success(request, _("Khách đã có hồ sơ: lead được thêm vào hồ sơ, người phụ trách %(owner)s đã được báo.") % {"owner": owner})
            if access.customers_for(request.user).filter(pk=result["customer_id"]).exists():
                return redirect("customers:detail", result["customer_id"])
            return redirect("intake:new")
        form.add_error(None, item.error or _("Không xử lý được lead, đã lưu vào hộp nhận để xử lý lại."))
    return render(request, "intake/new.html", {"form": form})
