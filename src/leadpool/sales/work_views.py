"""The customer page's quick actions: each one posts by htmx, calls one service and re-renders the page in place."""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from leadpool.accounts import access
from leadpool.customers.models import Status

from . import actions
from . import forms as f
from .models import Activity
from .page import PANELS, blank_form, posted_form, status_targets, work_context


def _visible(request, customer_id: int):
    customer = access.customers_for(request.user).select_related("status", "owner").filter(pk=customer_id).first()
    if customer is None:
        raise Http404
    return customer


def _workable(request, customer_id: int):
    """The customer, if the user may see it (404 otherwise) and may work on it (403 otherwise)."""
    customer = _visible(request, customer_id)
    if not access.may_work_on(request.user, customer):
        raise PermissionDenied
    return customer


def _respond(request, customer, *, flash: str = "", bound: dict | None = None, open_action: str = "",
             error: str = ""):
    if not request.htmx:  # without JavaScript: back to the page, with the message
        if flash:
            messages.success(request, flash)
        elif bound or error:
            messages.error(request, error or _("Chưa lưu: vui lòng kiểm tra lại thông tin."))
        return redirect("customers:detail", customer.pk)
    customer.refresh_from_db()
    context = work_context(request, customer, can_work=True, bound=bound, open_action=open_action, flash=flash)
    context["error"] = error
    return render(request, "sales/_work_result.html", context)


def _quick_action(name: str):
    """One quick action's view: the customer must be workable and the posted form valid; the action returns its flash."""
    def wrap(act):
        @login_required
        @require_POST
        @functools.wraps(act)
        def view(request, customer_id: int):
            customer = _workable(request, customer_id)
            form = posted_form(name, request.POST)
            if not form.is_valid():
                return _respond(request, customer, bound={name: form}, open_action=name)
            return _respond(request, customer, flash=act(request, customer, form.cleaned_data))
        return view
    return wrap


@_quick_action("call")
def log_call(request, customer, data: dict) -> str:
    actions.log_activity(
        customer, by=request.user, kind=Activity.Kind.CALL, call_outcome=data["call_outcome"],
        call_direction=data.get("direction") or Activity.Direction.OUTBOUND,
        duration_seconds=data.get("duration") if data.get("duration") is not None else 0, body=data.get("body", ""),
    )
    return _("Đã ghi cuộc gọi.")


@_quick_action("note")
def add_note(request, customer, data: dict) -> str:
    actions.log_activity(customer, by=request.user, kind=Activity.Kind.NOTE, body=data["body"])
    return _("Đã thêm ghi chú.")


@_quick_action("message")
def record_message(request, customer, data: dict) -> str:
    channel = data["channel"]
    kind = {"email": Activity.Kind.EMAIL, "sms": Activity.Kind.SMS}.get(channel, Activity.Kind.MESSAGE)
    actions.log_activity(customer, by=request.user, kind=kind, channel=channel, body=data["body"])
    return _("Đã ghi tin nhắn.")


def _status_form(request, customer, data=None):
    statuses = list(Status.objects.all())
    targets = status_targets(customer, statuses)
    key = (data or request.GET).get("to", "")
    target = next((s for s in targets if s.key == key), None)
    return f.StatusChangeForm(data, targets=targets, target=target, auto_id="st_%s", initial={"to": key})


@login_required
@require_GET
def panel(request, customer_id: int, name: str):
    """One quick-action form, fetched the first time its tab is opened (keeps the customer page light)."""
    if name not in PANELS:
        raise Http404
    customer = _visible(request, customer_id)
    if not access.may_work_on(request.user, customer):  # a GET of a fragment: say so rather than fail
        return HttpResponse(_("Bạn chỉ được xem khách hàng này."), content_type="text/plain; charset=utf-8")
    return render(request, f"sales/panels/{name}.html", {"customer": customer, "forms": {name: blank_form(name, customer)}})


@login_required
@require_GET
def status_fields(request, customer_id: int):
    """The fields the chosen status requires, swapped into the form when the status is picked (read-only)."""
    customer = _visible(request, customer_id)
    return render(request, "sales/_status_fields.html", {"form": _status_form(request, customer), "customer": customer})


@login_required
@require_POST
def change_status(request, customer_id: int):
    customer = _workable(request, customer_id)
    form = _status_form(request, customer, request.POST)
    if not form.is_valid():
        return _respond(request, customer, bound={"status": form}, open_action="status")
    target = form.cleaned_data["to"]
    details = form.cleaned_data.get("details", {})
    note = form.cleaned_data.get("note", "")
    try:
        actions.change_status(customer, to=target, by=request.user, reason=details.get("reason", "") or note,
                              details=details)
    except ValidationError as exc:
        for message in exc.messages:
            form.add_error(None, message)
        return _respond(request, customer, bound={"status": form}, open_action="status")
    if note and details.get("reason", "") != note:
        actions.log_activity(customer, by=request.user, kind=Activity.Kind.NOTE, body=note)
    return _respond(request, customer, flash=_("Đã chuyển sang “%(label)s”.") % {"label": target.label})


@_quick_action("follow_up")
def schedule(request, customer, data: dict) -> str:
    actions.schedule_follow_up(customer, by=request.user, due_at=data["due_at"], kind=data["kind"], note=data["note"])
    return _("Đã hẹn lịch chăm sóc.")


@_quick_action("meeting")
def meeting_result(request, customer, data: dict) -> str:
    actions.record_meeting_result(customer, by=request.user, result=data["result"], note=data["body"])
    return _("Đã ghi kết quả buổi gặp.")


@login_required
@require_POST
def correct(request, customer_id: int, activity_id: int):
    customer = _workable(request, customer_id)
    original = get_object_or_404(Activity, pk=activity_id, customer=customer)
    form = f.CorrectionForm(request.POST)
    if not form.is_valid():
        messages_text = "; ".join(m for errors in form.errors.values() for m in errors)
        return _respond(request, customer, error=_("Chưa lưu đính chính: %(why)s") % {"why": messages_text})
    data = form.cleaned_data
    try:
        actions.correct_activity(original, by=request.user, body=data["body"], call_outcome=data.get("call_outcome"),
                                 duration_seconds=data.get("duration"))
    except ValidationError as exc:
        return _respond(request, customer, error=" ".join(exc.messages))
    return _respond(request, customer, flash=_("Đã ghi đính chính (bản gốc vẫn được giữ)."))
