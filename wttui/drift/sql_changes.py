"""Which tables a SQL migration adds and which it changes, from PostgreSQL's own parser (pglast).

A change is DDL on the table itself: `ALTER TABLE` (with the columns it names), `DROP TABLE`,
`CREATE INDEX … ON`, `RENAME`, a trigger or policy on it, a constraint added to it. A table that
is only referenced — `REFERENCES users` in another table's foreign key, a view selecting from
it, an `UPDATE` — is not changed: two branches that both point a foreign key at `users` do not
conflict. `CREATE TABLE` (and a view, a table as a query) adds a table. Names are as PostgreSQL
folds them, without the default `public.` schema.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_DOWN_MARKERS = re.compile(r"^--\s*(migrate:down|\+goose\s+Down)\b", re.MULTILINE | re.IGNORECASE)
_TABLE_LIKE = ("OBJECT_TABLE", "OBJECT_FOREIGN_TABLE", "OBJECT_MATVIEW", "OBJECT_VIEW")


def up_part(text: str) -> str:
    """A SQL migration's up part (before `-- migrate:down` / `-- +goose Down`)."""
    marker = _DOWN_MARKERS.search(text)
    return text[: marker.start()] if marker else text


@dataclass
class TableChanges:
    """What one migration (or one branch's migrations) does to tables."""

    added: set[str] = field(default_factory=set)
    changed: dict[str, set[str]] = field(default_factory=dict)
    """Each changed table with the columns the SQL names (`ALTER TABLE … COLUMN`)."""

    def change(self, table: str, column: str | None = None) -> None:
        columns = self.changed.setdefault(table, set())
        if column:
            columns.add(column)

    def update(self, other: TableChanges) -> None:
        self.added |= other.added
        for table, columns in other.changed.items():
            self.changed.setdefault(table, set()).update(columns)

    @property
    def tables(self) -> set[str]:
        """Every table added or changed (what two branches must not share)."""
        return self.added | set(self.changed)


def _name(relation: Any) -> str | None:
    if relation is None or not getattr(relation, "relname", None):
        return None
    schema = relation.schemaname
    table = str(relation.relname)
    return table if not schema or schema == "public" else f"{schema}.{table}"


def _object_name(names: Any) -> str | None:
    items = names if isinstance(names, tuple) else ()
    parts = [str(n.sval) for n in items if getattr(n, "sval", None)]
    if not parts or len(parts) != len(items):
        return None
    schema, table = (parts[-2] if len(parts) > 1 else None), parts[-1]
    return table if not schema or schema == "public" else f"{schema}.{table}"


def _kind(value: Any) -> str:
    return str(getattr(value, "name", value))


def _statement(node: Any, found: TableChanges) -> None:
    kind = type(node).__name__
    if kind == "CreateStmt":
        if name := _name(node.relation):
            found.added.add(name)
    elif kind == "CreateTableAsStmt":
        if name := _name(getattr(node.into, "rel", None)):
            found.added.add(name)
    elif kind == "ViewStmt":
        if name := _name(node.view):
            found.added.add(name)
    elif kind == "AlterTableStmt":
        name = _name(node.relation)
        if name is None or _kind(node.objtype) not in _TABLE_LIKE:
            return
        found.change(name)
        for command in node.cmds or ():
            definition = getattr(command, "def_", None)
            found.change(name, command.name or getattr(definition, "colname", None))
    elif kind == "RenameStmt":
        name = _name(node.relation)
        target = _kind(node.renameType)
        if name is None:
            return
        if target == "OBJECT_COLUMN":
            found.change(name, node.subname)
        elif target in _TABLE_LIKE or _kind(node.relationType) in _TABLE_LIKE:
            found.change(name)  # the table, or a constraint or trigger on it
    elif kind == "DropStmt":
        if _kind(node.removeType) in _TABLE_LIKE:
            for names in node.objects or ():
                if name := _object_name(names):
                    found.change(name)
    elif kind in ("IndexStmt", "CreateTrigStmt"):
        if name := _name(node.relation):
            found.change(name)
    elif kind == "CreatePolicyStmt":
        if name := _name(node.table):
            found.change(name)
    elif kind == "CreateSchemaStmt":
        for element in node.schemaElts or ():
            _statement(element, found)


def table_changes(sql_text: str) -> TableChanges:
    """The tables `sql_text` adds and changes.

    Raises:
        pglast.parser.ParseError: the text is not SQL PostgreSQL would parse.
    """
    from pglast import parse_sql

    found = TableChanges()
    for raw in parse_sql(sql_text):
        _statement(raw.stmt, found)
    return found


def parsed_changes(sql_text: str | None) -> TableChanges | None:
    """`table_changes`, or None for a migration that is not SQL or that PostgreSQL's parser
    refuses (said as "not parsed", never guessed at)."""
    if sql_text is None:
        return None
    from pglast.parser import ParseError

    try:
        return table_changes(sql_text)
    except ParseError:
        return None
