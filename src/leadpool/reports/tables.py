"""Turning figures into what a page and an export show: tables with labelled, formatted, linked cells, and charts."""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from urllib.parse import quote

from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from . import queries
from .filters import Filters
from .scope import Scope


@dataclass
class Column:
    key: str
    label: str
    kind: str = "int"  # text, int, vnd, pct, days, minutes, date


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[dict]
    # (row, column key) -> URL of the customers or leads behind that figure
    link: Callable[[dict, str], str | None] | None = None

    def cells(self) -> list[list[dict]]:
        out = []
        for row in self.rows:
            out.append([
                {"text": fmt(row.get(c.key), c.kind), "kind": c.kind,
                 # a zero leads to an empty list: not worth a link
                 "link": self.link(row, c.key) if self.link and row.get(c.key) not in (0, None) else None}
                for c in self.columns
            ])
        return out

    def body_html(self) -> str:
        """The <tbody> rows, built in Python: a year of days by campaign is thousands of cells, too slow for templates."""
        parts = []
        for row in self.cells():
            tds = []
            for cell in row:
                css = "" if cell["kind"] in ("text", "date") else ' class="text-end text-nowrap"'
                text = escape(cell["text"])
                if cell["link"]:
                    text = f'<a href="{escape(cell["link"])}">{text}</a>'
                tds.append(f"<td{css}>{text}</td>")
            parts.append("<tr>" + "".join(tds) + "</tr>")
        return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped

    def raw_rows(self) -> list[list]:
        return [[row.get(c.key) for c in self.columns] for row in self.rows]


@dataclass
class Chart:
    kind: str  # LineChart, ColumnChart, BarChart, PieChart
    title: str
    data: list | dict
    options: dict = field(default_factory=dict)

    @property
    def json(self) -> str:
        return json.dumps(self.data, cls=DjangoJSONEncoder, ensure_ascii=False)

    @property
    def options_json(self) -> str:
        return json.dumps(self.options, cls=DjangoJSONEncoder, ensure_ascii=False)


@dataclass
class Page:
    slug: str
    title: str
    tables: list[Table]
    charts: list[Chart] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    cards: list[tuple[str, str, str | None]] = field(default_factory=list)  # (label, value, link)


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def fmt(value, kind: str) -> str:
    if value is None or value == "":
        return "—" if kind != "text" else ""
    if kind == "int":
        return _thousands(int(value))
    if kind == "vnd":
        return _thousands(int(value)) + " ₫"
    if kind == "pct":
        return f"{value * 100:.1f}%".replace(".", ",")
    if kind == "days":
        return f"{value:.1f} ngày".replace(".", ",")
    if kind == "minutes":
        return f"{value:.0f} phút"
    if kind == "date" and isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


# --- links to the rows behind a figure ------------------------------------------------------------------

NO_CAMPAIGN = "__none__"


@lru_cache(maxsize=8)
def _base(name: str) -> str:
    return reverse(name)


def leads_url(f: Filters, **extra) -> str:
    return _base("reports:lead_list") + "?" + _query(f, extra)


def customers_url(f: Filters, **extra) -> str:
    return _base("reports:customer_list") + "?" + _query(f, extra)


_PLAIN = re.compile(r"^[A-Za-z0-9_.-]*$")


def _query(f: Filters, extra: dict) -> str:
    # A dashboard builds thousands of these links: skip urlencode's quoting for plain values.
    params = f.params()
    for key, value in extra.items():
        if value is None:
            continue
        params[key] = NO_CAMPAIGN if key == "campaign" and value == "" else str(value)
    return "&".join(f"{k}={v if _PLAIN.match(v) else quote(v, safe='')}" for k, v in params.items())


# --- one builder per dashboard ---------------------------------------------------------------------------


def build_leads(f: Filters, scope: Scope) -> Page:
    data = queries.leads(f, scope)
    counts = [Column("leads", _("Lead")), Column("new", _("Khách mới")), Column("returning", _("Khách quay lại"))]
    kinds = {"leads": None, "new": "new", "returning": "returning"}

    def link_for(base: dict):
        def link(row: dict, key: str):
            if key not in kinds:
                return None
            extra = {k: row.get(v) for k, v in base.items()}
            return leads_url(f, kind=kinds[key], **extra)
        return link

    per_day = Table(
        "per_day", _("Lead theo ngày"), [Column("day", _("Ngày"), "date"), *counts], data["per_day"],
        lambda row, key: leads_url(f.with_(start=row["day"], end=row["day"]), kind=kinds[key]) if key in kinds else None,
    )
    for row in data["by_project"]:
        if row["project_id"] is None:
            row["project_id"] = "none"
    tables = [
        Table("by_source", _("Lead theo nguồn"), [Column("source", _("Nguồn"), "text"), *counts], data["by_source"],
              link_for({"source": "source_id"})),
        Table("by_campaign", _("Lead theo chiến dịch"),
              [Column("source", _("Nguồn"), "text"), Column("campaign", _("Chiến dịch"), "text"), *counts],
              data["by_campaign"], link_for({"source": "source_id", "campaign": "campaign"})),
        Table("by_project", _("Lead theo dự án"), [Column("project", _("Dự án"), "text"), *counts],
              [{**r, "project": r["project"] or _("(chưa gắn dự án)")} for r in data["by_project"]],
              link_for({"project": "project_id"})),
        per_day,
    ]
    by_point = queries.leads_by_capture_point(f, scope)
    tables.insert(3, Table(
        "by_capture_point", _("Lead theo điểm thu lead"),
        [Column("source", _("Nguồn"), "text"), Column("capture_point_label", _("Điểm thu lead"), "text"), *counts],
        by_point, link_for({"source": "source_id", "capture_point": "capture_point"}),
    ))
    point_totals: dict[str, int] = {}
    for r in by_point:
        point_totals[r["capture_point_label"]] = point_totals.get(r["capture_point_label"], 0) + r["leads"]
    charts = [
        Chart("ColumnChart", _("Lead mỗi ngày: khách mới và khách quay lại"), [
            {"name": str(_("Khách mới")), "data": [[r["day"].isoformat(), r["new"]] for r in data["per_day"]]},
            {"name": str(_("Khách quay lại")), "data": [[r["day"].isoformat(), r["returning"]] for r in data["per_day"]]},
        ], {"stacked": True}),
        Chart("PieChart", _("Lead theo nguồn"), [[r["source"], r["leads"]] for r in data["by_source"]]),
        Chart("PieChart", _("Lead theo điểm thu lead"), sorted(point_totals.items(), key=lambda kv: -kv[1])),
    ]
    total = data["total"]
    cards = [
        (str(_("Lead")), fmt(total["leads"], "int"), leads_url(f)),
        (str(_("Khách mới")), fmt(total["new"], "int"), leads_url(f, kind="new")),
        (str(_("Khách quay lại")), fmt(total["returning"], "int"), leads_url(f, kind="returning")),
    ]
    return Page("leads", str(_("Lead theo ngày, nguồn, chiến dịch, dự án")), tables, charts, cards=cards)


def build_cost(f: Filters, scope: Scope) -> Page:
    data = queries.cost(f)
    cols = [Column("spend", _("Chi phí"), "vnd"), Column("leads", _("Lead")), Column("cost_per_lead", _("Chi phí / lead"), "vnd"),
            Column("qualified", _("Khách đạt NET+")), Column("cost_per_qualified", _("Chi phí / khách NET+"), "vnd")]

    def link_for(with_campaign: bool):
        def link(row: dict, key: str):
            extra = {"source": row["source_id"]}
            if with_campaign:
                extra["campaign"] = row["campaign"]
            if key == "leads":
                return leads_url(f.with_(team_id=None), **extra)
            if key == "qualified":
                return customers_url(f.with_(team_id=None), reached="net", **extra)
            return None
        return link

    tables = [
        Table("by_source", _("Chi phí theo nguồn"), [Column("source", _("Nguồn"), "text"), *cols], data["by_source"], link_for(False)),
        Table("by_campaign", _("Chi phí theo chiến dịch"),
              [Column("source", _("Nguồn"), "text"), Column("campaign", _("Chiến dịch"), "text"), *cols],
              data["by_campaign"], link_for(True)),
    ]
    charts = [
        Chart("ColumnChart", _("Chi phí / lead và chi phí / khách NET+ theo nguồn (₫)"), [
            {"name": str(_("Chi phí / lead")), "data": [[r["source"], r["cost_per_lead"] or 0] for r in data["by_source"]]},
            {"name": str(_("Chi phí / khách NET+")), "data": [[r["source"], r["cost_per_qualified"] or 0] for r in data["by_source"]]},
        ]),
    ]
    t = data["total"]
    cards = [
        (str(_("Tổng chi phí")), fmt(t["spend"], "vnd"), reverse("reports:spend")),
        (str(_("Chi phí / lead")), fmt(t["cost_per_lead"], "vnd"), leads_url(f.with_(team_id=None))),
        (str(_("Chi phí / khách NET+")), fmt(t["cost_per_qualified"], "vnd"), customers_url(f.with_(team_id=None), reached="net")),
    ]
    notes = [str(_("Khách NET+ được tính theo nguồn và chiến dịch của lead đầu tiên. Chi phí không chia theo đội."))]
    return Page("cost", str(_("Chi phí / lead và chi phí / khách đạt NET")), tables, charts, notes, cards)


def build_quality(f: Filters, scope: Scope) -> Page:
    data = queries.quality(f, scope)
    cols = [Column("source", _("Nguồn"), "text"), Column("customers", _("Khách"))]
    for key, label in (("net", "NET"), ("appointment", _("Hẹn gặp")), ("deposit", _("Cọc")), ("booking", "Booking")):
        cols += [Column(key, label), Column(f"{key}_share", _("Tỉ lệ"), "pct"), Column(f"{key}_days", _("Thời gian TB"), "days")]

    def link(row: dict, key: str):
        if key == "customers":
            return customers_url(f, source=row["source_id"])
        if key in ("net", "appointment", "deposit", "booking"):
            return customers_url(f, source=row["source_id"], reached=key)
        return None

    chart = Chart("BarChart", _("Tỉ lệ khách đạt từng mốc theo nguồn (%)"), [
        {"name": label, "data": [[r["source"], round(100 * (r[f"{key}_share"] or 0), 1)] for r in data["rows"]]}
        for key, label in (("net", "NET"), ("appointment", str(_("Hẹn gặp"))), ("deposit", str(_("Cọc"))), ("booking", "Booking"))
    ])
    notes = [str(_("Khách được tính theo nguồn của lead đầu tiên; thời gian tính từ lead đầu tiên đến lần đầu đạt mốc."))]
    return Page("quality", str(_("Chất lượng lead theo kênh")), [Table("by_source", _("Chất lượng theo nguồn"), cols, data["rows"], link)],
                [chart], notes)


def build_funnel(f: Filters, scope: Scope) -> Page:
    data = queries.funnel(f, scope)
    cols = [Column("label", _("Giai đoạn"), "text"), Column("reached", _("Đã đạt")), Column("from_previous", _("So với bước trước"), "pct"),
            Column("at", _("Đang ở đây")), Column("left", _("Rời phễu tại đây"))]

    def link(row: dict, key: str):
        if key == "reached":
            return customers_url(f, stage=row["rank"])
        if key == "at":
            return customers_url(f, at_stage=row["rank"])
        if key == "left":
            return customers_url(f, left=row["rank"])
        return None

    exits = Table("exits", _("Khách rời phễu (nuôi dưỡng dài hạn)"), [Column("status", _("Trạng thái"), "text"), Column("n", _("Khách"))],
                  data["exits"], lambda row, key: customers_url(f, exit_status=row["status_id"]) if key == "n" else None)
    chart = Chart("BarChart", _("Phễu: số khách đạt từng giai đoạn"), [[s["label"], s["reached"]] for s in data["stages"]])
    cards = [(str(_("Khách trong kỳ")), fmt(data["total"], "int"), customers_url(f))]
    return Page("funnel", str(_("Phễu theo trạng thái")), [Table("stages", _("Phễu"), cols, data["stages"], link), exits], [chart],
                cards=cards)


def build_speed(f: Filters, scope: Scope) -> Page:
    data = queries.speed(f, scope)
    cols = [Column("leads", _("Lead")), Column("called", _("Đã gọi")), Column("uncalled", _("Chưa gọi")),
            Column("median_minutes", _("Trung vị"), "minutes"), Column("p90_minutes", "p90", "minutes"),
            Column("within", _("Trong hạn")), Column("within_share", _("Tỉ lệ trong hạn"), "pct")]

    def link(row: dict, key: str):
        who = {"owner": row["user_id"]} if "user_id" in row else {"owner_team": row["team_id"]}
        if key == "leads":
            return leads_url(f, speed=1, **who)
        if key == "uncalled":
            return leads_url(f, speed="uncalled", **who)
        if key == "within":
            return leads_url(f, speed="within", **who)
        return None

    tables = [
        Table("people", _("Theo nhân viên"), [Column("user", _("Nhân viên"), "text"), *cols], data["people"], link),
        Table("teams", _("Theo đội"), [Column("team", _("Đội"), "text"), *cols], data["teams"], link),
    ]
    chart = Chart("BarChart", _("Thời gian gọi đầu tiên (trung vị, phút)"),
                  [[r["user"], round(r["median_minutes"] or 0, 1)] for r in data["people"]])
    notes = [str(_("Giới hạn: %(n)s phút (thời gian thực). Trung vị và p90 tính trên lead đã được gọi; lead chưa gọi tính là trễ hạn.")
                 % {"n": data["limit"]})]
    return Page("speed", str(_("Tốc độ gọi đầu tiên")), tables, [chart], notes)


def build_people(f: Filters, scope: Scope) -> Page:
    data = queries.effectiveness(f, scope)
    cols = [Column("user", _("Nhân viên"), "text"), Column("calls", _("Cuộc gọi")), Column("follow_ups_due", _("Lịch chăm sóc đến hạn")),
            Column("follow_ups_on_time", _("Làm đúng hạn")), Column("follow_ups_share", _("Tỉ lệ đúng hạn"), "pct"),
            Column("upgrades", _("Nâng trạng thái")), Column("appointments", _("Hẹn gặp")), Column("deposits", _("Cọc")),
            Column("bookings", "Booking"), Column("rotated_in", _("Nhận đảo")), Column("rotated_out", _("Bị đảo đi")),
            Column("first_call_violations", _("Vi phạm gọi đầu")), Column("attended", _("Ngày chấm công"))]
    links = {"calls": "called_by", "upgrades": "upgraded_by", "appointments": "appointment_by", "deposits": "deposit_by",
             "bookings": "booking_by", "rotated_in": "rotated_in", "rotated_out": "rotated_out"}

    def link(row: dict, key: str):
        return customers_url(f.with_(team_id=None), **{links[key]: row["user_id"]}) if key in links else None

    chart = Chart("ColumnChart", _("Cuộc gọi, nâng trạng thái và chốt theo nhân viên"), [
        {"name": str(_("Cuộc gọi")), "data": [[r["user"], r["calls"]] for r in data["rows"]]},
        {"name": str(_("Nâng trạng thái")), "data": [[r["user"], r["upgrades"]] for r in data["rows"]]},
        {"name": str(_("Cọc + booking")), "data": [[r["user"], r["deposits"] + r["bookings"]] for r in data["rows"]]},
    ])
    return Page("people", str(_("Hiệu quả nhân viên")), [Table("people", _("Hiệu quả theo nhân viên"), cols, data["rows"], link)], [chart])


def build_rotation(f: Filters, scope: Scope) -> Page:
    data = queries.rotation(f, scope)
    cols = [
        Column("candidates", _("Đến hạn đảo")), Column("neglected", _("Chăm sóc chưa đủ")), Column("kept", _("Giữ lại")),
        Column("rotated_by_leader", _("Quyết định đảo")), Column("reassigned", _("Phân lại")), Column("undecided", _("Chờ quyết định")),
        Column("rotation", _("Lượt đảo khách")), Column("first_call", _("Thu hồi vì không gọi")), Column("reassign", _("Lượt chỉ định")),
    ]
    moves = ("rotation", "first_call", "reassign")

    def link(row: dict, key: str):
        g = f
        if row.get("week"):
            g = f.with_(start=max(f.start, row["week"]), end=min(f.end, date.fromordinal(row["week"].toordinal() + 6)))
        if key in moves:
            return customers_url(g, rotated=key, rotated_team=row.get("team_id"))
        if key in queries.CANDIDATE_COUNTS:
            return customers_url(g, candidate=key, candidate_team=row.get("team_id"))
        return None

    tables = [
        Table("per_team", _("Theo đội"), [Column("team", _("Đội"), "text"), *cols], data["per_team"], link),
        Table("weekly", _("Theo tuần"), [Column("week", _("Tuần từ"), "date"), Column("team", _("Đội"), "text"), *cols],
              data["weekly"], link),
    ]
    weeks = sorted({r["week"] for r in data["weekly"]})
    chart = Chart("LineChart", _("Theo tuần"), [
        {"name": label, "data": [[w.isoformat(), sum(r[key] for r in data["weekly"] if r["week"] == w)] for w in weeks]}
        for key, label in (("candidates", str(_("Đến hạn đảo"))), ("neglected", str(_("Chăm sóc chưa đủ"))),
                           ("rotation", str(_("Lượt đảo khách"))), ("first_call", str(_("Thu hồi vì không gọi"))))
    ])
    t = data["totals"]
    cards = [
        (str(_("Đến hạn đảo")), fmt(t["candidates"], "int"), customers_url(f, candidate="candidates")),
        (str(_("Chăm sóc chưa đủ")), fmt(t["neglected"], "int"), customers_url(f, candidate="neglected")),
        (str(_("Chờ quyết định")), fmt(t["undecided"], "int"), customers_url(f, candidate="undecided")),
        (str(_("Thu hồi vì không gọi")), fmt(t["first_call"], "int"), customers_url(f, rotated="first_call")),
    ]
    notes = [str(_("Khách đến hạn tính theo ngày vào danh sách đảo; lượt đảo, thu hồi và chỉ định tính theo ngày đổi người phụ trách."))]
    return Page("rotation", str(_("Thống kê đảo khách")), tables, [chart], notes, cards)


def build_data_quality(f: Filters, scope: Scope) -> Page:
    data = queries.data_quality(f, scope)
    cols = [Column("source", _("Nguồn"), "text"), Column("leads", _("Lead")), Column("invalid", _("SĐT không hợp lệ")),
            Column("invalid_share", _("Tỉ lệ SĐT lỗi"), "pct"), Column("no_project", _("Chưa gắn dự án")), Column("test", _("Lead thử"))]
    kinds = {"leads": None, "invalid": "invalid", "no_project": "no_project", "test": "test"}

    def link(row: dict, key: str):
        return leads_url(f, kind=kinds[key], source=row["source_id"]) if key in kinds else None

    t = data["total"]
    cards = [
        (str(_("Hồ sơ trùng đã gộp")), fmt(t["merged"], "int"), None),
        (str(_("SĐT không hợp lệ")), fmt(t["invalid"], "int"), leads_url(f, kind="invalid")),
        (str(_("Lead chưa gắn dự án")), fmt(t["no_project"], "int"), leads_url(f, kind="no_project")),
        (str(_("Lead thử")), fmt(t["test"], "int"), leads_url(f, kind="test")),
    ]
    chart = Chart("ColumnChart", _("Lỗi dữ liệu theo nguồn"), [
        {"name": str(_("SĐT không hợp lệ")), "data": [[r["source"], r["invalid"]] for r in data["by_source"]]},
        {"name": str(_("Chưa gắn dự án")), "data": [[r["source"], r["no_project"]] for r in data["by_source"]]},
    ])
    return Page("data_quality", str(_("Chất lượng dữ liệu")), [Table("by_source", _("Theo nguồn"), cols, data["by_source"], link)],
                [chart], cards=cards)


BUILDERS: dict[str, Callable[[Filters, Scope], Page]] = {
    "leads": build_leads,
    "cost": build_cost,
    "quality": build_quality,
    "funnel": build_funnel,
    "speed": build_speed,
    "people": build_people,
    "rotation": build_rotation,
    "data_quality": build_data_quality,
}

TITLES = {
    "leads": _("Lead"),
    "cost": _("Chi phí / lead"),
    "quality": _("Chất lượng kênh"),
    "funnel": _("Phễu"),
    "speed": _("Tốc độ gọi"),
    "people": _("Hiệu quả nhân viên"),
    "rotation": _("Đảo khách"),
    "data_quality": _("Chất lượng dữ liệu"),
    "targets": _("Chỉ tiêu KPI"),
    "spend": _("Chi phí quảng cáo"),
    "audiences": _("Tệp remarketing"),
}

HINTS = {
    "leads": _("Theo ngày, nguồn, chiến dịch, dự án; khách mới và quay lại"),
    "cost": _("Chi phí / lead và chi phí / khách NET+ theo nguồn, chiến dịch"),
    "quality": _("Tỉ lệ đạt NET, hẹn gặp, cọc, booking và thời gian"),
    "funnel": _("Số khách qua từng trạng thái và nơi khách rời đi"),
    "speed": _("Trung vị, p90 và tỉ lệ gọi trong hạn theo nhân viên, đội"),
    "people": _("Cuộc gọi, chăm sóc đúng hạn, nâng trạng thái, chốt, đảo khách, chấm công"),
    "rotation": _("Đảo khách, thu hồi và chỉ định theo đội, theo tuần"),
    "data_quality": _("Hồ sơ trùng đã gộp, SĐT lỗi, lead chưa gắn dự án"),
    "targets": _("Chỉ tiêu tháng theo nhân viên, đội và tiến độ"),
    "spend": _("Nhập tay hoặc nhập CSV chi phí quảng cáo"),
    "audiences": _("Xuất tệp khách hàng đã băm SHA-256 cho Facebook, Google, TikTok"),
}


def report_url(slug: str) -> str:
    return reverse("reports:report", args=[slug]) if slug in BUILDERS else reverse(f"reports:{slug}")
