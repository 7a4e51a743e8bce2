"""TikTok lead forms (Instant Forms): signed JSON deliveries of one lead each, test leads marked."""

from __future__ import annotations

from leadpool.customers.models import CapturePoint
from leadpool.intake.fields import split_flat
from leadpool.intake.process import Malformed

from .common import capture_answer, from_timestamp, hmac_hex, item_payload, lead_input, same


def verify(request, config, body: bytes, payload: dict | None) -> str | None:
    if not config.secret:
        return None
    header = request.headers.get("X-TikTok-Signature", "")
    # Either "<hex>" or "t=<unix>,s=<hex>" where s signs "<t>.<body>".
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    if "s" in parts:
        expected = hmac_hex(config.secret, parts.get("t", "").encode() + b"." + body)
        ok = same(expected, parts["s"])
    else:
        ok = same(hmac_hex(config.secret, body), header)
    return None if ok else "Chữ ký X-TikTok-Signature không đúng (bad signature)."


def _lead(payload: dict) -> dict:
    return payload.get("lead") if isinstance(payload.get("lead"), dict) else payload


def deliveries(request, config, payload: dict, body: bytes) -> list[tuple[str, dict]]:
    lead = _lead(payload)
    lead_id = lead.get("lead_id") or lead.get("id")
    if not lead_id:
        raise Malformed("Thiếu lead_id (missing lead_id).")
    return [(str(lead_id), {"form_id": str(lead.get("form_id") or lead.get("page_id") or "")})]


def answers_of(lead: dict) -> dict:
    """TikTok sends answers as a list of {name|field_name, value} or as a flat object."""
    rows = lead.get("field_data") or lead.get("fields") or lead.get("answers")
    if isinstance(rows, dict):
        return {str(k): v for k, v in rows.items()}
    flat = {}
    for row in rows or []:
        if isinstance(row, dict):
            name = row.get("field_name") or row.get("name") or row.get("field_id")
            value = row.get("value")
            if value is None and isinstance(row.get("values"), list):
                value = ", ".join(map(str, row["values"]))
            if name:
                flat[str(name)] = value
    return flat


def handle(item) -> dict:
    payload = item_payload(item)
    lead = _lead(payload)
    flat = split_flat(answers_of(lead))
    data = lead_input(
        item,
        flat=flat,
        external_id=str(lead.get("lead_id") or lead.get("id") or ""),
        campaign_id=str(lead.get("campaign_id") or ""),
        campaign=str(lead.get("campaign_name") or "") or flat.get("campaign", ""),
        adset_id=str(lead.get("adgroup_id") or ""),
        ad_id=str(lead.get("ad_id") or ""),
        form_id=str(lead.get("form_id") or lead.get("page_id") or ""),
        capture_point=CapturePoint.LEAD_FORM,
        is_test=bool(lead.get("is_test") or payload.get("is_test")),
        received_at=from_timestamp(lead.get("create_time")) or item.received_at,
    )
    return capture_answer(data)
