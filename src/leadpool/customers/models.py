"""The customer profile and its catalogs: projects, sources, groups, statuses; phones, emails, leads, owners."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Project(models.Model):
    class Phase(models.TextChoices):
        NURTURE = "nurture", _("Nuôi dưỡng")
        PRE_LAUNCH = "pre_launch", _("Trước mở bán")
        LAUNCH = "launch", _("Mở bán / đẩy hàng")
        HANDOVER = "handover", _("Bàn giao")

    name = models.CharField(_("tên dự án"), max_length=160, unique=True)
    code = models.SlugField(_("mã"), max_length=40, unique=True)
    phase = models.CharField(_("giai đoạn"), max_length=16, choices=Phase.choices, default=Phase.NURTURE)
    location = models.CharField(_("vị trí"), max_length=200, blank=True)
    active = models.BooleanField(_("đang hoạt động"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("dự án")
        verbose_name_plural = _("dự án")

    def __str__(self) -> str:
        return self.name


class Channel(models.TextChoices):
    FACEBOOK = "facebook", "Facebook"
    GOOGLE = "google", "Google"
    ZALO = "zalo", "Zalo"
    TIKTOK = "tiktok", "TikTok"
    LADIPAGE = "ladipage", "Ladipage"
    WEBSITE = "website", "Website"
    HOTLINE = "hotline", "Hotline"
    REFERRAL = "referral", _("Giới thiệu")
    ORGANIC = "organic", _("Tự nhiên")
    OLD_DATA = "old_data", _("Data cũ")
    IMPORT = "import", _("Nhập file")
    API = "api", "API"
    MANUAL = "manual", _("Nhập tay")
    OTHER = "other", _("Khác")


DIGITAL_CHANNELS = {
    Channel.FACEBOOK, Channel.GOOGLE, Channel.ZALO, Channel.TIKTOK, Channel.LADIPAGE, Channel.WEBSITE, Channel.API,
}


class Source(models.Model):
    key = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên nguồn"), max_length=120)
    channel = models.CharField(_("kênh"), max_length=16, choices=Channel.choices, default=Channel.OTHER)
    default_project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    active = models.BooleanField(_("đang hoạt động"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("nguồn")
        verbose_name_plural = _("nguồn")

    def __str__(self) -> str:
        return self.name

    @property
    def is_digital(self) -> bool:
        return self.channel in DIGITAL_CHANNELS


class Group(models.Model):
    """Hierarchical customer groups, as in Getfly (a group may have a parent)."""

    name = models.CharField(_("tên nhóm"), max_length=120)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="group_unique_name_in_parent")]
        verbose_name = _("nhóm khách hàng")
        verbose_name_plural = _("nhóm khách hàng")

    def __str__(self) -> str:
        return f"{self.parent} › {self.name}" if self.parent_id else self.name


class Status(models.Model):
    class Kind(models.TextChoices):
        OPEN = "open", _("Đang xử lý")
        WON = "won", _("Thành công")
        NURTURE = "nurture", _("Nuôi dưỡng dài hạn")

    class HoldRule(models.TextChoices):
        FIRST_CALL = "first_call", _("Quy tắc gọi đầu tiên")
        NO_PROGRESS = "no_progress", _("Không tiến triển")
        FROM_APPOINTMENT = "from_appointment", _("Tính từ ngày hẹn")
        NONE = "none", _("Không giới hạn")

    key = models.SlugField(_("mã"), max_length=32, unique=True)
    label = models.CharField(_("nhãn"), max_length=80)
    label_en = models.CharField(_("nhãn (tiếng Anh)"), max_length=80, blank=True)
    kind = models.CharField(_("loại"), max_length=8, choices=Kind.choices, default=Kind.OPEN)
    rank = models.PositiveSmallIntegerField(_("bậc"), null=True, blank=True)
    hold_rule = models.CharField(_("luật giữ khách"), max_length=20, choices=HoldRule.choices, default=HoldRule.NONE)
    hold_days = models.PositiveSmallIntegerField(_("số ngày giữ"), null=True, blank=True)
    # Which fields a move into this status needs, e.g. ["appointment_at", "appointment_place"].
    required_fields = models.JSONField(_("trường bắt buộc"), default=list, blank=True)
    # Keys of statuses one may move to from here; empty means any.
    allowed_next = models.JSONField(_("chuyển tiếp được phép"), default=list, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    color = models.CharField(max_length=16, default="secondary")

    class Meta:
        ordering = ["position"]
        verbose_name = _("trạng thái")
        verbose_name_plural = _("trạng thái")

    def __str__(self) -> str:
        return self.label


class CapturePoint(models.TextChoices):
    FORM = "form", _("Form")
    LEAD_FORM = "lead_form", _("Form quảng cáo")
    INBOX_ADS = "inbox_ads", _("Inbox ads")
    COMMENT = "comment", _("Bình luận")
    CHATBOX = "chatbox", _("Chatbox")
    LANDING_PAGE = "landing_page", _("Landing page")
    POPUP = "popup", _("Pop-up / luồng")
    AFFILIATE = "affiliate", _("Affiliate")
    CONTACT_PAGE = "contact_page", _("Trang liên hệ")
    HOTLINE = "hotline", _("Hotline")
    REFERRAL = "referral", _("Giới thiệu")
    IMPORT = "import", _("Nhập file")
    MANUAL = "manual", _("Nhập tay")
    API = "api", "API"
    MESSAGE = "message", _("Tin nhắn")


class CustomerQuerySet(models.QuerySet):
    def live(self):
        """Customers that are real profiles today (not merged away, not erased)."""
        return self.filter(merged_into__isnull=True)


class Customer(models.Model):
    name = models.CharField(_("họ tên"), max_length=160, blank=True)
    # Accent-folded, lower-case name for search and duplicate review ("Đ" → "d"). Indexed by customer_name_key.
    name_key = models.CharField(max_length=160, blank=True)
    status = models.ForeignKey(Status, on_delete=models.PROTECT, related_name="customers")
    status_entered_at = models.DateTimeField(default=timezone.now)
    # owner and team are indexed by the composite (owner, status) and (team, status) below: a second,
    # single-column index would only slow every write (the sweep rewrites 10,000 customers at a time).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="owned_customers",
        db_index=False,
    )
    owner_since = models.DateTimeField(null=True, blank=True)
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="customers", db_index=False
    )
    projects = models.ManyToManyField(Project, blank=True, related_name="customers")
    groups = models.ManyToManyField(Group, blank=True, related_name="customers")
    first_source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    latest_source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    first_lead_at = models.DateTimeField(null=True, blank=True)
    last_lead_at = models.DateTimeField(null=True, blank=True)
    last_contact_at = models.DateTimeField(null=True, blank=True)
    # The next moment something must happen to this customer (first call, hold end...), stored so
    # periodic work reads an index instead of scanning every customer.
    next_deadline_at = models.DateTimeField(null=True, blank=True, db_index=True)
    next_deadline_kind = models.CharField(max_length=24, blank=True)
    dont_forget = models.BooleanField(_("đừng quên"), default=False)
    is_test = models.BooleanField(default=False)
    note = models.TextField(_("ghi chú hồ sơ"), blank=True)
    consent_withdrawn_at = models.DateTimeField(null=True, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from", db_index=False
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["owner", "status"], name="customer_owner_status"),
            models.Index(fields=["team", "status"], name="customer_team_status"),
            # Few customers are flagged or merged away: partial indexes hold only those, so writing
            # any other customer never touches them.
            models.Index(fields=["owner"], condition=Q(dont_forget=True), name="customer_dont_forget"),
            models.Index(fields=["merged_into"], condition=Q(merged_into__isnull=False), name="customer_merged_into"),
            # Looked up by equality (dedup blocks) or a contains search, never by prefix: a plain index, without
            # the varchar_pattern_ops twin db_index adds on PostgreSQL (every imported customer wrote both).
            models.Index(fields=["name_key"], name="customer_name_key"),
        ]
        verbose_name = _("khách hàng")
        verbose_name_plural = _("khách hàng")

    def __str__(self) -> str:
        return self.name or f"#{self.pk}"

    @property
    def primary_phone(self):
        phones = list(self.phones.all())
        return phones[0] if phones else None


class Phone(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="phones")
    # Unique through phone_unique_e164 below.
    e164 = models.CharField(max_length=20)
    raw = models.CharField(max_length=40, blank=True)
    kind = models.CharField(max_length=12, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        # A constraint rather than unique=True: on PostgreSQL the field option also builds a varchar_pattern_ops
        # twin for LIKE 'prefix%', and phones are matched by equality or searched by contains, never by prefix.
        constraints = [models.UniqueConstraint(fields=["e164"], name="phone_unique_e164")]

    def __str__(self) -> str:
        return self.e164


class Email(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="emails")
    address = models.CharField(max_length=254, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.address


class Lead(models.Model):
    """One arrival of a person through a channel. Never dropped, always attached to one customer."""

    # Indexed by lead_customer_time (customer, received_at) below.
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="leads", db_index=False)
    # Indexed by lead_inbox_item (only leads that came through the inbox) below.
    inbox_item = models.ForeignKey(
        "intake.InboxItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="leads", db_index=False
    )
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="leads")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    capture_point = models.CharField(max_length=16, choices=CapturePoint.choices, default=CapturePoint.FORM)
    projects = models.ManyToManyField(Project, blank=True, related_name="leads")
    external_id = models.CharField(max_length=120, blank=True)
    campaign_id = models.CharField(max_length=64, blank=True)
    campaign = models.CharField(_("chiến dịch"), max_length=200, blank=True)
    adset_id = models.CharField(max_length=64, blank=True)
    ad_id = models.CharField(max_length=64, blank=True)
    form_id = models.CharField(max_length=64, blank=True)
    name = models.CharField(max_length=160, blank=True)
    phone_raw = models.CharField(max_length=60, blank=True)
    email_raw = models.CharField(max_length=254, blank=True)
    phone_invalid_reason = models.CharField(max_length=120, blank=True)
    answers = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)
    utm = models.JSONField(default=dict, blank=True)
    consent_text = models.TextField(blank=True)
    consent_at = models.DateTimeField(null=True, blank=True)
    consent_channel = models.CharField(max_length=40, blank=True)
    raw_payload = models.JSONField(default=dict, blank=True)
    is_test = models.BooleanField(default=False)
    is_returning = models.BooleanField(default=False)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Speed to lead: when this lead's first call was logged, and who owned the customer on arrival.
    first_call_at = models.DateTimeField(null=True, blank=True)
    owner_at_arrival = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["customer", "received_at"], name="lead_customer_time"),
            # Looked up by equality only: plain indexes, without the LIKE twins db_index adds on PostgreSQL.
            models.Index(fields=["external_id"], name="lead_external_id"),
            models.Index(fields=["campaign"], name="lead_campaign"),
            # Looked up by item (equality, or the SET NULL when an item goes): imported leads have none, and a
            # partial index leaves them out instead of piling every one of them under NULL.
            models.Index(fields=["inbox_item"], condition=Q(inbox_item__isnull=False), name="lead_inbox_item"),
        ]
        verbose_name = _("lead")

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.received_at:%Y-%m-%d %H:%M}"


# Hand-outs that count as a salesperson receiving a customer (the ranking's turns); merges and imports do
# not. Values of Assignment.Reason, spelled out here because an index below is limited to them.
RECEIVING_REASONS = ("new", "returning", "first_call", "rotation", "reassign", "manual", "pool")


class Assignment(models.Model):
    """One period of ownership. The open row (ended_at is null) is the current owner; rows are never deleted."""

    class Reason(models.TextChoices):
        NEW = "new", _("Khách mới")
        RETURNING = "returning", _("Khách quay lại")
        FIRST_CALL = "first_call", _("Vi phạm gọi đầu tiên")
        ROTATION = "rotation", _("Đảo khách")
        REASSIGN = "reassign", _("Trưởng nhóm chỉ định")
        MANUAL = "manual", _("Phân bổ thủ công")
        POOL = "pool", _("Chờ trong kho của đội")
        MERGE = "merge", _("Gộp hồ sơ")
        IMPORT = "import", _("Nhập file")

    # customer and user are indexed by the composites (customer, started_at) and (user, started_at) below.
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="assignments", db_index=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="assignments",
        db_index=False,
    )
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=16, choices=Reason.choices)
    end_reason = models.CharField(max_length=16, choices=Reason.choices, blank=True)
    rule = models.CharField(max_length=80, blank=True)
    note = models.TextField(blank=True)
    # Indexed by assignment_decided_by (only the decisions someone made) below.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    # Who was eligible and why this person was picked (the ranking's reasons), for leaders to read.
    explanation = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        indexes = [
            models.Index(fields=["customer", "started_at"], name="assignment_customer_time"),
            models.Index(fields=["user", "started_at"], name="assignment_user_time"),
            # Automatic hand-outs and imports are decided by nobody: only the others are worth an index entry.
            models.Index(fields=["decided_by"], condition=Q(decided_by__isnull=False), name="assignment_decided_by"),
            # Every hand-out counts what each salesperson received over the ranking's window: with the reason
            # in the index's condition that count is read from the index alone, never from the wide rows (their
            # explanations); imported customers, which are not turns, write no entry.
            models.Index(fields=["user", "started_at"], condition=Q(reason__in=RECEIVING_REASONS),
                         name="assignment_received"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} → {self.user or 'pool'} ({self.reason})"


class MergeRecord(models.Model):
    survivor = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="merges_in")
    duplicate = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="merges_out")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=200, blank=True)
    # What moved: counts and the duplicate's profile as it was, so a merge can be read later.
    moved = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"{self.duplicate_id} → {self.survivor_id}"
