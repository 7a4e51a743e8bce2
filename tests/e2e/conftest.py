"""Browser journeys: Playwright driving Debian's Chromium against pytest-django's live server.

Screenshots land in test-artifacts/ (git-ignored) so a person can look at each step.
"""

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.django_db(transaction=True))


DATA_MIGRATIONS = [
    ("customers", "0003_default_catalogs"),
    ("rotation", "0002_defaults"),
    ("sales", "0003_default_nurture_script"),
]


@pytest.fixture(autouse=True)
def default_catalogs(transactional_db):
    """The live server needs committed data, and the flush between transactional tests also wipes what
    the data migrations loaded (statuses, sources, rotation rules, the nurture script): load it again.
    (Serialized rollback would do this, but its snapshot is lost once a test has run the live server.)"""
    import importlib

    from django.apps import apps
    from django.db import connection

    from leadpool.customers.models import Status

    if Status.objects.exists():
        return
    for app, name in DATA_MIGRATIONS:
        module = importlib.import_module(f"leadpool.{app}.migrations.{name}")
        with connection.schema_editor() as editor:
            module.load(apps, editor)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if CHROMIUM is None:
        pytest.fail("Chromium is not installed: apt-get install chromium chromium-driver (.ci/run does it)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
    }


@pytest.fixture
def phone_context(browser):
    """A salesperson's phone: 360×740, touch."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True, locale="vi-VN")
    yield context
    context.close()


@pytest.fixture
def desk_context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="vi-VN")
    yield context
    context.close()


@pytest.fixture
def shoot(request):
    """shoot(page, "step-name") saves a PNG under test-artifacts/<test name>/."""
    folder = ARTIFACTS / request.node.name.replace("[", "_").replace("]", "")
    folder.mkdir(parents=True, exist_ok=True)
    counter = {"n": 0}

    def _shoot(page, step: str) -> Path:
        counter["n"] += 1
        path = folder / f"{counter['n']:02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shoot


@pytest.fixture
def sign_in(live_server):
    """sign_in(page, user) logs in through the real form."""

    def _sign_in(page, user, password):
        page.goto(f"{live_server.url}/login/")
        if "/security/otp/" not in page.url:  # already past the password, waiting for the code
            page.fill("#id_username", user.username)
            page.fill("#id_password", password)
            page.click("button[type=submit]")
            page.wait_for_load_state("networkidle")
        if "/security/otp/" in page.url:  # managers pass the authenticator-app step (LEADPOOL_REQUIRE_OTP)
            page.fill("#id_token", _current_otp(user))
            page.click("button[type=submit]")
            page.wait_for_load_state("networkidle")

    return _sign_in


def _current_otp(user) -> str:
    """The code the user's authenticator app would show now, computed from their (or their pending) device."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user).order_by("-confirmed", "id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="e2e", confirmed=True)
    # Signing in twice within one 30-second step would reuse a code, which TOTP refuses.
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, throttling_failure_count=0)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def choose_status(page, key: str, field: str, timeout_ms: int = 10_000) -> None:
    """Pick a status in the quick-action form and wait for the fields it requires.

    The form arrives by htmx when its tab opens; on a loaded machine the change can fire before htmx has
    wired the freshly swapped select, so the change is sent again if the fields do not come.
    """
    selector = f'#status-fields input[name="{field}"], #status-fields select[name="{field}"], #status-fields textarea[name="{field}"]'
    page.wait_for_selector("#st_to")
    page.select_option("#st_to", key)
    for _ in range(3):
        try:
            page.wait_for_selector(selector, timeout=timeout_ms)
            return
        except Exception:
            page.dispatch_event("#st_to", "change")
    page.wait_for_selector(selector, timeout=timeout_ms)
