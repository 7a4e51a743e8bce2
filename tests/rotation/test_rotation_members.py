"""What every hand-out reads about a team's salespeople (members_of): the counts, and what they cost."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from leadpool.customers.models import RECEIVING_REASONS, Assignment, Customer, Status
from leadpool.rotation.distribution import members_of


def _held(user, *, status="new", reason="new", days_ago=0):
    at = timezone.now() - timedelta(days=days_ago)
    customer = Customer.objects.create(status=Status.objects.get(key=status), owner=user)
    Assignment.objects.create(customer=customer, user=user, started_at=at, reason=reason)
    return customer


@pytest.mark.django_db
def test_open_customers_and_turns_received_over_the_window(world):
    _held(world.sale1)
    _held(world.sale1, reason="rotation")
    _held(world.sale1, reason="import")  # held, but an import is not a turn
    _held(world.sale1, reason="merge")  # likewise a merge
    _held(world.sale1, days_ago=40)  # a turn, long before the window
    _held(world.sale1, status="deposit")  # a turn, the customer no longer open
    _held(world.sale2, reason="pool")

    figures = {m.user_id: m for m in members_of(world.team_a, at=timezone.now())}

    assert (figures[world.sale1.pk].open_now, figures[world.sale1.pk].received_now) == (5, 3)
    assert (figures[world.sale2.pk].open_now, figures[world.sale2.pk].received_now) == (1, 1)
    assert (figures[world.sale3.pk].open_now, figures[world.sale3.pk].received_now) == (0, 0)
    assert world.leader_a.pk not in figures  # leaders are not handed customers


@pytest.mark.django_db
def test_open_customers_are_counted_up_to_the_cap_and_shown_as_at_least(world, make_customer, set_rules, login):
    for _ in range(4):
        _held(world.sale1, reason="import")
    _held(world.sale2)
    now = timezone.now()
    capped = {m.user_id: m.open_now for m in members_of(world.team_a, at=now, open_cap=3)}
    assert capped[world.sale1.pk] == 3 and capped[world.sale2.pk] == 1
    assert {m.user_id: m.open_now for m in members_of(world.team_a, at=now)}[world.sale1.pk] == 4

    set_rules(open_cap=3)
    customer = make_customer().customer
    assignment = Assignment.objects.get(customer=customer, ended_at__isnull=True)
    people = {p["user"]: p for p in assignment.explanation["people"]}
    assert assignment.user_id not in (None, world.sale1.pk)
    assert people[world.sale1.pk]["open"] == 3 and people[world.sale1.pk]["open_at_least"]
    assert not people[world.sale1.pk]["eligible"] and "Đã đủ 3 khách" in people[world.sale1.pk]["reason"]
    assert not people[world.sale2.pk]["open_at_least"]

    page = login(world.manager).get(f"/rotation/customers/{customer.pk}/").content.decode()
    assert "≥ 3" in page


@pytest.mark.django_db
def test_a_new_turn_shows_at_the_next_hand_out_in_one_query(world):
    now = timezone.now()
    first = {m.user_id: m.received_now for m in members_of(world.team_a, at=now)}
    _held(world.sale3)
    with CaptureQueriesContext(connection) as queries:
        second = {m.user_id: m.received_now for m in members_of(world.team_a, at=now)}
        third = {m.user_id: m.received_now for m in members_of(world.team_a, at=now)}
    assert second[world.sale3.pk] == first[world.sale3.pk] + 1 == third[world.sale3.pk]
    assert len(queries.captured_queries) == 2
    assert "assignment" in queries.captured_queries[0]["sql"]


@pytest.mark.django_db
def test_turns_are_counted_from_an_index_holding_only_turns():
    assert set(RECEIVING_REASONS) <= set(Assignment.Reason.values)
    assert {"import", "merge"}.isdisjoint(RECEIVING_REASONS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'assignment_received'")
        else:
            cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'assignment_received'")
        definition = cursor.fetchone()[0]
    assert "WHERE" in definition
    assert all(f"'{reason}'" in definition for reason in RECEIVING_REASONS)
    assert "'import'" not in definition
