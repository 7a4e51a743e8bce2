"""Conversation benchmarks: Messenger and fanpage-comment webhooks under load, phone numbers found in free text.

- Webhooks: gunicorn (sync workers) serves the bench database on a free 127.0.0.1 port; a second process posts
  Meta-shaped page events signed with X-Hub-Signature-256 at 100 requests/s (open loop) and reports p50/p99 of
  request → stored + acknowledged. The worker then processes what was stored; its rate is reported.
- find_phones over generated Vietnamese messages (1,000,000; quick 100,000): messages/s, and whether every
  planted number was found and nothing else.
"""

from __future__ import annotations

import random
import subprocess
import sys
import time

from bench.bench_intake import RATE, ROOT, _env, _free_port, _load_note, _pct, _serve, _stop, start_worker

PAGE_ID = "990001"
APP_SECRET = "bench-app-secret"


def _setup_world():
    from leadpool.accounts.models import Membership, Role, Team, User
    from leadpool.customers.models import Project, Source
    from leadpool.intake.models import ChannelConfig

    project, _ = Project.objects.get_or_create(code="bench", defaults={"name": "Bench"})
    team, _ = Team.objects.get_or_create(name="Bench team")
    team.projects.add(project)
    for i in range(10):
        user, _ = User.objects.get_or_create(username=f"bench_sale{i}", defaults={"role": Role.SALES})
        Membership.objects.get_or_create(team=team, user=user)
    # Hiding comments would call the real Graph API: off here, the worker's figure is the lead itself.
    return ChannelConfig.objects.create(
        kind="facebook", name="bench page", source=Source.objects.get(key="facebook_ads"), project=project,
        external_id=PAGE_ID, secret=APP_SECRET, access_token="bench-token", verify_token="bench",
        rate_limit_per_minute=10_000_000,
    )


def _post_load(url: str, count: int, kind: str, page_id: str) -> dict:
    import json

    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "intake_load.py"), url, str(RATE), str(count), kind,
         f"{APP_SECRET}:{page_id}"],
        capture_output=True, text=True, env=_env(), check=True,
    )
    return json.loads(out.stdout)


def _drain(worker, kind: str, started: float, budget: float = 300) -> tuple[int, float]:
    """Let the worker (running since the burst began) finish every stored event of this kind, or spend the budget
    of seconds: (processed, seconds since the burst began)."""
    from django.db import connection

    from leadpool.intake.models import InboxItem

    try:
        deadline = time.time() + budget
        items = InboxItem.objects.filter(meta__kind=kind, meta__page_id=PAGE_ID)
        while time.time() < deadline and items.filter(state="received").exists():
            time.sleep(0.2)
        took = time.perf_counter() - started
    finally:
        _stop(worker)
        connection.close()
    return items.filter(state="processed").count(), took


def webhooks(ctx) -> list[dict]:
    from leadpool.customers.models import Lead

    # Quick: a short burst and a short look at the worker's rate, so `make bench-quick` stays under 5 minutes.
    count = 200 if ctx.quick else 3000
    drain_budget = 5 if ctx.quick else 300
    config = _setup_world()
    port = _free_port()
    server = _serve(port)
    url = f"http://127.0.0.1:{port}/intake/hook/facebook/{config.token}/"
    target = "< 50 ms" if ctx.vendor == "postgresql" else "(PostgreSQL target: < 50 ms)"
    rows = []
    try:
        _post_load(url, 50, "comment", "1")  # warm both workers (another page id: keys never collide)
        for kind, meta_kind in (("messenger", "message"), ("comment", "comment")):
            ctx.say(f"{count} {kind} webhooks at {RATE}/s")
            # The worker runs during the burst, as in production (at its lower CPU priority), and then catches up.
            leads_before = Lead.objects.count()
            started = time.perf_counter()
            worker = start_worker()
            result = _post_load(url, count, kind, PAGE_ID)
            lat = result["latencies_ms"]
            acknowledged = sum(1 for s in result["statuses"] if s == 200)
            p50, p99 = _pct(lat, 50), _pct(lat, 99)
            rows.append({"name": f"{kind} webhook: p50 (request → stored + acknowledged)", "value": round(p50, 1),
                         "unit": "ms", "target": "", "ok": True,
                         "note": f"{count} signed requests at {RATE}/s, {acknowledged} answered 200"})
            rows.append({"name": f"{kind} webhook: p99 (request → stored + acknowledged)", "value": round(p99, 1),
                         "unit": "ms", "target": target, "ok": p99 < 50 and acknowledged == count,
                         "note": f"throughput {count / result['wall']:.0f} req/s; {_load_note()}"})
            ctx.say(f"worker processing {kind} events")
            processed, took = _drain(worker, meta_kind, started, drain_budget)
            rows.append({"name": f"{kind}: worker processing, from the burst's start (one worker)",
                         "value": round(processed / took),
                         "unit": "events/s", "target": "", "ok": processed == count or (ctx.quick and processed > 0),
                         "note": f"{processed} of {count} processed {took:.1f} s after the burst began, "
                                 f"{Lead.objects.count() - leads_before} leads; {_load_note()}"})
    finally:
        _stop(server)
    return rows


# Pieces of generated messages: Vietnamese filler with prices, dates, areas and codes that are not phones.
_FILLER = [
    "Cho em hỏi giá căn 2PN", "dự án còn căn góc không ạ", "giá 3,2 tỷ đúng không shop", "em quan tâm 😍",
    "bàn giao 12/05/2026 phải không", "diện tích 75m2", "mã căn A12-0912", "CCCD 079123456789", "850tr được không",
    "thanh toán 2.500.000.000đ trước", "gọi sau 5h chiều nhé", "Khong dau: cho minh xin bang gia", "👍👍",
    "năm 2027 mới nhận nhà à", "ib em với", "lô B3-15 hướng Đông Nam",
]
_HEADS = ["90", "91", "93", "94", "96", "97", "98", "32", "33", "35", "38", "39", "70", "77", "79", "81", "85", "86",
          "88", "56", "58", "59"]
_STYLES = [
    lambda n: "0" + n,
    lambda n: f"0{n[:3]} {n[3:6]} {n[6:]}",
    lambda n: f"0{n[:3]}.{n[3:6]}.{n[6:]}",
    lambda n: f"0{n[:1]} {n[1:5]} {n[5:]}",
    lambda n: "+84 " + n,
    lambda n: f"(+84) {n[:3]}-{n[3:6]}-{n[6:]}",
    lambda n: "sdt0" + n,
    lambda n: "zalo 0" + n,
]


def messages(count: int, seed: int) -> tuple[list[str], int]:
    """Generated messages, and how many numbers were planted in them (about one message in three has one)."""
    rng = random.Random(seed)
    out, planted = [], 0
    for _ in range(count):
        parts = rng.sample(_FILLER, rng.randint(1, 3))
        if rng.random() < 0.35:
            national = rng.choice(_HEADS) + f"{rng.randrange(10_000_000):07d}"
            parts.insert(rng.randint(0, len(parts)), rng.choice(_STYLES)(national))
            planted += 1
        out.append(rng.choice([" ", ", ", "\n"]).join(parts))
    return out, planted


def phones_in_text(ctx) -> list[dict]:
    from leadpool.intake.phones_in_text import find_phones

    total = 100_000 if ctx.quick else 1_000_000
    chunk = 100_000
    seconds, found, planted = 0.0, 0, 0
    for start in range(0, total, chunk):
        batch, planted_here = messages(min(chunk, total - start), seed=start)
        planted += planted_here
        began = time.perf_counter()
        for text in batch:
            found += len(find_phones(text))
        seconds += time.perf_counter() - began
    rate = total / seconds
    return [{"name": f"find_phones over {total:,} generated messages", "value": round(rate), "unit": "messages/s",
             "target": "", "ok": found == planted,
             "note": f"{found:,} numbers found, {planted:,} planted; {seconds:.1f} s; {_load_note()}"}]


def run(ctx) -> list[dict]:
    rows = []
    rows += phones_in_text(ctx)
    rows += webhooks(ctx)
    return rows
