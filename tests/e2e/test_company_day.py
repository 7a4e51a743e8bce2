"""The whole company in one day, from a fresh database, in a real browser:
marketing connects two channels and leads arrive by HTTP → a salesperson on a phone calls and moves the customer
to NET → ten days later the leader rotates it → the new owner has it, the old one cannot open it → the manager
reads the dashboards and exports a report."""

import json
import re
from datetime import timedelta

import httpx
import openpyxl
import time_machine
from django.utils import timezone

from leadpool.customers.models import Customer, Lead
from leadpool.intake.models import ChannelConfig, InboxItem
from tests.e2e.conftest import choose_status

GOOGLE_KEY = "lotus-form-key-7f3a"


def _watch(page, live_server, outside: list, errors: list):
    """Record every request that leaves the live server and every CSP refusal."""
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "Content Security Policy" in m.text else None)
    return page


def _create_connection(page, *, kind: str, name: str, source: str, project: str, secret: str = ""):
    page.select_option("#id_kind", kind)
    page.fill("#id_name", name)
    page.select_option("#id_source", label=source)
    page.select_option("#id_project", label=project)
    if secret:
        page.fill("#id_secret", secret)
    page.click("form[novalidate] button.btn-primary")
    page.wait_for_selector(".alert >> text=Đã tạo kết nối")


def test_the_whole_company_in_one_day(world, live_server, browser, desk_context, phone_context, sign_in, shoot,
                                      run_tasks):
    outside, errors = [], []
    contexts = []

    def fresh(phone: bool):
        """A new browser (no cookies) for someone signing in later in the story."""
        if phone:
            context = browser.new_context(viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True,
                                          locale="vi-VN")
        else:
            context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="vi-VN")
        contexts.append(context)
        return _watch(context.new_page(), live_server, outside, errors)

    try:
        _journey(world, live_server, desk_context, phone_context, fresh, sign_in, shoot, run_tasks, outside, errors)
    finally:
        for context in contexts:
            context.close()


def _journey(world, live_server, desk_context, phone_context, fresh, sign_in, shoot, run_tasks, outside, errors):
    base = live_server.url
    started = timezone.now()

    # 1. Marketing connects a landing page (Ladipage) and a Google lead form, and reads the URLs off the page.
    mkt = _watch(desk_context.new_page(), live_server, outside, errors)
    sign_in(mkt, world.mkt, world.password)
    mkt.goto(f"{base}/")
    mkt.click("#mainnav >> text=Kênh kết nối")
    mkt.wait_for_selector(".empty-state >> text=Chưa có kết nối nào")
    shoot(mkt, "mkt-channels-empty")
    mkt.click("text=Tạo kết nối đầu tiên")
    _create_connection(mkt, kind="generic", name="Landing Lotus Garden", source="Ladipage", project="Lotus Garden")
    mkt.click("text=Thêm kết nối")
    mkt.select_option("#id_kind", "google")
    mkt.fill("#id_name", "Form Google Lotus")
    mkt.select_option("#id_source", label="Google Ads")
    mkt.select_option("#id_project", label="Lotus Garden")
    mkt.click("form[novalidate] button.btn-primary")  # without the key: the form says what is missing
    mkt.wait_for_selector(".invalid-feedback >> text=Khóa bí mật")
    shoot(mkt, "mkt-google-needs-key")
    mkt.fill("#id_secret", GOOGLE_KEY)
    mkt.click("form[novalidate] button.btn-primary")
    mkt.wait_for_selector(".alert >> text=Đã tạo kết nối")
    landing_card = mkt.locator("section.card", has_text="Landing Lotus Garden")
    google_card = mkt.locator("section.card", has_text="Form Google Lotus")
    landing_url = landing_card.locator(".webhook-url").input_value()
    google_url = google_card.locator(".webhook-url").input_value()
    assert "curl -X POST" in landing_card.inner_text()
    assert GOOGLE_KEY not in mkt.content()  # write-only once saved
    assert "đã đặt" in google_card.inner_text()
    shoot(mkt, "mkt-channels-connected")
    landing, google = ChannelConfig.objects.get(kind="generic"), ChannelConfig.objects.get(kind="google")
    assert landing_url == f"{base}/intake/hook/generic/{landing.token}/"
    assert google_url == f"{base}/intake/hook/google/{google.token}/"
    assert (landing.source.key, landing.project, google.source.key, google.project, google.secret) == (
        "ladipage", world.lotus, "google_ads", world.lotus, GOOGLE_KEY)

    # 2. Leads arrive by HTTP exactly as the platforms send them; the worker processes them.
    google_lead = {
        "lead_id": "TeSter-123-ABCDEFGHIJKLMNOPQRSTUVWXYZ-abcdefghijklmnopqrstuvwxyz-0123456789-AaBbCcDdEe",
        "user_column_data": [
            {"column_name": "Full Name", "string_value": "Phạm Minh Châu", "column_id": "FULL_NAME"},
            {"column_name": "User Phone", "string_value": "+84912345678", "column_id": "PHONE_NUMBER"},
            {"column_name": "User Email", "string_value": "chau.pham@example.com", "column_id": "EMAIL"},
            {"column_name": "Bạn cần căn mấy phòng ngủ?", "string_value": "2PN", "column_id": "QUESTION_1"},
        ],
        "api_version": "1.0",
        "form_id": 40000000000,
        "campaign_id": 12345678901,
        "google_key": GOOGLE_KEY,
        "is_test": False,
        "gcl_id": "CjwKCAjw-gclid",
        "adgroup_id": 20000000000,
        "creative_id": 30000000000,
    }
    with httpx.Client(timeout=20) as http:
        answer = http.post(google_url, content=json.dumps(google_lead), headers={"Content-Type": "application/json"})
        assert answer.status_code == 200, answer.text
        answer = http.post(landing_url, json={"name": "Lê Thị Dung", "phone": "0987 654 321", "email": "dung@example.com",
                                              "note": "Muốn xem nhà mẫu cuối tuần", "utm_source": "facebook",
                                              "form_config_id": "FORM_LOTUS_01"})
        assert answer.status_code == 200, answer.text
        wrong_key = http.post(google_url, json={**google_lead, "lead_id": "other", "google_key": "guess"})
        assert wrong_key.status_code == 403
    assert run_tasks() >= 2
    assert set(InboxItem.objects.values_list("channel", "state")) == {
        ("google", "processed"), ("generic", "processed"), ("google", "rejected")}
    chau = Customer.objects.get(name="Phạm Minh Châu")
    dung = Customer.objects.get(name="Lê Thị Dung")
    assert Lead.objects.get(customer=chau).source.key == "google_ads"
    assert Lead.objects.get(customer=dung).source.key == "ladipage"
    team_a_sales = {world.sale1.pk, world.sale2.pk, world.sale3.pk}
    assert chau.owner_id in team_a_sales and dung.owner_id in team_a_sales

    mkt.goto(f"{base}/intake/inbox/")
    mkt.wait_for_selector("#rows .list-group-item")
    assert mkt.locator("#rows .list-group-item").count() == 3
    assert mkt.locator("#rows .badge", has_text="Đã xử lý").count() == 2
    shoot(mkt, "mkt-inbox")
    mkt.goto(f"{base}/customers/")
    assert mkt.inner_text("#total") == "2"
    assert "0912 345 678" not in mkt.content()  # marketing never sees a full number
    shoot(mkt, "mkt-customers")

    # 3. The owner, on a phone, gets the new customer, calls, logs it and moves it to NET with a follow-up.
    first_owner = chau.owner
    sale = _watch(phone_context.new_page(), live_server, outside, errors)
    sign_in(sale, first_owner, world.password)
    sale.goto(f"{base}/")
    card = sale.locator(f'[data-customer="{chau.pk}"]')
    card.wait_for()
    assert card.get_attribute("data-bucket") == "uncalled"
    shoot(sale, "sale-my-day")
    card.get_by_text("Phạm Minh Châu").click()
    sale.wait_for_selector("#quick-actions")
    assert sale.locator('a[href="tel:+84912345678"]').count() >= 1
    assert "2PN" in sale.content()  # the form's answer travelled with the lead
    shoot(sale, "sale-customer")
    sale.click('label[for="qa-call"]')
    sale.click('label[for="call_call_outcome_0"]')  # Nghe máy
    sale.fill("#call_duration", "4:05")
    sale.fill("#call_body", "Chị Châu cần căn 2PN, hẹn gửi bảng giá")
    sale.click("#call-form button[type=submit]")
    sale.wait_for_selector("#timeline >> text=Chị Châu cần căn 2PN")
    assert "4′05″" in sale.inner_text("#timeline")
    shoot(sale, "sale-call-logged")
    sale.click('label[for="qa-status"]')
    choose_status(sale, "net", "next_follow_up_at")
    follow_up = (timezone.localtime() + timedelta(days=2)).replace(hour=9, minute=30)
    sale.fill('#status-fields input[name="next_follow_up_at"]', follow_up.strftime("%Y-%m-%dT%H:%M"))
    sale.click("#status-form button[type=submit]")
    sale.wait_for_selector("#timeline >> text=→ NET")
    assert sale.inner_text("#status-badge") == "NET"
    assert follow_up.strftime("%d/%m/%Y") in sale.inner_text("#follow-ups")
    assert re.search(r"Mới\s*→\s*NET", sale.inner_text("#timeline"))
    shoot(sale, "sale-moved-to-net")
    chau.refresh_from_db()
    assert chau.status.key == "net" and chau.leads.get().first_call_at is not None

    # 4. Ten days pass on the test clock (the live server's clock too): nobody followed up.
    later = timezone.now() + timedelta(days=10)
    with time_machine.travel(later, tick=True):
        from leadpool.rotation import sweep
        from leadpool.rotation.models import Candidate
        from leadpool.sales.attendance import check_in

        for person in (world.sale1, world.sale2, world.sale3, world.sale4, world.sale5):
            check_in(person)
        sweep.sweep()
        candidate = Candidate.objects.get(customer=chau, state="open")
        assert candidate.owner_id == first_owner.pk
        # One call and a follow-up nobody made is not the minimum care: raised to the leader as neglected.
        assert candidate.kind == "neglected"

        leader = fresh(phone=True)
        sign_in(leader, world.leader_a, world.password)
        leader.goto(f"{base}/")
        leader.click(".navbar-toggler")
        leader.click("#mainnav >> text=Đảo khách")
        leader.click('a.nav-link[href="?kind=neglected"]')
        leader.wait_for_selector(f"#cand-{candidate.pk}")
        assert "Phạm Minh Châu" in leader.inner_text(f"#cand-{candidate.pk}")
        shoot(leader, "leader-rotation-list")
        leader.locator(f"#cand-{candidate.pk} button[value=rotate]").click()
        leader.wait_for_selector(f"#cand-{candidate.pk} .decision-result")
        assert "Đã đảo cho" in leader.inner_text(f"#cand-{candidate.pk}")
        shoot(leader, "leader-rotated")
        chau.refresh_from_db()
        new_owner = chau.owner
        assert new_owner is not None and new_owner.pk != first_owner.pk and new_owner.pk in team_a_sales
        assert Candidate.objects.get(pk=candidate.pk).state == "rotated"

        newcomer = fresh(phone=True)
        sign_in(newcomer, new_owner, world.password)
        newcomer.goto(f"{base}/")
        card = newcomer.locator(f'[data-customer="{chau.pk}"]')
        card.wait_for()
        shoot(newcomer, "new-owner-my-day")
        card.get_by_text("Phạm Minh Châu").click()
        newcomer.wait_for_selector("#quick-actions")
        # As a new customer: a fresh status and hold clock, the previous owner's notes folded away.
        assert newcomer.inner_text("#status-badge") == "Đang chăm sóc"
        assert "bắt đầu lại với chủ mới" in newcomer.inner_text("#timeline")
        chau.refresh_from_db()
        # A fresh three-day hold; its warning, a day before the end, is the next deadline. (Compared with the hold's
        # end, not the warning: from a Monday the warning falls exactly two days after the rotation.)
        from leadpool.rotation.models import Clock

        assert chau.status.key == "in_care" and Clock.objects.get(pk=chau.pk).hold_ends_at > timezone.now() + timedelta(days=2)
        assert chau.next_deadline_at > timezone.now() + timedelta(days=1)
        folded = newcomer.locator("#timeline li.folded")
        assert folded.count() >= 1 and not folded.first.is_visible()
        shoot(newcomer, "new-owner-customer")
        newcomer.click("[data-toggle-folded]")
        assert newcomer.locator("#timeline li.folded", has_text="Chị Châu cần căn 2PN").is_visible()
        shoot(newcomer, "new-owner-previous-notes")

        old = fresh(phone=True)
        sign_in(old, first_owner, world.password)
        response = old.goto(f"{base}/customers/{chau.pk}/")
        assert response.status == 404
        shoot(old, "old-owner-404")
        old.goto(f"{base}/")
        assert old.locator(f'[data-customer="{chau.pk}"]').count() == 0

        # 5. The manager reads the dashboards (summaries refreshed by the worker) and exports a report.
        boss = fresh(phone=False)
        sign_in(boss, world.manager, world.password)
        boss.goto(f"{base}/reports/")
        boss.wait_for_selector(".report-card")
        from leadpool.reports.tasks import refresh_summaries

        refresh_summaries.enqueue()
        assert run_tasks() >= 1
        period = f"start={timezone.localdate(started - timedelta(days=1)):%Y-%m-%d}&end={timezone.localdate():%Y-%m-%d}"
        shoot(boss, "manager-reports")
        boss.goto(f"{base}/reports/leads/?{period}")
        boss.wait_for_selector(".report-chart canvas")
        assert boss.locator(".card .fs-5").first.inner_text().strip() == "2"
        shoot(boss, "manager-leads-report")
        with boss.expect_download() as info:
            boss.locator("a", has_text="XLSX").first.click()
        download = info.value
        assert download.suggested_filename.endswith(".xlsx")
        with open(download.path(), "rb") as handle:
            workbook = openpyxl.load_workbook(handle)
        cells = [str(v) for row in workbook.active.iter_rows(values_only=True) for v in row if v is not None]
        assert any("Google" in c for c in cells) and any("Ladipage" in c for c in cells), cells[:40]

    assert outside == [], outside
    assert errors == [], errors
