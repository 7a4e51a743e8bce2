"""Pure normalization of phones, emails and names so every lead lands on exactly one customer."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType, ValidationResult

# The September 2018 conversion of 11-digit mobile numbers to 10 digits, as national significant
# numbers (no trunk 0): phonenumbers only knows the new ranges, so old numbers that are still in
# address books, spreadsheets and old CRM exports must be rewritten before validation.
OLD_MOBILE_PREFIXES: dict[str, str] = {
    # Viettel
    "162": "32",
    "163": "33",
    "164": "34",
    "165": "35",
    "166": "36",
    "167": "37",
    "168": "38",
    "169": "39",
    # MobiFone
    "120": "70",
    "121": "79",
    "122": "77",
    "126": "76",
    "128": "78",
    # VinaPhone
    "123": "83",
    "124": "84",
    "125": "85",
    "127": "81",
    "129": "82",
    # Vietnamobile
    "186": "56",
    "188": "58",
    # Gmobile
    "199": "59",
}

ERR_EMPTY = "Chưa có số điện thoại"
ERR_LETTERS = "Số điện thoại có chữ cái"
ERR_CHARS = "Số điện thoại có ký tự không hợp lệ"
ERR_SCIENTIFIC = "Số điện thoại bị Excel đổi sang dạng số mũ (E+), đã mất chữ số"
ERR_DECIMAL = "Số điện thoại không được là số thập phân"
ERR_TOO_SHORT = "Số điện thoại quá ngắn"
ERR_TOO_LONG = "Số điện thoại quá dài"
ERR_COUNTRY = "Mã quốc gia không hợp lệ"
ERR_OLD_LANDLINE = "Số máy bàn mã vùng cũ (trước 2017), cần đổi sang mã vùng mới"
ERR_SERVICE = "Số tổng đài/dịch vụ, không phải số cá nhân"
ERR_INVALID = "Số điện thoại không hợp lệ"

KIND_MOBILE = "mobile"
KIND_LANDLINE = "landline"
KIND_FOREIGN = "foreign"

VN_COUNTRY_CODE = 84

# Longer input is never one phone number; the cap also keeps phonenumbers away from huge strings.
_MAX_RAW_CHARS = 64
# E.164 allows 15 digits; a little slack lets "0084" and a stray trunk 0 through to be judged.
_MAX_DIGITS = 18
# Fewer digits than this in a search box is too broad to be worth a phone lookup.
_MIN_QUERY_DIGITS = 4

# Facebook lead exports write "p:+84…" so spreadsheets keep the +; tel: comes from web links.
_SCHEME_RE = re.compile(r"^(?:tel|p)\s*:\s*", re.IGNORECASE)
_SEPARATORS_RE = re.compile(r"[\s.\-\u2010-\u2015\u2212()\[\]/\\_]+")
_SPREADSHEET_FLOAT_RE = re.compile(r"^([1-9]\d*)\.00?$")
_SCIENTIFIC_RE = re.compile(r"^\d+(?:[.,]\d+)?[eE][+-]?\d+$")
_PHONE_BODY_RE = re.compile(r"^\+?\d+$")

_VN_KINDS = {
    PhoneNumberType.MOBILE: KIND_MOBILE,
    PhoneNumberType.FIXED_LINE: KIND_LANDLINE,
    # Never produced by the Vietnamese metadata; landline is the safe guess (no SMS/Zalo promised).
    PhoneNumberType.FIXED_LINE_OR_MOBILE: KIND_LANDLINE,
}


@dataclass(frozen=True)
class PhoneResult:
    e164: str | None
    kind: str
    error: str | None

    @property
    def ok(self) -> bool:
        return self.e164 is not None


def _fail(reason: str) -> PhoneResult:
    return PhoneResult(e164=None, kind="", error=reason)


def _strip_invisible(text: str) -> str:
    # Copy-paste from Zalo/Facebook brings zero-width characters and BOMs that defeat matching.
    out = []
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cf":
            continue
        out.append(" " if category == "Cc" else ch)
    return "".join(out)


def _raw_to_text(raw: str | int | float | None) -> str | PhoneResult:
    if raw is None:
        return _fail(ERR_EMPTY)
    if isinstance(raw, bool):
        return _fail(ERR_INVALID)
    if isinstance(raw, int):
        if raw < 0:
            return _fail(ERR_INVALID)
        # str() refuses ints of thousands of digits; anything this big is not a phone anyway.
        if raw >= 10**_MAX_DIGITS:
            return _fail(ERR_TOO_LONG)
        return str(raw)
    if isinstance(raw, float):
        if not math.isfinite(raw) or raw < 0:
            return _fail(ERR_INVALID)
        if not raw.is_integer():
            return _fail(ERR_DECIMAL)
        return str(int(raw))
    return str(raw)


def _split_phone_text(text: str) -> tuple[bool, str] | PhoneResult:
    """Return (written with +, digits) or the reason the text is not a phone number."""
    text = unicodedata.normalize("NFKC", _strip_invisible(text)).strip()
    if not text:
        return _fail(ERR_EMPTY)
    if len(text) > _MAX_RAW_CHARS:
        return _fail(ERR_TOO_LONG)
    text = _SCHEME_RE.sub("", text)
    # CSV readers turn a numeric cell into "912345678.0"; the digits are intact.
    if match := _SPREADSHEET_FLOAT_RE.match(text):
        text = match.group(1)
    if _SCIENTIFIC_RE.match(text):
        return _fail(ERR_SCIENTIFIC)
    if any(ch.isalpha() for ch in text):
        return _fail(ERR_LETTERS)
    body = _SEPARATORS_RE.sub("", text)
    if not body or body == "+":
        return _fail(ERR_EMPTY)
    if not _PHONE_BODY_RE.match(body):
        return _fail(ERR_CHARS)
    has_plus = body.startswith("+")
    digits = body.lstrip("+")
    if len(digits) > _MAX_DIGITS:
        return _fail(ERR_TOO_LONG)
    return has_plus, digits


def _convert_old_mobile(nsn: str) -> str:
    if len(nsn) == 10 and (new := OLD_MOBILE_PREFIXES.get(nsn[:3])):
        return new + nsn[3:]
    return nsn


def _diagnose_vn(nsn: str, number: phonenumbers.PhoneNumber | None) -> str:
    lead = nsn[:1]
    if lead in ("4", "6") and 8 <= len(nsn) <= 10:
        # No current range starts with 4 or 6: this is Hanoi's 04 or a southern 06x area code.
        return ERR_OLD_LANDLINE
    if lead in ("3", "5", "7", "8", "9"):
        if len(nsn) < 9:
            return ERR_TOO_SHORT
        if len(nsn) > 9:
            return ERR_TOO_LONG
    if lead == "2":
        if len(nsn) < 10:
            return ERR_TOO_SHORT
        if len(nsn) > 10:
            return ERR_TOO_LONG
    if number is not None:
        return _reason_from_length(number)
    return ERR_INVALID


def _reason_from_length(number: phonenumbers.PhoneNumber) -> str:
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason in (ValidationResult.TOO_SHORT, ValidationResult.IS_POSSIBLE_LOCAL_ONLY):
        return ERR_TOO_SHORT
    if reason == ValidationResult.TOO_LONG:
        return ERR_TOO_LONG
    if reason == ValidationResult.INVALID_COUNTRY_CODE:
        return ERR_COUNTRY
    return ERR_INVALID


def _reason_from_parse_error(exc: NumberParseException) -> str:
    if exc.error_type == NumberParseException.INVALID_COUNTRY_CODE:
        return ERR_COUNTRY
    if exc.error_type in (NumberParseException.TOO_SHORT_NSN, NumberParseException.TOO_SHORT_AFTER_IDD):
        return ERR_TOO_SHORT
    if exc.error_type == NumberParseException.TOO_LONG:
        return ERR_TOO_LONG
    return ERR_INVALID


def _mobile_blocks() -> frozenset[str]:
    """Three-digit prefixes of 9-digit national numbers that phonenumbers holds to be whole mobile blocks.

    Vietnam's mobile patterns decide on at most three leading digits, so a block whose first, middle
    and last numbers are all valid mobiles is valid throughout. Imports normalise millions of numbers;
    this skips phonenumbers' regex work for the common case (about 10x faster).
    """
    blocks = set()
    for prefix in range(100, 1000):
        head = str(prefix)
        samples = (head + "000000", head + "555555", head + "999999")
        if all(
            phonenumbers.number_type(n) == PhoneNumberType.MOBILE and phonenumbers.is_valid_number(n)
            for n in (phonenumbers.parse("+84" + x, None) for x in samples)
        ):
            blocks.add(head)
    return frozenset(blocks)


_MOBILE_BLOCKS = _mobile_blocks()


def _vn_result(nsn: str) -> PhoneResult:
    nsn = _convert_old_mobile(nsn)
    if len(nsn) == 9 and nsn[:3] in _MOBILE_BLOCKS and nsn.isdigit():
        return PhoneResult(e164="+84" + nsn, kind=KIND_MOBILE, error=None)
    return _vn_result_slow(nsn)


def _vn_result_slow(nsn: str) -> PhoneResult:
    if not nsn or nsn.startswith("0"):
        return _fail(ERR_TOO_SHORT if not nsn else ERR_INVALID)
    try:
        number = phonenumbers.parse("+84" + nsn, None)
    except NumberParseException as exc:
        reason = _diagnose_vn(nsn, None)
        return _fail(reason if reason != ERR_INVALID else _reason_from_parse_error(exc))
    if not phonenumbers.is_valid_number(number):
        return _fail(_diagnose_vn(nsn, number))
    kind = _VN_KINDS.get(phonenumbers.number_type(number))
    if kind is None:
        return _fail(ERR_SERVICE)
    return PhoneResult(
        e164=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), kind=kind, error=None
    )


def _foreign_result(number: phonenumbers.PhoneNumber) -> PhoneResult:
    if number.country_code == VN_COUNTRY_CODE:
        return _vn_result(str(number.national_number))
    if not phonenumbers.is_valid_number(number):
        return _fail(_reason_from_length(number))
    return PhoneResult(
        e164=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
        kind=KIND_FOREIGN,
        error=None,
    )


def _international_digits(has_plus: bool, digits: str, default_region: str) -> str | None:
    """The digits after the country code's +, or None when the number is written nationally."""
    if has_plus:
        return digits
    if digits.startswith("00"):
        return digits[2:]
    # A Vietnamese national number without its 0 has at most 10 digits, so 11+ starting 84 is the
    # country code written without + (common in Zalo and spreadsheet exports).
    if default_region == "VN" and digits.startswith("84") and len(digits) >= 11:
        return digits
    return None


def normalize_phone(raw: str | int | float | None, default_region: str = "VN") -> PhoneResult:
    """Validate one phone number as typed, imported or received, and give its E.164 form."""
    text = _raw_to_text(raw)
    if isinstance(text, PhoneResult):
        return text
    split = _split_phone_text(text)
    if isinstance(split, PhoneResult):
        return split
    has_plus, digits = split
    region = (default_region or "").upper()

    intl = _international_digits(has_plus, digits, region)
    if intl is not None:
        if not intl:
            return _fail(ERR_TOO_SHORT)
        if intl.startswith("84"):
            nsn = intl[2:]
            # "+84 0912…" keeps the trunk 0 people are used to dialling; it is never part of the number.
            return _vn_result(nsn[1:] if nsn.startswith("0") else nsn)
        try:
            number = phonenumbers.parse("+" + intl, None)
        except NumberParseException as exc:
            return _fail(_reason_from_parse_error(exc))
        return _foreign_result(number)

    if region == "VN":
        # Without the trunk 0 (lost by spreadsheets) the digits already are the national number.
        return _vn_result(digits[1:] if digits.startswith("0") else digits)
    try:
        number = phonenumbers.parse(digits, region or None)
    except NumberParseException as exc:
        return _fail(_reason_from_parse_error(exc))
    return _foreign_result(number)


def phone_query_variants(query: str) -> list[str]:
    """E.164 strings to look up for a search-box query that looks like a phone number, else [].

    A complete number gives its one E.164 form, so exact lookups work. A partial number gives
    fragments of the E.164 forms it can belong to: starting with "+" when the query shows where
    the number starts (0…, +…, 00…, 84…), bare digits when it could be any part of it; every
    fragment is a substring of the numbers it should find, so `contains` lookups work too.
    """
    if not query:
        return []
    split = _split_phone_text(str(query))
    if isinstance(split, PhoneResult):
        return []
    has_plus, digits = split
    if len(digits) < _MIN_QUERY_DIGITS:
        return []
    full = normalize_phone(query)
    if full.ok:
        return [full.e164]

    variants: list[str] = []
    intl = _international_digits(has_plus, digits, "VN")
    if intl is None and digits.startswith("84"):
        intl = digits
    if intl is not None:
        if intl.startswith("84"):
            nsn = intl[2:]
            nsn = nsn[1:] if nsn.startswith("0") else nsn
            variants.append("+84" + _convert_old_partial(nsn))
        else:
            variants.append("+" + intl)
        if not has_plus and not digits.startswith("00"):
            variants.append(digits)
    elif digits.startswith("0"):
        variants.append("+84" + _convert_old_partial(digits[1:]))
    else:
        variants.append(digits)
    return list(dict.fromkeys(variants))


def _convert_old_partial(nsn: str) -> str:
    # A prefix of an old 11-digit mobile can only be stored under its converted prefix.
    if len(nsn) >= 3 and (new := OLD_MOBILE_PREFIXES.get(nsn[:3])):
        return new + nsn[3:]
    return nsn


_EMAIL_FORBIDDEN = set(',;:<>()[]\\"')


def normalize_email(raw: str | None) -> str | None:
    """Trimmed, lower-cased email address, or None when empty or not plausibly an address."""
    if raw is None:
        return None
    text = unicodedata.normalize("NFKC", _strip_invisible(str(raw))).strip()
    if text[:7].lower() == "mailto:":
        text = text[7:].strip()
    if len(text) >= 2 and text[0] == "<" and text[-1] == ">":
        text = text[1:-1].strip()
    text = text.lower()
    if not text or len(text) > 254 or text.count("@") != 1:
        return None
    if any(ch.isspace() or ch in _EMAIL_FORBIDDEN for ch in text):
        return None
    local, domain = text.split("@")
    labels = domain.split(".")
    if not local or len(labels) < 2 or any(not label for label in labels):
        return None
    tld = labels[-1]
    if len(tld) < 2 or tld.isdigit():
        return None
    return text


def _capitalize_word(word: str) -> str:
    # Hyphenated names ("Lê-Nguyễn") capitalize each part; str.title() would also capitalize
    # after apostrophes and digits.
    return "-".join(part.capitalize() for part in word.split("-"))


def clean_name(raw: str | None) -> str:
    """A person's name for display: NFC, single spaces, each word capitalized."""
    if raw is None:
        return ""
    text = unicodedata.normalize("NFC", _strip_invisible(str(raw)))
    # Casing can decompose characters (İ -> i + dot), so compose again for a stable result.
    return unicodedata.normalize("NFC", " ".join(_capitalize_word(word) for word in text.split()))


# Đ does not decompose in Unicode; Ð (Icelandic eth) is a common stand-in from legacy encodings.
_D_FOLD = str.maketrans({"đ": "d", "ð": "d", "ɖ": "d"})


def name_key(raw: str | None) -> str:
    """Accent-folded, case-folded name for matching: "Nguyễn Văn Đức" -> "nguyen van duc"."""
    if raw is None:
        return ""
    text = unicodedata.normalize("NFKD", _strip_invisible(str(raw))).casefold()
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Mn", "Me"))
    return " ".join(text.translate(_D_FOLD).split())
