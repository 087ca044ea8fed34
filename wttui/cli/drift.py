"""`wttui drift`: the cross-branch migration report as Markdown (for a team document) or JSON."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from wttui.drift.analysis import DriftReport
from wttui.present import STATE_SENTENCES


def render_json(report: DriftReport) -> dict[str, Any]:
    data = asdict(report)
    for row in data["not_everywhere"]:
        row["state"] = row["state"].value
    return data


def render_markdown(report: DriftReport) -> str:
    lines = [f"# Migration drift (main branch: `{report.main}`)", ""]

    def section(title: str, header: str, rows: list[str], empty: str) -> None:
        lines.extend([f"## {title}", ""])
        if rows:
            lines.extend([header, "|" + "---|" * header.count("|", 1), *rows, ""])
        else:
            lines.extend([empty, ""])

    section(
        "Not applied everywhere",
        "| worktree | migration | state | in | applied by |",
        [
            f"| {r.worktree} | `{r.version}_{r.name}` | {STATE_SENTENCES[r.state]}"
            f" | {', '.join(r.found_in) or '–'} | {r.applied_by or '–'} |"
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
    section(
        "Out of order",
        "| branch | migration | main's newest |",
        [
            f"| {o.branch} | `{o.version}_{o.name}` | `{o.main_newest}` |"
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
        "No two branches' new migrations touch the same table.",
    )
    section(
        "Merge order",
        "| # | branch | oldest new migration |",
        [
            f"| {i} | {branch} | `{version}` |"
            for i, (branch, version) in enumerate(report.merge_order, start=1)
        ],
        "No branch has migrations the main branch lacks.",
    )
    section(
        "Names",
        "| branch | migration | warning |",
        [f"| {w.branch} | `{w.version}_{w.name}` | {w.reason} |" for w in report.names],
        "Every name follows the convention.",
    )
    section(
        "Lock safety",
        "| branch | migration | line | rule | what to do |",
        [
            f"| {r.branch} | `{r.version}_{r.name}` | {r.line} | `{r.rule}` | "
            f"{(r.help or r.message).replace('|', '/')} |"
            for r in report.lock_risks
        ],
        report.lint_note or "No new migration takes a long or blocking lock (squawk).",
    )
    return "\n".join(lines).rstrip() + "\n"
