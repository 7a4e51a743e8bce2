"""Vietnamese phone numbers written inside free text (a chat message, a fanpage comment).

find_phones(text) returns each number as it was written; the capture pipeline normalizes it.
Validity comes from leadpool.customers.normalize, so prefix tables live in one place.
"""

from __future__ import annotations

import re
import unicodedata

from leadpool.customers.normalize import normalize_phone

# Between digit groups people type one space, a dot or a dash (sometimes with spaces around it).
_SEP = r"(?:[ \t\u00a0]?[.\-\u2013][ \t\u00a0]?|[ \t\u00a0])"
# Where a number starts: an international prefix or the trunk 0. A bare "84" must be glued to the
# national number ("84912345678"); "84 0912…" is more likely a house number than a country code.
_START = re.compile(
    r"\(\s?\+?\s?84\s?\)" + _SEP + r"?"  # (+84) 912…, (84) 912…
    r"|(?:\+\s?84|0084)" + _SEP + r"?"  # +84 912…, 0084 912…
    r"|84(?=[1-9])"  # 84912345678
    r"|0" + _SEP + r"?(?=[0-9])"  # 0912 345 678, 0 912 345 678
)
# After the start: 9 to 11 digits with at most one separator between two digits.
_BODY = re.compile(r"[0-9](?:" + _SEP + r"?[0-9]){8,10}")
_DIGIT = re.compile(r"[0-9]")
# Another number right after a glued separator.
_NEXT_NUMBER = re.compile(r"(?:0|\+?84)(?:" + _SEP + r"?[0-9]){9}")

# Words glued in front of a number that announce a phone: "sdt0912…", "zalo:0912…", "ĐT.0912…".
_PHONE_WORDS = ("sdt", "so", "dt", "dth", "dthoai", "dienthoai", "zalo", "zl", "tel", "phone", "hotline", "lh",
                "lienhe", "goi", "call", "alo", "sms", "sodt", "nhan", "ib", "inbox", "dd", "didong", "mobile")
# A number right after these words is an account, an identity card, an order or a lot, not a phone.
_CODE_CONTEXT = re.compile(
    r"\b(?:ma|code|order|don hang|ma don|stk|so tk|tk|tai khoan|account|cmnd|cccd|can cuoc|mst|ma so thue|lo|"
    r"ma lo|so lo|id|uid|fb id|serial|imei|hop dong|hd|so hd|bien so|so seri)\s*[:#.\-]*\s*$"
)
# Units after a number without its trunk 0 ("84…") mean money or area.
_UNIT_AFTER = re.compile(r"\s?(?:đ|₫|vnd|vnđ|đồng|tỷ|tỉ|triệu|trieu|tr|m2|m²|%|\$|usd)(?!\w)", re.IGNORECASE)
_D_FOLD = str.maketrans({"đ": "d", "Đ": "d"})
# Characters that glue digits into one token (a decimal, a date, a code), and those between listed numbers.
_GLUE_CHARS = ".,/-\u2013_"
_LIST_CHARS = " \t\u00a0.,;/-\u2013|"


def _fold(text: str) -> str:
    """Lower case without accents, so "Sđt", "SĐT" and "sdt" compare equal."""
    text = unicodedata.normalize("NFKD", text.translate(_D_FOLD)).casefold()
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def _starts_cleanly(text: str, start: int, previous_end: int) -> bool:
    """False when the number is the tail of a longer number or of a code ("12-0912…", "DH0912…")."""
    if start == 0:
        return True
    if previous_end >= 0 and not text[previous_end:start].strip(_LIST_CHARS):
        return True  # the next of a list: "0912345678/0987654321"
    before = text[start - 1]
    if before.isdigit():
        return False
    if before in _GLUE_CHARS and start >= 2 and text[start - 2].isdigit():
        return False
    if _CODE_CONTEXT.search(_fold(text[max(0, start - 24) : start])):
        return False
    if not before.isalpha():
        return True
    word_start = start
    while word_start > 0 and text[word_start - 1].isalnum():
        word_start -= 1
    word = text[word_start:start]
    if any(ch.isdigit() for ch in word):
        return False  # "A12B0912…": a code of letters and digits
    if _fold(word).endswith(_PHONE_WORDS):
        return True
    # An all-capital prefix glued to digits is how order codes look ("DH0912345678").
    return not (len(word) >= 2 and word.isupper())


def _ends_cleanly(text: str, end: int) -> bool:
    """False when the digits go on in the same writing ("0912.345.678.9", "09123456789", "0912345678A1")."""
    if end >= len(text):
        return True
    after = text[end]
    if after.isdigit():
        return False
    if after in _GLUE_CHARS and end + 1 < len(text) and text[end + 1].isdigit():
        # Only another whole number may follow a glued separator: "0912345678/0987654321".
        return _NEXT_NUMBER.match(text, end + 1) is not None
    if after.isalpha():
        word_end = end
        while word_end < len(text) and text[word_end].isalnum():
            word_end += 1
        return not any(ch.isdigit() for ch in text[end:word_end])
    return True


def _valid(written: str) -> str | None:
    result = normalize_phone(written)
    if result.ok and result.e164.startswith("+84"):
        return result.e164
    return None


def find_phones(text: str) -> list[str]:
    """Vietnamese phone numbers in free text, as written, in order, each number once."""
    if not text or not _DIGIT.search(text):
        return []
    found: list[str] = []
    seen: set[str] = set()
    pos = 0
    previous_end = -1
    while (start_match := _START.search(text, pos)) is not None:
        start = start_match.start()
        pos = start + 1
        if not _starts_cleanly(text, start, previous_end):
            continue
        body_match = _BODY.match(text, start_match.end())
        if body_match is None:
            continue
        bare_84 = start_match.group(0) == "84"
        # Longest reading first; a shorter one ends where a separator does ("0912 345 678 2 lần").
        for end in range(body_match.end(), body_match.start(), -1):
            if not text[end - 1].isdigit() or not _ends_cleanly(text, end):
                continue
            if bare_84 and _UNIT_AFTER.match(text, end):
                break
            written = text[start:end]
            e164 = _valid(written)
            if e164 is None:
                continue
            if e164 not in seen:
                seen.add(e164)
                found.append(written)
            pos = previous_end = end
            break
    return found
