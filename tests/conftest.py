"""The small shared world every test story happens in: two projects, two teams, named people."""

from types import SimpleNamespace
from unittest import mock

import pytest
from django.test import Client

from leadpool.accounts.models import Role
from tests.factories import PASSWORD, ProjectFactory, TeamFactory, UserFactory, member, source


@pytest.fixture(autouse=True)
def _trust_defaults(settings):
    """Stories sign in with force_login: the OTP step (tests/trust, tests/e2e) and rate-limit counters start fresh."""
    settings.LEADPOOL_REQUIRE_OTP = False
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def world(db):
    """Team A works Lotus (leader_a, sale1, sale2, sale3); team B works Sông Hàn (leader_b, sale4, sale5)."""
    lotus = ProjectFactory(name="Lotus Garden", code="lotus")
    songhan = ProjectFactory(name="Sông Hàn Residence", code="song-han")
    leader_a = UserFactory(username="leader_a", role=Role.LEADER)
    leader_b = UserFactory(username="leader_b", role=Role.LEADER)
    team_a = TeamFactory(name="Đội A", leader=leader_a)
    team_b = TeamFactory(name="Đội B", leader=leader_b)
    team_a.projects.add(lotus)
    team_b.projects.add(songhan)
    w = SimpleNamespace(
        lotus=lotus,
        songhan=songhan,
        team_a=team_a,
        team_b=team_b,
        leader_a=member(team_a, leader_a),
        leader_b=member(team_b, leader_b),
        sale1=member(team_a, UserFactory(username="sale1")),
        sale2=member(team_a, UserFactory(username="sale2")),
        sale3=member(team_a, UserFactory(username="sale3")),
        sale4=member(team_b, UserFactory(username="sale4")),
        sale5=member(team_b, UserFactory(username="sale5")),
        mkt=UserFactory(username="mkt1", role=Role.MARKETING),
        manager=UserFactory(username="manager", role=Role.MANAGER, is_staff=True, is_superuser=True),
        facebook=source("facebook_ads"),
        google=source("google_ads"),
        hotline=source("hotline"),
        password=PASSWORD,
    )
    # Customers go only to salespeople who checked in today (rotation rule): the world starts on duty.
    from django.utils import timezone

    from leadpool.accounts.models import Attendance
    from leadpool.rotation.worktime import VN

    today = timezone.now().astimezone(VN).date()
    for person in (w.sale1, w.sale2, w.sale3, w.sale4, w.sale5):
        Attendance.objects.get_or_create(user=person, day=today)
    return w


@pytest.fixture
def login():
    """login(user) -> a Client signed in as that user."""

    def _login(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def make_customer(world):
    """make_customer(phone=..., project=world.lotus, ...) captures a lead the way the channels do."""
    from leadpool.intake.capture import LeadInput, capture

    counter = {"n": 0}

    def _make(phone=None, *, name="Nguyễn Văn An", project=None, src=None, emails=(), **extra):
        counter["n"] += 1
        phone = phone or f"09{counter['n']:08d}"
        data = LeadInput(
            source=src or world.facebook,
            name=name,
            phones=[phone],
            emails=list(emails),
            projects=[project or world.lotus],
            **extra,
        )
        return capture(data)

    return _make


@pytest.fixture
def run_tasks(db):
    """Run every queued background task with the real database worker, as `leadpool worker` would."""
    from django_tasks_db.management.commands.db_worker import Worker

    def _run() -> int:
        worker = Worker(
            queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False,
            max_tasks=None, worker_id="test", excluded_queue_names=[],
        )
        # The test's connection lives inside the test transaction: on PostgreSQL (pooled) the worker's
        # close_old_connections() would close it mid-transaction, so connection hygiene is skipped here.
        with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
            worker.run()
        return worker._run_tasks

    return _run
