"""A salesperson's journey on a phone (360×740): inbox → new customer → log a call → NET with a follow-up date."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.e2e.conftest import choose_status


@pytest.fixture(autouse=True)
def default_catalogs(transactional_db):
    """The live server's tests flush every table, data migrations' rows included: lay the defaults again
    (every data migration here is idempotent)."""
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


def test_salesperson_calls_a_new_customer_and_moves_it_to_net(world, make_customer, live_server, phone_context,
                                                              sign_in, shoot):
    result = make_customer("0912345678", name="Nguyễn Văn An", answers={"Ngân sách": "3-5 tỷ"})
    owner, customer = result.owner, result.customer
    page = phone_context.new_page()
    outside, console_errors = [], []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None)
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)

    sign_in(page, owner, world.password)
    page.goto(f"{live_server.url}/")
    card = page.locator(f'[data-customer="{customer.pk}"]')
    card.wait_for()
    assert card.get_attribute("data-bucket") == "uncalled"
    timer = card.locator("[data-since]")
    page.wait_for_function("el => /′|h/.test(el.textContent)", arg=timer.element_handle())  # ticked by app.js
    shoot(page, "inbox")

    card.get_by_text("Nguyễn Văn An").click()
    page.wait_for_selector("#quick-actions")
    assert page.locator('a[href="tel:+84912345678"]').count() >= 1
    shoot(page, "customer-page")

    page.click('label[for="qa-call"]')
    page.click('label[for="call_call_outcome_0"]')  # Nghe máy
    page.fill("#call_duration", "3:20")
    page.fill("#call_body", "Khách quan tâm căn 2PN, tài chính 3-5 tỷ")
    shoot(page, "call-form")
    page.click("#call-form button[type=submit]")
    page.wait_for_selector("#timeline >> text=Khách quan tâm căn 2PN")
    page.wait_for_selector("#work-flash")
    assert "3′20″" in page.inner_text("#timeline")
    shoot(page, "call-logged")

    page.click('label[for="qa-status"]')
    choose_status(page, "net", "next_follow_up_at")
    follow_up = (timezone.localtime() + timedelta(days=2)).replace(hour=9, minute=30)
    page.fill('#status-fields input[name="next_follow_up_at"]', follow_up.strftime("%Y-%m-%dT%H:%M"))
    shoot(page, "status-form")
    page.click("#status-form button[type=submit]")
    page.wait_for_selector("#timeline >> text=→ NET")
    assert page.inner_text("#status-badge") == "NET"
    assert follow_up.strftime("%d/%m/%Y") in page.inner_text("#follow-ups")
    timeline = page.inner_text("#timeline")
    assert re.search(r"Mới\s*→\s*NET", timeline)
    shoot(page, "moved-to-net")

    page.goto(f"{live_server.url}/")
    card = page.locator(f'[data-customer="{customer.pk}"]')
    card.wait_for()
    assert card.get_attribute("data-bucket") != "uncalled"
    shoot(page, "inbox-after")

    assert outside == []
    assert not [e for e in console_errors if "Content Security Policy" in e], console_errors
    customer.refresh_from_db()
    assert customer.status.key == "net" and customer.leads.get().first_call_at is not None


def test_previous_owners_notes_fold_and_unfold(world, make_customer, live_server, phone_context, sign_in, shoot):
    from leadpool.customers.models import Assignment
    from leadpool.customers.ownership import assign
    from leadpool.sales import actions

    customer = make_customer("0987654321", name="Trần Thị Bình").customer
    old = customer.owner
    actions.log_activity(customer, by=old, kind="note", body="Ghi chú của người phụ trách cũ",
                         at=timezone.now() - timedelta(hours=2))
    new = next(u for u in (world.sale1, world.sale2, world.sale3) if u != old)
    assign(customer, to=new, reason=Assignment.Reason.ROTATION, by=world.leader_a)
    page = phone_context.new_page()
    sign_in(page, new, world.password)
    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    folded = page.locator("#timeline li.folded")
    assert folded.count() == 1 and not folded.is_visible()
    page.click("[data-toggle-folded]")
    assert folded.is_visible()
    shoot(page, "unfolded")
    page.click("[data-toggle-folded]")
    assert not folded.is_visible()
