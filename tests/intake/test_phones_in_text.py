"""Phone numbers found in Vietnamese chat messages and fanpage comments."""

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from leadpool.customers.normalize import normalize_phone
from leadpool.intake.phones_in_text import find_phones

FOUND = [
    # The common ways of writing a mobile number.
    ("Anh ơi em quan tâm căn 2PN, sđt em 0912 345 678", ["0912 345 678"]),
    ("Cho em xin bảng giá, 0912.345.678", ["0912.345.678"]),
    ("Liên hệ +84 912345678 giúp em", ["+84 912345678"]),
    ("sdt 09 1234 5678 ạ", ["09 1234 5678"]),
    ("Gọi cho chị qua (+84) 912-345-678 nha", ["(+84) 912-345-678"]),
    ("em de so 0912-345-678 nhe", ["0912-345-678"]),
    ("0912345678", ["0912345678"]),
    ("Tư vấn cho mình: 0987654321", ["0987654321"]),
    ("Số em là 0 912 345 678", ["0 912 345 678"]),
    ("so dt 0912 34 56 78 a", ["0912 34 56 78"]),
    ("Hotline 0912 - 345 - 678 (anh Tuấn)", ["0912 - 345 - 678"]),
    ("Inbox em 84912345678 nhé", ["84912345678"]),
    ("Số nước ngoài về: 0084 912 345 678", ["0084 912 345 678"]),
    ("Em ở Úc, gọi +84 0912 345 678 giờ VN nhé", ["+84 0912 345 678"]),
    ("+84-912-345-678", ["+84-912-345-678"]),
    # Legacy 11-digit numbers (before 2018) still typed from memory.
    ("Số cũ của chú 01689 123 456 vẫn dùng", ["01689 123 456"]),
    ("chu goi 0168 912 3456 nhe", ["0168 912 3456"]),
    ("sđt: 01234567890", ["01234567890"]),
    # Glued to a word.
    ("sdt0912345678", ["0912345678"]),
    ("sđt:0912345678", ["0912345678"]),
    ("SĐT:0912.345.678", ["0912.345.678"]),
    ("zalo 0912345678", ["0912345678"]),
    ("Zalo0912345678 em gửi ảnh sổ", ["0912345678"]),
    ("ĐT.0912345678", ["0912345678"]),
    ("lh0912345678 gap", ["0912345678"]),
    ("em0912345678", ["0912345678"]),
    ("Tel:+84912345678", ["+84912345678"]),
    # Emoji, line breaks, punctuation around the number.
    ("Quan tâm ạ 😍😍 0912345678", ["0912345678"]),
    ("📞0912345678📞", ["0912345678"]),
    ("Giá bao nhiêu vậy shop?\n0912345678\nGọi sau 5h chiều", ["0912345678"]),
    ("(0912345678)", ["0912345678"]),
    ("Số: «0912 345 678».", ["0912 345 678"]),
    ("ib em qua số 0912345678!!!", ["0912345678"]),
    ("Chị Lan - 0912345678 - cần căn góc", ["0912345678"]),
    # Several numbers.
    ("0912345678 hoặc 0987654321", ["0912345678", "0987654321"]),
    ("0912345678/0987654321", ["0912345678", "0987654321"]),
    ("0912345678,0987654321", ["0912345678", "0987654321"]),
    ("0912345678 - 0987654321", ["0912345678", "0987654321"]),
    ("sdt 0912345678 k nghe may thi nt zalo 0987 654 321", ["0912345678", "0987 654 321"]),
    ("0912345678 (vợ) 0912345678 (chồng cũng số này)", ["0912345678"]),
    # Landlines with the 2017 area codes.
    ("Văn phòng: 028 3823 4567", ["028 3823 4567"]),
    ("Gọi máy bàn 024.3826.1234", ["024.3826.1234"]),
    # Numbers beside prices, dates and areas.
    ("Căn 75m2 giá 3,2 tỷ, em 0912345678", ["0912345678"]),
    ("Ngày 12/05/2024 em gọi 0912345678 không được", ["0912345678"]),
    ("Gọi 0912 345 678 2 lần rồi", ["0912 345 678"]),
    ("Em muốn xem nhà 850tr, 0912345678 nhé", ["0912345678"]),
    ("Giá 2.500.000.000đ đúng không, 0912.345.678", ["0912.345.678"]),
    ("dat 5x20 sdt 0912345678", ["0912345678"]),
    ("Khong dau: so dien thoai cua em la 0912345678 a", ["0912345678"]),
    ("Vietnamobile 0921 234 567", ["0921 234 567"]),
    ("Gmobile 0991234567", ["0991234567"]),
    ("Itel 0877 123 456", ["0877 123 456"]),
    ("Reddi 0559123456", ["0559123456"]),
]

NOT_FOUND = [
    "Ngày 12/05/2024 mở bán",
    "Khai trương 2024-05-12",
    "Giá 2.500.000.000đ",
    "Giá 3,2 tỷ thương lượng",
    "850tr cho căn 2PN",
    "Diện tích 120m2, mặt tiền 5x24m",
    "Lô A12-0912 còn không?",
    "CMND 012345678 của em",
    "CCCD 079123456789",
    "căn cước 001234567890",
    "Bàn giao năm 2026",
    "Mã đơn DH0912345678",
    "mã đơn hàng: 0912345678",
    "STK 0912345678 Vietcombank",
    "số tài khoản 0912345678",
    "09123456789",
    "0912.345.678.9",
    "0912345678A1",
    "12-0912345678",
    "0212345678",
    "Số 0123456789 không có thật",
    "Căn hộ giá 8.400.000.000 VNĐ",
    "84000000000đ",
    "0912 345",
    "09123",
    "1900 1234 tổng đài",
    "Quan tâm ạ 😍",
    "",
    "Giá bao nhiêu vậy shop?\nEm ở Q7",
]


@pytest.mark.parametrize(("text", "expected"), FOUND)
def test_phones_are_found_as_written(text, expected):
    assert find_phones(text) == expected


@pytest.mark.parametrize("text", NOT_FOUND)
def test_dates_prices_codes_and_invalid_numbers_are_not_phones(text):
    assert find_phones(text) == []


def test_there_are_at_least_sixty_vectors():
    assert len(FOUND) + len(NOT_FOUND) >= 60


def test_found_numbers_normalize_to_vietnamese_numbers():
    for text, _ in FOUND:
        for written in find_phones(text):
            result = normalize_phone(written)
            assert result.ok and result.e164.startswith("+84"), written


# Mobile national numbers (no trunk 0) of the current ranges, and the old 11-digit prefixes.
_MOBILE_HEADS = ["32", "38", "39", "70", "77", "79", "81", "85", "86", "88", "89", "90", "91", "93", "94", "96",
                 "97", "98", "56", "58", "59", "52", "87"]
_OLD_HEADS = ["162", "168", "169", "120", "121", "123", "127", "129", "186", "188", "199"]

_STYLES = {
    "plain": lambda n: "0" + n,
    "4-3-3 spaced": lambda n: f"0{n[:3]} {n[3:6]} {n[6:]}",
    "4-3-3 dotted": lambda n: f"0{n[:3]}.{n[3:6]}.{n[6:]}",
    "4-3-3 dashed": lambda n: f"0{n[:3]}-{n[3:6]}-{n[6:]}",
    "2-4-4": lambda n: f"0{n[:1]} {n[1:5]} {n[5:]}",
    "+84": lambda n: "+84 " + n,
    "+84 glued": lambda n: "+84" + n,
    "(+84) dashed": lambda n: f"(+84) {n[:3]}-{n[3:6]}-{n[6:]}",
    "84 glued": lambda n: "84" + n,
    "sdt glued": lambda n: "sdt0" + n,
    "sđt colon": lambda n: "sđt:0" + n,
    "zalo": lambda n: "zalo 0" + n,
}

# Words that announce a code ("mã", "lô", "CCCD") are left out: a number after them is rightly not a phone.
_FILLER_WORDS = [
    "anh", "chị", "em", "ơi", "cho", "hỏi", "giá", "căn", "này", "bao", "nhiêu", "vậy", "ạ", "nhé", "quan", "tâm",
    "dự", "án", "còn", "không", "shop", "ib", "gọi", "giúp", "mình", "với", "khong", "dau", "gia", "bao nhieu",
    "3,2 tỷ", "850tr", "2.500.000.000đ", "12/05/2024", "2024-05-12", "75m2", "5x20", "2PN", "tầng 12", "Q7",
    "😍", "👍", "🏠", "!!!", "?", ",", "...", "\n", "2026", "Đi",
]


@st.composite
def written_numbers(draw):
    old = draw(st.booleans())
    rest = draw(st.text(alphabet="0123456789", min_size=7, max_size=7))
    if old:
        national = draw(st.sampled_from(_OLD_HEADS)) + rest
        assume(normalize_phone("0" + national).ok)
        return "0" + national, normalize_phone("0" + national).e164
    national = draw(st.sampled_from(_MOBILE_HEADS)) + rest
    # Not every block under a head is allocated (0891… is not): only valid numbers are promised.
    assume(normalize_phone("0" + national).ok)
    style = draw(st.sampled_from(sorted(_STYLES)))
    return _STYLES[style](national), "+84" + national


@settings(max_examples=300, deadline=None)
@given(
    number=written_numbers(),
    before=st.lists(st.sampled_from(_FILLER_WORDS), max_size=8),
    after=st.lists(st.sampled_from(_FILLER_WORDS), max_size=8),
    gap=st.sampled_from([" ", "\n", ": ", " - ", " (", " 📞"]),
)
def test_every_valid_number_in_any_supported_style_is_found(number, before, after, gap):
    written, e164 = number
    assert e164 is not None
    text = " ".join(before) + gap + written + " " + " ".join(after)
    found = find_phones(text)
    assert written.removeprefix("sdt").removeprefix("sđt:").removeprefix("zalo ") in found
    assert e164 in {normalize_phone(x).e164 for x in found}
