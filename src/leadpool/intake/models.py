"""The inbox: every inbound request stored verbatim before anything else happens."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def _new_token() -> str:
    return secrets.token_urlsafe(24)


class InboxItem(models.Model):
    class State(models.TextChoices):
        RECEIVED = "received", _("Đã nhận")
        PROCESSED = "processed", _("Đã xử lý")
        DUPLICATE = "duplicate", _("Trùng lặp (đã nhận trước đó)")
        FAILED = "failed", _("Lỗi xử lý")
        REJECTED = "rejected", _("Bị từ chối")

    channel = models.CharField(max_length=16)
    source = models.ForeignKey("customers.Source", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    method = models.CharField(max_length=8, default="POST")
    path = models.CharField(max_length=300, blank=True)
    content_type = models.CharField(max_length=120, blank=True)
    headers = models.JSONField(default=dict, blank=True)
    body = models.BinaryField(blank=True)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    # Re-deliveries carry the same key and change nothing (leadgen_id, lead_id, external_id, payload hash).
    # NULL, not "", for "no key": the unique constraint must let any number of key-less items in.
    idempotency_key = models.CharField(max_length=200, blank=True, null=True)  # noqa: DJ001
    verified = models.BooleanField(null=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RECEIVED, db_index=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)
    # The answer given the first time, so a re-delivery gets the same one.
    response = models.JSONField(default=dict, blank=True)
    config = models.ForeignKey("intake.ChannelConfig", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # What the endpoint learnt before processing (e.g. which leadgen of a Facebook batch this item is).
    meta = models.JSONField(default=dict, blank=True)
    # Whom the item was entered by (manual form, API token's user): processing acts on their behalf.
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "idempotency_key"], name="inbox_idempotent_per_channel"),
        ]
        indexes = [models.Index(fields=["state", "received_at"], name="inbox_state_time")]

    def __str__(self) -> str:
        return f"{self.channel} #{self.pk} {self.state}"

    @property
    def text(self) -> str:
        return bytes(self.body or b"").decode("utf-8", errors="replace")


class ChannelConfig(models.Model):
    """One connected channel: which page, form, OA or token maps to which source and project."""

    class Kind(models.TextChoices):
        FACEBOOK = "facebook", "Facebook Lead Ads"
        GOOGLE = "google", "Google Ads lead form"
        ZALO = "zalo", "Zalo OA"
        TIKTOK = "tiktok", "TikTok lead form"
        LADIPAGE = "ladipage", "Ladipage"
        GENERIC = "generic", _("Webhook chung")
        HOTLINE = "hotline", "Hotline"

    kind = models.CharField(_("kênh"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("tên"), max_length=120)
    source = models.ForeignKey("customers.Source", on_delete=models.PROTECT, related_name="channel_configs")
    project = models.ForeignKey(
        "customers.Project", null=True, blank=True, on_delete=models.SET_NULL, related_name="channel_configs"
    )
    # The platform's own id for what is connected: Facebook page id, Google form id, Zalo OA id,
    # TikTok advertiser/form id. Empty means "any" for channels identified by their URL token.
    external_id = models.CharField(_("mã bên ngoài (page/form/OA)"), max_length=120, blank=True, db_index=True)
    # The URL token of public endpoints (/intake/hook/<token>/...): long and random, never guessable.
    token = models.CharField(_("token đường dẫn"), max_length=64, unique=True, default=_new_token)
    # Facebook app secret, Google google_key, Zalo OA secret key, TikTok/Ladipage/generic signing secret.
    secret = models.CharField(_("khóa bí mật"), max_length=200, blank=True)
    app_id = models.CharField(_("app id"), max_length=120, blank=True)
    verify_token = models.CharField(_("verify token (Facebook)"), max_length=120, blank=True)
    access_token = models.TextField(_("page access token (Facebook)"), blank=True)
    rate_limit_per_minute = models.PositiveIntegerField(_("giới hạn yêu cầu/phút"), default=600)
    # Conversations (Facebook Messenger, Zalo OA chat) and fanpage comments.
    lead_on_first_message = models.BooleanField(
        _("tạo lead ngay tin nhắn đầu tiên"), default=False,
        help_text=_("Tắt: cuộc trò chuyện thành lead khi khách để lại số điện thoại."),
    )
    hide_comments_with_phone = models.BooleanField(
        _("ẩn bình luận có số điện thoại"), default=False,
        help_text=_("Ẩn ngay trên fanpage để đối thủ không đọc được số."),
    )
    # Click-to-Messenger: the ad id a referral carries → the campaign name reports should use.
    ad_campaigns = models.JSONField(_("quảng cáo → chiến dịch"), default=dict, blank=True)
    active = models.BooleanField(_("đang hoạt động"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("kết nối kênh")
        verbose_name_plural = _("kết nối kênh")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.name}"


class ImportJob(models.Model):
    """One CSV/XLSX file being imported (or dry-run), with its mapping, progress and outcome."""

    class State(models.TextChoices):
        UPLOADED = "uploaded", _("Đã tải lên")
        QUEUED = "queued", _("Đang chờ")
        RUNNING = "running", _("Đang chạy")
        DONE = "done", _("Hoàn tất")
        FAILED = "failed", _("Lỗi")

    file = models.FileField(upload_to="imports/%Y/%m/")
    original_name = models.CharField(max_length=255)
    source = models.ForeignKey("customers.Source", on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey("customers.Project", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Column header → field (name, phone, email, project, ...).
    mapping = models.JSONField(default=dict, blank=True)
    dry_run = models.BooleanField(default=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.UPLOADED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    total_bytes = models.BigIntegerField(default=0)
    read_bytes = models.BigIntegerField(default=0)
    rows = models.PositiveIntegerField(default=0)
    new_customers = models.PositiveIntegerField(default=0)
    merged = models.PositiveIntegerField(default=0)
    invalid = models.PositiveIntegerField(default=0)
    # The first invalid rows with their reasons (the full list is in the report file).
    invalid_sample = models.JSONField(default=list, blank=True)
    reasons = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_state_display()})"

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        if not self.total_bytes:
            return 0
        return min(99, int(self.read_bytes * 100 / self.total_bytes))

    @property
    def summary(self) -> str:
        return f"{self.rows} rows: {self.new_customers} new customers, {self.merged} merged, {self.invalid} invalid"


class DuplicateCandidate(models.Model):
    """Two profiles that may be one person: never merged automatically, a person decides."""

    class Reason(models.TextChoices):
        PHONE_TYPO = "phone_typo", _("Cùng tên, số điện thoại lệch một chữ số")
        PHONE_SWAP = "phone_swap", _("Cùng tên, số điện thoại đảo hai chữ số")
        EMAIL_LOCAL = "email_local", _("Cùng phần trước @ của e-mail")
        SHARED_CONTACT = "shared_contact", _("Một lead mang số/e-mail của cả hai hồ sơ")

    class State(models.TextChoices):
        OPEN = "open", _("Chờ xem xét")
        MERGED = "merged", _("Đã gộp")
        DISMISSED = "dismissed", _("Không trùng")

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=16, choices=Reason.choices)
    detail = models.CharField(max_length=200, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN, db_index=True)
    found_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-found_at", "-id"]
        constraints = [
            # The pair is stored with the smaller id first, so one pair is one row.
            models.UniqueConstraint(fields=["customer", "other"], name="duplicate_candidate_pair"),
            models.CheckConstraint(condition=models.Q(customer__lt=models.F("other")), name="duplicate_candidate_order"),
        ]

    def __str__(self) -> str:
        return f"#{self.customer_id} ~ #{self.other_id} ({self.reason})"


class PageComment(models.Model):
    """A comment left on a fanpage post or ad: kept for marketing whether or not it gave a phone number."""

    config = models.ForeignKey(ChannelConfig, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    page_id = models.CharField(_("trang"), max_length=64)
    comment_id = models.CharField(max_length=128, unique=True)
    # Meta writes post ids as "{page id}_{post id}"; an ad's comments carry the ad's post.
    post_id = models.CharField(_("bài viết"), max_length=128, blank=True)
    post_url = models.URLField(max_length=500, blank=True)
    parent_id = models.CharField(max_length=128, blank=True)
    from_id = models.CharField(max_length=64, blank=True)
    from_name = models.CharField(_("người bình luận"), max_length=160, blank=True)
    message = models.TextField(_("nội dung"), blank=True)
    # The numbers as written in the comment; has_phone is what the list filters on.
    phones = models.JSONField(default=list, blank=True)
    has_phone = models.BooleanField(_("có số điện thoại"), default=False)
    created_at = models.DateTimeField(_("thời điểm"), default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    lead = models.ForeignKey("customers.Lead", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    inbox_item = models.ForeignKey(InboxItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Hiding on the page (so competitors cannot read the number) happens in the background.
    hidden_at = models.DateTimeField(null=True, blank=True)
    hide_attempts = models.PositiveSmallIntegerField(default=0)
    hide_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["page_id", "created_at"], name="page_comment_page_time"),
            models.Index(fields=["post_id", "created_at"], name="page_comment_post_time"),
        ]
        verbose_name = _("bình luận fanpage")
        verbose_name_plural = _("bình luận fanpage")

    def __str__(self) -> str:
        return f"{self.from_name or self.from_id}: {self.message[:40]}"
