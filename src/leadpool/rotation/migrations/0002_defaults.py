"""The company's default rotation rule (v1), working hours and Vietnamese public holidays. Editable afterwards."""

from datetime import date, time, timedelta

from django.db import migrations

STATUSES = {
    "in_care": {"hold_days": 3, "rule": "no_progress", "requires": ["call", "interaction", "note"]},
    "no_answer": {"hold_days": 3, "rule": "no_progress", "requires": ["call", "interaction", "note"]},
    "net": {"hold_days": 7, "rule": "no_progress", "requires": ["care_plan", "follow_up_scheduled"]},
    "appointment": {"hold_days": 7, "rule": "from_appointment", "requires": ["appointment_confirmed", "follow_up_after_appointment"]},
}


def _span(first: date, last: date):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


# Official days off as announced (Tết and National Day spans include the government's bridging days).
HOLIDAYS = [
    (date(2026, 1, 1), date(2026, 1, 1), "holiday", "Tết Dương lịch"),
    (date(2026, 2, 14), date(2026, 2, 22), "tet", "Tết Nguyên đán Bính Ngọ"),
    (date(2026, 4, 27), date(2026, 4, 27), "holiday", "Giỗ Tổ Hùng Vương (nghỉ bù)"),
    (date(2026, 4, 30), date(2026, 5, 1), "holiday", "Giải phóng miền Nam, Quốc tế Lao động"),
    (date(2026, 9, 1), date(2026, 9, 2), "holiday", "Quốc khánh"),
    (date(2027, 1, 1), date(2027, 1, 1), "holiday", "Tết Dương lịch"),
    (date(2027, 2, 5), date(2027, 2, 10), "tet", "Tết Nguyên đán Đinh Mùi"),
    (date(2027, 4, 16), date(2027, 4, 16), "holiday", "Giỗ Tổ Hùng Vương"),
    (date(2027, 4, 30), date(2027, 5, 1), "holiday", "Giải phóng miền Nam, Quốc tế Lao động"),
    (date(2027, 9, 2), date(2027, 9, 3), "holiday", "Quốc khánh"),
]


def load(apps, schema_editor):
    RuleSet = apps.get_model("rotation", "RuleSet")
    WorkingPeriod = apps.get_model("rotation", "WorkingPeriod")
    CalendarDay = apps.get_model("rotation", "CalendarDay")
    if not RuleSet.objects.exists():
        RuleSet.objects.create(
            version=1,
            note="Quy định đảo khách mặc định (tài liệu MKT Redland 18/12/2025)",
            statuses=STATUSES,
            phase_factors={"nurture": 1.0, "pre_launch": 1.0, "launch": 0.5, "handover": 1.0},
            project_factors={},
            status_after_rotation="in_care",
            status_after_rotation_map={"no_answer": "new"},
            weights={"attendance": 1.0, "speed": 1.0, "on_time": 1.0, "progress": 1.0},
        )
    if not WorkingPeriod.objects.exists():
        for weekday in range(5):
            WorkingPeriod.objects.create(weekday=weekday, start=time(8, 0), end=time(17, 30))
        WorkingPeriod.objects.create(weekday=5, start=time(8, 0), end=time(12, 0))
    for first, last, kind, name in HOLIDAYS:
        for day in _span(first, last):
            CalendarDay.objects.get_or_create(day=day, defaults={"kind": kind, "name": name})


class Migration(migrations.Migration):
    dependencies = [("rotation", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
