"""SMS brandname through eSMS.vn (VIHAT), customer-care messages (SmsType 2).

Request (documented: POST {base}SendMultipleMessage_V4_post_json/, Content-Type application/json):
    {"ApiKey", "SecretKey", "Phone": "0912345678", "Content", "Brandname", "SmsType": "2",
     "IsUnicode": "0"|"1", "Sandbox": "0"|"1", "RequestId", "CallbackUrl", "campaignid"}
Response: {"CodeResult": "100", "CountRegenerate": 0, "SMSID": "..."} when accepted; otherwise
    {"CodeResult": "<code>", "ErrorMessage": "..."}: 101 bad keys, 103 balance too low, 104 unknown brandname,
    108 bad phone, 124 RequestId already used, 146 text not matching a registered care template.
RequestId is our send id, so a retry after a timeout that did reach eSMS comes back 124 instead of sending twice.
Delivery: eSMS calls CallbackUrl with GET ?SMSID=&SendStatus=&SendSuccess=&SendFailed=&RequestId=&phonenumber=
    (SendStatus 5 = done, 4 = rejected, 1/2/7 = still on the way); see views.esms_callback.
"""

import httpx

from .. import config
from ..content import Content
from .base import Result, local_phone

RETRYABLE_CODES = {"103"}  # balance runs out: the message can go once the account is topped up
ALREADY_ACCEPTED = "124"


class EsmsProvider:
    name = "esms"

    def __init__(self, settings: dict | None = None, *, callback_url: str = "") -> None:
        self.settings = settings if settings is not None else config.provider_settings("ESMS")
        self.callback_url = callback_url

    def payload(self, to: str, content: Content) -> dict:
        s = self.settings
        body = {
            "ApiKey": s.get("API_KEY", ""),
            "SecretKey": s.get("SECRET_KEY", ""),
            "Phone": local_phone(to),
            "Content": content.text,
            "Brandname": s.get("BRANDNAME", ""),
            "SmsType": str(s.get("SMS_TYPE", "2")),
            "IsUnicode": "1" if any(ord(ch) > 127 for ch in content.text) else "0",
            "Sandbox": "1" if str(s.get("SANDBOX", "0")) in {"1", "true", "True"} else "0",
            "RequestId": content.tracking_id,
        }
        if self.callback_url:
            body["CallbackUrl"] = self.callback_url
        if s.get("CAMPAIGN"):
            body["campaignid"] = s["CAMPAIGN"]
        return body

    def send(self, to: str, content: Content) -> Result:
        base = str(self.settings.get("BASE_URL") or config.ESMS_BASE_URL).rstrip("/") + "/"
        try:
            response = httpx.post(base + "SendMultipleMessage_V4_post_json/", json=self.payload(to, content), timeout=15)
        except httpx.TransportError as exc:
            return Result.failed(f"eSMS: {type(exc).__name__}", retryable=True)
        if response.status_code >= 500 or response.status_code == 429:
            return Result.failed(f"eSMS HTTP {response.status_code}", retryable=True)
        try:
            data = response.json()
        except ValueError:
            return Result.failed(f"eSMS HTTP {response.status_code}: không đọc được câu trả lời", retryable=True)
        code = str(data.get("CodeResult", ""))
        if code == "100":
            return Result.sent(str(data.get("SMSID", "")))
        if code == ALREADY_ACCEPTED:
            return Result.sent("")
        message = data.get("ErrorMessage") or data.get("error") or ""
        return Result.failed(f"eSMS {code or response.status_code}: {message}", retryable=code in RETRYABLE_CODES)
