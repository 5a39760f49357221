"""Small database helpers for hot write paths, on both SQLite and PostgreSQL."""

from django.db import connection
from django.db.models import Model


def insert(obj: Model, *, on_conflict: str = "") -> bool:
    """INSERT one new model instance in a single statement and set its primary key.

    The same row as `obj.save(force_insert=True)`, without the ORM's per-save machinery
    (signals, compiler), which costs more than the statement on the Signaalpunt intake.
    `on_conflict` is an SQL `ON CONFLICT ... DO NOTHING` clause; returns False (and leaves the
    primary key unset) when the database skipped the row because of it."""
    meta = obj._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    columns = ", ".join(quote(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    # Table and column names come from the model; the values are bound parameters.
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) {on_conflict} RETURNING {pk}"  # noqa: S608
    values = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return False
    obj.pk = row[0]
    obj._state.adding = False
    obj._state.db = connection.alias
    return True
