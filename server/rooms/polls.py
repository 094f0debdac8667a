"""Polls: create, edit, open, close, delete, show on screen, vote, hide a word
(PROTOCOL.md "Commands"; issues 4 and 13).

One vote per participant per poll, decided here so that it is exact on every process:
a participant's vote replaces their previous one while the poll is open. Results are
not events: they follow from the votes (`Poll.results`), and each process sends them
as coalesced `poll.results` frames.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any, Protocol

from protocol.codes import ErrorCode
from protocol.lang_text import LangText
from server.rooms.outcome import EVERYONE, STAFF, Outcome, accept, event, only, refuse
from server.rooms.record import Entry, actor_of, is_staff

DRAFT, OPEN, CLOSED = "draft", "open", "closed"
RATING_STARS = 5
WORD_LIMIT = 40

Choice = int | list[int] | str


def normalise_word(word: str) -> str:
    """Words count case- and space-insensitively (and full-width = half-width)."""
    return " ".join(unicodedata.normalize("NFKC", word).casefold().split())[:WORD_LIMIT]


@dataclass(slots=True)
class Poll:
    """One poll and every participant's current vote in it."""

    poll_id: str
    seq: int
    title: LangText
    kind: str
    options: list[LangText]
    hide_results: bool = False
    hide_until_voted: bool = False
    seconds: int | None = None  # its timer: closed this long after each opening
    closes_ts: float | None = None  # while open with a timer: when the server closes it
    status: str = DRAFT
    votes: dict[str, Choice] = field(default_factory=dict)  # pid -> choice
    hidden_words: set[str] = field(default_factory=set)
    opened_ts: float | None = None
    closed_ts: float | None = None

    def wire(self, *, staff: bool = True) -> dict[str, Any]:
        """The poll as clients see it. Hidden words (a moderator hid them for a reason)
        are listed to staff only."""
        return {
            "poll_id": self.poll_id,
            "title": self.title,
            "kind": self.kind,
            "options": list(self.options),
            "status": self.status,
            "hide_results": self.hide_results,
            "hide_until_voted": self.hide_until_voted,
            "seconds": self.seconds,
            "closes_ts": self.closes_ts,
            "hidden_words": sorted(self.hidden_words) if staff else [],
            "opened_ts": self.opened_ts,
            "closed_ts": self.closed_ts,
        }

    def results(self) -> dict[str, Any]:
        """`{counts, voters}` as PROTOCOL.md describes `poll.results`."""
        counts: list[int] | dict[str, int]
        if self.kind == "words":
            words: dict[str, int] = {}
            for choice in self.votes.values():
                if isinstance(choice, str) and choice not in self.hidden_words:
                    words[choice] = words.get(choice, 0) + 1
            counts = words
        else:
            size = RATING_STARS if self.kind == "rating" else len(self.options)
            tally = [0] * size
            for choice in self.votes.values():
                if isinstance(choice, list):
                    for index in choice:
                        tally[index] += 1
                elif isinstance(choice, int):
                    tally[choice - 1 if self.kind == "rating" else choice] += 1
            counts = tally
        return {"counts": counts, "voters": len(self.votes)}

    def results_audience_everyone(self) -> bool:
        """Whether everyone may see the results now (else staff, and perhaps voters)."""
        if self.status == DRAFT:
            return False
        return not ((self.hide_results or self.hide_until_voted) and self.status == OPEN)

    def results_shown_to(self, pid: str, *, staff: bool) -> bool:
        """Whether this viewer may see the results now: staff always; a participant
        once they are everyone's, or once they voted in a poll that hides results only
        until then."""
        if staff or self.results_audience_everyone():
            return True
        return self.results_shown_to_voters() and pid in self.votes

    def results_shown_to_voters(self) -> bool:
        """Whether a participant who voted sees the results while the rest do not."""
        return self.status == OPEN and self.hide_until_voted and not self.hide_results

    def dump(self) -> dict[str, Any]:
        return {
            "poll_id": self.poll_id,
            "seq": self.seq,
            "title": self.title,
            "kind": self.kind,
            "options": list(self.options),
            "hide_results": self.hide_results,
            "hide_until_voted": self.hide_until_voted,
            "seconds": self.seconds,
            "closes_ts": self.closes_ts,
            "status": self.status,
            "votes": dict(self.votes),
            "hidden_words": sorted(self.hidden_words),
            "opened_ts": self.opened_ts,
            "closed_ts": self.closed_ts,
        }

    @classmethod
    def load(cls, d: dict[str, Any]) -> Poll:
        return cls(**{**d, "hidden_words": set(d["hidden_words"])})


class BadChoice(ValueError):
    """A choice that does not fit the poll's kind (the message says what would)."""


def check_choice(poll: Poll, choice: Any) -> Choice:
    """The normalised choice, or `BadChoice`."""
    kind = poll.kind
    if kind == "single":
        if (
            isinstance(choice, int)
            and not isinstance(choice, bool)
            and 0 <= choice < len(poll.options)
        ):
            return choice
        raise BadChoice(f"choose one option, 0-{len(poll.options) - 1}")
    if kind == "multi":
        if (
            isinstance(choice, list)
            and choice
            and all(isinstance(c, int) and not isinstance(c, bool) for c in choice)
            and all(0 <= c < len(poll.options) for c in choice)
            and len(set(choice)) == len(choice)
        ):
            return sorted(choice)
        raise BadChoice(f"choose distinct options, 0-{len(poll.options) - 1}")
    if kind == "rating":
        if isinstance(choice, int) and not isinstance(choice, bool) and 1 <= choice <= 5:
            return choice
        raise BadChoice("a rating is 1-5 stars")
    if isinstance(choice, str):
        word = normalise_word(choice)
        if word:
            return word
    raise BadChoice(f"a word or short phrase of 1-{WORD_LIMIT} characters")


class PollRoom(Protocol):
    """What the poll handlers use of the room state. `RoomState` has this shape; it is not
    imported, since it holds `Poll`s and so imports this module (no circle, issue 11)."""

    on_screen: str | None  # the poll on the projector (PROTOCOL.md "Polls on screen")

    @property
    def polls(self) -> dict[str, Poll]: ...
    @property
    def is_open(self) -> bool: ...


def _find(state: PollRoom, rec: Entry) -> Poll | Outcome:
    """The poll a record names, or a `not_found` outcome if its actor cannot see it (a
    draft is staff's only)."""
    poll: Poll | None = state.polls.get(rec.data["poll_id"])
    if poll is None or (poll.status == DRAFT and not is_staff(rec)):
        return refuse(ErrorCode.NOT_FOUND, "no such poll")
    return poll


def _settings(poll: Poll, d: dict[str, Any]) -> None:
    """A draft's settings from a `poll.create` or `poll.edit` record (older records lack
    the later ones)."""
    poll.hide_results = bool(d.get("hide_results", False))
    poll.hide_until_voted = bool(d.get("hide_until_voted", False))
    seconds = d.get("seconds")
    poll.seconds = seconds if isinstance(seconds, int) and seconds > 0 else None


class Polls:
    """The poll handlers, over `state.polls` (a dict poll_id -> Poll)."""

    @staticmethod
    def create(state: PollRoom, rec: Entry) -> Outcome:
        d = rec.data
        poll = Poll(
            poll_id=f"p{rec.seq}",
            seq=rec.seq,
            title=d["title"],
            kind=d["kind"],
            options=list(d.get("options") or ()),
        )
        _settings(poll, d)
        state.polls[poll.poll_id] = poll
        return accept(event("poll.created", (STAFF, {"poll": poll.wire()})), poll_id=poll.poll_id)

    @staticmethod
    def edit(state: PollRoom, rec: Entry) -> Outcome:
        poll = _find(state, rec)
        if isinstance(poll, Outcome):
            return poll
        if poll.status != DRAFT:
            return refuse(ErrorCode.CONFLICT, "only a draft poll can be edited")
        d = rec.data
        before = poll.wire()
        poll.title, poll.kind = d["title"], d["kind"]
        poll.options = list(d.get("options") or ())
        _settings(poll, d)
        wire = poll.wire()
        if wire == before:
            return accept(None, poll_id=poll.poll_id)  # the draft as it was: nothing to say
        return accept(event("poll.created", (STAFF, {"poll": wire})), poll_id=poll.poll_id)

    @staticmethod
    def open(state: PollRoom, rec: Entry) -> Outcome:
        poll = _find(state, rec)
        if isinstance(poll, Outcome):
            return poll
        if poll.status == OPEN:
            return accept(None)
        poll.status = OPEN
        poll.opened_ts = rec.ts
        poll.closes_ts = rec.ts + poll.seconds if poll.seconds else None
        data = {"poll_id": poll.poll_id, "status": OPEN}
        ev = event(
            "poll.status",
            (STAFF, {**data, "poll": poll.wire()}),
            (EVERYONE, {**data, "poll": poll.wire(staff=False)}),
        )
        return accept(ev, results_of=poll.poll_id)

    @staticmethod
    def close(state: PollRoom, rec: Entry) -> Outcome:
        poll = _find(state, rec)
        if isinstance(poll, Outcome):
            return poll
        if poll.status != OPEN:
            return refuse(ErrorCode.CONFLICT, f"the poll is {poll.status}, not open")
        poll.status = CLOSED
        poll.closed_ts = rec.ts
        poll.closes_ts = None
        data = {"poll_id": poll.poll_id, "status": CLOSED, "results": poll.results()}
        return accept(event("poll.status", (EVERYONE, data)), results_of=poll.poll_id)

    @staticmethod
    def delete(state: PollRoom, rec: Entry) -> Outcome:
        poll = _find(state, rec)
        if isinstance(poll, Outcome):
            return poll
        del state.polls[poll.poll_id]
        if state.on_screen == poll.poll_id:
            state.on_screen = None  # the screen is cleared with it (clients read it so)
        audience = STAFF if poll.status == DRAFT else EVERYONE
        ev = event("poll.deleted", (audience, {"poll_id": poll.poll_id}))
        return accept(ev, results_of=poll.poll_id)  # its timer and pending results stop

    @staticmethod
    def show(state: PollRoom, rec: Entry) -> Outcome:
        """`poll.show`: one open or closed poll on the projector, or none (nil)."""
        poll_id = rec.data.get("poll_id")
        if poll_id is not None:
            poll = _find(state, rec)
            if isinstance(poll, Outcome):
                return poll
            if poll.status == DRAFT:
                return refuse(ErrorCode.CONFLICT, "a draft cannot be shown: open it first")
        if state.on_screen == poll_id:
            return accept(None)
        state.on_screen = poll_id
        return accept(event("poll.on_screen", (EVERYONE, {"poll_id": poll_id})))

    @staticmethod
    def vote(state: PollRoom, rec: Entry) -> Outcome:
        if not state.is_open:
            return refuse(ErrorCode.ROOM_CLOSED, "the room is closed")
        poll = _find(state, rec)
        if isinstance(poll, Outcome):
            return poll
        if poll.status != OPEN:
            return refuse(ErrorCode.CONFLICT, f"the poll is {poll.status}, not open")
        try:
            choice = check_choice(poll, rec.data["choice"])
        except BadChoice as exc:
            return refuse(ErrorCode.BAD_REQUEST, str(exc))
        pid = actor_of(rec)["pid"]
        if poll.votes.get(pid) == choice:
            return accept(None)
        poll.votes[pid] = choice
        data = {"poll_id": poll.poll_id, "choice": choice}
        return accept(event("poll.voted", (only(pid), data)), results_of=poll.poll_id)

    @staticmethod
    def hide_word(state: PollRoom, rec: Entry) -> Outcome:
        poll = _find(state, rec)
        if isinstance(poll, Outcome):
            return poll
        if poll.kind != "words":
            return refuse(ErrorCode.CONFLICT, "only a words poll has words to hide")
        word, hidden = normalise_word(rec.data["word"]), rec.data.get("hidden", True)
        if (word in poll.hidden_words) == hidden:
            return accept(None)
        if hidden:
            poll.hidden_words.add(word)
        else:
            poll.hidden_words.discard(word)
        # While participants may not see the results, a word (even one being hidden) is
        # part of them: only staff hear about it.
        audience = EVERYONE if poll.results_audience_everyone() else STAFF
        data = {"poll_id": poll.poll_id, "word": word, "hidden": hidden}
        return accept(event("poll.word_hidden", (audience, data)), results_of=poll.poll_id)
