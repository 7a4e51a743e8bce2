"""Generated people and their leads for the intake benchmarks: known truth, ~30% repeats in mixed writings.

Deterministic (seeded), streamed to CSV/XLSX so a million rows never sit in memory.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from dataclasses import dataclass

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Thanh", "Ngọc", "Đức", "Quang", "Thu", "Hoài", "Gia", "Xuân"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hòa", "Hùng", "Hương", "Khánh", "Lan", "Linh",
         "Long", "Mai", "Minh", "Nam", "Ngọc", "Phong", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Trung", "Tuấn",
         "Vy", "Yến", "Đạt", "Đức"]
# Mobile prefixes in use (two digits after 0); the 3x ones also had pre-2018 11-digit forms (016x).
MOBILE = ["32", "33", "34", "35", "36", "37", "38", "39", "70", "76", "77", "78", "79", "81", "82", "83", "84", "85",
          "86", "88", "90", "91", "93", "94", "96", "97", "98"]
OLD_FORM = {"32": "162", "33": "163", "34": "164", "35": "165", "36": "166", "37": "167", "38": "168", "39": "169",
            "70": "120", "79": "121", "77": "122", "76": "126", "78": "128", "83": "123", "84": "124", "85": "125",
            "81": "127", "82": "129"}
HEADERS = ["Mã khách hàng", "Tên khách hàng", "Điện thoại", "Email", "Dự án", "Ghi chú"]


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    nsn: str  # 9 national digits
    email: str


def person(rng: random.Random, pid: int) -> Person:
    name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
    nsn = rng.choice(MOBILE) + f"{rng.randrange(10_000_000):07d}"
    email = f"kh{pid}.{rng.randrange(1000)}@example.vn" if rng.random() < 0.4 else ""
    return Person(pid, name, nsn, email)


def writing(rng: random.Random, nsn: str) -> str:
    """One of the ways people and systems write the same number."""
    a, b, c = nsn[:3], nsn[3:6], nsn[6:]
    choices = [f"0{nsn}", f"+84 {a} {b} {c}", f"0{a}.{b}.{c}", f"84{nsn}", f"0{a}-{b}-{c}", f"(+84) {nsn}", f"0{a} {b} {c}"]
    old = OLD_FORM.get(nsn[:2])
    if old:
        choices.append(f"0{old}{nsn[2:]}")
    return rng.choice(choices)


def rows(total: int, *, repeat_share: float = 0.3, seed: int = 7) -> Iterator[tuple[int, list[str]]]:
    """(person id, row) pairs: new people, or (repeat_share of the time) an earlier person written differently."""
    rng = random.Random(seed)
    people: list[Person] = []
    born = 0  # people made so far (the window below stops growing at 200,000; ids must not)
    for i in range(total):
        if people and rng.random() < repeat_share:
            p = people[rng.randrange(len(people))]
        else:
            born += 1
            p = person(rng, born)
            if len(people) < 200_000:
                people.append(p)
            else:  # keep memory flat: repeats come from a sliding window of known people
                people[rng.randrange(len(people))] = p
        yield p.id, [f"R{i + 1}", p.name if rng.random() < 0.9 else p.name.upper(), writing(rng, p.nsn), p.email,
                     "", "ghi chú" if rng.random() < 0.1 else ""]


def write_csv(path, total: int, **kwargs) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(HEADERS)
        for _pid, row in rows(total, **kwargs):
            writer.writerow(row)


def write_xlsx(path, total: int, **kwargs) -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADERS)
    for _pid, row in rows(total, **kwargs):
        sheet.append(row)
    book.save(path)


def dedup_set(people: int, *, seed: int = 11) -> tuple[list[list[str]], dict[str, int], list[tuple[str, str]]]:
    """Rows with known truth for dedup quality.

    Returns (rows, record id → person id, typo pairs): every person 1–3 records in different writings
    (must become one customer), ~5% also a record with a one-digit typo or swapped digits in the phone
    and the same name (must NOT merge, must reach the review queue), and many namesakes (must stay apart).
    """
    rng = random.Random(seed)
    out, truth, typos = [], {}, []
    for pid in range(1, people + 1):
        p = person(rng, pid)
        for _ in range(rng.choice([1, 1, 2, 3])):
            rid = f"D{len(out) + 1}"
            out.append([rid, p.name, writing(rng, p.nsn), "", "", ""])
            truth[rid] = pid
        if rng.random() < 0.05:
            digits = list(p.nsn)
            i = rng.randrange(2, 8)
            if rng.random() < 0.5:
                digits[i] = str((int(digits[i]) + rng.randrange(1, 10)) % 10)
            else:
                digits[i], digits[i + 1] = digits[i + 1], digits[i]
            typo = "".join(digits)
            if typo != p.nsn:
                rid = f"D{len(out) + 1}"
                out.append([rid, p.name, f"0{typo}", "", "", ""])
                truth[rid] = pid
                typos.append((f"D{len(out) - 1}", rid))
    rng.shuffle(out)
    return out, truth, typos
