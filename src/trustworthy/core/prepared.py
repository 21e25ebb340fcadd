"""Querysets whose SQL is built once per process, for the few queries every page makes.

Django builds a queryset's SQL each time it is evaluated. For a query with a few
`select_related` joins that costs far more than running it (about a millisecond against
a twentieth of one on SQLite), and every signed-in page makes such queries: the person's
memberships, the appraisal. `Prepared` builds the queryset once for each shape of its
arguments, with marker values where the real ones go, and keeps Django's compiler: the
SQL, its columns, their converters and how a row becomes objects. Each call runs that
SQL, through the connection's ordinary cursor (so it is logged and counted like any
query), with the real values in place of the markers, and turns the rows into objects
exactly as Django's `ModelIterable` does.

Arguments are whole numbers (ids), strings (keys) or lists of whole numbers (for
`__in`); a list's length is part of the shape, repeated ids are dropped (as Django does)
and an empty list matches nothing without a query (as Django does). The first call of
each shape checks that every marker appears in the SQL's parameters once, so a query that
does not simply pass its arguments through fails there rather than giving wrong results.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators

M = TypeVar("M", bound=Model)
Arg = int | str | Sequence[int]
Shape = tuple[int | str | None, ...]  # per argument: a list's length, "str" or None (a number)

# Markers are large negative numbers, or strings that no key contains.
_FIRST_MARKER = -7_300_000_000_000


def _marker(kind: type, number: int) -> int | str:
    return _FIRST_MARKER - number if kind is int else f"\x00prepared-marker-{number}\x00"


@dataclass(frozen=True)
class _Plan:
    alias: str
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, int | None] | None, ...]  # (argument, index in a list) or a constant
    compiler: Any
    converters: Any
    model: type[Model]
    start: int
    end: int
    init_list: tuple[str, ...]
    populators: tuple[Any, ...]
    annotations: tuple[tuple[str, int], ...]

    def run(self, values: list[Any]) -> list[Any]:
        params = [
            constant if slot is None else values[slot[0]] if slot[1] is None else values[slot[0]][slot[1]]
            for constant, slot in zip(self.params, self.slots, strict=True)
        ]
        with connections[self.alias].cursor() as cursor:
            cursor.execute(self.sql, params)
            rows: Any = cursor.fetchall()
        if self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        objects = []
        for row in rows:
            obj = self.model.from_db(self.alias, self.init_list, row[self.start : self.end])
            for populator in self.populators:
                populator.populate(row, obj)
            for name, position in self.annotations:
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects


class Prepared(Generic[M]):
    """`Prepared(lambda pk, ids: Model.objects.filter(pk=pk, other_id__in=ids))(1, [2, 3])`
    gives the same objects as evaluating that queryset, built once per shape."""

    def __init__(self, build: Callable[..., QuerySet[M]]) -> None:
        self._build = build
        self._plans: dict[Shape, _Plan | None] = {}
        self._lock = threading.Lock()

    def __call__(self, *args: Arg) -> list[M]:
        values: list[Any] = [
            arg if isinstance(arg, int | str) else list(dict.fromkeys(int(v) for v in arg)) for arg in args
        ]
        shape: Shape = tuple(
            None if isinstance(v, int) else "str" if isinstance(v, str) else len(v) for v in values
        )
        try:
            plan = self._plans[shape]
        except KeyError:
            plan = self._plan(shape)
            with self._lock:
                self._plans[shape] = plan
        return [] if plan is None else plan.run(values)

    def _plan(self, shape: Shape) -> _Plan | None:
        markers: dict[int | str, tuple[int, int | None]] = {}
        arguments: list[Any] = []
        for position, size in enumerate(shape):
            if not isinstance(size, int):
                marker = _marker(str if size == "str" else int, len(markers))
                markers[marker] = (position, None)
                arguments.append(marker)
            else:
                listed = []
                for index in range(size):
                    marker = _marker(int, len(markers))
                    markers[marker] = (position, index)
                    listed.append(marker)
                arguments.append(listed)
        queryset = self._build(*arguments)
        compiler = queryset.query.get_compiler(using=queryset.db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return None  # an empty `__in`: nothing matches, and Django would not query either
        slots = tuple(markers.get(p) if type(p) in (int, str) else None for p in params)
        used = [slot for slot in slots if slot is not None]
        if sorted(used, key=repr) != sorted(markers.values(), key=repr):
            raise ValueError(f"Prepared query does not pass its arguments through as parameters: {sql}")
        klass_info = compiler.klass_info
        select = compiler.select
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        return _Plan(
            alias=queryset.db,
            sql=sql,
            params=tuple(params),
            slots=slots,
            compiler=compiler,
            converters=compiler.get_converters([s[0] for s in select[0 : compiler.col_count]]),
            model=klass_info["model"],
            start=start,
            end=end,
            init_list=tuple(f[0].target.attname for f in select[start:end]),
            populators=tuple(get_related_populators(klass_info, select, queryset.db)),
            annotations=tuple((compiler.annotation_col_map or {}).items()),
        )
