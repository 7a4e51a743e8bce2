"""The leads dashboard compares capture points: counts per source × capture point, worked out by hand.

| lead | when (local)      | source   | capture point | customer (team)  | counted            |
|------|-------------------|----------|---------------|------------------|--------------------|
| L1   | 02/03 09:00       | Website  | form          | k1 (B)           | new                |
| L2   | 02/03 10:00       | Website  | popup         | k2 (B)           | new                |
| L3   | 05/03 11:00       | Website  | popup         | k2 (B) again     | returning          |
| L4   | 03/03 00:30       | Website  | chatbox       | k3 (A)           | new                |
| L5   | 04/03 12:00       | Website  | affiliate     | k4 (A), test     | no (test lead)     |
| L6   | 28/02 23:30       | Website  | form          | k5 (B)           | no (before March)  |
| L7   | 06/03 08:00       | Facebook | lead_form     | k6 (A)           | new                |
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from leadpool.customers.models import Customer, Lead, Status
from leadpool.reports import queries
from leadpool.reports.filters import Filters
from leadpool.reports.scope import Scope
from leadpool.reports.tables import build_leads
from tests.factories import source

VN = ZoneInfo("Asia/Ho_Chi_Minh")
MARCH = Filters(start=date(2026, 3, 1), end=date(2026, 3, 31))


def at(day, hour, minute=0, month=3):
    return datetime(2026, month, day, hour, minute, tzinfo=VN)


@pytest.fixture
def leads(world):
    web, fb = source("website"), world.facebook
    new = Status.objects.get(key="new")

    def customer(team, when, is_test=False):
        return Customer.objects.create(name="Khách", status=new, status_entered_at=when, team=team, first_source=web,
                                       latest_source=web, first_lead_at=when, last_lead_at=when, created_at=when,
                                       is_test=is_test)

    def lead(c, src, point, when, returning=False, is_test=False):
        return Lead.objects.create(customer=c, source=src, channel=src.channel, capture_point=point, received_at=when,
                                   is_returning=returning, is_test=is_test)

    k2 = customer(world.team_b, at(2, 10))
    lead(customer(world.team_b, at(2, 9)), web, "form", at(2, 9))
    lead(k2, web, "popup", at(2, 10))
    lead(k2, web, "popup", at(5, 11), returning=True)
    lead(customer(world.team_a, at(3, 0, 30)), web, "chatbox", at(3, 0, 30))
    lead(customer(world.team_a, at(4, 12), is_test=True), web, "affiliate", at(4, 12), is_test=True)
    lead(customer(world.team_b, at(28, 23, 30, month=2)), web, "form", at(28, 23, 30, month=2))
    lead(customer(world.team_a, at(6, 8)), fb, "lead_form", at(6, 8))
    return web, fb


def rows(data):
    return {(r["source"], r["capture_point"]): (r["leads"], r["new"], r["returning"]) for r in data}


def test_leads_per_source_and_capture_point(world, leads):
    web, fb = leads
    data = queries.leads_by_capture_point(MARCH)
    assert rows(data) == {
        (web.name, "popup"): (2, 1, 1),
        (web.name, "form"): (1, 1, 0),
        (web.name, "chatbox"): (1, 1, 0),
        (fb.name, "lead_form"): (1, 1, 0),
    }
    assert data[0]["capture_point"] == "popup" and data[0]["capture_point_label"] == "Pop-up / luồng"


def test_the_filters_and_a_leaders_scope_apply(world, leads):
    web, fb = leads
    assert rows(queries.leads_by_capture_point(MARCH.with_(team_id=world.team_a.pk))) == {
        (web.name, "chatbox"): (1, 1, 0), (fb.name, "lead_form"): (1, 1, 0)}
    assert rows(queries.leads_by_capture_point(MARCH.with_(source_id=fb.pk))) == {(fb.name, "lead_form"): (1, 1, 0)}
    assert rows(queries.leads_by_capture_point(MARCH.with_(start=date(2026, 3, 3), end=date(2026, 3, 5)))) == {
        (web.name, "popup"): (1, 0, 1), (web.name, "chatbox"): (1, 1, 0)}
    leader = Scope(world.leader_b, (world.team_b.pk,), ())
    assert rows(queries.leads_by_capture_point(MARCH, leader)) == {(web.name, "popup"): (2, 1, 1), (web.name, "form"): (1, 1, 0)}


def test_the_dashboard_shows_the_table_the_chart_and_links_to_the_leads(world, leads, login):
    web, _fb = leads
    page = build_leads(MARCH, Scope(world.manager, None, None))
    table = next(t for t in page.tables if t.key == "by_capture_point")
    assert [c.key for c in table.columns] == ["source", "capture_point_label", "leads", "new", "returning"]
    chart = next(c for c in page.charts if str(c.title) == "Lead theo điểm thu lead")
    assert dict(chart.data) == {"Pop-up / luồng": 2, "Form": 1, "Chatbox": 1, "Form quảng cáo": 1}
    popup = next(r for r in table.rows if r["capture_point"] == "popup")
    link = table.link(popup, "leads")
    assert "capture_point=popup" in link and f"source={web.pk}" in link
    listing = login(world.manager).get(link)
    assert listing.status_code == 200
    assert len(listing.context["page"].object_list) == 2  # the figure and the list behind it agree

    html = login(world.manager).get("/reports/leads/?start=2026-03-01&end=2026-03-31")
    assert html.status_code == 200 and "Lead theo điểm thu lead" in html.text and "Pop-up / luồng" in html.text
