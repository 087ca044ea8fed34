"""Sqitch: changes listed in `sqitch.plan`, deployed into the `sqitch` registry schema.

Facts (MIGRATION-TOOLS.md §13, sqitch `Engine/pg.sql`, `Engine.pm`, `Plan.pm`,
`Plan/Change.pm`):
- The registry is the schema **`sqitch`**. `sqitch.changes` holds one row per *currently
  deployed* change (`change_id`, `change`, `script_hash`, `project`, `committed_at`, …); a
  revert deletes its row. `sqitch.events` is the full history: `event` in `deploy`, `revert`,
  `fail`, `merge`.
- `script_hash` is the SHA-1 hex of the raw bytes of `deploy/<change>.sql`; `change_id` hashes
  the *plan entry* (name, parent, planner, date, note, …), so wttui matches on the change name.
- A failed deploy logs a `fail` event and runs the change's revert script: the change is not in
  `changes`. wttui shows it FAILED while its latest event is that `fail`.
- The order is the plan's order (`graph_ordered`), not names. `deploy` deploys what follows the
  last deployed change; an undeployed change *earlier* in the plan (merged from another branch)
  is never deployed and `sqitch status` doesn't list it; only `sqitch verify` reports it.
- A deployed change the plan lacks makes `deploy`, `revert` and `status` die ("Cannot find
  change … in sqitch.plan").

`sqitch.plan` syntax (`Plan.pm`): `%pragma=value` lines, `@tag` lines, blank and `#` comment
lines, and change lines `[+|-]name [deps] timestamp planner <email> # note`. A change name
may hold `/` (a subfolder of `deploy/`).

The commands take the target from `DATABASE_URL` (`postgresql://…` becomes
`db:pg://…`; URI query parameters such as `sslmode` reach libpq). Sqitch runs scripts with
`psql` (postgresql-client).

Not handled: `core.top_dir`/`deploy_dir`/`plan_file` other than the defaults under the folder
wttui reads (set `[migrations] dir` to the top dir), a registry schema other than `sqitch`
(`engine.pg.registry`), several projects sharing one registry (rows of every project are read),
and reworked changes in the database: an earlier instance of a reworked change is its own entry
`name@tag` locally (file `deploy/name@tag.sql`), but every registry row of `name` maps to the
plan's latest `name`.
"""

from __future__ import annotations

import hashlib
import re
import shlex
from pathlib import Path

from psycopg import sql

from wttui.core.models import MigrationState
from wttui.errors import MigrationFileError, Refused
from wttui.migrations.adapter import (
    Adapter,
    AppliedMigration,
    Connection,
    LocalMigration,
    shell,
    table_exists,
)
from wttui.migrations.resolution import Resolution, ResolveRequest, newest_only

SCHEMA = "sqitch"
PLAN = "sqitch.plan"
CONF = "sqitch.conf"
_TARGET = "db:pg://${DATABASE_URL#*://}"
_REVERT_ONE = f"""t="{_TARGET}"
p=$(sed -n 's/^%[[:blank:]]*project[[:blank:]]*=[[:blank:]]*//p' sqitch.plan | head -n 1)
n=$(echo "SELECT count(*) FROM sqitch.changes WHERE project = :'p'" \\
  | psql -X -A -t -q -v ON_ERROR_STOP=1 -v p="$p" "$DATABASE_URL") || exit
if [ "$n" -gt 1 ]; then exec sqitch revert -y --to @HEAD^ --target "$t"; fi
exec sqitch revert -y --target "$t"
"""
_CHANGE = re.compile(r"^[ \t]*(?:[+-][ \t]*)?(?P<name>[^ \t\[#@%:]+)")
_TAG = re.compile(r"^[ \t]*@(?P<tag>[^ \t#]+)")


def _read_plan(folder: Path) -> list[tuple[str, str | None]]:
    """The plan's changes in order, each with the first tag after it (None for none)."""
    path = folder / PLAN
    if not path.is_file():
        return []
    entries: list[tuple[str, str | None]] = []
    untagged: list[int] = []
    text = path.read_text(encoding="utf-8", errors="replace")
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith(("#", "%")):
            continue
        tag = _TAG.match(line)
        if tag:
            for index in untagged:
                entries[index] = (entries[index][0], tag["tag"])
            untagged = []
            continue
        change = _CHANGE.match(line)
        if change is None:
            raise MigrationFileError(f"{PLAN} line {number} is no change, tag or pragma: {raw!r}")
        entries.append((change["name"], None))
        untagged.append(len(entries) - 1)
    return entries


def script_hash(path: Path) -> str | None:
    """Sqitch's `script_hash`: SHA-1 hex of the deploy script's raw bytes (None without one)."""
    try:
        return hashlib.sha1(path.read_bytes()).hexdigest()
    except OSError:
        return None


class SqitchAdapter(Adapter):
    """`sqitch deploy` / `sqitch revert -y --to @HEAD^` against `DATABASE_URL`, run in the
    project's top directory (the one with `sqitch.plan`)."""

    name = "sqitch"
    graph_ordered = True
    default_dir = "."
    markers = (CONF, PLAN)
    apply = shell(f'sqitch deploy --target "{_TARGET}"')
    rollback = ("sh", "-c", _REVERT_ONE)
    """`revert --to @HEAD^` fails with "Change not deployed" when one change is left: then a
    plain `revert` (which reverts everything: that one)."""
    out_of_order = (
        "sqitch follows the plan's order: `deploy` only deploys changes after the last deployed "
        "one, so it never deploys this one (`status` doesn't list it; `verify` reports it)"
    )
    """What the tool does with a pending migration older than the newest applied one."""
    out_of_order_fix = (
        "move the change after the last deployed one in sqitch.plan (or `sqitch rebase` to revert "
        "and deploy again in plan order)"
    )
    state_table = "sqitch.changes"
    naming = r"^[a-z0-9]+([_-][a-z0-9]+)*(@[\w.-]+)?$"
    tree_paths = ("sqitch.plan", "sqitch.conf", "deploy")

    def detect(self, root: Path) -> bool:
        return (root / CONF).is_file() or (root / PLAN).is_file()

    def local(self, folder: Path) -> list[LocalMigration]:
        """The plan's changes in plan order; a reworked change's earlier instances are
        `name@tag` with their `deploy/name@tag.sql`.

        Raises:
            MigrationFileError: a plan line sqitch wouldn't parse either.
        """
        entries = _read_plan(folder)
        last = {name: index for index, (name, _) in enumerate(entries)}
        found: list[LocalMigration] = []
        for index, (name, tag) in enumerate(entries):
            identity = name if last[name] == index or tag is None else f"{name}@{tag}"
            file = folder / "deploy" / f"{identity}.sql"
            found.append(LocalMigration(identity, name, file, script_hash(file)))
        return found

    def applied(self, conn: Connection) -> list[AppliedMigration] | None:
        """The deployed changes, plus changes whose latest event is a `fail`, oldest first;
        None without the registry."""
        if not table_exists(conn, f"{SCHEMA}.changes"):
            return None
        rows = [
            (
                committed,
                AppliedMigration(str(change), str(change), checksum=hash_, applied_at=committed),
            )
            for change, hash_, committed in conn.execute(
                sql.SQL("SELECT change, script_hash, committed_at FROM {}.changes").format(
                    sql.Identifier(SCHEMA)
                )
            ).fetchall()
        ]
        if table_exists(conn, f"{SCHEMA}.events"):
            failed = conn.execute(
                sql.SQL(
                    "SELECT DISTINCT ON (e.change) e.change, e.event, e.committed_at "
                    "FROM {schema}.events e "
                    "WHERE NOT EXISTS (SELECT 1 FROM {schema}.changes c WHERE c.change = e.change) "
                    "ORDER BY e.change, e.committed_at DESC"
                ).format(schema=sql.Identifier(SCHEMA))
            ).fetchall()
            rows += [
                (
                    committed,
                    AppliedMigration(
                        str(change),
                        str(change),
                        state=MigrationState.FAILED,
                        applied_at=committed,
                        error="sqitch logged a failed deploy (its revert script ran)",
                    ),
                )
                for change, event, committed in failed
                if event == "fail"
            ]
        rows.sort(key=lambda pair: pair[0])
        return [row for _, row in rows]

    def resolve(self, request: ResolveRequest) -> Resolution:
        """`sqitch deploy --log-only --to CHANGE` logs every change up to it as deployed
        without running a script; `sqitch revert --log-only --to CHANGE^` logs the newest
        deployed change reverted (sqitch works in plan order, so only the newest can go
        alone)."""
        change = request.status.version
        quoted = shlex.quote(change)
        if request.applied:
            order = [s.version for s in request.statuses]
            after = [
                s.version
                for s in request.in_database()
                if s.state is not MigrationState.FAILED
                and order.index(s.version) > order.index(change)
            ]
            if after:
                raise Refused(
                    f"sqitch deploys in plan order, and {after[-1]} (after {change} in the plan) "
                    "is deployed already: it cannot log an earlier change deployed now",
                    hint="revert the later changes first (`sqitch rebase`), or rework the plan",
                )
            lower = [s.version for s in request.pending_before()]
            also = f" (and {', '.join(lower)} before it)" if lower else ""
            return Resolution(
                belief=f"sqitch will log {change}{also} as deployed without running a script",
                command=shell(f'sqitch deploy --log-only --to {quoted} --target "{_TARGET}"'),
            )
        if request.status.state is MigrationState.FAILED:
            raise Refused(
                f"sqitch reverted {change} when it failed: it is not deployed, there is nothing "
                "to mark rolled back",
                hint="`--applied` logs it deployed, if its changes are in the database",
            )
        newest_only(request, "sqitch", "reverts in plan order")
        first = request.statuses[0].version == change
        to = "" if first else f"--to {shlex.quote(change + '^')} "
        return Resolution(
            belief=f"sqitch will log {change} as reverted without running its revert script",
            command=shell(f'sqitch revert --log-only -y {to}--target "{_TARGET}"'),
        )
