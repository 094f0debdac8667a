"""The room's shared notes: one Yjs (Yrs) document with a `Y.Text` named "notes".

Updates are opaque Yjs v1 bytes from clients; the fold applies them in log order, the
same on every process (pycrdt can fail to converge when updates arrive out of causal
order, so the log's order is the only order used). The server never edits the text
itself: pycrdt offsets are UTF-8 bytes while Yjs counts UTF-16 units.
"""

from __future__ import annotations

from typing import Any

from pycrdt import Doc, Text

from protocol.codes import ErrorCode
from server.rooms.outcome import EVERYONE, Outcome, accept, event, refuse
from server.rooms.record import Entry, is_moderator, is_open

TEXT_NAME = "notes"
# The whole document's text, in UTF-8 bytes (pycrdt's unit): about 100 pages of prose.
TEXT_LIMIT = 256 * 1024


class BadUpdate(ValueError):
    """A notes update that could not be applied."""


class NotesDoc:
    """The merged notes document of one room."""

    __slots__ = ("doc", "text")

    def __init__(self, encoded: bytes = b"") -> None:
        self.doc: Doc = Doc()
        self.text: Text = self.doc.get(TEXT_NAME, type=Text)
        if encoded:
            self.apply(encoded)

    def apply(self, update: bytes) -> None:
        """Merge one update. A malformed update raises `BadUpdate` (pycrdt raises
        `ValueError`, and a panic in Yrs is a `BaseException`)."""
        try:
            self.doc.apply_update(update)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:
            raise BadUpdate(str(exc)[:200]) from None

    def __len__(self) -> int:
        return len(self.text)

    def value(self) -> str:
        return str(self.text)

    def encode(self) -> bytes:
        """The whole document as one update (a compaction of its history)."""
        return bytes(self.doc.get_update())

    def state_vector(self) -> bytes:
        return bytes(self.doc.get_state())

    def missing(self, state_vector: bytes) -> bytes:
        """What a peer with `state_vector` lacks, as one update."""
        try:
            return bytes(self.doc.get_update(state_vector))
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:
            raise BadUpdate(str(exc)[:200]) from None

    def fits(self, update: bytes) -> bool:
        """Whether the text stays within `TEXT_LIMIT` after `update`.

        An update cannot add more text than its own size, so only near the limit is a
        trial merge on a copy needed.
        """
        if len(self.text) + len(update) <= TEXT_LIMIT:
            return True
        trial = NotesDoc(self.encode())
        trial.apply(update)
        return len(trial) <= TEXT_LIMIT


def update(state: Any, rec: Entry) -> Outcome:
    """`notes.update`: merge a client's Yjs update into the room's notes."""
    if not is_open(state):
        return refuse(ErrorCode.ROOM_CLOSED, "the room is closed")
    if state.settings["notes_locked"] and not is_moderator(rec):
        return refuse(ErrorCode.FORBIDDEN, "the notes are locked by the moderator")
    u = rec.data["u"]
    if not isinstance(u, bytes | bytearray):
        return refuse(ErrorCode.BAD_REQUEST, "u must be binary")
    notes: NotesDoc = state.notes
    try:
        if not notes.fits(u):
            return refuse(ErrorCode.TOO_LARGE, f"the notes may hold {TEXT_LIMIT} bytes of text")
        notes.apply(u)
    except BadUpdate as exc:
        return refuse(ErrorCode.BAD_REQUEST, f"not a Yjs update: {exc}")
    # Always forwarded, even when it added nothing new to the state vector: an update
    # holding only deletions does not change the state vector either.
    by = {"name": rec.actor["name"], "org": rec.actor["org"]}
    return accept(event("notes.update", (EVERYONE, {"u": bytes(u), "by": by})))
