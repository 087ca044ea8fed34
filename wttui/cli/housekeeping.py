"""`sync`, `orphans` and `doctor`: quiet, idempotent and scriptable (`--json`, exit codes).

Exit codes as everywhere (0 ok, 1 failed, 2 bad input, 3 server or Docker unreachable, 4
refused or not confirmed); `doctor` exits 1 when a check fails, `orphans` (listing) 3 when a
place could not be checked.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from dataclasses import asdict
from typing import Any

from wttui.cli.common import (
    PrintSink,
    add_plan_options,
    confirm_or_stop,
    ref,
    run_changing,
    services,
)
from wttui.cli.registry import Add
from wttui.errors import EXIT_FAILED, EXIT_OK, EXIT_UNREACHABLE, InvalidInput


def _sink(args: argparse.Namespace) -> PrintSink:
    """Narration on stderr, or nowhere with `--quiet` (errors are still printed)."""
    return PrintSink(io.StringIO()) if getattr(args, "quiet", False) else PrintSink()


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, default=str))


# -- sync --------------------------------------------------------------------------------------


def cmd_sync(args: argparse.Namespace) -> int:
    from wttui.actions.sync import sync
    from wttui.plans_housekeeping import plan_sync

    if args.all and args.branch:
        raise InvalidInput("Give a BRANCH or --all, not both")
    found = services(args)
    plan = plan_sync(found, None if args.all else ref(args), every=args.all, force=args.force)
    title = "sync --all" if args.all else f"sync {plan.items[0].worktree.label}"
    if not confirm_or_stop(args, title, plan):
        return EXIT_OK
    done = run_changing(
        args,
        found,
        plan,
        lambda fresh, sink, cancel: sync(found, fresh, sink=sink, cancel=cancel),
        replan=lambda: plan_sync(
            found, None if args.all else ref(args), every=args.all, force=args.force
        ),
        sink=_sink(args),
    )
    if args.json:
        _print_json([asdict(item) for item in done])
    return EXIT_OK


# -- orphans -----------------------------------------------------------------------------------


def orphan_json(orphan: Any) -> dict[str, Any]:
    return {
        "kind": orphan.kind.value,
        "name": orphan.name,
        "where": orphan.where,
        "worktree": orphan.label,
        "size_bytes": orphan.size_bytes,
        "last_used": orphan.last_used.isoformat() if orphan.last_used else None,
        "last_used_is": orphan.used_how or None,
        "sessions": orphan.sessions,
        "note": orphan.note or None,
    }


def cmd_orphans(args: argparse.Namespace) -> int:
    from wttui.orphans import read_orphans
    from wttui.present_housekeeping import report_lines

    if not args.clean and (args.yes or args.dry_run or args.force or args.worktree):
        raise InvalidInput("--yes, --dry-run, --force and --worktree go with --clean")
    found = services(args)
    report = read_orphans(found)
    if args.clean:
        return _clean(args, found, report)
    if args.json:
        _print_json(
            {
                "orphans": [orphan_json(o) for o in report.orphans],
                "unchecked": list(report.unchecked),
                "disk": {
                    "orphans_bytes": report.orphan_bytes,
                    "live_bytes": report.live_bytes,
                    "total_bytes": None
                    if report.live_bytes is None
                    else report.live_bytes + report.orphan_bytes,
                },
            }
        )
    else:
        for line in report_lines(report):
            print(line)
    for why in report.unchecked:
        print(f"wttui: could not check: {why}", file=sys.stderr)
    return EXIT_UNREACHABLE if report.unchecked else EXIT_OK


def _clean(args: argparse.Namespace, found: Any, report: Any) -> int:
    from wttui.actions.orphans import clean
    from wttui.orphans import read_orphans
    from wttui.plans_housekeeping import plan_clean

    plan = plan_clean(found, report, worktree=_worktree_ref(args.worktree), force=args.force)
    if not plan.orphans and not args.dry_run:
        if not args.quiet:
            print("wttui: no orphans to remove", file=sys.stderr)
        if args.json:
            _print_json({"removed": [], "freed_bytes": 0, "unchecked": list(plan.unchecked)})
        return EXIT_UNREACHABLE if plan.unchecked else EXIT_OK
    if not confirm_or_stop(args, "orphans --clean", plan):
        return EXIT_OK
    removed = run_changing(
        args,
        found,
        plan,
        lambda fresh, sink, cancel: clean(found, fresh, sink=sink, cancel=cancel),
        # Orphans found again: another wttui may have made one of them live meanwhile.
        replan=lambda: plan_clean(
            found,
            read_orphans(found),
            worktree=_worktree_ref(args.worktree),
            force=args.force,
        ),
        sink=_sink(args),
    )
    if args.json:
        _print_json(
            {
                "removed": [orphan_json(o) for o in removed],
                "freed_bytes": sum(o.size_bytes or 0 for o in removed),
                "unchecked": list(plan.unchecked),
            }
        )
    return EXIT_UNREACHABLE if plan.unchecked else EXIT_OK


def _worktree_ref(value: str | None) -> str | None:
    """`--worktree -`: the worktree named by a hook's JSON on stdin (Claude Code's and
    worktrunk's payloads carry `worktree_path`; worktrunk's `branch` too)."""
    if value != "-":
        return value
    try:
        data = json.load(sys.stdin)
    except (ValueError, OSError):
        data = None
    ref = data.get("worktree_path") or data.get("branch") if isinstance(data, dict) else None
    if not isinstance(ref, str) or not ref:
        raise InvalidInput(
            "--worktree -: stdin holds no JSON object with worktree_path or branch",
            hint="pass the removed worktree's branch or path instead",
        )
    return ref


# -- doctor ------------------------------------------------------------------------------------


def cmd_doctor(args: argparse.Namespace) -> int:
    from wttui.doctor import diagnose
    from wttui.present_housekeeping import check_line

    found = services(args)
    report = diagnose(found, args.branch)
    if args.fix:
        report = _fix(args, found, report)
    if args.json:
        _print_json(
            {
                "passed": report.passed,
                "checks": [
                    {
                        "name": c.name,
                        "status": c.status.value,
                        "worktree": c.worktree,
                        "detail": c.detail,
                        "fix": c.fix or None,
                        "safe_fix": c.safe_fix.value if c.safe_fix else None,
                    }
                    for c in report.checks
                ],
            }
        )
    else:
        for check in report.checks:
            print(check_line(check))
            if check.fix and check.status.value not in ("ok", "info"):
                print(f"        fix: {check.fix}")
    return EXIT_OK if report.passed else EXIT_FAILED


def _fix(args: argparse.Namespace, found: Any, report: Any) -> Any:
    from wttui.actions.doctor import fix
    from wttui.doctor import diagnose
    from wttui.plans_housekeeping import plan_fix

    plan = plan_fix(found, report)
    if not plan.checks:
        print("wttui: no safe fix applies", file=sys.stderr)
        return report
    if not confirm_or_stop(args, "doctor --fix", plan):
        return report
    run_changing(
        args,
        found,
        plan,
        lambda fresh, sink, cancel: fix(found, fresh, sink=sink, cancel=cancel),
        replan=lambda: plan_fix(found, diagnose(found, args.branch)),
        sink=_sink(args),
    )
    return diagnose(found, args.branch)


def register(add: Add) -> None:
    sync = add(
        "sync",
        cmd_sync,
        "bring a worktree in line with its plan: missing database, stale .env (nothing else)",
    )
    sync.add_argument(
        "branch", nargs="?", help="worktree branch, path or directory (default: here)"
    )
    sync.add_argument("--all", action="store_true", help="every worktree")
    sync.add_argument("--json", action="store_true", help="what was done, as JSON on stdout")
    sync.add_argument("-q", "--quiet", action="store_true", help="no narration (hooks)")
    add_plan_options(sync, force="replace hand-set .env values (asks first; --yes does not)")

    orphans = add(
        "orphans",
        cmd_orphans,
        "databases, schemas, containers, volumes and git metadata no live worktree uses",
    )
    orphans.add_argument("--json", action="store_true", help="print JSON on stdout")
    orphans.add_argument("--clean", action="store_true", help="remove them (after a preview)")
    orphans.add_argument(
        "--worktree",
        metavar="REF",
        help="with --clean: only what belonged to this removed worktree (branch or path; "
        "-: read a hook's JSON on stdin)",
    )
    orphans.add_argument("-q", "--quiet", action="store_true", help="no narration (hooks)")
    add_plan_options(orphans, force="end open sessions on orphan databases")

    doctor = add("doctor", cmd_doctor, "check the server, containers, .env files, tools; --fix")
    doctor.add_argument("branch", nargs="?", help="only this worktree's checks (and the server's)")
    doctor.add_argument("--json", action="store_true", help="print JSON on stdout")
    doctor.add_argument("--fix", action="store_true", help="run the safe fixes, after showing them")
    doctor.add_argument("-q", "--quiet", action="store_true", help="no narration of the fixes")
    add_plan_options(doctor)
