"""Writing, verifying and (for erasure only) redacting the hash-chained audit log."""

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from .models import AuditEntry

GENESIS = "0" * 64
REDACTION = "audit.redacted"


def data_digest(data) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _digest(prev_hash: str, entry: AuditEntry) -> str:
    payload = json.dumps(
        {
            "prev": prev_hash,
            "at": entry.at.isoformat(),
            "actor": entry.actor_id,
            "actor_label": entry.actor_label,
            "action": entry.action,
            "target_type": entry.target_type,
            "target_id": entry.target_id,
            "data": entry.data_hash,
            "ip": entry.ip,
        },
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


_CHAIN_LOCK = 7_311_001


def _lock_chain() -> None:
    # Serialise writers on the chain's tail so two entries never claim the same predecessor.
    # SQLite already serialises writers (immediate transactions); PostgreSQL needs a lock.
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])


def record(action: str, *, actor=None, target=None, data: dict | None = None, ip: str | None = None) -> AuditEntry:
    """Append one entry. Chained to the previous entry, so altering any row breaks `verify()`."""
    target_type = target_id = ""
    if target is not None:
        target_type = target._meta.label_lower
        target_id = str(target.pk)
    with transaction.atomic():
        _lock_chain()
        last = AuditEntry.objects.order_by("-id").only("hash").first()
        prev = last.hash if last else GENESIS
        clean = json.loads(json.dumps(data or {}, default=str))
        entry = AuditEntry(
            actor=actor if actor is not None and getattr(actor, "pk", None) else None,
            actor_label=(getattr(actor, "username", "") or "system") if actor is not None else "system",
            action=action,
            target_type=target_type,
            target_id=target_id,
            data=clean,
            data_hash=data_digest(clean),
            ip=ip,
            prev_hash=prev,
        )
        entry.at = timezone.now()
        entry.hash = _digest(prev, entry)
        entry.save()
    return entry


def redact(entries: Iterable[AuditEntry], scrub: Callable[[dict], dict], *, actor=None, reason: str = "") -> list[int]:
    """Replace personal values in entries' data (erasure). The chain still verifies; the redaction is itself logged."""
    now = timezone.now()
    changed = []
    for entry in entries:
        clean = scrub(entry.data)
        if clean != entry.data:
            AuditEntry.objects.filter(pk=entry.pk).update(data=clean, redacted_at=now)
            changed.append(entry.pk)
    if changed:
        record(REDACTION, actor=actor, data={"entries": changed, "reason": reason[:200]})
    return changed


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_id: int | None = None
    problem: str = ""


def verify(batch: int = 5000) -> VerifyResult:
    prev = GENESIS
    checked = 0
    redacted: list[int] = []
    justified: set[int] = set()
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=batch):
        if entry.prev_hash != prev:
            return VerifyResult(False, checked, entry.pk, "previous hash does not match the entry before it")
        if _digest(prev, entry) != entry.hash:
            return VerifyResult(False, checked, entry.pk, "content does not match its hash")
        if entry.redacted_at is None:
            if data_digest(entry.data) != entry.data_hash:
                return VerifyResult(False, checked, entry.pk, "data does not match its hash")
        else:
            redacted.append(entry.pk)
        if entry.action == REDACTION:
            justified.update(int(pk) for pk in entry.data.get("entries", []))
        prev = entry.hash
        checked += 1
    for pk in redacted:
        if pk not in justified:
            return VerifyResult(False, checked, pk, "marked redacted but no redaction entry names it")
    return VerifyResult(True, checked)


def client_ip(request) -> str | None:
    if request is None:
        return None
    from leadpool.security.clientip import client_ip as behind_proxies

    return behind_proxies(request) or None
