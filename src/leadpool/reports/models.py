"""Report data: ad spend and monthly targets entered by people, and the summary tables the worker keeps."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AdSpend(models.Model):
    """Money spent on ads on one day, for one source, campaign and project. Integer VND."""

    day = models.DateField(_("ngày"))
    source = models.ForeignKey("customers.Source", on_delete=models.PROTECT, related_name="+", verbose_name=_("nguồn"))
    campaign = models.CharField(_("chiến dịch"), max_length=200, blank=True)
    project = models.ForeignKey(
        "customers.Project", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("dự án")
    )
    amount = models.PositiveBigIntegerField(_("số tiền (VND)"))
    note = models.CharField(_("ghi chú"), max_length=200, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-day", "source_id", "campaign"]
        indexes = [models.Index(fields=["day", "source"], name="adspend_day_source")]
        verbose_name = _("chi phí quảng cáo")
        verbose_name_plural = _("chi phí quảng cáo")

    def __str__(self) -> str:
        return f"{self.day} {self.source_id} {self.campaign} {self.amount}"


class Target(models.Model):
    """A monthly KPI for one salesperson or one team (exactly one of the two)."""

    month = models.DateField(_("tháng"), help_text=_("Ngày đầu tháng"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="targets")
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="targets")
    calls = models.PositiveIntegerField(_("cuộc gọi"), default=0)
    appointments = models.PositiveIntegerField(_("hẹn gặp"), default=0)
    deposits = models.PositiveIntegerField(_("cọc"), default=0)
    bookings = models.PositiveIntegerField(_("booking"), default=0)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-month"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(team__isnull=True)) | (Q(user__isnull=True) & Q(team__isnull=False)),
                name="target_user_xor_team",
            ),
            models.UniqueConstraint(fields=["month", "user"], condition=Q(user__isnull=False), name="target_month_user"),
            models.UniqueConstraint(fields=["month", "team"], condition=Q(team__isnull=False), name="target_month_team"),
        ]
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")

    def __str__(self) -> str:
        return f"{self.month:%m/%Y} {self.user or self.team}"


# --- Summary tables ---------------------------------------------------------------------------
# Kept by the worker (reports.summaries): dashboards read these instead of scanning millions of rows.


class LeadDay(models.Model):
    """Leads per local day, source, campaign, first project and the customer's team."""

    day = models.DateField()
    source = models.ForeignKey("customers.Source", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)
    campaign = models.CharField(max_length=200, blank=True)
    project = models.ForeignKey(
        "customers.Project", null=True, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    team = models.ForeignKey("accounts.Team", null=True, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)
    leads = models.IntegerField(default=0)
    new_customers = models.IntegerField(default=0)
    returning_leads = models.IntegerField(default=0)
    invalid_phone = models.IntegerField(default=0)
    test_leads = models.IntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["day", "source"], name="leadday_day_source")]

    def __str__(self) -> str:
        return f"{self.day} {self.source_id} {self.campaign}"


class CustomerFact(models.Model):
    """One row per customer: where they came from and how far down the funnel they got, and when."""

    customer = models.OneToOneField(
        "customers.Customer", primary_key=True, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    first_lead_at = models.DateTimeField(null=True)
    first_day = models.DateField(null=True)
    source = models.ForeignKey("customers.Source", null=True, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)
    campaign = models.CharField(max_length=200, blank=True)
    project = models.ForeignKey(
        "customers.Project", null=True, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    team = models.ForeignKey("accounts.Team", null=True, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    status = models.ForeignKey("customers.Status", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)
    max_rank = models.IntegerField(default=-1)
    net_at = models.DateTimeField(null=True)
    appointment_at = models.DateTimeField(null=True)
    deposit_at = models.DateTimeField(null=True)
    booking_at = models.DateTimeField(null=True)
    # Seconds from the first lead to reaching each stage (null when not reached).
    net_after = models.BigIntegerField(null=True)
    appointment_after = models.BigIntegerField(null=True)
    deposit_after = models.BigIntegerField(null=True)
    booking_after = models.BigIntegerField(null=True)
    left_funnel = models.BooleanField(default=False)
    is_test = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["first_day", "source"], name="custfact_day_source"),
            models.Index(fields=["team", "first_day"], name="custfact_team_day"),
        ]

    def __str__(self) -> str:
        return f"facts of customer {self.customer_id}"


class UserDay(models.Model):
    """One salesperson's work on one local day."""

    day = models.DateField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)
    calls = models.IntegerField(default=0)
    follow_ups_due = models.IntegerField(default=0)
    follow_ups_on_time = models.IntegerField(default=0)
    upgrades = models.IntegerField(default=0)
    appointments = models.IntegerField(default=0)
    deposits = models.IntegerField(default=0)
    bookings = models.IntegerField(default=0)
    rotated_in = models.IntegerField(default=0)
    rotated_out = models.IntegerField(default=0)
    first_call_violations = models.IntegerField(default=0)
    attended = models.IntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["day", "user"], name="userday_day_user")]

    def __str__(self) -> str:
        return f"{self.day} user {self.user_id}"


class SpeedMonth(models.Model):
    """Speed-to-lead histogram: leads per local month, owner on arrival, source, campaign, project and minutes.

    Months, not days: 100 people × ~120 distinct minute values outnumber a day's leads, so a daily
    histogram holds about one row per lead; a month's leads fall into far fewer rows. The days of a
    period outside whole months are counted live on the leads.
    Each lead has one row per project it belongs to, and one more with project NULL meaning "any
    project" (read when no project is chosen), so the project filter stays exact for multi-project leads.
    Only leads the first-call rule applies to: not test, digital channel, an owner on arrival.
    """

    month = models.DateField()  # first day of the local month
    # Read by month and project only (speedmonth_month_project): no index per foreign key to keep up.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    source = models.ForeignKey(
        "customers.Source", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    campaign = models.CharField(max_length=200, blank=True)
    project = models.ForeignKey(
        "customers.Project", null=True, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    # Whole minutes from arrival to the first call, rounded up (never below 0); NULL = never called.
    minutes = models.IntegerField(null=True)
    leads = models.IntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["month", "project"], name="speedmonth_month_project")]

    def __str__(self) -> str:
        return f"{self.month:%m/%Y} owner {self.owner_id}: {self.minutes} min × {self.leads}"


class SummaryState(models.Model):
    """Where each summary's last refresh got to (ids seen, time), so the next run only does new work."""

    name = models.CharField(max_length=40, primary_key=True)
    last_id = models.BigIntegerField(default=0)
    last_at = models.DateTimeField(null=True)
    refreshed_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return self.name
