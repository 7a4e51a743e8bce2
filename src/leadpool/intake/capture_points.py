"""Website capture: what the snippet, the chat widget and the hosted form send, turned into a lead.

The snippet (static/intake/capture.js) does not decide which field is the phone: it sends every field of
the submitted form with its name, type, autocomplete, label and placeholder, and `detect()` here picks
the name, phones, e-mails, note and consent. Improving detection then needs no change on anyone's page.

Envelope sent by the snippet and the widget (JSON, as text/plain so no CORS preflight is needed):
    {"_leadpool": "capture/1", "kind": "form" | "chat", "capture_point": "popup" | "contact_page" | …,
     "fields": [{"name", "id", "type", "autocomplete", "label", "placeholder", "value"}, …],
     "form": {"id", "name", "action"}, "page": {"url", "title", "referrer", "landing", "first_referrer"},
     "tracking": {"utm_source", …, "fbclid", "gclid", "aff"}, "sent_at": ISO time}
The hosted form stores its own urlencoded post; its inbox item says so in meta ({"via": "hosted_form"}).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from leadpool.customers.models import CapturePoint

from .fields import ALIASES, key

ENVELOPE = "capture/1"
HOSTED = "hosted_form"

# What the page may ask for with data-capture / data-leadpool-capture (SPEC's capture points of a website).
PAGE_POINTS = {
    CapturePoint.FORM, CapturePoint.POPUP, CapturePoint.CONTACT_PAGE, CapturePoint.CHATBOX,
    CapturePoint.AFFILIATE, CapturePoint.LANDING_PAGE,
}
POINT_ALIASES = {
    "flow": CapturePoint.POPUP, "pop_up": CapturePoint.POPUP, "lead_flow": CapturePoint.POPUP,
    "contact": CapturePoint.CONTACT_PAGE, "lien_he": CapturePoint.CONTACT_PAGE,
    "chat": CapturePoint.CHATBOX, "landing": CapturePoint.LANDING_PAGE,
}
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "utm_id")
CLICK_KEYS = ("fbclid", "gclid")
AFFILIATE_KEYS = ("aff", "ref", "affiliate", "aff_id", "ref_code")

# Roles a form field can play. Phrases are accent-folded word sequences looked for inside a field's
# name, id, label or placeholder; the first role whose phrase matches a text wins that text, so
# "Tên dự án" is a project and not a name, "Email hoặc SĐT" an e-mail.
ROLE_PHRASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("project", ("du an", "project", "san pham quan tam")),
    ("ignore", ("ma xac nhan", "captcha", "mat khau", "password", "otp", "ma giam gia", "coupon")),
    ("email", ("email", "e mail", "mail", "thu dien tu")),
    ("phone", ("so dien thoai", "dien thoai", "sdt", "so dt", "dt", "phone", "mobile", "tel", "telephone", "di dong",
               "hotline", "zalo", "whatsapp", "cell")),
    ("consent", ("dong y", "chap thuan", "dieu khoan", "chinh sach", "consent", "agree", "privacy", "terms")),
    ("note", ("ghi chu", "loi nhan", "noi dung", "yeu cau", "nhu cau", "message", "note", "comment", "cau hoi",
              "tin nhan", "question")),
    ("other", ("cong ty", "company", "to chuc", "dia chi", "address", "chuc vu", "nghe nghiep", "username",
               "user name", "ten dang nhap")),
    ("name_part", ("first name", "last name", "given name", "family name", "firstname", "lastname", "fname", "lname",
                   "surname", "ho va ten dem", "ten dem")),
    ("name", ("ho ten", "ho va ten", "hoten", "full name", "fullname", "your name", "name", "ten", "quy danh",
              "danh xung", "ten khach hang", "ten cua ban")),
)
# The bare "Họ" of a "Họ" + "Tên" pair.
SURNAME_KEYS = {"ho", "ho_dem", "ho_lot"}
# Fields whose names say they are plumbing, not something the person typed.
NOISE = re.compile(r"^(_|csrf|g-recaptcha|cf-turnstile|h-captcha|wpcf7|__|action$|form_id$|_wp)", re.IGNORECASE)
AUTOCOMPLETE_ROLES = {
    "tel": "phone", "tel-national": "phone", "tel-local": "phone", "mobile": "phone",
    "email": "email", "name": "name", "given-name": "name_part", "family-name": "name_part",
    "additional-name": "name_part",
}
FIELD_ROLES = {"phone": "phone", "phone2": "phone", "email": "email", "email2": "email", "name": "name",
               "note": "note", "consent": "consent", "project": "project"}
MAX_VALUE = 2000
MAX_FIELDS = 80
MAX_PER_ROLE = {"phone": 2, "email": 2, "name": 1, "note": 1, "consent": 1, "project": 1, "name_part": 3, "ignore": MAX_FIELDS}
MIN_SCORE = {"ignore": 0, "name": 50, "name_part": 50, "note": 40, "consent": 40, "project": 60, "phone": 30, "email": 30}
EMAIL_LIKE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class FormField:
    name: str = ""
    id: str = ""
    type: str = "text"
    autocomplete: str = ""
    label: str = ""
    placeholder: str = ""
    value: str = ""

    @classmethod
    def of(cls, raw) -> FormField | None:
        if not isinstance(raw, dict):
            return None

        def text(name: str, limit: int = 300) -> str:
            value = raw.get(name)
            return "" if value is None or isinstance(value, (dict, list)) else str(value).strip()[:limit]

        return cls(name=text("name"), id=text("id"), type=(text("type") or "text").lower(),
                   autocomplete=text("autocomplete").lower(), label=text("label"), placeholder=text("placeholder"),
                   value=text("value", MAX_VALUE))

    @property
    def title(self) -> str:
        """How the field is named on the lead's answers."""
        return self.name or self.label or self.id or self.placeholder


@dataclass
class Detected:
    name: str = ""
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    note: str = ""
    consent: str = ""
    project: str = ""
    answers: dict = field(default_factory=dict)


def _words(text: str) -> str:
    return " " + key(text).replace("_", " ") + " "


def _phrase_role(text: str) -> str | None:
    words = _words(text)
    if not words.strip():
        return None
    for role, phrases in ROLE_PHRASES:
        if any(f" {phrase} " in words for phrase in phrases):
            return role
    return None


def _digits(value: str) -> int:
    return sum(ch.isdigit() for ch in value)


def _looks_like_phone(value: str) -> bool:
    # Mostly digits, as many as a Vietnamese number has (with or without +84), little else.
    digits = _digits(value)
    return 9 <= digits <= 13 and digits >= len(re.sub(r"[\s.\-()+]", "", value)) - 1


def role_scores(f: FormField) -> dict[str, int]:
    """How strongly each role fits one field: the autocomplete token and an exact known name weigh most."""
    scores: dict[str, int] = {}

    def give(role: str | None, points: int) -> None:
        if role and points > scores.get(role, 0):
            scores[role] = points

    for token in f.autocomplete.split():
        give(AUTOCOMPLETE_ROLES.get(token), 100)
    for text, weight in ((f.name, 90), (f.id, 80), (f.label, 75), (f.placeholder, 60)):
        if not text:
            continue
        k = key(text)
        if k in SURNAME_KEYS:
            give("name_part", weight)
        elif k in ALIASES and FIELD_ROLES.get(ALIASES[k]):
            give(FIELD_ROLES[ALIASES[k]], weight)
        give(_phrase_role(text), weight - 10)
    if f.type == "tel":
        give("phone", 85)
    elif f.type == "email":
        give("email", 85)
    elif f.type == "textarea":
        give("note", 45)
    if f.type in ("checkbox", "radio"):
        # A ticked box is consent, a project choice or just an answer: never who the person is.
        return {role: scores[role] for role in ("consent", "project") if role in scores}
    scores.pop("consent", None)
    if f.type == "hidden":
        scores.pop("name", None)
        scores.pop("name_part", None)
    elif EMAIL_LIKE.match(f.value):
        give("email", 30)
    elif _looks_like_phone(f.value):
        give("phone", 30)
    if "ignore" in scores and scores["ignore"] >= max(scores.values()):
        return {"ignore": scores["ignore"]}  # a captcha or a password: not kept at all
    scores.pop("ignore", None)
    scores.pop("other", None)
    return scores


def detect(fields: list[FormField]) -> Detected:
    """Pick who the person is from a submitted form's fields; everything else becomes an answer."""
    fields = [f for f in fields[:MAX_FIELDS] if not NOISE.match(f.name or "")]
    candidates = []
    for index, f in enumerate(fields):
        if not f.value:
            continue
        for role, score in role_scores(f).items():
            if score >= MIN_SCORE.get(role, 50):
                candidates.append((-score, index, role))
    taken: dict[int, str] = {}
    counts: dict[str, int] = {}
    for _score, index, role in sorted(candidates):
        if index in taken or counts.get(role, 0) >= MAX_PER_ROLE.get(role, 1):
            continue
        taken[index] = role
        counts[role] = counts.get(role, 0) + 1

    out = Detected()
    parts = []
    for index, f in enumerate(fields):
        role = taken.get(index)
        if role == "phone":
            out.phones.append(f.value)
        elif role == "email":
            out.emails.append(f.value)
        elif role == "name":
            out.name = f.value
            parts.append((index, f.value, "name"))
        elif role == "name_part":
            parts.append((index, f.value, "part"))
        elif role == "note":
            out.note = f.value
        elif role == "consent":
            out.consent = f.label or f.value
        elif role == "project":
            out.project = f.value
        elif role != "ignore" and f.value and f.type != "password" and f.title:
            out.answers.setdefault(f.title[:120], f.value)
    if any(kind == "part" for _i, _v, kind in parts):
        # "Họ" + "Tên", "First name" + "Last name": joined in the order the page shows them.
        out.name = " ".join(value for _i, value, _k in sorted(parts))
    return out


def capture_point_for(kind: str, requested: str, affiliate: str) -> str:
    """The chat widget is a chatbox; otherwise what the page asked for; else affiliate when a code came; else form."""
    if kind == "chat":
        return CapturePoint.CHATBOX
    point = key(requested)
    point = POINT_ALIASES.get(point, point)
    if point in PAGE_POINTS:
        return point
    return CapturePoint.AFFILIATE if affiliate else CapturePoint.FORM


def _text(value, limit: int = 300) -> str:
    return "" if value is None or isinstance(value, (dict, list)) else str(value).strip()[:limit]


def affiliate_code(values: dict) -> str:
    for name in AFFILIATE_KEYS:
        code = _text(values.get(name), 64)
        if code:
            return code
    return ""


def tracking(values: dict, page: dict | None = None) -> dict:
    """UTM parameters, click ids, the affiliate code and where the visit came from, as kept on Lead.utm."""
    out = {name: _text(values.get(name)) for name in (*UTM_KEYS, *CLICK_KEYS) if _text(values.get(name))}
    code = affiliate_code(values)
    if code:
        out["aff"] = code
    page = page if isinstance(page, dict) else {}
    for name, stored in (("url", "page_url"), ("referrer", "referrer"), ("landing", "landing_url"),
                         ("first_referrer", "first_referrer")):
        text = _text(page.get(name), 1000)
        if text:
            out[stored] = text
    return out


def is_capture(item, payload: dict) -> bool:
    return (item.meta or {}).get("via") == HOSTED or payload.get("_leadpool") == ENVELOPE


def lead_values(item, payload: dict) -> dict:
    """The snippet's envelope or the hosted form's post → what lead_input takes (flat fields, capture point, form)."""
    if (item.meta or {}).get("via") == HOSTED:
        fields = [FormField(name=n, type=t, label=label, value=_text(payload.get(n), MAX_VALUE))
                  for n, t, label in (("name", "text", ""), ("phone", "tel", ""), ("email", "email", ""),
                                      ("note", "textarea", ""), ("consent", "checkbox", item.meta.get("consent", "")))]
        track = tracking(payload, {"url": item.meta.get("page_url", ""), "referrer": item.meta.get("referrer", "")})
        kind, requested, form = "hosted", "", {"id": "hosted_form"}
    else:
        raw = payload.get("fields")
        fields = [f for f in (FormField.of(r) for r in (raw if isinstance(raw, list) else [])) if f is not None]
        track = tracking(payload.get("tracking") if isinstance(payload.get("tracking"), dict) else {}, payload.get("page"))
        kind, requested = _text(payload.get("kind"), 16), _text(payload.get("capture_point"), 32)
        form = payload.get("form") if isinstance(payload.get("form"), dict) else {}
    found = detect(fields)
    flat = {
        "name": found.name, "phones": found.phones, "emails": found.emails, "project": found.project,
        "campaign": track.get("utm_campaign", ""), "note": found.note, "consent": found.consent,
        "external_id": "", "utm": track, "answers": found.answers,
    }
    return {
        "flat": flat,
        "capture_point": capture_point_for(kind, requested, track.get("aff", "")),
        "form_id": _text(form.get("id") or form.get("name"), 64),
        # The form token means nothing once the post is in; everything the person sent is kept.
        "raw_payload": {k: v for k, v in payload.items() if k != "csrfmiddlewaretoken"},
    }
