"""Speed to lead from the SpeedMonth summary: the same figures as counting the leads, and kept fresh by refresh()."""

from datetime import date, timedelta

import pytest
import time_machine

from leadpool.customers.models import Lead
from leadpool.reports import queries, summaries
from leadpool.reports.filters import Filters
from leadpool.reports.models import SpeedMonth
from leadpool.reports.scope import Scope
from leadpool.sales.actions import log_activity
from tests.reports.conftest import Builder, at

pytestmark = pytest.mark.django_db

LIMIT = timedelta(minutes=30)


@pytest.fixture
def varied(world):
    """March–April 2026: five salespeople in two teams, two projects, three sources, calls around the limit."""
    w = world
    b = Builder(w)
    c = b.customer(when=at(1, 8), source=w.facebook, owner=w.sale1, team=w.team_a, project=w.lotus, campaign="FB-1",
                   first_call=at(1, 8) + LIMIT)  # exactly at the limit: within
    two = b.lead(c, when=at(3, 9), source=w.facebook, owner=w.sale1, project=w.lotus, campaign="FB-2",
                 first_call=at(3, 9) + LIMIT + timedelta(microseconds=1))  # just past it: 31 minutes
    two.projects.add(w.songhan)  # counts under both projects
    b.lead(c, when=at(5, 23, 50), source=w.google, owner=w.sale2, project=w.songhan, campaign="GG",
           first_call=at(5, 23, 50) + LIMIT - timedelta(microseconds=1))  # crosses midnight, 30 minutes
    b.lead(c, when=at(31, 23, 59), source=w.google, owner=w.sale2, campaign="GG")  # never called, no project
    d = b.customer(when=at(9, 10), source=w.google, owner=w.sale4, team=w.team_b, project=w.songhan, campaign="GG",
                   first_call=at(9, 10) - timedelta(seconds=5))  # logged before arrival: 0 minutes
    b.lead(d, when=at(12, 14), source=w.facebook, owner=w.sale5, project=w.songhan, campaign="FB-1",
           first_call=at(12, 14) + timedelta(hours=3, seconds=1))
    b.lead(d, when=at(14, 14), source=w.hotline, owner=w.sale5, first_call=at(14, 15))  # not digital: left out
    b.lead(d, when=at(15, 14), source=w.facebook, owner=None, first_call=at(15, 15))  # no owner on arrival: left out
    b.lead(d, when=at(16, 14), source=w.facebook, owner=w.sale4, is_test=True)  # test: left out
    for i in range(12):  # a spread of minutes for the percentiles, over both months and all projects
        when = at(1 + 2 * i, 11, 15, month=3 + i % 2)
        owner = (w.sale1, w.sale2, w.sale3, w.sale4)[i % 4]
        project = (w.lotus, w.songhan, None)[i % 3]
        called = None if i % 5 == 4 else when + timedelta(minutes=7 * i, seconds=i)
        b.lead(c, when=when, source=(w.facebook, w.google)[i % 2], owner=owner, project=project,
               campaign=("FB-1", "GG", "")[i % 3], first_call=called)
    b.lead(c, when=at(30, 9, month=4), source=w.facebook, owner=w.sale3, project=w.lotus, first_call=at(30, 9, 45, month=4))
    summaries.rebuild()
    return w


def _filters(w) -> list[Filters]:
    march = Filters(start=date(2026, 3, 1), end=date(2026, 3, 31))
    periods = [
        march,
        Filters(start=date(2026, 3, 1), end=date(2026, 4, 30)),  # two whole months
        Filters(start=date(2026, 2, 20), end=date(2026, 4, 10)),  # days around a whole month
        Filters(start=date(2026, 3, 3), end=date(2026, 3, 20)),  # inside one month: all live
    ]
    narrowed = [
        march.with_(project_id=w.lotus.pk),
        march.with_(project_id=w.songhan.pk),
        march.with_(source_id=w.google.pk),
        march.with_(campaign="FB-1"),
        march.with_(team_id=w.team_a.pk),
        periods[2].with_(project_id=w.songhan.pk, source_id=w.facebook.pk),
        periods[1].with_(team_id=w.team_b.pk, campaign="GG"),
    ]
    return periods + narrowed


def test_speed_from_the_summary_equals_counting_the_leads(varied):
    w = varied
    assert SpeedMonth.objects.filter(project__isnull=True).count() > 0
    scopes = [None, Scope(w.leader_b, (w.team_b.pk,), (w.leader_b.pk, w.sale4.pk, w.sale5.pk))]
    for f in _filters(w):
        for scope in scopes:
            assert queries.speed(f, scope) == queries.speed(f, scope, live=True), (f, scope)
    march = Filters(start=date(2026, 3, 1), end=date(2026, 3, 31))
    people = {r["user_id"]: r for r in queries.speed(march)["people"]}
    assert people[w.sale5.pk]["leads"] == 1  # the hotline lead does not count
    SpeedMonth.objects.all().delete()
    assert queries.speed(march)["people"] == []  # whole months are read from the summary


def test_a_lead_in_two_projects_counts_under_each(varied):
    w = varied
    march = Filters(start=date(2026, 3, 1), end=date(2026, 3, 31))
    for project in (w.lotus, w.songhan):
        s1 = {r["user_id"]: r for r in queries.speed(march.with_(project_id=project.pk))["people"]}[w.sale1.pk]
        live = {r["user_id"]: r for r in queries.speed(march.with_(project_id=project.pk), live=True)["people"]}[w.sale1.pk]
        assert s1 == live
    both = Lead.objects.get(campaign="FB-2")
    minutes = SpeedMonth.objects.filter(campaign="FB-2").values_list("project_id", "minutes", "leads")
    assert sorted(minutes, key=str) == sorted([(None, 31, 1), (w.lotus.pk, 31, 1), (w.songhan.pk, 31, 1)], key=str)
    assert both.projects.count() == 2


def test_calls_at_the_limit_round_up_started_minutes(varied):
    rows = dict(SpeedMonth.objects.filter(project__isnull=True, month=date(2026, 3, 1), campaign__in=["FB-1", "FB-2"],
                                          owner=varied.sale1, minutes__in=[30, 31]).values_list("campaign", "minutes"))
    assert rows == {"FB-1": 30, "FB-2": 31}
    assert SpeedMonth.objects.get(owner=varied.sale4, campaign="GG", month=date(2026, 3, 1), project__isnull=True,
                                  source=varied.google, minutes__lte=0).minutes == 0


def test_a_late_first_call_is_recounted_by_the_refresh(built, march_filters):
    w = built.w
    with time_machine.travel(at(26, 9), tick=False):
        c = Builder(w).customer(when=at(26, 9), source=w.facebook, owner=w.sale2, team=w.team_a, project=w.lotus,
                                campaign="FB-Lotus-1")
        summaries.refresh()
    before = queries.speed(march_filters)
    assert before == queries.speed(march_filters, live=True)
    with time_machine.travel(at(5, 10, month=4), tick=False):  # ten days later, March is no longer a recent day
        log_activity(c, by=w.sale2, kind="call", call_direction="out", call_outcome="reached", duration_seconds=90)
        assert Lead.objects.get(customer=c).first_call_at == at(5, 10, month=4)
        assert queries.speed(march_filters) == before  # not yet refreshed
        result = summaries.refresh()
        assert result.speed_months > 0
        after = queries.speed(march_filters)
        assert after == queries.speed(march_filters, live=True) and after != before
        s2 = {r["user_id"]: r for r in after["people"]}[w.sale2.pk]
        assert s2["called"] == 2 and s2["leads"] == 2
        refreshed = sorted(SpeedMonth.objects.values_list("month", "owner_id", "source_id", "campaign", "project_id",
                                                          "minutes", "leads"), key=str)
        summaries.rebuild()
        assert sorted(SpeedMonth.objects.values_list("month", "owner_id", "source_id", "campaign", "project_id",
                                                     "minutes", "leads"), key=str) == refreshed
