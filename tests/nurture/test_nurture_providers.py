"""Provider adapters at the HTTP boundary: eSMS brandname SMS and Zalo ZNS, request and answer shapes."""

import json

import httpx
import pytest
import respx

from leadpool.nurture.content import Content
from leadpool.nurture.providers import Result, for_channel
from leadpool.nurture.providers.base import local_phone, national_digits
from leadpool.nurture.providers.esms import EsmsProvider
from leadpool.nurture.providers.zalo_zns import ZnsProvider

from .conftest import ESMS_SEND, ZNS_SEND

ESMS = {"API_KEY": "k", "SECRET_KEY": "s", "BRANDNAME": "LOTUSLAND"}


def test_phone_formats():
    assert local_phone("+84912345678") == "0912345678"
    assert national_digits("+84912345678") == "84912345678"


def test_every_channel_has_an_adapter(settings):
    assert [for_channel(c).name for c in ("email", "sms", "zns")] == ["django-mail", "esms", "zalo-zns"]
    with pytest.raises(ValueError):
        for_channel("fax")


@respx.mock
def test_esms_request_shape_and_success():
    route = respx.post(ESMS_SEND).mock(return_value=httpx.Response(
        200, json={"CodeResult": "100", "CountRegenerate": 0, "SMSID": "d533459e"}))
    provider = EsmsProvider(ESMS, callback_url="https://crm.example.vn/nurture/callback/esms/t/")
    result = provider.send("+84912345678", Content(text="Chào anh An", tracking_id="lp-9"))
    assert result == Result(True, message_id="d533459e")
    body = json.loads(route.calls[0].request.content)
    assert body == {"ApiKey": "k", "SecretKey": "s", "Phone": "0912345678", "Content": "Chào anh An",
                    "Brandname": "LOTUSLAND", "SmsType": "2", "IsUnicode": "1", "Sandbox": "0", "RequestId": "lp-9",
                    "CallbackUrl": "https://crm.example.vn/nurture/callback/esms/t/"}
    assert route.calls[0].request.headers["content-type"] == "application/json"


@respx.mock
@pytest.mark.parametrize("response, ok, retryable", [
    (httpx.Response(200, json={"CodeResult": "124", "CountRegenerate": 0, "ErrorMessage": "Request exist 1",
                               "SendStatus": "5"}), True, False),
    (httpx.Response(200, json={"CodeResult": "103", "ErrorMessage": "Not enough balance"}), False, True),
    (httpx.Response(200, json={"CodeResult": "101", "ErrorMessage": "Authorize Failed"}), False, False),
    (httpx.Response(200, json={"CodeResult": "146", "ErrorMessage": "Sai template Brandname CSKH",
                               "SMSID": "3f5e"}), False, False),
    (httpx.Response(200, json={"error": "Invalid request"}), False, False),
    (httpx.Response(500, text="oops"), False, True),
    (httpx.Response(200, text="<html>"), False, True),
])
def test_esms_answers(response, ok, retryable):
    respx.post(ESMS_SEND).mock(return_value=response)
    result = EsmsProvider(ESMS).send("+84912345678", Content(text="x", tracking_id="lp-1"))
    assert (result.ok, result.retryable) == (ok, retryable)


@respx.mock
def test_esms_network_error_is_retryable():
    respx.post(ESMS_SEND).mock(side_effect=httpx.ReadTimeout("slow"))
    result = EsmsProvider(ESMS).send("+84912345678", Content(text="x"))
    assert not result.ok and result.retryable


@respx.mock
def test_zns_request_and_answers():
    route = respx.post(ZNS_SEND).mock(side_effect=[
        httpx.Response(200, json={"error": 0, "message": "Success", "data": {"msg_id": "m1", "sent_time": "1"}}),
        httpx.Response(200, json={"error": -124, "message": "Access token is invalid"}),
        httpx.Response(503),
    ])
    provider = ZnsProvider({"ACCESS_TOKEN": "tok"})
    message = Content(template_id="231477", template_data={"customer_name": "An"}, tracking_id="lp-5")
    assert provider.send("+84912345678", message) == Result(True, message_id="m1")
    request = route.calls[0].request
    assert request.headers["access_token"] == "tok"
    assert json.loads(request.content) == {"phone": "84912345678", "template_id": "231477",
                                           "template_data": {"customer_name": "An"}, "tracking_id": "lp-5"}
    refused = provider.send("+84912345678", message)
    assert not refused.ok and not refused.retryable and "-124" in refused.error
    down = provider.send("+84912345678", message)
    assert not down.ok and down.retryable
