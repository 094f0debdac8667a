"""Roles come only from keys signed for the room's event; pids only from tokens we signed."""

from __future__ import annotations

from pathlib import Path

from server.identity import Identity
from server.staff.keys import StaffKeys
from tests.conftest import Workshop
from tests.support.server import create_event

from .helpers import Frame, Raw, cid, joined

OTHER_EVENT = """\
title = "Another city pair"
[[rooms]]
code = "OTHER-ROOM"
title = "Somewhere else"
"""


def moderator_commands(qid: str) -> list[Frame]:
    """Every command only a moderator may send, on question `qid` where it takes one."""
    return [
        *(
            {"t": "moderate", "qid": qid, "action": action}
            for action in ("approve", "dismiss", "answered", "reopen", "pin", "unpin")
        ),
        {"t": "edit", "qid": qid, "text": "rewritten"},
        {"t": "answer", "qid": qid, "text": "answered by myself"},
        {"t": "settings", "premoderation": True},
        {"t": "settings", "premoderation": False},
        {"t": "room.close"},
        {"t": "room.open"},
    ]


async def refuses_moderation(raw: Raw, qid: str) -> None:
    """Each of `moderator_commands` sent on `raw` gets `forbidden`, naming its id."""
    for command in moderator_commands(qid):
        rid = await raw.send({**command, "cid": cid()})
        refused = await raw.reply(rid)
        assert (refused["t"], refused["code"], refused["re"]) == ("err", "forbidden", rid), command


async def test_participant_is_forbidden_staff_commands(workshop: Workshop) -> None:
    url = workshop.server.ws_url
    raw, reply = await joined(url, name="Plain")
    try:
        assert reply["me"]["roles"] == ["participant"]
        qid = (await raw.ask("A question to moderate"))["qid"]
        await refuses_moderation(raw, qid)
        await raw.sync()
        assert [f["seq"] for f in raw.take("ev")] == [1], "nothing refused reached the log"
    finally:
        await raw.close()


async def test_invalid_key_is_unauthorized_and_the_connection_stays(workshop: Workshop) -> None:
    url = workshop.server.ws_url
    raw = await Raw.open(url)
    try:
        for key in ("not-a-key", workshop.moderator_key[:-3] + "AAA"):
            refused = await raw.join(key=key)
            assert (refused["t"], refused["code"]) == ("err", "unauthorized")
        ok = await raw.join()  # the same connection, without a key
        assert ok["t"] == "ok" and ok["me"]["roles"] == ["participant"]
    finally:
        await raw.close()


async def test_role_key_signed_with_another_secret_is_unauthorized(workshop: Workshop) -> None:
    event_id = workshop.links["event_id"]
    forged = StaffKeys(b"not this server's secret").founding_key(event_id, "moderator")
    raw = await Raw.open(workshop.server.ws_url)
    try:
        refused = await raw.join(key=forged)
        assert (refused["t"], refused["code"]) == ("err", "unauthorized")
    finally:
        await raw.close()


async def test_moderator_key_works_in_every_room_of_its_event(workshop: Workshop) -> None:
    url = workshop.server.ws_url
    for room in workshop.links["rooms"]:
        raw, reply = await joined(url, room=room["code"], key=workshop.moderator_key)
        try:
            assert reply["me"]["roles"] == ["participant", "moderator", "rapporteur"]
            done = await raw.request({"t": "settings", "cid": cid(), "premoderation": True})
            assert done["t"] == "ok", done
        finally:
            await raw.close()


async def test_key_of_another_event_gives_no_rights_here(workshop: Workshop) -> None:
    data_dir = workshop.server.data_dir
    toml = data_dir / "other-event.toml"
    toml.write_text(OTHER_EVENT)
    # Created with the CLI into the same data dir while the server runs.
    other = create_event(data_dir, workshop.server.url, Path(toml))
    assert other["event_id"] != workshop.links["event_id"]
    url = workshop.server.ws_url
    raw = await Raw.open(url)
    try:
        for key in (other["moderator_key"], other["rapporteur_key"]):
            refused = await raw.join(room="SUB-PLAN", key=key)
            assert (refused["t"], refused["code"]) == ("err", "unauthorized")
        plain = await raw.join(room="SUB-PLAN")
        assert plain["me"]["roles"] == ["participant"]
        rid = await raw.send({"t": "room.close", "cid": cid()})
        assert (await raw.reply(rid))["code"] == "forbidden"
    finally:
        await raw.close()

    # The running server picks the new event up: its key is a moderator key in its own
    # room, and still nothing in this event's rooms (and the other way round).
    raw, reply = await joined(url, room="OTHER-ROOM", key=other["moderator_key"])
    try:
        assert "moderator" in reply["me"]["roles"]
        refused = await raw.join(room="SUB-EWS", key=other["moderator_key"])
        assert (refused["t"], refused["code"]) == ("err", "unauthorized")
        back = await raw.join(room="OTHER-ROOM", key=workshop.moderator_key)
        assert (back["t"], back["code"]) == ("err", "unauthorized")
    finally:
        await raw.close()


async def test_rapporteur_sees_everything_but_cannot_moderate(workshop: Workshop) -> None:
    url = workshop.server.ws_url
    mod, _ = await joined(url, name="Mod", key=workshop.moderator_key)
    rap, rap_reply = await joined(url, name="Rapporteur", key=workshop.rapporteur_key)
    author, _ = await joined(url, name="Author")
    other, _ = await joined(url, name="Other")
    try:
        assert rap_reply["me"]["roles"] == ["participant", "rapporteur"]
        assert (await mod.request({"t": "settings", "cid": cid(), "premoderation": True}))["t"] == (
            "ok"
        )
        asked = await author.ask("Held for review")
        assert asked["status"] == "pending"
        (seen,) = [f for f in await rap.events_until(asked["seq"]) if f["seq"] == asked["seq"]]
        assert seen["type"] == "question.asked" and seen["data"]["text"] == "Held for review"
        (unseen,) = [f for f in await other.events_until(asked["seq"]) if f["seq"] == asked["seq"]]
        assert unseen["type"] == "hidden"

        await refuses_moderation(rap, asked["qid"])

        # A rapporteur joining later sees the pending question in its snapshot too.
        late, _ = await joined(url, name="Rapporteur 2", key=workshop.rapporteur_key)
        try:
            snap = await late.expect(lambda f: f.get("t") == "snapshot")
            assert [q["status"] for q in snap["state"]["questions"]] == ["pending"]
        finally:
            await late.close()
    finally:
        for raw in (mod, rap, author, other):
            await raw.close()


async def test_pid_cannot_be_forged(workshop: Workshop) -> None:
    url = workshop.server.ws_url
    victim, victim_reply = await joined(url, name="Victim")
    pid = victim_reply["me"]["pid"]
    try:
        qid = (await victim.ask("The victim's question"))["qid"]
    finally:
        await victim.close()

    foreign = Identity(b"another data dir's secret").issue_token(pid)  # well-formed, wrong key
    real = victim_reply["token"]
    tampered = real[:-4] + ("AAAA" if real[-4:] != "AAAA" else "BBBB")  # a bad signature
    for token in (foreign, tampered, pid, f'{{"pid": "{pid}"}}'):
        raw, reply = await joined(url, name="Mallory", token=token)
        try:
            assert reply["me"]["pid"] != pid
            snap = await raw.expect(lambda f: f.get("t") == "snapshot")
            assert snap["state"]["mine"]["questions"] == []
            refused = await raw.request({"t": "withdraw", "cid": cid(), "qid": qid})
            assert (refused["t"], refused["code"]) == ("err", "forbidden")
        finally:
            await raw.close()

    # The real token still is the victim.
    raw, reply = await joined(url, name="Victim", token=victim_reply["token"])
    try:
        assert reply["me"]["pid"] == pid
        assert (await raw.request({"t": "withdraw", "cid": cid(), "qid": qid}))["t"] == "ok"
    finally:
        await raw.close()
