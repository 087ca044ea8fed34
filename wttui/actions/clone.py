"""`clone SRC DST` (F23): DST's database replaced by a copy of SRC's.

The copy is built under a work name first (on DST's server: the project's, or DST's container)
and swapped in by rename in one step, the old database going to the trash; a schema is copied
after the old one went to the trash (and put back if the copy fails).
"""

from __future__ import annotations

from wttui.core.lifecycle_names import work_name
from wttui.core.logsink import CancelToken, LogSink
from wttui.core.plans_lifecycle import ClonePlan
from wttui.services import Services


def clone(services: Services, plan: ClonePlan, *, sink: LogSink, cancel: CancelToken) -> None:
    """Execute `plan`."""
    from wttui.lifecycle.copying import copy_database_of, copy_schema_of
    from wttui.lifecycle.ownership import hand_to_worktree

    target = plan.target
    source = plan.source_target
    drops = services.lifecycle.soft_drops()
    sink.step(f"Clone {source.label} of {plan.source.label} into {target.label}")
    admin = services.server.admin_url() if target.container is None else ""
    if target.schema is not None:
        item = None
        if plan.target_exists:
            item = drops.trash(target, worktree=plan.worktree, reason="clone", sink=sink)
        try:
            copy_schema_of(source, target.schema, admin_url=admin, sink=sink, cancel=cancel)
            hand_to_worktree(services.server, target, schema=target.schema)
        except BaseException:
            if item is not None:
                drops.put_back(item, sink=sink)
            raise
    else:
        work = work_name("clone", target.name)
        copy_database_of(
            source,
            target,
            work,
            admin_url=admin,
            clone_method=services.config.database.clone_method,
            sink=sink,
            cancel=cancel,
        )
        hand_to_worktree(services.server, target, work)  # the copy is DST's, not the admin's
        if plan.target_exists:
            drops.swap_in(target, work, worktree=plan.worktree, reason="clone", sink=sink)
        else:
            drops.rename_into(target, work)
    sink.step(f"{target.label} now holds a copy of {source.label}")
