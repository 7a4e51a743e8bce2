"""Takes the README's screenshots from a running demo (`make run`): python scripts/screenshots.py [URL]."""

import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
PHONE = {"width": 360, "height": 740}
DESK = {"width": 1280, "height": 820}

SHOTS = [
    # (file, user, viewport, path)
    ("sale-home.png", "sale1", PHONE, "/"),
    ("sale-customer.png", "sale1", PHONE, None),  # the first customer on the home page
    ("leader-rotation.png", "leader1", DESK, "/rotation/"),
    ("manager-customers.png", "manager", DESK, "/customers/"),
    ("manager-reports.png", "manager", DESK, "/reports/"),
    ("mkt-inbox.png", "mkt1", DESK, "/intake/inbox/"),
]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    chromium = shutil.which("chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        for name, user, viewport, path in SHOTS:
            context = browser.new_context(viewport=viewport, locale="vi-VN")
            page = context.new_page()
            page.goto(f"{BASE}/login/")
            page.fill("#id_username", user)
            page.fill("#id_password", "leadpool")
            page.click("button[type=submit]")
            page.wait_for_load_state("networkidle")
            if path is None:
                page.goto(f"{BASE}/")
                page.locator("main a.stretched-link").first.click()
            else:
                page.goto(f"{BASE}{path}")
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(600)  # charts finish drawing
            page.screenshot(path=str(OUT / name), full_page=False)
            print("saved", name)
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
