"""What every channel shares: body parsing, signatures, projects by name, the answer about a lead."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime

from django.http import QueryDict

from leadpool.customers.models import Project
from leadpool.intake import catalog
from leadpool.intake.capture import CaptureResult, LeadInput, capture
from leadpool.intake.process import Malformed


def parse_body(content_type: str, body: bytes) -> dict:
    """JSON or a form post, as a dict. Raises Malformed with a message a sender can act on."""
    content_type = (content_type or "").split(";")[0].strip().lower()
    if not body.strip():
        raise Malformed("Nội dung yêu cầu trống (empty body).")
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        try:
            query = QueryDict(body.decode("utf-8"), encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise Malformed("Dữ liệu form không phải UTF-8 (form body is not UTF-8).") from exc
        return {k: (v[0] if len(v) == 1 else v) for k, v in query.lists()}
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Malformed(f"JSON không hợp lệ (invalid JSON): {exc}") from exc
    if not isinstance(data, dict):
        raise Malformed("JSON phải là một object (the JSON body must be an object).")
    return data


def body_json(item) -> dict:
    try:
        data = json.loads(bytes(item.body or b""))
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def item_payload(item) -> dict:
    return parse_body(item.content_type or "application/json", bytes(item.body or b""))


def hmac_hex(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def same(expected: str, given: str | None) -> bool:
    """Constant-time comparison so a signature cannot be guessed byte by byte from response times."""
    return given is not None and hmac.compare_digest(expected.encode(), given.strip().encode())


def check_leadpool_signature(request, config, body: bytes, payload: dict | None = None) -> str | None:
    """Optional HMAC for token endpoints: when the connection has a secret, X-Leadpool-Signature must match."""
    if not config.secret:
        return None
    given = request.headers.get("X-Leadpool-Signature", "")
    given = given.split("=", 1)[1] if given.startswith("sha256=") else given
    if not same(hmac_hex(config.secret, body), given):
        return "Chữ ký X-Leadpool-Signature không đúng (bad signature)."
    return None


def find_project(text: str) -> Project | None:
    """By code, else by name, any case (from the per-process catalog)."""
    return catalog.project(text)


def from_timestamp(value) -> datetime | None:
    """Unix seconds or milliseconds, or ISO 8601, as an aware datetime."""
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        try:
            parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if number > 1e11:
        number /= 1000
    return datetime.fromtimestamp(number, tz=UTC)


def lead_input(item, *, flat: dict | None = None, **fields) -> LeadInput:
    """A LeadInput for this item: its connection's source and project unless the payload names another project."""
    config = item.config
    source = fields.pop("source", None) or item.source or (config.source if config else None)
    if source is None:
        raise Malformed("Không xác định được nguồn (no source configured for this channel).")
    projects = []
    if flat and flat.get("project"):
        project = find_project(flat["project"])
        if project:
            projects.append(project)
    if not projects and config is not None and config.project_id:
        projects.append(config.project)
    values = dict(
        source=source,
        projects=projects,
        channel=source.channel,
        inbox_item=item,
        received_at=item.received_at,
        raw_payload=body_json(item),
    )
    if flat is not None:
        values.update(
            name=flat.get("name", ""),
            phones=list(flat.get("phones", [])),
            emails=list(flat.get("emails", [])),
            campaign=flat.get("campaign", ""),
            note=flat.get("note", ""),
            consent_text=flat.get("consent", ""),
            external_id=flat.get("external_id", ""),
            utm=flat.get("utm", {}),
            answers=flat.get("answers", {}),
        )
    values.update(fields)
    return LeadInput(**values)


def answer(result: CaptureResult) -> dict:
    """What a sender is told about its lead, the same on every re-delivery."""
    return {
        "customer_id": result.customer.pk,
        "lead_id": result.lead.pk,
        "created": result.created,
        "owner": result.owner.username if result.owner else None,
    }


def capture_answer(data: LeadInput, *, by=None) -> dict:
    if not data.phones and not data.emails and data.match_customer is None:
        raise Malformed("Lead không có số điện thoại hay e-mail (a lead needs a phone or an e-mail).")
    return answer(capture(data, by=by))
