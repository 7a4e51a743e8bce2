"""A manager's first sign-in with the authenticator-app step, then an API token made on a phone; erasure page."""

from django_otp.plugins.otp_totp.models import TOTPDevice


def test_manager_enrols_otp_and_creates_a_token(world, live_server, phone_context, sign_in, shoot, settings):
    settings.LEADPOOL_REQUIRE_OTP = True
    page = phone_context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", world.manager.username)
    page.fill("#id_password", world.password)
    page.click("button[type=submit]")
    page.wait_for_selector("#otp-qr")
    assert page.locator("#otp-secret").inner_text().strip()
    assert page.evaluate("document.getElementById('otp-qr').naturalWidth") > 0  # the QR code image loads under the CSP
    shoot(page, "otp-enrol")
    sign_in(page, world.manager, world.password)  # completes the step with the code the app would show
    assert "/security/otp/" not in page.url
    assert TOTPDevice.objects.get(user=world.manager).confirmed
    page.goto(f"{live_server.url}/security/tokens/")
    page.fill("#tok-name", "Tổng đài")
    page.check("text=Đọc khách hàng")
    page.click("button:has-text('Tạo token')")
    page.wait_for_selector("#token-value")
    token = page.locator("#token-value").inner_text()
    assert token.startswith("lp_")
    shoot(page, "token-shown-once")
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_privacy_page_on_a_phone(world, make_customer, live_server, phone_context, sign_in, shoot):
    customer = make_customer("0912345678", name="Lê Thị Hoa", consent_text="Tôi đồng ý nhận tư vấn.").customer
    page = phone_context.new_page()
    sign_in(page, world.manager, world.password)
    page.goto(f"{live_server.url}/customers/{customer.pk}/privacy/")
    page.wait_for_selector("text=Tôi đồng ý nhận tư vấn.")
    shoot(page, "privacy-page")
    page.fill("#erase-confirm", "XOA")
    page.once("dialog", lambda d: d.accept())
    page.click("button:has-text('Xoá dữ liệu cá nhân')")
    page.wait_for_selector("text=Đã xoá dữ liệu cá nhân")
    shoot(page, "after-erasure")
    customer.refresh_from_db()
    assert customer.erased_at is not None and customer.name != "Lê Thị Hoa"
