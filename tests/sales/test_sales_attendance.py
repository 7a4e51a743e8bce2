"""Attendance: a one-tap daily check-in on the home page; leaders see their team's days."""

from datetime import datetime, timedelta

import time_machine
from django.utils import timezone

from leadpool import events
from leadpool.accounts.models import Attendance
from leadpool.sales import attendance


def _off_duty(*users):
    """The shared world starts with everyone checked in; these stories start before the tap."""
    Attendance.objects.filter(user__in=users, day=timezone.localdate()).delete()


def test_check_in_once_a_day_and_rotation_is_told_once(world):
    _off_duty(world.sale1)
    heard = []

    def listener(user):
        heard.append(user.pk)

    events.listen("checked_in", listener)
    try:
        first = attendance.check_in(world.sale1)
        again = attendance.check_in(world.sale1)
    finally:
        events._listeners["checked_in"].remove(listener)
    assert first.pk == again.pk
    assert heard == [world.sale1.pk]
    assert Attendance.objects.filter(user=world.sale1).count() == 1


def test_the_day_is_vietnams_day(world):
    Attendance.objects.all().delete()
    early_morning = timezone.make_aware(datetime(2026, 11, 24, 1, 30))  # 01:30 in Hồ Chí Minh City, 18:30 UTC the day before
    with time_machine.travel(early_morning, tick=False):
        row = attendance.check_in(world.sale1)
    assert str(row.day) == "2026-11-24"


def test_home_offers_the_check_in_button_then_shows_the_time(world, login):
    _off_duty(world.sale1)
    client = login(world.sale1)
    assert 'id="check-in"' in client.get("/").content.decode()
    response = client.post("/sales/attendance/check-in/", {"next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    html = client.get("/").content.decode()
    assert 'id="check-in"' not in html and "Đã chấm công lúc" in html
    client.post("/sales/attendance/check-out/", {"next": "https://evil.example/"})
    assert Attendance.objects.get(user=world.sale1).checked_out_at is not None


def test_check_in_is_a_post(world, login):
    assert login(world.sale1).get("/sales/attendance/check-in/").status_code == 405


def test_leader_sees_team_attendance(world, login):
    today = timezone.localdate()
    _off_duty(world.sale1, world.sale2, world.sale3, world.leader_a)
    attendance.check_in(world.sale1)
    Attendance.objects.create(user=world.sale2, day=today - timedelta(days=1), checked_in_at=timezone.now() - timedelta(days=1))
    html = login(world.leader_a).get("/").content.decode()
    assert "Đội A" in html and "Đội B" not in html
    row1 = html[html.index(f'data-member="{world.sale1.pk}"'):]
    assert "✓" in row1[: row1.index("</tr>")]
    row2 = html[html.index(f'data-member="{world.sale2.pk}"'):]
    assert "chưa" in row2[: row2.index("</tr>")] and "1/7" in row2[: row2.index("</tr>")]
    assert f'data-member="{world.sale4.pk}"' not in html
    assert "Hôm nay: 1/" in html


def test_manager_sees_every_team_and_salesperson_cannot(world, login):
    html = login(world.manager).get("/").content.decode()
    assert "Đội A" in html and "Đội B" in html
    assert login(world.sale1).get("/sales/team/").status_code == 403


def test_team_overview_counts_members_work(world, owned, login, django_assert_max_num_queries):
    for _ in range(3):
        owned(owner=world.sale2)
    client = login(world.leader_a)
    client.get("/sales/team/")
    with django_assert_max_num_queries(20):  # includes each team's KPI card (a fixed few per team)
        html = client.get("/sales/team/").content.decode()
    row = html[html.index(f'data-member="{world.sale2.pk}"'):]
    row = row[: row.index("</tr>")]
    assert "text-danger fw-semibold\">3<" in row  # three customers waiting for a first call


def test_marketing_home_links_to_their_work(world, make_customer, login):
    make_customer()
    html = login(world.mkt).get("/").content.decode()
    assert 'id="leads-today">1<' in html
