"""Set-based writes for imports: ids reserved up front, rows written with COPY (PostgreSQL) or executemany (SQLite).

Row-by-row ORM saves run at tens of rows a second; these paths run at tens of thousands (ARCHITECTURE.md).
Columns come from the model, so a field another part adds later gets its default without changes here.

On PostgreSQL the big statements go through a plain psycopg cursor (server-side binding, binary arrays):
Django's client-side binding would quote a ten-thousand-element array in Python, slower than the query.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import connection, models

COPY_CHUNK = 2_000  # lines per write: streams to the server while bounding the buffer
_sequences: dict[str, str] = {}


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _raw_cursor():
    """A psycopg cursor binding parameters on the server (Django's own cursor binds them in Python)."""
    import psycopg

    connection.ensure_connection()
    return psycopg.Cursor(connection.connection)


def _execute(sql: str, params: Sequence = ()) -> list[tuple]:
    with connection.wrap_database_errors, _raw_cursor() as cursor:
        cursor.execute(sql, params, binary=True)
        return cursor.fetchall() if cursor.description else []


# --- COPY text format ------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return "\\N"
    text = value if type(value) is str else str(value)
    # Most values need no escaping; four substring tests are much cheaper than str.translate.
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def _number(value) -> str:
    return "\\N" if value is None else str(int(value))


def _boolean(value) -> str:
    return "\\N" if value is None else ("t" if value else "f")


def _moment(value) -> str:
    return "\\N" if value is None else value.isoformat()


def _copy_format(field):
    """How one column's Python value is written in COPY's text format. JSON columns take JSON text."""
    if isinstance(field, models.BooleanField):
        return _boolean
    if isinstance(field, (models.IntegerField, models.AutoField, models.ForeignKey)) and not isinstance(
        field, models.BooleanField
    ):
        return _number
    if isinstance(field, models.DateTimeField):
        return _moment
    return _text


def _sqlite_value(field, value):
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


def _default(field, now):
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    if field.has_default():
        return field.get_default()
    if field.null:
        return None
    return field.get_default()


class Rows:
    """Rows for one table in one batch: `varying` columns given per row, every other column fixed.

    The fixed part (given in `fixed`, else the model's default) is formatted once per batch, so a row
    costs only its own values. JSON columns take JSON text. Columns by attname.
    """

    def __init__(self, model: type[models.Model], varying: Sequence[str], *, fixed: dict | None = None, now=None):
        fixed = fixed or {}
        fields = {f.attname: f for f in model._meta.concrete_fields}
        self.table = model._meta.db_table
        self.varying = [fields[name] for name in varying]
        # The primary key is left to the database unless the caller reserved it.
        rest = [f for f in fields.values() if f.attname not in varying and not f.primary_key]
        values = []
        for f in rest:
            value = fixed[f.attname] if f.attname in fixed else _default(f, now)
            if isinstance(f, models.JSONField) and not isinstance(value, str):
                value = _json(value)
            values.append(value)
        self.columns = [f.column for f in self.varying] + [f.column for f in rest]
        self.postgres = is_postgres()
        if self.postgres:
            self.formats = [_copy_format(f) for f in self.varying]
            self.tail = "".join("\t" + _copy_format(f)(v) for f, v in zip(rest, values, strict=True)) + "\n"
        else:
            self.tail = tuple(_sqlite_value(f, v) for f, v in zip(rest, values, strict=True))
        self.data: list = []

    def add(self, *values) -> None:
        if self.postgres:
            self.data.append("\t".join([fmt(v) for fmt, v in zip(self.formats, values, strict=True)]) + self.tail)
        else:
            self.data.append(tuple(_sqlite_value(None, v) for v in values) + self.tail)

    def __len__(self) -> int:
        return len(self.data)

    def write(self) -> int:
        if not self.data:
            return 0
        quoted = ", ".join(f'"{c}"' for c in self.columns)
        if self.postgres:
            with connection.wrap_database_errors, _raw_cursor() as cursor:
                with cursor.copy(f'COPY "{self.table}" ({quoted}) FROM STDIN') as copy:
                    for start in range(0, len(self.data), COPY_CHUNK):
                        copy.write("".join(self.data[start : start + COPY_CHUNK]))
        else:
            marks = ", ".join(["%s"] * len(self.columns))
            with connection.cursor() as cursor:
                cursor.executemany(f'INSERT INTO "{self.table}" ({quoted}) VALUES ({marks})', self.data)
        count, self.data = len(self.data), []
        return count


# --- Keys, look-ups, updates -----------------------------------------------------------------------


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """Reserve `count` primary keys so rows can reference each other before they are written."""
    if count <= 0:
        return []
    table = model._meta.db_table
    if is_postgres():
        if table not in _sequences:
            _sequences[table] = _execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])[0][0]
        # The sequence named once: a per-row pg_get_serial_sequence() costs more than nextval itself.
        rows = _execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [_sequences[table], count])
        return [r[0] for r in rows]
    with connection.cursor() as cursor:
        # SQLite: the import's transaction holds the write lock, so nobody else takes ids meanwhile.
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')
        top = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        seq = cursor.fetchone()
        start = max(top, seq[0] if seq else 0) + 1
        return list(range(start, start + count))


def contacts(phones: Iterable[str], emails: Iterable[str]) -> tuple[dict, dict, dict]:
    """Who already holds these phones and e-mails, in one query on PostgreSQL.

    Returns ({e164: customer id}, {address: customer id}, {customer id: owner id}), customers taken
    after any merge (a merged-away profile points to its survivor).
    """
    from leadpool.customers.models import Customer, Email, Phone

    phones, emails = list(phones), list(emails)
    if not phones and not emails:
        return {}, {}, {}
    if is_postgres():
        rows = _execute(
            """
            WITH hit AS (
                SELECT true AS is_phone, e164 AS key, customer_id FROM customers_phone WHERE e164 = ANY(%s)
                UNION ALL
                SELECT false, address, customer_id FROM customers_email WHERE address = ANY(%s)
            )
            SELECT hit.is_phone, hit.key, COALESCE(m.id, c.id), CASE WHEN m.id IS NULL THEN c.owner_id ELSE m.owner_id END
            FROM hit JOIN customers_customer c ON c.id = hit.customer_id
            LEFT JOIN customers_customer m ON m.id = c.merged_into_id
            """,
            [phones, emails],
        )
        by_phone, by_email, owners = {}, {}, {}
        for is_phone, key, cid, owner in rows:
            (by_phone if is_phone else by_email)[key] = cid
            owners[cid] = owner
        return by_phone, by_email, owners
    by_phone = dict(Phone.objects.filter(e164__in=phones).values_list("e164", "customer_id")) if phones else {}
    by_email = dict(Email.objects.filter(address__in=emails).values_list("address", "customer_id")) if emails else {}
    found = set(by_phone.values()) | set(by_email.values())
    moved = {k: v for k, v in Customer.objects.filter(pk__in=found).values_list("id", "merged_into_id") if v}
    if moved:
        by_phone = {k: moved.get(v, v) for k, v in by_phone.items()}
        by_email = {k: moved.get(v, v) for k, v in by_email.items()}
    ids = set(by_phone.values()) | set(by_email.values())
    owners = dict(Customer.objects.filter(pk__in=ids).values_list("id", "owner_id"))
    return by_phone, by_email, owners


def insert_pairs(db_table: str, left: str, right: str, pairs: Iterable[tuple[int, int]]) -> None:
    """Many-to-many rows that may already exist (a returning customer already tagged with the project)."""
    pairs = list(dict.fromkeys(pairs))
    if not pairs:
        return
    if is_postgres():
        _execute(
            f'INSERT INTO "{db_table}" ("{left}", "{right}") '
            f"SELECT * FROM unnest(%s::bigint[], %s::bigint[]) ON CONFLICT DO NOTHING",
            [[p[0] for p in pairs], [p[1] for p in pairs]],
        )
        return
    with connection.cursor() as cursor:
        cursor.executemany(f'INSERT OR IGNORE INTO "{db_table}" ("{left}", "{right}") VALUES (%s, %s)', pairs)


def copy_pairs(db_table: str, left: str, right: str, pairs: Iterable[tuple[int, int]]) -> None:
    """Many-to-many rows known to be new (their left side was created in this batch)."""
    pairs = list(dict.fromkeys(pairs))
    if not pairs:
        return
    if is_postgres():
        with connection.wrap_database_errors, _raw_cursor() as cursor:
            with cursor.copy(f'COPY "{db_table}" ("{left}", "{right}") FROM STDIN') as copy:
                for start in range(0, len(pairs), COPY_CHUNK):
                    copy.write("".join(f"{a}\t{b}\n" for a, b in pairs[start : start + COPY_CHUNK]))
        return
    with connection.cursor() as cursor:
        cursor.executemany(f'INSERT INTO "{db_table}" ("{left}", "{right}") VALUES (%s, %s)', pairs)


def update_where_in(model: type[models.Model], ids: Iterable[int], values: dict) -> int:
    """Set the same `values` (by attname) on the rows with these primary keys; one array parameter on PostgreSQL."""
    ids = list(ids)
    if not ids:
        return 0
    if not is_postgres():
        return model.objects.filter(pk__in=ids).update(**values)
    fields = {f.attname: f for f in model._meta.concrete_fields}
    sets = ", ".join(f'"{fields[name].column}" = %s' for name in values)
    params = [fields[name].get_db_prep_save(value, connection) for name, value in values.items()]
    with connection.wrap_database_errors, _raw_cursor() as cursor:
        cursor.execute(
            f'UPDATE "{model._meta.db_table}" SET {sets} WHERE "{model._meta.pk.column}" = ANY(%s)', [*params, ids]
        )
        return cursor.rowcount


# --- Foreign keys, checked per batch ---------------------------------------------------------------
#
# Django's foreign keys are checked by a trigger per inserted row at commit: about fourteen lookups per
# imported row, half the server's time in an import. A batch instead checks each referenced row once:
# rows it created itself need no check; customers on file are updated (so locked) and counted; the few
# sources, statuses, users, teams, projects and groups are locked FOR KEY SHARE and counted, as the
# triggers would lock them. Row triggers are switched off for the batch's statements only where that
# is allowed (session_replication_role, superuser or granted) and the tables carry no trigger of their own.

WRITTEN_TABLES = ("customers_customer", "customers_phone", "customers_email", "customers_lead", "customers_assignment",
                  "customers_lead_projects", "customers_customer_projects", "customers_customer_groups")


def can_check_references_per_batch() -> bool:
    if not is_postgres():
        return False
    rows = _execute(
        """
        SELECT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
               OR has_parameter_privilege('session_replication_role', 'SET'),
               (SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgrelid = ANY(%s::regclass[]))
        """,
        [list(WRITTEN_TABLES)],
    )
    allowed, own_triggers = rows[0]
    return bool(allowed) and own_triggers == 0


def row_triggers(on: bool) -> None:
    """Row triggers (the per-row foreign key checks) on or off until the transaction ends."""
    _execute(f"SET LOCAL session_replication_role = {'origin' if on else 'replica'}")


def check_references(references: dict[type[models.Model], Iterable[int]]) -> None:
    """Lock the referenced rows as the foreign key triggers would, and fail if any is missing."""
    from django.db import IntegrityError

    for model, ids in references.items():
        ids = sorted({i for i in ids if i is not None})
        if not ids:
            continue
        table, pk = model._meta.db_table, model._meta.pk.column
        found = _execute(f'SELECT count(*) FROM (SELECT 1 FROM "{table}" WHERE "{pk}" = ANY(%s) FOR KEY SHARE) AS t', [ids])
        if found[0][0] != len(ids):
            raise IntegrityError(f"{table}: a referenced row is gone")
