"""Room state: what the fold builds from the log, and how each viewer sees it.

The state is mutated in place by `server.rooms.fold.apply` (for speed), but only there,
and deterministically. `to_snapshot` / `from_snapshot` give plain msgpack-able data so a
process can pick up a room in O(state) (DESIGN.md §5).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from server.rooms.notes_document import NotesDoc
from server.rooms.outcome import EVERYONE, Audience, Viewer, staff_and
from server.rooms.polls import DRAFT, Poll

PENDING = "pending"
LIVE = "live"
ANSWERED = "answered"
DISMISSED = "dismissed"
WITHDRAWN = "withdrawn"
PUBLIC_STATUSES = frozenset({LIVE, ANSWERED})

DEFAULT_SETTINGS: dict[str, bool] = {
    "premoderation": False,
    "anonymous_allowed": True,
    "notes_locked": False,
}


@dataclass(slots=True)
class Question:
    """One question of the room's Q&A."""

    qid: str
    seq: int
    ts: float
    text: str
    lang: str
    author_pid: str
    author_name: str
    author_org: str
    anon: bool
    status: str
    voters: set[str] = field(default_factory=set)
    answer: str | None = None
    answered_ts: float | None = None
    public: bool = False  # has been visible to everyone (live at some point)
    edited: bool = False  # a moderator changed its text
    # field ("text", "answer") -> language -> an interpreter's or moderator's translation
    translations: dict[str, dict[str, str]] = field(default_factory=dict)
    translated_by: dict[str, dict[str, str]] = field(default_factory=dict)  # the same, -> role

    @property
    def votes(self) -> int:
        return len(self.voters)

    def audience(self) -> Audience:
        """Who receives events about this question."""
        return EVERYONE if self.public else staff_and(self.author_pid)

    def visible_to(self, viewer: Viewer) -> bool:
        return self.status in PUBLIC_STATUSES or viewer.staff or viewer.pid == self.author_pid

    def wire(self) -> dict[str, Any]:
        """The question as clients see it. An anonymous author is nil for everyone."""
        author = (
            None
            if self.anon
            else {"pid": self.author_pid, "name": self.author_name, "org": self.author_org}
        )
        return {
            "qid": self.qid,
            "text": self.text,
            "lang": self.lang,
            "author": author,
            "status": self.status,
            "votes": len(self.voters),
            "answer": self.answer,
            "ts": self.ts,
            "answered_ts": self.answered_ts,
            **({"edited": True} if self.edited else {}),
            **(
                {"translations": self.translations, "translated_by": self.translated_by}
                if self.translations
                else {}
            ),
        }

    def dump(self) -> dict[str, Any]:
        return {
            "qid": self.qid,
            "seq": self.seq,
            "ts": self.ts,
            "text": self.text,
            "lang": self.lang,
            "author_pid": self.author_pid,
            "author_name": self.author_name,
            "author_org": self.author_org,
            "anon": self.anon,
            "status": self.status,
            "voters": sorted(self.voters),
            "answer": self.answer,
            "answered_ts": self.answered_ts,
            "public": self.public,
            "edited": self.edited,
            "translations": {f: dict(texts) for f, texts in self.translations.items()},
            "translated_by": {f: dict(roles) for f, roles in self.translated_by.items()},
        }

    @classmethod
    def load(cls, d: dict[str, Any]) -> Question:
        return cls(
            **{
                **d,
                "voters": set(d["voters"]),
                "translations": d.get("translations") or {},
                "translated_by": d.get("translated_by") or {},
            }
        )


@dataclass(slots=True)
class RoomState:
    """Everything the log says about one room, as of `seq`."""

    seq: int = 0
    questions: dict[str, Question] = field(default_factory=dict)
    pinned: str | None = None
    settings: dict[str, bool] = field(default_factory=lambda: dict(DEFAULT_SETTINGS))
    state: str = "open"
    pending: int = 0  # questions waiting for review
    dismissed: int = 0
    polls: dict[str, Poll] = field(default_factory=dict)
    on_screen: str | None = None  # the poll on the projector (`poll.show`)
    notes: NotesDoc = field(default_factory=NotesDoc)

    @property
    def is_open(self) -> bool:
        """Whether the room takes questions, votes and edits (not `closed` or `archived`)."""
        return self.state == "open"

    def set_status(self, question: Question, status: str) -> None:
        """Change a question's status, keeping the moderation counts in step."""
        self.pending += (status == PENDING) - (question.status == PENDING)
        self.dismissed += (status == DISMISSED) - (question.status == DISMISSED)
        question.status = status
        if status in PUBLIC_STATUSES:
            question.public = True

    def queue(self) -> dict[str, int]:
        return {"pending": self.pending, "dismissed": self.dismissed}

    def view(self, viewer: Viewer) -> dict[str, Any]:
        """The snapshot `state` for one viewer (PROTOCOL.md "Joining")."""
        questions = []
        my_votes = []
        my_questions = []
        for q in self.questions.values():
            if viewer.pid in q.voters:
                my_votes.append(q.qid)
            if q.author_pid == viewer.pid:
                my_questions.append(q.qid)
            if q.visible_to(viewer):
                questions.append(q.wire())
        polls = []
        poll_votes = {}
        for poll in self.polls.values():
            if poll.status == DRAFT and not viewer.staff:
                continue
            shown = poll.results_shown_to(viewer.pid, staff=viewer.staff)
            wire = poll.wire(staff=viewer.staff)
            polls.append({**wire, "results": poll.results() if shown else None})
            if viewer.pid in poll.votes:
                poll_votes[poll.poll_id] = poll.votes[viewer.pid]
        return {
            "questions": questions,
            "pinned": self.pinned,
            "polls": polls,
            "on_screen": self.on_screen,
            "settings": dict(self.settings),
            "state": self.state,
            "queue": self.queue(),
            "mine": {"votes": my_votes, "questions": my_questions, "poll_votes": poll_votes},
        }

    def to_snapshot(self) -> dict[str, Any]:
        """Everything, for persistence (not for clients: it names anonymous authors)."""
        return {
            "v": 1,
            "seq": self.seq,
            "questions": [q.dump() for q in self.questions.values()],
            "pinned": self.pinned,
            "settings": dict(self.settings),
            "state": self.state,
            "polls": [p.dump() for p in self.polls.values()],
            "on_screen": self.on_screen,
            "notes": self.notes.encode(),
            # Updates that wait for an earlier one, as the fold keeps them (only when any).
            **({"notes_pending": list(self.notes.pending)} if self.notes.pending else {}),
        }

    @classmethod
    def from_snapshot(cls, d: dict[str, Any]) -> RoomState:
        state = cls(
            seq=d["seq"],
            pinned=d["pinned"],
            settings={**DEFAULT_SETTINGS, **d["settings"]},
            state=d["state"],
            on_screen=d.get("on_screen"),
        )
        for qd in d["questions"]:
            q = Question.load(qd)
            state.questions[q.qid] = q
            state.pending += q.status == PENDING
            state.dismissed += q.status == DISMISSED
        if d.get("notes"):
            state.notes = NotesDoc(d["notes"], pending=d.get("notes_pending"))
        for pd in d.get("polls", ()):
            poll = Poll.load(pd)
            state.polls[poll.poll_id] = poll
        return state
