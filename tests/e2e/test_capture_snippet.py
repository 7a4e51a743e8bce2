"""The website snippet in a real browser: a plain landing page on another origin, its ordinary form, Leadpool.

The landing site is a tiny HTTP server of its own (another port, so another origin), sending a strict
Content-Security-Policy that allows Leadpool only in script-src and connect-src: the snippet must need
no inline script or style. Its form posts to the landing site itself, which records what it receives.
"""

import html
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from leadpool.customers.models import Lead
from leadpool.intake.models import ChannelConfig, InboxItem
from tests.factories import source

SNIPPET = Path(__file__).resolve().parents[2] / "src" / "leadpool" / "intake" / "static" / "intake" / "capture.js"

FORM = """<!doctype html><html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Đăng ký Lotus</title></head>
<body><h1>Nhà mẫu Lotus</h1>
<form action="/thank-you" method="post" id="dang-ky">
  <label for="f1">Họ và tên *</label><input id="f1" name="field_1">
  <label>Số điện thoại của bạn <input name="field_2"></label>
  <input name="field_3" placeholder="Email">
  <select name="ngan_sach" aria-label="Ngân sách"><option>2-3 tỷ</option><option selected>3-5 tỷ</option></select>
  <button type="submit">Đăng ký</button>
</form>
{script}
</body></html>"""

LOTUS = """<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Lotus</title></head>
<body><h1>Nhà mẫu Lotus</h1><a id="to-form" href="/dang-ky">Đăng ký xem nhà mẫu</a>{script}</body></html>"""

CHAT = """<!doctype html><html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Lotus</title></head>
<body><h1>Nhà mẫu Lotus</h1><p>Không có form nào trên trang này.</p>{script}</body></html>"""


class Landing:
    """A landing site on its own port: serves pages, records the posts its own form sends."""

    def __init__(self):
        self.posts: list[dict] = []
        self.pages: dict[str, str] = {}
        landing = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status: int, body: str, content_type="text/html; charset=utf-8"):
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Content-Security-Policy", landing.csp)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):  # noqa: N802 - http.server's name
                path = urlsplit(self.path).path
                if path == "/capture.js":  # a copy of the snippet, for the "Leadpool down after loading" case
                    return self._send(200, SNIPPET.read_text(), "text/javascript; charset=utf-8")
                if path in landing.pages:
                    return self._send(200, landing.pages[path])
                return self._send(404, "not found")

            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                fields = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                landing.posts.append(fields)
                return self._send(200, "<!doctype html><h1 id='landing-thanks'>Cảm ơn quý khách</h1>")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.csp = ""
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def allow(self, leadpool: str) -> None:
        self.csp = (f"default-src 'self'; script-src 'self' {leadpool}; connect-src 'self' {leadpool}; "
                    "style-src 'self'; form-action 'self'")

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def landing():
    site = Landing()
    yield site
    site.close()


@pytest.fixture
def website(world):
    return ChannelConfig.objects.create(kind="generic", name="Landing Lotus", source=source("website"),
                                        project=world.songhan)


def tag(src: str, token: str, **attrs) -> str:
    extra = "".join(f' data-{k.replace("_", "-")}="{html.escape(v)}"' for k, v in attrs.items())
    return f'<script src="{src}" data-token="{token}"{extra} async></script>'


def wait_for(predicate, timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out")


def watch(page):
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" and "Content Security Policy" in m.text else None)
    return problems


def test_a_landing_page_form_becomes_a_customer_with_its_utm_and_capture_point(
    world, website, landing, live_server, browser, run_tasks, sign_in, shoot,
):
    landing.allow(live_server.url)
    snippet = tag(f"{live_server.url}/intake/capture.js", website.token, capture="popup")
    landing.pages["/lotus"] = LOTUS.format(script=snippet)
    landing.pages["/dang-ky"] = FORM.format(script=snippet)
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, locale="vi-VN")
    page = context.new_page()
    csp = watch(page)
    # The ad click lands on one page; the form is on the next one: the UTM parameters are kept for the visit.
    ad_click = f"{landing.url}/lotus?utm_source=facebook&utm_medium=cpc&utm_campaign=lotus-t11&fbclid=IwAR0&aff=KOL7"
    page.goto(ad_click, referer="https://l.facebook.com/")
    page.wait_for_function("window.__leadpoolCapture === true")
    page.click("#to-form")
    page.wait_for_url(f"{landing.url}/dang-ky")
    page.wait_for_function("window.__leadpoolCapture === true")
    page.fill("#f1", "Đinh Thị Lan")
    page.fill("input[name=field_2]", "0912 678 345")
    page.fill("input[name=field_3]", "lan@example.com")
    shoot(page, "landing-form")
    page.click("button[type=submit]")
    page.wait_for_selector("#landing-thanks")
    # The page's own form got its post, untouched.
    assert landing.posts == [{"field_1": "Đinh Thị Lan", "field_2": "0912 678 345", "field_3": "lan@example.com",
                              "ngan_sach": "3-5 tỷ"}]

    item = wait_for(lambda: InboxItem.objects.filter(config=website).first())
    assert item.content_type.startswith("text/plain") and b"0912 678 345" in bytes(item.body)
    assert run_tasks() >= 1
    lead = Lead.objects.get(inbox_item=item)
    customer = lead.customer
    assert customer.name == "Đinh Thị Lan" and customer.phones.get().e164 == "+84912678345"
    assert customer.emails.get().address == "lan@example.com"
    assert lead.capture_point == "popup"
    assert lead.utm["utm_source"] == "facebook" and lead.utm["utm_campaign"] == "lotus-t11"
    assert lead.utm["fbclid"] == "IwAR0" and lead.utm["aff"] == "KOL7"
    assert lead.utm["page_url"] == f"{landing.url}/dang-ky" and lead.utm["landing_url"].startswith(f"{landing.url}/lotus?")
    assert lead.utm["referrer"] == ad_click and lead.utm["first_referrer"].startswith("https://l.facebook.com")
    assert lead.answers == {"ngan_sach": "3-5 tỷ"} and lead.form_id == "dang-ky"
    assert csp == []
    context.close()

    # And in Leadpool itself: the customer, with the lead's capture point.
    desk = browser.new_context(viewport={"width": 1280, "height": 860}, locale="vi-VN")
    staff = desk.new_page()
    sign_in(staff, world.manager, world.password)
    staff.goto(f"{live_server.url}/customers/{customer.pk}/")
    staff.wait_for_selector("#leads")
    leads = staff.inner_text("#leads")
    assert "Pop-up / luồng" in leads and "lotus-t11" in leads
    shoot(staff, "customer-in-leadpool")
    desk.close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("down", ["script-unreachable", "intake-unreachable", "intake-hangs"])
def test_the_page_form_still_submits_when_leadpool_is_down_or_slow(website, landing, browser, down, shoot):
    hanging = None
    if down == "intake-hangs":  # accepts connections and never answers
        hanging = socket.socket()
        hanging.bind(("127.0.0.1", 0))
        hanging.listen(16)
        leadpool = f"http://127.0.0.1:{hanging.getsockname()[1]}"
    else:
        leadpool = f"http://127.0.0.1:{_closed_port()}"
    landing.allow(leadpool)
    if down == "script-unreachable":
        snippet = tag(f"{leadpool}/intake/capture.js", website.token)
    else:  # the script did load (a cached copy), the intake behind it is gone
        snippet = tag(f"{landing.url}/capture.js", website.token, host=leadpool)
    landing.pages["/dang-ky"] = FORM.format(script=snippet)
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    try:
        page.goto(f"{landing.url}/dang-ky?utm_source=google")
        if down != "script-unreachable":
            page.wait_for_function("window.__leadpoolCapture === true")
        page.fill("#f1", "Khách Vẫn Gửi")
        page.fill("input[name=field_2]", "0912 000 999")
        started = time.monotonic()
        page.click("button[type=submit]")
        page.wait_for_selector("#landing-thanks", timeout=5000)
        assert time.monotonic() - started < 3, "the page's submit must not wait for Leadpool"
        assert landing.posts == [{"field_1": "Khách Vẫn Gửi", "field_2": "0912 000 999", "ngan_sach": "3-5 tỷ"}]
        shoot(page, f"landing-thanks-{down}")
    finally:
        context.close()
        if hanging is not None:
            hanging.close()
    assert InboxItem.objects.count() == 0


def test_the_chat_widget_takes_a_number(world, website, landing, live_server, browser, run_tasks, shoot):
    landing.allow(live_server.url)
    landing.pages["/lotus"] = CHAT.format(
        script=tag(f"{live_server.url}/intake/capture.js", website.token, widget="chat", title="Tư vấn Lotus"))
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, locale="vi-VN")
    page = context.new_page()
    csp = watch(page)
    page.goto(f"{landing.url}/lotus?utm_source=zalo&utm_campaign=chat-t11")
    bubble = page.locator("[data-leadpool-bubble]")
    bubble.wait_for()
    assert bubble.bounding_box()["x"] + bubble.bounding_box()["width"] <= 360
    assert page.locator("[data-leadpool-panel]").is_hidden()
    bubble.click()
    panel = page.locator("[data-leadpool-panel]")
    assert panel.is_visible() and "Tư vấn Lotus" in panel.inner_text()
    assert panel.bounding_box()["width"] <= 360 - 32 + 1
    # A number that is not one is answered in the chat, nothing is sent.
    page.fill("[data-leadpool-widget] input[name=name]", "Hồ Văn Phúc")
    page.fill("[data-leadpool-widget] input[name=phone]", "0912")
    page.click("[data-leadpool-widget] button[type=submit]")
    page.wait_for_selector("text=Số điện thoại chưa đúng")
    page.fill("[data-leadpool-widget] input[name=phone]", "0912 456 789")
    page.click("[data-leadpool-widget] button[type=submit]")
    page.wait_for_selector("text=Cảm ơn anh/chị! Chuyên viên sẽ gọi lại trong ít phút.")
    shoot(page, "chat-thanks")
    assert page.locator("[data-leadpool-said=visitor]").inner_text() == "Hồ Văn Phúc · 0912 456 789"
    assert csp == []
    context.close()

    assert InboxItem.objects.filter(config=website).count() == 1
    assert run_tasks() >= 1
    lead = Lead.objects.get()
    assert lead.capture_point == "chatbox"
    assert lead.customer.name == "Hồ Văn Phúc" and lead.customer.phones.get().e164 == "+84912456789"
    assert lead.utm["utm_source"] == "zalo" and lead.campaign == "chat-t11"


def test_the_hosted_form_on_a_phone(world, website, live_server, browser, run_tasks, shoot):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, locale="vi-VN")
    page = context.new_page()
    csp = watch(page)
    page.goto(f"{live_server.url}/intake/f/{website.token}/?aff=KOL9&utm_source=partner")
    page.fill("#id_name", "Mai Anh")
    page.fill("#id_phone", "12345")
    page.click("button[type=submit]")
    page.wait_for_selector("#form-errors")
    assert page.is_visible("text=Số điện thoại chưa đúng")
    assert page.is_visible("text=Vui lòng đánh dấu đồng ý")
    shoot(page, "hosted-errors")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.fill("#id_phone", "0912 111 333")
    page.check("#id_consent")
    page.click("button[type=submit]")
    page.wait_for_selector("#thanks")
    shoot(page, "hosted-thanks")
    assert csp == []
    context.close()
    assert run_tasks() >= 1
    lead = Lead.objects.get()
    assert lead.capture_point == "affiliate" and lead.utm["aff"] == "KOL9" and lead.utm["utm_source"] == "partner"
    assert lead.customer.phones.get().e164 == "+84912111333"
