"""A believable demo company, generated deterministically: projects, teams, people, ~2,000 customers."""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

SEED = 20261123
PASSWORD = "leadpool"

PROJECTS = [
    ("Lotus Garden Thủ Đức", "lotus-garden", "launch", "TP. Thủ Đức, TP.HCM"),
    ("Sông Hàn Residence", "song-han", "pre_launch", "Sơn Trà, Đà Nẵng"),
    ("Aurora Bình Dương", "aurora-bd", "nurture", "Thuận An, Bình Dương"),
    ("Sunrise Nha Trang", "sunrise-nt", "launch", "Nha Trang, Khánh Hòa"),
    ("Green Park Long Biên", "green-park", "nurture", "Long Biên, Hà Nội"),
]
TEAMS = [("Đội Sài Gòn", ["lotus-garden", "aurora-bd"]), ("Đội Miền Trung", ["song-han", "sunrise-nt"]), ("Đội Hà Nội", ["green-park"])]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Minh", "Thanh", "Ngọc", "Hữu", "Đức", "Quốc", "Thu", "Hoài", "Gia", "Bảo"]
GIVEN = ["An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng", "Khánh", "Lan", "Linh",
         "Long", "Mai", "Minh", "Nam", "Ngân", "Nhung", "Phong", "Phúc", "Quân", "Quyên", "Sơn", "Tâm", "Thảo", "Trang",
         "Trung", "Tuấn", "Vy", "Yến", "Đạt", "Ánh", "Ân", "Khoa"]
MOBILE_PREFIXES = ["090", "091", "093", "094", "096", "097", "098", "032", "033", "035", "038", "070", "077", "079", "081", "083", "085", "056", "058"]
CAMPAIGNS = {
    "facebook_ads": ["FB_LeadForm_T11", "FB_Messenger_Q4", "FB_Retarget_60d"],
    "google_ads": ["GG_Search_CanHo", "GG_LeadForm_Brand"],
    "zalo_ads": ["Zalo_OA_T11"],
    "tiktok_ads": ["TT_Video_ThuDuc"],
    "ladipage": ["LP_UuDai_MoBan"],
    "hotline": [""],
    "referral": [""],
    "old_data": [""],
}
SOURCE_WEIGHTS = [("facebook_ads", 40), ("google_ads", 18), ("zalo_ads", 10), ("tiktok_ads", 8), ("ladipage", 12),
                  ("hotline", 5), ("referral", 4), ("old_data", 3)]
NOTES = ["Khách quan tâm căn 2PN, hỏi giá và tiến độ thanh toán.", "Khách đang ở xa, hẹn cuối tuần gọi lại.",
         "Đã gửi bảng giá qua Zalo.", "Khách cần vay ngân hàng 70%, đã tư vấn gói vay.", "Khách muốn xem nhà mẫu.",
         "Khách so sánh với dự án bên cạnh, cần thêm thông tin pháp lý.", "Khách mua đầu tư, hỏi giá thuê.",
         "Vợ chồng khách cùng quyết định, hẹn gặp cả hai."]


def _phone(rng: random.Random) -> str:
    digits = f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**7):07d}"
    style = rng.randrange(4)
    if style == 0:
        return digits
    if style == 1:
        return f"{digits[:4]} {digits[4:7]} {digits[7:]}"
    if style == 2:
        return "+84" + digits[1:]
    return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"


def load(*, customers: int = 2000, stdout=None) -> bool:
    """Create the demo company once. Returns False when it is already there (idempotent)."""
    from leadpool.accounts.models import Attendance, Membership, Role, Team, User
    from leadpool.customers.models import Customer, Group, Project

    if User.objects.filter(username="manager").exists() and Customer.objects.exists():
        return False
    rng = random.Random(SEED)
    now = timezone.now()
    say = stdout.write if stdout else (lambda *_: None)

    with transaction.atomic():
        projects = {}
        for name, code, phase, location in PROJECTS:
            projects[code], _ = Project.objects.get_or_create(code=code, defaults=dict(name=name, phase=phase, location=location))
        parent, _ = Group.objects.get_or_create(name="Nhà đầu tư", parent=None)
        Group.objects.get_or_create(name="Đầu tư lướt sóng", parent=parent)
        Group.objects.get_or_create(name="Đầu tư cho thuê", parent=parent)
        Group.objects.get_or_create(name="Mua để ở", parent=None)
        Group.objects.get_or_create(name="Khách VIP", parent=None)

        from django.contrib.auth.hashers import make_password

        hashed = make_password(PASSWORD)  # hashing is slow on purpose: do it once for all demo people

        def person(username, first, last, role, staff=False):
            user, _ = User.objects.get_or_create(
                username=username,
                defaults=dict(first_name=first, last_name=last, role=role, is_staff=staff, password=hashed),
            )
            return user

        person("manager", "Quản lý", "Trần", Role.MANAGER, staff=True).is_superuser or User.objects.filter(
            username="manager").update(is_superuser=True)
        person("mkt1", "Thảo", "Lê", Role.MARKETING)
        person("mkt2", "Khoa", "Phạm", Role.MARKETING)
        counter = 1
        sales = []
        for index, (team_name, codes) in enumerate(TEAMS, start=1):
            leader = person(f"leader{index}", f"Trưởng nhóm {index}", "Nguyễn", Role.LEADER)
            team, _ = Team.objects.get_or_create(name=team_name, defaults=dict(leader=leader))
            team.projects.set([projects[c] for c in codes])
            Membership.objects.get_or_create(team=team, user=leader)
            for _ in range(5):
                given = rng.choice(GIVEN)
                user = person(f"sale{counter}", given, rng.choice(FAMILY), Role.SALES)
                Membership.objects.get_or_create(team=team, user=user)
                sales.append(user)
                counter += 1
        attendance = []
        for user in User.objects.filter(role__in=[Role.SALES, Role.LEADER]).order_by("username"):
            for back in range(0, 61):  # leads of the last 60 days went to people on duty that day
                day = timezone.localdate(now - timedelta(days=back))
                if back == 0 or rng.random() < 0.88:
                    attendance.append(Attendance(user=user, day=day, checked_in_at=now - timedelta(days=back)))
        Attendance.objects.bulk_create(attendance, ignore_conflicts=True)
    say(f"Demo company: {len(projects)} projects, {len(TEAMS)} teams, {len(sales)} salespeople.\n")
    with transaction.atomic():  # one commit: the demo loads in seconds rather than a minute
        _customers(rng, customers, now, say)
    _landing_page_arrivals(rng, projects, say)
    # The care history above was written in bulk: let the worker bring every clock up to date.
    from leadpool.rotation.rulesets import recompute_task

    recompute_task.enqueue()
    return True


def _customers(rng: random.Random, count: int, now, say) -> None:
    """Leads arrive through the real capture path; the care that followed is written in bulk."""
    from leadpool.customers.models import Customer, Group, Lead, Project, Source, Status
    from leadpool.intake.capture import LeadInput, capture
    from leadpool.sales.models import Activity, FollowUp, StatusChange

    sources = {s.key: s for s in Source.objects.all()}
    projects = list(Project.objects.order_by("code"))
    statuses = {s.key: s for s in Status.objects.all()}
    groups = list(Group.objects.all())
    keys, weights = zip(*SOURCE_WEIGHTS, strict=True)
    people = []
    for _ in range(count):
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        people.append((name, _phone(rng)))
    arrivals = []
    for index, (name, phone) in enumerate(people):
        # Most leads in the last 60 days, a handful in the last hours so the inbox has fresh work.
        minutes = rng.randrange(5, 240) if index % 100 == 0 else rng.randrange(60 * 6, 60 * 24 * 60)
        arrivals.append((now - timedelta(minutes=minutes), name, phone))
        if rng.random() < 0.12:  # the same person comes back through another channel, phone written otherwise
            digits = "".join(ch for ch in phone if ch.isdigit())
            again = "0" + digits[2:] if digits.startswith("84") else digits
            arrivals.append((now - timedelta(minutes=rng.randrange(1, max(2, minutes))), name, again))
    arrivals.sort()
    say(f"Capturing {len(arrivals)} leads…\n")
    captured = {}
    for received_at, name, phone in arrivals:
        key = rng.choices(keys, weights)[0]
        project = rng.choice(projects)
        data = LeadInput(
            source=sources[key],
            name=name,
            phones=[phone],
            emails=[f"{name_ascii(name)}{rng.randrange(100)}@gmail.com"] if rng.random() < 0.3 else [],
            projects=[project],
            campaign=rng.choice(CAMPAIGNS.get(key, [""])),
            capture_point={"hotline": "hotline", "referral": "referral", "old_data": "import", "ladipage": "landing_page"}.get(key, "lead_form"),
            answers={"Nhu cầu": rng.choice(["Mua ở", "Đầu tư", "Cho thuê"]), "Ngân sách": rng.choice(["2-3 tỷ", "3-5 tỷ", "trên 5 tỷ"])},
            consent_text="Tôi đồng ý để công ty liên hệ tư vấn về dự án.",
            received_at=received_at,
            raw_payload={"demo": True},
        )
        result = capture(data)
        captured[result.customer.pk] = result.customer

    say("Writing calls, notes and status changes…\n")
    activities, changes, follow_ups, lead_calls = [], [], [], []
    ladder = ["in_care", "net", "appointment", "deposit", "booking"]
    for customer in Customer.objects.filter(pk__in=captured).select_related("owner"):
        start = customer.first_lead_at
        age_hours = (now - start).total_seconds() / 3600
        if age_hours < 5 or customer.owner is None:
            continue  # fresh lead, not called yet: the salesperson's inbox shows it first
        if rng.random() < 0.35:
            customer.groups.add(rng.choice(groups))
        owner = customer.owner
        t = start + timedelta(minutes=rng.randrange(3, 90))
        reached = rng.random() < 0.75
        activities.append(Activity(customer=customer, author=owner, kind="call", occurred_at=t, created_at=t,
                                   call_direction="out", call_outcome="reached" if reached else "no_answer",
                                   duration_seconds=rng.randrange(40, 600) if reached else 0))
        # Every later arrival of the same person was answered by a call too (speed to lead per lead).
        first_calls = []
        for lead in sorted(customer.leads.all(), key=lambda x: x.received_at):
            called = t if lead.received_at <= t else lead.received_at + timedelta(minutes=rng.randrange(2, 60))
            if called >= now - timedelta(minutes=30):
                continue
            if called != t:
                activities.append(Activity(customer=customer, author=owner, kind="call", occurred_at=called,
                                           created_at=called, call_direction="out", call_outcome="reached",
                                           duration_seconds=rng.randrange(30, 400)))
            first_calls.append((lead.pk, called))
        path = ["no_answer"] if not reached else ["in_care"]
        if reached:
            depth = rng.choices([0, 1, 2, 3, 4], [45, 25, 15, 9, 6])[0]
            path = ladder[: depth + 1]
            if rng.random() < 0.12:
                path = ["in_care", rng.choice(["no_need", "wrong_target"])]
        current = statuses["new"]
        for step in path:
            t = min(now - timedelta(hours=1), t + timedelta(hours=rng.randrange(2, 96)))
            activities.append(Activity(customer=customer, author=owner, kind="note", body=rng.choice(NOTES), occurred_at=t, created_at=t))
            details = {}
            if step == "net":
                details = {"next_follow_up_at": (t + timedelta(days=3)).isoformat()}
            elif step == "appointment":
                details = {"appointment_at": (t + timedelta(days=2)).isoformat(), "appointment_place": "Nhà mẫu dự án"}
            elif step in ("deposit", "booking"):
                details = {"amount": str(rng.choice([50, 100, 200]) * 1_000_000), "deal_date": t.date().isoformat()}
            reason = "Khách không có nhu cầu lúc này" if step in ("no_need", "wrong_target") else ""
            changes.append(StatusChange(customer=customer, from_status=current, to_status=statuses[step], by=owner, at=t,
                                        reason=reason, details=details))
            current = statuses[step]
        customer.status = current
        customer.status_entered_at = t
        customer.last_contact_at = t
        if rng.random() < 0.7:  # most salespeople follow up as the rules ask (two or more times)
            for step in range(rng.randrange(2, 4)):
                due = start + timedelta(days=step + 1)
                if due < now - timedelta(hours=2):
                    follow_ups.append(FollowUp(customer=customer, owner=owner, due_at=due, created_at=start, created_by=owner,
                                               done_at=due + timedelta(minutes=rng.randrange(0, 240)), note="Gọi chăm sóc"))
        if rng.random() < 0.4 and current.kind == "open":
            due = now + timedelta(hours=rng.randrange(-48, 96))
            follow_ups.append(FollowUp(customer=customer, owner=owner, due_at=due, note="Gọi lại tư vấn chính sách mới", created_by=owner))
        lead_calls.extend(first_calls)
        customer.save(update_fields=["status", "status_entered_at", "last_contact_at"])
    Activity.objects.bulk_create(activities, batch_size=1000)
    for lead_id, called in lead_calls:
        Lead.objects.filter(pk=lead_id).update(first_call_at=called)
    StatusChange.objects.bulk_create(changes, batch_size=1000)
    FollowUp.objects.bulk_create(follow_ups, batch_size=1000)
    say(f"Demo data: {len(captured)} customers, {len(arrivals)} leads, {len(activities)} activities.\n")


def _landing_page_arrivals(rng: random.Random, projects: dict, say) -> None:
    """Two connections, and the latest leads from one of them posted to its webhook as the landing page does:
    each stored in the inbox as it came, then processed by the worker once the demo serves. Among them a person
    already on file (phone written another way), a re-delivery of the same post and a body that is not JSON."""
    import json

    from django.test import RequestFactory

    from leadpool.customers.models import Phone, Source
    from leadpool.intake import endpoints
    from leadpool.intake.models import ChannelConfig

    page = ChannelConfig.objects.create(kind=ChannelConfig.Kind.LADIPAGE, name="Ladipage · Lotus Garden ưu đãi mở bán",
                                        source=Source.objects.get(key="ladipage"), project=projects["lotus-garden"])
    ChannelConfig.objects.create(kind=ChannelConfig.Kind.GENERIC, name="Website công ty",
                                 source=Source.objects.get(key="website"))
    factory = RequestFactory()

    def post(body: bytes, content_type: str = "application/json"):
        request = factory.post(f"/intake/hook/ladipage/{page.token}/", data=body, content_type=content_type,
                               HTTP_USER_AGENT="LadiPage-Webhook/1.0", REMOTE_ADDR="103.97.125.10")
        return endpoints.hook(request, "ladipage", page.token)

    known = Phone.objects.order_by("pk").first()
    forms = []
    for _ in range(8):
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        forms.append({"name": name, "phone": _phone(rng), "email": f"{name_ascii(name)}{rng.randrange(100)}@gmail.com",
                      "note": rng.choice(["Cho em xin bảng giá căn 2PN", "Muốn xem nhà mẫu cuối tuần", ""]),
                      "form_config_id": "FORM_LOTUS_UUDAI", "url_page": "https://uudai.lotusgarden.vn/",
                      "utm_source": "facebook", "utm_campaign": "LP_UuDai_MoBan"})
    if known is not None:  # someone on file fills the landing page too, the number written the local way
        forms.append({"name": "", "phone": "0" + known.e164[3:], "form_config_id": "FORM_LOTUS_UUDAI"})
    bodies = [json.dumps(f, ensure_ascii=False).encode() for f in forms]
    for body in bodies:
        post(body)
    post(bodies[0])  # the landing page retried: the inbox keeps one item and answers the same
    post('{"name": "Trần Văn", "phone": '.encode())  # cut off mid-way
    say(f"Landing page: {len(bodies) + 2} posts to the inbox (one repeated, one cut off).\n")


def name_ascii(name: str) -> str:
    from leadpool.customers.normalize import name_key

    return name_key(name).replace(" ", ".")
