"""factory_boy factories for the shared test world."""

import factory
from django.contrib.auth.hashers import make_password

from leadpool.accounts.models import Membership, Role, Team, User
from leadpool.customers.models import Project, Source

PASSWORD = "pw-leadpool-1"
_HASH = None


def _hashed() -> str:
    global _HASH
    if _HASH is None:
        _HASH = make_password(PASSWORD)
    return _HASH


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="vi_VN")
    role = Role.SALES
    password = factory.LazyFunction(_hashed)


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Dự án {n}")
    code = factory.Sequence(lambda n: f"du-an-{n}")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Đội {n}")


def member(team: Team, user: User) -> User:
    Membership.objects.get_or_create(team=team, user=user)
    return user


def source(key: str) -> Source:
    return Source.objects.get(key=key)
