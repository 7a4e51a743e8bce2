"""A leader's morning on a phone: who checked in, who has customers waiting, then one member's inbox; the bell."""

import pytest
from django.utils import timezone

from leadpool.accounts.models import Attendance


@pytest.fixture(autouse=True)
def default_catalogs(transactional_db):
    """The live server's tests flush every table: lay the data migrations' defaults again (all idempotent)."""
    from django.apps import apps
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.operations.special import RunPython

    graph = MigrationLoader(connection).graph
    ordered: list = []
    for leaf in sorted(graph.leaf_nodes()):
        ordered.extend(key for key in graph.forwards_plan(leaf) if key not in ordered)
    ours = {config.label for config in apps.get_app_configs() if config.name.startswith("leadpool.")}
    for key in (k for k in ordered if k[0] in ours):
        for operation in graph.nodes[key].operations:
            if isinstance(operation, RunPython):
                operation.code(apps, None)


def test_leader_sees_attendance_and_a_members_inbox(world, make_customer, live_server, phone_context, sign_in, shoot):
    Attendance.objects.filter(user=world.sale3, day=timezone.localdate()).delete()
    customer = make_customer("0912000999", name="Võ Minh Khoa").customer
    member = customer.owner
    page = phone_context.new_page()
    console_errors = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    sign_in(page, world.leader_a, world.password)
    page.goto(f"{live_server.url}/")
    page.wait_for_selector(".team-card")
    row = page.locator(f'tr[data-member="{world.sale3.pk}"]')
    assert "chưa" in row.locator(".attendance-today").inner_text()
    shoot(page, "team-overview")
    page.click(f'tr[data-member="{member.pk}"] a')
    page.wait_for_selector(f'[data-customer="{customer.pk}"]')
    assert "Khách của" in page.inner_text("h1")
    shoot(page, "member-inbox")

    page.goto(f"{live_server.url}/notifications/")
    page.wait_for_selector("h1")
    shoot(page, "bell")
    page.goto(f"{live_server.url}/notifications/settings/")
    page.wait_for_selector("#push-state")
    page.wait_for_function("document.getElementById('push-state').textContent.indexOf('Đang kiểm tra') < 0")
    shoot(page, "notification-settings")
    assert not [e for e in console_errors if "Content Security Policy" in e], console_errors


def test_salesperson_bell_lists_a_new_customer(world, make_customer, live_server, phone_context, sign_in, shoot):
    customer = make_customer("0912000888", name="Đặng Thu Trang").customer
    page = phone_context.new_page()
    sign_in(page, customer.owner, world.password)
    page.goto(f"{live_server.url}/")
    badge = page.locator("#bell-count")
    assert badge.inner_text().strip() == "1"
    page.goto(f"{live_server.url}/notifications/")
    page.click("text=Khách mới: Đặng Thu Trang")
    page.wait_for_selector("#quick-actions")
    assert page.url.endswith(f"/customers/{customer.pk}/")
    shoot(page, "opened-from-bell")
