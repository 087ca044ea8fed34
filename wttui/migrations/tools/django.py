"""Django migrations: `<app>/migrations/NNNN_name.py` and `django_migrations`.

Facts (MIGRATION-TOOLS.md §3, django `db/migrations/recorder.py`, `loader.py`):
- `django_migrations (id, app varchar(255), name varchar(255), applied timestamptz)`: one row
  per applied migration, deleted when it is unapplied; no checksum, no failed or dirty state
  (each migration is atomic on PG).
- `app` is the app label, `name` the file stem (`0003_auto_…`). The loader takes every module
  of an app's `migrations` package (a regular package: a folder with `__init__.py`) whose name
  doesn't start with `_` or `~`. The order is each Migration's `dependencies` graph.
- Django itself ignores database-only rows (`check_consistent_history` skips unknown applied
  migrations; `showmigrations` lists only files on disk) — wttui reads the table itself.
- Rolling back is per app, to a named target: `manage.py migrate <app> <previous>` or `zero`.

Assumptions, all without importing anything of the project (wttui never runs its code):
- The app label is the app folder's name (Django's default `AppConfig.label`, the last part of
  the app's module path), unless the app's `apps.py` sets one literal `label = "…"` in a class
  body. `MIGRATION_MODULES` relocations are not followed.
- The order shown is per app by file name (Django numbers its files `NNNN_`), not the
  `dependencies` graph.
- Rows of apps with no migrations folder in this worktree are Django's own contrib apps
  (`auth`, `contenttypes`, `admin`, `sessions`) and third-party apps installed in
  site-packages: `complete` leaves them out, since this worktree can neither have nor lack
  their files. A row of an app that *is* here but whose file is missing is applied elsewhere.
  Blind spot: a whole new app that only another branch has is left out too.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

from psycopg import sql

from wttui.errors import Refused
from wttui.migrations.adapter import (
    Adapter,
    AppliedMigration,
    Connection,
    LocalMigration,
    table_exists,
)
from wttui.migrations.resolution import Resolution, ResolveRequest

TABLE = "django_migrations"
_SKIP_DIRS = {"node_modules", "site-packages", "__pycache__", "build", "dist"}
_MAX_DEPTH = 6
"""How deep below the worktree apps are looked for (`src/project/apps/<app>/migrations`)."""


def identity(app: str, name: str) -> str:
    """`app.name`: the pair `django_migrations` stores, as one version string."""
    return f"{app}.{name}"


def _app_label(app_dir: Path) -> str:
    """The folder name, or the one literal `label = "…"` an `AppConfig` in `apps.py` sets."""
    source = app_dir / "apps.py"
    labels: set[str] = set()
    if source.is_file():
        try:
            tree = ast.parse(source.read_bytes(), filename=source.name)
        except (SyntaxError, ValueError):
            tree = ast.Module(body=[], type_ignores=[])
        for node in tree.body:
            if not isinstance(node, ast.ClassDef):
                continue
            for statement in node.body:
                if (
                    isinstance(statement, ast.Assign)
                    and any(isinstance(t, ast.Name) and t.id == "label" for t in statement.targets)
                    and isinstance(statement.value, ast.Constant)
                    and isinstance(statement.value.value, str)
                ):
                    labels.add(statement.value.value)
    return labels.pop() if len(labels) == 1 else app_dir.name


def migration_packages(root: Path) -> list[Path]:
    """Every `migrations/` package (with `__init__.py`) below `root`, skipping hidden folders,
    virtualenvs, `node_modules` and `site-packages`."""
    found: list[Path] = []
    if not root.is_dir():
        return found
    base_depth = len(root.parts)
    for current, dirs, files in os.walk(root):
        here = Path(current)
        if here.name == "migrations" and "__init__.py" in files and here != root:
            found.append(here)
            dirs[:] = []
            continue
        if "pyvenv.cfg" in files or len(here.parts) - base_depth >= _MAX_DEPTH:
            dirs[:] = []
            continue
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIP_DIRS)
    return sorted(found)


def _migration_files(package: Path) -> list[Path]:
    """The modules Django's loader takes: `*.py` not starting with `_` or `~`."""
    return sorted(
        path
        for path in package.glob("*.py")
        if path.is_file() and not path.name.startswith(("_", "~"))
    )


class DjangoAdapter(Adapter):
    """`python manage.py migrate` applies; the project's settings read the database URL (e.g.
    from `DATABASE_URL`). There is no default roll back: Django unapplies per app to a named
    target (`python manage.py migrate <app> <previous>`, or `zero`), which no fixed
    "roll back one" command expresses — set `[migrations] rollback` for a project where one
    does (e.g. a one-app project), or run it by hand."""

    name = "django"
    graph_ordered = True
    default_dir = "."
    markers = ("manage.py", ".")
    apply = ("python", "manage.py", "migrate")
    out_of_order = (
        "`manage.py migrate` applies it (in dependency order); it fails with "
        "InconsistentMigrationHistory if an applied migration depends on it"
    )
    """What the tool does with a pending migration older than the newest applied one."""
    rollback = None
    state_table = TABLE
    naming = r"^\d{4}_[a-z0-9]+(_[a-z0-9]+)*$"
    tree_paths = ("manage.py", "*/migrations/*.py", "*/apps.py")

    def detect(self, root: Path) -> bool:
        if not (root / "manage.py").is_file():
            return False
        return any(any(p.glob("0001_*.py")) for p in migration_packages(root))

    def local(self, folder: Path) -> list[LocalMigration]:
        """Every app's migration files below `folder` (the project root), app by app."""
        found: list[LocalMigration] = []
        seen: set[str] = set()
        for package in migration_packages(folder):
            label = _app_label(package.parent)
            for path in _migration_files(package):
                version = identity(label, path.stem)
                if version in seen:  # two apps with one label: Django refuses to start
                    continue
                seen.add(version)
                found.append(LocalMigration(version, path.stem, path))
        return sorted(found, key=lambda m: m.version)

    def applied(self, conn: Connection) -> list[AppliedMigration] | None:
        """Every row, in the order they were applied; None without the table."""
        if not table_exists(conn, TABLE):
            return None
        rows = conn.execute(
            sql.SQL("SELECT app, name, applied FROM {} ORDER BY applied, id").format(
                sql.Identifier(TABLE)
            )
        ).fetchall()
        return [
            AppliedMigration(identity(str(app), str(name)), str(name), applied_at=applied)
            for app, name, applied in rows
        ]

    def complete(
        self, local: list[LocalMigration], rows: list[AppliedMigration]
    ) -> list[AppliedMigration]:
        """Only the rows of apps that have migrations in this worktree (see the module note)."""
        apps = {m.version.partition(".")[0] for m in local}
        return [row for row in rows if row.version.partition(".")[0] in apps]

    def resolve(self, request: ResolveRequest) -> Resolution:
        """`manage.py migrate APP NAME --fake`: Django records the target (and every migration
        it depends on that is not recorded yet) without running them. Rolled back: the same
        command to the app's migration before it (`zero` for the first), which only the app's
        newest recorded migration can be faked back to alone."""
        app, _, name = request.status.version.partition(".")
        if request.applied:
            return Resolution(
                belief=f"Django will record {app}.{name} (and the migrations it depends on) as "
                "applied without running them: `migrate` skips them",
                command=("python", "manage.py", "migrate", app, name, "--fake"),
            )
        mine = [s for s in request.statuses if s.version.partition(".")[0] == app]
        recorded = [s for s in request.in_database() if s.version.partition(".")[0] == app]
        if request.local is None or recorded[-1].version != request.status.version:
            why = (
                "its file is not in this worktree"
                if request.local is None
                else f"{recorded[-1].version} is recorded after it"
            )
            raise Refused(
                f"Django fakes an app back to a target, and {why}: wttui will not guess which "
                f"{app} migrations that would unmark",
                hint=f"run `python manage.py migrate {app} <target> --fake` yourself",
            )
        index = [s.version for s in mine].index(request.status.version)
        target = mine[index - 1].version.partition(".")[2] if index else "zero"
        return Resolution(
            belief=f"Django will record {app}.{name} as not applied: `migrate` runs it again",
            command=("python", "manage.py", "migrate", app, target, "--fake"),
        )
