"""What the customer page shows around the profile: the timeline, open follow-ups and the quick-action forms."""

from django import forms
from django.utils import timezone

from leadpool.customers import timeline
from leadpool.customers.models import Status

from . import forms as f
from .models import FollowUp
from .status_fields import allowed_targets


def status_targets(customer, statuses: list[Status]) -> list[Status]:
    keys = allowed_targets(customer.status.key, customer.status.allowed_next, [s.key for s in statuses])
    return [s for s in statuses if s.key in keys]


PANELS = ("call", "note", "message", "status", "follow_up", "meeting")


# Each quick action's form, with the prefix of its field ids (several forms share one page). The status form
# depends on the customer, so it is built apart.
FORMS = {
    "call": (f.CallForm, "call_%s"),
    "note": (f.NoteForm, "note_%s"),
    "message": (f.MessageForm, "msg_%s"),
    "follow_up": (f.FollowUpForm, "fu_%s"),
    "meeting": (f.MeetingResultForm, "mt_%s"),
}


def posted_form(name: str, data) -> forms.Form:
    """A quick-action form (not the status one) bound to what was posted."""
    form_class, auto_id = FORMS[name]
    return form_class(data, auto_id=auto_id)


def blank_form(name: str, customer):
    """An empty quick-action form. Only the call form is on the page at first; the others load when opened."""
    if name == "status":
        return f.StatusChangeForm(targets=status_targets(customer, list(Status.objects.all())), auto_id="st_%s")
    if name not in FORMS:
        raise ValueError(name)
    form_class, auto_id = FORMS[name]
    return form_class(auto_id=auto_id)


def work_context(request, customer, *, can_work: bool, bound: dict | None = None, open_action: str = "",
                 flash: str = "") -> dict:
    entries = timeline.build(customer, viewer=request.user, chats=can_work)
    corrected = {e.obj.corrects_id for e in entries if e.kind == "activity" and e.obj.corrects_id}
    context = {
        "customer": customer,
        "timeline": entries,
        "timeline_has_folded": sum(1 for e in entries if e.folded),
        "corrected_ids": corrected,
        "can_work": can_work,
        "now": timezone.now(),
    }
    if can_work:
        forms = {"call": blank_form("call", customer)}
        if open_action and open_action not in (bound or {}):
            forms[open_action] = blank_form(open_action, customer)
        forms.update(bound or {})
        context.update(
            forms=forms,
            open_action=open_action,
            flash=flash,
            follow_ups=list(
                FollowUp.objects.filter(customer=customer, done_at__isnull=True, cancelled_at__isnull=True)
                .order_by("due_at")[:8]
            ),
        )
    return context
