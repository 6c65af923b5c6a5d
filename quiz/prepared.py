"""Statements compiled to SQL once per process and then run with new values: the lookups and
updates every exam request makes, where Django spends longer building and compiling the SQL
than the database spends running it (docs/performance.md, "Reads compiled once").

A read is written as an ordinary queryset with a placeholder for each value that changes
between requests. It is compiled the first time it runs; after that a run binds the values,
executes the stored SQL and builds the objects (with their ``select_related`` objects) the way
a queryset would, converters included. On PostgreSQL the statement is also prepared on the
server, once per connection, so that PostgreSQL plans it once too (Django's own statements are
bound in the client and planned on every run).
"""

from collections.abc import Callable
from itertools import count

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.db.models.lookups import Exact, IntegerFieldOverflow
from django.db.models.query import get_related_populators
from django.db.models.sql.where import AND, WhereNode
from django.db.transaction import TransactionManagementError

# One value per placeholder, found among the compiled parameters by its value. They fit every
# integer column (Django drops a comparison with a value out of the column's range); a constant
# of the query that happened to equal one would be caught by the check that each is found once.
_SENTINELS = count(30_001)


class PreparedRead:
    """``build(**placeholders)`` → the queryset; ``first(**values)`` → its first object, or
    None. Each placeholder is a key or a number compared with = once, at the top level of the
    filter, and must reach the SQL as one parameter, unchanged."""

    def __init__(self, build: Callable[..., QuerySet], *names: str):
        self.build = build
        self.sentinels = {name: next(_SENTINELS) for name in names}
        self.compiled: _Compiled | None = None

    def first(self, **values):
        if self.compiled is None:
            self.compiled = _Compiled(self.build(**self.sentinels), self.sentinels)
        return self.compiled.first(values)


class _Compiled:
    def __init__(self, queryset: QuerySet, sentinels: dict[str, int]):
        using = queryset.db
        compiler = queryset.query.get_compiler(using=using)
        self.sql, params = compiler.as_sql()
        self.params = list(params)
        names = {sentinel: name for name, sentinel in sentinels.items()}
        self.slots = [
            (i, names[value])
            for i, value in enumerate(self.params)
            if isinstance(value, int) and value in names
        ]
        columns = _placeholder_columns(queryset.query.where, names)
        placed = sorted(name for _, name in self.slots)
        if placed != sorted(sentinels) or len(columns) != len(sentinels):
            raise ValueError(
                f"Each of {sorted(sentinels)} must be compared with = once, at the top level "
                f"of the filter: {self.sql}"
            )
        # Out of its column's range, a number matches nothing, as Django decides it in the
        # queryset (it leaves the comparison out rather than send it).
        self.ranges = [
            (name, connections[using].ops.integer_field_range(internal_type))
            for name, internal_type in columns.items()
            if internal_type
        ]
        self.for_update = queryset.query.select_for_update
        self.using, self.compiler = using, compiler
        info, select = compiler.klass_info, compiler.select
        self.model = info["model"]
        self.start, self.end = info["select_fields"][0], info["select_fields"][-1] + 1
        self.names = [column.target.attname for column, _, _ in select[self.start : self.end]]
        self.populators = get_related_populators(info, select, using)
        self.converters = compiler.get_converters([s[0] for s in select[: compiler.col_count]])

    def first(self, values: dict[str, object]):
        for name, (low, high) in self.ranges:
            if (low is not None and values[name] < low) or (
                high is not None and values[name] > high
            ):
                return None
        params = list(self.params)
        for i, name in self.slots:
            # The type the parameter was compiled with: on PostgreSQL a small integer column's
            # is psycopg's Int2, which the SQL's comparison expects.
            params[i] = type(params[i])(values[name])
        connection = connections[self.using]
        if self.for_update and connection.get_autocommit():
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        with _cursor(connection) as cursor:
            cursor.execute(self.sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        if self.converters:
            row = next(self.compiler.apply_converters([row], self.converters))
        obj = self.model.from_db(self.using, self.names, row[self.start : self.end])
        for populator in self.populators:
            populator.populate(row, obj)
        return obj


class PreparedUpdate:
    """``UPDATE`` of one row of ``model`` by primary key: the fields in ``set`` set to the
    values given, those in ``add`` increased by them. ``run(pk, **values)`` prepares each value
    as the field prepares it for ``QuerySet.update()`` and returns the number of rows changed."""

    def __init__(self, model, *, set: tuple[str, ...] = (), add: tuple[str, ...] = ()):
        if not (set or add) or len({*set, *add}) != len(set) + len(add):
            raise ValueError("Each field is set or increased once, and at least one is.")
        meta = model._meta
        self.set = [meta.get_field(name) for name in set]
        self.add = [meta.get_field(name) for name in add]
        self.model, self.sql = model, None

    def run(self, pk, **values) -> int:
        connection = connections[DEFAULT_DB_ALIAS]
        if self.sql is None:
            self.sql = self._compile(connection.ops.quote_name)
        params = [field.get_db_prep_save(values[field.name], connection) for field in self.set]
        params += [values[field.name] for field in self.add]
        with _cursor(connection) as cursor:
            cursor.execute(self.sql, [*params, pk])
            return cursor.rowcount

    def _compile(self, quote) -> str:
        meta = self.model._meta
        changes = [f"{quote(field.column)} = %s" for field in self.set]
        changes += [f"{quote(field.column)} = {quote(field.column)} + %s" for field in self.add]
        return (
            f"UPDATE {quote(meta.db_table)} SET {', '.join(changes)} "
            f"WHERE {quote(meta.pk.column)} = %s"
        )


def _cursor(connection):
    """Django's cursor (health check, errors, query logging); on PostgreSQL with a psycopg
    cursor inside that binds the parameters on the server, so that psycopg prepares the
    statement (``prepare_threshold`` in config/settings.py). Django's own cursors bind in the
    client and are never prepared. Not mutated: the mutation run is on SQLite; the PostgreSQL
    suite checks it (tests/quiz/test_prepared.py)."""
    cursor = connection.cursor()
    if connection.vendor == "postgresql":  # pragma: no mutate
        import psycopg  # pragma: no mutate

        cursor.cursor = psycopg.Cursor(connection.connection)  # pragma: no mutate
    return cursor


def _placeholder_columns(where: WhereNode, names: dict[int, str]) -> dict[str, str | None]:
    """{placeholder: the type of the integer column it is compared with, or None} for each
    placeholder compared with = at the top level of the filter, the only place where a number
    out of range surely makes the whole read match nothing."""
    if where.connector != AND or where.negated:
        return {}
    return {
        names[lookup.rhs]: (
            lookup.lhs.output_field.get_internal_type()
            if isinstance(lookup, IntegerFieldOverflow)
            else None
        )
        for lookup in where.children
        if isinstance(lookup, Exact) and isinstance(lookup.rhs, int) and lookup.rhs in names
    }
