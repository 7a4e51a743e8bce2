"""The duplicate review queue and the merge page: a person looks at two profiles and decides."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from leadpool.accounts import access
from leadpool.audit import log as audit
from leadpool.intake.models import DuplicateCandidate

from . import merge as merging
from .display import phone_for
from .models import Customer, Lead


def _may_review(user) -> bool:
    return user.is_authenticated and (user.is_manager or user.is_leader)


def _queue(user):
    visible = access.customers_for(user)
    return DuplicateCandidate.objects.filter(
        state=DuplicateCandidate.State.OPEN, customer__in=visible, other__in=visible
    )


@login_required
def queue(request):
    if not _may_review(request.user):
        raise PermissionDenied(_("Chỉ trưởng nhóm và quản lý xem xét hồ sơ trùng."))
    qs = _queue(request.user).select_related(
        "customer__status", "customer__owner", "other__status", "other__owner"
    ).order_by("-found_at", "-id")
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(request, "customers/duplicates.html", {"page": page})


def _profile(customer: Customer, user) -> dict:
    full = access.may_see_full_phone(user, customer)
    return {
        "customer": customer,
        "phones": [phone_for(user, customer, p.e164) for p in customer.phones.all()],
        "emails": [e.address for e in customer.emails.all()] if full else [],
        "leads": list(customer.leads.all()[:10]),
        "lead_count": customer.leads.count(),
        "projects": [p.name for p in customer.projects.all()],
    }


@login_required
def compare(request, customer_id: int, other_id: int):
    # Out of reach answers 404 first, so ids cannot be probed through this page.
    first = access.customer_or_404(request.user, customer_id)
    second = access.customer_or_404(request.user, other_id)
    if not _may_review(request.user):
        messages.error(request, _("Chỉ trưởng nhóm và quản lý gộp hồ sơ."))
        return redirect("customers:detail", first.pk)
    if first.pk == second.pk:
        messages.error(request, _("Hai hồ sơ là một."))
        return redirect("customers:duplicates")
    qs = Customer.objects.select_related("status", "owner", "first_source", "latest_source").prefetch_related(
        "phones", "emails", "projects", Prefetch("leads", queryset=Lead.objects.select_related("source"))
    )
    first, second = qs.get(pk=first.pk), qs.get(pk=second.pk)
    low, high = sorted([first.pk, second.pk])
    candidate = DuplicateCandidate.objects.filter(customer_id=low, other_id=high).first()
    if request.method == "POST":
        survivor_id = request.POST.get("survivor")
        if survivor_id not in (str(first.pk), str(second.pk)):
            messages.error(request, _("Hãy chọn hồ sơ giữ lại."))
        else:
            survivor, duplicate = (first, second) if survivor_id == str(first.pk) else (second, first)
            if not merging.may_merge(request.user, survivor, duplicate):
                raise PermissionDenied(_("Bạn không được gộp hai hồ sơ này."))
            reason = request.POST.get("reason", "").strip() or (candidate.get_reason_display() if candidate else "")
            try:
                merging.merge(survivor, duplicate, by=request.user, reason=reason)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("Đã gộp hồ sơ #%(dup)s vào #%(surv)s.") % {"dup": duplicate.pk, "surv": survivor.pk})
                return redirect("customers:detail", survivor.pk)
    # The older profile (first lead earlier) is the natural survivor: its history is longest.
    suggested = min((first, second), key=lambda c: (c.first_lead_at or c.created_at, c.pk))
    context = {
        "profiles": [_profile(first, request.user), _profile(second, request.user)],
        "candidate": candidate,
        "suggested": suggested.pk,
    }
    return render(request, "customers/merge.html", context)


@login_required
@require_POST
def dismiss(request, candidate_id: int):
    if not _may_review(request.user):
        raise PermissionDenied
    candidate = get_object_or_404(_queue(request.user), pk=candidate_id)
    candidate.state = DuplicateCandidate.State.DISMISSED
    candidate.decided_at = timezone.now()
    candidate.decided_by = request.user
    candidate.save(update_fields=["state", "decided_at", "decided_by"])
    audit.record(
        "customer.duplicate_dismissed", actor=request.user, target=candidate.customer,
        data={"other": candidate.other_id, "reason": candidate.reason}, ip=audit.client_ip(request),
    )
    messages.success(request, _("Đã đánh dấu hai hồ sơ là khác người."))
    return redirect("customers:duplicates")
