"""The Docker daemon killed mid-create (issue 13, item 7), on a private engine the test kills
with SIGKILL right after the container was made, before it started.

wttui says it could not remove what it made (exit 3, one line); after the daemon is back, the
re-run finds its own half-made container (wttui's labels, state `created`) and its volume, and
makes the container again — on the next free port, since a program took the old one meanwhile
— and ends with one container, one volume, the `.env` naming the port in use, and each
migration applied once.
"""

from __future__ import annotations

import random
import socket

import psycopg

from tests.faults.interrupt import Running, wttui_lines
from tests.faults.private_docker import KillAtStart, PrivateDockerd
from tests.faults.scene import Scene
from wttui.providers.docker_engine import LABEL_PORT, LABEL_PROJECT
from wttui.providers.envfile import read_env


def _on_containers(scene: Scene, image: str) -> None:
    base = random.randrange(20000, 60000, 50)
    path = scene.root / ".wttui.toml"
    text = path.read_text().replace("[database]\n", '[database]\nstrategy = "container"\n')
    path.write_text(text + f'\n[container]\nimage = "{image}"\nports = "{base}-{base + 49}"\n')


def test_docker_killed_mid_create_then_the_rerun_remakes_it_on_a_free_port(
    scene: Scene, private_dockerd: PrivateDockerd
) -> None:
    engine = private_dockerd
    engine.ensure_running()
    _on_containers(scene, engine.image)
    switch = KillAtStart(engine)
    try:
        create = Running(scene, "create", "feat/x", env={"DOCKER_HOST": switch.host})
        code, stderr = create.finish()
    finally:
        switch.close()
    assert switch.killed.is_set(), stderr
    assert code == 3, stderr
    assert "Traceback" not in stderr
    (error,) = [line for line in wttui_lines(stderr) if line.startswith("wttui: error:")]
    assert "Docker is not reachable" in error
    assert f"Could not remove container {scene.project}_feat__x" in stderr

    engine.start()  # the daemon is back, with what it had made
    mine = {"label": f"{LABEL_PROJECT}={scene.project}"}
    (left,) = engine.client.api.containers(all=True, filters=mine)
    assert left["State"] == "created"
    old_port = int(left["Labels"][LABEL_PORT])
    volumes = [v.name for v in engine.client.volumes.list() if v.name.startswith(scene.project)]
    assert volumes == [f"{scene.project}_feat__x_pgdata"]

    with socket.socket() as squatter:  # a program took the port while Docker was down
        squatter.bind(("127.0.0.1", old_port))
        squatter.listen()
        again = Running(scene, "create", "feat/x", env={"DOCKER_HOST": engine.host})
        code, stderr = again.finish(120)
    assert code == 0, stderr
    assert "was left half made" in stderr
    (made,) = engine.client.api.containers(all=True, filters=mine)
    assert made["State"] == "running"
    port = int(made["Labels"][LABEL_PORT])
    assert port != old_port
    assert [v.name for v in engine.client.volumes.list() if v.name.startswith(scene.project)] == (
        volumes
    )
    env = read_env(scene.base / f"{scene.project}-worktrees" / "feat--x" / ".env")
    assert env["DB_PORT"] == str(port)
    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
        rows = conn.execute("SELECT version FROM wttui_schema_migrations ORDER BY 1").fetchall()
    assert [row[0] for row in rows] == ["001", "002"]
