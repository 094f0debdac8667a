"""protocol.messages: every command parses, round-trips and keeps its field order; room codes;
the envelope's errors. The field rules are in test_field_rules.py."""

from __future__ import annotations

import dataclasses

import pytest

from protocol.codec import decode_frame, encode_frame
from protocol.codes import ErrorCode, ProtocolError
from protocol.fields import ROOM_CODE, room_code
from protocol.frames import Err
from protocol.messages import (
    COMMANDS,
    MAX_ID,
    MUTATING,
    NOTES_UPDATE_LIMIT,
    Answer,
    Ask,
    Command,
    Join,
    Moderate,
    Mutating,
    NotesUpdate,
    PollCreate,
    PollVote,
    RoomSettings,
    needs_moderator,
    parse_command,
)

from .message_frames import CID, VALID, frame, refused

WIRE_TYPES = {
    "join", "ask", "vote", "withdraw", "moderate", "edit", "answer",
    "poll.create", "poll.open", "poll.close", "poll.vote",
    "poll.edit", "poll.hide_word", "poll.delete", "poll.show",  # extensions
    "notes.sync", "notes.update", "settings", "room.close", "room.open", "ping",
    "translate",  # PROTOCOL.md "Additions"
}  # fmt: skip

# PROTOCOL.md "Commands", the "who" column: these need a moderator (the extensions too).
MODERATOR_TYPES = {
    "moderate", "edit", "answer", "settings", "room.close", "room.open",
    "poll.create", "poll.edit", "poll.open", "poll.close", "poll.hide_word", "poll.delete",
    "poll.show",
}  # fmt: skip


# -- registry -------------------------------------------------------------------------------


def test_registry_holds_every_wire_type() -> None:
    assert set(COMMANDS) == WIRE_TYPES == set(VALID)
    for t, cls in COMMANDS.items():
        assert t == cls.T
        assert issubclass(cls, Command)
        assert dataclasses.is_dataclass(cls)
        assert cls.__dataclass_params__.frozen  # type: ignore[attr-defined]
        assert "__slots__" in cls.__dict__


def test_mutating_types_carry_a_cid() -> None:
    assert frozenset(WIRE_TYPES - {"join", "notes.sync", "ping"}) == MUTATING
    for t, cls in COMMANDS.items():
        names = {field.name for field in dataclasses.fields(cls)}
        assert ("cid" in names) == (t in MUTATING) == issubclass(cls, Mutating)
        assert "id" in names


def test_which_commands_need_a_moderator() -> None:
    assert {t for t, cls in COMMANDS.items() if cls.moderator_only} == MODERATOR_TYPES
    for t in WIRE_TYPES:
        assert needs_moderator(t) == (t in MODERATOR_TYPES)
        assert parse_command(frame(t)).moderator_only == (t in MODERATOR_TYPES)
    assert MODERATOR_TYPES <= MUTATING  # a moderator's command changes the room
    for t in ("question.asked", "bogus", "", "Moderate"):
        assert not needs_moderator(t)  # no command: refused as unknown_type instead


def test_the_log_keeps_each_commands_field_order() -> None:
    """The log and the wire hold fields in declaration order (base classes first); a
    shared base must not reorder them (issue 11 moved `qid`, `poll_id` into two)."""
    names = {t: [f.name for f in dataclasses.fields(cls)] for t, cls in COMMANDS.items()}
    assert names["vote"] == ["id", "cid", "qid", "up"]
    assert names["withdraw"] == ["id", "cid", "qid"]
    assert names["moderate"] == ["id", "cid", "qid", "action"]
    assert names["edit"] == names["answer"] == ["id", "cid", "qid", "text"]
    assert names["poll.create"] == [
        "id", "cid", "title", "kind", "options", "hide_results", "hide_until_voted", "seconds"
    ]  # fmt: skip
    assert names["poll.edit"] == [*names["poll.create"], "poll_id"]
    assert names["poll.open"] == names["poll.close"] == ["id", "cid", "poll_id"]
    assert names["poll.delete"] == ["id", "cid", "poll_id"]
    assert names["poll.show"] == ["id", "cid", "poll_id"]
    assert names["poll.vote"] == ["id", "cid", "poll_id", "choice"]
    assert names["poll.hide_word"] == ["id", "cid", "poll_id", "word", "hidden"]
    for t in WIRE_TYPES:
        keys = list(parse_command(frame(t)).frame())
        assert keys == [name for name in ["t", *names[t]] if name in keys]  # settings: given


# -- room codes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [("sub-plan", "SUB-PLAN"), ("AB", "AB"), ("a" * 32, "A" * 32), ("-ab", "-AB"), ("9-", "9-")],
)
def test_room_codes(text: str, code: str) -> None:
    assert room_code(text) == code
    assert ROOM_CODE.fullmatch(text)


@pytest.mark.parametrize(
    "text",
    ["A", "A" * 33, "SUB PLAN", "SUB_PLAN", "ÄB", " AB", "AB\n", "ßB", "\u212aB", "", None, 12],
    ids=repr,
)
def test_not_room_codes(text: object) -> None:
    assert room_code(text) is None
    assert room_code(text, new=True) is None


def test_a_new_room_code_starts_with_a_letter_or_digit() -> None:
    assert room_code("-AB", new=True) is None
    assert room_code("sub-plan", new=True) == "SUB-PLAN"
    assert room_code("9-", new=True) == "9-"


# -- valid frames ---------------------------------------------------------------------------


@pytest.mark.parametrize("t", sorted(WIRE_TYPES))
def test_every_command_parses(t: str) -> None:
    command = parse_command(frame(t, id=9))
    assert type(command) is COMMANDS[t]
    assert command.id == 9
    if t in MUTATING:
        assert command.cid == CID  # type: ignore[attr-defined]


@pytest.mark.parametrize("t", sorted(WIRE_TYPES))
def test_data_excludes_id_and_cid(t: str) -> None:
    data = parse_command(frame(t)).data()
    assert "id" not in data
    assert "cid" not in data
    assert "t" not in data
    expected = {k: v for k, v in VALID[t].items() if k != "cid"}
    if t == "join":
        expected["room"] = "SUB-PLAN"
    assert data == expected


@pytest.mark.parametrize("t", sorted(WIRE_TYPES))
def test_frame_round_trips_through_the_codec(t: str) -> None:
    command = parse_command(frame(t))
    wire = decode_frame(encode_frame(command.frame()))
    assert parse_command(wire) == command
    assert wire["t"] == t


@pytest.mark.parametrize("t", sorted(WIRE_TYPES))
def test_unknown_fields_are_ignored(t: str) -> None:
    command = parse_command(frame(t, future_field={"x": [1]}, v=2))
    assert command == parse_command(frame(t))


def test_defaults() -> None:
    join = parse_command({"t": "join", "id": 1, "room": "ab", "name": "N"})
    assert join == Join(id=1, room="AB", name="N")
    assert (join.org, join.lang, join.token, join.key, join.since, join.epoch) == (
        "", "en", None, None, None, None
    )  # fmt: skip
    assert join.screen is False and "screen" not in join.frame()  # a v1 join, as it was
    ask = parse_command({"t": "ask", "id": 1, "cid": "c", "text": "t"})
    assert isinstance(ask, Ask)
    assert (ask.lang, ask.anon) == ("en", False)
    poll = parse_command({"t": "poll.create", "id": 1, "cid": "c", "title": "T", "kind": "words"})
    assert isinstance(poll, PollCreate)
    assert (poll.options, poll.hide_results) == ((), False)


def test_nil_means_absent_for_optional_fields() -> None:
    join = parse_command(frame("join", org=None, lang=None, token=None, since=None, epoch=None))
    assert isinstance(join, Join)
    assert (join.org, join.lang, join.token, join.since, join.epoch) == ("", "en", None, None, None)
    assert parse_command(frame("ask", anon=None)).anon is False  # type: ignore[attr-defined]


def test_empty_token_key_epoch_read_as_absent() -> None:
    join = parse_command(frame("join", token="", key="", epoch=""))
    assert isinstance(join, Join)
    assert (join.token, join.key, join.epoch) == (None, None, None)


def test_normalisation() -> None:
    join = parse_command(frame("join", room="Sub-Plan", name="  Aiko ", org=" UNDRR "))
    assert isinstance(join, Join)
    assert (join.room, join.name, join.org) == ("SUB-PLAN", "Aiko", "UNDRR")
    ask = parse_command(frame("ask", text="  line one\r\nline two\rthree\t!  "))
    assert isinstance(ask, Ask)
    assert ask.text == "line one\nline two\nthree\t!"
    poll = parse_command(frame("poll.create", title=" T ", options=[" a ", "b"]))
    assert isinstance(poll, PollCreate)
    assert (poll.title, poll.options) == ("T", ("a", "b"))
    assert poll.data()["options"] == ["a", "b"]


@pytest.mark.parametrize(
    ("choice", "stored"),
    [
        (0, 0),
        (5, 5),
        (1000, 1000),
        ([2, 0], [0, 2]),
        (list(range(10)), list(range(10))),
        ("  early   warning\n ", "early warning"),
        ("Tsunami", "Tsunami"),
        ("x" * 40, "x" * 40),
        ("  " + "y" * 40 + "  ", "y" * 40),
    ],
)
def test_poll_choices(choice: object, stored: object) -> None:
    vote = parse_command(frame("poll.vote", choice=choice))
    assert isinstance(vote, PollVote)
    assert vote.data()["choice"] == stored


def test_text_limits_count_characters_not_bytes() -> None:
    assert parse_command(frame("ask", text="避" * 500)).text == "避" * 500  # type: ignore[attr-defined]
    assert parse_command(frame("answer", text="Ө" * 2000)).text == "Ө" * 2000  # type: ignore[attr-defined]
    assert parse_command(frame("join", name="👩🏽‍🚒" * 12)).name  # type: ignore[attr-defined]


def test_limits_at_the_edge() -> None:
    parse_command(frame("ask", text="x" * 500))
    parse_command(frame("edit", text="x" * 500))
    parse_command(frame("answer", text="x" * 2000))
    parse_command(frame("join", name="x" * 60, org="y" * 80, room="A" * 32))
    parse_command(frame("join", room="AB", org=""))
    parse_command(frame("poll.create", title="t" * 200, options=[str(i) * 100 for i in range(10)]))
    parse_command(frame("vote", qid="q" * 32, cid="c" * 64))
    parse_command(frame("notes.update", u=b"x" * NOTES_UPDATE_LIMIT))
    parse_command(frame("notes.update", u=b""))
    parse_command(frame("ping", id=0))
    parse_command(frame("ping", id=MAX_ID))
    parse_command(frame("join", since=0))


def test_settings_data_holds_only_what_changes() -> None:
    command = parse_command({"t": "settings", "id": 1, "cid": "c", "notes_locked": False})
    assert isinstance(command, RoomSettings)
    assert command.data() == {"notes_locked": False}


def test_commands_validate_when_built_directly() -> None:
    with pytest.raises(ProtocolError) as info:
        Ask(id=1, cid="c", text="   ")
    assert info.value.code is ErrorCode.BAD_REQUEST
    with pytest.raises(ProtocolError):
        RoomSettings(id=1, cid="c")
    with pytest.raises(ProtocolError) as too_large:
        NotesUpdate(id=1, cid="c", u=b"x" * (NOTES_UPDATE_LIMIT + 1))
    assert too_large.value.code is ErrorCode.TOO_LARGE
    with pytest.raises(dataclasses.FrozenInstanceError):
        Answer(id=1, cid="c", qid="q1", text="a").text = "b"  # type: ignore[misc]


# -- envelope errors ------------------------------------------------------------------------


def test_unknown_type() -> None:
    exc = refused({"t": "question.delete", "id": 3}, ErrorCode.UNKNOWN_TYPE)
    assert exc.re == 3
    assert Err.of(exc).code == "unknown_type"
    assert refused({"t": "ev", "id": 4}, ErrorCode.UNKNOWN_TYPE).re == 4  # server frames
    assert refused({"t": "", "id": 4}, ErrorCode.UNKNOWN_TYPE).re == 4
    assert refused({"t": "Ask", "id": 4}, ErrorCode.UNKNOWN_TYPE).re == 4  # case matters
    assert refused({"t": "nope"}, ErrorCode.UNKNOWN_TYPE).re is None


@pytest.mark.parametrize("t", [None, 1, b"ask", ["ask"], True], ids=repr)
def test_t_must_be_a_string(t: object) -> None:
    assert refused({"t": t, "id": 8}).re == 8
    assert refused({"id": 8}).re == 8


@pytest.mark.parametrize(
    "bad_id", [..., None, -1, MAX_ID + 1, True, False, "1", 1.0, [1]], ids=repr
)
def test_id_must_be_a_safe_int(bad_id: object) -> None:
    exc = refused(frame("ask", id=bad_id))  # type: ignore[arg-type]
    assert exc.re is None


def test_not_a_map() -> None:
    refused([("t", "ping")], ErrorCode.BAD_FRAME)  # type: ignore[arg-type]


# The server frames' builders are protocol.frames, tested in test_frames.py.


def test_moderate_next_needs_no_qid_and_the_others_do() -> None:
    """PROTOCOL.md "Moderation flow": `next` is sent with a nil `qid`."""
    nxt = parse_command(frame("moderate", qid=None, action="next"))
    assert isinstance(nxt, Moderate) and nxt.qid is None and nxt.action == "next"
    assert parse_command(frame("moderate", qid=..., action="next")).data() == {
        "qid": None,
        "action": "next",
    }
    assert parse_command(frame("moderate", qid="q3", action="next")).qid == "q3"
    refused(frame("moderate", qid=None, action="approve"))
    refused(frame("moderate", qid=..., action="pin"))
    refused(frame("moderate", qid=7, action="next"))
