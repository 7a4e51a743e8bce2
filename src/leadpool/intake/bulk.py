"""Set-based writes for imports: ids allocated up front, rows written with COPY (PostgreSQL) or executemany (SQLite).

Row-by-row ORM saves run at tens of rows a second; these paths run at tens of thousands (ARCHITECTURE.md).
Columns come from the model, so a field another part adds later gets its default without changes here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from django.db import connection, models


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


class Table:
    """A model's concrete columns with their defaults prepared once; `row()` fills in the rest."""

    def __init__(self, model: type[models.Model], *, now=None, with_pk: bool = True):
        self.model = model
        self.name = model._meta.db_table
        # Without the pk the database numbers the rows (nobody needs to reference them in the batch).
        self.fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
        self.columns = [f.column for f in self.fields]
        self.position = {f.attname: i for i, f in enumerate(self.fields)}
        self.json_positions = {i for i, f in enumerate(self.fields) if isinstance(f, models.JSONField)}
        self.sqlite = connection.vendor == "sqlite"
        self.template = [self._default(f, now) for f in self.fields]

    def _default(self, field, now):
        if field.primary_key:
            return None
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = now
        elif field.has_default():
            value = field.get_default()
        elif field.null:
            value = None
        else:
            value = field.get_default()
        return self.prep(field, value)

    def prep(self, field, value):
        if value is None:
            return None
        if isinstance(field, models.JSONField):
            return _json(value)
        if isinstance(field, models.DateTimeField) and self.sqlite:
            return connection.ops.adapt_datetimefield_value(value)
        return value

    def prep_value(self, attname: str, value):
        return self.prep(self.fields[self.position[attname]], value)

    def row(self, values: dict) -> list:
        row = self.template.copy()
        position = self.position
        for attname, value in values.items():
            row[position[attname]] = value
        return row


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """Reserve `count` primary keys so rows can reference each other before they are written."""
    if count <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [r[0] for r in cursor.fetchall()]
        # SQLite: the import's transaction holds the write lock (BEGIN IMMEDIATE), so nobody else takes ids.
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')
        top = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        seq = cursor.fetchone()
        start = max(top, seq[0] if seq else 0) + 1
        return list(range(start, start + count))


def insert(table: Table, rows: Sequence[Sequence], *, columns: Sequence[str] | None = None) -> int:
    """Write rows (lists in `table.columns` order, or `columns` when given)."""
    if not rows:
        return 0
    cols = list(columns or table.columns)
    quoted = ", ".join(f'"{c}"' for c in cols)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(cols))
            cursor.executemany(f'INSERT INTO "{table.name}" ({quoted}) VALUES ({marks})', rows)
    return len(rows)


def insert_pairs(db_table: str, left: str, right: str, pairs: Iterable[tuple[int, int]]) -> None:
    """Many-to-many rows that may already exist (a customer already tagged with the project)."""
    pairs = list(dict.fromkeys(pairs))
    if not pairs:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f'INSERT INTO "{db_table}" ("{left}", "{right}") '
                f"SELECT * FROM unnest(%s::bigint[], %s::bigint[]) ON CONFLICT DO NOTHING",
                [[p[0] for p in pairs], [p[1] for p in pairs]],
            )
        else:
            cursor.executemany(f'INSERT OR IGNORE INTO "{db_table}" ("{left}", "{right}") VALUES (%s, %s)', pairs)


def pairs_where_in(model: type[models.Model], key: str, value: str, keys: Iterable) -> dict:
    """{key: value} for the rows whose `key` column is one of `keys` (columns by attname).

    On PostgreSQL the keys travel as one array parameter (`= ANY(%s)`): with ten thousand keys that
    is parsed and planned several times faster than an IN list of ten thousand literals.
    """
    keys = list(keys)
    if not keys:
        return {}
    if connection.vendor != "postgresql":
        return dict(model.objects.filter(**{f"{key}__in": keys}).values_list(key, value))
    fields = {f.attname: f.column for f in model._meta.concrete_fields}
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT "{fields[key]}", "{fields[value]}" FROM "{model._meta.db_table}" WHERE "{fields[key]}" = ANY(%s)',
            [keys],
        )
        return dict(cursor.fetchall())


def update_where_in(model: type[models.Model], ids: Iterable[int], values: dict) -> int:
    """Set the same `values` (by attname) on the rows with these primary keys; one array parameter on PostgreSQL."""
    ids = list(ids)
    if not ids:
        return 0
    if connection.vendor != "postgresql":
        return model.objects.filter(pk__in=ids).update(**values)
    fields = {f.attname: f for f in model._meta.concrete_fields}
    sets = ", ".join(f'"{fields[name].column}" = %s' for name in values)
    params = [fields[name].get_db_prep_save(value, connection) for name, value in values.items()]
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE "{model._meta.db_table}" SET {sets} WHERE "{model._meta.pk.column}" = ANY(%s)', [*params, ids]
        )
        return cursor.rowcount
