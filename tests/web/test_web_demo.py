"""`leadpool demo --no-serve`: a believable company, loaded once."""

from io import StringIO

from django.core.management import call_command

from leadpool.accounts.models import Role, User
from leadpool.customers.models import Customer, Lead
from leadpool.sales.models import Activity


def test_demo_loads_a_company_once(db):
    out = StringIO()
    call_command("demo", "--no-serve", "--customers", "60", stdout=out)
    assert "Demo data loaded." in out.getvalue()
    assert User.objects.filter(role=Role.SALES).count() == 15
    assert User.objects.filter(username__in=["manager", "leader1", "leader3", "sale1", "sale15", "mkt1", "mkt2"]).count() == 7
    assert User.objects.get(username="manager").check_password("leadpool")
    customers = Customer.objects.count()
    assert customers == 60
    assert Lead.objects.count() >= 60
    # Leads went to people on duty, not into the pool, and the care that followed is on record.
    assert Customer.objects.filter(owner__isnull=True).count() < customers / 10
    assert Activity.objects.filter(kind="call").exists()
    again = StringIO()
    call_command("demo", "--no-serve", "--customers", "60", stdout=again)
    assert "already present" in again.getvalue()
    assert Customer.objects.count() == customers


def test_the_demo_landing_page_posts_go_through_the_inbox(db, run_tasks, client):
    from leadpool.intake.models import ChannelConfig, InboxItem

    call_command("demo", "--no-serve", "--customers", "30", stdout=StringIO())
    assert set(ChannelConfig.objects.values_list("kind", flat=True)) == {"ladipage", "generic"}
    items = InboxItem.objects.filter(channel="ladipage")
    # Nine posts kept once each (the repeated one is the same item), the cut-off body rejected with its reason.
    assert items.count() == 10
    rejected = items.get(state="rejected")
    assert "JSON" in rejected.error and rejected.body.startswith(b'{"name"')
    run_tasks()
    assert items.filter(state="processed").count() == 9
    assert Customer.objects.count() == 30 + 8
    returning = Lead.objects.get(source__key="ladipage", is_returning=True, inbox_item__isnull=False)
    assert returning.customer.leads.count() >= 2  # the person on file, matched through the local writing
    client.post("/login/", {"username": "mkt1", "password": "leadpool"})
    page = client.get("/intake/inbox/?state=rejected").content.decode()
    assert f"#{rejected.pk} · ladipage" in page and "JSON" in page


def test_manager_logs_in_with_the_demo_password_and_sees_customers(db, client):
    call_command("demo", "--no-serve", "--customers", "20", stdout=StringIO())
    response = client.post("/login/", {"username": "manager", "password": "leadpool"})
    assert response.status_code == 302
    page = client.get("/customers/")
    assert page.status_code == 200
    assert page.context["page"].paginator.count == 20


def test_not_found_page_keeps_the_app_layout(db, client, settings):
    settings.DEBUG = False
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="someone"))
    page = client.get("/customers/999999/")
    assert page.status_code == 404
    assert "Không tìm thấy trang này" in page.text and "navbar" in page.text
