"""Who may open which report, and how far each person's figures reach (built on accounts.access)."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from leadpool.accounts import access
from leadpool.accounts.models import Role, User

# report slug -> roles that may open it ("manager" also covers superusers)
REPORT_ROLES: dict[str, set[str]] = {
    "leads": {"manager", "marketing", "leader"},
    "cost": {"manager", "marketing"},
    "quality": {"manager", "marketing", "leader"},
    "funnel": {"manager", "marketing", "leader"},
    "speed": {"manager", "leader"},
    "people": {"manager", "leader"},
    "rotation": {"manager", "leader"},
    "data_quality": {"manager", "marketing"},
    "targets": {"manager", "leader"},
    "spend": {"manager", "marketing"},
    "audiences": {"manager", "marketing"},
}


def role_of(user: User) -> str:
    return "manager" if user.is_manager else user.role


@dataclass(frozen=True)
class Scope:
    """team_ids / user_ids of None mean "all"; an empty tuple means "none"."""

    user: User
    team_ids: tuple[int, ...] | None
    user_ids: tuple[int, ...] | None

    @property
    def is_all(self) -> bool:
        return self.team_ids is None and self.user_ids is None


def scope_for(user: User) -> Scope:
    if user.is_manager or user.role == Role.MARKETING:
        return Scope(user, None, None)
    if user.role == Role.LEADER:
        return Scope(user, tuple(access.led_team_ids(user)), tuple(access.users_for(user).values_list("pk", flat=True)))
    return Scope(user, (), (user.pk,))


def may_open(user: User, slug: str) -> bool:
    return user.is_authenticated and role_of(user) in REPORT_ROLES.get(slug, set())


def require(user: User, slug: str) -> Scope:
    if not may_open(user, slug):
        raise PermissionDenied("Bạn không có quyền xem báo cáo này.")
    return scope_for(user)
