"""Website capture, server side and pure: which submitted field is the name, phone, e-mail; capture point; tracking."""

import pytest

from leadpool.intake.capture_points import FormField, capture_point_for, detect, tracking


def F(name="", value="", **kw):  # noqa: N802 - reads like the field it builds
    return FormField(name=name, value=value, **kw)


@pytest.mark.parametrize(
    ("fields", "name", "phones", "emails"),
    [
        # Vietnamese names of landing-page builders
        ([F("ho_ten", "Nguyễn Văn An"), F("sdt", "0912345678"), F("email", "an@example.com")],
         "Nguyễn Văn An", ["0912345678"], ["an@example.com"]),
        ([F("Họ tên", "Trần Bình"), F("Số điện thoại", "0987 654 321")], "Trần Bình", ["0987 654 321"], []),
        ([F("hoten", "Lê C"), F("so_dt", "0903.111.222")], "Lê C", ["0903.111.222"], []),
        # English names
        ([F("full_name", "Jane Doe"), F("phone", "+84 912 345 678"), F("mail", "j@x.vn")],
         "Jane Doe", ["+84 912 345 678"], ["j@x.vn"]),
        # Meaningless names: the label decides
        ([F("field_1", "Phạm Dũng", label="Họ và tên *"), F("field_2", "0911222333", label="Số điện thoại của bạn"),
          F("field_3", "d@x.vn", label="Địa chỉ email")], "Phạm Dũng", ["0911222333"], ["d@x.vn"]),
        # ... or the placeholder
        ([F("a", "Hoà", placeholder="Tên của bạn"), F("b", "0933444555", placeholder="SĐT / Zalo")],
         "Hoà", ["0933444555"], []),
        # ... or the type and autocomplete
        ([F("x1", "Vy", autocomplete="name"), F("x2", "0977888999", type="tel"), F("x3", "v@x.vn", type="email")],
         "Vy", ["0977888999"], ["v@x.vn"]),
        ([F("input_4", "0966 777 888", autocomplete="shipping tel")], "", ["0966 777 888"], []),
        # Nothing says phone, but the value is one
        ([F("your-name", "Khoa"), F("contact", "0988 111 222")], "Khoa", ["0988 111 222"], []),
        # Họ + Tên and First + Last are joined in page order
        ([F("ho", "Nguyễn Thị"), F("ten", "Mai"), F("dien_thoai", "0912000111")], "Nguyễn Thị Mai", ["0912000111"], []),
        ([F("first_name", "John"), F("last_name", "Smith"), F("tel", "0912000222")], "John Smith", ["0912000222"], []),
        # Two phones
        ([F("phone", "0912000333"), F("phone2", "0243 999 888")], "", ["0912000333", "0243 999 888"], []),
    ],
)
def test_who_the_person_is(fields, name, phones, emails):
    found = detect(fields)
    assert (found.name, found.phones, found.emails) == (name, phones, emails)


def test_what_is_not_the_person_becomes_an_answer_or_is_left_out():
    found = detect([
        F("ten_cong_ty", "Công ty ABC", label="Tên công ty"),
        F("ho_ten", "Đỗ Văn E"),
        F("du_an", "lotus", type="hidden"),
        F("sdt", "0912345670"),
        F("ma_xac_nhan", "123456789", label="Mã xác nhận"),
        F("csrfmiddlewaretoken", "abc"),
        F("_wpcf7", "12"),
        F("ngan_sach", "3-5 tỷ", type="select", label="Ngân sách"),
        F("ghi_chu", "Gọi sau 6h", type="textarea"),
        F("agree", "on", type="checkbox", label="Tôi đồng ý với chính sách bảo mật"),
        F("order_id", "123456789012", type="hidden"),
    ])
    assert found.name == "Đỗ Văn E" and found.phones == ["0912345670"]
    assert found.project == "lotus"
    assert found.note == "Gọi sau 6h"
    assert found.consent == "Tôi đồng ý với chính sách bảo mật"
    assert found.answers == {"ten_cong_ty": "Công ty ABC", "ngan_sach": "3-5 tỷ", "order_id": "123456789012"}


def test_an_empty_field_takes_no_role_and_a_filled_one_does():
    found = detect([F("phone", ""), F("Điện thoại khác", "0912111222", label="Điện thoại khác")])
    assert found.phones == ["0912111222"]


def test_a_project_name_is_not_a_name():
    found = detect([F("Tên dự án", "Lotus", label="Tên dự án"), F("sdt", "0912000444")])
    assert found.name == "" and found.project == "Lotus"


@pytest.mark.parametrize(
    ("kind", "requested", "aff", "point"),
    [
        ("form", "", "", "form"),
        ("form", "popup", "", "popup"),
        ("form", "flow", "", "popup"),
        ("form", "contact_page", "", "contact_page"),
        ("form", "contact-page", "", "contact_page"),
        ("form", "", "AFF42", "affiliate"),
        ("form", "contact_page", "AFF42", "contact_page"),  # what the page says wins
        ("form", "hotline", "", "form"),  # not a website capture point
        ("chat", "", "AFF42", "chatbox"),
        ("hosted", "", "", "form"),
        ("hosted", "", "AFF42", "affiliate"),
    ],
)
def test_capture_point(kind, requested, aff, point):
    assert capture_point_for(kind, requested, aff) == point


def test_tracking_keeps_utm_click_ids_affiliate_and_pages():
    values = {"utm_source": "facebook", "utm_campaign": "lotus-t11", "gclid": "G1", "ref": "KOL7", "other": "x",
              "utm_medium": ""}
    page = {"url": "https://lp.example/a?x=1", "referrer": "https://m.facebook.com/", "landing": "https://lp.example/"}
    assert tracking(values, page) == {
        "utm_source": "facebook", "utm_campaign": "lotus-t11", "gclid": "G1", "aff": "KOL7",
        "page_url": "https://lp.example/a?x=1", "referrer": "https://m.facebook.com/", "landing_url": "https://lp.example/",
    }
    assert tracking({"aff": "A1", "ref": "R2"})["aff"] == "A1"
