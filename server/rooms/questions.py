"""Q&A: ask, vote, withdraw, moderate, edit, answer (PROTOCOL.md "Commands").

Each handler takes the state and one log record and returns an `Outcome`. Role checks
that need no state were done where the command arrived; everything that depends on
state is decided here, so every process decides the same way.
"""

from __future__ import annotations

from typing import Any, Literal

from protocol.codes import ErrorCode
from server.rooms.outcome import (
    EVERYONE,
    Outcome,
    accept,
    event,
    only,
    refuse,
    staff_and,
)
from server.rooms.record import Entry, actor_of, is_moderator, is_staff
from server.rooms.state import (
    ANSWERED,
    DISMISSED,
    LIVE,
    PENDING,
    PUBLIC_STATUSES,
    WITHDRAWN,
    Question,
    RoomState,
)

# action -> (statuses it applies to, status it leads to); pin/unpin are handled apart.
_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "approve": (frozenset({PENDING}), LIVE),
    "dismiss": (frozenset({PENDING, LIVE}), DISMISSED),
    "answered": (frozenset({LIVE}), ANSWERED),
    # Also a moderator's "restore" of a withdrawn question (an author's slip, say).
    "reopen": (frozenset({ANSWERED, DISMISSED, WITHDRAWN}), LIVE),
}


def _closed() -> Outcome:
    return refuse(ErrorCode.ROOM_CLOSED, "the room is closed")


def _find(state: RoomState, rec: Entry) -> Question | Outcome:
    """The question a record names, or a `not_found` outcome if its actor cannot see it."""
    q = state.questions.get(rec.data["qid"])
    if q is None or not (q.public or q.author_pid == actor_of(rec)["pid"] or is_staff(rec)):
        return refuse(ErrorCode.NOT_FOUND, "no such question")
    return q


def ask(state: RoomState, rec: Entry) -> Outcome:
    if not state.is_open:
        return _closed()
    d, actor = rec.data, actor_of(rec)
    if d["anon"] and not state.settings["anonymous_allowed"]:
        return refuse(ErrorCode.FORBIDDEN, "anonymous questions are turned off in this room")
    held = state.settings["premoderation"] and not is_moderator(rec)
    q = Question(
        qid=f"q{rec.seq}",
        seq=rec.seq,
        ts=rec.ts,
        text=d["text"],
        lang=d["lang"],
        author_pid=actor["pid"],
        author_name=actor["name"],
        author_org=actor["org"],
        anon=d["anon"],
        status=PENDING if held else LIVE,
        public=not held,
    )
    state.questions[q.qid] = q
    if held:
        state.pending += 1
    wire = q.wire()
    ev = event(
        "question.asked",
        (only(q.author_pid), {**wire, "mine": True}),
        (q.audience(), wire),
    )
    return accept(ev, qid=q.qid, status=q.status)


def vote(state: RoomState, rec: Entry) -> Outcome:
    if not state.is_open:
        return _closed()
    found = _find(state, rec)
    if isinstance(found, Outcome):
        return found
    q, pid, up = found, actor_of(rec)["pid"], rec.data["up"]
    if q.status != LIVE:
        return refuse(ErrorCode.CONFLICT, f"only live questions take votes, not {q.status} ones")
    if (pid in q.voters) == up:
        return accept(None, votes=q.votes, voted=up)  # repeating changes nothing
    if up:
        q.voters.add(pid)
    else:
        q.voters.discard(pid)
    data: dict[str, Any] = {"qid": q.qid, "votes": q.votes}
    ev = event("question.voted", (only(pid), {**data, "voted": up}), (q.audience(), data))
    return accept(ev, votes=q.votes, voted=up)


def _status_event(state: RoomState, q: Question, old: str, by: str) -> Outcome:
    """The `question.status` event for a change `old -> q.status`, unpinning if needed."""
    data: dict[str, Any] = {"qid": q.qid, "status": q.status, "by": by}
    if q.status in PUBLIC_STATUSES:
        data["question"] = q.wire()
    # A pinned question that is answered, or leaves the public list, is no longer "now
    # answering" (PROTOCOL.md "Moderation flow": answered also unpins).
    if state.pinned == q.qid and q.status != LIVE:
        state.pinned = None
        data["unpinned"] = True
    # A question that was never public stays between staff and its author.
    audience = EVERYONE if q.public else staff_and(q.author_pid)
    return accept(event("question.status", (audience, data)), status=q.status, previous=old)


def withdraw(state: RoomState, rec: Entry) -> Outcome:
    if not state.is_open:
        return _closed()
    found = _find(state, rec)
    if isinstance(found, Outcome):
        return found
    q = found
    if q.author_pid != actor_of(rec)["pid"]:
        return refuse(ErrorCode.FORBIDDEN, "only the author can withdraw a question")
    if q.status not in (PENDING, LIVE):
        return refuse(ErrorCode.CONFLICT, f"a question that is {q.status} cannot be withdrawn")
    old = q.status
    state.set_status(q, WITHDRAWN)
    return _status_event(state, q, old, "author")


def moderate(state: RoomState, rec: Entry) -> Outcome:
    if rec.data["action"] == "next":
        return _next(state, rec)
    found = _find(state, rec)
    if isinstance(found, Outcome):
        return found
    q, action = found, rec.data["action"]
    if action == "pin":
        if q.status not in PUBLIC_STATUSES:
            return refuse(ErrorCode.CONFLICT, f"a question that is {q.status} cannot be pinned")
        if state.pinned == q.qid:
            return accept(None)
        state.pinned = q.qid
        return accept(event("question.pinned", (EVERYONE, {"qid": q.qid})))
    if action == "unpin":
        if state.pinned != q.qid:
            return accept(None)
        state.pinned = None
        return accept(event("question.pinned", (EVERYONE, {"qid": None})))
    allowed, new = _TRANSITIONS[action]
    if q.status not in allowed:
        return refuse(ErrorCode.CONFLICT, f"cannot {action} a question that is {q.status}")
    old = q.status
    if new == ANSWERED:
        q.answered_ts = rec.ts
    state.set_status(q, new)
    return _status_event(state, q, old, "moderator")


def _next(state: RoomState, rec: Entry) -> Outcome:
    """`moderate next`: the pinned question, if live, is marked answered, and the live
    question with the most votes (ties: the oldest) is pinned. One event says both: a
    `question.pinned` with the new `qid` (nil when none is left) and, when one was
    answered, `answered` with its `question.status` data (docs/protocol.md)."""
    old = state.questions.get(state.pinned) if state.pinned is not None else None
    data: dict[str, Any] = {}
    if old is not None and old.status == LIVE:
        old.answered_ts = rec.ts
        state.set_status(old, ANSWERED)
        data["answered"] = {"qid": old.qid, "status": ANSWERED, "by": "moderator",
                            "question": old.wire()}  # fmt: skip
    waiting = [q for q in state.questions.values() if q.status == LIVE and q is not old]
    new = max(waiting, key=lambda q: (q.votes, -q.seq), default=None)
    if new is None and old is None:
        return accept(None, pinned=None, answered=None)
    state.pinned = new.qid if new is not None else None
    answered = old.qid if old is not None and "answered" in data else None
    ev = event("question.pinned", (EVERYONE, {"qid": state.pinned, **data}))
    return accept(ev, pinned=state.pinned, answered=answered)


def _rewrite(
    state: RoomState, rec: Entry, attr: Literal["text", "answer"], event_type: str
) -> Outcome:
    """Set the named question's `attr` ("text" or "answer") to the record's `text`, and
    tell whoever can see the question. Writing what is there already changes nothing."""
    found = _find(state, rec)
    if isinstance(found, Outcome):
        return found
    q, text = found, rec.data["text"]
    if getattr(q, attr) == text:
        return accept(None)
    setattr(q, attr, text)
    data: dict[str, Any] = {"qid": q.qid, "text": text}
    if attr == "text":  # a moderator changed the asker's words: everyone is told so
        q.edited = True
        data["edited"] = True
    # A translation of the words before is no longer one of these (clients drop it too).
    q.translations.pop(attr, None)
    q.translated_by.pop(attr, None)
    return accept(event(event_type, (q.audience(), data)))


def edit(state: RoomState, rec: Entry) -> Outcome:
    """`edit`: a moderator rewrites the question's text."""
    return _rewrite(state, rec, "text", "question.edited")


def answer(state: RoomState, rec: Entry) -> Outcome:
    """`answer`: a moderator writes (or rewrites) the question's answer."""
    return _rewrite(state, rec, "answer", "question.answer")
