"""Writing, verifying and (for erasure only) redacting the hash-chained audit log."""

import hashlib
import json
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from contextvars import ContextVar
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


def _chain_tail() -> str:
    """The hash of the last entry, with the chain locked until the transaction ends.

    Serialises writers on the chain's tail so two entries never claim the same predecessor. SQLite already
    serialises writers (immediate transactions); PostgreSQL takes an advisory lock in the same round trip.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(
                "SELECT pg_advisory_xact_lock(%s), (SELECT hash FROM audit_auditentry ORDER BY id DESC LIMIT 1)",
                [_CHAIN_LOCK],
            )
            row = cur.fetchone()
        return row[1] if row and row[1] else GENESIS
    last = AuditEntry.objects.order_by("-id").only("hash").first()
    return last.hash if last else GENESIS


# Entries recorded inside `batched()`, written together when the outermost block ends.
_pending: ContextVar[list | None] = ContextVar("leadpool_audit_pending", default=None)


@contextmanager
def batched():
    """Hold the entries recorded inside and write them in one INSERT at the end, still inside the caller's
    transaction, so the chain is locked only for the last moments of that transaction instead of from the
    first entry on. An exception drops the entries recorded inside (their transaction rolls back anyway)."""
    pending = _pending.get()
    if pending is not None:  # nested: the outermost block writes
        mark = len(pending)
        try:
            yield
        except BaseException:
            del pending[mark:]
            raise
        return
    pending = []
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    if pending:
        _write(pending)


def _write(entries: list[AuditEntry]) -> None:
    with transaction.atomic(savepoint=False):
        prev = _chain_tail()
        for entry in entries:
            entry.prev_hash = prev
            entry.hash = prev = _digest(prev, entry)
        if len(entries) == 1:
            entries[0].save()
        else:
            AuditEntry.objects.bulk_create(entries)


def record(action: str, *, actor=None, target=None, data: dict | None = None, ip: str | None = None) -> AuditEntry:
    """Append one entry. Chained to the previous entry, so altering any row breaks `verify()`.

    Inside `batched()` the entry is returned unsaved and written when the block ends.
    """
    target_type = target_id = ""
    if target is not None:
        target_type = target._meta.label_lower
        target_id = str(target.pk)
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
    )
    entry.at = timezone.now()
    pending = _pending.get()
    if pending is not None:
        pending.append(entry)
        return entry
    _write([entry])
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
