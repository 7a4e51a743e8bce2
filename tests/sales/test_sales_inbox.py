"""My customers by urgency: not yet called first (with a live timer), follow-ups due, hold deadline, the rest."""

import re
from datetime import timedelta

import time_machine
from django.utils import timezone

from leadpool.customers.models import Customer, Status
from leadpool.sales import actions


def _order(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'data-customer="(\d+)"', html)]


def _buckets(html: str) -> dict[int, str]:
    return {int(c): b for c, b in re.findall(r'data-customer="(\d+)" data-bucket="(\w+)"', html)}


def test_inbox_orders_by_urgency(world, owned, login):
    now = timezone.now()
    with time_machine.travel(now - timedelta(days=3)):
        rest = owned(name="Khách Còn Lại")
        hold_late = owned(name="Khách Hạn Xa")
        hold_soon = owned(name="Khách Hạn Gần")
        due = owned(name="Khách Đến Hạn")
        for c in (rest, hold_late, hold_soon, due):
            actions.log_activity(c, by=world.sale1, kind="call", call_outcome="reached", duration_seconds=90)
    actions.schedule_follow_up(due, by=world.sale1, due_at=now - timedelta(hours=2))
    Customer.objects.filter(pk=hold_soon.pk).update(next_deadline_at=now + timedelta(hours=5), next_deadline_kind="hold")
    Customer.objects.filter(pk=hold_late.pk).update(next_deadline_at=now + timedelta(days=4), next_deadline_kind="hold")
    Customer.objects.filter(pk=rest.pk).update(next_deadline_at=None)
    Customer.objects.filter(pk=due.pk).update(next_deadline_at=now + timedelta(hours=1))
    with time_machine.travel(now - timedelta(minutes=40)):
        older_new = owned(name="Khách Mới Sớm")
    with time_machine.travel(now - timedelta(minutes=5)):
        newest = owned(name="Khách Mới Muộn")

    html = login(world.sale1).get("/").content.decode()
    assert _order(html) == [older_new.pk, newest.pk, due.pk, hold_soon.pk, hold_late.pk, rest.pk]
    buckets = _buckets(html)
    assert buckets[older_new.pk] == "uncalled" and buckets[due.pk] == "due"
    assert buckets[hold_soon.pk] == "hold" and buckets[rest.pk] == "rest"


def test_new_customer_shows_a_live_timer_since_arrival(world, owned, login):
    arrived = timezone.now() - timedelta(minutes=12)
    with time_machine.travel(arrived):
        customer = owned(name="Khách Chờ Gọi")
    html = login(world.sale1).get("/").content.decode()
    lead = customer.leads.get()
    card = html[html.index(f'data-customer="{customer.pk}"'):]
    match = re.search(r'data-since="([^"]+)"', card)
    assert match, "the card of a customer not yet called carries a live timer"
    assert match.group(1) == timezone.localtime(lead.received_at).isoformat()
    assert "12" in card[: card.index("</div>", card.index("data-since"))]  # server-rendered start value: 12 minutes


def test_first_call_stops_the_timer_and_records_speed_to_lead(world, owned, login):
    with time_machine.travel(timezone.now() - timedelta(minutes=7)):
        customer = owned()
    client = login(world.sale1)
    client.post(f"/sales/customers/{customer.pk}/call/", {"call_outcome": "no_answer"}, HTTP_HX_REQUEST="true")
    lead = customer.leads.get()
    assert lead.first_call_at is not None
    assert 6 * 60 <= (lead.first_call_at - lead.received_at).total_seconds() <= 8 * 60
    html = client.get("/").content.decode()
    assert _buckets(html)[customer.pk] != "uncalled"


def test_returning_lead_puts_the_customer_back_on_top(world, owned, make_customer, login):
    with time_machine.travel(timezone.now() - timedelta(days=2)):
        customer = owned("0912000111")
        actions.log_activity(customer, by=world.sale1, kind="call", call_outcome="reached", duration_seconds=100)
    make_customer("0912 000 111", src=world.google)  # the same person again, through another channel
    html = login(world.sale1).get("/").content.decode()
    assert _buckets(html)[customer.pk] == "uncalled"


def test_filters_and_search(world, owned, login):
    lotus = owned(name="Trần Thị Lan", project=world.lotus)
    song = owned(name="Lê Văn Bình", project=world.songhan, src=world.google)
    actions.change_status(song, to=Status.objects.get(key="in_care"), by=world.sale1)
    client = login(world.sale1)
    assert _order(client.get("/", {"project": "lotus"}).content.decode()) == [lotus.pk]
    assert _order(client.get("/", {"status": "in_care"}).content.decode()) == [song.pk]
    assert _order(client.get("/", {"source": "google_ads"}).content.decode()) == [song.pk]
    assert _order(client.get("/", {"q": "tran thi lan"}).content.decode()) == [lotus.pk]
    phone = song.phones.first().e164
    assert _order(client.get("/", {"q": "0" + phone[3:]}).content.decode()) == [song.pk]
    partial = client.get("/", {"q": "binh"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="inbox-results")
    assert partial.content.decode().lstrip().startswith('<div id="inbox-results">')
    assert _order(partial.content.decode()) == [song.pk]
    assert _order(client.get("/", {"view": "uncalled"}).content.decode()) == [lotus.pk, song.pk]


def test_empty_inbox_says_so(world, login):
    html = login(world.sale1).get("/").content.decode()
    assert "Chưa có khách nào" in html


def test_salesperson_sees_only_their_own_customers(world, owned, login):
    mine = owned(owner=world.sale1)
    theirs = owned(owner=world.sale2)
    client = login(world.sale1)
    assert _order(client.get("/").content.decode()) == [mine.pk]
    assert client.get("/", {"member": world.sale2.pk}).status_code == 404
    assert theirs.pk not in _order(client.get("/sales/", {"q": theirs.name}).content.decode())


def test_leader_sees_the_same_view_for_a_member(world, owned, login):
    theirs = owned(owner=world.sale2)
    client = login(world.leader_a)
    html = client.get("/", {"member": world.sale2.pk}).content.decode()
    assert _order(html) == [theirs.pk]
    assert "Khách của" in html
    assert client.get("/", {"member": world.sale4.pk}).status_code == 404  # another team's member


def test_inbox_query_count_is_bounded(world, owned, login, django_assert_max_num_queries):
    for n in range(30):
        c = owned(name=f"Khách {n}")
        if n % 3 == 0:
            actions.schedule_follow_up(c, by=world.sale1, due_at=timezone.now() - timedelta(hours=1))
    client = login(world.sale1)
    client.get("/")
    with django_assert_max_num_queries(16):
        response = client.get("/")
    assert len(_order(response.content.decode())) == 25
    with django_assert_max_num_queries(16):
        response = client.get("/", {"page": 2})
    assert len(_order(response.content.decode())) == 5


def test_pages_through_all_customers(world, owned, login):
    ids = {owned(name=f"Khách {n}").pk for n in range(27)}
    client = login(world.sale1)
    first = _order(client.get("/").content.decode())
    second = _order(client.get("/", {"page": 2}).content.decode())
    assert set(first) | set(second) == ids and not set(first) & set(second)


def test_home_and_team_view_show_monthly_kpi_progress(world, make_customer, login):
    """Targets (KPI) appear on each person's home page and on the leader's team view."""
    from django.utils import timezone

    from leadpool.reports.models import Target
    from leadpool.sales.actions import log_activity

    month = timezone.localdate().replace(day=1)
    customer = make_customer("0912345678").customer
    owner = customer.owner
    Target.objects.create(month=month, user=owner, calls=10)
    Target.objects.create(month=month, team=world.team_a, calls=40)
    log_activity(customer, by=owner, kind="call", call_outcome="reached", duration_seconds=60)
    home = login(owner).get("/")
    assert home.context["kpi"].has_target
    assert "Chỉ tiêu tháng" in home.text and "<strong>1</strong> / 10" in home.text
    team = login(world.leader_a).get("/")
    assert "Chỉ tiêu tháng" in team.text and "Đội A" in team.text
