"""The spec's default statuses and sources. Editable afterwards in the admin."""

from django.db import migrations

STATUSES = [
    # key, label, label_en, kind, rank, hold_rule, hold_days, required_fields, color
    ("new", "Mới", "New", "open", 0, "first_call", None, [], "secondary"),
    ("ads_hot", "Ads nóng", "Hot ad lead", "open", 1, "first_call", None, [], "danger"),
    ("no_answer", "Không nghe máy", "No answer", "open", 1, "no_progress", 3, [], "secondary"),
    ("in_care", "Đang chăm sóc", "In care", "open", 2, "no_progress", 3, [], "info"),
    ("net", "NET", "NET (real need)", "open", 3, "no_progress", 7, ["next_follow_up_at"], "primary"),
    ("appointment", "Hẹn gặp", "Appointment", "open", 4, "from_appointment", 7, ["appointment_at", "appointment_place"], "warning"),
    ("deposit", "Cọc", "Deposit", "won", 5, "none", None, ["amount", "deal_date"], "success"),
    ("booking", "Booking", "Booking", "won", 6, "none", None, ["amount", "deal_date"], "success"),
    ("no_need", "Không nhu cầu", "No need", "nurture", None, "none", None, ["reason"], "dark"),
    ("wrong_target", "Sai tệp", "Wrong target", "nurture", None, "none", None, ["reason"], "dark"),
]

SOURCES = [
    ("facebook_ads", "Facebook Ads", "facebook"),
    ("google_ads", "Google Ads", "google"),
    ("zalo_ads", "Zalo Ads", "zalo"),
    ("tiktok_ads", "TikTok Ads", "tiktok"),
    ("ladipage", "Ladipage", "ladipage"),
    ("website", "Website", "website"),
    ("hotline", "Hotline", "hotline"),
    ("organic", "Organic", "organic"),
    ("referral", "Giới thiệu", "referral"),
    ("old_data", "Data cũ", "old_data"),
    ("manual", "Nhập tay", "manual"),
]


def load(apps, schema_editor):
    Status = apps.get_model("customers", "Status")
    Source = apps.get_model("customers", "Source")
    for position, (key, label, label_en, kind, rank, rule, days, required, color) in enumerate(STATUSES):
        Status.objects.update_or_create(
            key=key,
            defaults=dict(
                label=label, label_en=label_en, kind=kind, rank=rank, hold_rule=rule, hold_days=days,
                required_fields=required, position=position, color=color,
            ),
        )
    for key, name, channel in SOURCES:
        Source.objects.get_or_create(key=key, defaults=dict(name=name, channel=channel))


class Migration(migrations.Migration):
    dependencies = [("customers", "0002_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
