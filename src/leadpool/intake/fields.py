"""Which field a form key or file column means: names used by landing pages, ad platforms and Getfly exports."""

from __future__ import annotations

import re

from leadpool.customers.normalize import name_key

# Field names Leadpool understands; everything else is kept as an answer on the lead.
FIELDS = (
    "name", "phone", "phone2", "email", "email2", "project", "source", "campaign", "note", "consent",
    "external_id", "relationship", "group", "address", "adset", "ad", "form",
)

# Keys are accent-folded, lower-case, words joined by "_" (see `key()`): "Số điện thoại" → "so_dien_thoai".
ALIASES: dict[str, str] = {}
_TABLE = {
    "name": [
        "name", "full_name", "fullname", "your_name", "ho_ten", "ho_va_ten", "hoten", "ten", "ten_khach_hang",
        "ten_khach", "khach_hang", "customer_name", "contact_name", "first_name_last_name",
    ],
    "phone": [
        "phone", "phone_number", "phonenumber", "mobile", "mobile_phone", "tel", "telephone", "sdt", "so_dt",
        "so_dien_thoai", "dien_thoai", "dien_thoai_di_dong", "di_dong", "so_di_dong", "dien_thoai_1", "cell",
        "caller", "contact_phone",
    ],
    "phone2": ["phone2", "phone_2", "dien_thoai_2", "so_dien_thoai_2", "sdt_2", "dien_thoai_khac", "dien_thoai_ban"],
    "email": ["email", "e_mail", "mail", "email_address", "dia_chi_email", "thu_dien_tu"],
    "email2": ["email2", "email_2", "email_khac"],
    "project": ["project", "du_an", "ten_du_an", "project_name", "san_pham", "san_pham_quan_tam"],
    "source": ["source", "nguon", "nguon_khach_hang", "nguon_khach", "lead_source"],
    "campaign": ["campaign", "campaign_name", "utm_campaign", "chien_dich", "ten_chien_dich"],
    "note": [
        "note", "notes", "message", "ghi_chu", "noi_dung", "content", "comment", "mo_ta", "description",
        "loi_nhan", "yeu_cau", "nhu_cau",
    ],
    "consent": ["consent", "dong_y", "chap_thuan", "consent_text", "dieu_khoan"],
    "external_id": ["external_id", "id", "lead_id", "ma_khach_hang", "ma_kh", "ma_lead", "customer_code"],
    "relationship": ["moi_quan_he", "relationship", "giai_doan", "trang_thai", "status", "stage"],
    "group": ["nhom_khach_hang", "nhom_khach", "nhom", "group", "customer_group", "phan_loai_khach_hang"],
    "address": ["address", "dia_chi", "tinh_thanh", "city", "thanh_pho", "khu_vuc"],
    "adset": ["adset", "adset_name", "ad_set", "nhom_quang_cao", "adgroup"],
    "ad": ["ad", "ad_name", "quang_cao", "creative"],
    "form": ["form", "form_name", "form_id", "ten_form"],
}
for _field, _keys in _TABLE.items():
    for _key in _keys:
        ALIASES[_key] = _field

_NON_WORD = re.compile(r"[^a-z0-9]+")

# Getfly's "Mối quan hệ" stages onto Leadpool's statuses (SPEC: accepted on import and mapped).
RELATIONSHIP_STATUS = {
    "moi": "new",
    "tiep_can": "in_care",
    "nong": "net",
    "tiem_nang": "net",
    "mat": "no_need",
    "chot": "deposit",
    # Leadpool's own labels, so an export of ours imports back.
    "ads_nong": "ads_hot",
    "dang_cham_soc": "in_care",
    "net": "net",
    "hen_gap": "appointment",
    "coc": "deposit",
    "booking": "booking",
    "khong_nhu_cau": "no_need",
    "sai_tep": "wrong_target",
    "khong_nghe_may": "no_answer",
}


def key(label: object) -> str:
    """A header or form key in comparable form: "Số Điện Thoại*" → "so_dien_thoai"."""
    return _NON_WORD.sub("_", name_key(str(label or ""))).strip("_")


def field_for(label: object) -> str | None:
    """The Leadpool field a column or form key stands for, or None when it is just an answer."""
    k = key(label)
    if k in ALIASES:
        return ALIASES[k]
    if k.startswith("utm_"):
        return None
    return None


def guess_mapping(headers: list[str]) -> dict[str, str]:
    """Column → field for a file's header row; the first column claiming a field wins it."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for header in headers:
        field = field_for(header)
        if field is None:
            continue
        if field in taken:
            # A second phone/email column becomes the extra one rather than being ignored.
            extra = {"phone": "phone2", "email": "email2"}.get(field)
            if extra is None or extra in taken:
                continue
            field = extra
        mapping[header] = field
        taken.add(field)
    return mapping


def status_for_relationship(label: object) -> str | None:
    return RELATIONSHIP_STATUS.get(key(label))


def split_flat(data: dict) -> dict:
    """A flat form/JSON object → {name, phones, emails, project, campaign, note, consent, external_id, utm, answers}."""
    out: dict = {"name": "", "phones": [], "emails": [], "project": "", "campaign": "", "note": "", "consent": "",
                 "external_id": "", "utm": {}, "answers": {}, "source": ""}
    for raw_key, value in data.items():
        if isinstance(value, (dict, list)):
            out["answers"][str(raw_key)] = value
            continue
        text = "" if value is None else str(value).strip()
        k = key(raw_key)
        if k.startswith("utm_"):
            out["utm"][k] = text
            if k == "utm_campaign" and not out["campaign"]:
                out["campaign"] = text
            continue
        field = ALIASES.get(k)
        if field in ("phone", "phone2"):
            if text:
                out["phones"].append(text)
        elif field in ("email", "email2"):
            if text:
                out["emails"].append(text)
        elif field in ("name", "project", "campaign", "note", "consent", "external_id", "source"):
            if text and not out[field]:
                out[field] = text
            elif text:
                out["answers"][str(raw_key)] = text
        else:
            out["answers"][str(raw_key)] = text
    return out
