"""The issue's acceptance stories: one person through three channels, old 11-digit numbers."""

import hashlib
import hmac
import json

import httpx
import respx

from leadpool.customers.models import Customer, Lead
from leadpool.intake import imports
from tests.intake.test_intake_channels import google_payload
from tests.intake.test_intake_facebook import GRAPH, graph_lead, notification, signed


@respx.mock
def test_facebook_google_and_import_are_one_customer_with_three_leads(world, channels, post, run_tasks, tmp_path):
    respx.get(f"{GRAPH}/444").mock(return_value=httpx.Response(200, json=graph_lead(phone="+84 912 345 678")))
    body = json.dumps(notification()).encode()
    assert post(channels["facebook"], body, headers=signed(body)).status_code == 200
    assert post(channels["google"], google_payload(phone="0912345678")).status_code == 200
    run_tasks()
    path = tmp_path / "old.csv"
    path.write_text("Tên khách hàng,Điện thoại\nNguyễn Văn An,0912.345.678\n", encoding="utf-8")
    assert imports.run_file(path, source=world.facebook).line == "1 rows: 0 new customers, 1 merged, 0 invalid"
    assert Customer.objects.count() == 1
    customer = Customer.objects.get()
    assert sorted(customer.leads.values_list("channel", flat=True)) == ["facebook", "google", "import"]
    assert list(customer.phones.values_list("e164", flat=True)) == ["+84912345678"]


def test_old_eleven_digit_number_and_its_ten_digit_form_are_one_customer(world, channels, post, run_tasks, tmp_path):
    post(channels["generic"], {"name": "Bình", "phone": "0168 612 3456"})
    run_tasks()
    path = tmp_path / "old.csv"
    path.write_text("Họ tên,SĐT\nBình,038 6123 456\nBình,01686123456\n", encoding="utf-8")
    assert imports.run_file(path, source=world.facebook).line == "2 rows: 0 new customers, 2 merged, 0 invalid"
    assert Customer.objects.count() == 1 and Lead.objects.count() == 3
    assert Customer.objects.get().phones.get().e164 == "+84386123456"


def test_zalo_signature_helper_matches_the_documented_formula():
    from leadpool.intake.channels.zalo import signature

    body = b'{"event_name":"user_send_text","timestamp":"1"}'
    assert signature("app", body, "1", "key") == hashlib.sha256(b"app" + body + b"1" + b"key").hexdigest()
    assert signature("app", body, "1", "key") != hmac.new(b"key", body, hashlib.sha256).hexdigest()
