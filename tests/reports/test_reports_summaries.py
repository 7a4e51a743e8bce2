"""The summary tables: the 5-minute refresh catches new and back-dated rows, equals a full rebuild, runs as a task."""

from datetime import date

import pytest
import time_machine

from leadpool import worker
from leadpool.reports import queries, summaries
from leadpool.reports.models import CustomerFact, LeadDay, SummaryState, UserDay
from tests.reports.conftest import Builder, at

pytestmark = pytest.mark.django_db


def _snapshot() -> dict:
    def rows(model, order):
        return sorted(repr(tuple(v for k, v in r.items() if k != "id")) for r in model.objects.order_by(*order).values())

    return {
        "lead": rows(LeadDay, ["day"]),
        "fact": rows(CustomerFact, ["customer_id"]),
        "user": rows(UserDay, ["day", "user_id"]),
    }


def test_refresh_picks_up_new_and_backdated_rows_and_equals_a_rebuild(built, march_filters):
    w = built.w
    b = Builder(w)
    with time_machine.travel(at(10, 12), tick=False):
        # Written on the 10th, about the 4th (an import) and today.
        b.lead(built.c5, when=at(4, 20), source=w.facebook, owner=w.sale4, project=w.songhan, campaign="FB-SH", returning=True)
        c = b.customer(when=at(10, 9), source=w.google, owner=w.sale2, team=w.team_a, project=w.lotus, campaign="GG-Search")
        b.call(c, w.sale2, at(10, 9, 5))
        b.move(built.c3, w.sale2, "net", at(10, 11))
        result = summaries.refresh()
        assert result.ranges >= 2
        after_refresh = _snapshot()
        assert queries.leads(march_filters)["total"] == {"leads": 9, "new": 7, "returning": 2}
        quality = {r["source"]: r for r in queries.quality(march_filters)["rows"]}
        assert quality["Google Ads"]["customers"] == 2 and quality["Google Ads"]["net"] == 1
        people = {r["user_id"]: r for r in queries.effectiveness(march_filters)["rows"]}
        assert people[w.sale2.pk]["calls"] == 2
        summaries.refresh()
        assert _snapshot() == after_refresh  # idempotent
        summaries.rebuild()
        assert _snapshot() == after_refresh  # the refresh found everything a rebuild finds


def test_refresh_without_changes_redoes_only_recent_days(built):
    with time_machine.travel(at(10, 12), tick=False):
        summaries.refresh()
        before = _snapshot()
        result = summaries.refresh()
    assert result.ranges == 1 and _snapshot() == before
    assert SummaryState.objects.get(name="lead").last_id > 0


def test_a_customer_changed_later_is_refreshed(built):
    with time_machine.travel(at(10, 12), tick=False):
        summaries.refresh()
    b = Builder(built.w)
    with time_machine.travel(at(11, 12), tick=False):
        b.move(built.c5, built.w.sale4, "net", at(11, 11))
        summaries.refresh()
    fact = CustomerFact.objects.get(customer_id=built.c5.pk)
    assert fact.max_rank == 3 and fact.net_after == int((at(11, 11) - at(4, 14)).total_seconds())


def test_local_day_boundaries():
    lo, hi = summaries.day_bounds(date(2026, 3, 3), date(2026, 3, 3))
    assert lo.isoformat() == "2026-03-03T00:00:00+07:00" and (hi - lo).days == 1


def test_periodic_tasks_are_registered_and_run_on_the_worker(built, run_tasks):
    assert worker.PERIODIC["reports.refresh"][0] == 300
    assert worker.PERIODIC["reports.rebuild"][0] == 86_400
    from leadpool.reports.tasks import refresh_summaries

    LeadDay.objects.all().delete()
    SummaryState.objects.all().delete()  # as on a fresh install: the first refresh finds every day as new
    refresh_summaries.enqueue()
    assert run_tasks() == 1
    assert LeadDay.objects.filter(day=date(2026, 3, 4)).exists()
    assert SummaryState.objects.get(name="customer_fact").refreshed_at is not None
