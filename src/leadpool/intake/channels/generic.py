"""The generic webhook (any landing page, per source token) and Ladipage: JSON or form posts of flat fields."""

from __future__ import annotations

from leadpool.customers.models import CapturePoint
from leadpool.intake import capture_points
from leadpool.intake.fields import split_flat
from leadpool.intake.inbox import payload_key

from .common import capture_answer, check_leadpool_signature, item_payload, lead_input

verify = check_leadpool_signature


def deliveries(request, config, payload: dict, body: bytes) -> list[tuple[str, dict]]:
    flat = split_flat(payload)
    key = request.headers.get("Idempotency-Key") or flat["external_id"] or payload_key(body)
    return [(key, {})]


def handle(item) -> dict:
    payload = item_payload(item)
    if capture_points.is_capture(item, payload):
        # The website snippet, its chat widget and the hosted form: fields are detected, capture point chosen.
        found = capture_points.lead_values(item, payload)
        data = lead_input(item, flat=found["flat"], capture_point=found["capture_point"], form_id=found["form_id"],
                          raw_payload=found["raw_payload"])
        return capture_answer(data)
    flat = split_flat(payload)
    is_test = str(payload.get("is_test", payload.get("test", ""))).lower() in ("1", "true", "yes")
    point = CapturePoint.LANDING_PAGE if item.channel == "ladipage" else CapturePoint.FORM
    data = lead_input(item, flat=flat, capture_point=point, is_test=is_test)
    # Ladipage names the form and page it came from; keep them where reports look.
    data.form_id = str(payload.get("form_config_id") or payload.get("form_id") or "")[:64]
    return capture_answer(data)
