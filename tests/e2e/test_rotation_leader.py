"""A team leader works the rotation list on a phone: one keep, one rotate, one reassign."""

from datetime import timedelta

import pytest
from django.utils import timezone

from leadpool.customers.models import Customer, Status
from leadpool.rotation import sweep
from leadpool.rotation.models import Candidate
from leadpool.sales.actions import change_status, log_activity


def _candidates(world, make_customer, n=3):
    rows = []
    for i in range(n):
        c = make_customer(name=f"Khách đảo {i + 1}").customer
        owner = c.owner
        log_activity(c, by=owner, kind="call", call_outcome="reached", duration_seconds=80 + i, body=f"Tư vấn lần đầu khách {i}")
        log_activity(c, by=owner, kind="message", body=f"Gửi bảng giá {i}")
        log_activity(c, by=owner, kind="call", call_outcome="reached", duration_seconds=40 + i)
        c = Customer.objects.select_related("status").get(pk=c.pk)
        change_status(c, to=Status.objects.get(key="in_care"), by=owner)
        rows.append(c)
    # The hold runs out: the sweep lists them (a later "now" stands in for three working days passing).
    sweep.sweep(now=timezone.now() + timedelta(days=10))
    return list(Candidate.objects.filter(state="open").select_related("customer", "owner").order_by("id"))


@pytest.fixture(autouse=True)
def seeded(transactional_db):
    """The live server's tests flush every table: seed the catalogs, rule set and calendar again, as the migrations do."""
    from importlib import import_module

    from django.apps import apps

    import_module("leadpool.customers.migrations.0003_default_catalogs").load(apps, None)
    import_module("leadpool.rotation.migrations.0002_defaults").load(apps, None)


def test_leader_keeps_rotates_and_reassigns(world, make_customer, live_server, phone_context, sign_in, shoot):
    keep, rotate, reassign = _candidates(world, make_customer)
    target = next(u for u in (world.sale1, world.sale2, world.sale3) if u.pk != reassign.owner_id)
    page = phone_context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, world.leader_a, world.password)
    page.goto(f"{live_server.url}/rotation/")
    page.wait_for_selector(".candidate-card")
    assert page.locator(".candidate-card").count() == 3
    shoot(page, "rotation-list")

    card = page.locator(f"#cand-{keep.pk}")
    card.locator("input[name=reason]").fill("Khách đang chờ ngân hàng duyệt vay")
    card.locator("button[value=keep]").click()
    page.wait_for_selector(f"#cand-{keep.pk} .decision-result")
    assert "Giữ khách cho" in page.locator(f"#cand-{keep.pk}").inner_text()

    page.locator(f"#cand-{rotate.pk} button[value=rotate]").click()
    page.wait_for_selector(f"#cand-{rotate.pk} .decision-result")
    assert "Đã đảo cho" in page.locator(f"#cand-{rotate.pk}").inner_text()

    card = page.locator(f"#cand-{reassign.pk}")
    card.locator("select[name=to]").select_option(str(target.pk))
    card.locator("input[name=reason]").fill("Bạn này quen khu vực")
    card.locator("button[value=reassign]").click()
    page.wait_for_selector(f"#cand-{reassign.pk} .decision-result")
    assert target.get_full_name() in page.locator(f"#cand-{reassign.pk}").inner_text() or str(target) in page.locator(
        f"#cand-{reassign.pk}"
    ).inner_text()
    shoot(page, "decided")

    assert Customer.objects.get(pk=keep.customer_id).owner_id == keep.owner_id
    rotated_to = Customer.objects.get(pk=rotate.customer_id).owner
    assert rotated_to is not None and rotated_to.pk != rotate.owner_id
    assert rotated_to.pk in {world.sale1.pk, world.sale2.pk, world.sale3.pk}
    assert Customer.objects.get(pk=reassign.customer_id).owner == target
    assert set(Candidate.objects.filter(pk__in=[keep.pk, rotate.pk, reassign.pk]).values_list("state", flat=True)) == {
        "kept", "rotated", "reassigned"
    }

    # The leader can read why the system picked that person.
    page.goto(f"{live_server.url}/rotation/customers/{rotate.customer_id}/")
    page.wait_for_selector("ul.ranking")
    assert page.locator("li.chosen").count() >= 1
    shoot(page, "why-this-person")
    page.goto(f"{live_server.url}/rotation/")
    page.wait_for_selector(".empty-state")
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_manager_previews_a_rule_change_before_saving(world, make_customer, live_server, desk_context, sign_in, shoot):
    from leadpool.rotation.models import RuleSet

    _candidates(world, make_customer, n=2)
    make_customer(name="Khách mới tinh")
    page = desk_context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, world.manager, world.password)
    page.goto(f"{live_server.url}/rotation/rules/")
    page.wait_for_selector("#whatif-table")
    page.fill("#id_hold_in_care", "1")
    page.click("#preview-btn")
    page.wait_for_selector("#whatif-table tfoot .draft-week")
    shoot(page, "what-if")
    assert RuleSet.objects.count() == 1
    page.fill("#id_note", "Rút ngắn thời gian giữ khi đẩy hàng")
    page.click("#save-btn")
    page.wait_for_selector("text=Đã lưu quy định phiên bản v2")
    assert RuleSet.current().version == 2 and RuleSet.current().statuses["in_care"]["hold_days"] == 1
    assert not [e for e in errors if "Content Security Policy" in e], errors
