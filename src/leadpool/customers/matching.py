"""Possible duplicates: profiles that may be one person though no phone or e-mail is exactly shared.

Exact matching (normalized phone, then e-mail) happens in intake.capture and never needs a person.
What is found here is only ever a suggestion for the review queue: a name alone never merges.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

# Local parts that name a role, not a person: the same "info@" on two domains says nothing.
GENERIC_LOCALS = {
    "info", "admin", "contact", "sales", "support", "hello", "lienhe", "test", "mail", "email", "office",
    "hr", "noreply", "no-reply", "marketing", "cskh", "kinhdoanh", "hotro",
}
MIN_LOCAL_LENGTH = 4
# Beyond this many profiles under one name, a name block is too common to compare pairwise cheaply.
MAX_BLOCK = 2000

PHONE_TYPO = "phone_typo"
PHONE_SWAP = "phone_swap"
EMAIL_LOCAL = "email_local"
SHARED_CONTACT = "shared_contact"


def _digits(e164: str) -> str:
    # Compare the national part: the country code is never the typo people make.
    return e164[3:] if e164.startswith("+84") else e164.lstrip("+")


def phone_relation(a: str, b: str) -> str | None:
    """PHONE_TYPO when two numbers differ in one digit, PHONE_SWAP when two adjacent digits are swapped."""
    if a == b or a.startswith("+84") != b.startswith("+84"):
        return None
    da, db = _digits(a), _digits(b)
    if len(da) != len(db):
        return None
    diff = [i for i, (x, y) in enumerate(zip(da, db, strict=True)) if x != y]
    if len(diff) == 1:
        return PHONE_TYPO
    if len(diff) == 2 and diff[1] == diff[0] + 1 and da[diff[0]] == db[diff[1]] and da[diff[1]] == db[diff[0]]:
        return PHONE_SWAP
    return None


def phone_neighbours(e164: str) -> set[str]:
    """Every number one typo or one adjacent swap away, as E.164 strings (for an equality lookup)."""
    prefix = "+84" if e164.startswith("+84") else "+"
    digits = _digits(e164)
    out: set[str] = set()
    for i, ch in enumerate(digits):
        for d in "0123456789":
            if d != ch:
                out.add(prefix + digits[:i] + d + digits[i + 1 :])
        if i + 1 < len(digits) and digits[i] != digits[i + 1]:
            out.add(prefix + digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :])
    return out


def email_local(address: str) -> str | None:
    """The part before @ when it is specific enough to suggest one person."""
    local = address.split("@", 1)[0].lower()
    base = local.split("+", 1)[0]
    if len(base) < MIN_LOCAL_LENGTH or base in GENERIC_LOCALS:
        return None
    return base


@dataclass(frozen=True)
class Profile:
    """What duplicate detection needs to know of one customer."""

    id: int
    name_key: str
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()


@dataclass(frozen=True)
class Pair:
    a: int
    b: int
    reason: str
    detail: str

    @classmethod
    def of(cls, x: int, y: int, reason: str, detail: str) -> Pair:
        return cls(min(x, y), max(x, y), reason, detail)


def _phone_keys(e164: str) -> list[str]:
    """Blocking keys: two numbers one typo apart share a '?' key; an adjacent swap shares a '<>' key."""
    prefix = "+84" if e164.startswith("+84") else "+"
    d = _digits(e164)
    keys = [f"{prefix}{d[:i]}?{d[i + 1:]}" for i in range(len(d))]
    keys += [f"{prefix}{d[:i]}<{''.join(sorted(d[i:i + 2]))}>{d[i + 2:]}" for i in range(len(d) - 1)]
    return keys


def near_pairs(profiles: Iterable[Profile]) -> list[Pair]:
    """Pairs of profiles that may be one person: same accent-folded name with a near phone, or same e-mail local part.

    Pure: runs over plain data, linear in the number of phones thanks to blocking keys.
    """
    by_name: dict[str, list[Profile]] = defaultdict(list)
    by_local: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for p in profiles:
        if p.name_key:
            by_name[p.name_key].append(p)
        for address in p.emails:
            local = email_local(address)
            if local:
                by_local[local].append((p.id, address))
    found: dict[tuple[int, int], Pair] = {}
    for block in by_name.values():
        if len(block) < 2:
            continue
        buckets: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for p in block:
            for phone in p.phones:
                for k in _phone_keys(phone):
                    buckets[k].append((p.id, phone))
        for members in buckets.values():
            if len(members) < 2:
                continue
            for i, (id_a, phone_a) in enumerate(members):
                for id_b, phone_b in members[i + 1 :]:
                    if id_a == id_b:
                        continue
                    reason = phone_relation(phone_a, phone_b)
                    if reason:
                        pair = Pair.of(id_a, id_b, reason, f"{phone_a} ~ {phone_b}")
                        found.setdefault((pair.a, pair.b), pair)
    for members in by_local.values():
        ids = {m[0] for m in members}
        if len(ids) < 2:
            continue
        for i, (id_a, addr_a) in enumerate(members):
            for id_b, addr_b in members[i + 1 :]:
                if id_a != id_b and addr_a != addr_b:
                    pair = Pair.of(id_a, id_b, EMAIL_LOCAL, f"{addr_a} ~ {addr_b}")
                    found.setdefault((pair.a, pair.b), pair)
    return list(found.values())


# --- Database side -------------------------------------------------------------------------------


def _profiles(customer_ids: Iterable[int]) -> list[Profile]:
    from .models import Customer, Email, Phone

    ids = list(customer_ids)
    phones: dict[int, list[str]] = defaultdict(list)
    emails: dict[int, list[str]] = defaultdict(list)
    for cid, e164 in Phone.objects.filter(customer_id__in=ids).values_list("customer_id", "e164"):
        phones[cid].append(e164)
    for cid, address in Email.objects.filter(customer_id__in=ids).values_list("customer_id", "address"):
        emails[cid].append(address)
    rows = Customer.objects.live().filter(pk__in=ids).values_list("pk", "name_key")
    return [Profile(pk, key or "", tuple(phones[pk]), tuple(emails[pk])) for pk, key in rows]


def candidates_for(customer, *, phones: list[str] | None = None, emails: list[str] | None = None) -> list[Pair]:
    """Possible duplicates of one customer, found through indexed equality lookups only.

    `phones` and `emails`, when the caller knows them all (a profile it has just created), save reading them.
    """
    from .models import Customer, Email, Phone

    own_phones = list(customer.phones.values_list("e164", flat=True)) if phones is None else list(phones)
    own_emails = list(customer.emails.values_list("address", flat=True)) if emails is None else list(emails)
    others: set[int] = set()
    if customer.name_key and own_phones:
        near = set().union(*(phone_neighbours(p) for p in own_phones))
        others |= set(
            Phone.objects.filter(e164__in=near, customer__name_key=customer.name_key)
            .exclude(customer_id=customer.pk)
            .values_list("customer_id", flat=True)
        )
    for address in own_emails:
        local = email_local(address)
        if local:
            others |= set(
                Email.objects.filter(address__startswith=local + "@")
                .exclude(customer_id=customer.pk)
                .values_list("customer_id", flat=True)[:50]
            )
    if not others:
        return []
    live = set(Customer.objects.live().filter(pk__in=others).values_list("pk", flat=True))
    profiles = _profiles([customer.pk, *live])
    return [p for p in near_pairs(profiles) if customer.pk in (p.a, p.b)]


def record(pairs: Iterable[Pair], *, at=None) -> int:
    """Put pairs on the review queue; a pair already there (open or decided) is left as it is."""
    from leadpool.intake.models import DuplicateCandidate

    rows = [
        DuplicateCandidate(customer_id=p.a, other_id=p.b, reason=p.reason, detail=p.detail[:200], **({"found_at": at} if at else {}))
        for p in pairs
        if p.a != p.b
    ]
    if not rows:
        return 0
    existing = set(
        DuplicateCandidate.objects.filter(customer_id__in=[r.customer_id for r in rows]).values_list("customer_id", "other_id")
    )
    fresh = [r for r in rows if (r.customer_id, r.other_id) not in existing]
    DuplicateCandidate.objects.bulk_create(fresh, ignore_conflicts=True)
    return len(fresh)


def review_after_capture(
    customer, *, conflicts: Iterable[int] = (), look_near: bool = True, at=None,
    phones: list[str] | None = None, emails: list[str] | None = None,
) -> int:
    """After a lead: queue profiles that shared its contacts and, when it brought new ones, near matches.

    `phones` and `emails`: all of the customer's, when the caller knows them (see `candidates_for`).
    """
    pairs = [Pair.of(customer.pk, other, SHARED_CONTACT, "") for other in conflicts if other != customer.pk]
    if look_near:
        pairs += candidates_for(customer, phones=phones, emails=emails)
    return record(pairs, at=at)


def scan(customer_ids: Iterable[int], *, chunk: int = 2000) -> int:
    """Queue possible duplicates for many customers at once (after an import), block by name in chunks."""
    from .models import Customer, Email

    ids = list(customer_ids)
    total = 0
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        keys = set(Customer.objects.filter(pk__in=part).exclude(name_key="").values_list("name_key", flat=True))
        block_ids: set[int] = set(part)
        for i in range(0, len(keys), 500):
            sub = list(keys)[i : i + 500]
            block_ids |= set(Customer.objects.live().filter(name_key__in=sub).values_list("pk", flat=True)[: MAX_BLOCK * 50])
        locals_ = {email_local(a) for a in Email.objects.filter(customer_id__in=part).values_list("address", flat=True)}
        for local in filter(None, locals_):
            block_ids |= set(Email.objects.filter(address__startswith=local + "@").values_list("customer_id", flat=True)[:50])
        part_set = set(part)
        pairs = [p for p in near_pairs(_profiles(block_ids)) if p.a in part_set or p.b in part_set]
        total += record(pairs)
    return total
