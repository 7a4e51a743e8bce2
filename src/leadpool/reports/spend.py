"""Ad spend: reading a CSV of spend per day, source, campaign and project, checking every row, saving it."""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction

from leadpool.audit import log as audit
from leadpool.customers.models import Project, Source

from .models import AdSpend

MAX_AMOUNT = 10**13  # ten thousand billion đồng: anything above is a typo

HEADERS = {
    "day": {"day", "date", "ngay"},
    "source": {"source", "nguon"},
    "campaign": {"campaign", "chien dich", "chien_dich"},
    "project": {"project", "du an", "du_an"},
    "amount": {"amount", "spend", "so tien", "so_tien", "chi phi", "chi_phi"},
}
REQUIRED = ("day", "source", "amount")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFD", text.strip().lower().replace("đ", "d"))
    return "".join(ch for ch in text if unicodedata.category(ch) != "Mn")


def parse_day(text: str) -> date | None:
    text = (text or "").strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


_AMOUNT_NOISE = re.compile(r"[\s.,_]|vnd|vnđ|đ|d$", re.IGNORECASE)


def parse_amount(text: str) -> int | None:
    """VND has no subunit, so dots, commas and spaces are thousands separators: "1.500.000 đ" is 1500000."""
    cleaned = _AMOUNT_NOISE.sub("", (text or "").strip())
    if not cleaned.isdigit():
        return None
    return int(cleaned)


@dataclass
class SpendRow:
    line: int
    day: date
    source: Source
    campaign: str
    project: Project | None
    amount: int


@dataclass
class Parsed:
    rows: list[SpendRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


def _columns(header: list[str]) -> dict[str, int]:
    found = {}
    for index, name in enumerate(header):
        folded = _fold(name)
        for key, names in HEADERS.items():
            if folded in names and key not in found:
                found[key] = index
    return found


def parse_csv(text: str, *, sources=None, projects=None) -> Parsed:
    """Every row checked; each bad row gets one clear message naming its line (line 1 is the header)."""
    result = Parsed()
    sample = text[:2048]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), dialect)
    header = next(reader, None)
    if not header:
        result.errors.append((1, "Tệp trống: cần dòng tiêu đề ngay, nguon, chien_dich, du_an, so_tien."))
        return result
    cols = _columns(header)
    missing = [k for k in REQUIRED if k not in cols]
    if missing:
        result.errors.append((1, "Thiếu cột: " + ", ".join(missing) + " (cần ngay, nguon, so_tien; tuỳ chọn chien_dich, du_an)."))
        return result
    sources = sources if sources is not None else {s.key: s for s in Source.objects.all()}
    by_name = {_fold(s.name): s for s in sources.values()}
    projects = projects if projects is not None else {p.code: p for p in Project.objects.all()}
    projects_by_name = {_fold(p.name): p for p in projects.values()}
    seen: dict[tuple, int] = {}
    for line, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue

        def cell(key: str, values=values) -> str:
            i = cols.get(key)
            return values[i].strip() if i is not None and i < len(values) else ""

        problems = []
        day = parse_day(cell("day"))
        if day is None:
            problems.append(f"ngày “{cell('day')}” không hợp lệ (dùng YYYY-MM-DD hoặc DD/MM/YYYY)")
        raw_source = cell("source")
        source = sources.get(raw_source) or by_name.get(_fold(raw_source))
        if source is None:
            problems.append(f"nguồn “{raw_source}” không có trong danh mục")
        project = None
        raw_project = cell("project")
        if raw_project:
            project = projects.get(raw_project) or projects_by_name.get(_fold(raw_project))
            if project is None:
                problems.append(f"dự án “{raw_project}” không có trong danh mục")
        amount = parse_amount(cell("amount"))
        if amount is None:
            problems.append(f"số tiền “{cell('amount')}” không phải số nguyên VND")
        elif amount > MAX_AMOUNT:
            problems.append(f"số tiền {amount:,} quá lớn")
        campaign = cell("campaign")
        if len(campaign) > 200:
            problems.append("tên chiến dịch dài quá 200 ký tự")
        if not problems:
            key = (day, source.pk, campaign, project.pk if project else None)
            if key in seen:
                problems.append(f"trùng với dòng {seen[key]} (cùng ngày, nguồn, chiến dịch, dự án)")
            else:
                seen[key] = line
        if problems:
            result.errors.append((line, "; ".join(problems)))
        else:
            result.rows.append(SpendRow(line, day, source, campaign, project, amount))
    if not result.rows and not result.errors:
        result.errors.append((1, "Tệp không có dòng dữ liệu nào."))
    return result


def save_spend(*, day: date, source: Source, campaign: str, project: Project | None, amount: int, by, note: str = "") -> AdSpend:
    """One figure per day, source, campaign and project: entering it again replaces the amount."""
    row, _created = AdSpend.objects.update_or_create(
        day=day, source=source, campaign=campaign, project=project,
        defaults={"amount": amount, "entered_by": by, "note": note},
    )
    return row


def import_rows(parsed: Parsed, *, by, filename: str = "") -> int:
    """All rows or none: a file with any bad row is not half-imported."""
    if not parsed.ok:
        raise ValueError("Cannot import a file with errors.")
    with transaction.atomic():
        for r in parsed.rows:
            save_spend(day=r.day, source=r.source, campaign=r.campaign, project=r.project, amount=r.amount, by=by)
        audit.record(
            "ad_spend.imported", actor=by,
            data={"file": filename, "rows": len(parsed.rows), "total": sum(r.amount for r in parsed.rows)},
        )
    return len(parsed.rows)
