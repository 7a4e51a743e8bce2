import math
import unicodedata

import phonenumbers
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from leadpool.customers.normalize import (
    OLD_MOBILE_PREFIXES,
    PhoneResult,
    clean_name,
    name_key,
    normalize_email,
    normalize_phone,
    phone_query_variants,
)

MOBILE = "+84912345678"

VALID_PHONES = [
    # Formatting variants of one mobile number.
    ("0912345678", MOBILE, "mobile"),
    ("0912 345 678", MOBILE, "mobile"),
    ("0912.345.678", MOBILE, "mobile"),
    ("0912-345-678", MOBILE, "mobile"),
    ("(0912) 345 678", MOBILE, "mobile"),
    ("0912/345/678", MOBILE, "mobile"),
    ("091 234 5678", MOBILE, "mobile"),
    ("+84912345678", MOBILE, "mobile"),
    ("+84 912 345 678", MOBILE, "mobile"),
    ("(+84) 912 345 678", MOBILE, "mobile"),
    ("+84-912-345-678", MOBILE, "mobile"),
    ("+84.912.345.678", MOBILE, "mobile"),
    ("84912345678", MOBILE, "mobile"),
    ("84 912 345 678", MOBILE, "mobile"),
    ("0084912345678", MOBILE, "mobile"),
    ("0084 912 345 678", MOBILE, "mobile"),
    ("+84 0912 345 678", MOBILE, "mobile"),
    ("840912345678", MOBILE, "mobile"),
    ("  0912345678 \n", MOBILE, "mobile"),
    ("0912\u00a0345\u00a0678", MOBILE, "mobile"),
    ("0912\u2013345\u2013678", MOBILE, "mobile"),
    ("\ufeff0912\u200b345678", MOBILE, "mobile"),
    ("０９１２ ３４５ ６７８", MOBILE, "mobile"),
    ("p:+84912345678", MOBILE, "mobile"),
    ("tel:+84-912-345-678", MOBILE, "mobile"),
    # Spreadsheet cells: numbers that lost their leading 0.
    ("912345678", MOBILE, "mobile"),
    (912345678, MOBILE, "mobile"),
    (912345678.0, MOBILE, "mobile"),
    ("912345678.0", MOBILE, "mobile"),
    ("912345678.00", MOBILE, "mobile"),
    ("0983.000.000", "+84983000000", "mobile"),
    ("03.2000.0000", "+84320000000", "mobile"),
    (84912345678, MOBILE, "mobile"),
    (84912345678.0, MOBILE, "mobile"),
    (328765432, "+84328765432", "mobile"),
    (563456789.0, "+84563456789", "mobile"),
    (701234567, "+84701234567", "mobile"),
    (861234567.0, "+84861234567", "mobile"),
    # Current mobile ranges of each network.
    ("0321 234 567", "+84321234567", "mobile"),
    ("0389 999 888", "+84389999888", "mobile"),
    ("0868 123 456", "+84868123456", "mobile"),
    ("0961234567", "+84961234567", "mobile"),
    ("0701234567", "+84701234567", "mobile"),
    ("0898 765 432", "+84898765432", "mobile"),
    ("0931 234 567", "+84931234567", "mobile"),
    ("0811 234 567", "+84811234567", "mobile"),
    ("0888 123 456", "+84888123456", "mobile"),
    ("0561 234 567", "+84561234567", "mobile"),
    ("0591 234 567", "+84591234567", "mobile"),
    # The 2018 conversion, every old prefix, in assorted formats.
    ("0162 123 4567", "+84321234567", "mobile"),
    ("01631234567", "+84331234567", "mobile"),
    ("+84 164 123 4567", "+84341234567", "mobile"),
    ("84165.123.4567", "+84351234567", "mobile"),
    ("0166-123-4567", "+84361234567", "mobile"),
    ("(0167) 123 4567", "+84371234567", "mobile"),
    ("+84168 123 4567", "+84381234567", "mobile"),
    ("00841691234567", "+84391234567", "mobile"),
    ("0120 123 4567", "+84701234567", "mobile"),
    ("0121.123.4567", "+84791234567", "mobile"),
    ("+84 0122 123 4567", "+84771234567", "mobile"),
    ("0126 123 4567", "+84761234567", "mobile"),
    ("841281234567", "+84781234567", "mobile"),
    ("0123 456 7890", "+84834567890", "mobile"),
    ("0124/123/4567", "+84841234567", "mobile"),
    ("+841251234567", "+84851234567", "mobile"),
    ("0127 123 4567", "+84811234567", "mobile"),
    ("0129 123 4567", "+84821234567", "mobile"),
    ("0186 123 4567", "+84561234567", "mobile"),
    ("84 188 123 4567", "+84581234567", "mobile"),
    ("0199 123 4567", "+84591234567", "mobile"),
    (1681234567, "+84381234567", "mobile"),
    (1231234567.0, "+84831234567", "mobile"),
    # Landlines with the post-2017 area codes.
    ("024 3825 1234", "+842438251234", "landline"),
    ("(024) 3825-1234", "+842438251234", "landline"),
    ("+84 24 3825 1234", "+842438251234", "landline"),
    ("028 3822 1234", "+842838221234", "landline"),
    ("028.3822.1234", "+842838221234", "landline"),
    ("0236 3821 234", "+842363821234", "landline"),
    ("0225 3842 123", "+842253842123", "landline"),
    (2438251234, "+842438251234", "landline"),
    # Foreign numbers, written with + (or 00) and a country code.
    ("+1 650 253 0000", "+16502530000", "foreign"),
    ("+1 (650) 253-0000", "+16502530000", "foreign"),
    ("0016502530000", "+16502530000", "foreign"),
    ("+65 6123 4567", "+6561234567", "foreign"),
    ("+44 20 7183 8750", "+442071838750", "foreign"),
    ("+86 138 0013 8000", "+8613800138000", "foreign"),
    ("+81 3-1234-5678", "+81312345678", "foreign"),
    ("+61 2 9374 4000", "+61293744000", "foreign"),
]

INVALID_PHONES = [
    (None, "Chưa có số điện thoại"),
    ("", "Chưa có số điện thoại"),
    ("   ", "Chưa có số điện thoại"),
    ("-", "Chưa có số điện thoại"),
    ("+", "Chưa có số điện thoại"),
    ("abc", "Số điện thoại có chữ cái"),
    ("0912abc678", "Số điện thoại có chữ cái"),
    ("0912 345 678 ext 12", "Số điện thoại có chữ cái"),
    ("0912345678 (Zalo)", "Số điện thoại có chữ cái"),
    ("không có", "Số điện thoại có chữ cái"),
    ("0912 345 678#", "Số điện thoại có ký tự không hợp lệ"),
    ("0912+345678", "Số điện thoại có ký tự không hợp lệ"),
    ("0912345678; 0987654321", "Số điện thoại có ký tự không hợp lệ"),
    ("12", "Số điện thoại quá ngắn"),
    ("0912345", "Số điện thoại quá ngắn"),
    ("0912 345 67", "Số điện thoại quá ngắn"),
    ("+84 912 345", "Số điện thoại quá ngắn"),
    ("024 3825 123", "Số điện thoại quá ngắn"),
    ("+1 555 0100", "Số điện thoại quá ngắn"),
    (91234567, "Số điện thoại quá ngắn"),
    ("09123456789", "Số điện thoại quá dài"),
    ("091234567890", "Số điện thoại quá dài"),
    ("0912345678 / 0987654321", "Số điện thoại quá dài"),
    ("024 3825 12345", "Số điện thoại quá dài"),
    ("1" * 40, "Số điện thoại quá dài"),
    ("04 3825 1234", "Số máy bàn mã vùng cũ (trước 2017), cần đổi sang mã vùng mới"),
    ("(04) 38251234", "Số máy bàn mã vùng cũ (trước 2017), cần đổi sang mã vùng mới"),
    ("061 3821 234", "Số máy bàn mã vùng cũ (trước 2017), cần đổi sang mã vùng mới"),
    ("+999 1234 5678", "Mã quốc gia không hợp lệ"),
    ("1900 1234", "Số tổng đài/dịch vụ, không phải số cá nhân"),
    ("1800 1234", "Số tổng đài/dịch vụ, không phải số cá nhân"),
    ("0521 234 567", "Số điện thoại không hợp lệ"),
    ("0190 123 4567", "Số điện thoại không hợp lệ"),
    ("0111 111 111", "Số điện thoại không hợp lệ"),
    ("0000000000", "Mã quốc gia không hợp lệ"),
    ("8.4912345678E+10", "Số điện thoại bị Excel đổi sang dạng số mũ (E+), đã mất chữ số"),
    ("9.12346E+08", "Số điện thoại bị Excel đổi sang dạng số mũ (E+), đã mất chữ số"),
    (912345678.5, "Số điện thoại không được là số thập phân"),
    (math.nan, "Số điện thoại không hợp lệ"),
    (math.inf, "Số điện thoại không hợp lệ"),
    (-912345678, "Số điện thoại không hợp lệ"),
    (1e300, "Số điện thoại quá dài"),
    (True, "Số điện thoại không hợp lệ"),
]


@pytest.mark.parametrize(("raw", "e164", "kind"), VALID_PHONES, ids=repr)
def test_valid_phone(raw, e164, kind):
    assert normalize_phone(raw) == PhoneResult(e164=e164, kind=kind, error=None)
    assert normalize_phone(raw).ok


@pytest.mark.parametrize(("raw", "error"), INVALID_PHONES, ids=repr)
def test_invalid_phone(raw, error):
    result = normalize_phone(raw)
    assert result == PhoneResult(e164=None, kind="", error=error)
    assert not result.ok


def test_huge_spreadsheet_integer_is_too_long():
    # Beyond ~4300 digits str(int) raises instead of answering.
    assert normalize_phone(10**5000).error == "Số điện thoại quá dài"


def _digits(raw):
    return "".join(ch for ch in str(raw).removesuffix(".0") if ch.isdigit())


def test_vector_count_and_every_2018_prefix_covered():
    assert len(VALID_PHONES) + len(INVALID_PHONES) >= 60
    assert len(OLD_MOBILE_PREFIXES) == 21
    for old, new in OLD_MOBILE_PREFIXES.items():
        assert any(
            _digits(raw)[-10:].startswith(old) and e164 == "+84" + new + _digits(raw)[-7:]
            for raw, e164, _ in VALID_PHONES
        ), f"no vector for 0{old} -> 0{new}"


@pytest.mark.parametrize(("old", "new"), sorted(OLD_MOBILE_PREFIXES.items()))
def test_each_2018_conversion_in_every_prefix_style(old, new):
    expected = f"+84{new}1234567"
    for raw in (
        f"0{old}1234567",
        f"+84{old}1234567",
        f"84{old}1234567",
        f"0084 {old} 123 4567",
        int(old + "1234567"),
    ):
        assert normalize_phone(raw).e164 == expected, raw


def test_foreign_default_region():
    assert normalize_phone("650 253 0000", default_region="US") == PhoneResult(
        "+16502530000", "foreign", None
    )
    assert normalize_phone("0912345678", default_region="US").error is not None
    assert normalize_phone("+84 912 345 678", default_region="US").e164 == MOBILE


# --- phone property tests -------------------------------------------------------------------------

_NEW_TO_OLD = {new: old for old, new in OLD_MOBILE_PREFIXES.items()}
_SEPARATORS = st.sampled_from(["", " ", ".", "-", "/", " - ", ". ", "\u00a0"])
_PREFIX_STYLES = st.sampled_from(
    ["0", "84", "+84", "+84 ", "0084", "00 84 ", "+840", "(+84) ", "(+84)0", "p:+84", "tel:+84"]
)


@st.composite
def vn_mobile(draw):
    nsn = draw(st.sampled_from("35789")) + draw(st.text("0123456789", min_size=8, max_size=8))
    assume(phonenumbers.is_valid_number(phonenumbers.parse("+84" + nsn)))
    return nsn


@st.composite
def written_mobile(draw):
    nsn = draw(vn_mobile())
    national = nsn
    if nsn[:2] in _NEW_TO_OLD and draw(st.booleans()):
        national = _NEW_TO_OLD[nsn[:2]] + nsn[2:]
    # A lone trailing ".0" group would read as a spreadsheet float, which nobody writes by hand.
    cuts = sorted(draw(st.sets(st.integers(1, len(national) - 3), max_size=4)))
    chunks = [national[a:b] for a, b in zip([0, *cuts], [*cuts, len(national)], strict=True)]
    body = chunks[0]
    for chunk in chunks[1:]:
        body += draw(_SEPARATORS) + chunk
    pad = st.sampled_from(["", " ", "\t", "\n"])
    return nsn, draw(pad) + draw(_PREFIX_STYLES) + body + draw(pad)


@given(written_mobile())
def test_any_writing_of_a_mobile_gives_one_e164(case):
    nsn, written = case
    assert normalize_phone(written) == PhoneResult("+84" + nsn, "mobile", None)


@given(vn_mobile(), st.sampled_from([int, float, str]))
def test_spreadsheet_cells_keep_the_number(nsn, cell_type):
    assert normalize_phone(cell_type(int(nsn))).e164 == "+84" + nsn


_PHONEISH = st.one_of(
    st.text(alphabet="0123456789 +-.()/", max_size=22),
    st.integers(min_value=-(10**12), max_value=10**16),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    written_mobile().map(lambda case: case[1]),
)


@given(_PHONEISH)
def test_normalize_phone_is_idempotent_and_consistent(raw):
    result = normalize_phone(raw)
    if result.ok:
        assert result.error is None
        assert result.kind in ("mobile", "landline", "foreign")
        assert result.e164.startswith("+") and result.e164[1:].isdigit()
        assert normalize_phone(result.e164) == result
        assert phone_query_variants(result.e164) == [result.e164]
    else:
        assert result.e164 is None and result.kind == ""
        assert result.error


@given(vn_mobile(), st.integers(4, 10))
def test_partial_phone_query_finds_the_number(nsn, length):
    typed = ("0" + nsn)[:length]
    variants = phone_query_variants(typed)
    assert variants
    assert any(variant in "+84" + nsn for variant in variants)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("0912 345 678", [MOBILE]),
        ("+84 912 345 678", [MOBILE]),
        ("0162 123 4567", ["+84321234567"]),
        ("0912 345", ["+84912345"]),
        ("0912.34", ["+8491234"]),
        ("0168 123", ["+8438123"]),
        ("+84 09123", ["+849123"]),
        ("0084 912", ["+84912"]),
        ("+1 650", ["+1650"]),
        ("84912", ["+84912", "84912"]),
        ("345 678", ["345678"]),
        ("Nguyễn Văn An", []),
        ("an 0912", []),
        ("091", []),
        ("", []),
        ("   ", []),
        ("a@b.com", []),
    ],
)
def test_phone_query_variants(query, expected):
    assert phone_query_variants(query) == expected


# --- emails ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("an.nguyen@gmail.com", "an.nguyen@gmail.com"),
        ("  An.Nguyen@Gmail.COM  ", "an.nguyen@gmail.com"),
        ("AN+redland@Example.com.vn", "an+redland@example.com.vn"),
        ("mailto:an@example.vn", "an@example.vn"),
        ("<an@example.vn>", "an@example.vn"),
        ("an\u200b@example.vn", "an@example.vn"),
        ("an＠example．vn", "an@example.vn"),
        ("x@sub.domain.co", "x@sub.domain.co"),
        (None, None),
        ("", None),
        ("   ", None),
        ("an", None),
        ("an@", None),
        ("@example.com", None),
        ("an@localhost", None),
        ("an@@example.com", None),
        ("an@b@example.com", None),
        ("an nguyen@example.com", None),
        ("an@exa mple.com", None),
        ("an@example.", None),
        ("an@.example.com", None),
        ("an@example..com", None),
        ("an@example.c", None),
        ("an@1.2.3.4", None),
        ("an@example.com, binh@example.com", None),
        ("an@example.com;", None),
    ],
)
def test_normalize_email(raw, expected):
    assert normalize_email(raw) == expected


# --- names ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("nguyễn  văn AN", "Nguyễn Văn An"),
        ("  TRẦN THỊ   HỒNG  ", "Trần Thị Hồng"),
        ("đặng thị ánh", "Đặng Thị Ánh"),
        ("ĐỖ\tVĂN\nĐỨC", "Đỗ Văn Đức"),
        ("nguye\u0302\u0303n van a", "Nguyễn Van A"),
        ("lê-nguyễn bảo ngọc", "Lê-Nguyễn Bảo Ngọc"),
        ("phạm\u00a0minh\u200b  tuấn", "Phạm Minh Tuấn"),
        ("anh o'neil", "Anh O'neil"),
        ("", ""),
        ("   ", ""),
        (None, ""),
    ],
)
def test_clean_name(raw, expected):
    assert clean_name(raw) == expected
    assert unicodedata.is_normalized("NFC", clean_name(raw))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Nguyễn Văn Đức", "nguyen van duc"),
        ("Đặng Thị Ánh", "dang thi anh"),
        ("  NGUYỄN   VĂN  AN ", "nguyen van an"),
        ("nguye\u0302\u0303n", "nguyen"),
        ("Trương Mỹ Lệ", "truong my le"),
        ("Hoà", "hoa"),
        ("Hòa", "hoa"),
        ("Phạm Thị Ngọc Hường", "pham thi ngoc huong"),
        ("Ðinh Bộ Lĩnh", "dinh bo linh"),
        ("Lê\u200b Văn\tTám", "le van tam"),
        ("ＮＧＵＹＥＮ", "nguyen"),
        ("", ""),
        (None, ""),
    ],
)
def test_name_key(raw, expected):
    assert name_key(raw) == expected


_VN_BASE = "aăâeêioôơuưy"
_VN_TONES = ["", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]
_VN_LETTERS = sorted(
    {unicodedata.normalize("NFC", base + tone) for base in _VN_BASE for tone in _VN_TONES}
    | set("bcdđghklmnpqrstvx")
)
_VN_ALPHABET = "".join(_VN_LETTERS) + "".join(_VN_LETTERS).upper() + " \t"


def test_vietnamese_alphabet_is_complete():
    assert len(_VN_LETTERS) == 12 * 6 + 17
    assert {"ữ", "ặ", "ỵ", "ờ", "đ"} <= set(_VN_LETTERS)


@given(st.text(alphabet=_VN_ALPHABET, max_size=40))
def test_name_key_is_ascii_for_vietnamese(text):
    key = name_key(text)
    assert key.isascii()
    assert key == key.lower()
    assert name_key(clean_name(text)) == key


@given(st.text(max_size=40))
def test_name_key_is_idempotent(text):
    assert name_key(name_key(text)) == name_key(text)


@given(st.one_of(st.text(max_size=40), st.text(alphabet=_VN_ALPHABET + "-'", max_size=40)))
def test_clean_name_is_idempotent(text):
    cleaned = clean_name(text)
    assert clean_name(cleaned) == cleaned
    assert cleaned == cleaned.strip()
    assert "  " not in cleaned


# The fast path for whole mobile blocks must agree with phonenumbers everywhere.
@settings(max_examples=3000, deadline=None)
@given(st.integers(min_value=100_000_000, max_value=999_999_999))
def test_fast_mobile_path_agrees_with_phonenumbers(n):
    from leadpool.customers import normalize as nz

    nsn = str(n)
    assert nz._vn_result(nsn) == nz._vn_result_slow(nsn)
