"""Security: the OTP step for managers, log-in throttling, rate limits (429), token scopes (403), the token page."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from leadpool.accounts.models import ApiToken
from leadpool.audit.models import AuditEntry
from leadpool.security.ratelimits import DEFAULT_RULES, client_key, rule_for
from leadpool.security.scopes import scope_for


def _token(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def _sign_in(user, password) -> Client:
    client = Client()
    response = client.post("/login/", {"username": user.username, "password": password})
    assert response.status_code == 302, response.content[:300]
    return client


@pytest.fixture
def otp_on(settings):
    settings.LEADPOOL_REQUIRE_OTP = True


def test_manager_must_enrol_then_verify_before_anything(world, otp_on):
    client = _sign_in(world.manager, world.password)
    first = client.get("/customers/")
    assert first.status_code == 302 and first["Location"].startswith("/security/otp/")
    page = client.get(first["Location"])
    assert page.status_code == 200
    assert "otpauth://totp/" in page.text and 'src="data:image/svg+xml' in page.text
    device = TOTPDevice.objects.get(user=world.manager, confirmed=False)
    wrong = client.post("/security/otp/", {"token": "000000", "next": "/customers/"})
    assert wrong.status_code == 400 and "Mã không đúng" in wrong.text
    # A wrong code throttles the device for a moment (django-otp); the right code after that passes.
    with time_machine.travel(timezone.now() + timedelta(seconds=5), tick=False):
        device.refresh_from_db()
        ok = client.post("/security/otp/", {"token": _token(device), "next": "/customers/"})
        assert ok.status_code == 302 and ok["Location"] == "/customers/"
        assert client.get("/customers/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEntry.objects.filter(action="auth.otp_enrolled", actor=world.manager).exists()


def test_enrolled_manager_verifies_on_next_sign_in(world, otp_on):
    device = TOTPDevice.objects.create(user=world.manager, name="phone", confirmed=True)
    client = _sign_in(world.manager, world.password)
    page = client.get("/security/otp/")
    assert "otpauth://" not in page.text  # no new secret shown to whoever holds the password
    assert client.get("/admin/").status_code == 302
    assert client.post("/security/otp/", {"token": _token(device)}).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_unverified_manager_session_cannot_use_the_api(world, otp_on):
    client = _sign_in(world.manager, world.password)
    response = client.get("/api/v1/customers/")
    assert response.status_code == 403


def test_salespeople_do_not_need_otp(world, otp_on):
    client = _sign_in(world.sale1, world.password)
    assert client.get("/customers/").status_code == 200


def test_otp_step_refuses_foreign_next_urls(world, otp_on):
    device = TOTPDevice.objects.create(user=world.manager, name="phone", confirmed=True)
    client = _sign_in(world.manager, world.password)
    response = client.post("/security/otp/", {"token": _token(device), "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_repeated_failed_log_ins_lock_the_account_out_with_429(world):
    client = Client()
    for _ in range(5):
        client.post("/login/", {"username": "sale1", "password": "nope"})
    locked = client.post("/login/", {"username": "sale1", "password": world.password})
    assert locked.status_code == 429
    assert "Tạm khoá đăng nhập" in locked.text
    # Another person on another address is not affected.
    other = Client(REMOTE_ADDR="10.0.0.2")
    assert other.post("/login/", {"username": "sale2", "password": world.password}).status_code == 302


def test_api_rate_limit_answers_429_with_retry_after(world, settings):
    settings.LEADPOOL_RATE_LIMIT_SCALE = 0.005  # 600/min → 3/min
    _, token = ApiToken.issue(user=world.manager, name="t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    codes = [client.get("/api/v1/customers/").status_code for _ in range(4)]
    assert codes[:3] == [200, 200, 200] and codes[3] == 429
    assert int(client.get("/api/v1/customers/")["Retry-After"]) > 0
    # Budgets are per token: another token is still served.
    _, other = ApiToken.issue(user=world.manager, name="t2")
    assert Client(HTTP_AUTHORIZATION=f"Bearer {other}").get("/api/v1/customers/").status_code == 200


@pytest.mark.parametrize("path", ["/login/", "/health", "/intake/hook/unknown/"])
def test_public_endpoints_answer_429_past_their_budget(world, settings, path):
    settings.LEADPOOL_RATE_LIMIT_SCALE = 0.01
    client = Client()
    method = client.post if path == "/login/" else client.get
    codes = [method(path).status_code for _ in range(40)]
    assert 429 in codes and codes[0] != 429


def test_rate_limit_rules_pick_the_first_match():
    assert rule_for("/api/v1/customers/", "GET", authenticated=True).name == "api"
    assert rule_for("/login/", "GET", authenticated=False).name == "public"
    assert rule_for("/login/", "POST", authenticated=False).name == "login"
    assert rule_for("/customers/", "GET", authenticated=True) is None
    assert rule_for("/customers/", "GET", authenticated=False).name == "public"
    assert all(r.per_minute > 0 for r in DEFAULT_RULES)


def test_client_key_never_holds_the_token():
    key = client_key(authorization="Bearer lp_secret", user_id=None, ip="1.2.3.4")
    assert "lp_secret" not in key and key.startswith("t:")
    assert client_key(authorization="", user_id=7, ip="1.2.3.4") == "u:7"
    assert client_key(authorization="", user_id=None, ip="1.2.3.4") == "ip:1.2.3.4"


@pytest.mark.parametrize(
    ("path", "method", "scope"),
    [
        ("/api/v1/customers/", "GET", "customers:read"),
        ("/api/v1/customers/5", "HEAD", "customers:read"),
        ("/api/v1/leads", "POST", "leads:write"),
        ("/api/v1/sales/customers/5/status", "POST", "sales:write"),
        ("/api/v1/rotation/candidates", "GET", "rotation:read"),
        ("/api/v1/openapi.json", "GET", None),
        ("/api/v1/docs", "GET", None),
        ("/customers/", "GET", None),
    ],
)
def test_scope_for_every_path(path, method, scope):
    assert scope_for(path, method) == scope


def _api_paths(client) -> list[tuple[str, str]]:
    schema = client.get("/api/v1/openapi.json").json()
    return [(method.upper(), path) for path, ops in schema["paths"].items() for method in ops]


def test_tokens_without_the_scope_get_403_on_every_endpoint(world, make_customer):
    customer = make_customer("0912345678").customer
    _, token = ApiToken.issue(user=world.manager, name="narrow", scopes=["reports:read"])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    paths = _api_paths(Client())
    assert len(paths) >= 3
    for method, path in paths:
        url = path.replace("{customer_id}", str(customer.pk))
        url = "/".join(("1" if part.startswith("{") else part) for part in url.split("/"))
        if url.startswith("/api/v1/reports"):
            continue
        response = client.generic(method, url, data="{}", content_type="application/json")
        assert response.status_code == 403, f"{method} {url} → {response.status_code}"


def test_a_scoped_token_works_within_its_scope(world, make_customer):
    customer = make_customer("0912345678").customer
    _, token = ApiToken.issue(user=world.manager, name="read", scopes=["customers:read"])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get(f"/api/v1/customers/{customer.pk}").status_code == 200
    assert client.post("/api/v1/leads", data="{}", content_type="application/json").status_code == 403


def test_revoked_and_expired_tokens_are_refused(world):
    row, token = ApiToken.issue(user=world.manager, name="t")
    ApiToken.objects.filter(pk=row.pk).update(revoked_at=timezone.now())
    assert Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/customers/").status_code == 401
    row, token = ApiToken.issue(user=world.manager, name="t", expires_at=timezone.now() - timedelta(seconds=1))
    assert Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/customers/").status_code == 401


def test_token_page_creates_shows_once_and_revokes(world, login):
    client = login(world.sale1)
    response = client.post("/security/tokens/", {"name": "Tổng đài", "scopes": ["customers:read", "bogus"], "days": "30"})
    assert response.status_code == 200
    row = ApiToken.objects.get(user=world.sale1)
    assert row.scopes == ["customers:read"]
    token = response.context["shown"]
    assert token in response.text and ApiToken.hash(token) == row.key_hash
    assert token not in client.get("/security/tokens/").text  # never shown again
    assert AuditEntry.objects.filter(action="token.created", actor=world.sale1).exists()
    # A colleague cannot revoke it; its owner can.
    assert login(world.sale2).post(f"/security/tokens/{row.pk}/revoke/").status_code == 403
    assert client.post(f"/security/tokens/{row.pk}/revoke/").status_code == 302
    row.refresh_from_db()
    assert row.revoked_at is not None


def test_a_token_in_use_stops_working_the_moment_it_is_revoked_or_its_user_leaves(world, login):
    """The request path remembers tokens it has seen; revoking one, or deactivating its user, is seen at once."""
    from io import StringIO

    from django.core.management import call_command

    def status(token):
        return Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/customers/").status_code

    row, token = ApiToken.issue(user=world.sale1, name="page", scopes=["customers:read"])
    assert status(token) == 200  # now remembered by this process
    assert login(world.sale1).post(f"/security/tokens/{row.pk}/revoke/").status_code == 302
    assert status(token) == 401

    row, token = ApiToken.issue(user=world.sale1, name="cli")
    assert status(token) == 200
    call_command("token", "revoke", row.key_prefix, stdout=StringIO())
    assert status(token) == 401

    _row, token = ApiToken.issue(user=world.sale2, name="leaver")
    assert status(token) == 200
    world.sale2.is_active = False
    world.sale2.save()
    assert status(token) == 401


def test_salesperson_sees_only_own_tokens_and_cannot_issue_for_others(world, login):
    ApiToken.issue(user=world.sale2, name="not yours")
    client = login(world.sale1)
    page = client.get("/security/tokens/")
    assert "not yours" not in page.text
    client.post("/security/tokens/", {"name": "x", "user": world.sale2.pk, "days": "30"})
    assert ApiToken.objects.filter(user=world.sale1, name="x").exists()
    assert not ApiToken.objects.filter(user=world.sale2, name="x").exists()


def test_manager_issues_integration_tokens(world, login):
    client = login(world.manager)
    client.post("/security/tokens/", {"name": "Ladipage", "user": world.mkt.pk, "scopes": ["leads:write"], "days": "365"})
    row = ApiToken.objects.get(name="Ladipage")
    assert row.user == world.mkt and row.scopes == ["leads:write"]
    assert "Ladipage" in client.get("/security/tokens/").text


def test_token_form_errors_are_shown(world, login):
    response = login(world.sale1).post("/security/tokens/", {"name": "", "days": "9999"})
    assert response.status_code == 400
    assert "Hãy đặt tên" in response.text and "730" in response.text
    assert not ApiToken.objects.exists()


def test_pages_carry_a_strict_csp_without_inline_script(world, login):
    response = login(world.manager).get("/security/tokens/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]


def test_no_template_has_inline_script_or_handlers():
    """Every <script> tag in every template either loads a file or carries the nonce; no on*= handlers."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "src" / "leadpool"
    offenders = []
    for path in root.rglob("templates/**/*.html"):
        text = path.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and "csp_nonce" not in tag and "nonce=" not in tag:
                offenders.append(f"{path.relative_to(root)}: {tag}")
        for handler in re.findall(r"\son(?:click|load|submit|change|input|error)\s*=", text):
            offenders.append(f"{path.relative_to(root)}: {handler.strip()}")
    assert offenders == []


def test_api_refuses_nul_bytes_with_400(world):
    _, token = ApiToken.issue(user=world.manager, name="t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = client.post("/api/v1/leads", data='{"name": "a\\u0000b"}', content_type="application/json")
    assert response.status_code == 400
    assert client.get("/api/v1/customers/?q=a%00b").status_code == 400
