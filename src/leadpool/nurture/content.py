"""What a step says to one customer: its templates filled with the customer's name, project and owner."""

import re
from dataclasses import dataclass, field

PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")


@dataclass(frozen=True)
class Content:
    """One message as a provider receives it. `text` is the e-mail body or the SMS text."""

    text: str = ""
    subject: str = ""
    template_id: str = ""
    template_data: dict = field(default_factory=dict)
    tracking_id: str = ""
    headers: dict = field(default_factory=dict)


def fill(template: str, values: dict[str, str]) -> str:
    """Replace {{ name }} with its value; an unknown name is left as written so the author sees it."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template or "")


def values_for(name: str, project: str, owner: str) -> dict[str, str]:
    return {"ten": name.strip() or "Quý khách", "du_an": project, "nhan_vien": owner}


def customer_values(customer) -> dict[str, str]:
    project = customer.projects.order_by("name").first()
    owner = customer.owner.get_full_name() or customer.owner.username if customer.owner_id else ""
    return values_for(customer.name, project.name if project else "", owner)


def build(step, values: dict[str, str], *, tracking_id: str = "", unsubscribe_url: str = "") -> Content:
    if step.kind == "zns":
        data = {key: fill(str(val), values) for key, val in (step.zns_template_data or {}).items()}
        return Content(template_id=step.zns_template_id.strip(), template_data=data, tracking_id=tracking_id)
    text = fill(step.body, values)
    if step.kind == "email":
        if unsubscribe_url:
            text += f"\n\n--\nKhông muốn nhận thêm e-mail từ chúng tôi? Huỷ đăng ký tại: {unsubscribe_url}"
        headers = {}
        if unsubscribe_url:
            # RFC 2369 / RFC 8058: mail apps show their own "unsubscribe" button and POST to it in one click.
            headers = {"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
        return Content(text=text, subject=fill(step.subject, values), tracking_id=tracking_id, headers=headers)
    return Content(text=text, tracking_id=tracking_id)
