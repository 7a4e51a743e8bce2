"""Rotation pages: the leader's list and decisions, the manager's what-if, a salesperson's rotated in/out."""

from collections import defaultdict
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from leadpool.accounts import access
from leadpool.accounts.models import Role
from leadpool.customers.models import Assignment
from leadpool.sales.models import Activity, StatusChange

from . import config, decisions, pool, rulesets, whatif
from .forms import DecisionForm, RulesForm
from .models import Candidate, RuleSet, Violation

ROTATION_REASONS = [Assignment.Reason.ROTATION, Assignment.Reason.REASSIGN, Assignment.Reason.FIRST_CALL]


def _leader_or_manager(user) -> None:
    if not (user.is_manager or user.is_leader):
        raise Http404


def _members(user):
    """Salespeople a leader may hand customers to: active members of the teams they lead."""
    teams = access.led_team_ids(user)
    return (
        access.users_for(user)
        .filter(role=Role.SALES, memberships__team_id__in=teams, memberships__active=True)
        .distinct()
        .order_by("first_name", "username")
    )


def _evidence(candidates: list[Candidate]) -> dict[int, dict]:
    """The last activities and status changes of the page's customers, in two queries."""
    ids = [c.customer_id for c in candidates]
    since = timezone.now() - timedelta(days=60)
    out: dict[int, dict] = defaultdict(lambda: {"activities": [], "changes": []})
    for act in Activity.objects.filter(customer_id__in=ids, occurred_at__gte=since).select_related("author").order_by("-occurred_at")[:500]:
        if len(out[act.customer_id]["activities"]) < 3:
            out[act.customer_id]["activities"].append(act)
    for change in StatusChange.objects.filter(customer_id__in=ids).select_related("from_status", "to_status").order_by("-at")[:500]:
        if len(out[change.customer_id]["changes"]) < 4:
            out[change.customer_id]["changes"].append(change)
    return out


@login_required
def candidates(request):
    user = request.user
    _leader_or_manager(user)
    kind = request.GET.get("kind") or Candidate.Kind.HOLD
    if kind not in Candidate.Kind.values:
        kind = Candidate.Kind.HOLD
    open_rows = decisions.visible_candidates(user).filter(state=Candidate.State.OPEN)
    counts = dict(open_rows.values("kind").annotate(n=Count("id")).values_list("kind", "n"))
    qs = open_rows.filter(kind=kind).select_related("customer", "owner", "team", "customer__status").order_by("due_at", "id")
    if request.GET.get("escalated"):
        qs = qs.filter(escalated_at__isnull=False)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    evidence = _evidence(rows)
    cards = [{"c": c, "activities": evidence[c.customer_id]["activities"], "changes": evidence[c.customer_id]["changes"]} for c in rows]
    teams = access.teams_for(user)
    pool_counts = {t.pk: pool.waiting(t).count() for t in teams} if user.is_leader else {}
    since = timezone.now() - timedelta(days=7)
    flags = (
        Violation.objects.filter(kind__in=Violation.GAMING, at__gte=since)
        .filter(Q(team_id__in=access.led_team_ids(user)) | Q(user_id__in=access.team_member_ids(user)))
        .select_related("user", "customer")[:20]
    )
    context = {
        "page": page,
        "cards": cards,
        "kind": kind,
        "counts": counts,
        "members": _members(user),
        "teams": [(t, pool_counts.get(t.pk, 0)) for t in teams] if user.is_leader else [],
        "flags": flags,
        "default_until": timezone.localtime(timezone.now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        "escalated": bool(request.GET.get("escalated")),
    }
    return render(request, "rotation/candidates.html", context)


def _decide(request, rows: list[Candidate]) -> dict:
    form = DecisionForm(request.POST, members=_members(request.user))
    if not form.is_valid():
        return {"done": [], "failed": [(c.pk, "; ".join(m for ms in form.errors.values() for m in ms)) for c in rows]}
    data = form.cleaned_data
    return decisions.decide_many(
        rows, action=data["action"], by=request.user, reason=data.get("reason", ""), until=data.get("until"), to=data.get("to")
    )


@login_required
@require_POST
def decide(request, candidate_id: int):
    _leader_or_manager(request.user)
    candidate = decisions.visible_candidates(request.user).select_related("customer__team", "owner").filter(pk=candidate_id).first()
    if candidate is None:
        raise Http404
    result = _decide(request, [candidate])
    candidate.refresh_from_db()
    candidate = Candidate.objects.select_related("customer", "owner", "new_owner", "customer__owner").get(pk=candidate.pk)
    error = result["failed"][0][1] if result["failed"] else ""
    if request.htmx:
        return render(request, "rotation/candidates.html#decided", {"c": candidate, "error": error})
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"Đã ghi quyết định cho {candidate.customer}.")
    return redirect(f"/rotation/?kind={candidate.kind}")


@login_required
@require_POST
def decide_bulk(request):
    _leader_or_manager(request.user)
    ids = [int(x) for x in request.POST.getlist("ids") if x.isdigit()]
    rows = list(decisions.visible_candidates(request.user).select_related("customer__team").filter(pk__in=ids, state=Candidate.State.OPEN))
    if not rows:
        messages.warning(request, "Chọn ít nhất một khách.")
        return redirect("rotation:candidates")
    result = _decide(request, rows)
    if result["done"]:
        messages.success(request, f"Đã quyết định {len(result['done'])} khách.")
    for _, why in result["failed"][:5]:
        messages.error(request, why)
    return redirect(f"/rotation/?kind={request.POST.get('kind', 'hold')}")


@login_required
@require_POST
def hand_out_pool(request, team_id: int):
    _leader_or_manager(request.user)
    team = access.teams_for(request.user).filter(pk=team_id).first()
    if team is None:
        raise Http404
    given = pool.hand_out(team)
    messages.info(request, f"Đã chia {given} khách từ kho của đội." if given else "Không có ai đủ điều kiện đang làm việc để nhận khách.")
    return redirect("rotation:candidates")


@login_required
def mine(request):
    """A salesperson's rotated-in and rotated-out customers, with why."""
    user = request.user
    since = timezone.now() - timedelta(days=30)
    rotated_in = Assignment.objects.filter(user=user, reason__in=ROTATION_REASONS).select_related("decided_by").order_by("-started_at")
    rotated_out = Assignment.objects.filter(user=user, end_reason__in=ROTATION_REASONS).order_by("-ended_at")
    violations = Violation.objects.filter(user=user).order_by("-at")
    out_rows = list(rotated_out[:50])
    successors = {
        (row.customer_id, row.started_at): row
        for row in Assignment.objects.filter(customer_id__in=[a.customer_id for a in out_rows], reason__in=[*ROTATION_REASONS, Assignment.Reason.POOL])
    }
    context = {
        "in_30": rotated_in.filter(started_at__gte=since).count(),
        "out_30": rotated_out.filter(ended_at__gte=since).count(),
        "in_all": rotated_in.count(),
        "out_all": rotated_out.count(),
        "rotated_in": rotated_in[:50],
        # What was taken away is listed by date and reason only: the customer itself is out of reach now.
        "rotated_out": [
            {"at": a.ended_at, "reason": a.get_end_reason_display(), "why": getattr(successors.get((a.customer_id, a.ended_at)), "note", "")}
            for a in out_rows
        ],
        "violations": violations[:30],
    }
    return render(request, "rotation/mine.html", context)


@login_required
def explain(request, customer_id: int):
    """Who held the customer, who was eligible each time and why this person got it (open to all who see the customer)."""
    customer = access.customer_or_404(request.user, customer_id)
    rows = Assignment.objects.filter(customer=customer).select_related("user", "decided_by", "team").order_by("-started_at")
    candidates = Candidate.objects.filter(customer=customer).select_related("decided_by", "new_owner").order_by("-listed_at")
    return render(request, "rotation/explain.html", {"customer": customer, "rows": rows, "candidates": candidates})


@login_required
def rules(request):
    """The what-if page: a manager edits a draft, previews its effect, and saves it as the next version."""
    if not access.may_configure(request.user):
        raise Http404
    current = RuleSet.current()
    preview = None
    if request.method == "POST":
        form = RulesForm(request.POST)
        if form.is_valid():
            draft = form.to_rules(current)
            if "save" in request.POST:
                row = rulesets.save_version(form.rule_data(current), by=request.user, note=form.cleaned_data["note"])
                messages.success(request, f"Đã lưu quy định phiên bản v{row.version}.")
                return redirect("rotation:rules")
            preview = whatif.preview(draft, current=current.to_rules() if current else config.current_rules())
    else:
        form = RulesForm.from_ruleset(current)
        preview = whatif.preview(config.current_rules())
    context = {"form": form, "preview": preview, "current": current, "versions": RuleSet.objects.select_related("created_by")[:10]}
    template = "rotation/rules.html#preview" if request.htmx and request.method == "POST" and "save" not in request.POST else "rotation/rules.html"
    return render(request, template, context)

