"""The canary test of issue 16 ("Logs"): no key, token, secret or message body in any log
line, at any level, in either format.

A real server at `--log-level debug`, with `--log-format json` and with `text` on the
embedded backend, and with `json` on a real redis-server with a password (killed and
started again mid-run, so that connection errors are logged too), is sent canaries (staff
keys of every role, a participant's token, the metrics token, Redis passwords, the shared
secret, and the names, questions, answers, edits, translations, poll texts and notes people
write) along every path: commands that succeed, every kind of error reply (a bad or forged
key, a missing right, malformed frames, a text too long, a frame over the limit, a flood
closed with 4029), a dropped connection and its rejoin, HTTP routes with a key in a query
string or a header, a stop (1012), and the CLI. Every line the server and the CLI wrote is
then searched for every canary.

The one thing allowed: with `--log-format text`, `serve` prints the event's invite links
(they carry keys) for the person at the terminal before it starts logging
(docs/operations.md); those lines, and only those, are left out of the search.

Checked by hand that the test can fail: a `log.debug("join %s", cmd.key)` planted in
`Connection._join` made every run fail on the moderator key, and a `log.debug("refused
%r", command)` on a missing right made it fail on the poll's title.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import secrets
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pycrdt import Doc, Text
from websockets.exceptions import ConnectionClosed

from tests.backends.support import eventually
from tests.conftest import Workshop, start_workshop
from tests.integration.helpers import Raw, cid, pack
from tests.support.redis import RedisProcess
from tests.support.server import free_port
from tests.support.server import workshop as workshop_cli

PRINTED_LINK = re.compile(
    r"^\s+(organiser|moderator|rapporteur|interpreter|server admin[^:]*):\s+\S+#key=\S+$"
)


class Canaries:
    """Strings that must appear in no log line: each made for this run."""

    def __init__(self) -> None:
        self.tag = secrets.token_hex(6)
        self.secrets: list[str] = []  # keys and tokens: searched whole and by signature
        self.texts: list[str] = []  # what people write: searched whole

    def text(self, what: str) -> str:
        made = f"{what}-{self.tag}-{secrets.token_hex(4)}"
        self.texts.append(made)
        return made

    def secret(self, value: str) -> str:
        self.secrets.append(value)
        return value

    def found_in(self, lines: list[str]) -> list[tuple[str, str]]:
        """(canary, line) for every canary found in a line."""
        needles = list(self.texts)
        for value in self.secrets:
            needles.append(value)
            signature = value.rsplit(".", 1)[-1]
            if len(signature) >= 16:
                needles.append(signature)  # the part only the server can make
        return [(n, line) for line in lines for n in needles if n in line]


def notes_update(text: str) -> bytes:
    """A Yjs update that writes `text` into the room's notes (PROTOCOL.md, notes)."""
    doc: Doc = Doc()
    notes = doc.get("notes", type=Text)
    notes += text
    return doc.get_update()


async def through_the_socket(w: Workshop, c: Canaries) -> None:
    """Every WebSocket path: commands, errors, limits, a drop and a rejoin."""
    url = w.server.ws_url
    chair, interpreter, guest = [await Raw.open(url) for _ in range(3)]
    moderator_key = c.secret(w.moderator_key)
    assert (await chair.join("SUB-PLAN", name=c.text("Chair"), key=moderator_key))["t"] == "ok"
    key = c.secret(str(w.links["interpreter_key"]))
    assert (await interpreter.join("SUB-PLAN", name=c.text("Interp"), key=key))["t"] == "ok"
    joined = await guest.join("SUB-PLAN", name=c.text("Guest"), org=c.text("Org"))
    token = c.secret(str(joined["token"]))

    asked = await guest.ask(c.text("Question"), lang="en", anon=False)
    assert asked["t"] == "ok", asked
    qid = asked["qid"]
    if asked.get("status") == "pending":
        await chair.request({"t": "moderate", "cid": cid(), "qid": qid, "action": "approve"})
    for frame in (
        {"t": "answer", "cid": cid(), "qid": qid, "text": c.text("Answer")},
        {"t": "edit", "cid": cid(), "qid": qid, "text": c.text("Edited")},
        {
            "t": "poll.create",
            "cid": cid(),
            "title": c.text("PollTitle"),
            "kind": "single",
            "options": [c.text("OptionA"), c.text("OptionB")],
        },
    ):  # fmt: skip
        assert (await chair.request(frame))["t"] == "ok", frame
    translated = await interpreter.request(
        {"t": "translate", "cid": cid(), "qid": qid, "field": "text", "lang": "ja",
         "text": c.text("Translated")}
    )  # fmt: skip
    assert translated["t"] == "ok", translated
    notes = {"t": "notes.update", "cid": cid(), "u": notes_update(c.text("Notes"))}
    assert (await guest.request(notes))["t"] == "ok"

    # Error replies, each carrying a canary.
    denied = {"t": "poll.create", "cid": cid(), "title": c.text("Denied"), "kind": "words"}
    assert (await guest.request(denied))["t"] == "err"  # a missing right
    too_long = await guest.ask(c.text("TooLong") * 40)
    assert too_long["t"] == "err"
    bad_shape = {"t": "ask", "cid": cid(), "text": 42, "extra": c.text("BadShape")}
    assert (await guest.request(bad_shape))["t"] == "err"
    await guest.ws.send(b"\xc1" + c.text("NotMsgpack").encode())  # not msgpack at all
    await guest.expect(lambda f: f.get("t") == "err" and f.get("code") == "bad_frame")
    forged = c.secret(
        moderator_key[:-4] + ("AAAA" if not moderator_key.endswith("AAAA") else "BBBB")
    )
    wrong = await Raw.open(url)
    assert (await wrong.join("SUB-EWS", name=c.text("Forged"), key=forged))["t"] == "err"
    assert (await wrong.join("SUB-EWS", name="x", key=c.secret(f"x.{c.tag}garbagekey00")))[
        "t"
    ] == "err"
    await wrong.close()

    # A frame over the limit (1009), and a flood (4029).
    oversize = await Raw.open(url)
    assert (await oversize.join("SUB-PLAN", name=c.text("Oversize")))["t"] == "ok"
    await oversize.ws.send(pack({"t": "ask", "id": 9, "cid": cid(), "text": c.text("Big") * 3000}))
    assert await oversize.closed() == 1009
    flood = await Raw.open(url)
    assert (await flood.join("SUB-PLAN", name=c.text("Flood")))["t"] == "ok"
    flood_text = c.text("FloodText")
    for i in range(1, 200):
        with contextlib.suppress(ConnectionClosed):
            await flood.send({"t": "ask", "id": i, "cid": cid(), "text": flood_text})
    assert await flood.closed() == 4029

    # A dropped connection, and its rejoin with the token.
    guest.abort()
    again = await Raw.open(url)
    back = await again.join("SUB-PLAN", name=c.text("Back"), token=token, since=1)
    assert back["t"] == "ok"
    assert (await again.ask(c.text("AfterRejoin")))["t"] == "ok"
    for raw in (chair, interpreter, again):
        await raw.close()


async def over_http(w: Workshop, c: Canaries, metrics_token: str) -> None:
    """Every HTTP path that takes a key or a token: in headers, where it belongs, and in
    query strings, where it does not."""
    event_id = w.links["event_id"]
    organiser_key = c.secret(str(w.links["organiser_key"]))
    organiser = {"authorization": f"Bearer {organiser_key}"}
    rapporteur_key = c.secret(w.rapporteur_key)
    async with httpx.AsyncClient(base_url=w.server.url, timeout=30) as http:
        made = await http.post(
            f"/api/events/{event_id}/staff",
            json={"role": "moderator", "room": "SUB-PLAN", "label": c.text("Label")},
            headers=organiser,
        )
        assert made.status_code == 201
        staff_key = c.secret(made.json()["key"])
        rapporteur = {"authorization": f"Bearer {rapporteur_key}"}
        for fmt in ("json", "md", "csv", "html", "docx"):
            assert (
                await http.get(f"/api/rooms/SUB-PLAN/transcript.{fmt}", headers=rapporteur)
            ).is_success
        await http.get(f"/api/rooms/SUB-PLAN/transcript.json?key={rapporteur_key}")
        await http.get(
            "/api/rooms/SUB-EWS/transcript.md", headers={"authorization": f"Bearer {staff_key}"}
        )
        await http.get(f"/r/SUB-PLAN/moderate?key={staff_key}&token={metrics_token}")
        await http.get(f"/api/events/{event_id}/report.md?lang=en", headers=rapporteur)
        await http.get(f"/api/events/{event_id}/organise?key={organiser_key}")
        assert (
            await http.get("/metrics", headers={"authorization": f"Bearer {metrics_token}"})
        ).status_code == 200
        wrong_token = c.secret(f"wrong-{metrics_token}")
        assert (
            await http.get("/metrics", headers={"authorization": f"Bearer {wrong_token}"})
        ).status_code == 403
        await http.get(f"/metrics?token={metrics_token}")
        revoked = await http.post(
            f"/api/events/{event_id}/staff/{made.json()['kid']}/revoke", headers=organiser
        )
        assert revoked.is_success
        await http.get(
            "/api/rooms/SUB-PLAN/transcript.json", headers={"authorization": f"Bearer {staff_key}"}
        )
        await http.post("/api/events", json={"title": c.text("EventTitle")}, headers=organiser)


def through_the_cli(data_dir: Path, c: Canaries) -> list[str]:
    """CLI commands handed a secret they must not echo: a Redis URL with a password, to a
    Redis that is not there."""
    password = c.secret(f"redis-password-{c.tag}-{secrets.token_hex(8)}")
    url = f"redis://:{password}@127.0.0.1:{free_port()}/0"
    lines: list[str] = []
    for args in (
        ("doctor", "--redis-url", url),
        ("serve", "--redis-url", url, "--port", str(free_port()), "--log-format", "json"),
        ("links", "--redis-url", url, "--data-dir", str(data_dir)),
    ):
        done = workshop_cli(*args, env={"WORKSHOP_SECRET": "x" * 48})
        assert done.returncode != 0, args  # nothing to reach: each says so, and how
        lines += (done.stdout + done.stderr).splitlines()
    return lines


@contextlib.contextmanager
def backend_env(backend: str, folder: Path, c: Canaries) -> Iterator[RedisProcess | None]:
    """The embedded backend, or a real redis-server with a password, for the server and
    the CLI it runs (`create-event`): both the password and the shared secret are canaries."""
    if backend == "embedded":
        yield None
        return
    redis = RedisProcess(folder / "redis", password=c.secret(f"pw-{c.tag}-{secrets.token_hex(8)}"))
    redis.start()
    try:
        with pytest.MonkeyPatch.context() as env:
            env.setenv("WORKSHOP_REDIS_URL", redis.url)
            env.setenv("WORKSHOP_SECRET", c.secret(f"secret-{c.tag}-{secrets.token_hex(16)}"))
            yield redis
    finally:
        redis.stop()


@pytest.mark.parametrize(
    ("log_format", "backend"), [("json", "embedded"), ("text", "embedded"), ("json", "redis")]
)
async def test_no_canary_reaches_a_log_line(tmp_path: Path, log_format: str, backend: str) -> None:
    c = Canaries()
    metrics_token = c.secret(f"metrics-{c.tag}-{secrets.token_hex(12)}")
    with backend_env(backend, tmp_path, c) as redis:
        w = start_workshop(
            tmp_path, "--log-format", log_format, "--log-level", "debug",
            "--metrics-token", metrics_token, "--flood-limit", "5",
        )  # fmt: skip
        try:
            await through_the_socket(w, c)
            if redis is not None:  # Redis lost and back: the errors name no password
                await asyncio.to_thread(redis.restart)
                await eventually(lambda: "redis.up" in w.server.log(), 30)
            await over_http(w, c, metrics_token)
            still = await Raw.open(w.server.ws_url)
            assert (await still.join("SUB-PLAN", name=c.text("AtStop")))["t"] == "ok"
            w.server.stop()  # SIGTERM: the open socket gets 1012; every line is written
            assert await still.closed() == 1012
        finally:
            w.server.stop()
    lines = w.server.log().splitlines()
    if log_format == "json":
        for line in lines:
            json.loads(line)  # every line is one JSON object: none is a printed link
        assert not [line for line in lines if PRINTED_LINK.match(line)]
    else:
        assert any(PRINTED_LINK.match(line) for line in lines)  # the links, for a person
        lines = [line for line in lines if not PRINTED_LINK.match(line)]
    assert any("DEBUG" in line for line in lines)  # the level really was debug
    assert any("key.refused" in line or "staff key was refused" in line for line in lines)
    lines += through_the_cli(tmp_path, c)
    assert len(c.secrets) >= 10 and len(c.texts) >= 20
    leaks = c.found_in(lines)
    assert not leaks, f"canaries in the log: {leaks[:3]}"
