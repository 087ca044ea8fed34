"""Alembic: revision scripts in `<script_location>/versions/*.py` and `alembic_version`.

Facts (MIGRATION-TOOLS.md §2, alembic `runtime/migration.py`, `ddl/impl.py`, `script/base.py`):
- `alembic_version (version_num VARCHAR(32) NOT NULL)`, PK `alembic_version_pkc`, holds **one
  row per current head**, not a history: a revision is applied when it is an ancestor-or-equal of
  a stored head. No checksum, no failed or dirty state (the upgrade is one transaction on PG).
- A script's identity is its module-level `revision = "…"`, **not** its file name; its parents
  are `down_revision` (None for a root, a string, or a tuple/list for a merge revision). The
  order is the DAG, not file names. Alembic loads every `*.py` in `versions/` except `__init__`
  and editor lock files (`.#…`); a script without `revision` is an error.
- `script_location` comes from `alembic.ini` `[alembic]`, or `[tool.alembic]` in
  `pyproject.toml` (the ini wins); typical values are `alembic` or `migrations` (Flask-Migrate).
- A stored head that no local script declares makes `current`/`upgrade`/`downgrade` fail with
  "Can't locate revision identified by …": a revision from another branch.
- Two scripts with the same `down_revision` are two heads: `alembic upgrade head` refuses
  ("Multiple head revisions are present") until `alembic merge heads`.

wttui never imports a revision script (that would run user code): `local` reads `revision`,
`down_revision` and `depends_on` with `ast`, as literals only.

Because the table holds heads only, `applied` alone can't say which revisions ran; `complete`
resolves the stored heads against the local graph (see its docstring); the runner calls it on every
status.

Not handled: `version_table`/`version_table_schema` set in `env.py` (wttui reads
`alembic_version` through the `search_path`), several `version_locations`,
`recursive_version_locations`, and `depends_on` given as a branch label rather than a revision.
"""

from __future__ import annotations

import ast
import configparser
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from psycopg import sql

from wttui.errors import MigrationFileError, Refused
from wttui.migrations.adapter import (
    Adapter,
    AppliedMigration,
    Connection,
    Evidence,
    LocalMigration,
    table_exists,
)
from wttui.migrations.resolution import Resolution, ResolveRequest

TABLE = "alembic_version"
DEFAULT_SCRIPT_LOCATION = "alembic"
_SLUG = re.compile(r"^[0-9a-fA-F]+_(.+)$")


@dataclass(frozen=True)
class AlembicRevision(LocalMigration):
    """A revision script with its graph edges (ids as its literals name them)."""

    parents: tuple[str, ...] = ()
    """`down_revision`: none for a root, two or more for a merge revision."""
    depends_on: tuple[str, ...] = ()
    """`depends_on`: revisions alembic applies before this one, from another branch."""


def script_location(root: Path) -> str:
    """`script_location` relative to `root`, as `alembic.ini` `[alembic]` or `pyproject.toml`
    `[tool.alembic]` sets it (the ini first, like alembic's `get_alembic_option`); `%(here)s`
    is the config file's folder. A package resource (`myapp:migrations`), an unreadable file or a
    location outside `root` gives the default `alembic`."""
    value: str | None = None
    ini = root / "alembic.ini"
    if ini.is_file():
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read(ini, encoding="utf-8")
            value = parser.get("alembic", "script_location", fallback=None)
        except configparser.Error:
            value = None
    if value is None:
        found = _pyproject_alembic(root).get("script_location")
        value = found if isinstance(found, str) else None
    if not value or (":" in value and not Path(value).is_absolute() and "%(" not in value):
        return DEFAULT_SCRIPT_LOCATION
    path = Path(value.replace("%(here)s", str(root)))
    if not path.is_absolute():
        path = root / path
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return DEFAULT_SCRIPT_LOCATION


def versions_dir(root: Path) -> str:
    """The revision folder relative to `root`: `<script_location>/versions`."""
    return f"{script_location(root)}/versions"


def _pyproject_alembic(root: Path) -> dict[str, object]:
    path = root / "pyproject.toml"
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8", errors="replace"))
    except tomllib.TOMLDecodeError:
        return {}
    section = data.get("tool", {}).get("alembic")
    return section if isinstance(section, dict) else {}


def _literal_ids(node: ast.expr | None, path: Path, variable: str) -> tuple[str, ...]:
    """None, a string, or a tuple/list of strings, as `down_revision`/`depends_on` allow."""
    if node is None or (isinstance(node, ast.Constant) and node.value is None):
        return ()
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return (node.value,)
    if isinstance(node, ast.Tuple | ast.List) and all(
        isinstance(item, ast.Constant) and isinstance(item.value, str) for item in node.elts
    ):
        return tuple(str(item.value) for item in node.elts if isinstance(item, ast.Constant))
    raise MigrationFileError(
        f"{path.name}: `{variable}` is not a literal string, tuple or None; wttui reads revision "
        "scripts without running them"
    )


def _module_values(tree: ast.Module) -> dict[str, ast.expr | None]:
    """Top-level `name = value` and `name: type = value` assignments (the last one wins)."""
    values: dict[str, ast.expr | None] = {}
    for statement in tree.body:
        if isinstance(statement, ast.Assign):
            for target in statement.targets:
                if isinstance(target, ast.Name):
                    values[target.id] = statement.value
        elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            values[statement.target.id] = statement.value
    return values


def read_revision(path: Path) -> AlembicRevision:
    """One revision script, read with `ast` (never imported).

    Raises:
        MigrationFileError: it doesn't parse, or has no literal `revision` (alembic would fail
            to load it too).
    """
    try:
        tree = ast.parse(path.read_bytes(), filename=path.name)
    except (SyntaxError, ValueError) as exc:
        raise MigrationFileError(f"{path.name} is not valid Python: {exc}") from None
    values = _module_values(tree)
    node = values.get("revision")
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value):
        raise MigrationFileError(
            f'{path.name} has no literal `revision = "…"`: alembic cannot identify it either'
        )
    slug = _SLUG.match(path.stem)
    return AlembicRevision(
        version=node.value,
        name=slug[1] if slug else path.stem,
        file=path,
        parents=_literal_ids(values.get("down_revision"), path, "down_revision"),
        depends_on=_literal_ids(values.get("depends_on"), path, "depends_on"),
    )


def _topological(revisions: list[AlembicRevision]) -> list[AlembicRevision]:
    """Roots first, every revision after its parents; ties by file name. A parent that is not
    here counts as met; a cycle (alembic refuses one) keeps its members in file-name order."""
    known = {r.version for r in revisions}
    pending = sorted(revisions, key=lambda r: r.file.name)
    done: set[str] = set()
    ordered: list[AlembicRevision] = []
    while pending:
        ready = [
            r
            for r in pending
            if all(p in done or p not in known for p in (*r.parents, *r.depends_on))
        ]
        if not ready:  # a cycle
            ready = pending[:1]
        for revision in ready:
            ordered.append(revision)
            done.add(revision.version)
        taken = {id(r) for r in ready}
        pending = [r for r in pending if id(r) not in taken]
    return ordered


class AlembicAdapter(Adapter):
    """`alembic upgrade head` / `downgrade -1`, run in the worktree: the project's `env.py`
    reads the database URL (typically from `DATABASE_URL`; a SQLAlchemy driver prefix such as
    `postgresql+psycopg://` is the project's concern). With two unmerged heads `upgrade head`
    refuses, as it should: the heads need `alembic merge heads`.

    `default_dir` is the conventional `alembic/versions`; `versions_dir(root)` reads the real
    one from `alembic.ini` or `pyproject.toml`, and `local` also accepts the script location
    itself (a folder with `versions/` in it)."""

    name = "alembic"
    graph_ordered = True
    default_dir = f"{DEFAULT_SCRIPT_LOCATION}/versions"
    markers = ("alembic.ini", "pyproject.toml")

    state_table = TABLE
    naming = r"^[0-9a-f]+_[a-z0-9]+(_[a-z0-9]+)*$"
    """`alembic revision`'s default `%(rev)s_%(slug)s`."""
    out_of_order_fix = "merge the heads (`alembic merge heads`), then migrate again"

    def folder(self, root: Path) -> Path | None:
        """The revision folder this worktree's config names (`default_dir` when it names none)."""
        return root / versions_dir(root)

    def evidence(self, base: Path) -> Evidence | None:
        """`alembic.ini` (or `[tool.alembic]`), with the `script_location` it names."""
        if (base / "alembic.ini").is_file():
            file = base / "alembic.ini"
        elif _pyproject_alembic(base):
            file = base / "pyproject.toml"
        else:
            return None
        location = script_location(base)
        return Evidence(file, base / versions_dir(base), f"script_location: {location}")

    apply = ("alembic", "upgrade", "head")
    out_of_order = (
        "alembic orders by the revision graph, not by ids: `upgrade head` applies it once it is "
        "on the path to the single head (two heads need `alembic merge heads` first)"
    )
    """What the tool does with a pending migration older than the newest applied one."""
    rollback = ("alembic", "downgrade", "-1")

    def detect(self, root: Path) -> bool:
        return (root / "alembic.ini").is_file() or bool(_pyproject_alembic(root))

    def local(self, folder: Path) -> list[LocalMigration]:
        """Every revision script in `folder` (or `folder/versions`), parents before children.

        Raises:
            MigrationFileError: a script is unreadable as a revision, or two declare one id.
        """
        nested = folder / "versions"
        if nested.is_dir() and ((folder / "env.py").is_file() or not any(folder.glob("*.py"))):
            folder = nested
        if not folder.is_dir():
            return []
        revisions: dict[str, AlembicRevision] = {}
        for path in sorted(folder.glob("*.py")):
            if path.name.startswith((".#", "__init__")) or not path.is_file():
                continue
            revision = read_revision(path)
            if revision.version in revisions:
                other = revisions[revision.version].file.name
                raise MigrationFileError(
                    f"{path.name} and {other} both declare revision {revision.version}"
                )
            revisions[revision.version] = revision
        return list(_topological(list(revisions.values())))

    def applied(self, conn: Connection) -> list[AppliedMigration] | None:
        """The stored heads (one row each); None without the table."""
        if not table_exists(conn, TABLE):
            return None
        rows = conn.execute(
            sql.SQL("SELECT version_num FROM {} ORDER BY version_num").format(sql.Identifier(TABLE))
        ).fetchall()
        return [AppliedMigration(str(row[0])) for row in rows]

    def complete(
        self, local: list[LocalMigration], rows: list[AppliedMigration]
    ) -> list[AppliedMigration]:
        """The heads resolved against the local graph: every ancestor-or-equal of a stored head
        (through `down_revision` and `depends_on`) is applied, in local order; a stored head no
        local script declares stays as its row (applied elsewhere).

        A revision below a head this worktree lacks can't be resolved (its parents are in the
        missing file): it shows pending, and alembic itself refuses to run until the head's
        script is here."""
        edges = {
            m.version: (*m.parents, *m.depends_on) if isinstance(m, AlembicRevision) else ()
            for m in local
        }
        reached: set[str] = set()
        stack = [row.version for row in rows if row.version in edges]
        while stack:
            version = stack.pop()
            if version in reached or version not in edges:
                continue
            reached.add(version)
            stack.extend(edges[version])
        by_version = {row.version: row for row in rows}
        found = [by_version.get(m.version, AppliedMigration(m.version, m.name)) for m in local]
        return [
            *(row for row in found if row.version in reached),
            *(row for row in rows if row.version not in edges),
        ]

    def resolve(self, request: ResolveRequest) -> Resolution:
        """`alembic stamp`: the table then holds the given revision as a head. Applied: the
        revision itself, so every ancestor counts as applied with it. Rolled back: its parents
        (`base` for a root), which only a single head can be stamped down to alone."""
        edges = {m.version: _edges(m) for m in request.migrations}
        revision = request.status.version
        if request.applied:
            ancestors = _ancestors(revision, edges)
            also = [s.version for s in request.pending_before() if s.version in ancestors]
            more = f" (and {', '.join(also)} before it, never run)" if also else ""
            return Resolution(
                belief=f"alembic will count {revision}{more} as applied: `upgrade head` starts "
                "after it",
                command=("alembic", "stamp", revision),
            )
        applied = [s.version for s in request.in_database()]
        below = {parent for version in applied for parent in edges.get(version, ())}
        heads = [version for version in applied if version not in below]
        if heads != [revision]:
            what = "is not the newest revision" if revision not in heads else "is one of two heads"
            raise Refused(
                f"{revision} {what} in the database: alembic stores only its heads, so stamping "
                "it away would unmark other revisions too",
                hint="roll back (or stamp) the newer revisions first, or use `alembic stamp`",
            )
        local = request.local
        if not isinstance(local, AlembicRevision):
            raise Refused(
                f"{revision}'s script is not in this worktree: wttui cannot tell which revision "
                "alembic should hold instead",
                hint="resolve it from the worktree that has it",
            )
        parents = local.parents
        return Resolution(
            belief=f"alembic will count {revision} as not applied: `upgrade head` runs it again",
            command=("alembic", "stamp", *(parents or ("base",))),
        )


def _edges(migration: LocalMigration) -> tuple[str, ...]:
    if isinstance(migration, AlembicRevision):
        return (*migration.parents, *migration.depends_on)
    return ()


def _ancestors(revision: str, edges: dict[str, tuple[str, ...]]) -> set[str]:
    found: set[str] = set()
    stack = list(edges.get(revision, ()))
    while stack:
        current = stack.pop()
        if current not in found:
            found.add(current)
            stack.extend(edges.get(current, ()))
    return found
