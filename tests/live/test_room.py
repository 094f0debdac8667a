"""LiveRoom without sockets: join, submit, audiences, resume, slow members, restarts.

Each test runs a real room over the embedded backend (a SQLite file) with members that
record what they are sent (`support.FakeMember`).
"""

from __future__ import annotations

import asyncio

import pycrdt

from protocol.frames import Err, Ev, Ok, Presence, Snapshot, Welcome
from protocol.messages import NotesSync
from server.backends.base import Backend
from server.backends.redis import RedisBackend
from server.live.room import LiveRoom
from tests.support.redis import RedisProcess

from .support import EVENT, ROOM, command, join, moderator, participant, until, welcome


async def test_welcome_is_the_join_reply_then_a_snapshot(room: LiveRoom) -> None:
    aiko = participant("Aiko")
    reply = Welcome.from_ok(welcome(room, aiko))
    assert reply.me == {"pid": "p-Aiko", "name": "Aiko", "org": "Sendai City",
                        "roles": ["participant"]}  # fmt: skip
    assert reply.room["code"] == ROOM.code and reply.room["event"]["id"] == EVENT.event_id
    assert (reply.seq, reply.epoch) == (0, room.epoch) and reply.token == "token"
    snap = aiko.snapshot()
    assert (snap.seq, snap.epoch) == (0, room.epoch)
    assert snap.state["questions"] == [] and aiko.events() == []
    assert aiko in room.members


async def test_submit_returns_the_folds_outcome_and_every_member_gets_the_event(
    room: LiveRoom,
) -> None:
    aiko, bat, chair = participant("Aiko"), participant("Bat", "Ulaanbaatar City"), moderator()
    for member in (aiko, bat, chair):
        welcome(room, member)
    ask = command("ask", text="避難所の運営は?", lang="ja")
    reply = await room.submit(aiko.actor, ask)
    assert isinstance(reply, Ok) and reply.re == ask.id and reply.seq == 1
    assert reply.result == {"qid": "q1", "status": "live"}
    for member in (aiko, bat, chair):
        (event,) = member.events()
        assert (event.seq, event.type, event.data["qid"]) == (1, "question.asked", "q1")
    assert aiko.events()[0].data.get("mine") is True and "mine" not in bat.events()[0].data

    refused = await room.submit(bat.actor, command("vote", qid="q9", up=True))
    assert isinstance(refused, Err) and refused.code == "not_found"
    assert [e.type for e in bat.events()] == ["question.asked", "hidden"]  # seq 2 refused


async def test_one_frame_object_per_audience(room: LiveRoom) -> None:
    """Encode once per audience: every participant gets the same bytes object."""
    sent: dict[str, list[bytes]] = {"a": [], "b": [], "c": []}

    class Raw:
        def __init__(self, name: str) -> None:
            self.actor = participant(name).actor
            self.name = name

        def send(self, frame: bytes) -> None:
            sent[self.name].append(frame)

        def replay_room(self) -> int:
            return 100

        def replay_bytes(self) -> int:
            return 1 << 20

    members = [Raw("a"), Raw("b"), Raw("c")]
    for m in members:
        room.welcome(m, join(), "t")
    await room.submit(participant("Dorj").actor, command("ask", text="Early warning?"))
    assert sent["a"][-1] is sent["b"][-1] is sent["c"][-1]


async def test_a_pending_question_reaches_staff_and_its_author_only(room: LiveRoom) -> None:
    aiko, bat, chair = participant("Aiko"), participant("Bat"), moderator()
    for member in (aiko, bat, chair):
        welcome(room, member)
    await room.submit(chair.actor, command("settings", premoderation=True))
    reply = await room.submit(bat.actor, command("ask", text="Shelter funding?"))
    assert isinstance(reply, Ok) and reply.result["status"] == "pending"
    assert aiko.events()[-1].type == "hidden"
    assert bat.events()[-1].type == chair.events()[-1].type == "question.asked"
    await room.submit(chair.actor, command("moderate", qid="q2", action="approve"))
    assert aiko.events()[-1].type == "question.status"
    assert aiko.events()[-1].data["question"]["text"] == "Shelter funding?"
    assert aiko.seqs() == bat.seqs() == chair.seqs() == [1, 2, 3]


async def test_a_retry_gets_the_first_outcome_and_appends_nothing(room: LiveRoom) -> None:
    aiko = participant("Aiko")
    welcome(room, aiko)
    ask = command("ask", text="Evacuation drills?")
    first = await room.submit(aiko.actor, ask)
    again = await room.submit(aiko.actor, ask)
    assert first == again and room.state.seq == 1


async def test_resume_replays_exactly_the_missed_events(room: LiveRoom) -> None:
    aiko = participant("Aiko")
    welcome(room, aiko)
    for i in range(5):
        await room.submit(aiko.actor, command("ask", text=f"question {i}"))
    room.leave(aiko)
    back = participant("Aiko")
    reply = welcome(room, back, since=2, epoch=room.epoch)
    assert reply.seq == 5 and back.of_type(Snapshot) == []
    assert back.seqs() == [3, 4, 5]
    assert back.events() == aiko.events()[2:]  # the same frames a live member got


async def test_resume_falls_back_to_a_snapshot(room: LiveRoom) -> None:
    aiko = participant("Aiko")
    welcome(room, aiko)
    for i in range(60):  # past the room's replay window of 50
        await room.submit(aiko.actor, command("ask", text=f"question {i}"))
    for resume in (
        {"since": 1, "epoch": room.epoch},  # out of the window
        {"since": 58, "epoch": "0123456789abcdef"},  # another log life
        {"since": 99, "epoch": room.epoch},
    ):  # a seq the room never had
        late = participant("Late")
        welcome(room, late, **resume)
        assert late.events() == [] and late.snapshot().seq == 60, resume
    # A member whose send queue cannot take the replay gets a snapshot, not a 4008.
    slow = participant("Slow")
    slow.room_left = 2
    welcome(room, slow, since=55, epoch=room.epoch)
    assert slow.events() == [] and slow.snapshot().seq == 60
    # ...and so does one whose queue has the slots but not the bytes (issue 12, item 10).
    full = participant("Full")
    full.bytes_left = 100  # less than five events' frames
    welcome(room, full, since=55, epoch=room.epoch)
    assert full.events() == [] and full.snapshot().seq == 60
    roomy = participant("Roomy")
    welcome(room, roomy, since=55, epoch=room.epoch)
    assert roomy.seqs() == [56, 57, 58, 59, 60]


async def test_a_room_loaded_again_continues_from_its_snapshot_and_log(
    room: LiveRoom, backend: Backend
) -> None:
    aiko = participant("Aiko")
    welcome(room, aiko)
    for i in range(45):  # snapshots every 20: the reload reads a snapshot plus a tail
        await room.submit(aiko.actor, command("ask", text=f"question {i}"))
    await room.submit(aiko.actor, command("vote", qid="q44", up=True))
    await until(lambda: room._snapshot_task is None or room._snapshot_task.done())
    again = LiveRoom(ROOM, EVENT, backend)
    await again.load()
    try:
        assert again.state.seq == 46 and again.epoch == room.epoch
        assert again.state.questions["q44"].votes == 1
        assert again.state.view(aiko.actor.viewer()) == room.state.view(aiko.actor.viewer())
        # Both rooms tail the same log: a command submitted to one reaches the other's.
        other = participant("Bat")
        welcome(again, other)
        await room.submit(aiko.actor, command("ask", text="after the reload"))
        await until(lambda: other.seqs() == [47])
    finally:
        await again.close()


async def test_notes_sync_answers_from_the_rooms_document(room: LiveRoom) -> None:
    doc = pycrdt.Doc()
    text = doc.get("notes", type=pycrdt.Text)
    text += "Sendai: shelter funding model"
    aiko = participant("Aiko")
    welcome(room, aiko)
    reply = await room.submit(aiko.actor, command("notes.update", u=doc.get_update()))
    assert isinstance(reply, Ok) and reply.seq == 1
    empty = pycrdt.Doc()
    synced = room.sync_notes(NotesSync(id=7, sv=empty.get_state()))
    assert not isinstance(synced, Err) and (synced.seq, synced.re) == (1, 7)
    empty.apply_update(synced.u)
    assert str(empty.get("notes", type=pycrdt.Text)) == "Sendai: shelter funding model"


async def test_presence_counts_the_rooms_members(room: LiveRoom) -> None:
    aiko, bat = participant("Aiko"), participant("Bat", "Ulaanbaatar City")
    welcome(room, aiko)
    welcome(room, bat)
    await until(lambda: any(isinstance(f, Presence) and f.count == 2 for f in bat.got))
    last = [f for f in bat.got if isinstance(f, Presence)][-1]
    assert last.by_org == {"Sendai City": 1, "Ulaanbaatar City": 1}
    room.leave(aiko)
    await until(lambda: [f for f in bat.got if isinstance(f, Presence)][-1].count == 1)
    assert isinstance(bat.got[0], Ok) and isinstance(bat.got[1], Snapshot)
    assert all(not isinstance(f, Ev) for f in bat.got)


async def test_a_lost_log_gives_members_one_snapshot_of_the_new_life(
    own_redis: RedisProcess,
) -> None:
    """Redis restarted without its data: members get a snapshot of the new log (one
    each, with the new epoch) and then its events, never an event of the new life
    before it nor one of the old life after it."""
    backend = RedisBackend(own_redis.url, secret=b"live-room-tests-secret-0123456789abcdef")
    await backend.start()
    await backend.create_event(EVENT)
    live = LiveRoom(ROOM, EVENT, backend)
    await live.load()
    try:
        aiko = participant("Aiko")
        welcome(live, aiko)
        for i in range(3):
            await live.submit(aiko.actor, command("ask", text=f"question {i}"))
        old = live.epoch
        await asyncio.to_thread(own_redis.restart, wiped=True)
        reply = await live.submit(aiko.actor, command("ask", text="after the wipe"))
        assert isinstance(reply, Ok) and reply.seq == 1
        await until(lambda: len(aiko.of_type(Snapshot)) == 2)
        assert live.epoch != old
        first, second = aiko.of_type(Snapshot)
        assert first.epoch == old and second.epoch == live.epoch
        assert [q["text"] for q in second.state["questions"]] == ["after the wipe"]
        after = aiko.got[aiko.got.index(second) :]
        assert [f.seq for f in after if isinstance(f, Ev)] == []  # seq 1 is in the snapshot
        await live.submit(aiko.actor, command("ask", text="and on"))
        await until(lambda: aiko.seqs()[-1:] == [2])
        assert aiko.seqs() == [1, 2, 3, 2]
    finally:
        await live.close()
        await backend.close()
