"""Nurture stories: a script with automatic steps, customers who agreed (or not), providers faked at HTTP."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

VN = ZoneInfo("Asia/Ho_Chi_Minh")
ESMS_SEND = "https://rest.esms.vn/MainService.svc/json/SendMultipleMessage_V4_post_json/"
ZNS_SEND = "https://business.openapi.zalo.me/message/template"
START = datetime(2026, 11, 23, 10, 0, tzinfo=VN)  # a Monday morning in Vietnam


@pytest.fixture(autouse=True)
def nurture_settings(settings):
    settings.LEADPOOL = {
        **settings.LEADPOOL,
        "BASE_URL": "https://crm.example.vn",
        "NURTURE": {
            "EMAIL_FROM": "cham-soc@example.vn",
            "DAILY_CAPS": {"email": 100, "sms": 100, "zns": 100},
            "ESMS": {"API_KEY": "esms-key", "SECRET_KEY": "esms-secret", "BRANDNAME": "LOTUSLAND"},
            "ZNS": {"ACCESS_TOKEN": "oa-token", "APP_ID": "app-1", "OA_SECRET": "oa-secret"},
        },
    }
    return settings


@pytest.fixture
def consenting(world, make_customer):
    """consenting(phone, email, consent=True, channel="") -> a captured customer owned by sale1."""
    from leadpool.customers.models import Assignment
    from leadpool.customers.ownership import assign

    def _make(phone=None, email="an@example.vn", *, consent=True, channel="", name="Nguyễn Văn An"):
        result = make_customer(
            phone, name=name, emails=[email] if email else [],
            consent_text="Tôi đồng ý nhận thông tin dự án qua e-mail, SMS, Zalo." if consent else "",
            consent_channel=channel,
        )
        customer = result.customer
        if customer.owner_id != world.sale1.pk:
            assign(customer, to=world.sale1, team=world.team_a, reason=Assignment.Reason.MANUAL)
        customer.refresh_from_db()
        return customer

    return _make


@pytest.fixture
def script(db):
    """script(steps=[(day, kind, fields)...]) -> an active care script started on entering "no_need"."""
    from leadpool.customers.models import Status
    from leadpool.sales.models import CareScript, CareStep

    def _make(steps):
        s = CareScript.objects.create(name="Chăm sóc tự động Lotus")
        s.statuses.set([Status.objects.get(key="no_need")])
        for day, kind, fields in steps:
            step = CareStep(script=s, day_offset=day, kind=kind, automatic=True, **fields)
            step.full_clean()
            step.save()
        return s

    return _make


EMAIL_STEP = {"subject": "{{ ten }} ơi, {{ du_an }} có chính sách mới",
              "body": "Chào {{ ten }},\nDự án {{ du_an }} vừa mở bán đợt mới. {{ nhan_vien }} sẽ gọi anh/chị."}
SMS_STEP = {"body": "LOTUSLAND: Chao {{ ten }}, du an {{ du_an }} mo ban dot moi. LH 0901888484"}
ZNS_STEP = {"zns_template_id": "231477", "zns_template_data": {"customer_name": "{{ ten }}", "project": "{{ du_an }}"}}


@pytest.fixture
def enter_no_need(world):
    from leadpool.customers.models import Status
    from leadpool.sales import actions

    def _enter(customer):
        actions.change_status(customer, to=Status.objects.get(key="no_need"), by=world.sale1, reason="Chưa có nhu cầu")

    return _enter


def esms_ok(sms_id="d533459ee42b2b9525ba9eabf6a8156"):
    return {"CodeResult": "100", "CountRegenerate": 0, "SMSID": sms_id}
