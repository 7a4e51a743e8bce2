"""A manager opens the dashboards in a browser: charts draw under the strict CSP, figures link to their rows."""

import pytest

from tests.reports.conftest import built, march  # noqa: F401 - the fixed March world as fixtures

MARCH = "start=2026-03-01&end=2026-03-31"


@pytest.fixture(autouse=True)
def seeded(transactional_db):
    """The live server's tests flush every table: lay the default statuses and sources again, as the migration does."""
    from importlib import import_module

    from django.apps import apps

    import_module("leadpool.customers.migrations.0003_default_catalogs").load(apps, None)


def test_manager_dashboard_with_charts(built, live_server, desk_context, sign_in, shoot):  # noqa: F811
    w = built.w
    page = desk_context.new_page()
    errors, failed = [], []
    # CSP refusals show as console errors; missing files as failed responses (the favicon is not ours).
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "Failed to load resource" not in m.text else None)
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 and "favicon" not in r.url else None)
    sign_in(page, w.manager, w.password)
    page.goto(f"{live_server.url}/reports/leads/?{MARCH}")
    page.wait_for_selector(".report-chart canvas")
    assert page.locator(".report-chart canvas").count() == 3  # leads per day, per source, per capture point
    assert "7" in page.locator(".card .fs-5").first.inner_text()
    shoot(page, "leads")

    page.goto(f"{live_server.url}/reports/cost/?{MARCH}")
    page.wait_for_selector(".report-chart canvas")
    assert "1.125.000 ₫" in page.content()
    shoot(page, "cost")

    page.goto(f"{live_server.url}/reports/funnel/?{MARCH}")
    page.wait_for_selector(".report-chart canvas")
    shoot(page, "funnel")
    page.locator("table[data-table=stages] a").first.click()
    page.wait_for_selector("#total")
    assert page.locator("#total").inner_text() == "6"
    shoot(page, "drill-down")
    assert not errors, errors
    assert not failed, failed


def test_salesperson_own_figures_on_a_phone(built, live_server, phone_context, sign_in, shoot):  # noqa: F811
    w = built.w
    page = phone_context.new_page()
    sign_in(page, w.sale1, w.password)
    page.goto(f"{live_server.url}/reports/?{MARCH}")
    page.wait_for_selector("#my-speed")
    page.goto(f"{live_server.url}/reports/me/?{MARCH}")
    page.wait_for_selector("#my-work")
    assert "Cuộc gọi" in page.locator("#my-work").inner_text()
    shoot(page, "me")
    assert page.goto(f"{live_server.url}/reports/people/?{MARCH}").status == 403
