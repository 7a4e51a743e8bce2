"""The one place that says who may see what. Every page, API endpoint and export starts here."""

from django.db.models import Q, QuerySet
from django.http import Http404

from leadpool.accounts.models import Membership, Role, Team, User


def teams_for(user: User) -> QuerySet[Team]:
    if not user.is_authenticated:
        return Team.objects.none()
    if user.is_manager:
        return Team.objects.all()
    if user.role == Role.LEADER:
        return Team.objects.filter(leader=user)
    return Team.objects.filter(memberships__user=user, memberships__active=True).distinct()


def led_team_ids(user: User) -> list[int]:
    if user.is_manager:
        return list(Team.objects.values_list("id", flat=True))
    if user.role != Role.LEADER:
        return []
    return list(Team.objects.filter(leader=user).values_list("id", flat=True))


def team_member_ids(user: User) -> list[int]:
    """Users whose work this user oversees (a leader's team members; everyone for a manager)."""
    if user.is_manager:
        return list(User.objects.values_list("id", flat=True))
    teams = led_team_ids(user)
    if not teams:
        return [user.pk]
    ids = set(Membership.objects.filter(team_id__in=teams).values_list("user_id", flat=True))
    ids.add(user.pk)
    return sorted(ids)


def customers_for(user: User):
    """Customers this user may open. Salespeople: only those they own right now."""
    from leadpool.customers.models import Customer

    qs = Customer.objects.live()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_manager or user.role == Role.MARKETING:
        return qs
    if user.role == Role.LEADER:
        teams = led_team_ids(user)
        members = team_member_ids(user)
        return qs.filter(Q(team_id__in=teams) | Q(owner_id__in=members))
    return qs.filter(owner=user)


def leads_for(user: User):
    from leadpool.customers.models import Lead

    if not user.is_authenticated or not user.is_active:
        return Lead.objects.none()
    if user.is_manager or user.role == Role.MARKETING:
        return Lead.objects.all()
    return Lead.objects.filter(customer__in=customers_for(user))


def users_for(user: User) -> QuerySet[User]:
    """People whose figures and work this user may see."""
    if user.is_manager:
        return User.objects.filter(is_active=True)
    return User.objects.filter(pk__in=team_member_ids(user), is_active=True)


def customer_or_404(user: User, pk):
    """Out of reach answers 404, never 403, so ids cannot be probed."""
    from django.shortcuts import get_object_or_404

    try:
        return get_object_or_404(customers_for(user), pk=int(pk))
    except (ValueError, TypeError) as exc:
        raise Http404 from exc


def may_see_full_phone(user: User, customer) -> bool:
    """Marketing works with capture data, not with people's full numbers."""
    return user.role != Role.MARKETING


def full_phone_view_is_audited(user: User, customer) -> bool:
    """Seeing a full number of a customer one does not own is written to the audit log."""
    return may_see_full_phone(user, customer) and customer.owner_id != user.pk


def may_export(user: User) -> bool:
    """Data belongs to the company: only managers export lists."""
    return user.is_authenticated and user.is_manager


def may_configure(user: User) -> bool:
    return user.is_authenticated and user.is_manager


def may_decide_rotation(user: User, customer) -> bool:
    if user.is_manager:
        return True
    return user.role == Role.LEADER and customers_for(user).filter(pk=customer.pk).exists()


def may_work_on(user: User, customer) -> bool:
    """Log calls, notes and status changes: the owner, their leader, a manager."""
    if customer.owner_id == user.pk:
        return True
    if user.is_manager:
        return True
    return user.role == Role.LEADER and customers_for(user).filter(pk=customer.pk).exists()
