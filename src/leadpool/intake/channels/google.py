"""Google Ads lead form webhooks: google_key checked per form, user_column_data mapped, test leads marked."""

from __future__ import annotations

from leadpool.customers.models import CapturePoint
from leadpool.intake.process import Malformed

from .common import capture_answer, item_payload, lead_input, same

NAME_COLUMNS = {"FULL_NAME"}
PHONE_COLUMNS = {"PHONE_NUMBER", "WORK_PHONE"}
EMAIL_COLUMNS = {"EMAIL", "WORK_EMAIL"}


def verify(request, config, body: bytes, payload: dict | None) -> str | None:
    if payload is None:
        return None
    if not config.secret or not same(config.secret, str(payload.get("google_key", ""))):
        return "google_key không đúng với form này (wrong google_key)."
    if config.external_id and str(payload.get("form_id", "")) != config.external_id:
        return "Form này chưa được kết nối (form_id not connected to this URL)."
    return None


def deliveries(request, config, payload: dict, body: bytes) -> list[tuple[str, dict]]:
    lead_id = payload.get("lead_id")
    if not lead_id or not isinstance(payload.get("user_column_data"), list):
        raise Malformed("Thiếu lead_id hoặc user_column_data (missing lead_id or user_column_data).")
    return [(str(lead_id), {"form_id": str(payload.get("form_id", ""))})]


def columns(rows: list) -> dict:
    """user_column_data → name, phones, emails and the remaining answers by column name."""
    out = {"name": "", "first": "", "last": "", "phones": [], "emails": [], "answers": {}}
    for row in rows:
        if not isinstance(row, dict):
            continue
        column = str(row.get("column_id", "")).upper()
        value = str(row.get("string_value", "")).strip()
        if column in NAME_COLUMNS:
            out["name"] = value
        elif column == "FIRST_NAME":
            out["first"] = value
        elif column == "LAST_NAME":
            out["last"] = value
        elif column in PHONE_COLUMNS:
            out["phones"].append(value)
        elif column in EMAIL_COLUMNS:
            out["emails"].append(value)
        else:
            out["answers"][str(row.get("column_name") or column)] = value
    if not out["name"]:
        # Vietnamese order: family name first.
        out["name"] = " ".join(part for part in (out["last"], out["first"]) if part)
    return out


def handle(item) -> dict:
    payload = item_payload(item)
    if not isinstance(payload.get("user_column_data"), list):
        raise Malformed("Thiếu user_column_data (missing user_column_data).")
    cols = columns(payload["user_column_data"])
    data = lead_input(
        item,
        name=cols["name"],
        phones=cols["phones"],
        emails=cols["emails"],
        answers=cols["answers"],
        external_id=str(payload.get("lead_id", "")),
        campaign_id=str(payload.get("campaign_id", "") or ""),
        adset_id=str(payload.get("adgroup_id", "") or ""),
        ad_id=str(payload.get("creative_id", "") or ""),
        form_id=str(payload.get("form_id", "") or ""),
        capture_point=CapturePoint.LEAD_FORM,
        is_test=bool(payload.get("is_test")),
    )
    # The shared key is a credential: the lead keeps everything else exactly as received.
    data.raw_payload = {k: v for k, v in payload.items() if k != "google_key"}
    return capture_answer(data)
