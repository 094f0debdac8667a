"""The fold is a pure function of the log: same records, same state, same outcomes.

A seeded random mix of every command (tests/rooms/random_mix.py) is folded twice from
scratch, and once through a msgpack snapshot at several cut points; everything observable
must agree. The same run checks invariants after every record.
"""

from __future__ import annotations

import copy
from collections import Counter
from typing import Any

import pytest

from protocol.codes import ErrorCode
from server.rooms import Outcome, RoomState, apply
from server.rooms.fold import HANDLERS
from server.rooms.notes_document import TEXT_LIMIT
from tests.rooms.random_mix import (
    KINDS,
    PARTICIPANT_VIEWERS,
    POLL_KINDS,
    SEEDS,
    UNKNOWN,
    VIEWERS,
    N,
    _log,
    fold,
    msgpack_round_trip,
    observable,
    random_log,
)
from tests.rooms.support import PUBLIC, Rec, durable, recount


def test_the_log_is_reproducible() -> None:
    assert random_log(SEEDS[0]) == random_log(SEEDS[0])
    assert random_log(SEEDS[0]) != random_log(SEEDS[1])


@pytest.mark.parametrize("seed", SEEDS)
def test_two_fresh_folds_agree(seed: int) -> None:
    log = _log(seed)
    pristine = copy.deepcopy(log)
    a, outs_a = fold(log)
    b, outs_b = fold(log)
    assert log == pristine  # the fold never mutates a record
    assert a.to_snapshot() == b.to_snapshot()
    assert observable(a) == observable(b)
    assert outs_a == outs_b
    assert a.seq == N


@pytest.mark.parametrize("seed", SEEDS)
def test_the_mix_exercises_the_whole_fold(seed: int) -> None:
    """Guard against a vacuous run: the log must hit every command, outcome and status."""
    log = _log(seed)
    state, outs = fold(log)
    oks = Counter(rec.type for rec, out in zip(log, outs, strict=True) if out.ok)
    assert set(oks) == set(HANDLERS) == set(KINDS) - UNKNOWN, oks
    codes = Counter(out.code for out in outs)
    assert set(codes) >= {
        None,
        ErrorCode.CONFLICT,
        ErrorCode.NOT_FOUND,
        ErrorCode.FORBIDDEN,
        ErrorCode.ROOM_CLOSED,
        ErrorCode.BAD_REQUEST,
        ErrorCode.UNKNOWN_TYPE,
    }, codes
    events = Counter(out.event.type for out in outs if out.event is not None)
    assert set(events) == {
        "question.asked",
        "question.voted",
        "question.status",
        "question.edited",
        "question.answer",
        "question.translated",
        "question.pinned",
        "room.settings",
        "room.state",
        "poll.created",
        "poll.status",
        "poll.voted",
        "poll.word_hidden",
        "poll.deleted",
        "poll.on_screen",
        "notes.update",
    }, events
    assert sum(out.ok and out.event is None for out in outs) > 20  # no-op commands
    assert {q.status for q in state.questions.values()} == {
        "pending",
        "live",
        "answered",
        "dismissed",
        "withdrawn",
    }
    assert any(q.anon for q in state.questions.values())
    assert codes[None] > N // 3
    polls = state.polls.values()
    assert {p.kind for p in polls} == set(POLL_KINDS)
    assert {p.status for p in polls} == {"draft", "open", "closed"}
    assert any(p.hide_results for p in polls) and any(p.hidden_words for p in polls)
    assert sum(len(p.votes) for p in polls) > 20
    vote_codes = Counter(
        out.code for rec, out in zip(log, outs, strict=True) if rec.type == "poll.vote"
    )
    assert set(vote_codes) >= {
        None,
        ErrorCode.CONFLICT,
        ErrorCode.NOT_FOUND,
        ErrorCode.BAD_REQUEST,
        ErrorCode.ROOM_CLOSED,
    }, vote_codes
    reopened = 0
    status: dict[str, str] = {}
    for out in outs:
        if out.event is not None and out.event.type == "poll.status":
            poll_id = out.event.variants[0].data["poll_id"]
            new = out.event.variants[0].data["status"]
            reopened += status.get(poll_id) == "closed" and new == "open"
            status[poll_id] = new
    assert reopened > 0
    notes_codes = Counter(
        out.code for rec, out in zip(log, outs, strict=True) if rec.type == "notes.update"
    )
    assert set(notes_codes) >= {
        None,
        ErrorCode.BAD_REQUEST,
        ErrorCode.TOO_LARGE,
        ErrorCode.FORBIDDEN,
        ErrorCode.ROOM_CLOSED,
    }, notes_codes
    assert notes_codes[None] > 30
    assert state.notes.value() and len(state.notes) <= TEXT_LIMIT


@pytest.mark.parametrize("seed", SEEDS)
def test_out_of_order_notes_wait_in_the_state_and_its_snapshots(seed: int) -> None:
    """Some update in the mix arrives before the one it depends on (or after its
    predecessor was refused): the fold keeps it pending, and so does every snapshot taken
    meanwhile. (tests/rooms/test_notes.py checks that it lands when its predecessor does.)"""
    state = RoomState()
    waited = 0
    for rec in _log(seed):
        apply(state, rec)
        if state.notes.pending and waited % 25 == 0:
            snap = msgpack_round_trip(state.to_snapshot())
            again = RoomState.from_snapshot(snap)
            assert again.notes.pending == state.notes.pending
            assert again.to_snapshot() == state.to_snapshot()
        waited += bool(state.notes.pending)
    assert waited > 0


CUTS = (0, 1, 137, 1000, 1999, N)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("cut", CUTS)
def test_resuming_from_a_snapshot_equals_folding_everything(seed: int, cut: int) -> None:
    log = _log(seed)
    whole, outs_whole = fold(log)
    prefix, _ = fold(log[:cut])
    snapshot = msgpack_round_trip(prefix.to_snapshot())
    resumed = RoomState.from_snapshot(snapshot)
    assert resumed.seq == cut
    assert observable(resumed) == observable(prefix)  # the snapshot loses nothing
    resumed, outs_rest = fold(log[cut:], resumed)
    assert resumed.to_snapshot() == whole.to_snapshot()
    assert resumed.queue() == whole.queue()
    for v in VIEWERS:
        assert resumed.view(v) == whole.view(v), v
    assert [o.code for o in outs_rest] == [o.code for o in outs_whole[cut:]]
    assert outs_rest == outs_whole[cut:]


def test_a_snapshot_round_trip_is_the_identity() -> None:
    state, _ = fold(_log(SEEDS[0])[:1234])
    snap = state.to_snapshot()
    again = RoomState.from_snapshot(msgpack_round_trip(snap))
    assert again.to_snapshot() == snap
    assert msgpack_round_trip(snap) == snap


def _question_dicts(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Every whole question carried by an event's data."""
    if "author" in data:
        return [data]
    return [data["question"]] if "question" in data else []


@pytest.mark.parametrize("seed", SEEDS)
def test_invariants_after_every_record(seed: int) -> None:
    state = RoomState()
    for rec in _log(seed):
        before = durable(state)
        out = apply(state, rec)
        after = durable(state)
        assert state.seq == rec.seq
        # queue counts are the counts of the questions' statuses
        assert state.queue() == recount(state)
        # the pin is on a question everyone can see
        if state.pinned is not None:
            assert state.questions[state.pinned].status in PUBLIC
        # a refusal or a no-op changes nothing and is hidden; a change is never silent
        if not out.ok or out.event is None:
            assert after == before, (rec, out)
        if after != before:
            assert out.event is not None, rec
        if out.event is None:
            continue
        if out.event.type.startswith("poll."):
            _check_poll_event(state, rec, out)
            continue
        qid = out.event.variants[0].data.get("qid")
        q = state.questions.get(qid) if isinstance(qid, str) else None
        for variant in out.event.variants:
            for wire in _question_dicts(variant.data):
                author = wire["author"]
                assert author is None if state.questions[wire["qid"]].anon else author is not None
        if q is None or out.event.type == "question.pinned":
            continue
        # nothing about a never-public question reaches a participant who did not ask it
        for v in PARTICIPANT_VIEWERS:
            if not q.public and v.pid != q.author_pid:
                assert out.event.for_viewer(v) is None, (rec, v)
            else:
                assert out.event.for_viewer(v) is not None, (rec, v)


def _check_poll_event(state: RoomState, rec: Rec, out: Outcome) -> None:
    """Drafts, votes and hidden results never reach a participant who may not see them."""
    assert out.event is not None
    data = out.event.variants[0].data
    if out.event.type == "poll.on_screen":
        shown = data["poll_id"]
        assert shown == state.on_screen
        assert shown is None or state.polls[shown].status != "draft"  # never a draft
        for v in VIEWERS:
            assert out.event.for_viewer(v) is not None
        return
    if out.event.type == "poll.deleted":
        assert data["poll_id"] not in state.polls and state.on_screen != data["poll_id"]
        for v in VIEWERS:
            got = out.event.for_viewer(v)
            assert got is None or got.data == {"poll_id": data["poll_id"]}
            assert got is not None or not v.staff
        return
    poll = state.polls[data["poll"]["poll_id"] if "poll" in data else data["poll_id"]]
    results = poll.results()
    assert results["voters"] == len(poll.votes)
    counts = results["counts"]
    total = sum(counts.values()) if isinstance(counts, dict) else sum(counts)
    if poll.kind in ("single", "rating"):
        assert total == results["voters"]
    elif poll.kind == "multi":
        assert total >= results["voters"]
    else:
        assert total <= results["voters"]
        assert all(len(word) <= 40 and word not in poll.hidden_words for word in counts)
    for v in PARTICIPANT_VIEWERS:
        got = out.event.for_viewer(v)
        if out.event.type == "poll.voted":
            assert (got is not None) == (v.pid == rec.actor["pid"]), (rec, v)  # type: ignore[index]
        elif poll.status == "draft":
            assert got is None, (rec, v)
        elif out.event.type == "poll.word_hidden":
            assert (got is not None) == poll.results_audience_everyone(), (rec, v)
        else:
            assert got is not None, (rec, v)
        if got is not None and "results" in got.data:
            assert poll.results_audience_everyone()
    if out.event.type == "poll.voted":
        for v in VIEWERS:
            if v.staff:
                assert out.event.for_viewer(v) is None or v.pid == rec.actor["pid"]  # type: ignore[index]


@pytest.mark.parametrize("seed", SEEDS[:1])
def test_every_event_reflects_a_change(seed: int) -> None:
    state = RoomState()
    for rec in _log(seed):
        before = durable(state)
        out = apply(state, rec)
        if out.event is not None and rec.type != "notes.update":
            assert durable(state) != before, (rec, out.event)
    # A notes update is forwarded even when this document had it already (a duplicate,
    # or deletions only): what it changes is for each client's document to say.
