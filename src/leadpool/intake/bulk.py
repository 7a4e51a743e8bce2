"""Set-based writes for imports: ids reserved up front, rows written with COPY (PostgreSQL) or executemany (SQLite).

Row-by-row ORM saves run at tens of rows a second; these paths run at tens of thousands (ARCHITECTURE.md).
Columns come from the model, so a field another part adds later gets its default without changes here.

On PostgreSQL the big statements go through a plain psycopg cursor (server-side binding, binary arrays):
Django's client-side binding would quote a ten-thousand-element array in Python, slower than the query.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from datetime import datetime

from django.db import connection, models
from psycopg import adapt, postgres, pq

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


# --- COPY, binary ---------------------------------------------------------------------------------
#
# PostgreSQL takes the rows in COPY's binary format, each value dumped by psycopg's C code for the column's
# own type: no text escaping in Python, and no parsing of timestamps and numbers on the server (a customer
# row carries seven timestamps), which measured about a third of the customers' COPY.

_column_types: dict[str, dict[str, int]] = {}


def _types(table: str) -> dict[str, int]:
    """Column name → type oid, read once per table: COPY's binary format is the column type's own."""
    if table not in _column_types:
        rows = _execute(
            "SELECT attname, atttypid::int FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
            "AND NOT attisdropped",
            [table],
        )
        _column_types[table] = dict(rows)
    return _column_types[table]


class _JsonText(adapt.Dumper):
    """JSON already written as text: jsonb's binary form is a version byte, then the text."""

    format = pq.Format.BINARY
    oid = postgres.types["jsonb"].oid

    def dump(self, obj):
        return b"\x01" + obj.encode()


@contextmanager
def _copy(cursor, table: str, columns: Sequence[str]):
    """A binary COPY into `table`, its values typed from the table itself; JSON columns take JSON text."""
    cursor.adapters.register_dumper(None, _JsonText)
    types = _types(table)
    quoted = ", ".join(f'"{c}"' for c in columns)
    with cursor.copy(f'COPY "{table}" ({quoted}) FROM STDIN (FORMAT BINARY)') as copy:
        copy.set_types([types[c] for c in columns])
        yield copy


def _sqlite_value(value):
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
    """One table's rows in one batch: `varying` columns given per row, every other column fixed.

    The fixed part (given in `fixed`, else the model's default) is worked out once per batch, so a row
    costs only its own values. JSON columns take JSON text. Columns by attname. `write()` takes the rows
    as an iterable and, on PostgreSQL, streams them into COPY as they are produced: the server stores
    rows while Python is still making the next ones.
    """

    def __init__(self, model: type[models.Model], varying: Sequence[str], *, fixed: dict | None = None, now=None):
        fixed = fixed or {}
        fields = {f.attname: f for f in model._meta.concrete_fields}
        self.table = model._meta.db_table
        # The primary key is left to the database unless the caller reserved it.
        rest = [f for f in fields.values() if f.attname not in varying and not f.primary_key]
        values = []
        for f in rest:
            value = fixed[f.attname] if f.attname in fixed else _default(f, now)
            if isinstance(f, models.JSONField) and not isinstance(value, str):
                value = _json(value)
            values.append(value)
        self.columns = [fields[name].column for name in varying] + [f.column for f in rest]
        self.postgres = is_postgres()
        self.tail = tuple(values) if self.postgres else tuple(_sqlite_value(v) for v in values)

    def write(self, rows: Iterable[tuple]) -> int:
        """Write the rows (tuples of the varying values, in order); returns how many."""
        tail = self.tail
        if self.postgres:
            with connection.wrap_database_errors, _raw_cursor() as cursor:
                with _copy(cursor, self.table, self.columns) as copy:
                    write_row = copy.write_row
                    for row in rows:
                        write_row(row + tail)
                return max(cursor.rowcount, 0)
        data = [tuple(_sqlite_value(v) for v in row) + tail for row in rows]
        if data:
            quoted = ", ".join(f'"{c}"' for c in self.columns)
            marks = ", ".join(["%s"] * len(self.columns))
            with connection.cursor() as cursor:
                cursor.executemany(f'INSERT INTO "{self.table}" ({quoted}) VALUES ({marks})', data)
        return len(data)


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
        # One index probe per key, whatever the statistics say: a plain `= ANY(...)` join is planned as
        # sequential scans of phones and customers once the batch is large (10,000 keys against a million
        # phones: ~300 ms a batch, in parallel workers) where the probes take ~40 ms. Sorted keys visit the
        # index pages in order. OFFSET 0 keeps the probes from being evaluated twice.
        rows = _execute(
            """
            SELECT h.is_phone, h.key, COALESCE(m.id, c.id), CASE WHEN m.id IS NULL THEN c.owner_id ELSE m.owner_id END
            FROM (
                SELECT true AS is_phone, k AS key, (SELECT customer_id FROM customers_phone WHERE e164 = k) AS customer_id
                FROM unnest(%s::text[]) AS k
                UNION ALL
                SELECT false, k, (SELECT customer_id FROM customers_email WHERE address = k) FROM unnest(%s::text[]) AS k
                OFFSET 0
            ) AS h
            CROSS JOIN LATERAL (
                SELECT id, owner_id, merged_into_id FROM customers_customer WHERE id = h.customer_id LIMIT 1
            ) AS c
            LEFT JOIN LATERAL (SELECT id, owner_id FROM customers_customer WHERE id = c.merged_into_id LIMIT 1) AS m ON true
            """,
            [sorted(phones), sorted(emails)],
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
            with _copy(cursor, db_table, [left, right]) as copy:
                write_row = copy.write_row
                for pair in pairs:
                    write_row(pair)
        return
    with connection.cursor() as cursor:
        cursor.executemany(f'INSERT INTO "{db_table}" ("{left}", "{right}") VALUES (%s, %s)', pairs)


def update_where_in(model: type[models.Model], ids: Iterable[int], values: dict) -> int:
    """Set the same `values` (by attname) on the rows with these primary keys; returns how many rows exist.

    On PostgreSQL only the rows whose values differ are rewritten; the others (a customer met again in the
    same import already carries its source and time) are locked FOR KEY SHARE, as a referencing row's
    foreign key check would, and counted. An unchanged row rewritten costs a new row version and an entry
    in each of its table's indexes: in an import with many repeats that was the largest single statement.
    """
    ids = sorted(set(ids))
    if not ids:
        return 0
    if not is_postgres():
        return model.objects.filter(pk__in=ids).update(**values)
    fields = {f.attname: f for f in model._meta.concrete_fields}
    table, pk = model._meta.db_table, model._meta.pk.column
    columns = [fields[name].column for name in values]
    params = [fields[name].get_db_prep_save(value, connection) for name, value in values.items()]
    sets = ", ".join(f'"{c}" = %s' for c in columns)
    differs = " OR ".join(f'"{c}" IS DISTINCT FROM %s' for c in columns)
    rows = _execute(
        f"""
        WITH changed AS (
            UPDATE "{table}" SET {sets} WHERE "{pk}" = ANY(%s) AND ({differs}) RETURNING 1
        ), kept AS (
            SELECT 1 FROM "{table}" WHERE "{pk}" = ANY(%s) AND NOT ({differs}) FOR KEY SHARE
        )
        SELECT (SELECT count(*) FROM changed) + (SELECT count(*) FROM kept)
        """,
        [*params, ids, *params, ids, *params],
    )
    return rows[0][0]


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


def begin_batch(*, row_triggers: bool) -> None:
    """Settings for the rest of a batch's transaction, on PostgreSQL.

    Its commit does not wait for the WAL to reach the disk (synchronous_commit off, this transaction only):
    a server crash may lose the last batches, whole, never part of one. The job's progress and its end are
    committed normally, and such a commit makes every earlier batch durable too (the WAL is flushed in
    order), so after a crash the job never claims more than is on disk and shows as not finished.

    Without `row_triggers`, the per-row triggers (foreign key checks) are off until row_triggers(on=True) or
    the end of the transaction, the batch checking references itself.
    """
    if not is_postgres():
        return
    # JIT compiling the contacts look-up (its cost estimate crosses jit_above_cost) took longer than running it.
    settings = "set_config('synchronous_commit', 'off', true), set_config('jit', 'off', true)"
    if not row_triggers:
        settings += ", set_config('session_replication_role', 'replica', true)"
    _execute(f"SELECT {settings}")


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
