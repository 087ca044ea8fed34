"""`wttui drift`: the cross-branch migration report as Markdown (for a team document) or JSON.

The Markdown opens with the seed's "Known Schema Drift" table (migration, owner, status, the
tables each adds or changes), ready to paste weekly; `--since DATE` keeps the rows dated on or
after DATE (rows with no date are kept: nothing says they are older).
"""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import UTC, date, datetime
from typing import Any

from wttui.core.versions import migration_label
from wttui.drift.analysis import DriftMigration, DriftReport
from wttui.present import STATE_SENTENCES


def since(report: DriftReport, day: date | None) -> DriftReport:
    """`report` with only the known-drift rows dated `day` or later (and those with no date)."""
    if day is None:
        return report
    kept = tuple(m for m in report.migrations if m.date is None or m.date >= day.isoformat())
    return replace(report, migrations=kept)


def render_json(report: DriftReport) -> dict[str, Any]:
    data = asdict(report)
    for row in data["not_everywhere"]:
        row["state"] = row["state"].value
    return data


def _tables(row: DriftMigration, names: tuple[str, ...]) -> str:
    if row.parsed is None:
        return "no file on any branch"
    if not row.parsed:
        return "not parsed"
    return ", ".join(names) or "–"


def render_markdown(
    report: DriftReport, *, day: date | None = None, today: date | None = None
) -> str:
    lines = [f"# Migration drift (main branch: `{report.main}`)", ""]

    def section(title: str, header: str, rows: list[str], empty: str) -> None:
        lines.extend([f"## {title}", ""])
        if rows:
            lines.extend([header, "|" + "---|" * header.count("|", 1), *rows, ""])
        else:
            lines.extend([empty, ""])

    as_of = (today or datetime.now(UTC).date()).isoformat()
    window = f", since {day.isoformat()}" if day else ""
    section(
        f"Known schema drift (as of {as_of}{window})",
        "| migration | owner | status | tables added | tables changed |",
        [
            f"| `{m.label}` | {m.owner or '–'} | {m.status} | {_tables(m, m.added)}"
            f" | {_tables(m, m.changed)} |"
            for m in report.migrations
        ],
        "Every migration is on the main branch.",
    )
    section(
        "Not applied everywhere",
        "| worktree | migration | state | in | applied by |",
        [
            f"| {r.worktree} | `{r.label or r.version}` | {STATE_SENTENCES[r.state]}"
            + (f", out of order: {r.note}" if r.out_of_order and r.note else "")
            + f" | {', '.join(r.found_in) or '–'} | {r.applied_by or '–'} |"
            for r in report.not_everywhere
        ],
        "Every worktree's database has every migration of its folder, and no others.",
    )
    section(
        "Version collisions",
        "| version | used by |",
        [
            f"| `{c.version}` | " + ", ".join(f"{b}: `{n}`" for b, n in c.uses) + " |"
            for c in report.collisions
        ],
        "No version is used by two different migrations.",
    )
    if report.graph:
        lines.extend(
            [
                "## Out of order",
                "",
                f"{report.tool} orders migrations by its revision graph or plan, not by version.",
                "",
            ]
        )
    else:
        section(
            "Out of order",
            f"| branch | migration | main's newest | what {report.tool or 'the tool'} does |",
            [
                f"| {o.branch} | `{o.label or o.version}` | `{o.main_newest}` | {o.note or '–'} |"
                for o in report.out_of_order
            ],
            "No branch adds a migration older than the main branch's newest.",
        )
    section(
        "Branches changing the same tables",
        "| branches | tables | columns |",
        [
            f"| {' & '.join(c.branches)} | {', '.join(c.tables)} | {', '.join(c.columns) or '–'} |"
            for c in report.conflicts
        ]
        + [f"| {branch} | not parsed: `{path}` | – |" for branch, path in report.unparsed],
        "No two branches' new migrations change the same table.",
    )
    section(
        "Merge order",
        "| # | branch | oldest new migration |",
        [
            f"| {i} | {branch} | `{version}` |"
            for i, (branch, version) in enumerate(report.merge_order, start=1)
        ],
        f"{report.tool} orders by its graph: any order; merge the heads after."
        if report.graph
        else "No branch has migrations the main branch lacks.",
    )
    section(
        "Names",
        "| branch | migration | warning |",
        [f"| {w.branch} | `{w.label or w.version}` | {w.reason} |" for w in report.names],
        "Every name follows the convention.",
    )
    section(
        "Lock safety",
        "| branch | migration | line | rule | what to do |",
        [
            f"| {r.branch} | `{migration_label(r.version, r.name)}` | {r.line} | `{r.rule}` | "
            f"{(r.help or r.message).replace('|', '/')} |"
            for r in report.lock_risks
        ],
        report.lint_note or "No new migration takes a long or blocking lock (squawk).",
    )
    if report.problems:
        section(
            "Branches whose migrations could not be read",
            "| branch | why |",
            [f"| {branch} | {why} |" for branch, why in report.problems],
            "",
        )
    return "\n".join(lines).rstrip() + "\n"
