"""POST /api/v1/leads and the manual entry form: a flat, documented set of fields."""

from __future__ import annotations

from leadpool.customers.models import CapturePoint, Channel
from leadpool.intake import catalog
from leadpool.intake.process import Malformed

from .common import answer, find_project, item_payload, lead_input

FIELDS = ("name", "phone", "email", "source", "project", "campaign", "note", "consent", "external_id")
DEFAULT_SOURCE = "website"
LIMITS = {"name": 160, "phone": 60, "email": 254, "source": 40, "project": 160, "campaign": 200, "note": 5000,
          "consent": 2000, "external_id": 120}


def clean(payload: dict, *, default_source: str = DEFAULT_SOURCE) -> dict:
    """Check the fields and resolve source and project. Raises Malformed naming every problem."""
    problems = []
    unknown = sorted(set(payload) - set(FIELDS) - {"phones", "emails", "answers", "utm", "is_test"})
    if unknown:
        problems.append(f"Trường không được hỗ trợ (unknown fields): {', '.join(unknown)}")
    values = {}
    for name in FIELDS:
        value = payload.get(name)
        if value is None:
            value = ""
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            problems.append(f"“{name}” phải là chuỗi (must be a string)")
            continue
        value = str(value).strip()
        if len(value) > LIMITS[name]:
            problems.append(f"“{name}” dài quá {LIMITS[name]} ký tự (too long)")
        values[name] = value
    if problems:
        raise Malformed("; ".join(problems))
    if not values["phone"] and not values["email"]:
        raise Malformed("Cần số điện thoại hoặc e-mail (phone or email is required).")
    source_key = values["source"] or default_source
    source = catalog.source(source_key)
    if source is None or not source.active:
        raise Malformed(f"Nguồn “{source_key}” không tồn tại (unknown source).")
    project = None
    if values["project"]:
        project = find_project(values["project"])
        if project is None:
            raise Malformed(f"Dự án “{values['project']}” không tồn tại (unknown project).")
    values["source_obj"] = source
    values["project_obj"] = project
    return values


def handle(item) -> dict:
    payload = item_payload(item)
    values = clean(payload)
    manual = item.channel == "manual"
    data = lead_input(
        item,
        source=values["source_obj"],
        name=values["name"],
        phones=[values["phone"]] if values["phone"] else [],
        emails=[values["email"]] if values["email"] else [],
        projects=[values["project_obj"]] if values["project_obj"] else [],
        campaign=values["campaign"],
        note=values["note"],
        consent_text=values["consent"],
        external_id=values["external_id"],
        capture_point=CapturePoint.MANUAL if manual else CapturePoint.API,
        channel=Channel.MANUAL if manual else Channel.API,
        is_test=bool(payload.get("is_test")) if not manual else False,
    )
    from leadpool.intake.capture import capture

    return answer(capture(data, by=item.by))
