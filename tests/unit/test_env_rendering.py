"""Rendering a `.env` from a template: fields filled and quoted, the template's own text kept,
the user's part below the marker untouched."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from wttui.errors import InvalidInput
from wttui.providers.env_template import MARKER, plan_rendered, render, split, user_keys
from wttui.providers.envfile import parse_env

FIELDS = {"url": "postgresql://u:p%40ss@127.0.0.1:5433/app_feat__x", "branch": "feat/x"}


def test_fields_are_filled_and_the_rest_kept_byte_for_byte() -> None:
    template = (
        "# header {not a field}\r\nexport NODE_ENV=development\r\nURL={url}\r\n"
        "T='{branch} & co'\r\n"
    )
    rendered = render(template, FIELDS, {}, name=".env.template")
    assert rendered.text.startswith("# header {not a field}\r\nexport NODE_ENV=development\r\n")
    assert "URL=postgresql://u:p%40ss@127.0.0.1:5433/app_feat__x\r\n" in rendered.text
    assert rendered.values["T"] == "feat/x & co"
    assert parse_env(rendered.text) == rendered.values


def test_extra_keys_follow_and_template_keys_win() -> None:
    rendered = render("DATABASE_URL={url}\n", FIELDS, {"DATABASE_URL": "other", "K": "v"}, name="t")
    assert rendered.values == {"DATABASE_URL": FIELDS["url"], "K": "v"}
    assert rendered.text.endswith("K=v\n")


def test_values_read_back_literally_in_sh(tmp_path: Path) -> None:
    fields = {"branch": "feat/$(touch x)"}
    rendered = render('B="{branch}"\nL={{literal}}\n', fields, {}, name="t")
    env = tmp_path / ".env"
    env.write_text(rendered.text)
    shell = subprocess.run(
        ["sh", "-c", 'set -a; . ./.env; printf "%s|%s" "$B" "$L"'],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert shell.stdout == "feat/$(touch x)|{literal}"
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(
    ("template", "said"),
    [("A={nope}\n", "unknown field {nope}"), ("A={url\n", "malformed template")],
)
def test_bad_templates_say_the_line(template: str, said: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        render(template, FIELDS, {}, name=".env.template")
    assert said in raised.value.message
    assert ".env.template line 1: A" in raised.value.message


def test_a_render_keeps_what_is_below_the_marker() -> None:
    rendered = render("A={branch}\n", FIELDS, {}, name="t")
    first = plan_rendered(Path(".env"), rendered, "")
    assert split(first.new_text)[1] == ""
    mine = first.new_text + "SECRET=1\nA=mine\n"
    again = plan_rendered(Path(".env"), render("A={branch}\nB=2\n", FIELDS, {}, name="t"), mine)
    assert again.new_text.endswith(MARKER + "\nSECRET=1\nA=mine\n")
    assert "B=2\n" in split(again.new_text)[0]
    assert user_keys(again.new_text) == {"SECRET", "A"}
    assert again.conflicts == ()
