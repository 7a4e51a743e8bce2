"""Monthly targets: progress of a person and a team, the KPI card partial, the targets page and who may set what."""

from datetime import date

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from leadpool.audit.models import AuditEntry
from leadpool.reports import targets
from leadpool.reports.models import Target

pytestmark = pytest.mark.django_db
MARCH = date(2026, 3, 1)


def test_progress_for_a_salesperson(march):
    w = march.w
    targets.set_target(month=date(2026, 3, 15), by=w.manager, user=w.sale1, calls=10, appointments=2, deposits=1, bookings=0)
    kpi = targets.progress_for(w.sale1, MARCH)
    assert kpi.has_target and kpi.month == MARCH
    got = {i.key: (i.actual, i.target, i.percent) for i in kpi.items}
    # sale1 in March: 2 unflagged calls, c1 to appointment, c1 to deposit
    assert got == {"calls": (2, 10, 20), "appointments": (1, 2, 50), "deposits": (1, 1, 100), "bookings": (0, 0, None)}
    assert AuditEntry.objects.filter(action="target.set").count() == 1


def test_progress_without_target_still_shows_actuals(march):
    kpi = targets.progress_for(march.w.sale4, MARCH)
    assert not kpi.has_target
    assert {i.key: i.actual for i in kpi.items} == {"calls": 2, "appointments": 0, "deposits": 0, "bookings": 1}
    assert {i.key: i.actual for i in targets.progress_for(march.w.sale4, date(2026, 2, 1)).items}["calls"] == 0


def test_team_progress_adds_up_its_members(march):
    w = march.w
    targets.set_target(month=MARCH, by=w.manager, team=w.team_a, calls=40, appointments=5, deposits=2, bookings=1)
    kpi = targets.team_progress(w.team_a, MARCH)
    assert {i.key: (i.actual, i.target) for i in kpi.items} == {
        "calls": (3, 40), "appointments": (1, 5), "deposits": (1, 2), "bookings": (0, 1),
    }


def test_setting_again_replaces_the_target(march):
    w = march.w
    targets.set_target(month=MARCH, by=w.manager, user=w.sale1, calls=10)
    targets.set_target(month=MARCH, by=w.manager, user=w.sale1, calls=20)
    assert Target.objects.get(user=w.sale1, month=MARCH).calls == 20
    with pytest.raises(ValueError):
        targets.set_target(month=MARCH, by=w.manager, user=w.sale1, team=w.team_a)


def test_kpi_card_partial_renders_progress(march):
    w = march.w
    targets.set_target(month=MARCH, by=w.manager, user=w.sale1, calls=10, appointments=2, deposits=1)
    html = render_to_string("reports/_kpi_card.html", {"kpi": targets.progress_for(w.sale1, MARCH)})
    assert "03/2026" in html and "<strong>2</strong> / 10" in html and "20%" in html and 'value="100"' in html
    empty = render_to_string("reports/_kpi_card.html", {"kpi": targets.progress_for(w.sale2, MARCH)})
    assert "Chưa có chỉ tiêu" in empty


def test_leader_sets_targets_for_their_people_only(march, login):
    w = march.w
    client = login(w.leader_a)
    page = client.get(reverse("reports:targets") + "?month=2026-03")
    assert page.status_code == 200
    subjects = [k.subject for k in page.context["person_cards"]]
    assert "sale4" not in " ".join(u.username for u in [k.user for k in page.context["person_cards"]])
    assert [k.team for k in page.context["team_cards"]] == [w.team_a]
    assert subjects
    ok = client.post(reverse("reports:targets"), {"month": "2026-03", "user": w.sale2.pk, "calls": 30, "appointments": 3,
                                                  "deposits": 1, "bookings": 0})
    assert ok.status_code == 302 and Target.objects.get(user=w.sale2).calls == 30
    refused = client.post(reverse("reports:targets"), {"month": "2026-03", "user": w.sale4.pk, "calls": 1, "appointments": 0,
                                                       "deposits": 0, "bookings": 0})
    assert refused.status_code == 200 and "user" in refused.context["form"].errors
    assert not Target.objects.filter(user=w.sale4).exists()
    both = client.post(reverse("reports:targets"), {"month": "2026-03", "user": w.sale2.pk, "team": w.team_a.pk, "calls": 1,
                                                    "appointments": 0, "deposits": 0, "bookings": 0})
    assert both.context["form"].non_field_errors()


def test_salesperson_cannot_open_targets_page(march, login):
    assert login(march.w.sale1).get(reverse("reports:targets")).status_code == 403
