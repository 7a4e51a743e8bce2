"""The long-term nurture script for customers who did not buy today (Không nhu cầu, Sai tệp)."""

from django.db import migrations

NAME = "Nuôi dưỡng dài hạn"
STEPS = [
    (30, "call", "Gọi hỏi thăm, cập nhật nhu cầu mới"),
    (60, "message", "Gửi thông tin dự án / chính sách mới qua Zalo"),
    (90, "call", "Gọi lại: nhu cầu, tài chính đã thay đổi chưa?"),
    (180, "message", "Gửi bản tin thị trường, mời sự kiện mở bán"),
    (270, "call", "Gọi chăm sóc định kỳ"),
    (365, "call", "Gọi tròn một năm: xác nhận lại nhu cầu"),
]


def load(apps, schema_editor):
    CareScript = apps.get_model("sales", "CareScript")
    CareStep = apps.get_model("sales", "CareStep")
    Status = apps.get_model("customers", "Status")
    if CareScript.objects.filter(name=NAME).exists():
        return
    script = CareScript.objects.create(
        name=NAME,
        description="Khách chưa mua hôm nay không phải khách vô giá trị: liên hệ lại theo lịch dài hạn.",
    )
    script.statuses.set(Status.objects.filter(key__in=["no_need", "wrong_target"]))
    CareStep.objects.bulk_create(
        [CareStep(script=script, day_offset=day, kind=kind, note=note) for day, kind, note in STEPS]
    )


class Migration(migrations.Migration):
    dependencies = [("sales", "0002_care_scripts"), ("customers", "0003_default_catalogs")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
