"""`inspect` and `psql`: look into a worktree's database (read-only), or open a client on it."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from typing import Any

from wttui.cli.common import PrintSink, add_plan_options, confirm_or_stop, run_action, services
from wttui.cli.registry import Add
from wttui.errors import EXIT_OK, InvalidInput


def _table(rows: Sequence[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def cmd_inspect(args: argparse.Namespace) -> int:
    from wttui.inspect import read_state_rows, read_table, read_tables
    from wttui.present import size

    found = services(args)
    if args.migrations and args.table:
        raise InvalidInput("Give a TABLE or --migrations, not both")
    if args.migrations:
        tool, rows = read_state_rows(found, args.branch)
        data: Any = {
            "tool": tool,
            "rows": None
            if rows is None
            else [
                {
                    "version": r.version,
                    "name": r.name,
                    "state": r.state.value,
                    "checksum": r.checksum,
                    "applied_at": r.applied_at.isoformat() if r.applied_at else None,
                    "applied_by": r.applied_by,
                }
                for r in rows
            ],
        }
        if args.json:
            print(json.dumps(data, indent=2))
        elif rows is None:
            print(f"{tool}: no state table yet (nothing applied)")
        else:
            state_lines = [("VERSION", "NAME", "STATE", "APPLIED AT")]
            state_lines += [
                (r.version, r.name, r.state.value, r.applied_at.isoformat() if r.applied_at else "")
                for r in rows
            ]
            print(f"{tool}: {len(rows)} row(s)\n" + _table(state_lines))
        return EXIT_OK
    if args.table:
        detail = read_table(found, args.branch, args.table)
        if args.json:
            print(
                json.dumps(
                    {
                        "schema": detail.table.schema,
                        "table": detail.table.name,
                        "kind": detail.table.kind,
                        "rows_estimate": detail.table.rows,
                        "size_bytes": detail.table.size_bytes,
                        "columns": [c.__dict__ for c in detail.columns],
                        "indexes": [{"name": n, "definition": d} for n, d in detail.indexes],
                        "foreign_keys": [
                            {"name": n, "definition": d} for n, d in detail.foreign_keys
                        ],
                    },
                    indent=2,
                )
            )
            return EXIT_OK
        print(f"{detail.table.schema}.{detail.table.name} ({detail.table.kind})")
        column_lines = [("COLUMN", "TYPE", "NULL", "DEFAULT")]
        column_lines += [
            (c.name, c.type, "yes" if c.nullable else "no", c.default or "") for c in detail.columns
        ]
        print(_table(column_lines))
        for title, items in (("indexes", detail.indexes), ("foreign keys", detail.foreign_keys)):
            print(f"\n{title}:" + ("" if items else " none"))
            for name, definition in items:
                print(f"  {name}: {definition}")
        return EXIT_OK
    tables = read_tables(found, args.branch)
    if args.json:
        print(json.dumps([t.__dict__ for t in tables], indent=2))
        return EXIT_OK
    if not tables:
        print("no tables")
        return EXIT_OK
    lines = [("TABLE", "KIND", "ROWS (EST.)", "SIZE")]
    lines += [
        (
            f"{t.schema}.{t.name}",
            t.kind,
            "?" if t.rows is None else str(t.rows),
            size(t.size_bytes),
        )
        for t in tables
    ]
    print(_table(lines))
    return EXIT_OK


def cmd_psql(args: argparse.Namespace) -> int:
    from wttui.actions.exec import run_in_worktree
    from wttui.inspect import client
    from wttui.plans_exec import plan_psql

    found = services(args)
    plan = plan_psql(found, args.branch, client())
    if not confirm_or_stop(args, f"psql {plan.worktree.label}", plan):
        return EXIT_OK
    return run_action(
        lambda cancel: run_in_worktree(found, plan, sink=PrintSink(), cancel=cancel, capture=False)
    )


def register(add: Add) -> None:
    inspect = add(
        "inspect", cmd_inspect, "tables, a table's columns/indexes/keys, or the migration rows"
    )
    inspect.add_argument("branch", help="worktree branch, path or directory")
    inspect.add_argument("table", nargs="?", help="a table's exact name (or schema.table)")
    inspect.add_argument("--json", action="store_true", help="print JSON on stdout")
    inspect.add_argument(
        "--migrations", action="store_true", help="the migration tool's state rows as stored"
    )

    psql = add("psql", cmd_psql, "open psql (or pgcli) on a worktree's database")
    psql.add_argument("branch", help="worktree branch, path or directory")
    add_plan_options(psql, yes=False, lock=False)
