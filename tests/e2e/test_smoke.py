"""The smallest journey: a manager logs in and sees customers; the page loads nothing from outside."""


def test_manager_logs_in_and_sees_customers(world, make_customer, live_server, desk_context, sign_in, shoot):
    make_customer("0912345678", name="Nguyễn Văn An")
    page = desk_context.new_page()
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None)
    console_errors = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    sign_in(page, world.manager, world.password)
    page.goto(f"{live_server.url}/customers/")
    page.wait_for_selector("text=Nguyễn Văn An")
    shoot(page, "customer-list")
    page.fill("#q", "nguyen van an")
    page.wait_for_timeout(700)
    assert page.locator(".customer-card").count() == 1
    page.click("text=Nguyễn Văn An")
    page.wait_for_selector("#timeline")
    shoot(page, "customer-page")
    assert outside == []
    assert not [e for e in console_errors if "Content Security Policy" in e], console_errors
