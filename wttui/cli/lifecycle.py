"""`templates`, `snapshot`, `snapshots`, `restore`, `undo`, `trash`: the database's life.

Exit codes as everywhere (`wttui.errors`): 0 done (or `--dry-run`), 1 the action failed, 2 bad
input (no such snapshot or trash item, a bad name or age), 3 server or Docker unreachable, 4
refused by a rule or not confirmed, 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from wttui.cli.common import (
    PrintSink,
    add_plan_options,
    confirm_or_stop,
    ref,
    run_action,
    run_changing,
    services,
)
from wttui.cli.registry import Add
from wttui.errors import InvalidInput


def _table(rows: list[list[str]], header: list[str]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print(
            "  ".join(
                str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)
            ).rstrip()
        )


# -- templates -----------------------------------------------------------------------------------


def cmd_templates(args: argparse.Namespace) -> int:
    from wttui.present_lifecycle import age, size

    found = services(args)
    if args.action == "build":
        from wttui.actions.templates import build

        if args.dry_run:
            print("templates build: brings the main worktree's template up to date")
            return 0
        name = run_action(lambda cancel: build(found, sink=PrintSink(), cancel=cancel))
        if name:
            print(name)
        return 0
    if args.action == "prune":
        from wttui.actions.templates import prune_unused
        from wttui.plans_lifecycle import plan_templates_prune

        plan = plan_templates_prune(found)
        if not confirm_or_stop(args, "templates prune", plan):
            return 0
        keep = {t.name for t in found.lifecycle.templates().listing()} - set(plan.names)
        run_action(lambda _cancel: prune_unused(found, keep=keep, sink=PrintSink()))
        return 0
    if args.action not in (None, "list"):
        raise InvalidInput(f"Unknown templates action {args.action!r} (list, build, prune)")
    templates = found.lifecycle.templates().listing()
    if args.json:
        print(json.dumps([_template_json(t) for t in templates], indent=2))
        return 0
    if not templates:
        print(
            "No templates yet: one is built after the next create or migrate on main",
            file=sys.stderr,
        )
        return 0
    _table(
        [
            [
                t.name + (" (building)" if t.building else ""),
                str(t.count),
                t.newest,
                size(t.size_bytes),
                age(t.built_at) if t.built_at else "",
                f"{t.replay_seconds:.1f} s" if t.replay_seconds is not None else "",
            ]
            for t in templates
        ],
        ["TEMPLATE", "MIGRATIONS", "NEWEST", "SIZE", "BUILT", "REPLAY"],
    )
    return 0


def _template_json(template: Any) -> dict[str, Any]:
    return {
        "name": template.name,
        "migrations": template.count,
        "newest": template.newest,
        "tool": template.tool,
        "size_bytes": template.size_bytes,
        "built_at": template.built_at.isoformat() if template.built_at else None,
        "replay_seconds": template.replay_seconds,
        "building": template.building,
    }


# -- snapshots -----------------------------------------------------------------------------------


def cmd_snapshot(args: argparse.Namespace) -> int:
    from wttui import plans_lifecycle

    found = services(args)
    if args.delete is not None:
        from wttui.actions.snapshot import delete

        plan_d = plans_lifecycle.plan_snapshot_delete(found, ref(args), args.delete)
        if not confirm_or_stop(args, f"delete snapshot {plan_d.snapshot.name}", plan_d):
            return 0
        run_changing(
            args,
            found,
            plan_d,
            lambda fresh, sink, cancel: delete(found, fresh, sink=sink, cancel=cancel),
            replan=lambda: plans_lifecycle.plan_snapshot_delete(found, ref(args), args.delete),
        )
        return 0
    from wttui.actions.snapshot import snapshot

    plan = plans_lifecycle.plan_snapshot(found, ref(args), name=args.name)
    if not confirm_or_stop(args, f"snapshot {plan.target.label}", plan):
        return 0
    name = run_changing(
        args,
        found,
        plan,
        lambda fresh, sink, cancel: snapshot(found, fresh, sink=sink, cancel=cancel),
        replan=lambda: plans_lifecycle.plan_snapshot(found, ref(args), name=args.name),
    )
    print(name)
    return 0


def cmd_snapshots(args: argparse.Namespace) -> int:
    from wttui.present_lifecycle import age, size

    found = services(args)
    label = found.resolve(args.branch).label if args.branch else None
    snapshots = found.lifecycle.snapshots.listing(label)
    if args.json:
        print(json.dumps([s.to_json() for s in snapshots], indent=2))
        return 0
    if not snapshots:
        print("No snapshots" + (f" of {label}" if label else ""), file=sys.stderr)
        return 0
    _table(
        [
            [
                s.worktree,
                s.name,
                s.method,
                size(s.size_bytes),
                age(s.created_at),
                s.migration,
                s.reason,
            ]
            for s in snapshots
        ],
        ["WORKTREE", "NAME", "METHOD", "SIZE", "AGE", "MIGRATION", "WHY"],
    )
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from wttui.actions.snapshot import restore
    from wttui.plans_lifecycle import plan_restore

    found = services(args)
    plan = plan_restore(found, ref(args), args.snapshot)
    if not confirm_or_stop(args, f"restore {plan.target.label}", plan):
        return 0
    run_changing(
        args,
        found,
        plan,
        lambda fresh, sink, cancel: restore(found, fresh, sink=sink, cancel=cancel),
        replan=lambda: plan_restore(found, ref(args), args.snapshot),
    )
    return 0


# -- trash ---------------------------------------------------------------------------------------


def cmd_undo(args: argparse.Namespace) -> int:
    from wttui.actions.trash import undo
    from wttui.plans_lifecycle import plan_undo
    from wttui.present_lifecycle import undo_title

    found = services(args)
    plan = plan_undo(found, getattr(args, "name", None))
    picked = getattr(args, "action", None) == "restore"
    if not confirm_or_stop(args, undo_title(plan, picked=picked), plan):
        return 0
    back = run_changing(
        args,
        found,
        plan,
        lambda fresh, sink, cancel: undo(found, fresh, sink=sink, cancel=cancel),
        replan=lambda: plan_undo(found, getattr(args, "name", None)),
    )
    print(back)
    return 0


def cmd_trash(args: argparse.Namespace) -> int:
    from wttui.present_lifecycle import age, size

    found = services(args)
    if args.action == "restore":
        if not args.name:
            raise InvalidInput("Which item? `wttui trash restore NAME` (`wttui trash` lists them)")
        return cmd_undo(args)
    if args.action == "purge":
        from wttui.actions.trash import purge
        from wttui.plans_lifecycle import plan_purge

        plan = plan_purge(found, args.older_than)
        if not confirm_or_stop(args, "trash purge", plan):
            return 0
        run_changing(
            args,
            found,
            plan,
            lambda fresh, sink, cancel: purge(found, fresh, sink=sink, cancel=cancel),
            replan=lambda: plan_purge(found, args.older_than),
        )
        return 0
    if args.action:
        raise InvalidInput(f"Unknown trash action {args.action!r} (restore, purge)")
    lifecycle = found.lifecycle
    items = lifecycle.trash.items()
    drops = lifecycle.soft_drops() if items else None
    present = {item.name: drops.exists(item) for item in items} if drops else {}
    if args.json:
        print(
            json.dumps(
                [{**item.to_json(), "present": present[item.name]} for item in items], indent=2
            )
        )
        return 0
    if not items:
        print("The trash is empty", file=sys.stderr)
        return 0
    _table(
        [
            [
                item.name,
                item.kind,
                item.original,
                item.branch or item.worktree or "-",
                item.reason,
                age(item.trashed_at),
                size(item.size_bytes) if present[item.name] else "GONE",
            ]
            for item in items
        ],
        ["NAME", "KIND", "WAS", "WORKTREE", "WHY", "AGE", "SIZE"],
    )
    return 0


def register(add: Add) -> None:
    templates = add("templates", cmd_templates, "the template cache: list, prune, build")
    templates.add_argument("action", nargs="?", help="list | build | prune (default: list)")
    templates.add_argument("--json", action="store_true", help="machine-readable listing")
    add_plan_options(templates, yes=True, lock=False)  # a build has its own lock

    snap = add("snapshot", cmd_snapshot, "snapshot a worktree's database (or --delete one)")
    snap.add_argument("branch", nargs="?", help="worktree branch, path or directory")
    snap.add_argument("--name", help="the snapshot's name (default: the time)")
    snap.add_argument("--delete", metavar="NAME", help="delete the snapshot called NAME")
    add_plan_options(snap)

    snaps = add("snapshots", cmd_snapshots, "list snapshots (name, size, age, migration)")
    snaps.add_argument("branch", nargs="?", help="only this worktree's")
    snaps.add_argument("--json", action="store_true")

    restore = add("restore", cmd_restore, "replace a worktree's database with a snapshot")
    restore.add_argument("branch", nargs="?", help="worktree branch, path or directory")
    restore.add_argument("snapshot", nargs="?", help="snapshot name (default: the newest)")
    add_plan_options(restore)

    undo = add("undo", cmd_undo, "bring back the last dropped database (and its worktree)")
    add_plan_options(undo)

    trash = add("trash", cmd_trash, "list the trash; `trash restore NAME`, `trash purge`")
    trash.add_argument("action", nargs="?", help="restore | purge (default: list)")
    trash.add_argument("name", nargs="?", help="the item to restore")
    trash.add_argument("--older-than", help="purge only what is older (7d, 12h, 0: all)")
    trash.add_argument("--json", action="store_true")
    add_plan_options(trash)
