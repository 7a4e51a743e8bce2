"""Status rules as pure functions: what a move asks for, and how a thumb's typing is read."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadpool.sales.status_fields import (
    allowed_targets,
    clean_details,
    missing_fields,
    parse_date,
    parse_duration,
    parse_local_datetime,
    parse_vnd,
    specs_for,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.mark.parametrize(
    "text, amount",
    [
        ("50.000.000", 50_000_000),
        ("50,000,000", 50_000_000),
        ("50000000", 50_000_000),
        ("50 triệu", 50_000_000),
        ("50tr", 50_000_000),
        ("1,5 tỷ", 1_500_000_000),
        ("1.5 tỷ", 1_500_000_000),
        ("2 tỷ", 2_000_000_000),
        ("1.500 triệu", 1_500_000_000),
        ("100.000.000 đ", 100_000_000),
        ("", None),
        ("abc", None),
        ("0", None),
        ("-5", None),
        (None, None),
        (250, 250),
    ],
)
def test_parse_vnd(text, amount):
    assert parse_vnd(text) == amount


@pytest.mark.parametrize(
    "text, seconds",
    [
        ("3", 180), ("3:20", 200), ("3p20", 200), ("0:45", 45), ("90s", 90), ("2.5", 150), ("2,5", 150),
        ("0", 0), ("", None), ("abc", None), ("3:75", None), (None, None), (42, 42),
    ],
)
def test_parse_duration(text, seconds):
    assert parse_duration(text) == seconds


@settings(deadline=None)
@given(st.integers(min_value=0, max_value=600), st.integers(min_value=0, max_value=59))
def test_minutes_and_seconds_round_trip(minutes, seconds):
    assert parse_duration(f"{minutes}:{seconds:02d}") == minutes * 60 + seconds


def test_datetime_local_is_read_in_vietnam_time():
    parsed = parse_local_datetime("2026-11-25T09:30")
    assert parsed == datetime(2026, 11, 25, 9, 30, tzinfo=VN)
    assert parse_local_datetime("not a date") is None
    aware = datetime(2026, 1, 1, tzinfo=ZoneInfo("UTC"))
    assert parse_local_datetime(aware) is aware
    assert parse_date("2026-11-25") == date(2026, 11, 25)
    assert parse_date("25/11") is None


def test_allowed_targets():
    keys = ["new", "in_care", "net", "deposit"]
    assert allowed_targets("new", [], keys) == ["in_care", "net", "deposit"]
    assert allowed_targets("new", ["in_care", "net"], keys) == ["in_care", "net"]
    assert allowed_targets("net", ["net", "deposit"], keys) == ["deposit"]


def test_missing_fields():
    assert missing_fields(["amount", "deal_date"], {"amount": 5}) == ["deal_date"]
    assert missing_fields(["reason"], {"reason": ""}) == ["reason"]
    assert missing_fields([], {}) == []


def test_clean_details_parses_and_reports_every_problem():
    clean, errors = clean_details(
        ["appointment_at", "appointment_place", "amount", "deal_date", "reason"],
        {"appointment_at": "2026-11-25T10:00", "appointment_place": "  Nhà mẫu ", "amount": "1,2 tỷ",
         "deal_date": "2026-11-20", "reason": ""},
    )
    assert clean["appointment_at"] == datetime(2026, 11, 25, 10, 0, tzinfo=VN)
    assert clean["appointment_place"] == "Nhà mẫu"
    assert clean["amount"] == 1_200_000_000
    assert clean["deal_date"] == date(2026, 11, 20)
    assert set(errors) == {"reason"}
    _clean, errors = clean_details(["amount", "next_follow_up_at"], {"amount": "nhiều", "next_follow_up_at": "mai"})
    assert set(errors) == {"amount", "next_follow_up_at"}


def test_unknown_required_field_still_asked_for():
    specs = specs_for(["reason", "contract_no"])
    assert [s.name for s in specs] == ["reason", "contract_no"]
    _clean, errors = clean_details(["contract_no"], {})
    assert "contract_no" in errors
