"""The session record: a room's log streamed once through the fold, in bounded memory.

`SessionRecord.batches()` reads the log with `backend.read_batches` (a batch at a time),
and `fold(batch)` folds each record with the same pure `apply` the live server uses,
yielding one `Step` per seq: the record, the fold's outcome, and whether its actor must
stay hidden (`privacy`). The JSON writer turns steps into lines as they come; everything
else waits for the end and asks for the `Report`, whose size is O(questions), not O(log).

    record = SessionRecord(backend, room, event)
    async for batch in record.batches():   # or: async for step in record.steps()
        for step in record.fold(batch):    # or: await record.run()
            ...
    report = record.report()

The loop over a batch is synchronous: one await per read rather than two async
generators resumed per record, which were a tenth of a 100k-event export (issue 17).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from typing import Any, NamedTuple

from protocol.lang_text import LangText
from server.backends.base import Backend, EventInfo, Record, RoomInfo
from server.organisations import Registry
from server.rooms import Event, Outcome, RoomState, apply
from server.rooms.state import DEFAULT_SETTINGS

from .clock import Clock
from .privacy import ANONYMOUS, is_pseudonymous, privacy_of
from .report import (
    TIMELINE_LIMIT,
    Attendance,
    Report,
    TimelineLine,
    notes_text,
    poll_rows,
    question_rows,
    shorten,
)

READ_BATCH = 1000  # records per backend read: the bound on log records held at once
_POLL_LINES = {"poll.create", "poll.edit", "poll.open", "poll.close", "poll.hide_word"}
_ROOM_STATES = {"closed": "tl.room_closed", "open": "tl.room_open"}
_MODERATE = {"approve", "dismiss", "answered", "reopen", "pin", "unpin"}
# The types `_line` writes a line for (the rest, votes first, skip it).
_LINE_TYPES = frozenset(
    {"ask", "moderate", "withdraw", "answer", "edit", "poll.delete", "settings"}
    | {"room.close", "room.open"}
    | _POLL_LINES
)


class Step(NamedTuple):
    """One seq of the log: the record, what the fold made of it, and its privacy. (A
    named tuple: made once per seq, at a fifth of a frozen dataclass's cost.)"""

    record: Record
    outcome: Outcome
    privacy: str | None  # privacy.ANONYMOUS, privacy.BALLOT or None


class SessionRecord:
    """Folds one room's log and collects what the reports need."""

    def __init__(
        self, backend: Backend, room: RoomInfo, event: EventInfo | None, batch: int = READ_BATCH
    ) -> None:
        self.backend = backend
        self.room = room
        self.event = event
        # Organisations count and read by registry id (issue 14), also in records from
        # before the registry, whose actors carry only the name they typed.
        self.registry = Registry(event.organisations if event else ())
        self.batch = batch
        self.state = RoomState()
        self.attendance = Attendance()
        self.timeline: list[TimelineLine] = []
        self.timeline_more = 0
        self.records = 0
        self.first_ts: float | None = None
        self.last_ts: float | None = None
        self.notes_edits = 0
        self._notes_editors: set[str] = set()
        # (org_id, org as typed) -> what attendance counts: resolving normalises Unicode,
        # once per distinct pair rather than once per record (issue 17).
        self._orgs: dict[tuple[str | None, str], str] = {}

    def batches(self) -> AsyncIterator[list[Record]]:
        """The log `1..head` (head as of the first read), a read batch at a time, for
        `fold`."""
        return self.backend.read_batches(self.room.code, batch=self.batch)

    def fold(self, records: list[Record]) -> Iterator[Step]:
        """Fold a batch from `batches` (each batch once, in order), one step per seq."""
        state = self.state
        for rec in records:
            privacy = privacy_of(rec, state)
            before = self._before(rec)
            outcome = apply(state, rec)
            self._collect(rec, outcome, privacy, before)
            yield Step(rec, outcome, privacy)

    async def steps(self) -> AsyncIterator[Step]:
        """Every seq `1..head` (head as of the first read), folded, in order."""
        async for records in self.batches():
            for step in self.fold(records):
                yield step

    def _before(self, rec: Record) -> dict[str, Any] | None:
        """What a record's timeline line needs from before its fold: the settings it
        changes, or the poll it deletes."""
        if rec.type == "settings":
            return dict(self.state.settings)
        if rec.type == "poll.delete":
            poll = self.state.polls.get(str(rec.data.get("poll_id")))
            return None if poll is None else {"title": poll.title, "voters": len(poll.votes)}
        return None

    async def run(self) -> None:
        """Fold the whole log, keeping only the report's data."""
        async for records in self.batches():
            for _ in self.fold(records):
                pass

    def report(self, exported_ts: float | None = None) -> Report:
        attendance, total = self.attendance.rows()
        zones = self.event.timezones if self.event else ()
        return Report(
            event_title=self.event.title if self.event else "",
            room_code=self.room.code,
            room_title=self.room.title,
            clock=Clock(zones),
            exported_ts=time.time() if exported_ts is None else exported_ts,
            first_ts=self.first_ts,
            last_ts=self.last_ts,
            records=self.records,
            state=self.state.state,
            questions=question_rows(self.state, self.registry),
            polls=poll_rows(self.state),
            attendance=attendance,
            attendance_total=total,
            timeline=self.timeline,
            timeline_more=self.timeline_more,
            notes=notes_text(self.state),
            notes_edits=self.notes_edits,
            notes_editors=len(self._notes_editors),
            settings=dict(self.state.settings),
            organisations={o.org_id: o.name for o in self.event.organisations}
            if self.event
            else {},
            prompts=self.room.prompts,
        )

    # -- collecting -------------------------------------------------------------------

    def _collect(
        self, rec: Record, outcome: Outcome, privacy: str | None, before: dict[str, Any] | None
    ) -> None:
        self.records += 1
        if self.first_ts is None:
            self.first_ts = rec.ts
        self.last_ts = rec.ts
        actor = rec.actor if isinstance(rec.actor, dict) else None
        if actor is not None and privacy != ANONYMOUS and not is_pseudonymous(actor):
            self.attendance.see(str(actor.get("pid")), self._counted_org(actor), rec.ts)
        if not outcome.ok:
            return
        if rec.type == "notes.update":
            self.notes_edits += 1
            if actor is not None:
                self._notes_editors.add(str(actor.get("pid")))
        if outcome.event is None or rec.type not in _LINE_TYPES:
            return
        try:
            line = self._line(rec, outcome.result, outcome.event, before)
        except (KeyError, TypeError, AttributeError, ValueError):
            line = None  # a record shape this build does not know: no line, never a failure
        if line is None:
            return
        if len(self.timeline) < TIMELINE_LIMIT:
            self.timeline.append(line)
        else:
            self.timeline_more += 1

    def _counted_org(self, actor: dict[str, Any]) -> str:
        """What attendance counts an actor under: the registry's id of its `org_id` or of
        the name it typed, else the text as typed."""
        org_id, org = actor.get("org_id"), str(actor.get("org") or "")
        org_id = org_id if isinstance(org_id, str) else None
        counted = self._orgs.get((org_id, org))
        if counted is None:
            counted = self._orgs[org_id, org] = (
                self.registry.resolve(org_id, org) or org or org_id or ""
            )
        return counted

    def _with_org(self, name: str, org: str) -> LangText:
        """A name with its organisation, "Aiko (Sendai City)": a language map when the
        organisation is the registry's, so the timeline names it in the report's language."""
        org_id = self.registry.resolve(None, org)
        names = self.registry.by_id[org_id].name if org_id else org
        if isinstance(names, str):
            return f"{name} ({names})"
        return {lang: f"{name} ({text})" for lang, text in names.items()}

    def _line(
        self, rec: Record, result: dict[str, Any], event: Event, before: dict[str, Any] | None
    ) -> TimelineLine | None:
        """The timeline line of an accepted record that made `event` (None: no line)."""
        data = rec.data
        state = self.state
        key: str | None = None
        params: dict[str, Any] = {}
        if rec.type == "ask":
            q = state.questions.get(str(result.get("qid")))
            if q is None:
                return None
            key = "tl.asked_pending" if q.status == "pending" else "tl.asked"
            who: LangText | None = None
            if not q.anon:
                who = self._with_org(q.author_name, q.author_org) if q.author_org else q.author_name
            params = {"who": who, "text": shorten(q.text)}
        elif rec.type == "moderate" and data.get("action") == "next":
            now, done = state.questions.get(str(result.get("pinned"))), result.get("answered")
            old = state.questions.get(str(done)) if done is not None else None
            if now is not None and old is not None:
                key = "tl.next"
                params = {"text": shorten(now.text), "answered": shorten(old.text)}
            elif now is not None:
                key, params = "tl.pin", {"text": shorten(now.text)}
            elif old is not None:
                key, params = "tl.answered", {"text": shorten(old.text)}
        elif rec.type in ("moderate", "withdraw", "answer", "edit"):
            q = state.questions.get(str(data.get("qid")))
            if q is None:
                return None
            action = data.get("action") if rec.type == "moderate" else rec.type
            if action in _MODERATE or rec.type != "moderate":
                key, params = f"tl.{action}", {"text": shorten(q.text)}
        elif rec.type in _POLL_LINES:
            poll = state.polls.get(str(result.get("poll_id") or data.get("poll_id")))
            if poll is not None:
                params = {"title": poll.title, "voters": len(poll.votes)}
                if rec.type == "poll.hide_word":
                    shown = not data.get("hidden", True)
                    key = "tl.poll_show" if shown else "tl.poll_hide"
                    params["word"] = event.variants[0].data.get("word", "")
                else:
                    key = "tl." + rec.type.replace(".", "_")
        elif rec.type == "poll.delete" and before is not None:
            key = "tl.poll_delete"
            params = {"title": before["title"], "voters": before["voters"]}
        elif rec.type == "settings" and before is not None:
            changed = (k for k in DEFAULT_SETTINGS if before.get(k) != state.settings.get(k))
            changes = {k: state.settings[k] for k in changed}
            key, params = "tl.settings", {"changes": changes}
        elif rec.type in ("room.close", "room.open"):
            key = _ROOM_STATES.get(state.state, "tl.room_archived")
        if key is None:
            return None
        return TimelineLine(rec.ts, key, params)
