"""Rotating the server's secret on the embedded default (issue 15; server/secret_rotation.py):
after `workshop rotate-secret` and a restart, participants keep who they are and the old
staff links work until the overlap window ends; a window of 0 ends them at once."""

from __future__ import annotations

import json
import re

from tests.conftest import Workshop
from tests.integration.helpers import Raw
from tests.support.server import workshop as workshop_cli

MODERATOR_LINK = re.compile(r"moderator:\s+\S+#key=(\S+)")


def rotate(w: Workshop, hours: str) -> str:
    """Rotate beside the stopped server; returns the first new moderator key it prints."""
    done = workshop_cli(
        "rotate-secret", "--overlap-hours", hours, "--data-dir", str(w.server.data_dir)
    )
    assert done.returncode == 0, done.stderr
    assert "Restart the server" in done.stdout and "organiser:" in done.stdout
    found = MODERATOR_LINK.search(done.stdout)
    assert found is not None, done.stdout
    return found.group(1)


async def joined(w: Workshop, **fields: str) -> dict[str, object]:
    raw = await Raw.open(w.server.ws_url)
    try:
        reply = await raw.join("SUB-PLAN", name="Oyun", **fields)
        assert reply["t"] in ("ok", "err"), reply
        return reply
    finally:
        await raw.close()


async def test_a_rotation_keeps_participants_and_ends_old_links_after_the_window(
    workshop: Workshop,
) -> None:
    first = await joined(workshop)
    pid, token = first["me"]["pid"], first["token"]  # type: ignore[index]
    old_moderator = workshop.moderator_key

    workshop.server.stop()
    new_moderator = rotate(workshop, "1")
    assert new_moderator != old_moderator
    retired = json.loads((workshop.server.data_dir / "retired-secrets.json").read_text())
    assert len(retired) == 1 and retired[0]["until"] > 0
    assert oct((workshop.server.data_dir / "secret").stat().st_mode & 0o777) == "0o600"
    workshop.server.start()

    again = await joined(workshop, token=str(token))
    assert again["me"]["pid"] == pid  # type: ignore[index]
    fresh_token = str(again["token"])
    assert fresh_token != token  # signed with the new secret from now on
    for key in (old_moderator, new_moderator):  # both, inside the window
        chair = await joined(workshop, key=key)
        assert chair["t"] == "ok" and "moderator" in chair["me"]["roles"]  # type: ignore[index]

    # A second rotation with no window: what the middle secret signed ends at once.
    workshop.server.stop()
    newest = rotate(workshop, "0")
    workshop.server.start()
    refused = await joined(workshop, key=new_moderator)
    assert (refused["t"], refused["code"]) == ("err", "unauthorized")
    stranger = await joined(workshop, token=fresh_token)
    assert stranger["me"]["pid"] != pid  # type: ignore[index]
    still = await joined(workshop, token=str(token))  # the first secret's window is open
    assert still["me"]["pid"] == pid  # type: ignore[index]
    chair = await joined(workshop, key=newest)
    assert chair["t"] == "ok" and "moderator" in chair["me"]["roles"]  # type: ignore[index]


def test_rotation_needs_a_secret_and_a_sane_window(tmp_path) -> None:  # type: ignore[no-untyped-def]
    none_yet = workshop_cli("rotate-secret", "--data-dir", str(tmp_path))
    assert none_yet.returncode == 2 and "no secret" in none_yet.stderr
    (tmp_path / "secret").write_bytes(b"x" * 32)
    negative = workshop_cli("rotate-secret", "--overlap-hours", "-1", "--data-dir", str(tmp_path))
    assert negative.returncode == 2 and "negative" in negative.stderr
    assert (tmp_path / "secret").read_bytes() == b"x" * 32


def test_on_redis_it_prints_what_to_set_everywhere() -> None:
    old = "o" * 40
    done = workshop_cli(
        "rotate-secret",
        "--redis-url",
        "redis://127.0.0.1:1",
        "--overlap-hours",
        "2",
        env={"WORKSHOP_SECRET": old, "WORKSHOP_RETIRED_SECRETS": ""},
    )
    assert done.returncode == 0, done.stderr
    new = re.search(r"WORKSHOP_SECRET=(\w+)", done.stdout)
    retired = re.search(r"WORKSHOP_RETIRED_SECRETS=(\S+)", done.stdout)
    assert new is not None and len(new.group(1)) == 64 and new.group(1) != old
    assert retired is not None and retired.group(1).startswith(old + "@")
