"""Choosing who gets a customer: the team for its projects, then a person in that team."""

from django.db.models import Max

from leadpool.accounts.models import Membership, Role, Team
from leadpool.customers.models import Assignment


def team_for(projects, source=None) -> Team | None:
    """The team that works these projects; a source's default project otherwise; any team last."""
    project_ids = [p.pk for p in projects]
    if not project_ids and source is not None and source.default_project_id:
        project_ids = [source.default_project_id]
    if project_ids:
        team = Team.objects.filter(projects__in=project_ids).order_by("id").first()
        if team:
            return team
    return Team.objects.order_by("id").first()


def choose_owner(team: Team | None, *, customer=None, exclude: set[int] | None = None, at=None):
    """Round-robin among the team's active salespeople: whoever was handed a customer longest ago.

    Returns (user or None, explanation). None means the customer waits in the team's pool.
    """
    if team is None:
        return None, {"why": "no team"}
    exclude = exclude or set()
    members = list(
        Membership.objects.filter(team=team, active=True, user__is_active=True, user__role=Role.SALES)
        .exclude(user_id__in=exclude)
        .select_related("user")
    )
    if not members:
        return None, {"why": "nobody eligible in the team", "team": team.pk}
    last = dict(
        Assignment.objects.filter(user_id__in=[m.user_id for m in members])
        .values("user_id")
        .annotate(last=Max("started_at"))
        .values_list("user_id", "last")
    )
    # Never assigned first; then the longest wait. Ties fall to the user id hash, not to seniority.
    ordered = sorted(members, key=lambda m: (last.get(m.user_id) is not None, last.get(m.user_id), hash(m.user.username)))
    chosen = ordered[0].user
    return chosen, {
        "method": "round_robin",
        "eligible": [m.user_id for m in members],
        "chosen": chosen.pk,
        "why": "longest since last assignment",
    }
