"""How audit actions read to a person."""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "auth.login": _("Đăng nhập"),
    "auth.login_failed": _("Đăng nhập thất bại"),
    "auth.otp_enrolled": _("Bật xác thực hai lớp"),
    "customer.assigned": _("Phân bổ khách hàng"),
    "customer.status_changed": _("Đổi trạng thái"),
    "customer.phone_viewed": _("Xem số điện thoại đầy đủ"),
    "customer.rotated": _("Đảo khách"),
    "customer.merged": _("Gộp hồ sơ"),
    "customer.consent_withdrawn": _("Rút lại đồng ý"),
    "customer.erased": _("Xoá dữ liệu cá nhân"),
    "customer.personal_data_exported": _("Xuất dữ liệu cá nhân"),
    "export": _("Xuất dữ liệu"),
    "config.created": _("Thêm cấu hình"),
    "config.changed": _("Sửa cấu hình"),
    "config.deleted": _("Xoá cấu hình"),
    "token.created": _("Tạo token API"),
    "token.revoked": _("Thu hồi token API"),
    "webhook.replayed": _("Gửi lại webhook"),
    "retention.scrubbed": _("Xoá dữ liệu thô hết hạn lưu"),
}
